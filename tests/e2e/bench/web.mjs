// Benchmark (make bench-web): the app in Chromium as a cheap tablet runs it
// (CPU slowed 4x). Prints figures and ratios; asserts nothing about time.
//
// 1. First load of each surface against a static page with the same first
//    screen (its heading, text and buttons, plain HTML), interleaved, each
//    load from a blank page with the HTTP cache cleared (a tablet keeps
//    its enrolment, not its cache): first contentful paint, and the first
//    usable control (the first enabled button; the board has none, so its
//    first heading): the app's own, or one of the kept first screen while
//    that screen is live (src/first_screen.rs: a tap on it is carried out by
//    the app when it takes over). The app's own control is printed too;
//    then the ratios run by run (each app load over the static load next
//    to it), and where the app's load goes: its boot after the first
//    frame, the wasm downloaded, the app started, its own control.
// 2. The board applying a queue of 500 tickets: from the queue's answer
//    received to the new call on screen, for a call made at reception.
// 3. The kiosk: the tap on the last check-in step to the ticket on screen
//    (the durable outbox write and the server's answer included).
// 4. Reception's "Call next" to the board showing the call (two pages of
//    one browser, so one clock).
// RUNS (7), THROTTLE (4) and LATENCY (0 ms, part 1's added round trip) can be set; PARTS picks parts (loads, ticket,
// call, board; all by default; SKIP_LOADS=1 is all but loads) and SURFACES
// the surfaces of part 1 (check-in, board, reception, phone, survey); DEBUG=1
// prints part 1's every load; DIST serves another build (dist/ by default),
// to compare two; SW=1 loads the app with its service worker installed.
import http from 'node:http';
import { api, launchBrowser, openPage, signInStaff, staffCookie, startServer, waitForPage, waitForStep, walkInLink } from '../support/harness.mjs';
import { answerQuestions, tap, walkInDetails } from '../support/kiosk.mjs';

const RUNS = Number(process.env.RUNS ?? 7);
// Which parts run (all by default), and which surfaces part 1 loads.
const PARTS = (process.env.PARTS ?? (process.env.SKIP_LOADS ? 'ticket,call,board' : 'loads,ticket,call,board')).split(',');
const ONLY = process.env.SURFACES?.split(',');
const THROTTLE = Number(process.env.THROTTLE ?? 4);
// Part 1's round trip added to every request (ms; 0: none), as on a clinic's
// busy Wi-Fi, to both the app and the static pages.
const LATENCY = Number(process.env.LATENCY ?? 0);
// Part 1 with the app's service worker (SW=1): a tablet's reload, the
// worker running and its cache full; the HTTP cache is still cleared.
const SW = Boolean(process.env.SW);
const BOARD_TICKETS = 500;

/** Each surface's path, what its first usable control is, and a static page with the same first screen. */
const SURFACES = [
  {
    name: 'check-in',
    path: '/',
    ready: 'main button:not([disabled])',
    html: `<h1>Welcome</h1><p>Riverside Family Practice</p>
      <div><button>Check in</button> <button>I do not have an appointment</button></div>`,
  },
  {
    name: 'board',
    path: '/board',
    ready: 'main h1',
    html: '<h1>Queue</h1><section><h2>Now calling</h2></section><section><h2>Walk-in</h2></section>',
  },
  {
    name: 'reception',
    path: '/reception',
    ready: 'main button:not([disabled])',
    html: `<h1>Staff sign-in</h1><form><label>Name <input id="n"></label>
      <label>Passphrase <input id="p" type="password"></label><button>Sign in</button></form>`,
  },
  {
    // A patient's phone following a ticket (its link made by a check-in).
    name: 'phone',
    path: (server) => walkInLink(server),
    ready: '.phone .position',
    html: `<section class="phone"><h1>Your place in the queue</h1><p>Riverside Family Practice</p>
      <p>W-001</p><p class="position">1</p><p>About 5 to 15 minutes</p><button>Notify me</button></section>`,
  },
  {
    name: 'survey',
    path: '/survey',
    ready: 'main button:not([disabled])',
    html: `<h1>How was your visit today?</h1>
      <div>${['Very bad', 'Bad', 'Okay', 'Good', 'Very good'].map((r) => `<button>${r}</button>`).join(' ')}</div>`,
  },
];

/** The static pages, on a server of their own. */
async function staticServer() {
  const style = 'body{font:20px system-ui,sans-serif;margin:2rem}button{min-height:48px;font-size:1.2rem;margin:.5rem}';
  const server = http.createServer((req, res) => {
    const surface = SURFACES.find((s) => `/static/${s.name}` === req.url);
    if (!surface) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
      <title>Waitwell</title><style>${style}</style></head><body><main>${surface.html}</main></body></html>`);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

/** A button of a live kept first screen (src/first_screen.js): usable, since the app carries out its tap. */
const KEPT_CONTROL = '#shell:not([inert]) button:not([disabled])';

/** Records, in the page, when the first element matching `selector` is on screen and usable (`__ready`), and when the app's own is (`__own`). */
function watchFirst({ selector, kept }) {
  window.__ready = 0;
  window.__own = 0;
  const seen = (sel) => {
    const el = document.querySelector(sel);
    return el && el.getBoundingClientRect().width > 0;
  };
  const check = () => {
    if (window.__own) return;
    if (!window.__ready && (seen(selector) || (kept && seen(kept)))) window.__ready = performance.now();
    if (seen(selector)) window.__own = performance.now();
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
  document.addEventListener('DOMContentLoaded', check);
}

/**
 * Asks the page, through the DevTools protocol, every 25 ms until
 * `expression` has a value; that value. Every wait inside a measured
 * interval goes through here: Playwright's own waiting runs in the page it
 * measures, on its (throttled) main thread: waitForFunction polls there on
 * every frame, a locator's wait queries the DOM there, and the first of
 * either evaluates Playwright's injected script (about 330 KB).
 */
async function askUntil(cdp, expression, what, timeout = 30_000) {
  const until = Date.now() + timeout;
  while (Date.now() < until) {
    // (Between documents there may be no context to ask yet.)
    const reply = await cdp.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }).catch(() => null);
    if (reply?.result?.value) return reply.result.value;
    await new Promise((ok) => setTimeout(ok, 25));
  }
  throw new Error(`${what}: not within ${timeout / 1000} s`);
}

/** One page for one surface, throttled, that loads `url` with a cold HTTP cache each time. */
async function loader(browser, selector, kept, serviceWorkers = 'block') {
  const opened = await openPage(browser, { serviceWorkers });
  await opened.context.addInitScript(watchFirst, { selector, kept });
  const cdp = await opened.context.newCDPSession(opened.page);
  await cdp.send('Network.enable');
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
  if (LATENCY) {
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: LATENCY, downloadThroughput: -1, uploadThroughput: -1 });
  }
  return {
    ...opened,
    cdp,
    async load(url) {
      // The previous page is gone before the clock starts (its teardown is
      // no part of this load).
      await opened.page.goto('about:blank');
      await opened.page.waitForTimeout(250);
      await cdp.send('Network.clearBrowserCache');
      await opened.page.goto(url, { waitUntil: 'commit' });
      return askUntil(cdp, `(() => {
        const fcp = performance.getEntriesByName('first-contentful-paint')[0];
        // A control is seen (and used) no sooner than the first paint.
        const at = (t) => Math.max(t, fcp.startTime);
        if (!(window.__own > 0 && fcp)) return null;
        // Where the app's time went (scripts/finish-pages.mjs's marks; none
        // on a static page): the boot after the first frame, the wasm's
        // download, the app started.
        const mark = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
        const wasm = performance.getEntriesByType('resource').find((e) => e.name.endsWith('_bg.wasm'));
        return {
          fcp: fcp.startTime,
          ready: at(window.__ready),
          own: at(window.__own),
          boot: mark('waitwell-boot'),
          wasm: wasm ? wasm.responseEnd : null,
          started: mark('waitwell-started'),
        };
      })()`, `${url}: a first paint and a usable control`, 60_000);
    },
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** The `q` quantile of `xs`, between the two nearest values. */
const quantile = (xs, q) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (at - low);
};
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];
const ms = (x) => `${x.toFixed(0)} ms`.padStart(8);

async function firstLoads(browser, server) {
  const statics = await staticServer();
  try {
    const rows = [];
    for (const surface of SURFACES.filter((s) => !ONLY || ONLY.includes(s.name))) {
      const app = await loader(browser, surface.ready, KEPT_CONTROL, SW ? 'allow' : 'block');
      const plain = await loader(browser, surface.ready);
      const path = typeof surface.path === 'function' ? await surface.path(server) : surface.path;
      // Enrolled first (a kiosk or a board pairs once), outside the figures.
      await app.load(`${server.url}${path}`);
      await waitForPage(app.page);
      // With SW=1 the app's service worker is installed by then and keeps
      // the shell (the phone page has none), as on a clinic's tablet.
      if (SW && surface.name !== 'phone') {
        await askUntil(app.cdp, `navigator.serviceWorker.controller && caches.open('waitwell-shell')
          .then((c) => c.keys()).then((kept) => kept.some((r) => r.url.endsWith('_bg.wasm')))`, `${surface.name}: the service worker`);
      }
      const got = { app: { fcp: [], ready: [], own: [], boot: [], wasm: [], started: [] }, plain: { fcp: [], ready: [], own: [] } };
      for (let run = 0; run < RUNS; run += 1) {
        for (const [which, page, url] of [['app', app, `${server.url}${path}`], ['plain', plain, `${statics.url}/static/${surface.name}`]]) {
          const t = await page.load(url);
          for (const [k, times] of Object.entries(got[which])) times.push(t[k]);
        }
      }
      await app.context.close();
      await plain.context.close();
      rows.push({ surface, got });
      if (process.env.DEBUG) console.log(surface.name, JSON.stringify(got, (k, v) => (typeof v === "number" ? Math.round(v) : v)));
    }
    console.log(`First load, ${THROTTLE}x CPU throttle${LATENCY ? `, ${LATENCY} ms added to every round trip` : ''}${SW ? ', the service worker installed' : ''}, HTTP cache cleared, medians of ${RUNS} interleaved loads (app | static page | ratio):`);
    console.log(`  ${'surface'.padEnd(10)} ${'first contentful paint'.padEnd(34)} ${'first usable control'.padEnd(34)} the app's own control`);
    for (const { surface, got } of rows) {
      const cell = (k, against = k) => {
        const [a, p] = [median(got.app[k]), median(got.plain[against])];
        return `${ms(a)} |${ms(p)} | ${(a / p).toFixed(1).padStart(4)}x`;
      };
      console.log(`  ${surface.name.padEnd(10)} ${cell('fcp').padEnd(34)} ${cell('ready').padEnd(34)} ${cell('own', 'ready')}`);
    }
    // The ratio of medians above hides how far apart the loads were. Each
    // app load and the static page's load after it ran on the machine as it
    // was then: their ratios, run by run, show the spread.
    console.log(`Ratio of each app load to the static page's loaded next to it: median [25th-75th percentile] of ${RUNS}:`);
    console.log(`  ${'surface'.padEnd(10)} ${'first contentful paint'.padEnd(24)} ${'first usable control'.padEnd(24)} the app's own control`);
    for (const { surface, got } of rows) {
      const cell = (k, against = k) => {
        const ratios = got.app[k].map((a, i) => a / got.plain[against][i]);
        const [q1, q2, q3] = [0.25, 0.5, 0.75].map((q) => quantile(ratios, q).toFixed(2));
        return `${q2}x [${q1}-${q3}]`;
      };
      console.log(`  ${surface.name.padEnd(10)} ${cell('fcp').padEnd(24)} ${cell('ready').padEnd(24)} ${cell('own', 'ready')}`);
    }
    // From the first paint to the app's own control, step by step (each a
    // median of its own, from the navigation's start): where a faster
    // start has to come from. The first paint is when its frame was shown,
    // which can be after the boot's task began (the boot waits for the
    // frame's callbacks and a task, not for the screen).
    console.log(`Where the app's first load goes: medians of ${RUNS}, from the navigation's start:`);
    console.log(`  ${'surface'.padEnd(10)} ${'first paint'.padStart(12)} ${'boot begins'.padStart(12)} ${'wasm in'.padStart(12)} ${'app started'.padStart(12)} ${'own control'.padStart(12)}`);
    for (const { surface, got } of rows) {
      const step = (k) => {
        const times = got.app[k].filter((t) => t !== null);
        return (times.length === RUNS ? ms(median(times)) : 'n/a').padStart(12);
      };
      console.log(`  ${surface.name.padEnd(10)} ${['fcp', 'boot', 'wasm', 'started', 'own'].map(step).join(' ')}`);
    }
  } finally {
    statics.close();
  }
}

/** A board page that notes, in the page, each change of its "now calling" area and the queue answers it received. */
async function openBoard(browser, server, throttle) {
  const opened = await openPage(browser, { viewport: { width: 1920, height: 1080 } });
  await opened.context.addInitScript(() => {
    window.__calls = [];
    let last = null;
    new MutationObserver(() => {
      const now = document.querySelector('.calling')?.textContent ?? null;
      if (now !== last) {
        last = now;
        window.__calls.push({ at: performance.timeOrigin + performance.now(), text: now });
      }
    }).observe(document, { childList: true, subtree: true, characterData: true });
  });
  const cdp = await opened.context.newCDPSession(opened.page);
  if (throttle) await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
  await opened.page.goto(`${server.url}/board`);
  await waitForPage(opened.page);
  await opened.page.waitForSelector('[data-connection="live"]');
  return { ...opened, cdp };
}

/** Waits until the board shows `code` called; when it did (epoch ms). */
async function shownCalled(board, code) {
  const called = JSON.stringify(code);
  return askUntil(board.cdp, `window.__calls.find((c) => c.text?.includes(${called}))?.at`, `the board showing ${code} called`);
}

/** Serves every ticket called (through the API), and waits for the board to show none. */
async function serveCalled(server, cookie, board) {
  const staff = await api(server, 'GET', '/queue/staff', undefined, { cookie });
  for (const ticket of staff.json.tickets.filter((t) => t.status === 'called')) {
    const served = await api(server, 'POST', '/queue/actions', { action: 'serve', ticket: ticket.id }, { cookie });
    if (served.status !== 200) throw new Error(`serve failed: ${served.status} ${served.text}`);
  }
  await askUntil(board.cdp, "!document.querySelector('.calling .called')", 'the board showing no call');
}

async function boardSnapshot(browser, server) {
  for (let i = 0; i < BOARD_TICKETS; i += 1) {
    const reply = await api(server, 'POST', '/check-ins',
      { kind: 'walk_in', first_name: 'Ana', last_initial: 'G', reason: 'other' },
      { 'idempotency-key': crypto.randomUUID() });
    if (reply.status !== 201) throw new Error(`check-in ${i} failed: ${reply.status} ${reply.text}`);
  }
  const board = await openBoard(browser, server, true);
  const { context, page } = board;
  const cookie = await staffCookie(server);
  const took = [];
  // Three calls a run: a p95 of 7 would be the slowest call alone.
  for (let run = 0; run < RUNS * 3; run += 1) {
    await serveCalled(server, cookie, board);
    const called = await api(server, 'POST', '/queue/actions', { action: 'call_next', line: 'W', room: 'Room 3' }, { cookie });
    if (called.status !== 200) throw new Error(`call failed: ${called.status} ${called.text}`);
    const shown = await shownCalled(board, called.json.ticket);
    // The last answer to a queue read before the call was on screen.
    const received = await page.evaluate((shown) => {
      const answers = performance.getEntriesByType('resource')
        .filter((e) => new URL(e.name).pathname === '/api/v1/queue')
        .map((e) => performance.timeOrigin + e.responseEnd)
        .filter((at) => at <= shown);
      return answers.length ? Math.max(...answers) : 0;
    }, shown);
    if (received) took.push(shown - received);
  }
  console.log(`Board with ${BOARD_TICKETS} tickets waiting, ${THROTTLE}x CPU throttle: the queue's answer received -> the call on screen, ${took.length} calls:`);
  console.log(`  median ${ms(median(took))}, p95 ${ms(p95(took))}, slowest ${ms(Math.max(...took))}`);
  await context.close();
}

async function tapToTicket(browser, server) {
  const { context, page } = await openPage(browser);
  await context.addInitScript(() => {
    window.__tapped = 0;
    window.__shown = 0;
    document.addEventListener('click', (e) => {
      const heading = document.querySelector('main h1')?.textContent ?? '';
      if (e.target.closest('main button') && heading.includes('Have your address or phone number changed?')) {
        window.__tapped = performance.now();
        window.__shown = 0;
      }
    }, true);
    new MutationObserver(() => {
      if (window.__tapped && !window.__shown && document.querySelector('.ticket-code')) window.__shown = performance.now();
    }).observe(document, { childList: true, subtree: true });
  });
  const cdp = await context.newCDPSession(page);
  await page.goto(`${server.url}/`);
  await waitForStep(page, 'Welcome');
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
  const took = [];
  for (let run = 0; run < RUNS * 2; run += 1) {
    await walkInDetails(page, 'Ana', 'G');
    await answerQuestions(page);
    await askUntil(cdp, 'window.__shown > 0', 'the ticket on screen');
    took.push(await page.evaluate(() => window.__shown - window.__tapped));
    await tap(page, 'Done');
    await waitForStep(page, 'Welcome');
  }
  console.log(`Kiosk, ${THROTTLE}x CPU throttle: the tap on the last step -> the ticket on screen (outbox write and server answer included), ${took.length} walk-ins:`);
  console.log(`  median ${ms(median(took))}, p95 ${ms(p95(took))}, slowest ${ms(Math.max(...took))}`);
  await context.close();
}

async function receptionToBoard(browser, server) {
  for (let i = 0; i < RUNS * 2; i += 1) {
    await api(server, 'POST', '/check-ins',
      { kind: 'walk_in', first_name: 'Bo', last_initial: 'K', reason: 'other' },
      { 'idempotency-key': crypto.randomUUID() });
  }
  const board = await openBoard(browser, server, true);
  const desk = await openPage(browser, { viewport: { width: 1440, height: 900 } });
  await signInStaff(desk.page, server);
  await desk.page.locator('.desk-line').first().waitFor();
  const cookie = await staffCookie(server);
  const took = [];
  for (let run = 0; run < RUNS * 2; run += 1) {
    await serveCalled(server, cookie, board);
    // (Reception has shown the serve too before its button is pressed.)
    await desk.page.locator('tr.ticket-row[data-status="called"]').first().waitFor({ state: 'detached', timeout: 30_000 });
    await desk.page.waitForTimeout(300);
    const seen = await board.page.evaluate(() => window.__calls.length);
    // (The walk-ins wait on line W.)
    const callNext = desk.page.locator('.desk-line', { hasText: 'Walk-in' }).getByRole('button', { name: /^Call next to / }).first();
    const clicked = await callNext.evaluate((button) => {
      const at = performance.timeOrigin + performance.now();
      button.click();
      return at;
    });
    // The board's next change of "now calling" is this call.
    await askUntil(board.cdp, `window.__calls.length > ${seen}`, 'the board showing the call');
    const shown = await board.page.evaluate((seen) => window.__calls[seen].at, seen);
    took.push(shown - clicked);
  }
  console.log(`Reception's "Call next" -> the board showing the call (board at ${THROTTLE}x CPU throttle, reception not), ${took.length} calls:`);
  console.log(`  median ${ms(median(took))}, p95 ${ms(p95(took))}, slowest ${ms(Math.max(...took))}`);
  await board.context.close();
  await desk.context.close();
}

const server = await startServer({
  demo: true,
  ...(process.env.DIST ? { dist: process.env.DIST } : {}),
  settings: { limits: { writes_per_minute: 100000000, walk_ins_per_hour: 100000000 } },
});
const browser = await launchBrowser();
try {
  if (PARTS.includes('loads')) await firstLoads(browser, server);
  if (PARTS.includes('ticket')) await tapToTicket(browser, server);
  if (PARTS.includes('call')) await receptionToBoard(browser, server);
  if (PARTS.includes('board')) await boardSnapshot(browser, server);
} finally {
  await browser.close();
  await server.stop();
}
