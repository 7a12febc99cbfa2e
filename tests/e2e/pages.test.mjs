// The app is six pages, one bundle each (waitwell_core::Page): the kiosk
// (index.html: check-in, survey, setup), board.html, staff.html
// (reception), insights.html, tablets.html and phone.html (a patient's
// phone). Each surface downloads only its own bundle; a link or a device's home on another page loads that page; a
// server that does not tell the pages apart never makes a page reload
// itself in a loop; a board starts from the service worker with no
// network.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, openPage, startServer, startSuite, stopSuite, waitForPage, waitForServiceWorker, waitForStep, waitInPage, signInStaff, walkInLink } from './support/harness.mjs';

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

const bundle = (path) => path.match(/^\/(waitwell(?:-board|-staff|-insights|-tablets|-phone)?)-[0-9a-f]+_bg\.wasm$/)?.[1];

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
  // Insights is a page of its own: reception's first load does without
  // its charts and tables.
  await page.goto(`${server.url}/insights`);
  await waitForPage(page);
  assert.equal(bundle(seen.at(-1)), 'waitwell-insights');
  await page.locator('h1', { hasText: 'Insights' }).waitFor();
  // So are the tablets: setting one up, revoking one, what they hold.
  await page.goto(`${server.url}/tablets`);
  await waitForPage(page);
  assert.equal(bundle(seen.at(-1)), 'waitwell-tablets');
  await page.locator('h1', { hasText: 'Tablets' }).waitFor();
  await page.locator('#enroll-code').waitFor();
  // (Reception asks who is signed in before anyone is: the browser logs that 401.)
  assert.deepEqual(errors.filter((e) => !e.includes('401')), []);
  await context.close();
});

test('each page fetches what its app asks for first with the page itself, once', async () => {
  // index.html, board.html and the staff pages preload these: the app's own first
  // requests must take the preloaded answers, or each would go twice.
  const first = ['/config.json', '/api/v1/config', '/api/v1/devices/me'];
  const staff = [...first.slice(0, 2), '/api/v1/staff/session'];
  // (Reception both signed out and signed in: the session's answer differs.)
  for (const [path, expected, signedIn] of [['/', first], ['/board', first], ['/reception', staff], ['/reception', staff, true], ['/insights', staff], ['/tablets', staff]]) {
    // Service workers allowed: a kiosk's and a board's page are the worker's.
    const { context, page, errors } = await openPage(browser, { serviceWorkers: 'allow' });
    // Enrolled and the page under its worker first (a device pairs once),
    // then the load that counts, as when a tablet restarts.
    if (signedIn) await signInStaff(page, server, path);
    else await page.goto(`${server.url}${path}`);
    await waitForPage(page);
    await waitInPage(page, () => Boolean(navigator.serviceWorker.controller));
    // One worker per device: every staff page registers reception's, so
    // going between them never swaps it.
    const worker = await page.evaluate(() => new URL(navigator.serviceWorker.controller.scriptURL).searchParams.get('page'));
    assert.equal(worker, { '/': 'index.html', '/board': 'board.html' }[path] ?? 'staff.html', `${path}'s worker`);
    const asked = [];
    page.on('request', (request) => {
      const at = new URL(request.url()).pathname;
      if (first.includes(at) || staff.includes(at)) asked.push(at);
    });
    const warnings = [];
    page.on('console', (message) => {
      // ("… was preloaded using link preload but not used …")
      if (message.type() === 'warning' && message.text().includes('preloaded')) warnings.push(message.text());
    });
    await page.reload();
    await waitForPage(page);
    const preloaded = await page.evaluate(() => [...document.querySelectorAll('link[rel="preload"][as="fetch"]')]
      .map((link) => new URL(link.href).pathname));
    assert.deepEqual(preloaded, expected, path);
    // Drawn from the preloaded session: the desk, or the sign-in.
    assert.equal(await page.locator('#staff-name').count(), expected === staff && !signedIn ? 1 : 0, path);
    // Chromium warns of a preload still unused 3 s after the load.
    await page.waitForTimeout(3_500);
    assert.deepEqual(asked.sort(), [...expected].sort(), `${path}: each once`);
    assert.deepEqual(warnings, [], path);
    assert.deepEqual(errors.filter((e) => !e.includes('401')), [], path);
    await context.close();
  }
});

test("a patient's phone asks for the site and its ticket with the page", async () => {
  const link = await walkInLink(server, 'Ida');
  const ticket = `/api/v1/follow/${link.slice('/t/'.length)}`;
  const { context, page, errors } = await openPage(browser, { viewport: { width: 390, height: 844 } });
  const asked = [];
  page.on('request', (request) => {
    const at = new URL(request.url()).pathname;
    if (['/config.json', '/api/v1/config', ticket].includes(at)) asked.push(at);
  });
  const warnings = [];
  page.on('console', (message) => {
    if (message.type() === 'warning' && message.text().includes('preloaded')) warnings.push(message.text());
  });
  await page.goto(`${server.url}${link}`);
  await page.locator('.phone .position').waitFor();
  const preloaded = await page.evaluate(() => [...document.querySelectorAll('link[rel="preload"][as="fetch"]')]
    .map((l) => new URL(l.href).pathname));
  assert.deepEqual(preloaded.sort(), ['/config.json', '/api/v1/config', ticket].sort());
  // Chromium warns of a preload still unused 3 s after the load.
  await page.waitForTimeout(3_500);
  // Each once, and the ticket once more when the app's event stream is
  // open (src/api/live.rs): a preload not taken would make it three.
  assert.deepEqual(asked.sort(), ['/config.json', '/api/v1/config', ticket, ticket].sort());
  assert.deepEqual(warnings, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('each page paints its first frame before it fetches its app, whose files it still checks', async () => {
  // scripts/finish-pages.mjs: the JS and wasm are not preloaded with the
  // page; its boot script asks for them after the first frame, and adds
  // the page's preloads of what its app asks for first then too (their
  // answers, arriving while the page is parsed, held its first paint back).
  const ona = await walkInLink(server, 'Ona');
  const preloads = {
    '/': ['/config.json', '/api/v1/config', '/api/v1/devices/me'],
    '/board': ['/config.json', '/api/v1/config', '/api/v1/devices/me'],
    '/reception': ['/config.json', '/api/v1/config', '/api/v1/staff/session'],
    [ona]: ['/config.json', '/api/v1/config', `/api/v1/follow/${ona.slice('/t/'.length)}`],
  };
  for (const path of ['/', '/board', '/reception', ona]) {
    const { context, page, errors } = await openPage(browser);
    // (An init script's frame callback is the page's first.)
    await page.addInitScript(() => requestAnimationFrame((at) => { window.__firstFrame = at; }));
    await page.goto(`${server.url}${path}`);
    await page.locator('main h1').first().waitFor();
    const seen = await page.evaluate(() => ({
      firstFrame: window.__firstFrame,
      files: performance.getEntriesByType('resource')
        .filter((e) => /\/waitwell[\w-]*-[0-9a-f]+(_bg\.wasm|\.js)$/.test(e.name))
        .map((e) => ({ path: new URL(e.name).pathname, at: e.startTime })),
      preloads: [...document.querySelectorAll('link[rel$="preload"]')].map((l) => new URL(l.href).pathname)
        .filter((at) => /\.(js|wasm)$/.test(at)),
      // What the page itself preloads, when each was asked for.
      asked: performance.getEntriesByType('resource')
        .filter((e) => e.initiatorType === 'link')
        .map((e) => ({ path: new URL(e.name).pathname, at: e.startTime })),
      checked: document.querySelector('script[type="importmap"]') !== null
        && /integrity: 'sha384-/.test(document.querySelector('script[type="module"]')?.textContent ?? ''),
    }));
    assert.equal(seen.files.length, 2, `${path}: ${JSON.stringify(seen.files)}`);
    for (const file of seen.files) {
      assert.ok(file.at >= seen.firstFrame, `${path}: ${file.path} asked for at ${file.at} ms, before the first frame (${seen.firstFrame} ms)`);
    }
    assert.deepEqual(seen.preloads, [], path);
    const asked = seen.asked.filter((e) => preloads[path].includes(e.path));
    assert.deepEqual(asked.map((e) => e.path).sort(), [...preloads[path]].sort(), `${path}: ${JSON.stringify(seen.asked)}`);
    for (const fetched of asked) {
      assert.ok(fetched.at >= seen.firstFrame, `${path}: ${fetched.path} preloaded at ${fetched.at} ms, before the first frame (${seen.firstFrame} ms)`);
    }
    assert.ok(seen.checked, `${path}: the boot script does not check its files' integrity`);
    assert.deepEqual(errors.filter((e) => !e.includes('401')), [], path);
    await context.close();
  }
});

test('a kiosk does not run a JS or wasm file changed after the build', async () => {
  // A copy of the build whose kiosk files are changed on disk (as by
  // anything between the build and the tablet), without their compressed
  // copies, so the changed file is the one sent.
  const dist = mkdtempSync(join(tmpdir(), 'waitwell-dist-'));
  cpSync(DIST, dist, { recursive: true });
  const stem = readFileSync(join(dist, 'index.html'), 'utf8').match(/\/(waitwell-[0-9a-f]{1,16})_bg\.wasm/)[1];
  const changed = await startServer({ demo: true, dist });
  try {
    for (const [file, change] of [
      [`${stem}.js`, (bytes) => Buffer.concat([bytes, Buffer.from('\nglobalThis.__changed = true;\n')])],
      // A custom section appended: still a valid module.
      [`${stem}_bg.wasm`, (bytes) => Buffer.concat([bytes, Buffer.from([0, 2, 1, 0x78])])],
    ]) {
      const path = join(dist, file);
      const original = readFileSync(path);
      writeFileSync(path, change(original));
      for (const copy of ['.br', '.gz']) rmSync(path + copy, { force: true });
      const { context, page, errors } = await openPage(browser);
      await page.goto(`${changed.url}/`);
      for (const until = Date.now() + 15_000; Date.now() < until && !errors.some((e) => e.includes('integrity')); ) {
        await page.waitForTimeout(100);
      }
      assert.ok(errors.some((e) => e.includes('integrity') && e.includes(file)), `${file}: ${errors.join('\n')}`);
      // Nothing of the changed file ran: no welcome from the app.
      await page.waitForTimeout(1_000);
      assert.equal(await page.evaluate(() => globalThis.__changed), undefined, file);
      assert.equal(await page.locator('main h1').count(), 0, `${file}: the app started`);
      await context.close();
      writeFileSync(path, original);
    }
  } finally {
    await changed.kill();
    rmSync(dist, { recursive: true, force: true });
  }
});

test("a patient's phone downloads the phone page alone and keeps nothing of the app", async () => {
  const link = await walkInLink(server, 'Pia');
  // Service workers allowed, as on a real phone.
  const phone = await openPage(browser, { viewport: { width: 390, height: 844 }, serviceWorkers: 'allow' });
  const seen = wasmFetched(phone.page);
  await phone.page.goto(`${server.url}${link}`);
  await phone.page.locator('.phone .position').waitFor();
  assert.deepEqual(seen.map(bundle), ['waitwell-phone']);
  // Nothing to install, and nothing stays: no worker, no stored data. (A
  // kiosk page registers its worker within this time: below.)
  await phone.page.waitForTimeout(1_500);
  const kept = await phone.page.evaluate(async () => ({
    workers: (await navigator.serviceWorker.getRegistrations()).length,
    databases: (await indexedDB.databases()).map((d) => d.name),
    local: Object.keys(localStorage),
    session: Object.keys(sessionStorage),
    cookies: document.cookie,
    manifest: document.querySelectorAll('link[rel="manifest"]').length,
  }));
  assert.deepEqual(kept, { workers: 0, databases: [], local: [], session: [], cookies: '', manifest: 0 });
  assert.deepEqual(phone.errors, []);
  await phone.context.close();

  // The kiosk's page, on a browser that allows the same, does keep itself.
  const kiosk = await openPage(browser, { serviceWorkers: 'allow' });
  await kiosk.page.goto(`${server.url}/`);
  await waitForStep(kiosk.page, 'Welcome');
  await waitForServiceWorker(kiosk.page);
  await kiosk.context.close();
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
  cpSync(DIST, dist, { recursive: true, filter: (path) => !/(board|staff|phone)\.html$/.test(path) });
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
