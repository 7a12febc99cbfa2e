// The app is three pages, one bundle each (waitwell_core::Page): the kiosk
// (index.html: check-in, survey, setup, the phone page), board.html and
// staff.html (reception, insights). Each surface downloads only its own
// bundle; a link or a device's home on another page loads that page; a
// server that does not tell the pages apart never makes a page reload
// itself in a loop; a board starts from the service worker with no
// network.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, openPage, startServer, startSuite, stopSuite, waitForPage, waitForStep, waitInPage, signInStaff } from './support/harness.mjs';

let server;
let browser;

before(async () => ({ server, browser } = await startSuite({ demo: true })));
after(() => stopSuite({ server, browser }));

/** The wasm files a page fetched. */
function wasmFetched(page) {
  const seen = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.endsWith('.wasm')) seen.push(path);
  });
  return seen;
}

const bundle = (path) => path.match(/^\/(waitwell(?:-board|-staff)?)-[0-9a-f]+_bg\.wasm$/)?.[1];

test('each surface downloads its own page and only that', async () => {
  const { context, page, errors } = await openPage(browser);
  const seen = wasmFetched(page);
  await page.goto(`${server.url}/`);
  await waitForStep(page, 'Welcome');
  await page.goto(`${server.url}/board`);
  await page.locator('.board').waitFor();
  await signInStaff(page, server);
  await waitForPage(page);
  assert.deepEqual(seen.map(bundle), ['waitwell', 'waitwell-board', 'waitwell-staff']);
  // Reception to insights and back stays on the staff page.
  await page.goto(`${server.url}/insights`);
  await waitForPage(page);
  assert.equal(bundle(seen.at(-1)), 'waitwell-staff');
  // (Reception asks who is signed in before anyone is: the browser logs that 401.)
  assert.deepEqual(errors.filter((e) => !e.includes('401')), []);
  await context.close();
});

test('a link from setup to the board loads the board page, and back', async () => {
  const { context, page, errors } = await openPage(browser);
  const seen = wasmFetched(page);
  await page.goto(`${server.url}/setup`);
  await waitForPage(page);
  await page.locator('.surface-links a[href="/board"]').click();
  await page.locator('.board').waitFor();
  assert.equal(new URL(page.url()).pathname, '/board');
  assert.equal(bundle(seen.at(-1)), 'waitwell-board');
  await page.goBack();
  await waitForPage(page);
  assert.equal(new URL(page.url()).pathname, '/setup');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a device set up as a board goes from / to its page', async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto(`${server.url}/setup`);
  await waitForPage(page);
  await page.getByRole('radio', { name: 'Queue board' }).check();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('button', { name: 'Reload now' }).click();
  await page.waitForURL(`${server.url}/board`);
  await page.locator('.board').waitFor();
  // And from a later start at / as well.
  await page.goto(`${server.url}/`);
  await page.waitForURL(`${server.url}/board`);
  await page.locator('.board').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('a server that answers every path with index.html sends a path on once, then says not found', async () => {
  const dist = mkdtempSync(join(tmpdir(), 'waitwell-one-page-'));
  cpSync(DIST, dist, { recursive: true, filter: (path) => !/(board|staff)\.html$/.test(path) });
  const onePage = await startServer({ demo: true, dist });
  try {
    const { context, page } = await openPage(browser);
    let loads = 0;
    page.on('load', () => (loads += 1));
    await page.goto(`${onePage.url}/board`);
    await page.locator('main h1', { hasText: 'Page not found' }).waitFor();
    await page.waitForTimeout(1_000);
    assert.ok(loads <= 2, `${loads} loads`);
    await context.close();
  } finally {
    await onePage.stop();
    rmSync(dist, { recursive: true, force: true });
  }
});

test('a board starts from its kept page with the server down', async () => {
  const board = await startServer({ demo: true });
  try {
    const { context, page } = await openPage(browser, { serviceWorkers: 'allow' });
    await page.goto(`${board.url}/board`);
    await page.locator('.board').waitFor();
    await waitInPage(page, async () => {
      if (!navigator.serviceWorker.controller) return false;
      const kept = (await (await caches.open('waitwell-shell')).keys()).map((r) => new URL(r.url).pathname);
      return kept.includes('/board.html') && kept.some((p) => /^\/waitwell-board-[0-9a-f]+_bg\.wasm$/.test(p));
    });
    // The worker keeps this device's page only.
    const kept = await page.evaluate(async () => (await (await caches.open('waitwell-shell')).keys()).map((r) => new URL(r.url).pathname));
    assert.ok(!kept.some((p) => /^\/waitwell-[0-9a-f]+_bg\.wasm$/.test(p)), kept.join(' '));
    await board.kill();
    await page.reload();
    await page.locator('.board').waitFor();
    await context.close();
  } finally {
    await board.stop().catch(() => {});
  }
});
