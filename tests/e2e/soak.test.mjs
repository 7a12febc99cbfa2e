// A 12-hour day, compressed: 2,000 tickets created, called and served while
// the board and reception are open. Their DOM node and event-listener counts
// at the end must not be more than 5% above the counts after the first 100
// tickets (fewer is fine: the wall board shows fewer tiles once the codes
// grow a digit, W-999 to W-1000, and counts the rest).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  openPage,
  api,
  staffCookie,
  signInStaff,
  startSuite,
  stopSuite,
} from './support/harness.mjs';

const TICKETS = Number(process.env.SOAK_TICKETS ?? 2000);
const BASELINE_AFTER = 100;
/** Tickets kept waiting throughout, so the screens are never empty. */
const BACKLOG = 15;

let server;
let browser;

// One address creates every ticket here: lift its write limits (the limits
// themselves are tested in server/tests/security.rs).
const UNLIMITED = { writes_per_minute: 1_000_000, walk_ins_per_hour: 1_000_000 };
before(async () => ({ server, browser } = await startSuite({ settings: { limits: UNLIMITED } })));
after(() => stopSuite({ server, browser }));

async function counters(page, cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { nodes, jsEventListeners } = await cdp.send('Memory.getDOMCounters');
  const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
  return { nodes, listeners: jsEventListeners, heapMiB: +(heap / 1048576).toFixed(1) };
}

test(`${TICKETS} tickets through the board and reception: no growth`, async () => {
  const board = await openPage(browser, { viewport: { width: 1920, height: 1080 } });
  await board.page.goto(`${server.url}/board`);
  await board.page.waitForSelector('[data-connection="live"]');
  const desk = await openPage(browser, { viewport: { width: 1440, height: 900 } });
  await signInStaff(desk.page, server);
  await desk.page.locator('.desk-line').first().waitFor();
  const pages = { board: board.page, reception: desk.page };
  const cdp = {
    board: await board.context.newCDPSession(board.page),
    reception: await desk.context.newCDPSession(desk.page),
  };
  const cookie = await staffCookie(server);
  const create = async (i) => {
    const reply = await api(server, 'POST', '/check-ins',
      { kind: 'walk_in', first_name: `Soak`, last_initial: String.fromCharCode(65 + (i % 26)), reason: 'other' },
      { 'idempotency-key': crypto.randomUUID() });
    assert.equal(reply.status, 201, reply.text);
    return reply.json.ticket;
  };
  const act = async (body) => {
    const reply = await api(server, 'POST', '/queue/actions', body, { cookie });
    assert.equal(reply.status, 200, reply.text);
    return reply.json;
  };
  /**
   * Both screens have caught up: the board shows the queue's latest version
   * (its list may count the newest ticket in "and N more" rather than show
   * it), and reception lists `ticket`.
   */
  const settled = async (ticket) => {
    const { json: queue } = await api(server, 'GET', '/queue');
    await board.page.waitForFunction(
      (version) => Number(document.querySelector('.board .lines')?.dataset.version) >= version,
      queue.version,
      { timeout: 30_000 },
    );
    await desk.page.locator(`tr.ticket-row[data-ticket="${ticket}"]`).waitFor({ timeout: 30_000 });
    await new Promise((ok) => setTimeout(ok, 1000));
  };

  let last;
  for (let i = 0; i < BACKLOG; i++) last = await create(i);
  const started = Date.now();
  let baseline;
  for (let i = 1; i <= TICKETS; i++) {
    last = await create(i);
    const called = await act({ action: 'call_next', line: 'W', room: 'Room 1' });
    await act({ action: 'serve', ticket: await idOf(called.ticket) });
    if (i === BASELINE_AFTER) {
      await settled(last);
      baseline = { board: await counters(pages.board, cdp.board), reception: await counters(pages.reception, cdp.reception) };
    }
  }
  await settled(last);
  const end = { board: await counters(pages.board, cdp.board), reception: await counters(pages.reception, cdp.reception) };
  const seconds = (Date.now() - started) / 1000;
  console.log(`soak: ${TICKETS} tickets in ${seconds.toFixed(0)} s (${(TICKETS * 3 / seconds).toFixed(0)} requests/s)`);
  for (const name of ['board', 'reception']) {
    console.log(`soak ${name}: after ${BASELINE_AFTER}: ${JSON.stringify(baseline[name])}; after ${TICKETS}: ${JSON.stringify(end[name])}`);
  }
  for (const name of ['board', 'reception']) {
    for (const key of ['nodes', 'listeners']) {
      const [a, b] = [baseline[name][key], end[name][key]];
      assert.ok(b - a <= Math.max(1, a * 0.05), `${name} ${key}: ${a} -> ${b}`);
    }
  }
  assert.deepEqual(board.errors, []);
  assert.deepEqual(desk.errors.filter((e) => !e.includes('status of 401')), []);
  await board.context.close();
  await desk.context.close();

  async function idOf(code) {
    const staff = await api(server, 'GET', '/queue/staff', undefined, { cookie });
    return staff.json.tickets.find((t) => t.ticket === code).id;
  }
});
