// trunk's post-build hook for the built pages (Trunk.toml), in two steps.
//
// 1. Styles minified. The styles inlined in each page (`<link data-trunk
//    rel="inline" href="style/…">` becomes a bare `<style>`) are minified
//    with lightningcss: comments, spaces and long forms go, the rules stay
//    as written (no browser targets, so nothing is rewritten for older
//    browsers). The page is what every first load downloads and parses
//    before it paints. trunk's own `--minify` would do the whole page,
//    unquoting the attributes sw.js reads and rewriting the inline
//    scripts, so it stays off. A style lightningcss cannot parse stops the
//    build.
//
// 2. The app started after the first frame. trunk boots the wasm with a
//    module script that imports the JS at once, and preloads the JS and
//    the wasm from the page's head: both downloads start with the page and
//    hold its first paint back (make bench-web: the same page without them
//    paints 40–50 ms sooner at 4× throttle). Here the preload links go, and
//    the script waits for the first frame (src/first_screen.js has painted
//    the screen the device last showed), then imports the JS and gives it
//    the wasm's response. The files' integrity stays checked: the JS's
//    through an import map, the wasm's through its fetch. sw.js finds both
//    files by their quoted names.
//
//    The page's own preloads of what its app asks for first (`<link
//    rel="preload" as="fetch">` in its head: the site's settings, the
//    device's enrolment…) move there too: the boot script adds them after
//    the first frame, once the wasm's fetch has begun, and tells the
//    page's own scripts the moment has come (an event,
//    `waitwell-first-frame`), for a preload the page makes itself. Their
//    answers, arriving while the page was parsed and painted, held its
//    first paint back by some 35 ms at 4× throttle on this machine; they
//    still arrive long before the wasm has compiled, so the app's
//    requests take them as before.
//
// The server hashes each page's inline scripts and styles for its content
// security policy when it starts (server/src/security.rs), so the ones
// written here are the ones it allows.
// Usage: node scripts/finish-pages.mjs [DIR] (trunk's staging folder by default).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(new URL('./build-tools/package.json', import.meta.url));
const { transform } = require('lightningcss');

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('usage: node scripts/finish-pages.mjs DIR (or run as a trunk hook)');
  process.exit(2);
}

/** Stops the build: `page` is not as this script expects. */
function fail(page, what) {
  console.error(`${page}: ${what}`);
  process.exit(1);
}

/** `css` minified; `where` names it in an error. */
function minify(css, where) {
  try {
    return transform({ filename: where, code: Buffer.from(css), minify: true }).code.toString();
  } catch (error) {
    return fail(where, `lightningcss could not minify this style: ${error.message}`);
  }
}

/** Step 1: every bare `<style>` (trunk's inlined styles; one with attributes is not ours) minified. */
function minifyStyles(html, page) {
  let n = 0;
  return html.replace(/<style>([\s\S]*?)<\/style>/g, (_, css) => {
    n += 1;
    return `<style>${minify(css, `${page}, style ${n}`)}</style>`;
  });
}

// trunk 0.21's boot script and its preloads of the JS and the wasm (a
// newer trunk that writes them otherwise stops the build here).
const BOOT = /<script type="module">\s*import init, \* as bindings from '(\/[^'\s]+\.js)';\s*const wasm = await init\(\{ module_or_path: '(\/[^'\s]+_bg\.wasm)' \}\);[\s\S]*?<\/script>/g;
// A page's preload of an API answer or a file its app fetches first, as
// the source pages write it.
const FETCH_PRELOAD = /\s*<link rel="preload" href="([^"]+)" as="fetch" crossorigin="anonymous" \/>/g;
const preload = (rel, file) =>
  new RegExp(`<link rel="${rel}" href="${file.replace(/[.]/g, '\\.')}" crossorigin="anonymous" integrity="(sha384-[A-Za-z0-9+/=]+)"[^>]*>\\s*`, 'g');

/** Step 2: the boot script waits for the first frame, and the JS and wasm are no longer preloaded. */
function startAfterFirstFrame(html, page) {
  const boots = [...html.matchAll(BOOT)];
  if (boots.length === 0) return html; // a page with no app
  if (boots.length > 1) fail(page, `${boots.length} boot scripts`);
  const [boot, js, wasm] = boots[0];
  const integrity = {};
  for (const [rel, file] of [['modulepreload', js], ['preload', wasm]]) {
    const links = [...html.matchAll(preload(rel, file))];
    if (links.length !== 1) fail(page, `expected one <link rel="${rel}"> of ${file} with its integrity, found ${links.length}`);
    integrity[file] = links[0][1];
    html = html.replace(links[0][0], '');
  }
  const fetched = [];
  html = html.replace(FETCH_PRELOAD, (_, href) => {
    fetched.push(href);
    return '';
  });
  // A frame, then a task (the first paint is done; a hidden page, whose
  // frames wait, goes on after 200 ms); then the wasm's download and the
  // JS's started side by side, and only then the moment announced to the
  // page's own scripts (`waitwell-first-frame` on the document: the
  // phone's preload of its ticket, whose address only the page knows) and
  // the page's preloads added. Their answers are wanted once the app
  // runs; the wasm is what the app waits for, and adding the preloads
  // first had its request leave some 20 ms later at 4× throttle (own
  // control 8% later in two interleaved A/B rounds of 15 and 21 loads).
  // Two marks in the page's performance timeline say when the boot began
  // (`waitwell-boot`) and when the app had started (`waitwell-started`:
  // compiled, instantiated, its first view mounted), for make bench-web
  // and a browser's performance tools.
  const preloads = fetched.length === 0 ? '' : `for (const href of ${JSON.stringify(fetched)}) {
  document.head.append(Object.assign(document.createElement('link'), { rel: 'preload', as: 'fetch', crossOrigin: 'anonymous', href }));
}
`;
  const started = `<script type="importmap">${JSON.stringify({ integrity: { [js]: integrity[js] } })}</script>
<script type="module">
await new Promise((go) => { requestAnimationFrame(() => setTimeout(go)); setTimeout(go, 200); });
performance.mark('waitwell-boot');
const wasm = fetch('${wasm}', { integrity: '${integrity[wasm]}' });
const app = import('${js}');
document.dispatchEvent(new Event('waitwell-first-frame'));
${preloads}await (await app).default({ module_or_path: wasm });
performance.mark('waitwell-started');
</script>`;
  return html.replace(boot, () => started);
}

for (const page of readdirSync(dir).filter((n) => n.endsWith('.html'))) {
  const path = join(dir, page);
  const html = readFileSync(path, 'utf8');
  const finished = startAfterFirstFrame(minifyStyles(html, page), page);
  if (finished !== html) writeFileSync(path, finished);
}
