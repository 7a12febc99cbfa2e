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
