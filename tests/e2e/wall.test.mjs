// The queue board as a wall screen: the whole screen, no toolbar, codes
// readable from across the room on common screen sizes, never a scrollbar,
// and its labels taking turns in the clinic's languages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  openPage,
  waitForPage,
  seriousViolations,
  screenshot,
  api,
  staffCookie,
  importAppointments,
  startSuite,
  stopSuite,
} from './support/harness.mjs';

let server;
let browser;

/** Tickets waiting in each of the three lines, plus one called in each. */
const WAITING = 40;
const LINES = { A: 'Room 1', N: 'Nurse room', W: 'Room 3' };

// One address makes every check-in here: lift its limits (the limits
// themselves are tested in server/tests/security.rs).
const example = JSON.parse(readFileSync(new URL('../../server/site.example.json', import.meta.url), 'utf8'));
const settings = {
  limits: { ...example.limits, writes_per_minute: 100_000, walk_ins_per_hour: 100_000 },
  identify: { ...example.identify, per_device: 100_000, per_ip: 100_000 },
};

before(async () => {
  ({ server, browser } = await startSuite({ site: {}, settings }));
  // Appointments for lines A and N, checked in by code; walk-ins for W.
  const people = [];
  for (const line of ['A', 'N']) {
    for (let i = 0; i <= WAITING; i++) {
      const n = String(i).padStart(3, '0');
      people.push({ given: 'Wall', family: `Board${line}${n}`, birth: '1970-01-01', code: `WB${line}${n}`, line });
    }
  }
  await importAppointments(server, people);
  for (const person of people) {
    const identity = { method: 'code', code: person.code };
    const found = await api(server, 'POST', '/identify', identity);
    assert.equal(found.status, 200, found.text);
    const { time, clinician } = found.json.matches[0];
    const reply = await api(server, 'POST', '/check-ins', { kind: 'appointment', identity, time, clinician, needs: {} },
      { 'idempotency-key': crypto.randomUUID() });
    assert.equal(reply.status, 201, reply.text);
  }
  for (let i = 0; i <= WAITING; i++) {
    const reply = await api(server, 'POST', '/check-ins',
      { kind: 'walk_in', first_name: 'Wall', last_initial: 'B', reason: 'other' },
      { 'idempotency-key': crypto.randomUUID() });
    assert.equal(reply.status, 201, reply.text);
  }
  const cookie = await staffCookie(server);
  for (const [line, room] of Object.entries(LINES)) {
    const reply = await api(server, 'POST', '/queue/actions', { action: 'call_next', line, room }, { cookie });
    assert.equal(reply.status, 200, reply.text);
  }
});
after(() => stopSuite({ server, browser }));

/** What a person across the room gets: sizes and whether anything spills. */
function measure() {
  const box = (el) => el.getBoundingClientRect();
  const textBox = (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return range.getBoundingClientRect();
  };
  const inside = (a, b) => a.left >= b.left - 1 && a.right <= b.right + 1 && a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
  const screen = { left: 0, top: 0, right: innerWidth, bottom: innerHeight };
  const codes = [...document.querySelectorAll('.board .code')].map((el) => {
    const text = textBox(el);
    const li = box(el.closest('li'));
    const at = (r) => `${Math.round(r.left)}..${Math.round(r.right)} x ${Math.round(r.top)}..${Math.round(r.bottom)}`;
    return {
      where: `text ${at(text)} in ${at(li)}`,
      code: el.textContent,
      fontSize: parseFloat(getComputedStyle(el).fontSize),
      height: text.height,
      // The whole code shows: inside its tile (or call) and on the screen.
      whole: inside(text, box(el.closest('li'))) && inside(text, screen),
    };
  });
  const lines = [...document.querySelectorAll('.board section.line')].map((section) => ({
    id: section.getAttribute('aria-labelledby'),
    tiles: section.querySelectorAll('.tile').length,
    calls: section.querySelectorAll('.called').length,
    more: Number(section.querySelector('.more').dataset.more),
    moreText: section.querySelector('.more').textContent,
    whole: inside(box(section), screen),
  }));
  const doc = document.scrollingElement;
  return {
    scrolls: doc.scrollHeight > innerHeight || doc.scrollWidth > innerWidth,
    codes,
    lines,
    buttons: document.querySelectorAll('button').length,
    late: document.querySelectorAll('.board .tile.late').length,
    appBar: document.querySelectorAll('.app-bar').length,
    statusShown: document.querySelector('.board .connection').getBoundingClientRect().width > 1,
  };
}

test('3 lines x 40 waiting fit 1920x1080, 1366x768 and 1080x1920: codes 6% of the height, no scrollbar', async () => {
  const { context, page, errors } = await openPage(browser, { viewport: { width: 1920, height: 1080 } });
  await page.goto(`${server.url}/board`);
  await waitForPage(page);
  await page.waitForSelector('[data-connection="live"]');
  await page.locator('.board .called').nth(2).waitFor();
  for (const [width, height] of [[1920, 1080], [1366, 768], [1080, 1920]]) {
    await page.setViewportSize({ width, height });
    // Laid out again for the new size (the panels' width follows it).
    await page.waitForFunction(({ width }) => {
      const lines = document.querySelector('.board .lines');
      const panel = parseFloat(getComputedStyle(lines).getPropertyValue('--panel-width'));
      return panel > 0 && panel <= width && Math.abs(lines.getBoundingClientRect().width - width) < width * 0.05;
    }, { width });
    await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
    const seen = await page.evaluate(measure);
    const size = `${width}x${height}`;
    assert.equal(seen.scrolls, false, `${size}: the page scrolls`);
    assert.equal(seen.appBar, 0, `${size}: the patient toolbar is on the wall`);
    assert.equal(seen.buttons, 0, `${size}: a wall screen has nothing to tap`);
    assert.equal(seen.statusShown, false, `${size}: sync chrome while all is well`);
    assert.equal(seen.late, 0, `${size}: a wait within its range is not late`);
    assert.equal(seen.lines.length, 3, size);
    for (const line of seen.lines) {
      assert.ok(line.whole, `${size}: ${line.id} spills off the screen`);
      assert.equal(line.calls, 1, `${size}: ${line.id} calls`);
      assert.ok(line.tiles >= 2, `${size}: ${line.id} shows ${line.tiles} tickets`);
      // Every waiting ticket is shown or counted, none twice.
      assert.equal(line.tiles + line.more, WAITING, `${size}: ${line.id}`);
      assert.equal(line.moreText, `and ${line.more} more`, `${size}: ${line.id}`);
    }
    const smallest = Math.min(...seen.codes.map((c) => c.height));
    const font = Math.min(...seen.codes.map((c) => c.fontSize));
    console.log(`wall ${size}: ${seen.lines.map((l) => `${l.id} ${l.tiles} shown + ${l.more} more`).join(', ')}; `
      + `smallest code ${smallest.toFixed(0)} px high (${(100 * smallest / height).toFixed(1)}% of the screen), font ${font.toFixed(0)} px (${(100 * font / height).toFixed(1)}%)`);
    assert.ok(seen.codes.length >= 9, size);
    for (const code of seen.codes) {
      assert.ok(code.whole, `${size}: ${code.code} is cut off (${code.where})`);
      assert.ok(code.height >= 0.06 * height, `${size}: ${code.code} is ${code.height} px high`);
    }
    await screenshot(page, `wall-board-${size}`);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test("the board's labels take turns in the clinic's languages without turning the board around", async () => {
  const { context, page, errors } = await openPage(browser, { viewport: { width: 1366, height: 768 } });
  await page.goto(`${server.url}/board`);
  await waitForPage(page);
  await page.waitForSelector('[data-connection="live"]');
  const order = () => page.$$eval('.board section.line h2', (hs) => hs.map((h) => [h.id, Math.round(h.getBoundingClientRect().x)]));
  const first = await order();
  assert.equal(await page.getAttribute('section.board', 'lang'), 'en');
  assert.equal((await page.textContent('main h1')).trim(), 'Queue');
  for (const [lang, title, line, more] of [
    ['es', 'Turnos', 'Citas', /^y \d+ más$/],
    ['ar', 'الدور', 'المواعيد', /^و\d+ آخرون$/],
  ]) {
    await page.waitForSelector(`section.board[lang="${lang}"]`, { timeout: 20_000 });
    assert.equal((await page.textContent('main h1')).trim(), title);
    await page.locator('#line-A', { hasText: line }).waitFor();
    assert.match((await page.textContent('#line-A ~ .more')).trim(), more);
    // The lines stay where they were: people find their line by place.
    assert.deepEqual(await order(), first);
    assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
    assert.deepEqual(await seriousViolations(page), [], lang);
    await screenshot(page, `wall-board-${lang}`);
  }
  // And back to the device's own language.
  await page.waitForSelector('section.board[lang="en"]', { timeout: 20_000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a wait past the range given at check-in says so on the board, not a fresh range', async () => {
  const { context, page, errors } = await openPage(browser, { viewport: { width: 1366, height: 768 } });
  // Three hours on: every wait given this morning has run out (the board's
  // clock only; the server and the queue are as they were).
  await page.clock.setFixedTime(new Date(Date.now() + 3 * 3600_000));
  await page.goto(`${server.url}/board`);
  await waitForPage(page);
  await page.waitForSelector('[data-connection="live"]');
  await page.locator('.board .tile.late').first().waitFor();
  const seen = await page.evaluate(measure);
  const tiles = seen.lines.reduce((n, l) => n + l.tiles, 0);
  assert.equal(seen.late, tiles, 'every tile shown is late');
  const waits = await page.locator('.board .tile .wait').allInnerTexts();
  // (The labels take turns in the clinic's languages.)
  assert.ok(waits.length > 0 && waits.every((w) => ['Running late', 'Con retraso', 'تأخير'].includes(w)), waits.join(' | '));
  assert.equal(seen.scrolls, false);
  for (const code of seen.codes) assert.ok(code.whole, `${code.code} is cut: ${code.where}`);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'wall-running-late-1366x768');
  assert.deepEqual(errors, []);
  await context.close();
});
