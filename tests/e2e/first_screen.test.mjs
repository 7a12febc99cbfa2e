// The first screen before the wasm runs (src/first_screen.rs): a kiosk
// paints the welcome it last showed from index.html, in its language, then
// the app takes over in the same place and carries out a tap the copy took;
// the copy never holds a patient's details and never hides the app for
// long. A board paints its title the same way, and never a ticket.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, openPage, waitForPage, waitForStep, startSuite, stopSuite, seriousViolations } from './support/harness.mjs';
import { tap, answerQuestions, walkInDetails } from './support/kiosk.mjs';

let server;
let browser;

before(async () => ({ server, browser } = await startSuite({ demo: true })));
after(() => stopSuite({ server, browser }));

const KEPT = 'waitwell.shell';

const kept = (page) => page.evaluate((key) => localStorage.getItem(key), KEPT);

/** Where the heading and buttons of a screen are, under `root`. */
const layoutOf = (page, root) =>
  page.evaluate((root) => {
    const box = (el) => {
      const r = el.getBoundingClientRect();
      return [r.x, r.y, r.width, r.height].map(Math.round);
    };
    const scope = document.querySelector(root);
    return {
      heading: box(scope.querySelector('h1')),
      buttons: [...scope.querySelectorAll('.big-actions button')].map((b) => [b.textContent.trim(), ...box(b)]),
    };
  }, root);

const REFUSED = 'page: Failed to fetch';

/**
 * The page loaded again with the wasm held back, so only index.html runs;
 * back once the boot has reported its refused wasm (one more `REFUSED` in
 * `errors`), so that an error counted after this is a later load's.
 */
async function loadWithoutWasm(page, errors) {
  const before = errors.filter((e) => e === REFUSED).length;
  await page.route('**/*.wasm', (route) => route.abort('connectionrefused'));
  await page.reload();
  await page.locator('#shell h1').waitFor();
  const deadline = Date.now() + 10_000;
  while (errors.filter((e) => e === REFUSED).length === before) {
    assert.ok(Date.now() < deadline, `the boot reported no refused wasm: ${JSON.stringify(errors)}`);
    await new Promise((go) => setTimeout(go, 50));
  }
}

/** The page loaded again with its wasm held until the returned function is called. */
async function loadWithWasmHeld(page) {
  let release;
  const released = new Promise((ok) => (release = ok));
  await page.unroute('**/*.wasm');
  await page.route('**/*.wasm', async (route) => {
    await released;
    await route.continue();
  });
  await page.reload({ waitUntil: 'commit' });
  await page.locator('#shell h1').waitFor();
  return release;
}

/** Taps, as a finger would, the button of the kept copy that says `name`. */
async function tapCopy(page, name) {
  await page.locator('#shell').getByRole('button', { name, exact: true }).click();
}

test('a kiosk paints its last welcome before the wasm runs, in its language, and the app takes over in the same place', async () => {
  const { context, page, errors } = await openPage(browser, { locale: 'es-ES' });
  await page.goto(`${server.url}/`);
  await waitForStep(page, 'Bienvenido');
  await page.waitForFunction((key) => localStorage.getItem(key) !== null, KEPT);
  const app = await layoutOf(page, 'main');
  assert.equal(app.buttons.length, 2, JSON.stringify(app));

  await loadWithoutWasm(page, errors);
  const shell = await page.evaluate(() => ({
    lang: document.documentElement.lang,
    heading: document.querySelector('#shell h1').textContent.trim(),
    clinic: document.querySelector('#shell .clinic')?.textContent.trim(),
    // Live: the one screen on display (the app waits behind it, hidden).
    inert: document.querySelector('#shell').inert,
    hidden: document.querySelector('#shell').getAttribute('aria-hidden'),
    // The copy is no second app: no main landmark, no ids of the app's.
    mains: document.querySelectorAll('main').length,
    ids: document.querySelectorAll('#shell [id]').length,
  }));
  assert.deepEqual(shell, { lang: 'es', heading: 'Bienvenido', clinic: 'Waitwell Demo Clinic', inert: false, hidden: null, mains: 0, ids: 0 });
  assert.deepEqual(await layoutOf(page, '#shell'), app, 'the copy is drawn where the app draws its welcome');

  // A tap on the copy before the app is there: shown pressed, and carried
  // out by the app when it takes over (the last tap wins).
  const release = await loadWithWasmHeld(page);
  await tapCopy(page, 'Registrar mi llegada');
  await tapCopy(page, 'No tengo cita');
  const pressed = await page.evaluate(() => [...document.querySelectorAll('#shell button[aria-busy="true"]')].map((b) => b.textContent.trim()));
  assert.deepEqual(pressed, ['No tengo cita']);
  assert.equal(await page.locator('#shell h1').textContent(), 'Bienvenido');
  release();
  await waitForStep(page, '¿Cuál es su nombre?');
  assert.equal(await page.locator('#shell').count(), 0);
  assert.equal(await page.locator('h1').count(), 1);
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1');

  // With the wasm, the app replaces the copy: one heading, focused, the
  // buttons where they were, and they work.
  const blocked = errors.length;
  await page.reload();
  await waitForStep(page, 'Bienvenido');
  assert.equal(await page.locator('#shell').count(), 0);
  assert.equal(await page.locator('h1').count(), 1);
  assert.deepEqual(await layoutOf(page, 'main'), app);
  assert.deepEqual(await seriousViolations(page), []);
  await tap(page, 'No tengo cita');
  await waitForStep(page, '¿Cuál es su nombre?');
  assert.deepEqual(errors.slice(blocked), []);
  await context.close();
});

test('a tap on the kept welcome is dropped when the app does not show the same button', async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto(`${server.url}/`);
  await waitForStep(page, 'Welcome');
  await page.waitForFunction((key) => localStorage.getItem(key) !== null, KEPT);
  // The copy kept from before the clinic renamed a button: same place,
  // other words.
  await page.evaluate((key) => {
    const kept = JSON.parse(localStorage.getItem(key));
    kept.html = kept.html.replace('I do not have an appointment', 'Walk in');
    localStorage.setItem(key, JSON.stringify(kept));
  }, KEPT);
  const release = await loadWithWasmHeld(page);
  await tapCopy(page, 'Walk in');
  release();
  await waitForStep(page, 'Welcome');
  await page.waitForFunction(() => !document.getElementById('shell'));
  // Nothing was pressed: the welcome stays, and works.
  await page.waitForTimeout(300);
  assert.equal((await page.textContent('main h1')).trim(), 'Welcome');
  await tap(page, 'I do not have an appointment');
  await waitForStep(page, 'What is your first name?');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a survey kiosk paints its faces before the wasm runs, and a face tapped then is the answer', async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto(`${server.url}/survey`);
  await waitForStep(page, 'How was your visit today?');
  await page.waitForFunction((key) => JSON.parse(localStorage.getItem(key) ?? 'null')?.path === '/survey', KEPT);
  const release = await loadWithWasmHeld(page);
  assert.equal(await page.locator('#shell .face-button').count(), 4);
  await tapCopy(page, 'Very happy');
  release();
  await waitForStep(page, 'How likely are you to recommend us');
  assert.equal(await page.locator('#shell').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an Arabic kiosk paints its welcome right to left', async () => {
  const { context, page, errors } = await openPage(browser, { locale: 'ar' });
  await page.goto(`${server.url}/`);
  await waitForStep(page, 'أهلًا وسهلًا');
  await page.waitForFunction((key) => localStorage.getItem(key) !== null, KEPT);
  await loadWithoutWasm(page, errors);
  const root = await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir, document.querySelector('#shell h1').textContent.trim()]);
  assert.deepEqual(root, ['ar', 'rtl', 'أهلًا وسهلًا']);
  await context.close();
});

test('the kept welcome holds nothing a patient entered', async () => {
  const { context, page } = await openPage(browser);
  await page.goto(`${server.url}/`);
  await waitForStep(page, 'Welcome');
  await page.waitForFunction((key) => localStorage.getItem(key) !== null, KEPT);
  const first = await kept(page);
  await walkInDetails(page, 'Zebediah', 'Q');
  await answerQuestions(page);
  await page.locator('.ticket-code').waitFor();
  await tap(page, 'Done');
  await waitForStep(page, 'Welcome');
  // Kept again at the welcome it returned to, and nothing else ever.
  await page.waitForTimeout(200);
  const after = await kept(page);
  assert.ok(!after.includes('Zebediah'), after);
  assert.ok(!first.includes('Zebediah'));
  assert.equal(JSON.parse(after).path, '/');
  assert.match(JSON.parse(after).html, /Welcome/);
  await context.close();
});

test('the kept welcome never hides the app for long when the clinic cannot be reached', async () => {
  const { context, page } = await openPage(browser);
  await page.goto(`${server.url}/`);
  await waitForStep(page, 'Welcome');
  await page.waitForFunction((key) => localStorage.getItem(key) !== null, KEPT);
  await page.route('**/api/v1/config', (route) => route.abort('connectionrefused'));
  await page.reload();
  // The app's own screen, with what is wrong, within the copy's limit (3 s).
  await page.locator('main h1').waitFor({ timeout: 6_000 });
  await page.waitForFunction(() => !document.getElementById('shell'), null, { timeout: 6_000 });
  assert.match(await page.locator('main [role="status"]').textContent(), /./);
  await context.close();
});

test('a board with no kept screen paints nothing of a kiosk', async () => {
  const { context, page } = await openPage(browser);
  await page.route('**/*.wasm', (route) => route.abort('connectionrefused'));
  await page.goto(`${server.url}/board`);
  assert.equal(await page.locator('#shell').textContent(), '');
  await page.goto(`${server.url}/reception`);
  assert.equal(await page.locator('#shell .brand').textContent(), 'Waitwell');
  await context.close();
});

test('a board paints its title before the wasm runs, never a ticket, and the app takes over in the same place', async () => {
  const { context, page, errors } = await openPage(browser, { locale: 'es-ES', viewport: { width: 1920, height: 1080 } });
  const walkIn = await api(server, 'POST', '/check-ins',
    { kind: 'walk_in', first_name: 'Ana', last_initial: 'G', reason: 'other' },
    { 'idempotency-key': crypto.randomUUID() });
  assert.equal(walkIn.status, 201, walkIn.text);
  const code = walkIn.json.ticket;
  await page.goto(`${server.url}/board`);
  await waitForPage(page);
  await page.locator('.lines', { hasText: code }).waitFor();
  await page.waitForFunction((key) => localStorage.getItem(key) !== null, KEPT);
  const box = (root) =>
    page.evaluate((root) => {
      const r = document.querySelector(`${root} h1`).getBoundingClientRect();
      return [r.x, r.y, r.width, r.height].map(Math.round);
    }, root);
  const title = await page.locator('main h1').textContent();
  const lang = await page.locator('main [data-surface]').getAttribute('lang');
  const app = await box('main');
  const stored = await kept(page);
  assert.ok(!stored.includes(code), stored);

  await loadWithoutWasm(page, errors);
  const shell = await page.evaluate(() => ({
    wall: document.documentElement.dataset.wall,
    lang: document.querySelector('#shell [lang]')?.lang,
    heading: document.querySelector('#shell h1').textContent,
    text: document.querySelector('#shell').textContent.trim(),
    buttons: document.querySelectorAll('#shell button').length,
    mains: document.querySelectorAll('main').length,
    ids: document.querySelectorAll('#shell [id]').length,
  }));
  // Only the title: no ticket, no call, no "connected at" of another time.
  assert.deepEqual(shell, { wall: 'true', lang, heading: title, text: title.trim(), buttons: 0, mains: 0, ids: 0 });
  assert.deepEqual(await box('#shell'), app, 'the title is drawn where the board draws it');

  await page.unroute('**/*.wasm');
  const blocked = errors.length;
  await page.reload();
  await page.locator('.lines', { hasText: code }).waitFor();
  assert.equal(await page.locator('#shell').count(), 0);
  assert.equal(await page.locator('h1').count(), 1);
  assert.deepEqual(await box('main'), app);
  assert.deepEqual(errors.slice(blocked), []);
  await context.close();
});

test('the app travels compressed and a reload takes it from the cache without asking', async () => {
  const { context, page } = await openPage(browser);
  const seen = [];
  page.on('response', (response) => {
    if (response.url().endsWith('.wasm')) seen.push(response.headers());
  });
  await page.goto(`${server.url}/`);
  await waitForStep(page, 'Welcome');
  assert.equal(seen.length, 1);
  assert.match(seen[0]['content-encoding'] ?? '', /^(br|gzip)$/);
  assert.equal(seen[0]['cache-control'], 'public, max-age=31536000, immutable');
  const wasm = () =>
    page.evaluate(() => {
      const entry = performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'));
      return { transfer: entry.transferSize, encoded: entry.encodedBodySize, decoded: entry.decodedBodySize };
    });
  const first = await wasm();
  assert.ok(first.encoded < first.decoded / 2, JSON.stringify(first));
  await page.reload();
  await waitForStep(page, 'Welcome');
  assert.equal((await wasm()).transfer, 0, 'from the HTTP cache, not asked again');
  await context.close();
});
