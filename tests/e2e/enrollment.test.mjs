// Enrolled devices (#13): a tablet pairs and shows a code, reception
// approves it on the tablets page by that code with a name and a role, and only then does it
// check anyone in. Revoked at reception, its next request is refused: it
// forgets today's appointment index, returns to pairing, and keeps what it
// holds for patients until it is set up again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  api,
  checkScreen,
  dumpIndexedDb,
  openPage,
  signInStaff,
  staffCookie,
  startSuite,
  stopSuite,
  waitForEmptyOutbox,
  waitForStep,
  waitInPage,
} from './support/harness.mjs';
import { answerQuestions, tap, typeOnKeyboard, walkInDetails } from './support/kiosk.mjs';

let server;
let browser;

// The demo schedule, with pairings waiting for staff as at a clinic.
before(async () => ({ server, browser } = await startSuite({ demo: true, approveTablets: false })));
after(() => stopSuite({ server, browser }));

/** The code the tablet shows while it waits for approval. */
async function shownCode(page) {
  await waitForStep(page, 'This tablet is not set up');
  const code = page.locator('.pairing-code span[aria-hidden="true"]');
  await code.waitFor();
  return (await code.textContent()).trim();
}

/** Reception types the tablet's code, names it and gives it its role. */
async function approve(desk, code, name) {
  await desk.locator('#enroll-code').fill(code);
  await desk.locator('#enroll-name').fill(name);
  await desk.locator('#enroll-role').selectOption('check-in');
  await desk.getByRole('button', { name: 'Approve', exact: true }).click();
  await desk.getByRole('status').filter({ hasText: `${name} is set up.` }).waitFor();
}

async function deviceCookie(context) {
  const cookie = (await context.cookies()).find((c) => c.name === 'waitwell_device');
  assert.ok(cookie, 'the tablet holds a credential');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
  return `waitwell_device=${cookie.value}`;
}

/** Waits until the app's database holds `n` entries in both its index and its lease store. */
async function waitForKioskData(page, n) {
  await waitInPage(page, async (n) => {
    const db = await new Promise((ok) => { const o = indexedDB.open('waitwell'); o.onsuccess = () => ok(o.result); });
    const count = (name) => new Promise((ok) => { const r = db.transaction(name).objectStore(name).count(); r.onsuccess = () => ok(r.result); });
    const counts = [await count('index'), await count('lease')];
    db.close();
    return counts[0] === n && counts[1] === n;
  }, n);
}

test('pair, approve at reception, check in; revoked, the tablet returns to pairing without its index and keeps its outbox', async () => {
  const kiosk = await openPage(browser);
  const { page } = kiosk;
  await page.goto(`${server.url}/`);
  const code = await shownCode(page);
  assert.match(code, /^[34679ACDEFGHJKMNPQRTUVWXY]{6}$/);
  await page.getByText('Please ask reception for help.').waitFor();
  await checkScreen(page, 'pairing', 'the pairing screen');
  // Paired but not approved: the server gives this tablet nothing.
  const waiting = await deviceCookie(kiosk.context);
  for (const path of ['/offline-index', '/queue']) {
    const reply = await api(server, 'GET', path, undefined, { cookie: waiting });
    assert.equal(reply.status, 401, path);
    assert.equal(reply.json.code, 'device_not_enrolled');
  }
  // Tablets are set up on a page of their own, which the desk links to.
  const desk = await openPage(browser);
  await signInStaff(desk.page, server);
  await desk.page.getByRole('link', { name: 'Tablets', exact: true }).click();
  await desk.page.locator('main h1', { hasText: 'Tablets' }).waitFor();
  // A mistyped code enrols nothing.
  await desk.page.locator('#enroll-code').fill('777777');
  await desk.page.locator('#enroll-name').fill('Wrong');
  await desk.page.getByRole('button', { name: 'Approve', exact: true }).click();
  await desk.page.getByRole('status').filter({ hasText: 'No tablet is waiting with that code' }).waitFor();

  // Approved by its code (typed in lower case with a dash, as people do):
  // the tablet goes on by itself.
  await approve(desk.page, `${code.slice(0, 3).toLowerCase()}-${code.slice(3)}`, 'Entrance kiosk');
  const row = desk.page.locator('table.devices tr', { has: desk.page.locator('th', { hasText: 'Entrance kiosk' }) });
  await row.waitFor();
  await checkScreen(desk.page, 'tablets', 'the tablets page with a tablet set up');
  await waitForStep(page, 'Welcome');

  // A demo patient checks in at the enrolled kiosk.
  await tap(page, 'Check in');
  await tap(page, 'Appointment code');
  await waitForStep(page, 'Type your appointment code');
  await typeOnKeyboard(page, 'OBR2M9');
  await tap(page, 'Continue');
  await waitForStep(page, 'Is this your appointment?');
  await page.locator('.hint-card', { hasText: 'Dr. Patel' }).getByRole('button', { name: 'Yes, this is me' }).click();
  await answerQuestions(page);
  await waitForStep(page, 'You are checked in');
  const ticket = await page.locator('.ticket-code').getAttribute('data-ticket');
  // Back at the desk (still signed in), the patient is in the queue.
  await desk.page.getByRole('link', { name: 'Reception', exact: true }).click();
  await desk.page.locator(`tr.ticket-row[data-ticket="${ticket}"]`).waitFor();
  // It holds today's index and a ticket lease (it is an enrolled check-in
  // kiosk).
  await waitForKioskData(page, 1);

  // The network drops check-ins: a walk-in is saved on the tablet.
  const dropped = (route) => route.abort('connectionrefused');
  await page.route('**/api/v1/check-ins', dropped);
  await page.goto(`${server.url}/`);
  await waitForStep(page, 'Welcome');
  await walkInDetails(page, 'Kept', 'K');
  await answerQuestions(page);
  await page.getByText('Your check-in is saved on this kiosk.').waitFor();
  assert.equal((await dumpIndexedDb(page)).outbox.length, 1);
  await page.goto(`${server.url}/`);
  await waitForStep(page, 'Welcome');

  // Reception revokes the tablet (confirming it).
  await desk.page.getByRole('link', { name: 'Tablets', exact: true }).click();
  await row.waitFor();
  desk.page.once('dialog', (dialog) => dialog.accept());
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.waitFor({ state: 'detached' });
  const gone = await api(server, 'GET', '/offline-index', undefined, { cookie: waiting });
  assert.equal(gone.status, 401);

  // Its next request is refused (whichever comes first: the outbox's
  // retry, a heartbeat, the index refresh, or, here, the check it makes
  // when it starts), and the tablet returns to pairing, with a new code,
  // its index gone and the walk-in still kept (said on screen).
  await page.unroute('**/api/v1/check-ins', dropped);
  await page.goto(`${server.url}/`);
  const again = await shownCode(page);
  assert.notEqual(again, code);
  await page.getByText('Saved on this tablet and sent once it is set up again: 1.').waitFor();
  const stored = await dumpIndexedDb(page);
  assert.deepEqual(stored.index ?? [], [], 'the appointment index is gone');
  assert.deepEqual(stored.lease ?? [], [], 'the ticket lease is gone');
  assert.equal(stored.outbox.length, 1, 'the walk-in is kept');

  // Set up again: the kept walk-in reaches reception, once.
  await approve(desk.page, again, 'Entrance kiosk');
  await waitForStep(page, 'Welcome');
  await waitForEmptyOutbox(page, 60_000);
  const cookie = await staffCookie(server);
  const tickets = (await api(server, 'GET', '/queue/staff', undefined, { cookie })).json.tickets;
  assert.equal(tickets.filter((t) => t.name?.startsWith('Kept')).length, 1, JSON.stringify(tickets));

  // The desk's expected refusals (the sign-in page's session probe, the
  // mistyped code) are the only errors it logged.
  assert.deepEqual(desk.errors.filter((e) => !/status of (401|404) /.test(e)), []);
  await kiosk.context.close();
  await desk.context.close();
});

test('a device set up anew as the board forgets a kiosk index it still holds, though the board page has no outbox', async () => {
  const wall = await openPage(browser);
  const { page } = wall;
  // What a check-in kiosk left on this device: today's index and a ticket
  // lease, in the app's database (written from a page of the same origin
  // that runs no app).
  await page.goto(`${server.url}/config.json`);
  await page.evaluate(async () => {
    const db = await new Promise((ok, fail) => {
      const open = indexedDB.open('waitwell', 2);
      open.onupgradeneeded = () => {
        for (const name of ['outbox', 'index', 'lease']) open.result.createObjectStore(name);
      };
      open.onsuccess = () => ok(open.result);
      open.onerror = () => fail(open.error);
    });
    await new Promise((ok, fail) => {
      const tx = db.transaction(['index', 'lease'], 'readwrite');
      tx.objectStore('index').put('{"entries":[]}', 'today');
      tx.objectStore('lease').put('{}', 'today');
      tx.oncomplete = ok;
      tx.onerror = () => fail(tx.error);
    });
    db.close();
  });
  const before = await dumpIndexedDb(page);
  assert.equal(before.index.length, 1);
  assert.equal(before.lease.length, 1);

  // Opened as the board, not enrolled: it pairs, and what only an enrolled
  // kiosk may hold is gone.
  await page.goto(`${server.url}/board`);
  await shownCode(page);
  await waitForKioskData(page, 0);
  assert.deepEqual(wall.errors.filter((e) => !/status of (401|404) /.test(e)), []);
  await wall.context.close();
});
