// Shared set-up for the end-to-end tests: the real release server on a free
// port with a fresh SQLite file, serving the real trunk build, and Debian's
// Chromium driven by playwright-core.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import assert from 'node:assert/strict';

const ROOT = resolve(import.meta.dirname, '../../..');
export const SERVER_BIN = join(ROOT, 'target/release/waitwell-server');
export const DIST = join(ROOT, 'dist');
export const SCREENSHOTS = join(ROOT, 'tests/e2e/artifacts/screenshots');

export const ROUTES = [
  { path: '/', surface: 'check-in', heading: 'Welcome' },
  { path: '/board', surface: 'board', heading: 'Queue' },
  { path: '/reception', surface: 'reception', heading: 'Staff sign-in' },
  { path: '/survey', surface: 'survey', heading: 'How was your visit today?' },
  { path: '/insights', surface: 'insights', heading: 'Staff sign-in' },
  { path: '/setup', surface: null, heading: 'Device setup' },
];

/** How much of each server's log a failing test file prints. */
const SERVER_LOG_KEPT = 32 * 1024;
/** Every server this test file started, with the tail of its log. */
const serverLogs = [];
// A test file that failed prints what its servers logged (a 500 or a panic
// in CI is otherwise seen only as its symptom in the browser).
process.on('exit', (code) => {
  if (!code && !process.exitCode) return;
  for (const { url, log } of serverLogs) {
    if (log) process.stderr.write(`--- waitwell-server ${url ?? '(not started)'}: the end of its log ---\n${log}\n`);
  }
});

/**
 * Starts waitwell-server on 127.0.0.1 with its own database: a free port and
 * a new folder unless given (a restart passes the previous ones back).
 *
 * Tablets pair and are approved at once (`--approve-tablets`: each browser
 * context still pairs and holds its own credential) unless
 * `approveTablets: false`, where staff approve each code as at a clinic.
 */
export async function startServer(options = {}) {
  // A new server's demo day is today's (a restart's is the one it had).
  if (options.dir === undefined) await clearOfMidnight();
  const { port = 0, dir = mkdtempSync(join(tmpdir(), 'waitwell-e2e-')), demo = false, site = null, settings = null, tls = false, dist = DIST, approveTablets = true, fhir = null } = options;
  const args = ['--listen', `127.0.0.1:${port}`, '--db', join(dir, 'waitwell.db'), '--dist', dist];
  if (demo) args.push('--demo');
  // The schedule from a FHIR server (`startEhr`'s base address).
  if (fhir) args.push('--schedule', 'fhir-r4', '--fhir-base', fhir);
  args.push(`--approve-tablets=${approveTablets}`);
  // TLS with a certificate the server makes for itself (in `dir`/tls).
  if (tls) args.push('--tls-self-signed');
  // A staff account: the demo's with --demo, else one added with the
  // server's own `staff add` (once per folder: a restart reuses it).
  const staff = demo ? { name: 'demo', passphrase: 'waitwell-demo' } : addStaff(dir, 'Rosa', true);
  if (site || settings) {
    // Site settings: server/site.example.json with `site` merged into its
    // "site" and `settings` (e.g. `limits`) into the file's top level.
    const example = JSON.parse(readFileSync(join(ROOT, 'server/site.example.json'), 'utf8'));
    example.site = { ...example.site, ...site };
    Object.assign(example, settings);
    const path = join(dir, 'site.json');
    writeFileSync(path, JSON.stringify(example));
    args.push('--site', path);
  }
  const child = spawn(SERVER_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const logged = { url: null, log: '' };
  serverLogs.push(logged);
  // The server's own log (tracing writes to stdout, errors to stderr), kept
  // for a failing test file: its tail only.
  const keep = (d) => (logged.log = (logged.log + d).slice(-SERVER_LOG_KEPT));
  child.stdout.on('data', keep);
  child.stderr.on('data', (d) => {
    stderr += d;
    keep(d);
  });
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start in 20 s: ${stderr}`)), 20_000);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/Waitwell is running: (https?:\/\/[\d.:]+)\//);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
  logged.url = url;
  // Still running: neither exited nor killed by a signal.
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    url,
    dir,
    staff,
    port: Number(new URL(url).port),
    /**
     * Starts the server again as it was started (same options, port and
     * data), after `kill`: the new server.
     */
    restart() {
      return startServer({ ...options, port: Number(new URL(url).port), dir });
    },
    /** Kills the process (SIGKILL: no goodbye to clients), keeping the data. */
    async kill() {
      if (running()) {
        const exited = new Promise((ok) => child.once('exit', ok));
        child.kill('SIGKILL');
        await exited;
      }
    },
    async stop() {
      if (running()) {
        const exited = new Promise((ok) => child.once('exit', ok));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A FHIR R4 server on a free port (tests/fhir/server.mjs: Medplum's engine
 * in memory): `{ base, fhir(method, path, body), fault(f), stop() }`.
 */
export async function startEhr() {
  const child = spawn('node', [join(ROOT, 'tests/fhir/server.mjs'), '--port', '0'], {
    cwd: join(ROOT, 'tests/fhir'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('the FHIR server did not start in 20 s')), 20_000);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/fhir harness listening on (http:\/\/[\d.:]+)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    child.on('exit', (code) => fail(new Error(`the FHIR server exited with ${code}`)));
  });
  const fhir = async (method, path, body) => {
    const response = await fetch(`${base}/${path}`, {
      method,
      // The test's own reads pass the harness's faults by.
      headers: { 'content-type': 'application/fhir+json', 'x-harness-observer': '1' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: await response.json().catch(() => null) };
  };
  return {
    base,
    fhir,
    /** The resources a search finds (not those it includes). */
    async search(query) {
      const { json } = await fhir('GET', query);
      return (json?.entry ?? []).filter((e) => e.search?.mode !== 'include').map((e) => e.resource);
    },
    async fault(f) {
      await fetch(`${base}/$harness/fault`, { method: 'POST', body: JSON.stringify(f) });
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((ok) => child.once('exit', ok));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/**
 * Adds a staff account to the database in `dir` with
 * `waitwell-server staff add` (a manager unless `manager` is false), as a
 * clinic does; `{ name, passphrase }`. Kept in `dir`, so asking again for
 * the same name answers the same account.
 */
export function addStaff(dir, name, manager = false) {
  const kept = join(dir, `staff-${name}.json`);
  if (existsSync(kept)) return JSON.parse(readFileSync(kept, 'utf8'));
  const args = ['--db', join(dir, 'waitwell.db'), 'staff', 'add', name];
  if (manager) args.push('--manager');
  const said = execFileSync(SERVER_BIN, args, { encoding: 'utf8' });
  const m = said.match(/^Passphrase \(shown once; give it to them in person\): (\S+)$/m);
  if (!m) throw new Error(`no passphrase in: ${said}`);
  const account = { name, passphrase: m[1] };
  writeFileSync(kept, JSON.stringify(account));
  return account;
}

/** Headless Chromium with the flags that keep it quiet on a closed network. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // A synthetic camera, allowed without a prompt (QR scanning tests).
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
    ],
  });
}

/**
 * A fresh context and page that records console errors and uncaught
 * exceptions. The app's service worker is blocked unless asked for: a page
 * it controls fetches through it, out of reach of `page.route`.
 */
export async function openPage(browser, { locale = 'en-US', viewport = { width: 1024, height: 768 }, serviceWorkers = 'block', ignoreHTTPSErrors = false } = {}) {
  const context = await browser.newContext({ locale, viewport, serviceWorkers, ignoreHTTPSErrors });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`page: ${err.message}`));
  return { context, page, errors };
}

/** Waits until the app has rendered a page heading and focused it. */
export async function waitForPage(page) {
  await page.waitForSelector('main h1');
  await page.waitForFunction(() => document.activeElement?.matches('main h1'));
}

/**
 * Waits for the step whose focused heading matches `text`, and for its
 * entry animation (a step ignores taps for its first 350 ms) to end.
 */
export async function waitForStep(page, text) {
  await page.locator('main h1', { hasText: text }).waitFor();
  await waitForPage(page);
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
}

/**
 * Opens a staff surface (`/reception`, `/insights`) of `server` and signs
 * in with `account` (the server's own account unless given).
 */
export async function signInStaff(page, server, path = '/reception', account = server.staff) {
  await page.goto(`${server.url}${path}`);
  await page.locator('#staff-name').fill(account.name);
  await page.locator('#staff-passphrase').fill(account.passphrase);
  await page.locator('form.sign-in button[type="submit"]').click();
  await page.locator('form.sign-in').waitFor({ state: 'detached' });
}

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
// Off by default in axe (marked experimental), on here: a control's
// accessible name must contain its visible label (WCAG 2.5.3), so a voice
// user saying what they see reaches it.
const AXE_RULES = { 'label-content-name-mismatch': { enabled: true } };

/** axe-core's serious and critical violations on the current page. */
export async function seriousViolations(page) {
  const result = await new AxeBuilder({ page })
    .options({ runOnly: { type: 'tag', values: AXE_TAGS }, rules: AXE_RULES })
    .analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Every visible control smaller than 44x44 CSS px. */
export async function smallTargets(page) {
  return page.evaluate(() => {
    const controls = document.querySelectorAll('button, a[href], [role="button"], label:has(input), select');
    const small = [];
    for (const el of controls) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue; // not rendered
      if (el.classList.contains('skip-link')) continue; // off-screen until focused
      if (box.width < 44 || box.height < 44) {
        small.push(`${el.tagName.toLowerCase()} "${el.textContent.trim()}" ${box.width.toFixed(0)}x${box.height.toFixed(0)}`);
      }
    }
    return small;
  });
}

/** The inline styles of each built page (dist/*.html), read once. */
let builtStyles = null;
function stylesOfPages() {
  builtStyles ??= readdirSync(DIST)
    .filter((name) => name.endsWith('.html'))
    .map((name) => [name, [...readFileSync(join(DIST, name), 'utf8').matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1])]);
  return builtStyles;
}

/**
 * The rules of other pages' styles that match something on this page. Each
 * page carries only its own surfaces' styles (style/: tokens and base, then
 * kiosk, ticket, board, staff, insights), so such a rule is one this page
 * lacks: what it matches is drawn as it was not meant to be. (Selectors of
 * a state, such as :focus, or of a ::before, are not asked.)
 */
export async function foreignRules(page) {
  return page.evaluate((pages) => {
    const selectors = (sheet) => {
      const found = [];
      const walk = (rules) => {
        for (const rule of rules) {
          if (rule.selectorText) found.push(rule.selectorText);
          else if (rule.cssRules) walk(rule.cssRules);
        }
      };
      walk(sheet.cssRules);
      return found;
    };
    const own = new Set([...document.styleSheets].flatMap(selectors));
    const foreign = new Set();
    for (const [name, styles] of pages) {
      for (const text of styles) {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(text);
        for (const selector of selectors(sheet)) {
          if (own.has(selector)) continue;
          // Each selector of a list (not the commas inside :is() or :has()).
          for (const part of selector.split(/,(?![^(]*\))/)) {
            if (/::?(before|after)|:(active|focus|hover)/.test(part)) continue;
            if (document.querySelector(part)) foreign.add(`${part.trim()} (${name}: "${selector}")`);
          }
        }
      }
    }
    return [...foreign];
  }, stylesOfPages());
}

/** Saves a full-page screenshot under tests/e2e/artifacts/screenshots/. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * A test file's server (`false`: none) and browser, for its `before`:
 * `before(async () => ({ server, browser } = await startSuite({ demo: true })));`
 */
export async function startSuite(serverOptions = {}) {
  const server = serverOptions === false ? undefined : await startServer(serverOptions);
  const browser = await launchBrowser();
  return { server, browser };
}

/** Closes what `startSuite` started (and whatever server replaced its own). */
export async function stopSuite({ server, browser }) {
  await browser?.close();
  await server?.stop();
}

/**
 * Every screen a test shows: no serious axe violation, no control under
 * 44x44, no rule it lacks from another page's styles, and a screenshot
 * named `name` (`label` names it in failures).
 */
export async function checkScreen(page, name, label = name) {
  assert.deepEqual(await seriousViolations(page), [], `axe on ${label}`);
  assert.deepEqual(await smallTargets(page), [], `targets on ${label}`);
  assert.deepEqual(await foreignRules(page), [], `styles on ${label}`);
  await screenshot(page, name);
}

/**
 * Calls the API directly, as another device would: the suite's own enrolled
 * check-in kiosk (paired and approved through the API on first use) unless
 * `headers` carries a cookie of its own (`cookie: ''` for none at all).
 */
export async function api(server, method, path, body, headers = {}) {
  if (!('cookie' in headers)) headers = { ...headers, cookie: await kioskCookie(server) };
  return request(server, method, path, body, headers);
}

async function request(server, method, path, body, headers = {}) {
  const response = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: response.status, headers: response.headers, json, text };
}

/** A walk-in check-in through the API; its answer (ticket code, phone link). */
async function checkInWalkIn(server, firstName) {
  const reply = await api(server, 'POST', '/check-ins',
    { kind: 'walk_in', first_name: firstName, last_initial: 'G', reason: 'other' },
    { 'idempotency-key': crypto.randomUUID() });
  if (reply.status !== 201) throw new Error(`check-in failed: ${reply.status} ${reply.text}`);
  return reply.json;
}

/** A walk-in check-in through the API; returns the ticket code. */
export async function walkIn(server, firstName = 'Ana') {
  return (await checkInWalkIn(server, firstName)).ticket;
}

/** A walk-in check-in through the API; returns its phone link's path (`/t/{token}`). */
export async function walkInLink(server, firstName = 'Ana') {
  return new URL((await checkInWalkIn(server, firstName)).follow.url).pathname;
}

/** Signs in as staff; returns the Cookie header value. */
export async function staffCookie(server) {
  const reply = await request(server, 'POST', '/staff/session', server.staff);
  if (reply.status !== 200) throw new Error(`sign-in failed: ${reply.status}`);
  return reply.headers.get('set-cookie').split(';')[0];
}

/**
 * Pairs a tablet for `role` through the API and, unless the server approves
 * tablets at once, approves its code as staff; the tablet's Cookie.
 */
export async function enrollTablet(server, role = 'check-in') {
  const paired = await request(server, 'POST', '/devices/pair', { role }, { cookie: '' });
  if (paired.status !== 200) throw new Error(`pairing failed: ${paired.status} ${paired.text}`);
  const cookie = paired.headers.get('set-cookie').split(';')[0];
  if (paired.json.status === 'pending') {
    const approved = await request(server, 'POST', '/devices/approve',
      { pairing_code: paired.json.pairing_code, name: `API ${role}`, role },
      { cookie: await staffCookie(server) });
    if (approved.status !== 204) throw new Error(`approval failed: ${approved.status} ${approved.text}`);
  }
  return cookie;
}

/** The suite's API kiosk (enrolled once per server process's database). */
async function kioskCookie(server) {
  server.kiosk ??= await enrollTablet(server, 'check-in');
  return server.kiosk;
}

/**
 * Everything the app keeps in IndexedDB, as { store: [[key, value], …] }
 * (empty when it has no database yet; never creates one).
 */
export async function dumpIndexedDb(page) {
  return page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name);
    if (!names.includes('waitwell')) return {};
    const db = await new Promise((ok, fail) => {
      const open = indexedDB.open('waitwell');
      open.onsuccess = () => ok(open.result);
      open.onerror = () => fail(open.error);
    });
    const dump = {};
    for (const name of db.objectStoreNames) {
      dump[name] = await new Promise((ok, fail) => {
        const store = db.transaction(name).objectStore(name);
        const keys = store.getAllKeys();
        const values = store.getAll();
        values.onsuccess = () => ok(keys.result.map((k, i) => [k, values.result[i]]));
        values.onerror = () => fail(values.error);
      });
    }
    db.close();
    return dump;
  });
}

/** Waits until the app's outbox in IndexedDB is empty (everything delivered). */
export async function waitForEmptyOutbox(page, timeout = 60_000) {
  const started = Date.now();
  for (;;) {
    const dump = await dumpIndexedDb(page);
    if ((dump.outbox ?? []).length === 0) return;
    if (Date.now() - started > timeout) throw new Error(`outbox still holds ${dump.outbox.length} entries`);
    await new Promise((ok) => setTimeout(ok, 250));
  }
}

/**
 * Returns once local midnight (the server's day ends then: it runs on this
 * machine, in its time zone) is at least `needMs` away, waiting until just
 * past it if need be. A test's appointments, tickets and counts are
 * today's; one that ran through midnight would find its patients' check-ins
 * refused as yesterday's (an outbox drained after midnight parks them:
 * "no appointment today"). Every new server and every import asks, so a
 * run that starts late in the evening waits once, at most `needMs`.
 */
export async function clearOfMidnight(needMs = 6 * 60_000) {
  const now = new Date();
  const past = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 0, 0, 2);
  const left = past.getTime() - now.getTime();
  if (left > needMs) return;
  console.log(`# waiting ${Math.ceil(left / 1000)} s for midnight to pass: the tests' day must not end under them`);
  await new Promise((ok) => setTimeout(ok, left));
}

/**
 * Adds appointments for today through the staff import, starting
 * `minutesFromNow` from now in the server's (the machine's) time zone.
 * `people`: [{ given, family, birth, code, line? }] (line A unless given).
 */
export async function importAppointments(server, people, minutesFromNow = 10) {
  await clearOfMidnight();
  const now = new Date();
  let start = new Date(now.getTime() + minutesFromNow * 60_000);
  // Kept within today (23:59 is in the arrival window from 23:29).
  if (start.getDate() !== now.getDate()) start = new Date(now.getFullYear(), now.getMonth(), now.getDate(), 23, 59);
  const startsAt = `${String(start.getHours()).padStart(2, '0')}:${String(start.getMinutes()).padStart(2, '0')}`;
  const cookie = await staffCookie(server);
  const appointments = people.map((p) => ({
    starts_at: startsAt,
    family_name: p.family,
    given_name: p.given,
    birth_date: p.birth,
    clinician: 'Dr. Lee',
    line: p.line ?? 'A',
    code: p.code,
  }));
  const reply = await api(server, 'POST', '/appointments/import', { appointments }, { cookie, 'idempotency-key': crypto.randomUUID() });
  if (reply.status !== 200 && reply.status !== 201) throw new Error(`import failed: ${reply.status} ${reply.text}`);
  return reply.json;
}

/**
 * Waits until `fn(arg)`, run in the page, comes to a truthy value, and
 * returns it. For an async `fn`: `page.waitForFunction` takes the promise
 * an async function returns for a truthy value and resolves at once.
 * An evaluation that fails (a navigation in between) is tried again; the
 * last failure is in the timeout's message.
 */
export async function waitInPage(page, fn, arg = null, { timeout = 30_000, interval = 200 } = {}) {
  const until = Date.now() + timeout;
  let failure = null;
  for (;;) {
    try {
      const value = await page.evaluate(fn, arg);
      if (value) return value;
      failure = null;
    } catch (error) {
      failure = error;
    }
    if (Date.now() > until) {
      throw new Error(`timed out after ${timeout} ms waiting in the page for ${String(fn).slice(0, 120)}${failure ? ` (last: ${failure.message})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** Waits until a service worker controls the page and has kept the app shell. */
export async function waitForServiceWorker(page) {
  await waitInPage(page, async () => {
    if (!navigator.serviceWorker.controller) return false;
    const cache = await caches.open('waitwell-shell');
    const kept = (await cache.keys()).map((r) => new URL(r.url).pathname);
    return kept.includes('/') && kept.some((p) => p.endsWith('_bg.wasm'));
  });
}
