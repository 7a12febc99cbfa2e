// The kiosk in Chromium against a server whose schedule is a FHIR R4
// server's (tests/fhir/server.mjs: Medplum's engine, in memory, holding the
// demo clinic's appointments, which --demo writes there): a check-in at the
// kiosk reaches the EHR as an arrived Appointment and one Encounter (also
// when an answer is lost, through 503 and 429, and over a change made in
// between), and while the EHR is away reception sees what has not reached
// it yet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, checkScreen, launchBrowser, openPage, signInStaff, staffCookie, startEhr, startServer, waitForStep } from './support/harness.mjs';
import { answerQuestions, chooseBirthDate, tap, typeOnKeyboard } from './support/kiosk.mjs';

const LETTERS = 'urn:waitwell:demo-letter';
let ehr;
let server;
let browser;

before(async () => {
  ehr = await startEhr();
  server = await startServer({ demo: true, fhir: ehr.base });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await ehr?.stop();
});

/** The demo appointment with the letter code `code`, as the EHR has it. */
async function appointment(code) {
  const [found] = await ehr.search(`Appointment?identifier=${encodeURIComponent(`${LETTERS}|${code}`)}`);
  assert.ok(found, `appointment ${code} in the EHR`);
  return found;
}

/** Waits until `check` holds (polled), up to `ms`. */
async function eventually(what, check, ms = 20_000) {
  const until = Date.now() + ms;
  for (;;) {
    const last = await check();
    if (last === true) return;
    if (Date.now() > until) assert.fail(`${what}: ${JSON.stringify(last)}`);
    await new Promise((ok) => setTimeout(ok, 250));
  }
}

async function arrivedOnce(code) {
  // Retries back off 5, 10, 20 s: give them time.
  await eventually(`${code} arrived in the EHR with one visit`, async () => {
    const a = await appointment(code);
    const visits = await ehr.search(`Encounter?appointment=Appointment/${a.id}`);
    return (a.status === 'arrived' && visits.length === 1 && visits[0].status === 'arrived')
      || { status: a.status, visits: visits.map((v) => v.status) };
  }, 45_000);
  // And it stays at one (nothing still on its way makes a second).
  await new Promise((ok) => setTimeout(ok, 1_500));
  const a = await appointment(code);
  assert.equal((await ehr.search(`Encounter?appointment=Appointment/${a.id}`)).length, 1);
}

test('a check-in at the kiosk reaches the EHR: the appointment arrives and one visit opens', async () => {
  assert.equal((await appointment('GAR4K7')).status, 'booked');
  const { context, page, errors } = await openPage(browser);
  await page.goto(`${server.url}/`);
  await waitForStep(page, 'Welcome');
  await tap(page, 'Check in');
  await waitForStep(page, 'How would you like to find your appointment?');
  await tap(page, 'Last name and date of birth');
  await waitForStep(page, 'What is your last name?');
  await typeOnKeyboard(page, 'GARCIA LOPEZ');
  await tap(page, 'Continue');
  await waitForStep(page, 'What is your date of birth?');
  await chooseBirthDate(page, '1980-04-12');
  await tap(page, 'Find my appointment');
  await waitForStep(page, 'Is this your appointment?');
  // The EHR's appointment, masked as any other.
  const hint = await page.locator('.hint-card').innerText();
  assert.match(hint, /M\. G\./);
  assert.match(hint, /Dr\. Lee/);
  await page.getByRole('button', { name: 'Yes, this is me' }).click();
  await answerQuestions(page);
  await waitForStep(page, 'You are checked in');
  await arrivedOnce('GAR4K7');
  assert.deepEqual(errors, []);
  await context.close();
});

/**
 * Waits until the bridge has nothing left to send, as reception is told.
 * The EHR may already have a write whose answer was lost while the bridge
 * still has it due for a retry after its backoff (5, 10, 20, 40 s when the
 * later faults meet that retry too).
 */
async function nothingLeftToSend() {
  const cookie = await staffCookie(server);
  await eventually('nothing left to send to the EHR', async () => {
    const queue = await api(server, 'GET', '/queue/staff', undefined, { cookie });
    assert.equal(queue.status, 200, queue.text);
    return queue.json.ehr?.unsent === 0 || queue.json.ehr;
  }, 90_000);
}

/** A check-in at a fresh kiosk by the code on the patient's letter. */
async function checkInByCode(code) {
  const { context, page, errors } = await openPage(browser);
  await page.goto(`${server.url}/`);
  await waitForStep(page, 'Welcome');
  await tap(page, 'Check in');
  await waitForStep(page, 'How would you like to find your appointment?');
  await tap(page, 'Appointment code');
  await waitForStep(page, 'Type your appointment code');
  await typeOnKeyboard(page, code);
  await page.getByRole('button', { name: 'Continue' }).click();
  await waitForStep(page, 'Is this your appointment?');
  await page.getByRole('button', { name: 'Yes, this is me' }).first().click();
  await answerQuestions(page);
  await waitForStep(page, 'You are checked in');
  assert.deepEqual(errors, []);
  await context.close();
}

test('an arrival reaches the EHR once when its answer is lost, through 503 and 429, and over a change made in between', async () => {
  // The answer to the arrival's write is lost: it is sent again, and the
  // EHR still has one visit.
  await ehr.fault({ lose: 1 });
  await checkInByCode('VDB3T6');
  await arrivedOnce('VDB3T6');
  // The EHR has it, and the bridge, which never heard so, sends it again
  // after its backoff (so the faults below meet the next arrival, not it).
  await nothingLeftToSend();
  // The EHR answers 503, then 429, for a while.
  await ehr.fault({ status: 503, count: 2 });
  await checkInByCode('HAD7Q3');
  await ehr.fault({ status: 429, count: 1 });
  await arrivedOnce('HAD7Q3');
  // Someone else changes the appointment between the bridge's read and its
  // update: it reads again, and their change stays.
  await ehr.fault({ touch: 1 });
  await checkInByCode('HAD8R4');
  await arrivedOnce('HAD8R4');
  assert.match((await appointment('HAD8R4')).comment ?? '', /^changed elsewhere/);
  // The retries end: each write is marked sent, and none made a second visit.
  await nothingLeftToSend();
  for (const code of ['VDB3T6', 'HAD7Q3', 'HAD8R4']) {
    const a = await appointment(code);
    assert.equal((await ehr.search(`Encounter?appointment=Appointment/${a.id}`)).length, 1, code);
  }
});

test('while the EHR is away, reception sees what has not reached it; it is sent once it is back', async () => {
  const { context, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 900 } });
  await signInStaff(page, server);
  const status = page.locator('.ehr-status');
  assert.equal((await status.innerText()).trim(), '', 'nothing to say while all is well');

  await ehr.fault({ down: true });
  // Sean checks in at another kiosk (through the API, as it would).
  const found = await api(server, 'POST', '/identify', { method: 'code', code: 'OBR2M9' });
  assert.equal(found.status, 200, found.text);
  const [hint] = found.json.matches;
  const checkedIn = await api(server, 'POST', '/check-ins', {
    kind: 'appointment',
    identity: { method: 'code', code: 'OBR2M9' },
    time: hint.time,
    clinician: hint.clinician,
  }, { 'idempotency-key': crypto.randomUUID() });
  assert.equal(checkedIn.status, 201, checkedIn.text);
  await status.getByText('Not yet in the EHR: 1').waitFor({ timeout: 10_000 });
  await checkScreen(page, 'reception-ehr-unsent');

  await ehr.fault({ down: false });
  await arrivedOnce('OBR2M9');
  await status.getByText('Not yet in the EHR').waitFor({ state: 'detached', timeout: 20_000 });
  // Only the 401 that answered "not signed in yet" before the sign-in.
  assert.deepEqual(errors.filter((e) => !e.includes('status of 401')), []);
  await context.close();
});
