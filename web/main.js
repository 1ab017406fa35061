// NormLab page script (index.html and embed.html): checks what the browser can do, loads the
// WebAssembly app with a progress bar, and shows readable messages instead of failing
// silently; then hands the module to normlab-page.js (the page API) and, in embed.html, to
// normlab-embed.js (postMessage). No inline script and no eval: works under a strict CSP.
'use strict';

(function () {
  const loader = document.getElementById('loader');
  const loaderText = document.getElementById('loader-text');
  const loaderBar = document.getElementById('loader-bar');
  const message = document.getElementById('message');
  const canvas = document.getElementById('canvas');

  function fatal(text) {
    loader.hidden = true;
    const box = document.createElement('div');
    box.className = 'fatal';
    box.setAttribute('role', 'alert');
    box.textContent = text;
    document.getElementById('normlab-root').appendChild(box);
    window.normlabError = text;
  }

  function progress(fraction, text) {
    loaderBar.value = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
    if (text) loaderText.textContent = text;
  }

  // --- what the browser must support -------------------------------------------------
  // A tiny module using one SIMD instruction (i8x16.splat + drop); validates only with WASM SIMD.
  const simdProbe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10,
    1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(simdProbe)) {
    fatal('NormLab needs WebAssembly with SIMD. Please use a current Chrome, Edge, Firefox or Safari (16.4 or later).');
    return;
  }
  // --- the .wasm: downloaded and compiled at once, while the rest loads ------------------
  // Compiling needs no imports, so it starts now: the body goes through a counting stream (the
  // progress bar) into WebAssembly.compileStreaming, which compiles while it downloads. A server
  // that does not send application/wasm (or a browser without streaming) gets the buffered
  // path. normlab.js instantiates the compiled module with its imports (instantiateWasm below).
  function downloaded(loaded, total) {
    progress(0.1 + 0.75 * loaded / total, 'Downloading… ' + Math.round(loaded / 1024) + ' of ' + Math.round(total / 1024) + ' KiB');
  }
  function counted(response) {
    const total = Number(response.headers.get('Content-Length')) || 0;
    if (!response.body || !total || typeof TransformStream !== 'function') return response;
    let loaded = 0;
    const counter = new TransformStream({
      transform: function (chunk, controller) {
        loaded += chunk.length;
        downloaded(loaded, total);
        if (loaded >= total) progress(0.85, 'Compiling…');
        controller.enqueue(chunk);
      },
    });
    return new Response(response.body.pipeThrough(counter), { status: response.status, headers: response.headers });
  }
  async function readAll(response) {
    const total = Number(response.headers.get('Content-Length')) || 0;
    if (!response.body || !total) return new Uint8Array(await response.arrayBuffer());
    const reader = response.body.getReader();
    const chunks = [];
    let loaded = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      downloaded(loaded, total);
    }
    const bytes = new Uint8Array(loaded);
    let offset = 0;
    for (const chunk of chunks) { bytes.set(chunk, offset); offset += chunk.length; }
    return bytes;
  }
  async function compileWasm() {
    const response = await fetch('normlab.wasm');
    if (!response.ok) throw new Error('could not download normlab.wasm (HTTP ' + response.status + ')');
    const type = (response.headers.get('Content-Type') || '').split(';')[0].trim();
    if (typeof WebAssembly.compileStreaming === 'function' && type === 'application/wasm') {
      return WebAssembly.compileStreaming(counted(response));
    }
    const bytes = await readAll(response);
    progress(0.85, 'Compiling…');
    return WebAssembly.compile(bytes);
  }
  const wasmModule = compileWasm();
  wasmModule.catch(function () {});  // reported where it is used (instantiateWasm)

  // WebGL2 itself is tested where the app creates its context (a second context made here only
  // to test would cost as much again): a browser that has it switched off gets the app's
  // message through onFatalError. Without the API at all, say so at once.
  if (typeof WebGL2RenderingContext === 'undefined') {
    fatal('NormLab needs WebGL2, which this browser or device does not provide. ' +
          'Try a current browser, or enable hardware acceleration in its settings.');
    return;
  }

  // --- WebGL context loss: the app keeps training and redraws once restored ------------
  canvas.addEventListener('webglcontextlost', function () {
    message.textContent = 'The graphics context was lost. Training continues; the picture returns when the browser restores it.';
    message.hidden = false;
  });
  canvas.addEventListener('webglcontextrestored', function () { message.hidden = true; });

  const script = document.createElement('script');
  script.src = 'normlab.js';
  script.onerror = function () { fatal('Could not load normlab.js. Is the page served from the build\'s web/ folder?'); };
  script.onload = function () {
    progress(0.1, 'Downloading…');
    /* global createNormLab */
    createNormLab({
      canvas: canvas,
      locateFile: function (path) { return path; },
      print: function (text) { console.log(text); },
      printErr: function (text) { console.warn(text); },
      setStatus: function (text) { if (text) loaderText.textContent = text; },
      onFatalError: fatal,
      // Exports (src/platform/file_delivery.h): downloads, or a panel where they are blocked.
      onExportFile: function (name, mime, bytes) { window.NormLabPage.exportFile(name, mime, bytes); },
      onClipboard: function (text, ok) {
        message.textContent = ok ? 'Link copied.' : 'Copying is not allowed here. The link: ' + text;
        message.hidden = false;
        setTimeout(function () { message.hidden = true; }, ok ? 2500 : 12000);
      },
      instantiateWasm: function (imports, receive) {
        let compiled;
        wasmModule
          .then(function (m) { compiled = m; return WebAssembly.instantiate(m, imports); })
          .then(function (instance) { progress(0.95, 'Starting…'); receive(instance, compiled); })
          .catch(function (err) { fatal('Could not start NormLab: ' + err.message); });
        return {};
      },
      onRuntimeInitialized: function () { progress(1, 'Ready'); loader.hidden = true; canvas.focus(); },
    }).then(function (module) {
      if (window.normlabError !== undefined) return;  // the app could not start (its message shows)
      window.NormLabPage.attach(module);
      if (window.NormLabEmbed) window.NormLabEmbed.start(module);
      window.normlabReady = true;
    }).catch(function (err) { fatal('Could not start NormLab: ' + (err && err.message ? err.message : err)); });
  };
  document.head.appendChild(script);
})();
