// Shared pieces of NormLab's browser tests: a static server on loopback, Debian's
// Chromium through playwright-core (never a downloaded browser), error capture, and a
// pixel-variance check that tells a drawn canvas from a blank one.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json',
  '.data': 'application/octet-stream', '.png': 'image/png',
};

export function parseArgs(argv) {
  const args = {};
  for (let i = 2; i < argv.length; i += 2) args[argv[i].replace(/^--/, '')] = argv[i + 1];
  return args;
}

// Serves `root` on 127.0.0.1 at a free port. `headers(urlPath)` may add response headers.
export async function serve(root, headers = () => ({})) {
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = path.join(root, urlPath === '/' ? 'index.html' : urlPath);
    if (!file.startsWith(root)) { res.writeHead(403); res.end(); return; }
    fs.readFile(file, (err, body) => {
      if (err) { res.writeHead(404); res.end('not found'); return; }
      res.writeHead(200, { 'Content-Type': MIME[path.extname(file)] || 'application/octet-stream',
        'Content-Length': body.length, ...headers(urlPath) });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

export async function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
      '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', ...extraArgs],
  });
}

// A browser context whose pages get the app's test hooks (window.normlab.test: state(),
// uiRects(), wasmBytes(); web/normlab-page.js): the flag is set before the page's scripts run.
export async function newContext(browser, options = {}) {
  const context = await browser.newContext(options);
  await context.addInitScript(() => { window.NormLabTestHooks = true; });
  return context;
}

// Records console errors and page errors; `problems` must stay empty.
export function watch(page, problems, label) {
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`${label}: console error: ${msg.text()}`); });
  page.on('pageerror', (err) => problems.push(`${label}: page error: ${err.message}`));
}

// Mean and standard deviation of grey levels (0..255) of a PNG, decoded by the browser.
export async function pngStats(page, png) {
  const dataUrl = 'data:image/png;base64,' + png.toString('base64');
  return page.evaluate(async (src) => {
    const img = new Image();
    img.src = src;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let sum = 0, sum2 = 0;
    const n = d.length / 4;
    for (let i = 0; i < d.length; i += 4) {
      const v = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
      sum += v; sum2 += v * v;
    }
    const mean = sum / n;
    return { mean, std: Math.sqrt(Math.max(0, sum2 / n - mean * mean)), width: c.width, height: c.height };
  }, dataUrl);
}

export async function waitFor(page, predicate, arg, timeoutMs, what) {
  try {
    await page.waitForFunction(predicate, arg, { timeout: timeoutMs, polling: 100 });
  } catch (e) {
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }
}

export class Checks {
  constructor() { this.failures = []; this.count = 0; }
  ok(cond, what) {
    this.count += 1;
    if (cond) console.log(`  ok   ${what}`);
    else { console.log(`  FAIL ${what}`); this.failures.push(what); }
  }
}

// Export contents (README, "Export and import"). Each returns a list of problems, empty when
// the file is right.
export const CURVES_HEADER = 'step,epoch,batch_loss,train_loss,test_loss,train_accuracy,test_accuracy';
export const LAYERS_HEADER = 'step,layer,preact_mean,preact_std,preact_p15,preact_p50,preact_p85,weight_norm,grad_norm';

// normlab-curves.csv after `steps` steps from a reset (no thinning below 4096 steps): the
// exact header, one line per step 1..steps with 7 cells, numbers or empty cells; when
// `training` (getState().training) is given, the last line holds its numbers.
export function curvesCsvProblems(text, steps, training) {
  const problems = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== CURVES_HEADER) problems.push(`header is "${lines[0]}"`);
  const rows = lines.slice(1);
  if (rows.length !== steps) problems.push(`${rows.length} rows, expected ${steps}`);
  rows.forEach((row, i) => {
    const cells = row.split(',');
    if (cells.length !== 7 || Number(cells[0]) !== i + 1 || !/^\d+$/.test(cells[1]) ||
        cells.slice(2).some((c) => c !== '' && !Number.isFinite(Number(c)))) {
      if (problems.length < 5) problems.push(`row ${i + 1} is "${row}"`);
    }
  });
  if (training && rows.length) {
    const last = rows[rows.length - 1].split(',');
    const want = [training.step, training.epoch, training.batch_loss, training.train_loss, training.test_loss,
      training.train_accuracy, training.test_accuracy];
    const same = want.every((v, i) => (v === null ? last[i] === '' : Number(last[i]) === v));
    if (!same) problems.push(`last row "${rows[rows.length - 1]}" is not the state's ${JSON.stringify(want)}`);
  }
  return problems;
}

// normlab_model.py for getState().settings: nn.Sequential holds exactly the modules of the
// network (nn.Linear sizes, the norm module with its eps/momentum/affine/track_running_stats,
// the activation, in the settings' placement), and the batch size and optimizer match.
export function pytorchProblems(text, settings) {
  const problems = [];
  const net = settings.net;
  const close = (s, v) => Math.abs(Number(s) - v) <= 1e-6 * Math.max(1e-12, Math.abs(v));
  const ACT = { identity: 'nn.Identity()', relu: 'nn.ReLU()', leaky_relu: 'nn.LeakyReLU(0.01)', tanh: 'nn.Tanh()',
    sigmoid: 'nn.Sigmoid()' };
  const o = net.norm;
  const py = (b) => (b ? 'True' : 'False');
  // One matcher per expected module line: returns true when the line is right.
  const normMatcher = (kind, width) => {
    if (kind === 'batchnorm' || kind === 'batchrenorm') {
      return { what: `nn.BatchNorm1d(${width}, eps=${o.eps}, momentum=${o.momentum}, ...)`, test: (l) => {
        const m = /^nn\.BatchNorm1d\((\d+), eps=([^,]+), momentum=([^,]+), affine=(\w+), track_running_stats=(\w+)\)$/.exec(l);
        return !!m && Number(m[1]) === width && close(m[2], o.eps) &&
          (o.momentum === null ? m[3] === 'None' : close(m[3], o.momentum)) && m[4] === py(o.affine) &&
          m[5] === py(o.track_running_stats);
      } };
    }
    if (kind === 'layernorm') {
      return { what: `nn.LayerNorm(${width}, eps=${o.eps}, ...)`, test: (l) => {
        const m = /^nn\.LayerNorm\((\d+), eps=([^,]+), elementwise_affine=(\w+)\)$/.exec(l);
        return !!m && Number(m[1]) === width && close(m[2], o.eps) && m[3] === py(o.affine);
      } };
    }
    if (kind === 'groupnorm') {
      return { what: `nn.GroupNorm(${o.groups}, ${width}, eps=${o.eps}, ...)`, test: (l) => {
        const m = /^nn\.GroupNorm\((\d+), (\d+), eps=([^,]+), affine=(\w+)\)$/.exec(l);
        return !!m && Number(m[1]) === o.groups && Number(m[2]) === width && close(m[3], o.eps) && m[4] === py(o.affine);
      } };
    }
    return null;
  };
  const exact = (s) => ({ what: s, test: (l) => l === s });
  const want = [];
  let inW = net.input_width;
  for (const h of net.hidden) {
    want.push(exact(`nn.Linear(${inW}, ${h.width})`));
    const norm = normMatcher(h.norm, h.width);
    if (norm && h.placement === 'before') want.push(norm);
    want.push(exact(ACT[h.activation]));
    if (norm && h.placement === 'after') want.push(norm);
    inW = h.width;
  }
  want.push(exact(`nn.Linear(${inW}, ${net.output_width})`));

  const lines = text.split('\n');
  const open = lines.indexOf('    model = nn.Sequential(');
  const shut = lines.indexOf('    )', open);
  if (open < 0 || shut < 0) return ['no "model = nn.Sequential(" ... ")" block'];
  const got = lines.slice(open + 1, shut).map((l) => l.trim().replace(/,?\s*#.*$/, '').replace(/,$/, ''));
  if (got.length !== want.length) problems.push(`${got.length} modules, the network has ${want.length}: ${got.join(' | ')}`);
  want.forEach((w, i) => { if (!w.test(got[i] || '')) problems.push(`module ${i + 1} is "${got[i]}", expected ${w.what}`); });
  if (!lines.some((l) => new RegExp(`^BATCH_SIZE = ${settings.batch_size}(\\s|$)`).test(l))) {
    problems.push(`no "BATCH_SIZE = ${settings.batch_size}" line`);
  }
  const opt = settings.optimizer;
  const optLine = lines.find((l) => l.includes('torch.optim.')) || '';
  const om = /torch\.optim\.(SGD|Adam)\(model\.parameters\(\), lr=([^,]+),/.exec(optLine);
  if (!om || om[1] !== (opt.kind === 'sgd' ? 'SGD' : 'Adam') || !close(om[2], opt.learning_rate)) {
    problems.push(`optimizer line "${optLine.trim()}" does not match ${opt.kind} lr=${opt.learning_rate}`);
  }
  for (const def of ['def make_model():', 'def load_normlab_weights(model, source):', 'def predict_proba(model, points):']) {
    if (!lines.includes(def)) problems.push(`no "${def}"`);
  }
  return problems;
}

// How much of `rect` ([x0, y0, x1, y1] in the screenshots' pixels) changed between two
// PNGs of the same size: the fraction of its pixels whose grey level moved by more than 24.
export async function pngRegionChange(page, pngA, pngB, rect) {
  const urls = [pngA, pngB].map((p) => 'data:image/png;base64,' + p.toString('base64'));
  return page.evaluate(async ({ urls, rect }) => {
    const grey = async (src) => {
      const img = new Image();
      img.src = src;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width; c.height = img.height;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      const x0 = Math.max(0, Math.floor(rect[0])), y0 = Math.max(0, Math.floor(rect[1]));
      const x1 = Math.min(img.width, Math.ceil(rect[2])), y1 = Math.min(img.height, Math.ceil(rect[3]));
      const d = g.getImageData(x0, y0, Math.max(1, x1 - x0), Math.max(1, y1 - y0)).data;
      const out = new Float32Array(d.length / 4);
      for (let i = 0; i < out.length; ++i) out[i] = 0.299 * d[4 * i] + 0.587 * d[4 * i + 1] + 0.114 * d[4 * i + 2];
      return out;
    };
    const [a, b] = [await grey(urls[0]), await grey(urls[1])];
    let changed = 0;
    for (let i = 0; i < a.length; ++i) if (Math.abs(a[i] - b[i]) > 24) changed += 1;
    return changed / a.length;
  }, { urls, rect });
}
