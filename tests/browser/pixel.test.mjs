// Browser pixel truth: the page in headless Chromium (WebGL2), trained on the test's own
// points (tests/pixel/make_points.py, imported through the page API as a learner's CSV) for
// 400 steps; then the data, Why and network panels as the learner sees them (screenshots of
// the canvas), the rectangles each frame drew, and the state and PyTorch module the page's
// Export downloads. tests/pixel/pixel_truth.py
// checks the heatmap's pixels against PyTorch's P(class 1), the y axis, the legend, the
// points' places, the Why panel's boundary and the neuron maps; the same check runs on the desktop window (tests/desktop/pixel_truth.sh).
// usage: node pixel.test.mjs --site <build/web-release/web> --screenshots <dir>
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs, serve, launch, watch, waitFor, Checks, newContext } from './harness.mjs';

const args = parseArgs(process.argv);
const site = path.resolve(args.site);
const work = path.join(path.resolve(args.screenshots || 'screenshots'), 'pixel-truth');
const pixelDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'pixel');
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
const checks = new Checks();
const problems = [];
const { server, url } = await serve(site);
const browser = await launch();
const context = await newContext(browser, { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, acceptDownloads: true });
const page = await context.newPage();
watch(page, problems, 'pixel');

const run = (cmd, argv) => spawnSync(cmd, argv, { encoding: 'utf8' });

// Trains the page's model 400 steps, then shows its data, Why and network panels, saves each
// canvas and its rectangles, downloads the state and the PyTorch module, and runs the check.
async function checkModel(name) {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true });
  const trained = await page.evaluate(() => { window.normlab.step(400); return window.normlab.getState(); });
  checks.ok(trained.training.step === 400 && !trained.playing && trained.data && trained.data.points.length === 180,
    `${name}: trained 400 steps on the 180 imported points (step ${trained.training.step}, playing ${trained.playing})`);
  // Each panel as the learner sees it: a few frames for the grids and textures to follow the
  // model, then the canvas and the rectangles that frame drew.
  const views = {};
  for (const panel of ['data', 'why', 'network']) {
    await page.evaluate((p) => window.normlab.dispatch({ type: 'show_panel', panel: p }), panel);
    await page.waitForTimeout(1500);
    const rects = await page.evaluate(() => window.normlab.test.uiRects());
    views[panel] = [path.join(dir, panel + '.png'), path.join(dir, panel + '.json')];
    await page.locator('#canvas').screenshot({ path: views[panel][0] });
    fs.writeFileSync(views[panel][1], JSON.stringify(rects));
  }
  // The files a learner downloads from the Export window.
  const files = {};
  for (const kind of ['state_json', 'pytorch']) {
    const [d] = await Promise.all([
      page.waitForEvent('download', { timeout: 10000 }),
      page.evaluate((k) => window.normlab.dispatch({ type: 'export', kind: k }), kind),
    ]);
    files[kind] = path.join(dir, d.suggestedFilename());
    await d.saveAs(files[kind]);
  }
  const check = run('/usr/bin/python3', [path.join(pixelDir, 'pixel_truth.py'), '--label', `browser pixel truth (${name})`,
    '--data', ...views.data, '--why', ...views.why, '--network', ...views.network,
    '--state', files.state_json, '--model', files.pytorch]);
  process.stdout.write(check.stdout);
  process.stderr.write(check.stderr);
  checks.ok(check.status === 0, `${name}: the canvas shows the model: heatmap, legend, y axis, points, Why boundary, neuron maps (pixel_truth.py)`);
}

try {
  const made = run('/usr/bin/python3', [path.join(pixelDir, 'make_points.py'), path.join(work, 'points.csv')]);
  if (made.status !== 0) throw new Error('make_points.py failed: ' + made.stderr);
  const csv = fs.readFileSync(path.join(work, 'points.csv'), 'utf8');

  await page.goto(url + 'index.html#paused=1');
  await waitFor(page, () => window.normlabReady === true, null, 60000, 'the app to start');
  await page.evaluate((text) => window.normlab.dispatch({ type: 'import_points', csv_text: text }), csv);
  // The default network (BatchNorm: the Why panel's "with BN" side is the learner's), then the
  // same without normalization (the "without" side is), on the same imported points.
  await checkModel('batchnorm');
  const plain = { width: 8, activation: 'relu', norm: 'none', placement: 'before' };
  await page.evaluate((h) => window.normlab.setState({ settings: { net: { hidden: [h, h] } } }), plain);
  await checkModel('plain');
} catch (e) {
  checks.ok(false, `pixel truth ran to the end (${e.message})`);
}

checks.ok(problems.length === 0, `no console or page errors${problems.length ? ': ' + problems.slice(0, 5).join(' | ') : ''}`);
await browser.close();
server.close();
console.log(`browser pixel truth: ${checks.count - checks.failures.length} of ${checks.count} checks passed`);
process.exit(checks.failures.length ? 1 : 0);
