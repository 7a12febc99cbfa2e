// Benchmark (make bench-index): how long an offline lookup takes on the
// kiosk, with Chromium's CPU slowed 4× (a cheap tablet). The kiosk holds
// today's index (keyed with argon2id), the network is cut, and a patient
// types their last name and birth date: the figure is from the tap on
// "Find my appointment" to the confirm screen being in the page, measured
// inside the page, so it is the hash plus the step's rendering. Prints
// figures; asserts nothing about time.
import { dumpIndexedDb, launchBrowser, openPage, startServer, waitForStep } from '../support/harness.mjs';
import { chooseBirthDate, tap, typeOnKeyboard } from '../support/kiosk.mjs';

const RUNS = Number(process.env.RUNS ?? 7);
const THROTTLE = Number(process.env.THROTTLE ?? 4);

const server = await startServer({ demo: true });
const browser = await launchBrowser();
try {
  const { context, page } = await openPage(browser);
  await page.goto(`${server.url}/`);
  await waitForStep(page, 'Welcome');
  // Wait for today's index to be stored on the kiosk.
  for (let i = 0; i < 200; i += 1) {
    if (((await dumpIndexedDb(page)).index ?? []).length > 0) break;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  await context.setOffline(true);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
  // In the page: when the tap landed, and when the confirm heading appeared.
  await page.evaluate(() => {
    window.__tapped = 0;
    window.__shown = 0;
    document.addEventListener('click', (e) => {
      if (e.target.closest('button')?.textContent.includes('Find my appointment')) {
        window.__tapped = performance.now();
        window.__shown = 0;
      }
    }, true);
    new MutationObserver(() => {
      if (!window.__shown && window.__tapped && [...document.querySelectorAll('main h1')].some((h) => h.textContent.includes('Is this your appointment?'))) {
        window.__shown = performance.now();
      }
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });

  const took = [];
  for (let run = 0; run < RUNS; run += 1) {
    await tap(page, 'Check in');
    await tap(page, 'Last name and date of birth');
    await waitForStep(page, 'What is your last name?');
    await typeOnKeyboard(page, 'GARCIA');
    await tap(page, 'Continue');
    await waitForStep(page, 'What is your date of birth?');
    await chooseBirthDate(page, '1980-04-12');
    await tap(page, 'Find my appointment');
    await page.waitForFunction(() => window.__shown > 0, null, { timeout: 30_000 });
    took.push(await page.evaluate(() => window.__shown - window.__tapped));
    await tap(page, 'Start over');
    await waitForStep(page, 'Welcome');
  }
  took.sort((a, b) => a - b);
  const median = took[Math.floor(took.length / 2)];
  console.log(`Offline lookup at ${THROTTLE}x CPU throttle, tap to the confirm screen (argon2id hash + rendering), ${RUNS} runs:`);
  console.log(`  median ${median.toFixed(0)} ms, fastest ${took[0].toFixed(0)} ms, slowest ${took[took.length - 1].toFixed(0)} ms`);
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
