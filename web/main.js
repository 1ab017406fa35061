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
  const probeCanvas = document.createElement('canvas');
  if (!probeCanvas.getContext('webgl2')) {
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

  // --- download the .wasm with a real progress bar --------------------------------------
  async function fetchWithProgress(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error('could not download ' + url + ' (HTTP ' + response.status + ')');
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
      progress(0.1 + 0.7 * loaded / total, 'Downloading… ' + Math.round(loaded / 1024) + ' of ' + Math.round(total / 1024) + ' KiB');
    }
    const bytes = new Uint8Array(loaded);
    let offset = 0;
    for (const chunk of chunks) { bytes.set(chunk, offset); offset += chunk.length; }
    return bytes;
  }

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
        fetchWithProgress('normlab.wasm')
          .then(function (bytes) { progress(0.85, 'Compiling…'); return WebAssembly.instantiate(bytes, imports); })
          .then(function (result) { progress(0.95, 'Starting…'); receive(result.instance, result.module); })
          .catch(function (err) { fatal('Could not start NormLab: ' + err.message); });
        return {};
      },
      onRuntimeInitialized: function () { progress(1, 'Ready'); loader.hidden = true; canvas.focus(); },
    }).then(function (module) {
      // A small handle for the page, and for tests: state, controls' positions, steps.
      window.normlab = {
        module: module,
        state: function () { return JSON.parse(module.ccall('nl_state_json', 'string', [], [])); },
        uiRects: function () { return JSON.parse(module.ccall('nl_ui_rects_json', 'string', [], [])); },
        play: function () { module.ccall('nl_play', null, [], []); },
        pause: function () { module.ccall('nl_pause', null, [], []); },
        step: function (n) { module.ccall('nl_step', null, ['number'], [n | 0]); },
        showPanel: function (name) { return module.ccall('nl_show_panel', 'number', ['string'], [String(name)]) === 1; },
      };
      window.NormLabPage.attach(module);
      if (window.NormLabEmbed) window.NormLabEmbed.start(module);
      window.normlabReady = true;
    }).catch(function (err) { fatal('Could not start NormLab: ' + (err && err.message ? err.message : err)); });
  };
  document.head.appendChild(script);
})();
