// Browser soak of the NormLab page: about two minutes of training in headless Chromium with
// the panels switched through the page API and Play/Pause clicked on the canvas, while
// steps are added in bursts. Fails on any console or page error, a non-finite number in the
// state, training that stops, or WebAssembly memory (window.normlab.module.HEAP8.length)
// that keeps growing after the warm-up. Prints the memory and step counts.
// usage: node soak.test.mjs --site <build/web-release/web> [--seconds 120]
import path from 'node:path';
import { parseArgs, serve, launch, watch, waitFor, Checks } from './harness.mjs';

const args = parseArgs(process.argv);
const site = path.resolve(args.site);
const seconds = Number(args.seconds || 120);
const warmupSeconds = Math.min(30, seconds / 4);
const checks = new Checks();
const problems = [];
const { server, url } = await serve(site);
const browser = await launch();
const mb = (bytes) => (bytes / (1024 * 1024)).toFixed(1);

async function clickControl(page, name) {
  const r = (await page.evaluate(() => window.normlab.uiRects()))[name];
  if (!r) return false;
  const box = await page.locator('#canvas').boundingBox();
  await page.mouse.click(box.x + (r[0] + r[2]) / 2, box.y + (r[1] + r[3]) / 2);
  return true;
}

const memory = (page) => page.evaluate(() => ({
  wasm: window.normlab.module.HEAP8.length,
  js: performance.memory ? performance.memory.usedJSHeapSize : 0,
}));

try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  watch(page, problems, 'soak');
  await page.goto(url);
  await waitFor(page, () => window.normlab && window.normlab.state().step !== undefined, null, 60000, 'the app to start');
  await page.evaluate(() => window.normlab.play());

  const panels = ['data', 'network', 'inspector', 'backprop', 'why'];
  const start = Date.now();
  let warm = null;
  let tick = 0;
  let lastStep = 0;
  let nonFinite = '';
  let stalls = 0;
  while ((Date.now() - start) / 1000 < seconds) {
    tick += 1;
    // A burst of steps through the page API (the same path as the Step key), and a new panel.
    await page.evaluate(() => window.normlab.step(300));
    if (tick % 3 === 0) await page.evaluate((p) => window.normlab.showPanel(p), panels[(tick / 3) % panels.length]);
    if (tick % 10 === 0) {  // Pause and Play again with real clicks on the canvas
      await clickControl(page, 'play');
      await page.waitForTimeout(200);
      await clickControl(page, 'play');
    }
    await page.waitForTimeout(700);
    const s = await page.evaluate(() => window.normlab.state());
    for (const key of ['train_loss', 'test_loss', 'train_accuracy', 'test_accuracy']) {
      if (key in s && !Number.isFinite(s[key])) nonFinite = `${key} = ${s[key]} at step ${s.step}`;
    }
    if (s.step <= lastStep) stalls += 1;
    lastStep = s.step;
    if (tick === 20) {
      // WebGL context loss and restore mid-run, paused: the training state is exactly kept.
      await page.evaluate(() => window.normlab.pause());
      await page.waitForTimeout(300);
      const before = await page.evaluate(() => window.normlab.state());
      await page.evaluate(() => {
        window.__lose = document.getElementById('canvas').getContext('webgl2').getExtension('WEBGL_lose_context');
        window.__lose.loseContext();
      });
      await page.waitForTimeout(500);
      await page.evaluate(() => window.__lose.restoreContext());
      await page.waitForTimeout(1000);
      const after = await page.evaluate(() => window.normlab.state());
      checks.ok(after.step === before.step && after.train_loss === before.train_loss &&
                after.model_version === before.model_version,
                `context loss keeps the training state exactly (step ${before.step}, loss ${before.train_loss})`);
      await page.evaluate(() => window.normlab.play());
    }
    if (!warm && (Date.now() - start) / 1000 >= warmupSeconds) {
      warm = { ...(await memory(page)), step: s.step };
      console.log(`  warm-up done at step ${s.step}: wasm memory ${mb(warm.wasm)} MB, JS heap ${mb(warm.js)} MB`);
    }
  }
  const end = { ...(await memory(page)), step: lastStep };
  console.log(`  soak: ${seconds} s, ${tick} bursts, steps ${warm.step} -> ${end.step}; wasm memory ` +
              `${mb(warm.wasm)} MB -> ${mb(end.wasm)} MB; JS heap ${mb(warm.js)} MB -> ${mb(end.js)} MB`);
  checks.ok(end.step > warm.step + 1000, `training went on for ${end.step - warm.step} steps after the warm-up`);
  checks.ok(stalls === 0, `the step count rose at every check (${stalls} stalls)`);
  checks.ok(nonFinite === '', `every number in the state stayed finite ${nonFinite}`);
  checks.ok(end.wasm <= warm.wasm + 8 * 1024 * 1024,
            `wasm memory stable after the warm-up (${mb(warm.wasm)} -> ${mb(end.wasm)} MB, at most +8 MB)`);
  checks.ok(end.wasm <= 512 * 1024 * 1024, 'wasm memory within the 512 MB maximum');
  await context.close();
} catch (e) {
  checks.ok(false, `soak ran to the end (${e.message})`);
} finally {
  await browser.close();
  server.close();
}
for (const p of problems) checks.ok(false, p);
checks.ok(problems.length === 0, 'no console or page errors');
console.log(`browser soak: ${checks.count - checks.failures.length}/${checks.count} checks passed`);
process.exit(checks.failures.length === 0 ? 0 : 1);
