// Browser soak of the NormLab page: about two minutes of training in headless Chromium with
// the panels switched through the page API, Play/Pause and the shown panel's stepper clicked
// on the canvas, while steps are added in bursts. Fails on any console or page error, a
// non-finite number in the state, training that stops, a click that did not happen or did
// nothing, or WebAssembly memory (window.normlab.test.wasmBytes()) that keeps growing
// after the warm-up. Prints the memory, step and click counts.
//
// Clicks: a control named "<panel>:..." belongs to that panel and is drawn only while the
// panel shows; every other clicked control (Play) is in the Training column, drawn on every
// panel. A click on a control of a panel that is not shown is skipped (counted as skipped);
// any other control missing from window.normlab.test.uiRects() is a failure, and each click
// that was made must have its effect (Play/Pause flips `playing`, a stepper's next moves
// its stage one on).
// usage: node soak.test.mjs --site <build/web-release/web> [--seconds 120]
import path from 'node:path';
import { parseArgs, serve, launch, watch, waitFor, Checks, newContext } from './harness.mjs';

const args = parseArgs(process.argv);
const site = path.resolve(args.site);
const seconds = Number(args.seconds || 120);
const warmupSeconds = Math.min(30, seconds / 4);
const checks = new Checks();
const problems = [];
const { server, url } = await serve(site);
const browser = await launch();
const mb = (bytes) => (bytes / (1024 * 1024)).toFixed(1);

const clicks = { made: 0, skipped: 0, missing: [], noEffect: [] };
// 'clicked', or 'skipped' for a control of a panel not shown (see the rule above); a
// control that should be drawn and is not is recorded in clicks.missing.
async function clickControl(page, name) {
  const owner = name.includes(':') ? name.slice(0, name.indexOf(':')) : null;
  const { rects, panel } = await page.evaluate(() => ({ rects: window.normlab.test.uiRects(), panel: window.normlab.test.state().panel }));
  if (owner && owner !== panel) { clicks.skipped += 1; return 'skipped'; }
  const r = rects[name];
  if (!r) { clicks.missing.push(`${name} (panel ${panel})`); return 'missing'; }
  const box = await page.locator('#canvas').boundingBox();
  await page.mouse.click(box.x + (r[0] + r[2]) / 2, box.y + (r[1] + r[3]) / 2);
  clicks.made += 1;
  return 'clicked';
}
// Clicks `name` and waits (up to 3 s: a frame can be slow) for `changed(before, after)`.
async function clickAndExpect(page, name, read, changed, what) {
  const before = await page.evaluate(read);
  if (await clickControl(page, name) !== 'clicked') return;
  const t0 = Date.now();
  let after = before;
  while (Date.now() - t0 < 3000) {
    await page.waitForTimeout(100);
    after = await page.evaluate(read);
    if (changed(before, after)) return;
  }
  clicks.noEffect.push(`${what} (${JSON.stringify(before)} -> ${JSON.stringify(after)})`);
}
const readPlaying = () => window.normlab.test.state().playing;
const readStages = () => { const v = window.normlab.getState().view.inspector; return [v.stage, v.backprop_step]; };

const memory = (page) => page.evaluate(() => ({
  wasm: window.normlab.test.wasmBytes(),
  js: performance.memory ? performance.memory.usedJSHeapSize : 0,
}));

try {
  const context = await newContext(browser, { viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  watch(page, problems, 'soak');
  await page.goto(url);
  await waitFor(page, () => window.normlab && window.normlab.test.state().step !== undefined, null, 60000, 'the app to start');
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
    if (tick % 3 === 0) await page.evaluate((p) => (window.normlab.dispatch({ type: 'show_panel', panel: p }), true), panels[(tick / 3) % panels.length]);
    if (tick % 10 === 0) {  // Pause and Play again with real clicks on the canvas
      await clickAndExpect(page, 'play', readPlaying, (a, b) => a === true && b === false, `Pause at tick ${tick}`);
      await clickAndExpect(page, 'play', readPlaying, (a, b) => a === false && b === true, `Play at tick ${tick}`);
    }
    if (tick % 3 === 1) {  // the steppers of the inspector and backprop panels, whichever shows
      const stage = await page.evaluate(readStages);
      // At the last stage, back to the first one (through the page API) so that next moves.
      if (stage[0] === 'eval' || stage[1] === 'compact') {
        await page.evaluate(() => { window.normlab.dispatch({ type: 'set_inspector_stage', stage: 'raw' });
          window.normlab.dispatch({ type: 'set_backprop_step', step: 'forward' }); });
      }
      await clickAndExpect(page, 'inspector:next', readStages, (a, b) => a[0] !== b[0], `inspector next at tick ${tick}`);
      await clickAndExpect(page, 'backprop:next', readStages, (a, b) => a[1] !== b[1], `backprop next at tick ${tick}`);
    }
    await page.waitForTimeout(700);
    const s = await page.evaluate(() => window.normlab.test.state());
    for (const key of ['train_loss', 'test_loss', 'train_accuracy', 'test_accuracy']) {
      if (key in s && !Number.isFinite(s[key])) nonFinite = `${key} = ${s[key]} at step ${s.step}`;
    }
    if (s.step <= lastStep) stalls += 1;
    lastStep = s.step;
    if (tick === 20) {
      // WebGL context loss and restore mid-run, paused: the training state is exactly kept.
      await page.evaluate(() => window.normlab.pause());
      await page.waitForTimeout(300);
      const before = await page.evaluate(() => window.normlab.test.state());
      await page.evaluate(() => {
        window.__lose = document.getElementById('canvas').getContext('webgl2').getExtension('WEBGL_lose_context');
        window.__lose.loseContext();
      });
      await page.waitForTimeout(500);
      await page.evaluate(() => window.__lose.restoreContext());
      await page.waitForTimeout(1000);
      const after = await page.evaluate(() => window.normlab.test.state());
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
  const expectedPlayClicks = 2 * Math.floor(tick / 10);
  console.log(`  clicks: ${clicks.made} made, ${clicks.skipped} skipped (panel not shown), ${clicks.missing.length} missing, ${clicks.noEffect.length} without effect`);
  checks.ok(clicks.missing.length === 0, `every control the soak clicks was drawn when clicked${clicks.missing.length ? ': missing ' + clicks.missing.slice(0, 5).join(', ') : ''}`);
  checks.ok(clicks.noEffect.length === 0, `every click had its effect${clicks.noEffect.length ? ': ' + clicks.noEffect.slice(0, 5).join('; ') : ''}`);
  checks.ok(clicks.made >= expectedPlayClicks + 2 && clicks.made + clicks.skipped === expectedPlayClicks + 2 * Math.floor((tick + 2) / 3),
    `the soak made its clicks (${clicks.made} made: ${expectedPlayClicks} on Play/Pause and the steppers of the panels shown; ${clicks.skipped} skipped)`);
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
