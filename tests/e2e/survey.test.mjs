// The exit survey against the real server: one tap counts, follow-ups are
// optional, a low rating can call someone over, and reception hears of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  openPage,
  waitForPage,
  waitForStep,
  signInStaff,
  api,
  staffCookie,
  startSuite,
  checkScreen,
  stopSuite,
} from './support/harness.mjs';

let server;
let browser;

before(async () => ({ server, browser } = await startSuite({ demo: true })));
after(() => stopSuite({ server, browser }));

async function openSurvey({ locale = 'en-US', clock = false } = {}) {
  const opened = await openPage(browser, { locale });
  if (clock) await opened.context.clock.install();
  await opened.page.goto(`${server.url}/survey`);
  await opened.page.locator('.face-button').first().waitFor();
  await waitForPage(opened.page);
  return opened;
}

const heading = waitForStep;

const check = (page, name, lang = 'en') => checkScreen(page, `survey-${name}-${lang}`, `${name} (${lang})`);

async function insights() {
  const cookie = await staffCookie(server);
  const today = new Date().toISOString().slice(0, 10);
  const reply = await api(server, 'GET', `/insights?from=${today}&to=${today}`, undefined, { cookie });
  assert.equal(reply.status, 200, reply.text);
  return reply.json;
}

test('one tap is stored even if the patient walks away at the next screen', async () => {
  const before = (await insights()).responses;
  const { context, page, errors } = await openSurvey();
  await check(page, 'rate');
  await page.getByRole('button', { name: 'Very happy' }).click();
  await heading(page, 'How likely are you to recommend us');
  await page.waitForFunction(() => true);
  // Walks away: the page is closed at once.
  await context.close();
  const deadline = Date.now() + 5000;
  while ((await insights()).responses !== before + 1 && Date.now() < deadline) {
    await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.equal((await insights()).responses, before + 1);
  assert.deepEqual(errors, []);
});

test('a full response with every follow-up', async () => {
  const { context, page, errors } = await openSurvey();
  await page.getByRole('button', { name: 'Happy', exact: true }).click();
  await heading(page, 'How likely are you to recommend us');
  await check(page, 'recommend');
  await page.getByRole('button', { name: '9', exact: true }).click();
  await heading(page, 'What went well?');
  await page.getByRole('button', { name: 'Staff kindness' }).click();
  await page.getByRole('button', { name: 'Cleanliness' }).click();
  assert.equal(await page.getByRole('button', { name: 'Cleanliness' }).getAttribute('aria-pressed'), 'true');
  await check(page, 'themes');
  await page.getByRole('button', { name: 'Continue' }).click();
  await heading(page, 'Anything else you would like to tell us?');
  const keyboard = page.getByRole('group', { name: 'Keyboard' });
  for (const key of ['G', 'R', 'E', 'A', 'T']) await keyboard.getByRole('button', { name: key, exact: true }).click();
  await keyboard.getByRole('button', { name: 'Space' }).click();
  await page.locator('#survey-comment').press('End');
  await page.locator('#survey-comment').pressSequentially('team <b>x</b>');
  await check(page, 'comment');
  await page.getByRole('button', { name: 'Continue' }).click();
  await heading(page, 'Would you like to thank someone?');
  await check(page, 'thanks');
  await page.getByRole('button', { name: 'Nurse Kim' }).click();
  await heading(page, 'Thank you!');
  await check(page, 'done');

  const figures = await insights();
  const comment = figures.comments.find((c) => c.text.startsWith('GREAT team'));
  assert.ok(comment, JSON.stringify(figures.comments));
  assert.equal(comment.text, 'GREAT team <b>x</b>', 'stored as the text it is');
  assert.equal(comment.rating, 3);
  assert.ok(figures.went_well.some((t) => t.theme === 'staff_kindness'));
  assert.ok(figures.thanks.some((t) => t.staff === 'Nurse Kim'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('a low rating with "talk to me" alerts reception within a second; staff acknowledge it', async () => {
  const desk = await openPage(browser, { viewport: { width: 1440, height: 900 } });
  await signInStaff(desk.page, server);
  await desk.page.locator('.desk-line').first().waitFor();

  const { context, page, errors } = await openSurvey();
  await page.getByRole('button', { name: 'Very unhappy' }).click();
  await heading(page, 'Would you like someone to talk to you before you leave?');
  await check(page, 'talk');
  const started = Date.now();
  await page.getByRole('button', { name: 'Yes, please' }).click();
  const alert = desk.page.locator('.survey-alert', { hasText: 'rated the visit 1 of 4' });
  await alert.waitFor({ timeout: 1000 });
  console.log(`talk-to-me alert at reception ${Date.now() - started} ms after the tap`);
  await heading(page, 'May we have your first name?');
  await check(page, 'name');
  await page.locator('#survey-first-name').fill('Rosa');
  await page.getByRole('button', { name: 'Continue' }).click();
  // The name given afterwards joins the alert already on screen.
  const named = desk.page.locator('.survey-alert', { hasText: 'Rosa rated the visit 1 of 4' });
  await named.waitFor({ timeout: 3000 });
  await heading(page, 'How likely are you to recommend us');
  await named.getByRole('button', { name: 'Acknowledge' }).click();
  await named.waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
  await context.close();
  await desk.context.close();
});

test('after a response the faces rest for the cool-down, then the next patient can answer', async () => {
  const { context, page } = await openSurvey({ clock: true });
  await page.getByRole('button', { name: 'Very happy' }).click();
  await heading(page, 'How likely are you to recommend us');
  await page.getByRole('button', { name: 'Skip' }).click();
  await page.getByRole('button', { name: 'Skip' }).click();
  await page.getByRole('button', { name: 'Skip' }).click();
  await page.getByRole('button', { name: 'Skip' }).click();
  await heading(page, 'Thank you!');
  await page.getByRole('button', { name: 'Done' }).click();
  await heading(page, 'How was your visit today?');
  // Pressed again at once: refused, with the seconds to wait.
  await page.locator('.hint', { hasText: /The next person can answer in \d+ seconds/ }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Very happy' }).isDisabled(), true);
  await page.clock.runFor(21_000);
  await page.waitForFunction(() => !document.querySelector('.face-button').disabled);
  await context.close();
});

test('the idle reset goes back to the faces, and Spanish and Arabic are complete', async () => {
  const { context, page } = await openSurvey({ clock: true });
  await page.getByRole('button', { name: 'Unhappy', exact: true }).click();
  await heading(page, 'Would you like someone to talk to you');
  await page.clock.runFor(61_000);
  await page.getByRole('alertdialog').waitFor();
  await page.clock.runFor(31_000);
  await heading(page, 'How was your visit today?');
  await context.close();
  for (const [locale, lang, title] of [['es-ES', 'es', '¿Qué tal ha sido su visita hoy?'], ['ar', 'ar', 'كيف كانت زيارتك اليوم؟']]) {
    const opened = await openSurvey({ locale });
    assert.equal((await opened.page.locator('main h1').innerText()).trim(), title);
    await check(opened.page, 'rate', lang);
    await opened.page.locator('.face-button').first().click();
    await opened.page.locator('main h1').filter({ hasNotText: title }).waitFor();
    await waitForPage(opened.page);
    await opened.page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
    await check(opened.page, 'talk', lang);
    await opened.context.close();
  }
});

test('insights show the new response in their figures, charts with tables, search, and the CSV', async () => {
  // A response of our own, with a comment to search for.
  const id = crypto.randomUUID();
  const reply = await api(server, 'PUT', `/surveys/${id}`, {
    rating: 4, recommend: 10, went_well: ['waiting_time'], comment: 'Lovely =cmd|calc tulips', thanks: 'lee',
  });
  assert.ok(reply.status < 300, reply.text);
  const figures = await insights();

  const { context, page, errors } = await openPage(browser, { viewport: { width: 1440, height: 900 } });
  await signInStaff(page, server, '/insights');
  await page.locator('[data-figure="responses"]').waitFor();
  await waitForPage(page);
  assert.equal(await page.locator('[data-figure="responses"]').innerText(), String(figures.responses));
  assert.equal(await page.locator('[data-figure="nps"]').innerText(), String(figures.nps));
  assert.equal(await page.locator('[data-figure="happy-index"]').innerText(), `${Math.round(figures.happy_index * 100)}%`);
  assert.match(await page.locator('.comments').innerText(), /Lovely =cmd\|calc tulips/);
  assert.match(await page.locator('#thanks-title').locator('..').innerText(), /Dr\. Lee/);
  // Each chart is an SVG image with a data table behind it.
  for (const chart of ['daily', 'hourly']) {
    const section = page.locator(`section[aria-labelledby="${chart}-title"]`);
    assert.equal(await section.locator('svg[role="img"]').count(), 1);
    assert.ok(await section.locator('table.chart-data tbody tr').count() >= 1, chart);
  }
  // The default period is the last 7 days: all 7 are charted, those
  // without answers at zero.
  const days = page.locator('section[aria-labelledby="daily-title"] table.chart-data tbody tr');
  assert.equal(await days.count(), 7);
  assert.equal(await page.locator('section[aria-labelledby="daily-title"] rect.chart-bar').count(), 7);
  await check(page, 'insights');

  // Search narrows the comments.
  await page.locator('#search').fill('tulips');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForFunction(() => document.querySelectorAll('.comment').length === 1);
  assert.match(await page.locator('.comment').innerText(), /tulips/);

  // The CSV export contains it, defused against spreadsheet formulas.
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download responses (CSV)' }).click();
  const file = await download;
  const csv = await (await import('node:fs/promises')).readFile(await file.path(), 'utf8');
  assert.match(csv, /Lovely =cmd\|calc tulips/);
  assert.doesNotMatch(csv, /(^|,)=cmd/m);
  assert.deepEqual(errors.filter((e) => !e.includes('status of 401')), []);
  await context.close();
});
