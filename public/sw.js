// Waitwell's service worker: keeps the app shell (index, wasm, JS, CSS,
// runtime config, site settings, icons) so a tablet that restarts without a
// network still starts. Nothing a patient enters passes through here: the
// API is never cached except the site's public settings, and patient
// writes wait in the app's own outbox (IndexedDB).
//
// A new worker installs in the background and waits; the page tells it to
// take over at its next idle reset ("activate"), never mid check-in.
'use strict';

const CACHE = 'waitwell-shell';
// Files the shell needs besides those index.html names.
const EXTRA = ['/config.json', '/manifest.webmanifest', '/favicon.svg'];
// Public, patient-free settings the kiosk needs to draw its first screen.
const SITE = '/api/v1/config';
// trunk names built files by content hash: such a file never changes.
const HASHED = /-[0-9a-f]{16}(_bg)?\.(js|wasm|css)$/;

// The files index.html loads.
function assetsOf(html) {
  const found = new Set();
  for (const match of html.matchAll(/(?:href|src)="(\/[^"?#]+)"/g)) {
    found.add(match[1]);
  }
  return [...found];
}

// Caches an index and everything it names, then drops built files no
// index names any more. The index goes in last, so the cache never holds
// an index whose files are missing.
async function keepShell(index) {
  const cache = await caches.open(CACHE);
  const wanted = assetsOf(await index.clone().text()).concat(EXTRA, [SITE]);
  for (const url of wanted) {
    if (HASHED.test(url) && (await cache.match(url))) continue;
    const response = await fetch(url, { cache: 'no-cache' });
    if (response.ok) await cache.put(url, response);
    else if (HASHED.test(url)) throw new Error(`${url}: ${response.status}`);
  }
  await cache.put('/', index);
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (HASHED.test(path) && !wanted.includes(path)) await cache.delete(request);
  }
}

async function fromNetwork(request, key) {
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(CACHE);
    await cache.put(key, response.clone());
  }
  return response;
}

async function fromCache(key) {
  const hit = await caches.match(key);
  return hit || Response.error();
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    fetch('/', { cache: 'no-store' }).then((index) => {
      if (!index.ok) throw new Error(`index: ${index.status}`);
      return keepShell(index);
    }),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener('message', (event) => {
  if (event.data === 'activate') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (request.mode === 'navigate') {
    // Every route is the one page: the newest index when the server
    // answers, the kept one when it does not.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) event.waitUntil(keepShell(response.clone()).catch(() => {}));
          return response;
        })
        .catch(() => fromCache('/')),
    );
  } else if (url.pathname === SITE) {
    event.respondWith(fromNetwork(request, SITE).catch(() => fromCache(SITE)));
  } else if (url.pathname.startsWith('/api/')) {
    // Live data and patient data: always the network, never kept.
  } else if (HASHED.test(url.pathname)) {
    event.respondWith(
      caches.match(url.pathname).then((hit) => hit || fromNetwork(request, url.pathname)),
    );
  } else {
    event.respondWith(fromNetwork(request, url.pathname).catch(() => fromCache(url.pathname)));
  }
});
