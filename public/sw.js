// Waitwell's service worker: keeps the app shell (index, wasm, JS, CSS,
// runtime config, site settings, icons) so a tablet that restarts without a
// network still starts. Nothing a patient enters passes through here: the
// API is never cached except the site's public settings, and patient
// writes wait in the app's own outbox (IndexedDB).
//
// A new worker installs in the background and waits; the page tells it to
// take over at its next idle reset ("activate"), never mid check-in.
//
// The app's clinic devices use five pages, one bundle each
// (waitwell_core::Page): the kiosk (index.html, kept as "/"), board.html,
// and the staff pages staff.html, insights.html and tablets.html. The app
// registers the worker with ?page=FILE, the page of this device (staff.html
// from any staff page), which the worker keeps at install; any of them
// navigated to online is kept as well. The sixth, phone.html (/t/{token}),
// is for a patient's own phone: it registers no worker, and a device that
// opens one gets it from the network and keeps nothing of it.
'use strict';

const CACHE = 'waitwell-shell';
// A page's key in the cache (what it is fetched as at install).
const PAGES = { 'index.html': '/', 'board.html': '/board.html', 'staff.html': '/staff.html', 'insights.html': '/insights.html', 'tablets.html': '/tablets.html' };
const OWN_PAGE = PAGES[new URL(self.location.href).searchParams.get('page')] || '/';

// The page that shows `path` (as waitwell_core::Page::for_path says).
function pageFor(path) {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '/board') return PAGES['board.html'];
  if (trimmed === '/reception') return PAGES['staff.html'];
  if (trimmed === '/insights') return PAGES['insights.html'];
  if (trimmed === '/tablets') return PAGES['tablets.html'];
  return PAGES['index.html'];
}
// Files the shell needs besides those its pages name.
const EXTRA = ['/config.json', '/manifest.webmanifest', '/favicon.svg'];
// Public, patient-free settings the kiosk needs to draw its first screen.
const SITE = '/api/v1/config';
// trunk names built files by content hash: such a file never changes.
const HASHED = /-[0-9a-f]{8,16}(_bg)?\.(js|wasm|css)$/;

// The files a page loads. Not the API answers it asks for with the page
// (its preloads): those are live, and never kept (the site's settings
// are kept by their own route).
function assetsOf(html) {
  const found = new Set();
  for (const match of html.matchAll(/(?:href|src)="(\/[^"?#]+)"/g)) {
    if (!match[1].startsWith('/api/')) found.add(match[1]);
  }
  // The app's JS and wasm, named by the page's boot script
  // (scripts/finish-pages.mjs).
  for (const match of html.matchAll(/'(\/[^'?#\s]+)'/g)) {
    if (HASHED.test(match[1])) found.add(match[1]);
  }
  return [...found];
}

// Whether a request comes from a patient's phone-link page (/t/…), whose
// files are the network's and never kept.
async function fromPhoneLink(event) {
  const client = event.clientId ? await self.clients.get(event.clientId) : null;
  return Boolean(client && new URL(client.url).pathname.startsWith('/t/'));
}

// Caches a page (under `key`) and everything it names, then drops built
// files no kept page names any more, and any API answer but the site's
// settings (workers before this one kept the answers pages preload). The
// page goes in last, so the cache never holds a page whose files are
// missing.
async function keepShell(page, key) {
  const cache = await caches.open(CACHE);
  const named = assetsOf(await page.clone().text());
  for (const url of named.concat(EXTRA, [SITE])) {
    if (HASHED.test(url) && (await cache.match(url))) continue;
    const response = await fetch(url, { cache: 'no-cache' });
    if (response.ok) await cache.put(url, response);
    else if (HASHED.test(url)) throw new Error(`${url}: ${response.status}`);
  }
  await cache.put(key, page);
  const wanted = new Set();
  for (const kept of Object.values(PAGES)) {
    const hit = await cache.match(kept);
    if (hit) for (const url of assetsOf(await hit.text())) wanted.add(url);
  }
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    const stale = HASHED.test(path) ? !wanted.has(path) : path.startsWith('/api/') && path !== SITE;
    if (stale) await cache.delete(request);
  }
}

// Keeps a page the server sent (and its files) unless it is the page kept
// already: a reload of the same build fetches nothing more.
async function keepIfNew(page, key) {
  const kept = await caches.match(key);
  if (kept && (await kept.text()) === (await page.clone().text())) return;
  await keepShell(page, key);
}

async function fromNetwork(request, key) {
  const response = await fetch(request);
  // A page is kept only with its files (keepShell), never alone: the app
  // fetches its own page to see whether a new build is out.
  const page = (response.headers.get('content-type') || '').startsWith('text/html');
  if (response.ok && !page) {
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
    fetch(OWN_PAGE, { cache: 'no-store' }).then((page) => {
      if (!page.ok) throw new Error(`${OWN_PAGE}: ${page.status}`);
      return keepShell(page, OWN_PAGE);
    }),
  );
});

self.addEventListener('activate', (event) => {
  // Navigation preload: a page's request leaves while the worker is still
  // starting, rather than after.
  const preload = self.registration.navigationPreload?.enable().catch(() => {});
  event.waitUntil(Promise.all([self.clients.claim(), preload]));
});

self.addEventListener('message', (event) => {
  if (event.data === 'activate') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (request.mode === 'navigate' && url.pathname.startsWith('/t/')) {
    // A patient's phone link: the network's, never kept (nor is its page);
    // the navigation preload's answer when there is one, so that the page
    // is asked for once.
    event.respondWith(Promise.resolve(event.preloadResponse).then((preloaded) => preloaded || fetch(request)));
    return;
  }
  if (request.mode === 'navigate') {
    // A route's page: the newest when the server answers, the kept one
    // when it does not.
    const key = pageFor(url.pathname);
    event.respondWith(
      Promise.resolve(event.preloadResponse)
        .then((preloaded) => preloaded || fetch(request))
        .then((response) => {
          if (response.ok) event.waitUntil(keepIfNew(response.clone(), key).catch(() => {}));
          return response;
        })
        .catch(() => fromCache(key)),
    );
  } else if (url.pathname === SITE) {
    event.respondWith(fromNetwork(request, SITE).catch(() => fromCache(SITE)));
  } else if (url.pathname.startsWith('/api/')) {
    // Live data and patient data: always the network, never kept.
  } else if (HASHED.test(url.pathname)) {
    event.respondWith(
      caches.match(url.pathname).then(async (hit) => {
        if (hit) return hit;
        return (await fromPhoneLink(event)) ? fetch(request) : fromNetwork(request, url.pathname);
      }),
    );
  } else {
    event.respondWith(fromNetwork(request, url.pathname).catch(() => fromCache(url.pathname)));
  }
});
