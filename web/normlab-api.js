// NormLab host library: put an embedded NormLab into any page and drive it through
// postMessage. No WebAssembly here; the widget runs in an iframe of embed.html.
//
//   <script src="https://where.normlab.is/normlab-api.js"></script>
//   const lab = NormLab.create(document.getElementById('widget'),
//                              { src: 'https://where.normlab.is/embed.html', hash: 'p=inspector' });
//   await lab.ready;  await lab.step(10);  const s = await lab.getState();
//   lab.on('step', (e) => console.log(e.step));
//
// Every verb returns a Promise: the result, or an Error (message, hint) when NormLab refused
// the call. Replies are accepted only from the iframe's window and from options.allowedOrigin
// (default: the origin of src; "null" when the iframe is sandboxed without allow-same-origin).
// That reply filter (acceptsReply, expectedOrigin, sandboxIsOpaque) needs no DOM: node loads
// this file too (module.exports) for tests/browser/origin.test.mjs.
'use strict';

(function (root) {
  const EVENTS = ['step', 'state', 'lesson'];

  // Whether an iframe with this sandbox attribute (undefined: none) has an opaque origin.
  // Sandbox tokens are ASCII case-insensitive.
  function sandboxIsOpaque(sandbox) {
    if (sandbox === undefined) return false;
    return String(sandbox).toLowerCase().split(/[\t\n\f\r ]+/).indexOf('allow-same-origin') < 0;
  }

  // The origin replies must come from: options.allowedOrigin (an origin, or a URL whose origin
  // is meant; "null" for an opaque frame), else "null" for an opaque sandbox, else srcOrigin.
  function expectedOrigin(options, srcOrigin) {
    options = options || {};
    const given = options.allowedOrigin;
    if (given !== undefined && given !== null && given !== '') {
      const text = String(given).trim();
      if (text.toLowerCase() === 'null') return 'null';
      let origin = null;
      try { origin = new URL(text).origin; } catch (e) { /* not a URL */ }
      if (!origin || origin === 'null') {
        throw new Error('NormLab.create: allowedOrigin must be an origin such as https://labs.example.edu, or "null"');
      }
      return origin;
    }
    return sandboxIsOpaque(options.sandbox) ? 'null' : srcOrigin;
  }

  // Whether a message event is a reply of the widget: sent by the iframe's own window (not a
  // sibling, the parent or a popup) from the expected origin.
  function acceptsReply(event, frameWindow, expected) {
    return !!event && !!frameWindow && event.source === frameWindow &&
           typeof event.origin === 'string' && event.origin === expected;
  }

  function create(element, options) {
    options = options || {};
    if (!element || typeof element.appendChild !== 'function') throw new Error('NormLab.create needs an element to put the widget in');
    const src = new URL(options.src || 'embed.html', location.href);
    // The embed accepts messages from this page's origin only when told so.
    src.searchParams.append('origin', location.origin);
    src.hash = options.hash ? String(options.hash).replace(/^#/, '') : '';
    const replyOrigin = expectedOrigin(options, src.origin);  // throws before any DOM change
    const iframe = document.createElement('iframe');
    iframe.src = src.href;
    iframe.title = options.title || 'NormLab: batch normalization playground';
    iframe.style.width = options.width || '100%';
    iframe.style.height = options.height || '480px';
    iframe.style.minWidth = '300px';
    iframe.style.border = '0';
    if (options.sandbox !== undefined) iframe.setAttribute('sandbox', options.sandbox);
    iframe.setAttribute('allow', 'clipboard-write');

    let nextId = 1;
    const pending = new Map();
    const listeners = { step: [], state: [], lesson: [] };
    let readyResolve;
    const ready = new Promise(function (resolve) { readyResolve = resolve; });
    let isReady = false;

    function onMessage(event) {
      if (!acceptsReply(event, iframe.contentWindow, replyOrigin)) return;
      let msg;
      try { msg = typeof event.data === 'string' ? JSON.parse(event.data) : event.data; } catch (e) { return; }
      if (!msg || msg.normlab !== 1) return;
      if (msg.event === 'ready') { isReady = true; readyResolve(handle); return; }
      if (msg.event) {
        (listeners[msg.event] || []).slice().forEach(function (fn) {
          try { fn(msg.data); } catch (e) { console.warn('NormLab: a "' + msg.event + '" listener failed: ' + e); }
        });
        return;
      }
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.ok) p.resolve(msg.result);
      else {
        const err = new Error(msg.error);
        err.hint = msg.hint;
        p.reject(err);
      }
    }
    window.addEventListener('message', onMessage);

    function send(message) {
      return ready.then(function () {
        return new Promise(function (resolve, reject) {
          const id = 'h' + (nextId++);
          const timer = setTimeout(function () {
            pending.delete(id);
            reject(new Error('NormLab did not answer ' + message.verb + ' within 15 s'));
          }, 15000);
          pending.set(id, { resolve: resolve, reject: reject, timer: timer });
          iframe.contentWindow.postMessage(JSON.stringify(Object.assign({ normlab: 1, id: id }, message)),
                                           replyOrigin === 'null' ? '*' : replyOrigin);
        });
      });
    }

    const handle = {
      iframe: iframe,
      ready: ready,
      getState: function (opts) { return send({ verb: 'getState', weights: !!(opts && opts.weights) }); },
      setState: function (partial) { return send({ verb: 'setState', state: partial }); },
      dispatch: function (action) { return send({ verb: 'dispatch', action: action }); },
      step: function (n) { return send({ verb: 'step', count: n === undefined ? 1 : n }); },
      play: function () { return send({ verb: 'play' }); },
      pause: function () { return send({ verb: 'pause' }); },
      // Sends a raw message (for tests of the validator; normal code uses the verbs above).
      send: function (message) { return send(message); },
      on: function (event, fn) {
        if (EVENTS.indexOf(event) < 0) return Promise.reject(new Error('unknown event "' + event + '"'));
        listeners[event].push(fn);
        return listeners[event].length === 1 ? send({ verb: 'subscribe', event: event }) : Promise.resolve();
      },
      off: function (event, fn) {
        if (!listeners[event]) return Promise.resolve();
        listeners[event] = listeners[event].filter(function (f) { return f !== fn; });
        return listeners[event].length === 0 ? send({ verb: 'unsubscribe', event: event }) : Promise.resolve();
      },
      destroy: function () {
        window.removeEventListener('message', onMessage);
        pending.forEach(function (p) { clearTimeout(p.timer); p.reject(new Error('NormLab widget removed')); });
        pending.clear();
        iframe.remove();
      },
      get isReady() { return isReady; },
    };
    element.appendChild(iframe);
    return handle;
  }

  const api = { create: create, acceptsReply: acceptsReply, expectedOrigin: expectedOrigin, sandboxIsOpaque: sandboxIsOpaque };
  if (root) root.NormLab = api;
  // node (the unit test); in a page a global `module` belongs to someone else.
  else if (typeof module !== 'undefined' && module && module.exports) module.exports = api;
})(typeof window !== 'undefined' ? window : null);
