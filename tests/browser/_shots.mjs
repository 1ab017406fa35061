// temporary: screenshots of a prediction step, its reveal and lessons 9 and 10 (not committed)
import { serve, launch } from './harness.mjs';
const site = process.argv[2];
const app = await serve(site);
const browser = await launch();
const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await ctx.newPage();
async function open(hash) {
  await page.goto(app.url + 'index.html#' + hash);
  await page.waitForFunction(() => window.normlab && window.normlab.state && window.normlab.state().step !== undefined, null, { timeout: 30000 });
  await page.waitForTimeout(800);
}
async function waitStudy() {
  for (let i = 0; i < 120; i++) {
    const st = await page.evaluate(() => window.normlab.state());
    if (i > 40) break;
    await page.waitForTimeout(250);
  }
  await page.waitForTimeout(1500);
}
await open('lesson=10-small-batches');
await page.screenshot({ path: '/tmp/shot-predict.png' });
await page.evaluate(() => window.normlab.dispatch({ type: 'lesson_predict', choice: 2 }));
await waitStudy();
await page.screenshot({ path: '/tmp/shot-reveal.png' });
await page.evaluate(() => window.normlab.dispatch({ type: 'lesson_next' }));
await page.waitForTimeout(1500);
await page.screenshot({ path: '/tmp/shot-l10.png' });
await open('lesson=09-regularization');
await page.evaluate(() => window.normlab.dispatch({ type: 'lesson_predict', choice: 1 }));
await waitStudy();
await page.evaluate(() => window.normlab.dispatch({ type: 'lesson_go_to', step: 3 }));
await page.waitForTimeout(4000);
await page.screenshot({ path: '/tmp/shot-l9.png' });
console.log(JSON.stringify(await page.evaluate(() => window.normlab.state())).slice(0, 300));
await browser.close();
app.server.close();
