// NormLab embed: the postMessage API of embed.html for host pages on other origins.
// Messages are accepted only from allowed origins: the page's own origin by default, plus
// those the host names with ?origin=https://a.example,https://b.example in the embed URL or
// with data-allowed-origins on <body> ("*" allows any origin). Each message's text goes to
// the C++ validator (src/app/api_message.h) unchanged; the reply, with the request's id, goes
// back to the sender only. Nothing received is executed. Not here: the verbs themselves
// (normlab-page.js, C++), the host-side library (normlab-api.js).
'use strict';

(function () {
  function allowedOrigins() {
    const list = [location.origin];
    const add = function (text) {
      String(text || '').split(/[\s,]+/).forEach(function (o) { if (o) list.push(o.replace(/\/+$/, '')); });
    };
    try {
      const params = new URLSearchParams(location.search);
      params.getAll('origin').forEach(add);
    } catch (e) { /* no URLSearchParams: same origin only */ }
    add(document.body.getAttribute('data-allowed-origins'));
    return list;
  }

  function errorText(id, text) {
    return JSON.stringify({ normlab: 1, id: id === undefined ? null : id, ok: false, error: text, hint: '' });
  }

  window.NormLabEmbed = {
    start: function (module) {
      const origins = allowedOrigins();
      const allowed = function (origin) { return origins.indexOf('*') >= 0 || origins.indexOf(origin) >= 0; };
      // Subscribers: one entry per (window, origin), with the events it asked for.
      const subscribers = [];
      function subscriber(source, origin) {
        for (const s of subscribers) if (s.source === source && s.origin === origin) return s;
        const s = { source: source, origin: origin, events: new Set() };
        subscribers.push(s);
        return s;
      }
      function post(target, origin, text) {
        try {
          // An opaque origin ("null", a sandboxed host) can only be addressed with '*'.
          target.postMessage(text, origin === 'null' ? '*' : origin);
        } catch (e) { /* the sender went away */ }
      }

      window.addEventListener('message', function (event) {
        if (!event.source || event.source === window) return;
        let text = event.data;
        let id = null;
        if (text && typeof text === 'object') {
          try { text = JSON.stringify(text); } catch (e) { text = null; }
        }
        if (typeof text === 'string' && text.length < 65536) {  // only to echo the id in errors
          try { const m = JSON.parse(text); if (m && (typeof m.id === 'string' || typeof m.id === 'number')) id = m.id; } catch (e) { /* not JSON */ }
        }
        if (!allowed(event.origin)) {
          // Refused before anything is parsed; the sender learns why.
          post(event.source, event.origin, errorText(id, 'origin ' + event.origin + ' is not allowed to control this NormLab'));
          return;
        }
        const reply = window.NormLabPage.handleText(module, text);
        post(event.source, event.origin, reply);
        let parsed = null;
        try { parsed = JSON.parse(reply); } catch (e) { return; }
        if (parsed.ok && parsed.result && typeof parsed.result.subscribed === 'boolean') {
          const s = subscriber(event.source, event.origin);
          if (parsed.result.subscribed) s.events.add(parsed.result.event); else s.events.delete(parsed.result.event);
        }
      });

      window.normlab._emit = function (eventName, data) {
        for (const s of subscribers) {
          if (s.events.has(eventName)) post(s.source, s.origin, JSON.stringify({ normlab: 1, event: eventName, data: data }));
        }
      };

      // Tell the host the instance is ready. It carries nothing but the protocol version, so
      // any origin may read it ('*': a targetOrigin that does not match the parent would be
      // an error in the console).
      if (window.parent && window.parent !== window) {
        post(window.parent, '*', JSON.stringify({ normlab: 1, event: 'ready', data: { version: 1 } }));
      }
    },
  };
})();
