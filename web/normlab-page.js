// NormLab page API, shared by index.html and embed.html: window.normlab (getState, setState,
// dispatch, step, play, pause, on/off events), the URL hash kept in sync with the state,
// the accessible mirror (ARIA live region and keyboard buttons), export downloads and the
// Import file picker. Every call goes to the app as an API message text that C++ validates
// (src/app/api_message.h); nothing received is executed. Not here: loading the wasm (main.js),
// postMessage (normlab-embed.js).
'use strict';

(function () {
  const EVENTS = ['step', 'state', 'lesson'];
  const MAX_MESSAGE_CHARS = 4 * 1024 * 1024;

  // Calls a C hook that takes one string, through malloc'd memory (a large state would not
  // fit on the wasm stack that ccall's 'string' arguments use).
  function callWithText(module, name, text) {
    const bytes = module.lengthBytesUTF8(text) + 1;
    const ptr = module.ccall('nl_alloc', 'number', ['number'], [bytes]);
    if (!ptr) return null;
    try {
      module.stringToUTF8(text, ptr, bytes);
      const out = module.ccall(name, 'number', ['number'], [ptr]);
      return module.UTF8ToString(out);
    } finally {
      module.ccall('nl_free', null, ['number'], [ptr]);
    }
  }

  function say(text, isError) {
    const box = document.getElementById('message');
    if (!box) return;
    box.textContent = text;
    box.hidden = !text;
    box.classList.toggle('error', !!isError);
    clearTimeout(say.timer);
    if (text) say.timer = setTimeout(function () { box.hidden = true; }, 8000);
  }

  // A download through a Blob and <a download>. Returns false where it cannot work (an
  // opaque-origin sandboxed frame: no downloads unless allow-downloads, which a page cannot
  // detect, so the file is shown in a panel as well).
  function download(name, blob) {
    try {
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      link.hidden = true;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 4000);
      return true;
    } catch (e) {
      return false;
    }
  }

  function sandboxed() {
    try { return window.origin === 'null' || self.origin === 'null'; } catch (e) { return true; }
  }

  // Shows an exported text file in a panel (select and copy) where downloads may be blocked.
  function showFallback(name, text, note) {
    const panel = document.getElementById('export-fallback');
    if (!panel) return;
    panel.querySelector('.export-note').textContent = note;
    const area = panel.querySelector('textarea');
    area.value = text === null ? '' : text;
    area.hidden = text === null;
    panel.querySelector('.export-name').textContent = name;
    panel.hidden = false;
  }

  const NormLabPage = {
    // The exports the app delivers (src/platform/file_delivery.h): bytes, or null for PNG.
    exportFile: function (name, mime, bytes) {
      const canvas = document.getElementById('canvas');
      const blocked = sandboxed();
      if (mime === 'image/png') {
        if (blocked) {
          showFallback(name, null, 'Downloads are not allowed in this embedded view. Open NormLab in its own tab to save pictures.');
          return;
        }
        canvas.toBlob(function (blob) {
          if (!blob || !download(name, blob)) say('Could not save ' + name + ' here. Open NormLab in its own tab to save pictures.', true);
        }, 'image/png');
        return;
      }
      const blob = new Blob([bytes], { type: mime });
      if (blocked) {
        showFallback(name, new TextDecoder().decode(bytes),
          'Downloads may not be allowed in this embedded view: the file is shown here, select and copy it.');
        download(name, blob);  // works if the frame allows downloads
        return;
      }
      if (!download(name, blob)) {
        showFallback(name, new TextDecoder().decode(bytes), 'Your browser did not start the download: select and copy the file.');
      }
    },

    attach: function (module) {
      const listeners = { step: [], state: [], lesson: [] };
      let last = null;
      let lastHash = null;

      function request(message) {
        const text = JSON.stringify(Object.assign({ normlab: 1 }, message));
        return NormLabPage.handleText(module, text);
      }
      // Page-level calls: the result, or an Error (message and hint) thrown to the caller.
      function call(message) {
        const reply = JSON.parse(request(message));
        if (!reply.ok) {
          const err = new Error(reply.error);
          err.hint = reply.hint;
          throw err;
        }
        return reply.result;
      }

      const api = window.normlab || {};
      Object.assign(api, {
        getState: function (options) { return call({ verb: 'getState', weights: !!(options && options.weights) }); },
        setState: function (partial) { return call({ verb: 'setState', state: partial }); },
        dispatch: function (action) { return call({ verb: 'dispatch', action: action }); },
        step: function (n) { return call({ verb: 'step', count: n === undefined ? 1 : n }); },
        play: function () { return call({ verb: 'play' }); },
        pause: function () { return call({ verb: 'pause' }); },
        on: function (event, fn) {
          if (EVENTS.indexOf(event) < 0) throw new Error('unknown event "' + event + '": one of ' + EVENTS.join(', '));
          if (typeof fn === 'function') listeners[event].push(fn);
        },
        off: function (event, fn) {
          if (!listeners[event]) return;
          listeners[event] = listeners[event].filter(function (f) { return f !== fn; });
        },
        // For tests and hosts: the URL hash of the current state, and applying one.
        urlHash: function () { return module.ccall('nl_url_hash', 'string', [], []); },
        applyHash: function (hash) {
          // The address is brought up to date by the next syncHash (canonical form).
          return JSON.parse(callWithText(module, 'nl_apply_url_hash', String(hash)));
        },
        importText: function (text) { return call({ verb: 'dispatch', action: { type: 'import_state', json_text: String(text) } }); },
        // Internal: the emitter the postMessage server (normlab-embed.js) also listens to.
        _emit: null,
      });
      // Test hooks, only on a page whose window has NormLabTestHooks = true before its scripts
      // run (the browser tests set it): a status line read straight from the app, the
      // rectangles of the controls the last frame drew (so tests click real controls), and the
      // size of the WebAssembly memory.
      if (window.NormLabTestHooks === true) {
        api.test = {
          state: function () { return JSON.parse(module.ccall('nl_state_json', 'string', [], [])); },
          uiRects: function () { return JSON.parse(module.ccall('nl_ui_rects_json', 'string', [], [])); },
          wasmBytes: function () { return module.HEAP8.length; },
        };
      }
      window.normlab = api;

      function emit(event, data) {
        for (const fn of listeners[event].slice()) {
          try { fn(data); } catch (e) { console.warn('NormLab: a "' + event + '" listener failed: ' + e); }
        }
        if (typeof api._emit === 'function') api._emit(event, data);
      }

      // --- events: polled each animation frame (a few dozen bytes of JSON) ----------------
      let lastSlow = 0;
      function tick(now) {
        try {
          const p = JSON.parse(module.ccall('nl_api_poll', 'string', [], []));
          if (p && last) {
            if (p.step !== last.step) emit('step', { step: p.step, playing: p.playing });
            if (p.state !== last.state) emit('state', { hash: api.urlHash(), playing: p.playing });
            if (JSON.stringify(p.lesson) !== JSON.stringify(last.lesson) && p.lesson !== undefined) emit('lesson', p.lesson);
          }
          last = p;
          if (now - lastSlow > 250) {  // hash and announcements: a few times a second
            lastSlow = now;
            syncHash();
            announce(p);
          }
        } catch (e) {
          console.warn('NormLab: event poll failed: ' + e);
        }
        requestAnimationFrame(tick);
      }

      // --- URL hash: applied at start and on hashchange, kept up to date ------------------
      function syncHash() {
        const shown = location.hash.replace(/^#/, '');
        if (shown !== lastHash) {  // changed by the user, its hashchange event not handled yet
          lastHash = shown;
          api.applyHash(shown);
        }
        const h = api.urlHash();
        if (h === lastHash) return;
        lastHash = h;
        try {
          history.replaceState(history.state, '', h ? '#' + h : location.pathname + location.search);
        } catch (e) {
          // Sandboxed frames may refuse history changes: the state still works, only the
          // address does not follow.
        }
      }
      // lastHash: what the address shows now (without '#').
      window.addEventListener('hashchange', function () {
        const h = location.hash.replace(/^#/, '');
        if (h === lastHash) return;
        lastHash = h;
        api.applyHash(h);
      });
      lastHash = location.hash.replace(/^#/, '');
      if (lastHash) api.applyHash(lastHash);

      // --- accessible mirror ---------------------------------------------------------------
      const live = document.getElementById('a11y-live');
      const playButton = document.getElementById('a11y-play');
      function announce(p) {
        const text = module.ccall('nl_announce', 'string', [], []);
        if (text && live) live.textContent = text;
        const label = p && p.playing ? 'Pause training' : 'Play training';
        if (playButton && playButton.textContent !== label) playButton.textContent = label;
      }
      function bind(id, fn) {
        const el = document.getElementById(id);
        if (el) el.addEventListener('click', function () {
          try { fn(); } catch (e) { say(e.message, true); }
        });
      }
      bind('a11y-play', function () { if (api.getState().playing) api.pause(); else api.play(); });
      bind('a11y-step', function () { api.step(1); });
      bind('a11y-app', function () { document.getElementById('canvas').focus(); });

      // --- Import: a file picker; .json is a state, .csv points ----------------------------
      const picker = document.getElementById('import-file');
      bind('import-button', function () { if (picker) picker.click(); });
      bind('a11y-import', function () { if (picker) picker.click(); });
      if (picker) {
        picker.addEventListener('change', function () {
          const file = picker.files && picker.files[0];
          picker.value = '';
          if (!file) return;
          if (file.size > 16 * 1024 * 1024) { say(file.name + ' is too large to import (at most 16 MiB).', true); return; }
          file.text().then(function (text) {
            const type = /\.csv$/i.test(file.name) ? 'import_points' : 'import_state';
            const result = api.dispatch(type === 'import_points' ? { type: type, csv_text: text } : { type: type, json_text: text });
            if (result.notice) say(result.notice, false);
          }).catch(function (e) { say('Could not import ' + file.name + ': ' + e.message, true); });
        });
      }
      const closeFallback = document.getElementById('export-close');
      if (closeFallback) closeFallback.addEventListener('click', function () { document.getElementById('export-fallback').hidden = true; });

      // Tab leaves the canvas for the page's buttons unless a text field in the app has the
      // keyboard (SDL would otherwise swallow it): no keyboard trap.
      const canvas = document.getElementById('canvas');
      document.addEventListener('keydown', function (e) {
        if (e.target === canvas && e.key === 'Tab' && !e.ctrlKey &&
            module.ccall('nl_wants_text_input', 'number', [], []) === 0) {
          e.stopImmediatePropagation();
        }
      }, true);

      requestAnimationFrame(tick);
      return api;
    },

    // One API message text in, the reply text out (the C++ side validates everything).
    handleText: function (module, text) {
      if (typeof text !== 'string') {
        return JSON.stringify({ normlab: 1, id: null, ok: false, error: 'the message must be JSON text or a plain object', hint: '' });
      }
      if (text.length > MAX_MESSAGE_CHARS) {
        return JSON.stringify({ normlab: 1, id: null, ok: false, error: 'the message is larger than the limit of 4 MiB', hint: '' });
      }
      const reply = callWithText(module, 'nl_api_message', text);
      return reply === null ? JSON.stringify({ normlab: 1, id: null, ok: false, error: 'out of memory', hint: '' }) : reply;
    },
  };
  window.NormLabPage = NormLabPage;
})();
