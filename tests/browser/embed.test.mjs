// Browser test of embedding: a host page on a second loopback origin drives embed.html
// through postMessage (normlab-api.js), a third origin is refused, malformed messages get an
// error reply; the app under a strict CSP; embed.html in an iframe sandboxed with
// allow-scripts only; the example course page. Fails on any console or page error.
// usage: node embed.test.mjs --site <build/web-release/web> --screenshots <dir>
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, serve, launch, watch, pngStats, waitFor, Checks } from './harness.mjs';

const args = parseArgs(process.argv);
const site = path.resolve(args.site);
const shots = path.resolve(args.screenshots || 'screenshots');
fs.mkdirSync(shots, { recursive: true });
const checks = new Checks();
const problems = [];
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

// The app's origin (A). A sandboxed frame has an opaque origin, so its fetches of the .wasm
// and .data are cross-origin: the files are served with Access-Control-Allow-Origin: *
// (as the README says a host must for sandboxed embeds).
const app = await serve(site, () => ({ 'Access-Control-Allow-Origin': '*' }));
// The same files under the strict CSP (own origin).
const strict = await serve(site, () => ({ 'Content-Security-Policy': CSP }));
// Host pages (B) and an intruder (C) on their own origins.
const hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'normlab-host-'));
fs.writeFileSync(path.join(hostDir, 'index.html'),
  `<!doctype html><meta charset="utf-8"><title>host</title><link rel="icon" href="data:,"><body style="margin:0">` +
  `<div id="w" style="width:640px"></div><script src="${app.url}normlab-api.js"></script></body>`);
const host = await serve(hostDir);
const intruder = await serve(hostDir);
const browser = await launch();
// Screenshots are measured on a blank page: a page under the strict CSP may not decode data: images.
const statsPage = await (await browser.newContext()).newPage();

async function newPage(label, viewport = { width: 1100, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  watch(page, problems, label);
  return { context, page };
}

async function frameOf(page, urlPart) {
  for (let i = 0; i < 100; ++i) {
    const f = page.frames().find((fr) => fr.url().includes(urlPart));
    if (f) return f;
    await page.waitForTimeout(100);
  }
  throw new Error(`no frame with ${urlPart}`);
}

try {
  // 1. Cross-origin host drives the widget through postMessage.
  const { context, page } = await newPage('host');
  await page.goto(host.url);
  await page.evaluate((src) => {
    window.lab = NormLab.create(document.getElementById('w'), { src: src, hash: 'p=inspector', height: '480px' });
    window.events = [];
    return window.lab.ready;
  }, app.url + 'embed.html');
  await waitFor(page, () => window.lab.isReady, null, 60000, 'the embedded widget to be ready');
  const r = await page.evaluate(async () => {
    await window.lab.on('step', (e) => window.events.push(e.step));
    const stepped = await window.lab.step(5);
    const state = await window.lab.getState();
    const patched = await window.lab.setState({ settings: { optimizer: { learning_rate: 0.05 } } });
    const dispatched = await window.lab.dispatch({ type: 'set_inspector_stage', stage: 'variance' });
    let bad = null, unknown = null, raw = null;
    try { await window.lab.dispatch({ type: 'launch_rockets' }); } catch (e) { bad = e.message; }
    try { await window.lab.send({ verb: 'eval', code: 'alert(1)' }); } catch (e) { unknown = e.message; }
    try { await window.lab.step(0); } catch (e) { raw = e.message; }
    const after = await window.lab.getState();
    return { stepped, state, patched, dispatched, bad, unknown, raw, after };
  });
  checks.ok(r.stepped.step === 5 && r.state.training.step === 5, `host: step(5) through postMessage trains 5 steps (step ${r.state.training.step})`);
  checks.ok(r.state.view.panel === 'inspector', 'host: the hash option opened the inspector panel');
  checks.ok(Math.abs(r.patched.settings.optimizer.learning_rate - 0.05) < 1e-7, 'host: setState changes the learning rate');
  checks.ok(r.after.view.inspector.stage === 'variance', 'host: dispatch sets the inspector stage');
  checks.ok(typeof r.bad === 'string' && typeof r.unknown === 'string' && /verb/.test(r.unknown) && typeof r.raw === 'string',
    `host: malformed or unknown messages come back as errors (${r.unknown})`);
  checks.ok(r.after.training.step === 5, 'host: refused messages changed nothing');
  await page.evaluate(() => window.lab.play());
  await waitFor(page, () => window.events.length >= 3, null, 20000, 'step events while playing');
  await page.evaluate(() => window.lab.pause());
  const events = await page.evaluate(() => window.events.slice());
  checks.ok(events.length >= 3 && events[events.length - 1] > 5, `host: step events arrive while playing (${events.length} events)`);
  // A raw, non-JSON message from the allowed host gets an error reply too.
  const rawReply = await page.evaluate(() => new Promise((resolve) => {
    const frame = document.querySelector('iframe');
    window.addEventListener('message', function once(e) {
      if (e.source !== frame.contentWindow) return;
      const m = JSON.parse(e.data);
      if (m.event) return;
      window.removeEventListener('message', once);
      resolve(m);
    });
    frame.contentWindow.postMessage('{"normlab":1,"id":"x1","verb":', '*');
  }));
  checks.ok(rawReply.ok === false && /JSON/.test(rawReply.error), `host: broken JSON is answered with an error (${rawReply.error})`);
  await page.waitForTimeout(500);
  const hostPng = await page.screenshot({ path: path.join(shots, 'embed-host-cross-origin.png') });
  checks.ok((await pngStats(statsPage, hostPng)).std > 20, 'host: the embedded widget is drawn');

  // 2. An origin the embed was not told about is refused, and nothing happens.
  const intr = await newPage('intruder');
  await intr.page.goto(intruder.url);
  const refused = await intr.page.evaluate((src) => new Promise((resolve, reject) => {
    const f = document.createElement('iframe');
    f.src = src;  // no ?origin=: only the embed's own origin is allowed
    f.style.width = '400px'; f.style.height = '300px';
    document.body.appendChild(f);
    window.addEventListener('message', (e) => {
      if (e.source !== f.contentWindow) return;
      const m = JSON.parse(e.data);
      if (m.event === 'ready') f.contentWindow.postMessage(JSON.stringify({ normlab: 1, id: 'i1', verb: 'step', count: 50 }), '*');
      else if (m.id === 'i1') resolve(m);
    });
    setTimeout(() => reject(new Error('no reply')), 60000);
  }), app.url + 'embed.html');
  const intrFrame = await frameOf(intr.page, 'embed.html');
  await waitFor(intrFrame, () => window.normlabReady === true, null, 30000, 'the intruder\'s frame to start');
  const intrStep = await intrFrame.evaluate(() => window.normlab.getState().training.step);
  checks.ok(refused.ok === false && /not allowed/.test(refused.error) && intrStep === 0,
    `a disallowed origin is refused (${refused.error}; step stays ${intrStep})`);
  await intr.context.close();
  await context.close();
} catch (e) {
  checks.ok(false, `cross-origin embedding ran to the end (${e.message})`);
}

// 3. Strict CSP: index.html and embed.html load, train and draw with no violation.
try {
  for (const file of ['index.html', 'embed.html']) {
    const { context, page } = await newPage(`csp-${file}`, { width: 900, height: 600 });
    const violations = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
    await page.goto(strict.url + file);
    await waitFor(page, () => window.normlabReady === true, null, 60000, `${file} to start under the CSP`);
    const header = await page.evaluate(async () => (await fetch(location.href)).headers.get('Content-Security-Policy'));
    await page.evaluate(() => window.normlab.step(10));
    await page.waitForTimeout(1200);
    const png = await page.screenshot({ path: path.join(shots, `csp-${file.replace('.html', '')}.png`) });
    const st = await pngStats(statsPage, png);
    const step = await page.evaluate(() => window.normlab.getState().training.step);
    checks.ok(header === CSP && violations.length === 0 && step === 10 && st.std > 20,
      `${file} under "${CSP}": runs (step ${step}), draws (std ${st.std.toFixed(1)}), no violations (${violations.length})`);
    await context.close();
  }
} catch (e) {
  checks.ok(false, `CSP check ran (${e.message})`);
}

// 4. Sandboxed iframe (allow-scripts only): renders, the host still drives it, exports degrade
//    with a message instead of throwing.
try {
  const { context, page } = await newPage('sandbox');
  await page.goto(host.url);
  await page.evaluate((src) => {
    window.lab = NormLab.create(document.getElementById('w'), { src: src, sandbox: 'allow-scripts', height: '460px', hash: 'p=data' });
  }, app.url + 'embed.html');
  await waitFor(page, () => window.lab.isReady, null, 60000, 'the sandboxed widget to be ready');
  const st = await page.evaluate(async () => { await window.lab.step(20); return window.lab.getState(); });
  checks.ok(st.training.step === 20, 'sandboxed (allow-scripts only): the host drives it over postMessage');
  await page.evaluate(() => window.lab.dispatch({ type: 'export', kind: 'curves_csv' }));
  const frame = await frameOf(page, 'embed.html');
  await waitFor(frame, () => !document.getElementById('export-fallback').hidden, null, 10000, 'the export fallback panel');
  const fallback = await frame.evaluate(() => document.querySelector('#export-fallback textarea').value);
  checks.ok(/step/.test(fallback.split('\n')[0]), 'sandboxed: an export shows the file in a panel (no downloads there)');
  await page.waitForTimeout(800);
  const png = await page.screenshot({ path: path.join(shots, 'embed-sandboxed.png') });
  await frame.evaluate(() => { document.getElementById('export-fallback').hidden = true; });
  await page.waitForTimeout(300);
  const png2 = await page.locator('iframe').screenshot({ path: path.join(shots, 'embed-sandboxed-widget.png') });
  checks.ok((await pngStats(statsPage, png)).std > 20 && (await pngStats(statsPage, png2)).std > 20, 'sandboxed: the widget renders');
  await context.close();
} catch (e) {
  checks.ok(false, `sandbox check ran (${e.message})`);
}

// 5. Narrow iframe: 300 px wide, follows a resize.
try {
  const { context, page } = await newPage('narrow');
  await page.goto(host.url);
  await page.evaluate((src) => {
    window.lab = NormLab.create(document.getElementById('w'), { src: src, width: '300px', height: '420px' });
  }, app.url + 'embed.html');
  await waitFor(page, () => window.lab.isReady, null, 60000, 'the narrow widget');
  const frame = await frameOf(page, 'embed.html');
  await page.waitForTimeout(800);
  const w1 = await frame.evaluate(() => document.getElementById('canvas').clientWidth);
  await page.evaluate(() => { window.lab.iframe.style.width = '520px'; });
  await page.waitForTimeout(800);
  const w2 = await frame.evaluate(() => document.getElementById('canvas').clientWidth);
  await page.locator('iframe').screenshot({ path: path.join(shots, 'embed-300px.png') });
  checks.ok(w1 === 300 && w2 === 520, `embed fits its iframe and follows a resize (${w1} -> ${w2} px)`);
  await context.close();
} catch (e) {
  checks.ok(false, `narrow embed check ran (${e.message})`);
}

// 6. The example course page: its own buttons drive two widgets.
try {
  const { context, page } = await newPage('course', { width: 1100, height: 1500 });
  await page.goto(app.url + 'examples/index.html');
  await waitFor(page, () => window.course && window.course.inspector.isReady && window.course.why.isReady, null, 90000, 'both course widgets');
  await waitFor(page, () => !document.getElementById('w1-train').disabled, null, 10000, 'the course buttons');
  await page.click('#w1-train');
  await waitFor(page, () => /step 20 /.test(document.getElementById('w1-readout').textContent), null, 10000, 'the readout after Train 20 steps');
  await page.click('#w1-next');
  await page.click('#w1-next');
  await waitFor(page, () => /stage 3\/8/.test(document.getElementById('w1-readout').textContent), null, 10000, 'stage 3 after two Next clicks');
  await page.click('#w2-high');
  await waitFor(page, () => /learning rate 1 /.test(document.getElementById('w2-readout').textContent), null, 10000, 'learning rate 1.0');
  await page.click('#w2-run');
  await waitFor(page, () => /step 200 /.test(document.getElementById('w2-readout').textContent), null, 30000, '200 steps');
  const text1 = await page.textContent('#w1-readout');
  const text2 = await page.textContent('#w2-readout');
  checks.ok(true, `course page: buttons drive both widgets (“${text1}”, “${text2}”)`);
  await page.waitForTimeout(800);
  const png = await page.screenshot({ path: path.join(shots, 'course-page.png'), fullPage: true });
  checks.ok((await pngStats(statsPage, png)).std > 20, 'course page is drawn');
  await context.close();
} catch (e) {
  checks.ok(false, `course page check ran (${e.message})`);
}

await browser.close();
for (const s of [app, strict, host, intruder]) s.server.close();
for (const p of problems) checks.ok(false, p);
console.log(`${checks.count - checks.failures.length} of ${checks.count} checks passed`);
process.exit(checks.failures.length ? 1 : 0);
