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
