// The app shell: every route of DESIGN.md served by the real server, in a
// real browser, clean of console errors and of serious accessibility issues.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  ROUTES,
  openPage,
  waitForPage,
  seriousViolations,
  smallTargets,
  screenshot,
  startSuite,
  stopSuite,
} from './support/harness.mjs';

let server;
let browser;

before(async () => ({ server, browser } = await startSuite()));
after(() => stopSuite({ server, browser }));

test('every route loads with its heading, focus on it, and no console error', async () => {
  const { context, page, errors } = await openPage(browser);
  for (const route of ROUTES) {
    const response = await page.goto(server.url + route.path);
    assert.equal(response.status(), 200, route.path);
    // A surface may say "getting ready" first, while its settings load.
    await page.locator('main h1', { hasText: route.heading }).waitFor();
    await waitForPage(page);
    assert.equal((await page.textContent('main h1')).trim(), route.heading, route.path);
    await screenshot(page, `shell-${route.surface ?? 'setup'}-en`);
  }
  // Reception and insights ask whether a staff session exists; the browser
  // logs the 401 that answers "no" (one per staff surface, nothing else).
  assert.deepEqual(errors.filter((e) => !e.includes('status of 401')), []);
  assert.ok(errors.length <= 2, errors.join('\n'));
  await context.close();
});

test('an unknown route shows a page-not-found heading with a way back', async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto(`${server.url}/no/such/page`);
  await waitForPage(page);
  assert.equal((await page.textContent('main h1')).trim(), 'Page not found');
  await page.getByRole('link', { name: 'Back to the start' }).click();
  await waitForPage(page);
  // Check-in says "getting ready" under its own heading until the site's
  // settings are in: wait for the step's.
  await page.locator('main h1', { hasText: 'Welcome' }).waitFor();
  await waitForPage(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test('switching to Arabic mirrors the page and translates it; Spanish too', async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto(`${server.url}/survey`);
  await waitForPage(page);
  assert.equal(await page.getAttribute('html', 'dir'), 'ltr');

  await page.getByRole('button', { name: 'العربية' }).click();
  await page.waitForFunction(() => document.documentElement.dir === 'rtl');
  assert.equal(await page.getAttribute('html', 'lang'), 'ar');
  assert.equal((await page.textContent('main h1')).trim(), 'كيف كانت زيارتك اليوم؟');
  assert.equal(await page.getAttribute('button[lang="ar"]', 'aria-pressed'), 'true');
  // Mirrored: the brand now sits at the right-hand edge.
  const brand = await page.locator('.brand').boundingBox();
  assert.ok(brand.x > 1024 / 2, `brand at x=${brand.x}`);
  await screenshot(page, 'shell-survey-ar');

  await page.getByRole('button', { name: 'Español' }).click();
  await page.waitForFunction(() => document.documentElement.dir === 'ltr');
  assert.equal(await page.getAttribute('html', 'lang'), 'es');
  assert.equal((await page.textContent('main h1')).trim(), '¿Qué tal ha sido su visita hoy?');
  assert.deepEqual(errors, []);
  await context.close();
});

for (const language of ['English', 'العربية']) {
  test(`axe-core finds no serious or critical violation on any route (${language})`, async () => {
    const { context, page } = await openPage(browser);
    const found = {};
    for (const route of ROUTES) {
      await page.goto(server.url + route.path);
      await waitForPage(page);
      if (route.surface === 'board') {
        // The wall board has no toolbar: its labels take turns in the
        // clinic's languages; wait for this one's turn.
        const lang = language === 'العربية' ? 'ar' : 'en';
        await page.waitForSelector(`section.board[lang="${lang}"]`, { timeout: 30_000 });
      } else if (['reception', 'insights'].includes(route.surface)) {
        // Staff surfaces: the staff computer's language, from a list.
        await page.locator('#staff-language').selectOption(language === 'العربية' ? 'ar' : 'en');
        await page.waitForFunction(
          (rtl) => document.documentElement.dir === (rtl ? 'rtl' : 'ltr'),
          language === 'العربية',
        );
      } else {
        await page.getByRole('button', { name: language }).click();
        await page.waitForFunction(
          (rtl) => document.documentElement.dir === (rtl ? 'rtl' : 'ltr'),
          language === 'العربية',
        );
      }
      const violations = await seriousViolations(page);
      if (violations.length) found[route.path] = violations;
    }
    assert.deepEqual(found, {});
    await context.close();
  });
}

test('high contrast switches the theme and stays accessible', async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto(`${server.url}/setup`);
  await waitForPage(page);
  const before = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const toggle = page.getByRole('button', { name: 'High contrast' });
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  assert.equal(await page.getAttribute('html', 'data-contrast'), 'high');
  const after = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(after, before);
  assert.equal(after, 'rgb(0, 0, 0)');
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'shell-setup-high-contrast');
  assert.deepEqual(errors, []);
  await context.close();
});

test('no control on any route is smaller than 44x44 CSS px', async () => {
  const { context, page } = await openPage(browser, { viewport: { width: 800, height: 1280 } });
  const found = {};
  for (const route of ROUTES) {
    await page.goto(server.url + route.path);
    await waitForPage(page);
    const small = await smallTargets(page);
    if (small.length) found[route.path] = small;
  }
  assert.deepEqual(found, {});
  await context.close();
});

test('setup chooses the surface shown at / after a reload', async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto(`${server.url}/`);
  await waitForPage(page);
  // Check-in says "getting ready" under its own heading until the site's
  // settings are in: wait for the step's.
  await page.locator('main h1', { hasText: 'Welcome' }).waitFor();
  await waitForPage(page);

  await page.goto(`${server.url}/setup`);
  await waitForPage(page);
  await page.getByLabel('Queue board').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'Queue board' }).waitFor();
  const stored = JSON.parse(await page.evaluate(() => localStorage.getItem('waitwell.device')));
  assert.equal(stored.surface, 'board');
  assert.equal(stored.language, null);
  assert.equal(stored.enrolled, 'check-in', 'what it knows of its enrollment is kept');

  await page.getByRole('button', { name: 'Reload now' }).click();
  await page.waitForURL(`${server.url}/`);
  await waitForPage(page);
  assert.equal((await page.textContent('main h1')).trim(), 'Queue');
  assert.equal(await page.getAttribute('section.surface', 'data-surface'), 'board');

  // A fresh visit (another day) still shows the board.
  await page.goto(`${server.url}/`);
  await waitForPage(page);
  assert.equal((await page.textContent('main h1')).trim(), 'Queue');
  assert.deepEqual(errors, []);
  await context.close();
});

test("setup's default language applies at start, whatever the browser prefers", async () => {
  const { context, page, errors } = await openPage(browser, { locale: 'en-US' });
  await page.goto(`${server.url}/setup`);
  await waitForPage(page);
  await page.getByLabel('العربية').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'Check-in' }).waitFor();

  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => document.documentElement.dir === 'rtl');
  await waitForPage(page);
  assert.equal(await page.getAttribute('html', 'lang'), 'ar');
  // Check-in says "getting ready" under its own heading until the site's
  // settings are in: wait for the step's.
  await page.locator('main h1', { hasText: 'أهلًا وسهلًا' }).waitFor();
  await waitForPage(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test('garbled stored settings fall back to the defaults instead of breaking the app', async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto(`${server.url}/setup`);
  await waitForPage(page);
  await page.evaluate(() => localStorage.setItem('waitwell.device', '{"surface":"kitchen"'));
  await page.goto(`${server.url}/`);
  await waitForPage(page);
  // Check-in says "getting ready" under its own heading until the site's
  // settings are in: wait for the step's.
  await page.locator('main h1', { hasText: 'Welcome' }).waitFor();
  await waitForPage(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the browser language is used when the device has no default', async () => {
  const { context, page, errors } = await openPage(browser, { locale: 'es-ES' });
  await page.goto(`${server.url}/survey`);
  await waitForPage(page);
  assert.equal(await page.getAttribute('html', 'lang'), 'es');
  assert.equal((await page.textContent('main h1')).trim(), '¿Qué tal ha sido su visita hoy?');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the app boots under the strict Content-Security-Policy with no violation', async () => {
  const { context, page, errors } = await openPage(browser);
  const violations = [];
  await page.exposeFunction('reportCspViolation', (v) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      window.reportCspViolation(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const response = await page.goto(`${server.url}/setup`);
  const csp = response.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
  // The page's own styles are inline, named by hash, and applied.
  assert.match(csp, /style-src 'self' 'sha256-[^;]*;/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  await waitForPage(page);
  assert.equal(await page.evaluate(() => document.querySelectorAll('link[rel=stylesheet]').length), 0);
  const buttonHeight = await page.locator('main button').first().evaluate((b) => b.getBoundingClientRect().height);
  assert.ok(buttonHeight >= 44, `a button ${buttonHeight} px high: the styles did not apply`);
  await page.getByRole('button', { name: 'High contrast' }).click();
  await page.getByRole('button', { name: 'العربية' }).click();
  await page.waitForFunction(() => document.documentElement.dir === 'rtl');
  assert.deepEqual(violations, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('setup shows that the device reaches its backend, and which clinic', async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto(`${server.url}/setup`);
  await waitForPage(page);
  await page.getByText('Connected to Waitwell Demo Clinic.').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('setup says so, in words, when the backend cannot be reached', async () => {
  const { context, page } = await openPage(browser);
  // The app loads, then every API call fails as if the network were down.
  await page.route('**/api/v1/**', (route) => route.abort('connectionrefused'));
  await page.goto(`${server.url}/setup`);
  await waitForPage(page);
  await page.getByText('Not connected: The server cannot be reached. Check the network.').waitFor();
  await page.getByRole('button', { name: 'Español' }).click();
  await page.getByText('Sin conexión: No se puede contactar con el servidor. Revise la red.').waitFor();
  await context.close();
});

test('a backend that never answers is abandoned at the client timeout, in words', async () => {
  const { context, page } = await openPage(browser);
  // The request is accepted and then left hanging, as a stalled server would.
  let seen = 0;
  await page.route('**/api/v1/config', () => {
    seen += 1;
  });
  const started = Date.now();
  await page.goto(`${server.url}/setup`);
  await waitForPage(page);
  await page.getByText('Checking the connection…').waitFor();
  await page.getByText('Not connected: The server is taking too long to answer.').waitFor({ timeout: 15_000 });
  const waited = Date.now() - started;
  assert.equal(seen, 1);
  assert.ok(waited >= 7_500 && waited < 12_000, `gave up after ${waited} ms`);
  await context.close();
});

test('staff surfaces have their own bar: language and text size kept for this computer, no patient toolbar', async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto(`${server.url}/reception`);
  await waitForPage(page);
  const bar = page.locator('header.app-bar');
  assert.equal(await bar.getByRole('button', { name: 'High contrast' }).count(), 0);
  assert.equal(await bar.getByRole('button', { name: 'Read aloud' }).count(), 0);
  await bar.getByLabel('Language').selectOption('es');
  await page.waitForFunction(() => document.documentElement.lang === 'es');
  await bar.getByRole('button', { name: 'Texto grande' }).click();
  assert.equal(await page.getAttribute('html', 'data-text'), 'large');
  // Kept across a reload, and on the other staff surface.
  await page.reload();
  await page.waitForFunction(() => document.documentElement.lang === 'es' && document.documentElement.dataset.text === 'large');
  await page.goto(`${server.url}/insights`);
  await page.waitForFunction(() => document.documentElement.lang === 'es' && document.documentElement.dataset.text === 'large');
  assert.deepEqual(await seriousViolations(page), []);
  // A patient surface in the same browser starts from its own defaults.
  await page.goto(`${server.url}/survey`);
  await waitForPage(page);
  assert.equal(await page.getAttribute('html', 'data-text'), 'normal');
  assert.ok(await page.locator('header').getByRole('button', { name: 'English' }).count() === 1);
  assert.deepEqual(errors.filter((e) => !e.includes('status of 401')), []);
  await context.close();
});
