// make size: what a first load of each surface transfers (its page, which
// carries its styles, and the wasm, JS and CSS the page names), raw, gzip
// and brotli, against the budgets in scripts/size-budgets.json. Built files
// are counted as scripts/compress.mjs stores them (gzip 9, brotli 11), the
// page as the server compresses it for each request (level and quality 6,
// server/src/http/web.rs). Exits 1 when a surface is over its budget.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const dist = process.argv[2] ?? 'dist';
const budgets = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'size-budgets.json'), 'utf8'));

const sizes = new Map();
/** One file's sizes (each file compressed once, however many pages name it). */
function sized(name) {
  if (!sizes.has(name)) {
    const bytes = readFileSync(join(dist, name));
    // A page is compressed by the server as it is sent; built files ahead.
    const level = name.endsWith('.html') ? 6 : 9;
    const quality = name.endsWith('.html') ? 6 : 11;
    sizes.set(name, {
      raw: bytes.length,
      gzip: gzipSync(bytes, { level }).length,
      brotli: brotliCompressSync(bytes, {
        params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
      }).length,
    });
  }
  return sizes.get(name);
}

/** The page and the wasm, JS and CSS files it names (its first load). */
function firstLoad(page) {
  const path = join(dist, page);
  if (!existsSync(path)) {
    console.error(`no ${path}: run make app first`);
    process.exit(1);
  }
  const html = readFileSync(path, 'utf8');
  const named = [...html.matchAll(/["'](\/[^"'?#]+\.(?:wasm|js|css))["']/g)].map((m) => m[1].slice(1));
  return [page, ...[...new Set(named)].sort()];
}

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`.padStart(11);
const row = (name, r) => `${name.padEnd(44)}${kb(r.raw)}${kb(r.gzip)}${kb(r.brotli)}`;
const header = `${'file'.padEnd(44)}${'raw'.padStart(11)}${'gzip'.padStart(11)}${'brotli'.padStart(11)}`;
let over = 0;
for (const [surface, { page, paths, brotli_kib: budget }] of Object.entries(budgets.surfaces)) {
  const files = firstLoad(page);
  console.log(`\n${surface} (${paths.join(', ')}: ${page})`);
  console.log(header);
  const total = { raw: 0, gzip: 0, brotli: 0 };
  for (const name of files) {
    const r = sized(name);
    console.log(row(name, r));
    for (const k of Object.keys(total)) total[k] += r[k];
  }
  const verdict = total.brotli <= budget * 1024 ? 'within' : 'OVER';
  if (verdict === 'OVER') over += 1;
  console.log(`${row('first load', total)}   budget ${budget} KiB brotli: ${verdict}`);
}
if (over > 0) {
  console.error(`\n${over} surface(s) over budget (scripts/size-budgets.json)`);
  process.exit(1);
}
