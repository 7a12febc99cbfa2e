// Driving the check-in kiosk like a patient: taps on the step, the
// on-screen keyboard, the birth-date lists and the needs questions.
import { waitForStep } from './harness.mjs';

/** Taps a button of the step (not of the toolbar above it). */
export async function tap(page, name) {
  await page.locator('main').getByRole('button', { name, exact: true }).click();
}

/** Types on the on-screen keyboard, key by key. */
export async function typeOnKeyboard(page, text) {
  const keyboard = page.getByRole('group', { name: /Keyboard|Teclado|لوحة المفاتيح/ });
  for (const ch of text) {
    const name = ch === ' ' ? /^(Space|Espacio|مسافة)$/ : ch;
    await keyboard.getByRole('button', { name, exact: typeof name === 'string' }).click();
  }
}

/** Picks a date of birth (YYYY-MM-DD) on the three lists. */
export async function chooseBirthDate(page, iso) {
  const [year, month, day] = iso.split('-').map(Number);
  await page.locator('select[name="year"]').selectOption(String(year));
  await page.locator('select[name="month"]').selectOption(String(month));
  await page.locator('select[name="day"]').selectOption(String(day));
}

/** Answers the demo site's three needs questions. */
export async function answerQuestions(page, { interpreter = null, mobility = false, contact = false } = {}) {
  await waitForStep(page, 'Do you need an interpreter?');
  await tap(page, interpreter ?? 'No interpreter needed');
  await waitForStep(page, 'Do you need help getting around?');
  await tap(page, mobility ? 'Yes' : 'No');
  await waitForStep(page, 'Have your address or phone number changed?');
  await tap(page, contact ? 'Yes' : 'No');
}


/** From Welcome through a walk-in's details: first name, initial, reason. */
export async function walkInDetails(page, firstName, initial, reason = 'Test results') {
  await tap(page, 'I do not have an appointment');
  await waitForStep(page, 'What is your first name?');
  await page.locator('#first-name').fill(firstName);
  await tap(page, 'Continue');
  await waitForStep(page, 'What is the first letter of your last name?');
  await typeOnKeyboard(page, initial);
  await tap(page, 'Continue');
  await waitForStep(page, 'What is your visit about?');
  await tap(page, reason);
}

/**
 * Walks one patient through every check-in step with selectors that hold in
 * any language: welcome, choose, the code step and back (with `code`), last
 * name, birth date, confirm ("not me"), no match, walk-in name, initial and
 * reason, the three needs questions, the ticket. `visit(name)` is awaited on
 * each step once it is on screen and returns that step's heading text; the
 * headings are returned in order.
 */
export async function walkEveryStep(page, visit, { code = false } = {}) {
  const headings = [];
  const step = async (name) => headings.push(await visit(name));
  const click = (selector) => page.locator(selector).first().click();
  const button = (i) => page.locator('.big-actions button').nth(i).click();
  const changed = () => page.locator('main h1').filter({ hasNotText: headings.at(-1) }).waitFor();

  await step('welcome');
  await button(0);
  await changed();
  await step('choose');
  if (code) {
    await button(1); // appointment code
    await page.locator('#appointment-code').waitFor();
    await step('code');
    await click('.nav button:first-child'); // Back
    await page.locator('.big-actions button').nth(1).waitFor();
  }
  await button(0); // last name and date of birth
  await page.locator('#family-name').waitFor();
  await step('family-name');
  await page.locator('#family-name').fill('García López');
  await click('button[type="submit"]');
  await page.locator('select[name="year"]').waitFor();
  await step('birth-date');
  await chooseBirthDate(page, '1980-04-12');
  await click('button[type="submit"]');
  await page.locator('.hint-card').waitFor();
  await step('confirm');
  await click('.nav button:first-child'); // not me
  await changed();
  await step('no-match');
  await button(1); // without an appointment
  await page.locator('#first-name').waitFor();
  await step('walk-in-name');
  await page.locator('#first-name').fill('Lina');
  await click('button[type="submit"]');
  await page.locator('#last-initial').waitFor();
  await step('walk-in-initial');
  await page.locator('#last-initial').fill('M');
  await click('button[type="submit"]');
  await page.locator('.big-actions button').first().waitFor();
  await step('walk-in-reason');
  await button(0);
  for (const name of ['question-interpreter', 'question-mobility', 'question-contact']) {
    await page.locator('.progress').waitFor();
    await step(name);
    await button(name === 'question-interpreter' ? 0 : 1);
    await changed();
  }
  await page.locator('.ticket-code').waitFor();
  await step('ticket');
  return headings;
}
