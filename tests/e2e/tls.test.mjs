// The app over HTTPS: the server makes its own certificate (as a LAN
// install would, with --tls-self-signed), Chromium is told to accept it
// (a tablet would have its fingerprint checked at setup), and everything
// works as over plain HTTP, with the staff cookie marked Secure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import {
  openPage,
  signInStaff,
  startSuite,
  stopSuite,
  waitForPage,
  checkScreen,
} from './support/harness.mjs';
import { tap, typeOnKeyboard, answerQuestions } from './support/kiosk.mjs';

let server;
let browser;

before(async () => ({ server, browser } = await startSuite({ demo: true, tls: true })));
after(() => stopSuite({ server, browser }));

test('over HTTPS a patient checks in and staff sign in with a Secure cookie', async () => {
  assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const certificate = new X509Certificate(readFileSync(join(server.dir, 'tls/cert.pem')));
  assert.ok(certificate.subjectAltName.includes('IP Address:127.0.0.1'), certificate.subjectAltName);

  let ticket;
  const kiosk = await openPage(browser, { ignoreHTTPSErrors: true });
  const response = await kiosk.page.goto(`${server.url}/`);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['strict-transport-security'], /max-age=\d+/);
  assert.match(response.headers()['permissions-policy'], /camera=\(self\)/);
  await kiosk.page.locator('main h1', { hasText: 'Welcome' }).waitFor();
  await waitForPage(kiosk.page);
  assert.equal(await kiosk.page.evaluate(() => window.isSecureContext), true);
  await checkScreen(kiosk.page, 'tls-welcome', 'welcome over HTTPS');
  // A demo patient's check-in by appointment code, the whole way through.
  const { page } = kiosk;
  await tap(page, 'Check in');
  await page.locator('main h1', { hasText: 'How would you like to find your appointment?' }).waitFor();
  await tap(page, 'Appointment code');
  await typeOnKeyboard(page, 'OBR2M9');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.locator('main h1', { hasText: 'Is this your appointment?' }).waitFor();
  await page.locator('.hint-card', { hasText: 'Dr. Patel' }).getByRole('button', { name: 'Yes, this is me' }).click();
  await answerQuestions(page);
  await page.locator('main h1', { hasText: 'You are checked in' }).waitFor();
  ticket = await page.locator('.ticket-code').getAttribute('data-ticket');
  assert.match(ticket, /^[A-Z]-\d{3}$/);
  assert.deepEqual(kiosk.errors, []);
  await kiosk.context.close();

  const desk = await openPage(browser, { ignoreHTTPSErrors: true });
  await signInStaff(desk.page, server);
  // The ticket made over TLS is on the desk.
  await desk.page.locator(`tr.ticket-row[data-ticket="${ticket}"]`).waitFor();
  const cookie = (await desk.context.cookies()).find((c) => c.name === 'waitwell_staff');
  assert.ok(cookie, 'signed in');
  assert.equal(cookie.secure, true);
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
  await desk.context.close();
});
