// Browser test of embedding: a host page on a second loopback origin drives embed.html
// through postMessage (normlab-api.js), a third origin is refused, malformed messages get an
// error reply; a hostile sibling frame and a hostile parent are refused and change nothing;
// the app under a strict CSP; embed.html in an iframe sandboxed with
// allow-scripts only; the example course page. Fails on any console or page error.
// usage: node embed.test.mjs --site <build/web-release/web> --screenshots <dir>
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, serve, launch, watch, pngStats, waitFor, Checks, curvesCsvProblems, newContext } from './harness.mjs';

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
// A blank page for a hostile sibling frame, served from the intruder's origin.
fs.writeFileSync(path.join(hostDir, 'sibling.html'),
  '<!doctype html><meta charset="utf-8"><title>sibling</title><link rel="icon" href="data:,"><body></body>');
const host = await serve(hostDir);
const intruder = await serve(hostDir);
const browser = await launch();
// Screenshots are measured on a blank page: a page under the strict CSP may not decode data: images.
const statsPage = await (await newContext(browser)).newPage();

async function newPage(label, viewport = { width: 1100, height: 800 }) {
  const context = await newContext(browser, { viewport });
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

// 2b. Hostile frames. A sibling frame on the intruder's origin next to the allowed host's
//     widget, and a parent on the intruder's origin whose embed was told to trust the host
//     only, post dispatch / setState / step / play / subscribe: every message is refused with
//     its id, the state read back through an allowed channel (the host's getState, the
//     frame's own page API) is unchanged, and neither hears the events.
const snapshot = (s) => JSON.stringify({ step: s.training.step, playing: s.playing, panel: s.view.panel,
  stage: s.view.inspector.stage, settings: s.settings });
const HOSTILE = [
  { id: 'x1', verb: 'dispatch', action: { type: 'set_inspector_stage', stage: 'normalized' } },
  { id: 'x2', verb: 'setState', state: { settings: { optimizer: { learning_rate: 0.9 } } } },
  { id: 'x3', verb: 'step', count: 7 },
  { id: 'x4', verb: 'play' },
  { id: 'x5', verb: 'subscribe', event: 'step' },
];
const refusedAll = (replies) => HOSTILE.every((m) => replies[m.id] && replies[m.id].ok === false &&
  /not allowed/.test(replies[m.id].error));
try {
  const { context, page } = await newPage('hostile-sibling');
  await page.goto(host.url);
  await page.evaluate((src) => {
    window.lab = NormLab.create(document.getElementById('w'), { src: src, hash: 'p=inspector', height: '420px' });
    window.hostEvents = [];
  }, app.url + 'embed.html');
  await waitFor(page, () => window.lab.isReady, null, 60000, 'the widget next to a hostile sibling');
  const before = await page.evaluate(() => window.lab.getState());
  await page.evaluate((src) => new Promise((resolve) => {
    const f = document.createElement('iframe');
    f.src = src;
    f.style.width = '200px'; f.style.height = '100px';
    f.onload = () => resolve();
    document.body.appendChild(f);  // after the widget's iframe: the widget is frames[0]
  }), intruder.url + 'sibling.html');
  const sibling = await frameOf(page, 'sibling.html');
  const sib = await sibling.evaluate((messages) => new Promise((resolve, reject) => {
    const widget = window.parent.frames[0];
    window.replies = {};
    window.events = [];
    let fromOthers = 0;
    window.addEventListener('message', (e) => {
      if (e.source !== widget) { fromOthers += 1; return; }
      let m;
      try { m = JSON.parse(e.data); } catch (err) { return; }
      if (m.event) { window.events.push(m.event); return; }
      window.replies[m.id] = m;
      if (Object.keys(window.replies).length === messages.length) resolve({ replies: window.replies, fromOthers });
    });
    // Strings and a plain object, as hosts may send them.
    messages.forEach((m, i) => widget.postMessage(i === 2 ? Object.assign({ normlab: 1 }, m)
                                                          : JSON.stringify(Object.assign({ normlab: 1 }, m)), '*'));
    setTimeout(() => reject(new Error(`the sibling got ${Object.keys(window.replies).length} of ${messages.length} replies`)), 15000);
  }), HOSTILE);
  await page.waitForTimeout(500);
  const after = await page.evaluate(() => window.lab.getState());
  checks.ok(refusedAll(sib.replies) && sib.fromOthers === 0,
    `hostile sibling frame (other origin): dispatch, setState, step, play, subscribe all refused (${sib.replies.x1.error})`);
  checks.ok(snapshot(after) === snapshot(before) && after.view.inspector.stage !== 'normalized',
    `hostile sibling frame: the state read back by the allowed host is unchanged (step ${after.training.step}, stage ${after.view.inspector.stage})`);
  // The allowed host subscribes and plays: it hears step events, the sibling hears none.
  await page.evaluate(async () => {
    await window.lab.on('step', (e) => window.hostEvents.push(e.step));
    await window.lab.play();
  });
  await waitFor(page, () => window.hostEvents.length >= 3, null, 20000, 'the host\'s step events');
  await page.evaluate(() => window.lab.pause());
  await page.waitForTimeout(300);
  const sibEvents = await sibling.evaluate(() => window.events.length);
  checks.ok(sibEvents === 0, `hostile sibling frame: hears none of the host's events (${sibEvents})`);
  await context.close();

  const par = await newPage('hostile-parent');
  await par.page.goto(intruder.url);
  const hostOrigin = new URL(host.url).origin;
  await par.page.evaluate((src) => new Promise((resolve, reject) => {
    const f = document.createElement('iframe');
    f.src = src;  // trusts the host's origin (and its own), not this page's
    f.style.width = '400px'; f.style.height = '300px';
    document.body.appendChild(f);
    window.replies = {};
    window.events = [];
    window.addEventListener('message', (e) => {
      if (e.source !== f.contentWindow) return;
      const m = JSON.parse(e.data);
      if (m.event === 'ready') resolve();
      else if (m.event) window.events.push(m.event);
      else window.replies[m.id] = m;
    });
    setTimeout(() => reject(new Error('the frame never said ready')), 60000);
  }), app.url + 'embed.html?origin=' + encodeURIComponent(hostOrigin) + '#p=inspector');
  const parFrame = await frameOf(par.page, 'embed.html');
  await waitFor(parFrame, () => window.normlabReady === true, null, 30000, 'the hostile parent\'s frame to start');
  const pBefore = await parFrame.evaluate(() => window.normlab.getState());
  await par.page.evaluate((messages) => {
    const f = document.querySelector('iframe');
    for (const m of messages) f.contentWindow.postMessage(JSON.stringify(Object.assign({ normlab: 1 }, m)), '*');
  }, HOSTILE);
  await waitFor(par.page, (n) => Object.keys(window.replies).length >= n, HOSTILE.length, 15000, 'the hostile parent\'s replies');
  await par.page.waitForTimeout(800);  // a refused play must not have started anything
  const pReplies = await par.page.evaluate(() => window.replies);
  const pAfter = await parFrame.evaluate(() => window.normlab.getState());
  checks.ok(refusedAll(pReplies),
    `hostile parent (other origin, embed trusts ${hostOrigin}): dispatch, setState, step, play, subscribe all refused`);
  checks.ok(snapshot(pAfter) === snapshot(pBefore) && !pAfter.playing,
    `hostile parent: the state read back in the frame is unchanged (step ${pAfter.training.step}, playing ${pAfter.playing})`);
  // The frame trains on its own (page API): the refused parent hears no step events.
  await parFrame.evaluate(() => window.normlab.play());
  await waitFor(parFrame, (n) => window.normlab.getState().training.step >= n + 3, pAfter.training.step, 20000,
    'the hostile parent\'s frame to train');
  await parFrame.evaluate(() => window.normlab.pause());
  await par.page.waitForTimeout(300);
  const stepped = await parFrame.evaluate(() => window.normlab.getState().training.step);
  const pEvents = await par.page.evaluate(() => window.events.length);
  checks.ok(stepped > pAfter.training.step && pEvents === 0,
    `hostile parent: hears no events while the frame trains (${pEvents} events, step ${stepped})`);
  await par.context.close();
} catch (e) {
  checks.ok(false, `hostile frames check ran (${e.message})`);
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
  const csvWrong = curvesCsvProblems(fallback, 20, st.training);
  checks.ok(csvWrong.length === 0,
    `sandboxed: an export shows the file in a panel (no downloads there): the curves CSV's header and 20 rows${csvWrong.length ? ': ' + csvWrong.slice(0, 3).join('; ') : ''}`);
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
  // Each wait below may time out: the check after them says what the widgets and the
  // readouts show (read through each widget's own API).
  const reached = (promise) => promise.then(() => true, () => false);
  const waited = [];
  await page.click('#w1-train');
  waited.push(await reached(waitFor(page, () => /step 20 /.test(document.getElementById('w1-readout').textContent), null, 10000, 'the readout after Train 20 steps')));
  await page.click('#w1-next');
  await page.click('#w1-next');
  waited.push(await reached(waitFor(page, () => /stage 3\/8/.test(document.getElementById('w1-readout').textContent), null, 10000, 'stage 3 after two Next clicks')));
  await page.click('#w2-high');
  waited.push(await reached(waitFor(page, () => /learning rate 1 /.test(document.getElementById('w2-readout').textContent), null, 10000, 'learning rate 1.0')));
  await page.click('#w2-run');
  waited.push(await reached(waitFor(page, () => /step 200 /.test(document.getElementById('w2-readout').textContent), null, 30000, '200 steps')));
  const text1 = await page.textContent('#w1-readout');
  const text2 = await page.textContent('#w2-readout');
  const widgets = await page.evaluate(async () => ({
    inspector: await window.course.inspector.getState(), why: await window.course.why.getState() }));
  const wi = widgets.inspector, ww = widgets.why;
  checks.ok(waited.every(Boolean) &&
            wi.training.step === 20 && wi.view.inspector.stage === 'centred' && wi.view.panel === 'inspector' &&
            Math.abs(wi.settings.optimizer.learning_rate - 0.1) < 1e-7 &&
            ww.training.step === 200 && ww.settings.optimizer.learning_rate === 1 && ww.view.panel === 'why' &&
            /^step 20 · stage 3\/8: centred · /.test(text1) && /^learning rate 1 · step 200 · /.test(text2),
  `course page: buttons drive both widgets (inspector: step ${wi.training.step}, stage ${wi.view.inspector.stage}; ` +
  `why: step ${ww.training.step}, lr ${ww.settings.optimizer.learning_rate}; “${text1}”, “${text2}”)`);
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
