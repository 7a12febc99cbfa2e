// Prints what a first load of the release app transfers: each wasm, JS and
// CSS file in dist/, raw, gzip (level 9) and brotli (quality 11).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, extname } from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const dist = process.argv[2] ?? 'dist';
const kinds = new Set(['.wasm', '.js', '.css']);
const rows = readdirSync(dist)
  .filter((name) => kinds.has(extname(name)) && statSync(join(dist, name)).isFile())
  .sort()
  .map((name) => {
    const bytes = readFileSync(join(dist, name));
    return {
      name,
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
      }).length,
    };
  });
if (rows.length === 0) {
  console.error(`no .wasm/.js/.css in ${dist}: run make app first`);
  process.exit(1);
}
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`.padStart(11);
const line = (name, r) => `${name.padEnd(44)}${kb(r.raw)}${kb(r.gzip)}${kb(r.brotli)}`;
console.log(`${'file'.padEnd(44)}${'raw'.padStart(11)}${'gzip'.padStart(11)}${'brotli'.padStart(11)}`);
for (const r of rows) console.log(line(r.name, r));
const total = rows.reduce((t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });
console.log(line('total (first load)', total));
