// Browser test of the NormLab page: loads it in headless Chromium (WebGL2 via
// SwiftShader), presses Play with a real mouse click on the canvas, checks that training
// runs and the canvas is drawn, survives a WebGL context loss, follows resizes, renders
// at device pixel ratio 2, and shows a readable message where WebGL2 is missing.
// Fails on any console or page error. Screenshots go to --screenshots.
// usage: node page.test.mjs --site <build/web-release/web> --screenshots <dir>
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, serve, launch, watch, pngStats, pngRegionChange, waitFor, Checks, newContext } from './harness.mjs';

const args = parseArgs(process.argv);
const site = path.resolve(args.site);
const shots = path.resolve(args.screenshots || 'screenshots');
fs.mkdirSync(shots, { recursive: true });
const checks = new Checks();
const problems = [];
const { server, url } = await serve(site);
const browser = await launch();

async function openApp(options, label) {
  const context = await newContext(browser, options);
  const page = await context.newPage();
  watch(page, problems, label);
  await page.goto(url);
  await waitFor(page, () => window.normlab && window.normlab.test.state().step !== undefined, null, 60000, 'the app to start');
  // Let a few frames draw (the first ones can be black under SwiftShader).
  await page.waitForTimeout(1500);
  return { context, page };
}

// A real mouse click on a named control. A control that is not drawn fails the block (the
// throw lands in its catch, a failed check). uiRects() keeps a control's rectangle after it
// was last drawn, so every click below is also followed by a check of what it did.
async function clickControl(page, name) {
  const rects = await page.evaluate(() => window.normlab.test.uiRects());
  const r = rects[name];
  if (!r) throw new Error(`control "${name}" was not drawn`);
  const canvasBox = await page.locator('#canvas').boundingBox();
  await page.mouse.click(canvasBox.x + (r[0] + r[2]) / 2, canvasBox.y + (r[1] + r[3]) / 2);
  return r;
}
const view = (page) => page.evaluate(() => window.normlab.getState().view);

try {
  // 1. Load, press Play with the mouse, watch training happen.
  const { context, page } = await openApp({ viewport: { width: 1280, height: 800 } }, 'desktop-size');
  const before = await page.evaluate(() => window.normlab.test.state());
  checks.ok(before.step === 0 && before.playing === false, 'starts paused at step 0');
  checks.ok(await page.locator('#loader').isHidden(), 'loading screen is gone once the app runs');
  await clickControl(page, 'play');
  await waitFor(page, () => window.normlab.test.state().step >= 30, null, 30000, '30 training steps after Play');
  const running = await page.evaluate(() => window.normlab.test.state());
  checks.ok(running.playing === true, 'the Play button (clicked on the canvas) starts training');
  checks.ok(Number.isFinite(running.train_loss) && running.train_loss > 0, `train loss is a finite number (${running.train_loss})`);
  await page.waitForTimeout(3000);
  const later = await page.evaluate(() => window.normlab.test.state());
  checks.ok(later.step > running.step, `training keeps going (step ${running.step} -> ${later.step})`);
  const png = await page.screenshot({ path: path.join(shots, 'browser-1280x800.png') });
  const stats = await pngStats(page, png);
  checks.ok(stats.std > 20, `canvas is drawn, not blank (grey std ${stats.std.toFixed(1)})`);

  // 2. Pause with the mouse, then one Step.
  await clickControl(page, 'play');
  await page.waitForTimeout(300);
  const paused = await page.evaluate(() => window.normlab.test.state());
  await clickControl(page, 'step');
  await page.waitForTimeout(300);
  const stepped = await page.evaluate(() => window.normlab.test.state());
  checks.ok(paused.playing === false && stepped.step === paused.step + 1, `Pause, then Step takes exactly one step (${paused.step} -> ${stepped.step})`);

  // 3. WebGL context loss and restore: training state survives, the picture returns.
  await page.evaluate(() => {
    const ext = document.getElementById('canvas').getContext('webgl2').getExtension('WEBGL_lose_context');
    window.__loseContext = ext;
    ext.loseContext();
  });
  await page.waitForTimeout(500);
  checks.ok(await page.locator('#message').isVisible(), 'a message explains the lost graphics context');
  await page.evaluate(() => window.__loseContext.restoreContext());
  await page.waitForTimeout(1500);
  const restored = await page.evaluate(() => window.normlab.test.state());
  checks.ok(restored.step >= stepped.step, `training state kept across context loss (step ${restored.step})`);
  const png2 = await page.screenshot({ path: path.join(shots, 'browser-after-context-restore.png') });
  const stats2 = await pngStats(page, png2);
  checks.ok(stats2.std > 20 && await page.locator('#message').isHidden(), `canvas drawn again after restore (grey std ${stats2.std.toFixed(1)})`);

  // 4. The canvas follows the window.
  await page.setViewportSize({ width: 900, height: 640 });
  await page.waitForTimeout(800);
  const size = await page.evaluate(() => { const c = document.getElementById('canvas'); return [c.width, c.height, c.clientWidth, c.clientHeight]; });
  checks.ok(size[0] === 900 && size[1] === 640 && size[2] === 900, `canvas follows a resize to 900x640 (got ${size.join('x')})`);
  await page.screenshot({ path: path.join(shots, 'browser-900x640.png') });
  await context.close();

  // 5. High-DPI: rendered at device pixel ratio 2, crisp.
  const hi = await openApp({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 2 }, 'dpr2');
  const hiState = await hi.page.evaluate(() => window.normlab.test.state());
  const hiSize = await hi.page.evaluate(() => { const c = document.getElementById('canvas'); return [c.width, c.height]; });
  checks.ok(hiState.pixel_ratio === 2 && hiSize[0] === 2560 && hiSize[1] === 1440, `renders at device pixel ratio 2 (canvas ${hiSize.join('x')})`);
  await hi.page.screenshot({ path: path.join(shots, 'browser-dpr2.png') });
  await hi.context.close();

  // 6. A phone (390 x 844): the first screen shows the data plot with its heatmap, and Play
  //    and Step; Play, Step and the panel tabs are at least 44 px tall (finger-sized).
  const phone = await openApp({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 }, 'phone');
  const phonePng = await phone.page.screenshot({ path: path.join(shots, 'browser-390x844.png') });
  checks.ok((await pngStats(phone.page, phonePng)).std > 20, 'a 390 px wide window is drawn');
  const phoneRects = await phone.page.evaluate(() => window.normlab.test.uiRects());
  const onFirstScreen = (name) => {
    const r = phoneRects[name];
    return !!r && r[0] >= 0 && r[1] >= 0 && r[2] <= 390 && r[3] <= 844;
  };
  const plot = phoneRects.data_plot || [0, 0, 0, 0];
  checks.ok(onFirstScreen('data_plot') && plot[2] - plot[0] >= 250,
    `on a 390 x 844 phone the data plot is on the first screen and wide (${plot.map(Math.round).join(', ')})`);
  // The plot's middle shows the heatmap, not the empty dark square drawn before the texture.
  const plotStats = await pngStats(phone.page, await phone.page.screenshot({
    clip: { x: plot[0] + 2, y: plot[1] + 2, width: plot[2] - plot[0] - 4, height: plot[3] - plot[1] - 4 } }));
  checks.ok(plotStats.mean > 100, `the phone's plot shows the heatmap (mean grey ${plotStats.mean.toFixed(0)})`);
  checks.ok(onFirstScreen('play') && onFirstScreen('step'),
    `Play and Step are on the phone's first screen (play ${phoneRects.play}, step ${phoneRects.step})`);
  const small = ['play', 'step', 'epoch', 'reset', 'panel:Data & boundary', 'panel:Network', 'help']
    .filter((n) => !phoneRects[n] || phoneRects[n][3] - phoneRects[n][1] < 44 - 0.5);
  checks.ok(small.length === 0, `Play, Step, Epoch, Reset, the tabs and help are at least 44 px tall on a phone${small.length ? ' (not: ' + small.join(', ') + ')' : ''}`);
  await phone.context.close();
} catch (e) {
  checks.ok(false, `browser test ran to the end (${e.message})`);
}
// Network panel and data editing: the network diagram draws; a real mouse click on the
// data area adds a point (the experiment rebuilds on the new data: training restarts).
try {
  const net = await openApp({ viewport: { width: 1280, height: 800 } }, 'network-panel');
  checks.ok(await net.page.evaluate(() => (window.normlab.dispatch({ type: 'show_panel', panel: 'network' }), window.normlab.getState().view.panel === 'network')), 'the show_panel action shows the network panel');
  await net.page.waitForTimeout(1500);
  const netState = await net.page.evaluate(() => window.normlab.test.state());
  const netRects = await net.page.evaluate(() => window.normlab.test.uiRects());
  checks.ok(netState.panel === 'network' && netRects['network_canvas'] !== undefined && netRects['neuron:0:0'] !== undefined,
    'the network panel draws its diagram (canvas and neurons recorded)');
  const netPng = await net.page.screenshot({ path: path.join(shots, 'browser-network.png') });
  checks.ok((await pngStats(net.page, netPng)).std > 20, 'the network panel is drawn, not blank');

  await net.page.evaluate(() => (window.normlab.dispatch({ type: 'show_panel', panel: 'data' }), window.normlab.getState().view.panel === 'data'));
  await net.page.evaluate(() => window.normlab.step(5));
  await net.page.waitForTimeout(500);
  const beforeClick = await net.page.evaluate(() => window.normlab.test.state());
  await clickControl(net.page, 'data_area');
  await net.page.waitForTimeout(500);
  const afterClick = await net.page.evaluate(() => window.normlab.test.state());
  checks.ok(beforeClick.step === 5 && afterClick.step === 0 && afterClick.notice === null,
    `a click on the data area adds a point (training restarts on the new data: step ${beforeClick.step} -> ${afterClick.step})`);
  await net.page.screenshot({ path: path.join(shots, 'browser-data-added-point.png') });
  await net.context.close();
} catch (e) {
  checks.ok(false, `network panel check ran (${e.message})`);
}

// BN inspector and backprop stepper: both panels draw (real mouse clicks on their buttons
// change what they show), with screenshots.
try {
  const insp = await openApp({ viewport: { width: 1280, height: 800 } }, 'inspector-panel');
  await insp.page.evaluate(() => window.normlab.step(20));
  checks.ok(await insp.page.evaluate(() => (window.normlab.dispatch({ type: 'show_panel', panel: 'inspector' }), window.normlab.getState().view.panel === 'inspector')), 'the show_panel action shows the inspector panel');
  await insp.page.waitForTimeout(1000);
  const inspRects = await insp.page.evaluate(() => window.normlab.test.uiRects());
  checks.ok(inspRects['inspector:plot'] !== undefined && inspRects['inspector:gamma'] !== undefined,
    'the inspector draws its plot and the γ slider');
  // Each click on next moves one stage on: raw, mean, ... eval.
  const stages = [(await view(insp.page)).inspector.stage];
  for (let i = 0; i < 7; ++i) {
    await clickControl(insp.page, 'inspector:next');
    await insp.page.waitForTimeout(150);
    stages.push((await view(insp.page)).inspector.stage);
  }
  checks.ok(stages.join(',') === 'raw,mean,centred,variance,normalized,affine,running,eval',
    `each click on the inspector's next moves one stage on (${stages.join(' -> ')})`);
  await insp.page.waitForTimeout(800);
  const evalRects = await insp.page.evaluate(() => window.normlab.test.uiRects());
  checks.ok(evalRects['inspector:boundaries'] !== undefined, 'clicking next to the eval stage shows batch vs running boundaries');
  const inspPng = await insp.page.screenshot({ path: path.join(shots, 'browser-inspector.png') });
  checks.ok((await pngStats(insp.page, inspPng)).std > 20, 'the inspector panel is drawn, not blank');

  checks.ok(await insp.page.evaluate(() => (window.normlab.dispatch({ type: 'show_panel', panel: 'backprop' }), window.normlab.getState().view.panel === 'backprop')), 'the show_panel action shows the backprop panel');
  await insp.page.waitForTimeout(800);
  const bpSteps = [(await view(insp.page)).inspector.backprop_step];
  for (let i = 0; i < 8; ++i) {
    await clickControl(insp.page, 'backprop:next');
    await insp.page.waitForTimeout(150);
    bpSteps.push((await view(insp.page)).inspector.backprop_step);
  }
  checks.ok(bpSteps.join(',') === 'forward,dy,dbeta,dgamma,dxhat,dvar,dmean,dx,compact',
    `each click on the backprop stepper's next moves one step back (${bpSteps.join(' -> ')})`);
  await insp.page.waitForTimeout(300);
  // "check numerically" draws its table under the button: that area changes with the click
  // (the pointer rests on the button in both pictures, so its hover colour is the same).
  const checkRect = (await insp.page.evaluate(() => window.normlab.test.uiRects()))['backprop:check'];
  if (!checkRect) throw new Error('control "backprop:check" was not drawn');
  const cbox = await insp.page.locator('#canvas').boundingBox();
  await insp.page.mouse.move(cbox.x + (checkRect[0] + checkRect[2]) / 2, cbox.y + (checkRect[1] + checkRect[3]) / 2);
  await insp.page.waitForTimeout(400);
  const bpBefore = await insp.page.screenshot();
  await clickControl(insp.page, 'backprop:check');
  await insp.page.waitForTimeout(800);
  const bpPng = await insp.page.screenshot({ path: path.join(shots, 'browser-backprop.png') });
  const below = [cbox.x + checkRect[0], cbox.y + checkRect[3] + 2, cbox.x + checkRect[0] + 400, cbox.y + checkRect[3] + 120];
  const tableShown = await pngRegionChange(insp.page, bpBefore, bpPng, below);
  checks.ok(tableShown > 0.02, `a click on "check numerically" shows the table under it (${(100 * tableShown).toFixed(1)}% of the area changed)`);
  checks.ok((await pngStats(insp.page, bpPng)).std > 20, 'the backprop panel is drawn, not blank');
  const bpState = await insp.page.evaluate(() => window.normlab.test.state());
  checks.ok(bpState.notice === null, 'the numeric check runs without a notice');
  await insp.context.close();
} catch (e) {
  checks.ok(false, `inspector panel check ran (${e.message})`);
}

// Why BN helps: the twin run trains next to the main network; the panel draws both
// decision boundaries and the shared charts; a real click switches to the ribbons.
try {
  const why = await openApp({ viewport: { width: 1280, height: 800 } }, 'why-panel');
  checks.ok(await why.page.evaluate(() => (window.normlab.dispatch({ type: 'show_panel', panel: 'why' }), window.normlab.getState().view.panel === 'why')), 'the show_panel action shows the why panel');
  await clickControl(why.page, 'play');
  await why.page.waitForTimeout(3000);
  const whyState = await why.page.evaluate(() => window.normlab.test.state());
  const whyRects = await why.page.evaluate(() => window.normlab.test.uiRects());
  checks.ok(whyState.panel === 'why' && whyState.step > 0, `the why panel shows while training (step ${whyState.step})`);
  checks.ok(whyRects['why:heatmap_with'] !== undefined && whyRects['why:heatmap_without'] !== undefined &&
    whyRects['why:chart_loss'] !== undefined, 'the why panel draws both twins\' boundaries and the loss chart');
  const whyPng = await why.page.screenshot({ path: path.join(shots, 'browser-why.png') });
  checks.ok((await pngStats(why.page, whyPng)).std > 20, 'the why panel is drawn, not blank');
  const whyBefore = (await view(why.page)).why_view;
  await clickControl(why.page, 'why:dist');
  await why.page.waitForTimeout(800);
  const whyAfter = (await view(why.page)).why_view;
  const distRects = await why.page.evaluate(() => window.normlab.test.uiRects());
  checks.ok(whyBefore === 'twin' && whyAfter === 'distribution' && distRects['why:chart_ribbons'] !== undefined,
    `clicking Distributions shows the percentile ribbons (view ${whyBefore} -> ${whyAfter})`);
  await why.page.screenshot({ path: path.join(shots, 'browser-why-ribbons.png') });
  await why.context.close();
} catch (e) {
  checks.ok(false, `why panel check ran (${e.message})`);
}

// Touch (a phone): tap Play, drag a slider with a finger, drag the BN inspector's gamma.
try {
  const touch = await openApp({ viewport: { width: 390, height: 800 }, hasTouch: true, isMobile: true,
    deviceScaleFactor: 2 }, 'touch');
  const page = touch.page;
  const box = await page.locator('#canvas').boundingBox();
  const rectOf = async (name) => {
    const r = (await page.evaluate(() => window.normlab.test.uiRects()))[name];
    if (!r) throw new Error(`control "${name}" was not drawn`);
    return r;
  };
  const play = await rectOf('play');
  await page.touchscreen.tap(box.x + (play[0] + play[2]) / 2, box.y + (play[1] + play[3]) / 2);
  await page.waitForTimeout(800);
  checks.ok((await page.evaluate(() => window.normlab.test.state())).playing === true, 'a finger tap on Play starts training');
  await page.touchscreen.tap(box.x + (play[0] + play[2]) / 2, box.y + (play[1] + play[3]) / 2);
  await page.waitForTimeout(300);

  // A finger drag: touchStart at a slider's left end, move right, touchEnd.
  const cdp = await touch.context.newCDPSession(page);
  const drag = async (r, fraction) => {
    const y = box.y + (r[1] + r[3]) / 2;
    const x0 = box.x + r[0] + 4, x1 = box.x + r[0] + (r[2] - r[0]) * fraction;
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: x0, y }] });
    for (let i = 1; i <= 8; i += 1) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: x0 + (x1 - x0) * i / 8, y }] });
      await page.waitForTimeout(40);
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await page.waitForTimeout(300);
  };
  await drag(await rectOf('speed'), 0.6);
  const speed = (await page.evaluate(() => window.normlab.test.state())).steps_per_frame;
  checks.ok(speed > 1, `a finger drag on the speed slider changes it (steps per frame ${speed})`);

  // On a phone the panels come first and the controls below them (from Play's row down): the
  // inspector's gamma sits below the panels' fold. Scroll the panel with a finger (a drag on
  // empty space, along the panel's left padding), then drag gamma.
  await page.evaluate(() => window.normlab.dispatch({ type: 'show_panel', panel: 'inspector' }));
  await page.waitForTimeout(600);
  const hidden = await rectOf('inspector:gamma');
  const fold = (await rectOf('play'))[1] - 60;  // above the controls' header and Play
  // Swipe up (as a learner would, again if one swipe is not enough: the panel is long).
  const swipe = [{ x: box.x + 3, y: box.y + fold - 20 }, { x: box.x + 3, y: box.y + fold - 370 }];
  let shown = hidden;
  let swipes = 0;
  while (shown[3] >= fold && swipes < 4) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [swipe[0]] });
    for (let i = 1; i <= 10; i += 1) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: swipe[0].x, y: swipe[0].y + (swipe[1].y - swipe[0].y) * i / 10 }] });
      await page.waitForTimeout(40);
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await page.waitForTimeout(400);
    shown = await rectOf('inspector:gamma');
    swipes += 1;
  }
  checks.ok(hidden[1] > fold && shown[3] < fold,
    `finger swipes scroll the panel to the inspector's gamma (top ${hidden[1]} -> ${shown[1]} after ${swipes} swipe(s), fold ${fold})`);
  const versionBefore = (await page.evaluate(() => window.normlab.test.state())).model_version;
  await drag(shown, 0.9);
  const versionAfter = (await page.evaluate(() => window.normlab.test.state())).model_version;
  checks.ok(versionAfter > versionBefore, `on a phone, a finger drag on gamma changes the network (model version ${versionBefore} -> ${versionAfter})`);
  await page.screenshot({ path: path.join(shots, 'browser-touch-phone-inspector.png') });
  await touch.context.close();
} catch (e) {
  checks.ok(false, `touch block ran to the end (${e.message})`);
}

// Touch on a tablet in landscape: drag the BN inspector's gamma with a finger.
try {
  const tablet = await openApp({ viewport: { width: 1024, height: 768 }, hasTouch: true, isMobile: true }, 'tablet');
  const page = tablet.page;
  const box = await page.locator('#canvas').boundingBox();
  await page.evaluate(() => (window.normlab.dispatch({ type: 'show_panel', panel: 'inspector' }), window.normlab.getState().view.panel === 'inspector'));
  await page.waitForTimeout(800);
  const r = (await page.evaluate(() => window.normlab.test.uiRects()))['inspector:gamma'];
  if (!r) throw new Error('the inspector\'s gamma slider was not drawn');
  const cdp = await tablet.context.newCDPSession(page);
  const y = box.y + (r[1] + r[3]) / 2, x0 = box.x + r[0] + 4, x1 = box.x + r[0] + (r[2] - r[0]) * 0.9;
  const before = (await page.evaluate(() => window.normlab.test.state())).model_version;
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: x0, y }] });
  for (let i = 1; i <= 8; i += 1) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: x0 + (x1 - x0) * i / 8, y }] });
    await page.waitForTimeout(40);
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await page.waitForTimeout(400);
  const after = (await page.evaluate(() => window.normlab.test.state())).model_version;
  checks.ok(after > before, `a finger drag on the inspector's gamma changes the network (model version ${before} -> ${after})`);
  await page.screenshot({ path: path.join(shots, 'browser-touch-inspector.png') });
  await tablet.context.close();
} catch (e) {
  checks.ok(false, `touch block ran to the end (${e.message})`);
}

await browser.close();

// 7. No WebAssembly SIMD (simulated: validate() says no): a readable message, no crash.
try {
  const noSimd = await launch();
  const page = await noSimd.newPage();
  await page.addInitScript(() => { WebAssembly.validate = () => false; });
  await page.goto(url);
  await page.waitForTimeout(1000);
  const text = await page.evaluate(() => window.normlabError || '');
  const started = await page.evaluate(() => typeof window.normlab !== 'undefined');
  checks.ok(/SIMD/.test(text) && !started && await page.getByRole('alert').isVisible(),
    `without WebAssembly SIMD the page says why ("${text.slice(0, 60)}...")`);
  await page.screenshot({ path: path.join(shots, 'browser-no-simd.png') });
  await noSimd.close();
} catch (e) {
  checks.ok(false, `no-SIMD check ran (${e.message})`);
}

// 8. No WebGL: a readable message instead of a crash.
try {
  const noGl = await launch(['--disable-3d-apis']);
  const page = await noGl.newPage();
  await page.goto(url);
  // The app finds out when it creates its context, after loading: wait for its message.
  await page.waitForFunction(() => window.normlabError !== undefined, null, { timeout: 30000, polling: 100 }).catch(() => {});
  const text = await page.evaluate(() => window.normlabError || '');
  checks.ok(/WebGL2/.test(text) && await page.getByRole('alert').isVisible(), `without WebGL the page says why ("${text.slice(0, 60)}...")`);
  await page.screenshot({ path: path.join(shots, 'browser-no-webgl.png') });
  await noGl.close();
} catch (e) {
  checks.ok(false, `no-WebGL check ran (${e.message})`);
}
server.close();

for (const p of problems) checks.ok(false, p);
checks.ok(problems.length === 0, 'no console errors and no page errors');
console.log(`browser test: ${checks.count - checks.failures.length} passed, ${checks.failures.length} failed`);
process.exit(checks.failures.length === 0 ? 0 : 1);
