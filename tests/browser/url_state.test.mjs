// Browser test of the page's state plumbing: every URL setting round-trips through the
// app and location.hash (and a reload); a few hundred seeded random or malformed hashes
// cause no page error and leave a working canvas; exports download and re-import, bad files
// are refused with their own notice and change nothing, the CSV and PyTorch exports hold
// the run's rows and the network's modules; the accessible mirror announces and its
// buttons work from the keyboard; the keyboard shortcuts still work with ImGui's keyboard
// navigation on. Fails on any console/page error.
// usage: node url_state.test.mjs --site <build/web-release/web> --screenshots <dir> [--hashes N]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, serve, launch, watch, pngStats, waitFor, Checks, curvesCsvProblems, pytorchProblems, newContext } from './harness.mjs';

const args = parseArgs(process.argv);
const site = path.resolve(args.site);
const shots = path.resolve(args.screenshots || 'screenshots');
const hashCount = Number(args.hashes || 300);
fs.mkdirSync(shots, { recursive: true });
const checks = new Checks();
const problems = [];
const { server, url } = await serve(site);
const browser = await launch();
const context = await newContext(browser, { viewport: { width: 1280, height: 800 }, acceptDownloads: true });
const page = await context.newPage();
watch(page, problems, 'url-state');

// true once `promise` (a waitFor) resolves, false when it times out: the check that follows
// says what did not happen.
const reached = (promise) => promise.then(() => true, () => false);

async function open(hash) {
  await page.goto('about:blank');  // a real load, not a same-document hash change
  await page.goto(url + 'index.html' + (hash ? '#' + hash : ''));
  await waitFor(page, () => window.normlabReady === true, null, 60000, 'the app to start');
}

// One non-default value per URL key (src/app/url_state.h).
const SETTINGS = {
  ds: 'circles', n: '400', noise: '0.2', tf: '0.3', dseed: '7', h: '16t-l,8r-b', init: 'xavier', nseed: '5',
  eps: '0.001', mom: '0.2', aff: '0', trs: '0', grp: '4', rmax: '2', dmax: '3', opt: 'adam', lr: '0.03',
  om: '0.5', wd: '0.01', b1: '0.8', b2: '0.99', aeps: '0.0001', bs: '16', sseed: '9', p: 'why', th: 'light',
  tp: '0', disc: '1', pc: '1', why: 'gradients', wl: '1', wu: '2', wpost: '1', il: '1', if: '3', ix: '5',
  is: 'variance', ie: '1', bp: 'dvar', sp: '5', sl: '1', slt: '0.2', ss: '1', ssn: '500', hide: 'lr,batch_size',
  lock: '1', paused: '1', lesson: '01-what-bn-computes', ls: '2',
};
// Keys that only mean something together with another one.
const PREFIX = { ls: 'lesson=01-what-bn-computes&' };
function parseHash(h) {
  const m = {};
  for (const part of h.replace(/^#/, '').split('&')) {
    if (!part) continue;
    const i = part.indexOf('=');
    m[decodeURIComponent(part.slice(0, i))] = decodeURIComponent(part.slice(i + 1));
  }
  return m;
}
function same(a, b) {
  if (a === b) return true;
  if (typeof a === 'string' && a.includes(',') && typeof b === 'string') {  // id lists: order does not matter
    return a.split(',').sort().join(',') === b.split(',').sort().join(',');
  }
  const x = Number(a), y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(x));
}

try {
  await open('');
  checks.ok(await page.evaluate(() => window.normlab.urlHash()) === '', 'the defaults give an empty hash');

  // 1. Each setting alone: applied through a hashchange, read back from the app's state and
  //    from location.hash (kept up to date with history.replaceState).
  const bad = [];
  for (const [key, value] of Object.entries(SETTINGS)) {
    await page.evaluate((h) => { location.hash = h; }, `${PREFIX[key] || ''}${key}=${value}`);
    await page.waitForFunction((k) => new URLSearchParams(window.normlab.urlHash()).has(k), key, { timeout: 5000 }).catch(() => {});
    const got = parseHash(await page.evaluate(() => window.normlab.urlHash()));
    if (!same(got[key], value)) bad.push(`${key}=${value} -> ${got[key]}`);
  }
  checks.ok(bad.length === 0, `every URL setting round-trips through the app (${Object.keys(SETTINGS).length} keys${bad.length ? '; wrong: ' + bad.join(', ') : ''})`);

  // 2. All settings at once, then the page's address follows the state, and a reload keeps it.
  await page.evaluate(() => window.normlab.applyHash(''));
  const compatible = { ...SETTINGS };
  delete compatible.hide; delete compatible.lock;  // keep the UI usable for the screenshot
  delete compatible.lesson; delete compatible.ls;  // a lesson applies its own preset
  const all = Object.entries(compatible).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  await page.evaluate((h) => window.normlab.applyHash(h), all);
  const canonical = await page.evaluate(() => window.normlab.urlHash());
  await waitFor(page, (h) => location.hash === '#' + h, canonical, 3000, 'location.hash to follow the state');
  const state = await page.evaluate(() => window.normlab.getState());
  checks.ok(state.settings.data.kind === 'circles' && state.settings.batch_size === 16 &&
            Math.abs(state.settings.optimizer.learning_rate - 0.03) < 1e-7 && state.settings.optimizer.kind === 'adam' &&
            state.view.panel === 'why' && state.view.theme === 'light',
  'getState shows the settings of the hash (dataset, batch size, learning rate, optimizer, panel, theme)');
  await page.reload();
  await waitFor(page, () => window.normlabReady === true, null, 60000, 'the app to start after a reload');
  const reloaded = await page.evaluate(() => window.normlab.urlHash());
  checks.ok(reloaded === canonical, `a reload with that address restores the same state (${canonical.length} chars)`);
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(shots, 'url-state-all-settings.png') });
  // A change in the app updates the address (throttled).
  const LR7 = /(^#|&)lr=0\.07(&|$)/;
  const hashBefore = await page.evaluate(() => location.hash);
  await page.evaluate(() => window.normlab.dispatch({ type: 'set_learning_rate', learning_rate: 0.07 }));
  const followed = await reached(waitFor(page, (re) => new RegExp(re).test(location.hash), LR7.source, 3000, 'the address to show lr=0.07'));
  const hashAfter = await page.evaluate(() => location.hash);
  const lrAfter = await page.evaluate(() => window.normlab.getState().settings.optimizer.learning_rate);
  checks.ok(!LR7.test(hashBefore) && followed && LR7.test(hashAfter) && Math.abs(lrAfter - 0.07) < 1e-7,
    `a change made in the app shows in location.hash (lr=${parseHash(hashBefore).lr} -> ${parseHash(hashAfter).lr}, state ${lrAfter})`);
} catch (e) {
  checks.ok(false, `URL round-trip ran to the end (${e.message})`);
}

// 3. Seeded random and malformed hashes: no page error, finite numbers, canvas still draws.
try {
  await open('');
  let seed = 12345;
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const keys = Object.keys(SETTINGS).concat(['zz', '', '=', 'lr lr', '%', '__proto__', 'constructor']);
  const junk = ['', 'NaN', 'Infinity', '-Infinity', '1e999', '-1', '0', '-0', '1e-45', 'abc', '%', '%zz', '%00',
    '<script>', '"', "'", '\u00b5', '\u{1F600}', '9'.repeat(40), 'x'.repeat(3000), '1,2,3', ',,,', '0x10',
    '8r-b,' .repeat(20), '999999r-b', '8q-z', '128r-b,128r-b,128r-b', 'none', 'true', '[]', '{}', '1/0', ' 1'];
  const hashes = [];
  for (let i = 0; i < hashCount; ++i) {
    const parts = [];
    const n = 1 + Math.floor(rnd() * 6);
    for (let j = 0; j < n; ++j) {
      const k = pick(keys);
      const r = rnd();
      const v = r < 0.3 ? SETTINGS[k] || pick(junk) : r < 0.8 ? pick(junk) : String(Math.round((rnd() - 0.3) * 10 ** Math.floor(rnd() * 7)));
      parts.push(rnd() < 0.1 ? k : `${encodeURIComponent(k)}=${rnd() < 0.5 ? encodeURIComponent(v) : v}`);
    }
    hashes.push((rnd() < 0.5 ? '#' : '') + parts.join(rnd() < 0.9 ? '&' : '&&'));
  }
  const t0 = Date.now();
  const result = await page.evaluate(async (list) => {
    const failures = [];
    for (let i = 0; i < list.length; ++i) {
      try {
        window.normlab.applyHash(list[i]);
        window.normlab.step(1);
        const s = window.normlab.test.state();
        for (const k of ['train_loss', 'test_loss', 'batch_loss', 'train_accuracy']) {
          if (s[k] !== null && !Number.isFinite(s[k])) failures.push(`${list[i]}: ${k}=${s[k]}`);
        }
        const st = window.normlab.getState();
        if (!Number.isFinite(st.settings.optimizer.learning_rate)) failures.push(`${list[i]}: lr not finite`);
        // Let a frame draw now and then.
        if (i % 25 === 0) await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      } catch (e) {
        failures.push(`${list[i].slice(0, 80)}: ${e.message}`);
      }
    }
    return failures;
  }, hashes);
  checks.ok(result.length === 0, `${hashes.length} seeded random/malformed hashes: no exception, no non-finite number (${Date.now() - t0} ms)${result.length ? ': ' + result.slice(0, 3).join(' | ') : ''}`);
  await page.evaluate(() => window.normlab.dispatch({ type: 'dismiss_notice' }));
  await page.waitForTimeout(800);
  const png = await page.screenshot({ path: path.join(shots, 'url-state-after-random-hashes.png') });
  checks.ok((await pngStats(page, png)).std > 20, 'the canvas still draws after the random hashes');
  const stepBefore = await page.evaluate(() => window.normlab.getState().training.step);
  await page.evaluate(() => window.normlab.step(3));
  checks.ok(await page.evaluate(() => window.normlab.getState().training.step) === stepBefore + 3, 'and the app still trains');
} catch (e) {
  checks.ok(false, `random hashes ran to the end (${e.message})`);
}

// 4. Export and re-import: the state file downloads, a changed session imports it back.
try {
  await open('lr=0.05&p=inspector');
  await page.evaluate(() => window.normlab.step(25));
  const before = await page.evaluate(() => window.normlab.getState({ weights: true }));
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 10000 }),
    page.evaluate(() => window.normlab.dispatch({ type: 'export', kind: 'state_json' })),
  ]);
  const file = path.join(shots, 'export-' + download.suggestedFilename());
  await download.saveAs(file);
  const text = fs.readFileSync(file, 'utf8');
  checks.ok(download.suggestedFilename() === 'normlab-state.json' && JSON.parse(text).format === 'normlab-state',
    `exporting the state downloads ${download.suggestedFilename()} (${text.length} bytes)`);
  await page.evaluate(() => { window.normlab.dispatch({ type: 'reset' }); window.normlab.setState({ settings: { batch_size: 8 } }); });
  const result = await page.evaluate((t) => window.normlab.importText(t), text);
  const after = await page.evaluate(() => window.normlab.getState({ weights: true }));
  checks.ok(after.training.step === before.training.step && JSON.stringify(after.weights) === JSON.stringify(before.weights) &&
            after.settings.batch_size === before.settings.batch_size,
  `the exported file imports back: same step (${after.training.step}), settings and weights${result.notice ? ' (' + result.notice + ')' : ''}`);
  // The Import button's file picker does the same (from a reset session, no notice showing).
  await page.evaluate(() => { window.normlab.dispatch({ type: 'reset' }); window.normlab.dispatch({ type: 'dismiss_notice' }); });
  const unpicked = await page.evaluate(() => ({ step: window.normlab.getState().training.step, notice: window.normlab.test.state().notice }));
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('#import-button')]);
  await chooser.setFiles(file);
  const picked = await reached(waitFor(page, (s) => window.normlab.getState().training.step === s, before.training.step, 5000, 'the picked file to import'));
  const pickedState = await page.evaluate(() => ({ st: window.normlab.getState({ weights: true }), notice: window.normlab.test.state().notice }));
  checks.ok(unpicked.step === 0 && unpicked.notice === null && picked &&
            pickedState.st.training.step === before.training.step &&
            JSON.stringify(pickedState.st.weights) === JSON.stringify(before.weights) &&
            JSON.stringify(pickedState.st.settings) === JSON.stringify(before.settings) &&
            /^Imported the state file/.test(pickedState.notice || ''),
  `the Import… button imports a picked state file (step ${unpicked.step} -> ${pickedState.st.training.step}, same settings and weights; “${pickedState.notice}”)`);

  // Bad files: each refused with an "Import failed" notice of its own (the earlier notice is
  // dismissed first, and the reply names the notice this import left), and the session —
  // settings, view, training position, weights, model version — exactly as it was. One file
  // is wrong from its first key; the other is the exported file with changed settings and
  // one weight row missing deep inside, so a half-applied import would show.
  const doc = JSON.parse(text);
  doc.settings.batch_size = 64;
  doc.settings.optimizer.learning_rate = 0.5;
  doc.training.step = 999;
  doc.weights.hidden[1].linear.weight.pop();
  const BAD_FILES = [
    { name: 'wrong format', text: '{"format": "nope"}', says: /format/ },
    { name: 'a weight row missing', text: JSON.stringify(doc), says: /weights\.hidden\[1\]\.linear\.weight/ },
  ];
  for (const bad of BAD_FILES) {
    await page.evaluate(() => window.normlab.dispatch({ type: 'dismiss_notice' }));
    const pre = await page.evaluate(() => ({ st: JSON.stringify(window.normlab.getState({ weights: true })),
      notice: window.normlab.test.state().notice, version: window.normlab.test.state().model_version }));
    const reply = await page.evaluate((t) => {
      try { return { result: window.normlab.importText(t) }; } catch (e) { return { error: e.message }; }
    }, bad.text);
    const post = await page.evaluate(() => ({ st: JSON.stringify(window.normlab.getState({ weights: true })),
      notice: window.normlab.test.state().notice, version: window.normlab.test.state().model_version }));
    const said = reply.result ? reply.result.notice : reply.error;
    checks.ok(pre.notice === null && typeof said === 'string' && /^Import failed: /.test(said) && bad.says.test(said) &&
              post.notice === said,
      `a bad file (${bad.name}) is refused with its own "Import failed" notice (notice before: ${pre.notice}; now: “${post.notice}”)`);
    checks.ok(post.st === pre.st && post.version === pre.version,
      `the refused file (${bad.name}) leaves the session as it was (settings, view, step, weights)`);
  }
  await page.evaluate(() => window.normlab.dispatch({ type: 'dismiss_notice' }));

  // The other exports, from a known run: a network unlike the default one (tanh, LayerNorm
  // after the activation, BatchNorm with the cumulative average), reset, TRAINED steps.
  const TRAINED = 37;
  await page.evaluate((n) => {
    window.normlab.pause();
    window.normlab.setState({ settings: { net: {
      hidden: [{ width: 6, activation: 'tanh', norm: 'layernorm', placement: 'after' },
               { width: 5, activation: 'relu', norm: 'batchnorm', placement: 'before' }],
      norm: { momentum: null, eps: 0.001 } } } });
    window.normlab.dispatch({ type: 'reset' });
    window.normlab.step(n);
  }, TRAINED);
  const exported = await page.evaluate(() => window.normlab.getState());
  for (const kind of ['curves_csv', 'pytorch', 'png']) {
    const [d] = await Promise.all([
      page.waitForEvent('download', { timeout: 10000 }),
      page.evaluate((k) => window.normlab.dispatch({ type: 'export', kind: k }), kind),
    ]);
    const f = path.join(shots, 'export-' + d.suggestedFilename());
    await d.saveAs(f);
    const bytes = fs.readFileSync(f);
    let wrong;
    if (kind === 'png') {
      wrong = d.suggestedFilename() === 'normlab.png' && bytes.slice(1, 4).toString() === 'PNG' && bytes.length > 5000 ? [] : ['not a PNG of the canvas'];
    } else if (kind === 'curves_csv') {
      wrong = (d.suggestedFilename() === 'normlab-curves.csv' ? [] : ['named ' + d.suggestedFilename()])
        .concat(curvesCsvProblems(bytes.toString('utf8'), TRAINED, exported.training));
    } else {
      wrong = (d.suggestedFilename() === 'normlab_model.py' ? [] : ['named ' + d.suggestedFilename()])
        .concat(pytorchProblems(bytes.toString('utf8'), exported.settings));
    }
    const what = { curves_csv: `the curves header and ${TRAINED} rows (steps 1..${TRAINED}, the last one the state's)`,
      pytorch: 'the network\'s modules (Linear, LayerNorm, Tanh, BatchNorm1d, ReLU, Linear), batch size and optimizer',
      png: 'a PNG' }[kind];
    checks.ok(wrong.length === 0, `export ${kind}: ${d.suggestedFilename()} (${bytes.length} bytes) holds ${what}${wrong.length ? ': ' + wrong.slice(0, 4).join('; ') : ''}`);
  }
} catch (e) {
  checks.ok(false, `export/import ran to the end (${e.message})`);
}

// 5. Accessibility: the live region announces the inspector stage with numbers; Tab leaves
//    the canvas for the mirror's buttons; the shortcuts still work with keyboard navigation.
try {
  await open('p=inspector&is=mean');
  await page.evaluate(() => window.normlab.step(3));
  await waitFor(page, () => /Stage 2 of 8.*paused at step 3/.test(document.getElementById('a11y-live').textContent), null, 5000, 'the stage announcement');
  const said = await page.textContent('#a11y-live');
  checks.ok(/μ_B = \(1\/m\) Σ x_i = -?[0-9.e+-]+/.test(said) && /paused at step 3/.test(said) && !/nan/i.test(said),
    `the live region announces the stage, formula and numbers: “${said}”`);
  checks.ok(await page.getAttribute('#a11y-live', 'aria-live') === 'polite', 'the announcement region is an ARIA live region');
  await page.focus('#canvas');
  // Start without a focus ring (earlier keyboard use may have left one; while it shows, the
  // arrows move it, as documented): Escape hides it and hands the keys to the shortcuts.
  // Hold each key as a person does (~120 ms): ImGui 1.86 reads key state once per frame, so
  // a press and release within one slow (software-rendered) frame would not be seen.
  const tap = async (key) => { await page.keyboard.down(key); await page.waitForTimeout(120); await page.keyboard.up(key); };
  await tap('Escape');
  await page.waitForTimeout(200);
  await tap('Space');
  await page.waitForTimeout(300);
  const playing = await page.evaluate(() => window.normlab.getState().playing);
  await tap('Space');
  await page.waitForTimeout(300);
  const s0 = await page.evaluate(() => window.normlab.getState().training.step);
  await tap('ArrowRight');
  await page.waitForTimeout(300);
  const s1 = await page.evaluate(() => window.normlab.getState().training.step);
  checks.ok(playing === true && s1 === s0 + 1, `space and → still play/pause and step with keyboard navigation on (${s0} -> ${s1})`);
  // Keyboard navigation inside the app: Escape, then arrows move a focus ring and space presses.
  await page.keyboard.press('Escape');
  await page.keyboard.press('ArrowDown');
  await page.waitForTimeout(200);
  await page.screenshot({ path: path.join(shots, 'a11y-keyboard-nav.png') });
  await page.keyboard.press('Escape');
  // Tab leaves the canvas; the mirror's buttons show and work.
  await page.focus('#canvas');
  let reached = false;
  for (let i = 0; i < 4 && !reached; ++i) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement && document.activeElement.id === 'a11y-play');
  }
  checks.ok(reached, 'Tab moves from the canvas to the mirror\'s Play button');
  const before = await page.evaluate(() => window.normlab.getState().playing);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(300);
  const after = await page.evaluate(() => window.normlab.getState().playing);
  await page.screenshot({ path: path.join(shots, 'a11y-mirror-focused.png') });
  await page.keyboard.press('Tab');
  const focusedStep = await page.evaluate(() => document.activeElement.id);
  const sA = await page.evaluate(() => { window.normlab.pause(); return window.normlab.getState().training.step; });
  await page.keyboard.press('Enter');
  await page.waitForTimeout(200);
  const sB = await page.evaluate(() => window.normlab.getState().training.step);
  checks.ok(after === !before && focusedStep === 'a11y-step' && sB === sA + 1, 'the mirror\'s Play and Step buttons work from the keyboard');
} catch (e) {
  checks.ok(false, `accessibility checks ran (${e.message})`);
}

await browser.close();
server.close();
for (const p of problems) checks.ok(false, p);
console.log(`${checks.count - checks.failures.length} of ${checks.count} checks passed`);
process.exit(checks.failures.length ? 1 : 0);
