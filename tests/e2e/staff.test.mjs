// Named staff accounts in Chromium: an account added with the server's own
// `staff add`, signed in at reception, its PIN set and this browser made a
// reception desk; the screen locks after a while without a touch and the
// PIN opens it; five wrong PINs mean a full sign-in; and a manager reads
// every step in the access log at /insights.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  addStaff,
  checkScreen,
  openPage,
  signInStaff,
  startSuite,
  stopSuite,
  waitForPage,
  walkIn,
} from './support/harness.mjs';

// A short idle time, so the lock comes within seconds (the server's clock
// and the page's both run it).
const IDLE_SECONDS = 8;

let server;
let browser;

before(async () => ({ server, browser } = await startSuite({ settings: { staff: { idle_seconds: IDLE_SECONDS } } })));
after(() => stopSuite({ server, browser }));

/** Waits for the locked screen (the idle time, plus the page's 1 s tick). */
async function waitForLock(page) {
  await page.locator('h1', { hasText: 'Screen locked' }).waitFor({ timeout: (IDLE_SECONDS + 6) * 1000 });
  await waitForPage(page);
}

/** Types a PIN on the locked screen; the server's answer. */
async function typePin(page, pin) {
  await page.locator('#staff-pin').fill(pin);
  const answered = page.waitForResponse((r) => r.url().endsWith('/staff/session/unlock'));
  await page.locator('form.unlock button[type="submit"]').click();
  return (await answered).status();
}

test('a person signs in with their own account, idle-locks, unlocks by PIN, is locked out, and the access log shows it', async () => {
  // A second person, added as a clinic does, while the server runs.
  const ben = addStaff(server.dir, 'Ben');
  const ticket = await walkIn(server, 'Nadia');

  const { context, page, errors } = await openPage(browser, { viewport: { width: 1440, height: 900 } });
  await signInStaff(page, server, '/reception', ben);
  await page.locator('.signed-in-as', { hasText: 'Signed in as Ben' }).waitFor();
  await page.locator('.desk-line').first().waitFor();

  // A PIN that is not 4 to 8 digits is refused on the spot.
  await page.locator('#new-pin').fill('12a');
  await page.getByRole('button', { name: 'Save PIN' }).click();
  await page.locator('#pin-said', { hasText: 'A PIN is 4 to 8 digits.' }).waitFor();
  await page.locator('#new-pin').fill('4821');
  await page.getByRole('button', { name: 'Save PIN' }).click();
  await page.locator('#pin-said', { hasText: 'PIN saved.' }).waitFor();
  // Not yet a desk: a PIN could not unlock here.
  await page.locator('.desk-standing', { hasText: 'this computer signs you out' }).waitFor();
  await page.getByRole('button', { name: 'Set up as a reception desk' }).click();
  await page.locator('.desk-standing', { hasText: 'This computer is a reception desk' }).waitFor();
  const device = (await context.cookies()).find((c) => c.name === 'waitwell_device');
  assert.ok(device?.httpOnly, 'the desk holds an HttpOnly device credential');

  // Ben calls the walk-in: a queue action in his name.
  const walkIns = page.locator('.desk-line', { has: page.locator('h2', { hasText: 'Walk-in' }) });
  await walkIns.getByRole('button', { name: /^Call next to Room 1$/ }).click();
  await page.locator('.feedback', { hasText: `${ticket} called to Room 1.` }).waitFor();

  // A while without a touch: the screen locks, names who is signed in,
  // and the server is locked too (a reload shows the lock, not the queue).
  await waitForLock(page);
  await page.getByText('Ben is signed in here. Type your PIN to go on.').waitFor();
  assert.equal(await page.locator('.desk-line').count(), 0, 'no patient names behind the lock');
  await page.reload();
  await waitForLock(page);
  await checkScreen(page, 'reception-locked-en');

  assert.equal(await typePin(page, '1111'), 401);
  await page.locator('#pin-error', { hasText: 'That PIN is not right.' }).waitFor();
  assert.equal(await typePin(page, '4821'), 200);
  await page.locator('.desk-line').first().waitFor();
  await page.locator('.signed-in-as', { hasText: 'Signed in as Ben' }).waitFor();

  // Locked again; five wrong PINs end the session: a full sign-in.
  await waitForLock(page);
  for (let i = 1; i <= 4; i++) assert.equal(await typePin(page, '0000'), 401);
  await typePin(page, '0000');
  await page.locator('.note', { hasText: 'Too many wrong PINs. Please sign in with your passphrase.' }).waitFor();
  await page.locator('#staff-name').waitFor();
  const status = await page.evaluate(async () => (await fetch('/api/v1/staff/session')).status);
  assert.equal(status, 401, 'the session is over on the server too');
  assert.ok(errors.every((e) => /status of 40[13]/.test(e)), errors.join('\n'));
  await context.close();

  // The manager reads it all in the access log; Ben (not a manager) does
  // not see the log at all.
  const manager = await openPage(browser, { viewport: { width: 1440, height: 900 } });
  await signInStaff(manager.page, server, '/insights');
  const log = manager.page.locator('table.access-log');
  await log.waitFor();
  const rows = await log.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({ action: tr.dataset.action, who: tr.children[1].textContent, detail: tr.children[3].textContent })));
  const did = (action, who = 'Ben') => rows.some((r) => r.action === action && r.who === who);
  for (const action of ['signed_in', 'pin_set', 'desk_enrolled', 'queue_action', 'unlocked_by_pin', 'pin_lockout']) {
    assert.ok(did(action), `${action} by Ben in ${JSON.stringify(rows)}`);
  }
  assert.ok(rows.some((r) => r.action === 'queue_action' && r.detail === `call_next ${ticket}`), JSON.stringify(rows));
  assert.ok(did('account_added', '(command line)'), 'the account was added on the command line');
  assert.ok(did('signed_in', 'Rosa'), 'the manager signing in is logged too');
  // No patient's name anywhere in the log.
  assert.ok(rows.every((r) => !r.detail.includes('Nadia')), JSON.stringify(rows));
  await checkScreen(manager.page, 'insights-access-log-en');
  await manager.context.close();

  const staffOnly = await openPage(browser);
  await signInStaff(staffOnly.page, server, '/insights', addStaff(server.dir, 'Cleo'));
  await staffOnly.page.locator('h2', { hasText: 'Responses per day' }).waitFor();
  assert.equal(await staffOnly.page.locator('table.access-log').count(), 0);
  await staffOnly.context.close();
});

/** Types a current and a new passphrase in reception's account panel and sends them. */
async function changePassphrase(page, current, next) {
  await page.locator('#current-passphrase').fill(current);
  await page.locator('#new-passphrase').fill(next);
  await page.getByRole('button', { name: 'Change passphrase' }).click();
}

test('a person chooses their own passphrase at reception: a wrong current one is said, their other sessions end, and the new one signs in', async () => {
  const dana = addStaff(server.dir, 'Dana');
  const chosen = 'Tulips at the front desk';
  const here = await openPage(browser, { viewport: { width: 1440, height: 900 } });
  const there = await openPage(browser, { viewport: { width: 1440, height: 900 } });
  for (const { page } of [here, there]) {
    await signInStaff(page, server, '/reception', dana);
    await page.locator('.signed-in-as', { hasText: 'Signed in as Dana' }).waitFor();
  }
  const { page } = here;
  let asked = 0;
  page.on('request', (r) => r.url().endsWith('/staff/passphrase') && asked++);

  // Too short, or no current one: said on the spot, nothing sent.
  await changePassphrase(page, dana.passphrase, 'too short');
  await page.locator('#passphrase-said', { hasText: 'A new passphrase has 12 to 256 characters, and is not your current one.' }).waitFor();
  await changePassphrase(page, '', chosen);
  await page.locator('#passphrase-said', { hasText: 'Type your current passphrase first.' }).waitFor();
  assert.equal(asked, 0);

  // A wrong current one: said, and Dana is still signed in.
  await changePassphrase(page, 'not-my-passphrase', chosen);
  await page.locator('#passphrase-said:not(.done)', { hasText: 'That is not your current passphrase.' }).waitFor();
  assert.equal(await page.locator('#current-passphrase').inputValue(), '');
  assert.equal(await page.locator('.signed-in-as', { hasText: 'Signed in as Dana' }).count(), 1);

  await changePassphrase(page, dana.passphrase, chosen);
  await page.locator('#passphrase-said.done', { hasText: 'Passphrase changed.' }).waitFor();
  assert.deepEqual([await page.locator('#current-passphrase').inputValue(), await page.locator('#new-passphrase').inputValue()], ['', '']);
  assert.equal(asked, 2);
  await checkScreen(page, 'reception-passphrase-changed-en');
  // Still signed in here after a reload.
  await page.reload();
  await page.locator('.signed-in-as', { hasText: 'Signed in as Dana' }).waitFor();
  // Only the answers shown above: not signed in before the sign-in, and the wrong passphrase.
  assert.ok(here.errors.every((e) => /status of 40[13]/.test(e)), here.errors.join('\n'));

  // The other session, opened with the old passphrase, has ended; the old
  // passphrase no longer signs in, the chosen one does.
  await there.page.reload();
  await there.page.locator('#staff-name').waitFor();
  await there.page.locator('#staff-name').fill('Dana');
  await there.page.locator('#staff-passphrase').fill(dana.passphrase);
  await there.page.locator('form.sign-in button[type="submit"]').click();
  await there.page.locator('#sign-in-error', { hasText: 'That name and passphrase do not match an account.' }).waitFor();
  await signInStaff(there.page, server, '/reception', { name: 'Dana', passphrase: chosen });
  await there.page.locator('.signed-in-as', { hasText: 'Signed in as Dana' }).waitFor();
  await here.context.close();
  await there.context.close();
});

