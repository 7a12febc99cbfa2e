// trunk's first post-build hook (Trunk.toml): minifies the styles inlined
// in each built page (`<link data-trunk rel="inline" href="style/…">`
// becomes a bare `<style>`), with lightningcss: comments, spaces and long
// forms go, the rules stay as written (no browser targets, so nothing is
// rewritten for older browsers). The page is what every first load
// downloads and parses before it paints. trunk's own `--minify` would do
// the whole page, unquoting the attributes sw.js reads and rewriting the
// inline scripts, so it stays off.
//
// The server hashes each page's inline styles for its content security
// policy when it starts (server/src/security.rs), so the minified ones are
// the ones it allows. A style lightningcss cannot parse stops the build.
// Usage: node scripts/minify-styles.mjs [DIR] (trunk's staging folder by default).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(new URL('./build-tools/package.json', import.meta.url));
const { transform } = require('lightningcss');

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('usage: node scripts/minify-styles.mjs DIR (or run as a trunk hook)');
  process.exit(2);
}

/** `css` minified; `where` names it in an error. */
function minify(css, where) {
  try {
    return transform({ filename: where, code: Buffer.from(css), minify: true }).code.toString();
  } catch (error) {
    console.error(`${where}: lightningcss could not minify this style: ${error.message}`);
    process.exit(1);
  }
}

for (const name of readdirSync(dir).filter((n) => n.endsWith('.html'))) {
  const path = join(dir, name);
  const html = readFileSync(path, 'utf8');
  let n = 0;
  // trunk writes an inlined style as a bare `<style>`; one with attributes
  // is not ours and is left alone.
  const minified = html.replace(/<style>([\s\S]*?)<\/style>/g, (_, css) => {
    n += 1;
    return `<style>${minify(css, `${name}, style ${n}`)}</style>`;
  });
  if (minified !== html) writeFileSync(path, minified);
}
