// Page start-up benchmark (not a test: it prints numbers): navigation -> the first frame drawn
// with the app ready (window.normlabReady, checked on every animation frame), in Debian's
// Chromium on loopback, each run in a fresh browser context (an empty cache), with the bytes
// the page loaded. With --compare DIR, runs alternate between the two sites (same machine, same
// moment) and the ratio of the medians is printed.
// usage: node ready.bench.mjs --site <build/web-release/web> [--compare <other web dir>] [--runs 5]
import path from 'node:path';
import { parseArgs, serve, launch } from './harness.mjs';

const args = parseArgs(process.argv);
const runs = Number(args.runs || 5);
const sites = [path.resolve(args.site)].concat(args.compare ? [path.resolve(args.compare)] : []);
const servers = await Promise.all(sites.map((s) => serve(s)));
const browser = await launch();

async function once(url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(() => {
    const check = () => {
      if (window.normlabReady === true) window.__readyAt = performance.now();
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
  const page = await context.newPage();
  await page.goto(url + 'index.html');
  await page.waitForFunction(() => window.__readyAt !== undefined || window.normlabError, null, { timeout: 60000, polling: 50 });
  const at = await page.evaluate(() => window.__readyAt);
  if (at === undefined) throw new Error('the app did not start: ' + await page.evaluate(() => window.normlabError));
  const info = await page.evaluate(() => {
    const entries = performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'));
    const wasm = entries.find((e) => e.name.endsWith('normlab.wasm'));
    return { bytes: entries.reduce((sum, e) => sum + (e.decodedBodySize || 0), 0),
      wasmStart: wasm ? wasm.startTime : NaN, wasmEnd: wasm ? wasm.responseEnd : NaN };
  });
  await context.close();
  return { at, ...info };
}

const times = sites.map(() => []);
await once(servers[0].url);  // a first start warms the browser process itself; not counted
for (let i = 0; i < runs; i += 1) {
  for (let k = 0; k < sites.length; k += 1) {
    const r = await once(servers[k].url);
    times[k].push(r.at);
    console.log(`${path.basename(path.dirname(sites[k]))}/${path.basename(sites[k])} run ${i + 1}: ready ${r.at.toFixed(0)} ms ` +
      `(normlab.wasm requested at ${r.wasmStart.toFixed(0)} ms, downloaded by ${r.wasmEnd.toFixed(0)} ms), ${(r.bytes / 1024).toFixed(0)} KiB`);
  }
}
const median = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
sites.forEach((s, k) => console.log(`${s}: navigation -> ready, median ${median(times[k]).toFixed(0)} ms over ${runs} fresh contexts`));
if (sites.length === 2) console.log(`ratio (first / second): ${(median(times[0]) / median(times[1])).toFixed(2)}`);
await browser.close();
servers.forEach((s) => s.server.close());
