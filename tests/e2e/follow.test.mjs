// Following a ticket on the patient's own phone: the kiosk's ticket screen
// shows a QR code for /t/{token}; a second, phone-sized browser context
// opens that link, sees the place and wait, is told "called" within 2 s of
// reception calling, and the link stops working when the ticket is
// finished or reception ends it. Nothing on the phone names the patient.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  openPage,
  waitForStep,
  api,
  staffCookie,
  signInStaff,
  startSuite,
  stopSuite,
  checkScreen,
} from './support/harness.mjs';
import { tap, chooseBirthDate, answerQuestions } from './support/kiosk.mjs';

let server;
let browser;

before(async () => ({ server, browser } = await startSuite({ demo: true })));
after(() => stopSuite({ server, browser }));

const PHONE = { width: 390, height: 844 };

/** A phone opening `link`, recording what it buzzes and notifies. */
async function openPhone(link) {
  const opened = await openPage(browser, { viewport: PHONE });
  // Headless Chromium has no notification centre or vibration motor: these
  // stand-ins record what the page asks of them.
  await opened.context.addInitScript(() => {
    window.__notified = [];
    window.__buzzed = [];
    window.Notification = class {
      static permission = 'default';
      static requestPermission() {
        return Promise.resolve('granted');
      }
      constructor(title, options) {
        window.__notified.push(`${title}: ${options?.body}`);
      }
    };
    navigator.vibrate = (pattern) => {
      window.__buzzed.push(pattern);
      return true;
    };
  });
  await opened.page.goto(link);
  return opened;
}

/** Console errors other than the expected 404s of an ended link. */
const unexpected = (errors) => errors.filter((e) => !/404/.test(e));

async function staffAct(action) {
  const cookie = await staffCookie(server);
  const reply = await api(server, 'POST', '/queue/actions', action, { cookie });
  assert.equal(reply.status, 200, reply.text);
}

async function staffId(code) {
  const cookie = await staffCookie(server);
  const queue = (await api(server, 'GET', '/queue/staff', undefined, { cookie })).json;
  return queue.tickets.find((t) => t.ticket === code).id;
}

test('a patient follows the ticket on their phone, in their language, until it is finished', async () => {
  const kiosk = await openPage(browser);
  const { page } = kiosk;
  await page.goto(`${server.url}/`);
  await waitForStep(page, 'Welcome');
  await tap(page, 'Check in');
  await waitForStep(page, 'How would you like to find your appointment?');
  await tap(page, 'Last name and date of birth');
  await page.locator('#family-name').fill('García López');
  await tap(page, 'Continue');
  await waitForStep(page, 'What is your date of birth?');
  await chooseBirthDate(page, '1980-04-12');
  await tap(page, 'Find my appointment');
  await page.locator('.hint-card', { hasText: 'Dr. Lee' }).getByRole('button', { name: 'Yes, this is me' }).click();
  await answerQuestions(page);
  await waitForStep(page, 'You are checked in');
  const code = await page.locator('.ticket-code').getAttribute('data-ticket');

  // The QR code is on the ticket, loaded, and named.
  const figure = page.locator('figure.phone-link');
  await figure.locator('img').waitFor();
  await page.waitForFunction(() => document.querySelector('figure.phone-link img')?.naturalWidth > 0);
  assert.equal(await figure.locator('img').getAttribute('alt'), 'QR code that opens your ticket on your phone');
  await checkScreen(page, 'follow-kiosk-ticket', 'ticket with its phone link');
  // The patient switches to Spanish: the link opens in Spanish.
  await page.locator('header button[lang="es"]').click();
  await page.waitForFunction(() => document.querySelector('figure.phone-link')?.dataset.link.endsWith('?lang=es'));
  const link = await figure.getAttribute('data-link');
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/t\/[0-9a-f]{32}\?lang=es$/);

  const phone = await openPhone(link);
  await waitForStep(phone.page, 'Su lugar en la fila');
  await phone.page.locator('.phone .ticket-code').waitFor();
  assert.equal(await phone.page.locator('.phone .ticket-code').getAttribute('data-ticket'), code);
  const position = Number(await phone.page.locator('.phone .position').getAttribute('data-position'));
  assert.ok(position >= 1, `position ${position}`);
  assert.match(await phone.page.locator('.phone .wait').innerText(), /minutos|pronto/);
  // Nothing that names the patient, their birth date or their clinician.
  const shown = await phone.page.locator('body').innerText();
  assert.doesNotMatch(shown, /Garc[ií]a|L[oó]pez|M\. G\.|1980|Dr\. Lee/);
  // Nor anything about an outbox the phone does not have.
  assert.equal(await phone.page.locator('header .sync-status, header [data-sync]').count(), 0);
  await checkScreen(phone.page, 'follow-phone-waiting-es', 'phone, waiting');

  await phone.page.getByRole('button', { name: 'Avisarme' }).click();
  await phone.page.locator('[data-notify="on"]').waitFor();

  // Reception calls the ticket: the phone says so within 2 s.
  const id = await staffId(code);
  const called = Date.now();
  await staffAct({ action: 'call', ticket: id, room: 'Room 3' });
  await phone.page.locator('.phone .called-now').waitFor({ timeout: 2000 });
  const took = Date.now() - called;
  assert.match(await phone.page.locator('.phone .called-now').innerText(), /Sala 3/);
  const notified = await phone.page.evaluate(() => window.__notified);
  assert.ok(notified.some((n) => /Sala 3/.test(n)), JSON.stringify(notified));
  assert.ok((await phone.page.evaluate(() => window.__buzzed)).length >= 2, 'buzzed when asked and when called');
  await checkScreen(phone.page, 'follow-phone-called-es', 'phone, called');
  console.log(`# call -> phone: ${took} ms`);

  // Seen: the link is over, on the open page and for a fresh visit.
  await staffAct({ action: 'serve', ticket: id });
  await phone.page.locator('[data-gone="true"]').waitFor({ timeout: 5000 });
  await waitForStep(phone.page, 'Este enlace ha terminado');
  const again = await openPhone(link);
  await again.page.locator('[data-gone="true"]').waitFor();
  assert.equal((await api(server, 'GET', `/follow/${link.split('/t/')[1].split('?')[0]}`, undefined, { cookie: '' })).status, 404);

  // The kiosk starts over: the QR code goes with the ticket.
  await page.getByRole('button', { name: 'Listo' }).click();
  await waitForStep(page, /Welcome|Bienvenido/);
  assert.equal(await page.locator('figure.phone-link').count(), 0);
  assert.deepEqual(
    await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/follow/'))),
    [],
    'the QR image is not even in the list of loaded resources',
  );

  assert.deepEqual(unexpected(kiosk.errors), []);
  assert.deepEqual(unexpected(phone.errors), []);
  await Promise.all([kiosk.context.close(), phone.context.close(), again.context.close()]);
});

test('reception ends a phone link: the open phone says so and the ticket stays in the line', async () => {
  const reply = await api(server, 'POST', '/check-ins',
    { kind: 'walk_in', first_name: 'Nadia', last_initial: 'K', reason: 'other' },
    { 'idempotency-key': crypto.randomUUID() });
  assert.equal(reply.status, 201, reply.text);
  const { ticket: code, follow } = reply.json;
  const phone = await openPhone(follow.url);
  await waitForStep(phone.page, 'Your place in the queue');
  await phone.page.locator('.phone .position').waitFor();
  assert.doesNotMatch(await phone.page.locator('body').innerText(), /Nadia|K\./);

  const desk = await openPage(browser, { viewport: { width: 1280, height: 800 } });
  await signInStaff(desk.page, server);
  const row = desk.page.locator(`tr.ticket-row[data-ticket="${code}"]`);
  await row.getByRole('button', { name: `End phone link ${code}` }).click();
  await desk.page.getByText(`Phone link ended for ${code}.`).waitFor();
  await row.getByRole('button', { name: `End phone link ${code}` }).waitFor({ state: 'detached' });

  await phone.page.locator('[data-gone="true"]').waitFor({ timeout: 5000 });
  await waitForStep(phone.page, 'This link has ended');
  await checkScreen(phone.page, 'follow-phone-ended-en', 'phone, link ended');
  // Still waiting, still on the board.
  assert.equal(await row.getAttribute('data-status'), 'waiting');
  const board = await api(server, 'GET', '/queue');
  assert.ok(board.json.lines.some((l) => l.waiting.some((t) => t.ticket === code)));
  // A made-up link finds nothing either.
  const madeUp = await openPhone(`${server.url}/t/${'0'.repeat(32)}`);
  await madeUp.page.locator('[data-gone="true"]').waitFor();

  assert.deepEqual(unexpected(phone.errors), []);
  // (The desk's 401 is "not signed in yet", before signing in.)
  assert.deepEqual(unexpected(desk.errors).filter((e) => !/status of 401/.test(e)), []);
  await Promise.all([phone.context.close(), desk.context.close(), madeUp.context.close()]);
});
