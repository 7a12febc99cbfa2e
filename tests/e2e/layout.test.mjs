// Every check-in step fits the tablets kiosks run on: at 1280x800, 800x1280,
// 1024x768 and 768x1024, in normal and Large text, in English, Spanish and
// Arabic, the step's heading and every control it has (its input, Back,
// Continue) are on the screen without scrolling, and nothing is wider than
// the screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, waitForPage, screenshot, startSuite, stopSuite } from './support/harness.mjs';
import { walkEveryStep } from './support/kiosk.mjs';

let server;
let browser;

before(async () => ({ server, browser } = await startSuite({ demo: true })));
after(() => stopSuite({ server, browser }));

const SIZES = [[1280, 800], [800, 1280], [1024, 768], [768, 1024]];

/** What does not fit on this screen: controls below or beside it, sideways scroll. */
function offScreen() {
  const found = [];
  const doc = document.scrollingElement;
  if (doc.scrollWidth > innerWidth) found.push(`scrolls sideways by ${doc.scrollWidth - innerWidth} px`);
  const visible = (el) => {
    const style = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return style.visibility !== 'hidden' && style.display !== 'none' && r.width > 0 && r.height > 0;
  };
  const wanted = [...document.querySelectorAll('main h1, main button, main input, main select, header button')].filter(visible);
  for (const el of wanted) {
    const r = el.getBoundingClientRect();
    // Scrolled as far as it goes: still there? It must be without scrolling.
    const top = r.top + scrollY;
    const bottom = r.bottom + scrollY;
    if (bottom > innerHeight + 1 || top < -1 || r.right > innerWidth + 1 || r.left < -1) {
      const name = (el.getAttribute('aria-label') || el.textContent || el.id || el.tagName).trim().slice(0, 30);
      found.push(`${el.tagName.toLowerCase()} "${name}" at ${Math.round(r.left)},${Math.round(top)}-${Math.round(r.right)},${Math.round(bottom)}`);
    }
  }
  return found;
}

for (const lang of ['en', 'es', 'ar']) {
  test(`every check-in step fits each tablet size in normal and Large text (${lang})`, async () => {
    const problems = [];
    for (const large of [false, true]) {
      const { context, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 800 } });
      await page.goto(`${server.url}/`);
      await page.locator('.big-actions button').first().waitFor();
      await page.locator(`header button[lang="${lang}"]`).click();
      await page.waitForFunction((lang) => document.documentElement.lang === lang, lang);
      if (large) {
        await page.locator('header .toolbar > button.toggle').first().click();
        await page.waitForFunction(() => document.documentElement.dataset.text === 'large');
      }
      const text = large ? 'large' : 'normal';
      const visit = async (name) => {
        // The first step's heading gave its focus to the toolbar button tapped.
        if (name !== 'welcome') await waitForPage(page);
        await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
        const heading = await page.locator('main h1').innerText();
        for (const [width, height] of SIZES) {
          await page.setViewportSize({ width, height });
          await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
          for (const problem of await page.evaluate(offScreen)) {
            problems.push(`${name} ${width}x${height} ${text} ${lang}: ${problem}`);
          }
          if (['family-name', 'code', 'question-interpreter', 'ticket'].includes(name)) {
            await screenshot(page, `layout-${name}-${width}x${height}-${text}-${lang}`);
          }
        }
        await page.setViewportSize({ width: 1280, height: 800 });
        return heading;
      };
      await walkEveryStep(page, visit, { code: true });
      assert.deepEqual(errors, [], `${lang} ${text}`);
      await context.close();
    }
    if (process.env.LAYOUT_DEBUG) console.log(problems.join('\n'));
    assert.deepEqual(problems, []);
  });
}
