// The public board: live over the real server, codes only, and honest when
// the connection drops.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer,
  openPage,
  waitForPage,
  waitForStep,
  seriousViolations,
  smallTargets,
  screenshot,
  foreignRules,
  api,
  walkIn,
  staffCookie,
  startSuite,
  stopSuite,
} from './support/harness.mjs';

let server;
let browser;

before(async () => ({ server, browser } = await startSuite({ demo: true })));
after(() => stopSuite({ server, browser }));

async function openBoard() {
  const opened = await openPage(browser, { viewport: { width: 1920, height: 1080 } });
  await opened.page.goto(`${server.url}/board`);
  await waitForPage(opened.page);
  await opened.page.waitForSelector('[data-connection="live"]');
  return opened;
}

test('a new ticket appears on the board within a second, without reload', async () => {
  const { context, page, errors } = await openBoard();
  const started = Date.now();
  const ticket = await walkIn(server, 'Ana');
  await page.locator('.waiting .code', { hasText: ticket }).waitFor({ timeout: 1000 });
  const took = Date.now() - started;
  assert.ok(took < 1000, `took ${took} ms`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a call from reception highlights on the board with its room', async () => {
  const { context, page, errors } = await openBoard();
  const ticket = await walkIn(server, 'Bo');
  await page.locator('.waiting .code', { hasText: ticket }).waitFor();
  const cookie = await staffCookie(server);
  // Call until our ticket comes up (earlier tests may have left others).
  for (let i = 0; i < 10; i++) {
    const reply = await api(server, 'POST', '/queue/actions', { action: 'call_next', line: 'W', room: 'Room 3' }, { cookie });
    assert.equal(reply.status, 200, reply.text);
    if (reply.json.ticket === ticket) break;
  }
  const called = page.locator('.calling .called', { hasText: ticket });
  await called.waitFor({ timeout: 1000 });
  assert.match(await called.textContent(), /Room 3/);
  assert.equal(await page.locator('.waiting .code', { hasText: ticket }).count(), 0);
  await screenshot(page, 'board-calling-en');
  assert.deepEqual(await seriousViolations(page), []);
  assert.deepEqual(await smallTargets(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

/** What the board shows of each line: its tiles (code, wait), its calls and the count of the rest. */
function boardLines() {
  return [...document.querySelectorAll('.board section.line')].map((section) => ({
    id: section.getAttribute('aria-labelledby'),
    tiles: [...section.querySelectorAll('.tile')].map((tile) => ({
      code: tile.querySelector('.code').textContent,
      wait: tile.querySelector('.wait').textContent,
    })),
    calls: [...section.querySelectorAll('.called .code')].map((code) => code.textContent),
    more: Number(section.querySelector('.more').dataset.more),
  }));
}

/** Waits until the board shows the queue as the server has it now: each line's first waiting tickets in order with their waits, the rest counted, its latest calls. */
async function showsTheQueue(server, page, what) {
  const queue = (await api(server, 'GET', '/queue')).json;
  await page.waitForSelector(`.lines[data-version="${queue.version}"]`);
  let problem;
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const shown = await page.evaluate(boardLines);
    try {
      assert.deepEqual(shown.map((l) => l.id), queue.lines.map((l) => `line-${l.id}`));
      for (const [i, line] of queue.lines.entries()) {
        const seen = shown[i];
        assert.ok(seen.tiles.length > 0 || line.waiting.length === 0, `${line.id}: no tile`);
        assert.equal(seen.tiles.length + seen.more, line.waiting.length, `${line.id}: shown and counted`);
        assert.deepEqual(seen.tiles.map((t) => t.code), line.waiting.slice(0, seen.tiles.length).map((w) => w.ticket), `${line.id}: in order`);
        for (const [j, tile] of seen.tiles.entries()) {
          const { wait, promised_by: by } = line.waiting[j];
          // (A wait past its promise says so instead: another test.)
          if (!by || by > Date.now() / 1000) assert.ok(tile.wait.includes(`${wait.low_minutes}–${wait.high_minutes}`), `${line.id} ${tile.code}: "${tile.wait}"`);
        }
        const calls = line.calling.map((c) => c.ticket);
        assert.deepEqual(seen.calls, calls.slice(calls.length - seen.calls.length), `${line.id}: calls`);
        assert.ok(calls.length === 0 || seen.calls.length > 0, `${line.id}: no call shown`);
      }
      return shown;
    } catch (error) {
      problem = error;
      await page.waitForTimeout(100);
    }
  }
  problem.message = `${what}: ${problem.message}`;
  throw problem;
}

test('the board follows the queue as it moves and as its screen changes: the first waiting tickets in order with their waits, the rest counted', async () => {
  // A server of its own: the other tests look for their tickets on screen.
  const own = await startServer({ demo: true });
  try {
    const { context, page, errors } = await openPage(browser, { viewport: { width: 1920, height: 1080 } });
    await page.goto(`${own.url}/board`);
    await waitForPage(page);
    await page.waitForSelector('[data-connection="live"]');
    for (let i = 0; i < 24; i += 1) await walkIn(own, `Cy${"abcdefghijklmnopqrstuvwxyz"[i]}`);
    const before = await showsTheQueue(own, page, 'after 24 walk-ins');
    assert.ok(before.some((l) => l.more > 0), 'some tickets are only counted');
    const cookie = await staffCookie(own);
    let last = before;
    for (let i = 0; i < 3; i += 1) {
      const called = await api(own, 'POST', '/queue/actions', { action: 'call_next', line: 'W', room: 'Room 2' }, { cookie });
      assert.equal(called.status, 200, called.text);
      await showsTheQueue(own, page, `call ${i + 1}`);
      const staff = (await api(own, 'GET', '/queue/staff', undefined, { cookie })).json;
      const id = staff.tickets.find((t) => t.ticket === called.json.ticket).id;
      const served = await api(own, 'POST', '/queue/actions', { action: 'serve', ticket: id }, { cookie });
      assert.equal(served.status, 200, served.text);
      last = await showsTheQueue(own, page, `served ${i + 1}`);
    }
    // Turned upright, the screen has room for fewer tiles; turned back, for
    // more again: tiles taken away at the end, and added there. (Each
    // waits for the board to have seen the new size first.)
    const tiles = (lines) => lines.reduce((n, l) => n + l.tiles.length, 0);
    const turned = async (width, height, fits) => {
      await page.setViewportSize({ width, height });
      const until = Date.now() + 5_000;
      while (!fits(tiles(await page.evaluate(boardLines)))) {
        assert.ok(Date.now() < until, `${width}x${height}: still ${tiles(await page.evaluate(boardLines))} tiles`);
        await page.waitForTimeout(100);
      }
      return showsTheQueue(own, page, `${width}x${height}`);
    };
    const upright = await turned(1080, 1920, (n) => n < tiles(last));
    const wide = await turned(1920, 1080, (n) => n > tiles(upright));
    assert.equal(tiles(wide), tiles(last), 'as many tiles as before it was turned');
    // Drawn by the board's own styles alone (tiles, calls, counts).
    assert.deepEqual(await foreignRules(page), []);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await own.stop();
  }
});

test("the board shows none of the patients' names or birth dates, on screen or on the wire", async () => {
  const { context, page } = await openPage(browser, { viewport: { width: 1920, height: 1080 } });
  const bodies = [];
  // The site's public settings (clinic name, rooms, the staff a patient
  // may thank) are not about patients; everything else is checked for
  // clinicians too, since a clinician beside a ticket says who it is.
  const settings = [];
  page.on('response', async (response) => {
    if (response.url().includes('/api/')) {
      try {
        (response.url().endsWith('/api/v1/config') ? settings : bodies).push(await response.text());
      } catch {}
    }
  });
  // A demo patient checks in, so there is personal data in the queue.
  const identity = { method: 'name', family_name: 'garcia', birth_date: '1980-04-12' };
  const found = await api(server, 'POST', '/identify', identity);
  assert.equal(found.status, 200, found.text);
  const { time, clinician } = found.json.matches[0];
  const checkIn = await api(server, 'POST', '/check-ins', { kind: 'appointment', identity, time, clinician, needs: { interpreter: 'Arabic' } }, { 'idempotency-key': crypto.randomUUID() });
  assert.equal(checkIn.status, 201, checkIn.text);
  await page.goto(`${server.url}/board`);
  await waitForPage(page);
  await page.locator('.waiting .code', { hasText: checkIn.json.ticket }).waitFor();
  // The page as shown, without its own styles (whose fonts name "Noto Sans
  // Arabic").
  const dom = await page.evaluate(() => {
    const copy = document.documentElement.cloneNode(true);
    copy.querySelectorAll('style').forEach((style) => style.remove());
    return copy.outerHTML;
  });
  const seen = [dom, ...bodies].join('\n');
  const patients = ['García', 'Garcia', 'María', 'O\'Brien', 'Haddad', 'Müller', 'van der Berg', '1980-04-12', '1975-09-30', 'Arabic', 'Ana G', 'Bo G'];
  for (const secret of [...patients, 'Dr. Lee', 'Dr. Patel']) {
    assert.ok(!seen.includes(secret), `${secret} is on the board`);
  }
  assert.ok(settings.length > 0, 'the board read the site settings');
  for (const secret of patients) {
    assert.ok(!settings.join('\n').includes(secret), `${secret} is in the site settings`);
  }
  await context.close();
});

test('killing the server shows reconnecting; after a restart the board is right again', async () => {
  const { context, page } = await openBoard();
  const before = await walkIn(server, 'Cy');
  await page.locator('.waiting .code', { hasText: before }).waitFor();

  await server.kill();
  await page.waitForSelector('[data-connection="lost"]', { timeout: 10_000 });
  assert.match(await page.textContent('.connection'), /Connection lost — reconnecting/);
  assert.equal(await page.getAttribute('.lines', 'aria-busy'), 'true');
  assert.deepEqual(await foreignRules(page), []);
  await screenshot(page, 'board-reconnecting-en');

  server = await server.restart();
  const after = await walkIn(server, 'Di');
  await page.waitForSelector('[data-connection="live"]', { timeout: 15_000 });
  await page.locator('.waiting .code', { hasText: after }).waitFor({ timeout: 5000 });
  await page.locator('.waiting .code', { hasText: before }).waitFor();
  await context.close();
});

test('a kiosk that boots before its network keeps trying and then goes live', async () => {
  const { context, page } = await openPage(browser, { viewport: { width: 1920, height: 1080 } });
  await page.route('**/config.json', (route) => route.abort('internetdisconnected'));
  await page.goto(`${server.url}/board`);
  await waitForPage(page);
  await page.getByText('The server cannot be reached. Check the network.').waitFor();
  assert.equal(await page.getAttribute('.connection', 'data-connection'), 'lost');
  await page.unroute('**/config.json');
  await page.waitForSelector('[data-connection="live"]', { timeout: 10_000 });
  await context.close();
});

test('a site can show the whole queue as one list, waiting tickets by expected wait', async () => {
  const single = await startServer({ site: { board_layout: 'single' } });
  try {
    const first = await walkIn(single, 'Ana');
    const second = await walkIn(single, 'Ben');
    const sign = await api(single, 'POST', '/staff/session', single.staff);
    const cookie = sign.headers.get('set-cookie').split(';')[0];
    const staff = await api(single, 'GET', '/queue/staff', undefined, { cookie });
    const id = staff.json.tickets.find((t) => t.ticket === second).id;
    const moved = await api(single, 'POST', '/queue/actions', { action: 'transfer', ticket: id, line: 'A' }, { cookie });
    assert.equal(moved.status, 200, moved.text);

    const { context, page, errors } = await openPage(browser, { viewport: { width: 1920, height: 1080 } });
    await page.goto(`${single.url}/board`);
    await page.waitForSelector('[data-connection="live"]');
    await page.locator('section.line h2', { hasText: 'Everyone' }).waitFor();
    assert.equal(await page.locator('section.line').count(), 1);
    const codes = await page.locator('.waiting .code').allInnerTexts();
    assert.deepEqual([...codes].sort(), [first, second].sort());
    await screenshot(page, 'board-single-list-en');
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await single.stop();
  }
});

test('a tablet set up as the board is set up anew to check patients in', async () => {
  const { context, page } = await openPage(browser);
  await page.goto(`${server.url}/board`);
  await page.waitForSelector('[data-connection="live"]');
  // The same tablet opened on check-in: it says what it is set up as, and
  // offers to set it up for check-in (approved at once in this demo).
  await page.goto(`${server.url}/`);
  await waitForStep(page, 'This tablet is not set up');
  await page.getByText('This tablet is set up as Queue board.').waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.getByRole('button', { name: 'Set this tablet up for Check-in' }).click();
  await waitForStep(page, 'Welcome');
  const me = await page.evaluate(async () => (await fetch('/api/v1/devices/me')).json());
  assert.equal(me.role, 'check-in');
  await context.close();
});
