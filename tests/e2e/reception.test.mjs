// Reception and the board side by side, against the real server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer,
  openPage,
  waitForPage,
  api,
  walkIn,
  signInStaff,
  startSuite,
  checkScreen,
  stopSuite,
  waitInPage,
} from './support/harness.mjs';

let server;
let browser;

before(async () => ({ server, browser } = await startSuite({ demo: true })));
after(() => stopSuite({ server, browser }));

const checkPage = (page, name) => checkScreen(page, name);

/** Reception, signed in with the server's staff account. */
async function openReception(target = server, { clock = false, locale = 'en-US' } = {}) {
  const opened = await openPage(browser, { locale, viewport: { width: 1440, height: 900 } });
  if (clock) await opened.context.clock.install();
  await signInStaff(opened.page, target);
  await opened.page.locator('.desk-line').first().waitFor();
  await waitForPage(opened.page);
  return opened;
}

/** The board, with speech and chime recorded instead of played. */
async function openBoard() {
  const opened = await openPage(browser, { viewport: { width: 1920, height: 1080 } });
  await opened.context.addInitScript(() => {
    window.__spoken = [];
    window.__chimes = 0;
    speechSynthesis.speak = (u) => window.__spoken.push([u.text, u.lang]);
    const Real = window.AudioContext;
    window.AudioContext = class extends Real {
      createOscillator() {
        window.__chimes += 1;
        return super.createOscillator();
      }
    };
  });
  await opened.page.goto(`${server.url}/board`);
  await opened.page.waitForSelector('[data-connection="live"]');
  return opened;
}

/** Console errors other than the 401 that answers "not signed in yet". */
function signedInErrors(errors) {
  return errors.filter((e) => !e.includes('status of 401'));
}

function row(page, ticket) {
  return page.locator(`tr.ticket-row[data-ticket="${ticket}"]`);
}

test('a wrong passphrase is refused, repeated ones make the account wait, and no script can read the session', async () => {
  const own = await startServer({ demo: true });
  try {
    const { context, page, errors } = await openPage(browser);
    await page.goto(`${own.url}/reception`);
    await page.locator('#staff-name').waitFor();
    await checkPage(page, 'reception-sign-in-en');
    // Each try, answered: its status.
    const attempt = async (passphrase) => {
      await page.locator('#staff-name').fill(own.staff.name);
      await page.locator('#staff-passphrase').fill(passphrase);
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/staff/session') && r.request().method() === 'POST');
      await page.locator('form.sign-in button[type="submit"]').click();
      return (await answered).status();
    };
    for (let i = 1; i <= 5; i++) {
      assert.equal(await attempt(`guess-${i}`), 401);
      await page.locator('#sign-in-error', { hasText: 'That name and passphrase do not match an account.' }).waitFor();
      // The passphrase field is emptied after each refusal.
      assert.equal(await page.locator('#staff-passphrase').inputValue(), '');
    }
    assert.equal(await attempt('guess-6'), 429);
    await page.locator('#sign-in-error', { hasText: /Too many wrong tries. Try again in \d+ minutes./ }).waitFor();
    // The account waits, even with the right passphrase.
    assert.equal(await attempt(own.staff.passphrase), 429);
    await page.locator('#sign-in-error', { hasText: /Too many wrong tries/ }).waitFor();
    assert.equal(await page.locator('.desk-line').count(), 0);
    assert.ok(errors.every((e) => /status of 40[13]|status of 429/.test(e)), errors.join('\n'));
    await context.close();

    // On a fresh server, sign in and look for the token from script.
    const other = await startServer({ demo: true });
    try {
      const opened = await openReception(other);
      const seen = await opened.page.evaluate(() => ({
        cookie: document.cookie,
        local: JSON.stringify({ ...localStorage }),
        session: JSON.stringify({ ...sessionStorage }),
      }));
      assert.doesNotMatch(seen.cookie, /waitwell_staff/);
      assert.doesNotMatch(seen.local + seen.session, /staff|token|session/i);
      const cookies = await opened.context.cookies();
      const staff = cookies.find((c) => c.name === 'waitwell_staff');
      assert.ok(staff, 'the session cookie exists');
      assert.equal(staff.httpOnly, true);
      assert.equal(staff.sameSite, 'Strict');
      await opened.context.close();
    } finally {
      await other.stop();
    }
  } finally {
    await own.stop();
  }
});

test('inactivity signs reception out, on the screen and on the server', async () => {
  const { context, page } = await openReception(server, { clock: true });
  await page.clock.runFor(10 * 60 * 1000 + 2000);
  await page.locator('.note', { hasText: 'You were signed out after a while without activity.' }).waitFor();
  await page.locator('#staff-name').waitFor();
  await waitInPage(page, async () => (await fetch('/api/v1/staff/session')).status === 401);
  await context.close();
});

test('reception runs the queue live; the board highlights, chimes and speaks each call', async () => {
  const board = await openBoard();
  const desk = await openReception();
  const { page } = desk;
  const ticket = await walkIn(server, 'Nadia');
  // Live at reception, with the name (staff only).
  await row(page, ticket).waitFor({ timeout: 1000 });
  assert.match(await row(page, ticket).innerText(), /Nadia G\./);
  await checkPage(page, 'reception-desk-en');

  // Call it: feedback at once, the board highlights and announces it.
  await page.locator('#room').selectOption('Room 2');
  await row(page, ticket).getByRole('button', { name: `Call ${ticket}` }).click();
  await page.locator('.feedback', { hasText: `${ticket} called to Room 2.` }).waitFor();
  await board.page.locator('li.called.fresh', { hasText: ticket }).waitFor({ timeout: 1000 });
  const spokenCode = ticket.replace('-', '').split('').join(' ');
  await board.page.waitForFunction((n) => window.__spoken.length >= n, 3);
  const spoken = await board.page.evaluate(() => window.__spoken);
  // In each language with the room's name in it (the site translates them).
  assert.deepEqual(spoken.slice(-3), [
    [`Ticket ${spokenCode}, Room 2.`, 'en'],
    [`Turno ${spokenCode}, Sala 2.`, 'es'],
    [`التذكرة ${spokenCode}، الغرفة 2.`, 'ar'],
  ]);
  assert.ok(await board.page.evaluate(() => window.__chimes) >= 2, 'a two-note chime');
  await checkPage(board.page, 'board-call-en');

  // Undo the call: back to waiting, on both screens.
  await page.locator('.feedback').getByRole('button', { name: 'Undo' }).click();
  await page.locator('.feedback', { hasText: `Undone: ${ticket} is back at the front of the queue.` }).waitFor();
  await row(page, ticket).and(page.locator('[data-status="waiting"]')).waitFor();
  await board.page.locator('.waiting .code', { hasText: ticket }).waitFor();

  // Call, recall (announced again), served.
  await row(page, ticket).getByRole('button', { name: `Call ${ticket}` }).click();
  await row(page, ticket).and(page.locator('[data-status="called"]')).waitFor();
  const before = await board.page.evaluate(() => window.__spoken.length);
  await row(page, ticket).getByRole('button', { name: `Recall ${ticket}` }).click();
  await page.locator('.feedback', { hasText: `${ticket} called again.` }).waitFor();
  await board.page.waitForFunction((n) => window.__spoken.length >= n + 3, before);
  await row(page, ticket).getByRole('button', { name: `Served ${ticket}` }).click();
  await row(page, ticket).waitFor({ state: 'detached' });
  await board.page.locator('li.called', { hasText: ticket }).waitFor({ state: 'detached' });
  assert.equal(await page.locator('[data-counter="seen"]').innerText(), '1');

  // No-show, then back to the queue; transfer to another line.
  const second = await walkIn(server, 'Omar');
  await row(page, second).waitFor();
  await page.getByRole('button', { name: /^Call next to Room 2$/ }).nth(1).click();
  await row(page, second).and(page.locator('[data-status="called"]')).waitFor();
  await row(page, second).getByRole('button', { name: `Did not come ${second}` }).click();
  await row(page, second).and(page.locator('[data-status="no_show"]')).waitFor();
  await row(page, second).getByRole('button', { name: `Back to the queue ${second}` }).click();
  await row(page, second).and(page.locator('[data-status="waiting"]')).waitFor();
  await row(page, second).getByRole('button', { name: `Move to Appointments ${second}` }).click();
  await page.locator('.feedback', { hasText: `${second} moved to Appointments.` }).waitFor();
  await page.locator('#desk-line-A').locator('..').locator('..').locator(`tr[data-ticket="${second}"]`).waitFor();
  assert.deepEqual(board.errors, []);
  assert.deepEqual(signedInErrors(desk.errors), []);
  await board.context.close();
  await desk.context.close();
});

test('a delay notice posted at reception shows on the board in its language, and clears', async () => {
  const board = await openBoard();
  const desk = await openReception();
  await desk.page.locator('#notice-clinician').fill('Dr. Lee');
  await desk.page.locator('#notice-minutes').selectOption('20');
  await desk.page.getByRole('button', { name: 'Post notice' }).click();
  await board.page.locator('.notice', { hasText: 'Dr. Lee is running about 20 minutes late.' }).waitFor({ timeout: 1000 });
  await checkPage(board.page, 'board-notice-en');
  // The wall board has no language buttons: its labels take turns in the
  // clinic's languages.
  await board.page.locator('.notice', { hasText: 'Dr. Lee lleva un retraso de unos 20 minutos.' }).waitFor({ timeout: 20_000 });
  await desk.page.locator('.notice-row').getByRole('button', { name: 'Clear' }).click();
  await board.page.locator('.notice').waitFor({ state: 'detached', timeout: 1000 });
  await board.context.close();
  await desk.context.close();
});

test('reception adds a walk-in; an unhappy patient who wants to talk raises an alert at once', async () => {
  const desk = await openReception();
  const { page } = desk;
  await page.locator('#desk-first-name').fill('Zoe');
  await page.locator('#desk-initial').fill('P');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  const added = page.locator('.feedback', { hasText: /Walk-in added: ticket W-\d{3}\./ });
  await added.waitFor();
  const code = (await added.innerText()).match(/W-\d{3}/)[0];
  await row(page, code).waitFor();
  assert.match(await row(page, code).innerText(), /Zoe P\./);

  const started = Date.now();
  const reply = await api(server, 'PUT', `/surveys/${crypto.randomUUID()}`, { rating: 1, talk_to_someone: true });
  assert.ok(reply.status < 300, reply.text);
  const alert = page.locator('.survey-alert', { hasText: 'A patient rated the visit 1 of 4' });
  await alert.waitFor({ timeout: 1000 });
  console.log(`alert shown ${Date.now() - started} ms after the response`);
  await checkPage(page, 'reception-alert-en');
  await alert.getByRole('button', { name: 'Acknowledge' }).click();
  await alert.waitFor({ state: 'detached' });
  assert.deepEqual(signedInErrors(desk.errors), []);
  await desk.context.close();
});

test('the tablets page lists the devices that report, by surface', async () => {
  const board = await openBoard(); // enrolled (approved at once here), then a heartbeat
  // The name the server gave it, as the board itself can ask.
  const me = await board.page.evaluate(async () => (await fetch('/api/v1/devices/me')).json());
  assert.equal(me.status, 'enrolled');
  assert.equal(me.role, 'board');
  const desk = await openPage(browser);
  await signInStaff(desk.page, server, '/tablets');
  const device = desk.page.locator('tr[data-device]', { has: desk.page.locator('th', { hasText: me.name }) });
  await device.waitFor();
  assert.match(await device.innerText(), /Queue board[\s\S]*Queue board[\s\S]*Online/);
  await board.context.close();
  await desk.context.close();
});

test('the tablets page notices a session ended elsewhere at its next refresh', async () => {
  const desk = await openPage(browser);
  await desk.context.clock.install();
  await signInStaff(desk.page, server, '/tablets');
  await desk.page.locator('#enroll-code').waitFor();
  // Signed out from another tab or by the server: the page's cookie is
  // no longer a session.
  const session = (await desk.context.cookies()).find((c) => c.name === 'waitwell_staff');
  const ended = await api(server, 'DELETE', '/staff/session', undefined, { cookie: `waitwell_staff=${session.value}` });
  assert.equal(ended.status, 204);
  await desk.page.clock.runFor(30_000);
  await desk.page.getByText('Your session ended. Please sign in again.').waitFor();
  await desk.page.locator('#staff-name').waitFor();
  assert.equal(await desk.page.locator('#enroll-code').count(), 0);
  await desk.context.close();
});

test('the desk says so when the tablets cannot be checked, and stops once they can', async () => {
  const desk = await openPage(browser, { viewport: { width: 1440, height: 900 } });
  await desk.context.clock.install();
  const failing = (route) => route.fulfill({
    status: 500,
    contentType: 'application/json',
    body: JSON.stringify({ code: 'internal', message: 'refused by the test' }),
  });
  await desk.page.route('**/api/v1/devices', failing);
  await signInStaff(desk.page, server);
  const alert = desk.page.locator('section.alerts li.tablet-alert', { hasText: 'The tablets could not be checked:' });
  await alert.waitFor();
  assert.equal(await alert.getByRole('link').getAttribute('href'), '/tablets');
  await checkScreen(desk.page, 'reception-tablets-unknown', 'the desk when the tablets cannot be checked');
  await desk.page.unroute('**/api/v1/devices', failing);
  await desk.page.clock.runFor(30_000);
  await alert.waitFor({ state: 'detached' });
  await desk.context.close();
});

test('reception in Arabic: mirrored, translated, accessible', async () => {
  const desk = await openReception(server, { locale: 'ar' });
  assert.equal(await desk.page.locator('html').getAttribute('dir'), 'rtl');
  assert.equal((await desk.page.locator('main h1').innerText()).trim(), 'الاستقبال');
  // The site's line and room names in Arabic; the room is still called by
  // its configured name.
  await desk.page.locator('#desk-line-A', { hasText: 'المواعيد' }).waitFor();
  assert.equal(await desk.page.locator('#room option[value="Room 1"]').innerText(), 'الغرفة 1');
  await checkPage(desk.page, 'reception-desk-ar');
  await desk.context.close();
});

test('the desk: queue and alerts side by side on a wide screen, codes whole, and keys for the frequent actions', async () => {
  const desk = await openReception();
  const { page } = desk;
  // Lines in the order the keys number them: A and W in the demo clinic.
  const shortcuts = page.getByRole('region', { name: 'Keyboard shortcuts' });
  assert.match(await shortcuts.innerText(), /1\s+Call the next patient: Appointments\s+2\s+Call the next patient: Walk-in[\s\S]*R\s+Call the patient I called last again[\s\S]*D\s+Mark the patient I called last as served[\s\S]*U\s+Undo the last action/);
  // Side by side at 1440 px: alerts to the right of the queue.
  const queue = await page.locator('.desk-lines').boundingBox();
  const alerts = await page.locator('section.alerts').boundingBox();
  assert.ok(alerts.x >= queue.x + queue.width, `alerts at x=${alerts.x}, queue ends at ${queue.x + queue.width}`);

  const first = await walkIn(server, 'Kay');
  const second = await walkIn(server, 'Lou');
  await row(page, second).waitFor();
  // A code on one line: no break at its hyphen.
  const lines = await page.locator(`tr.ticket-row[data-ticket="${first}"] td.code`).evaluate((td) => {
    const range = document.createRange();
    range.selectNodeContents(td);
    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
  });
  assert.equal(lines, 1, `${first} is on ${lines} lines`);

  // Typing in a field is typing, not a shortcut.
  await page.locator('#desk-first-name').fill('2');
  await page.locator('#desk-first-name').press('2');
  await page.waitForTimeout(300);
  assert.equal(await page.locator('.feedback').innerText(), '');
  await page.locator('#desk-first-name').fill('');

  // 2 calls the walk-in line's next patient; U takes it back.
  const board = await api(server, 'GET', '/queue');
  const next = board.json.lines.find((l) => l.id === 'W').waiting[0].ticket;
  await page.locator('main h1').focus();
  await page.keyboard.press('2');
  await page.locator('.feedback', { hasText: `${next} called to Room 1.` }).waitFor();
  await page.keyboard.press('u');
  await page.locator('.feedback', { hasText: `Undone: ${next} is back at the front of the queue.` }).waitFor();
  await row(page, next).and(page.locator('[data-status="waiting"]')).waitFor();
  // Called again, recalled with R, served with D.
  await page.keyboard.press('2');
  await page.locator('.feedback', { hasText: `${next} called to Room 1.` }).waitFor();
  await page.keyboard.press('r');
  await page.locator('.feedback', { hasText: `${next} called again.` }).waitFor();
  await page.keyboard.press('d');
  await page.locator('.feedback', { hasText: `${next} marked as served.` }).waitFor();
  await row(page, next).waitFor({ state: 'detached' });
  await checkScreen(page, 'reception-desk-wide', 'reception desk at 1440 px');
  assert.deepEqual(signedInErrors(desk.errors), []);
  await desk.context.close();
});
