// The checks the other tests rely on must be able to fail: each is shown a
// page with the fault it looks for.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, seriousViolations, smallTargets, checkScreen } from './support/harness.mjs';

let browser;
before(async () => (browser = await launchBrowser()));
after(async () => browser?.close());

const FAULTY = `<!DOCTYPE html><html lang="en"><head><title>faulty</title></head><body><main>
  <h1>Faulty</h1>
  <button id="unnamed"></button>
  <button id="tiny" style="width:30px;height:30px;padding:0">x</button>
  <p style="color:#aaa;background:#fff">low contrast text</p>
  <button id="mismatch" aria-label="Check in for 10:15">Yes, this is me</button>
</main></body></html>`;

test('axe check reports unnamed buttons, low contrast and a name without its visible label', async () => {
  const { context, page } = await openPage(browser);
  await page.setContent(FAULTY);
  const violations = (await seriousViolations(page)).join('\n');
  assert.match(violations, /button-name/);
  assert.match(violations, /color-contrast/);
  assert.match(violations, /label-content-name-mismatch.*#mismatch/);
  await context.close();
});

test('target-size check reports a 30x30 button', async () => {
  const { context, page } = await openPage(browser);
  await page.setContent(FAULTY);
  const small = await smallTargets(page);
  assert.ok(small.some((s) => s.includes('"x" 30x30')), small.join('\n'));
  await context.close();
});

test('the screen check every test uses fails on either fault', async () => {
  const { context, page } = await openPage(browser);
  await page.setContent(FAULTY);
  await assert.rejects(checkScreen(page, 'harness-faulty'), /axe on harness-faulty/);
  await page.setContent('<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><main><h1>T</h1><button style="width:30px;height:30px;padding:0">x</button></main></body></html>');
  await assert.rejects(checkScreen(page, 'harness-tiny'), /targets on harness-tiny/);
  await context.close();
});

test('console errors are recorded', async () => {
  const { context, page, errors } = await openPage(browser);
  await page.setContent('<script>console.error("boom")</script>');
  assert.deepEqual(errors, ['console: boom']);
  await context.close();
});
