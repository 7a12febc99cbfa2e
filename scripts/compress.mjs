// trunk's post-build hook (Trunk.toml): writes a brotli (.br, quality 11)
// and a gzip (.gz, level 9) copy next to each built file whose name carries
// its content hash, for the server to send to browsers that accept them
// (tower-http's ServeDir, precompressed). Only hashed files: a file a
// deployer may edit by hand (config.json) must never have a stale copy.
// Usage: node scripts/compress.mjs [DIR] (trunk's staging folder by default).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('usage: node scripts/compress.mjs DIR (or run as a trunk hook)');
  process.exit(2);
}
// The server's rule for built names (server/src/http/web.rs, is_built_name).
const BUILT = /-[0-9a-f]{8,16}(_bg)?\.(js|wasm|css)$/;

for (const name of readdirSync(dir)) {
  if (!BUILT.test(name)) continue;
  const bytes = readFileSync(join(dir, name));
  const br = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  const gz = gzipSync(bytes, { level: 9 });
  if (br.length < bytes.length) writeFileSync(join(dir, `${name}.br`), br);
  if (gz.length < bytes.length) writeFileSync(join(dir, `${name}.gz`), gz);
}
