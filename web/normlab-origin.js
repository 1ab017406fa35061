// NormLab origin rules: who may control an embedded NormLab and who hears its events. Pure
// functions, no DOM and no WebAssembly: embed.html loads this file as a classic script before
// normlab-embed.js (window.NormLabOrigin), and the node test (tests/browser/origin.test.mjs)
// requires it (module.exports). Not here: listening for messages and posting replies
// (normlab-embed.js), the host page's side (normlab-api.js).
//
// The rules:
//   - An allowed origin is written as the browser serializes MessageEvent.origin:
//     scheme://host[:port] with http or https, nothing after the host. Entries are trimmed,
//     trailing slashes dropped, scheme and host lowercased, a default port (:80 for http,
//     :443 for https) dropped. Anything else (no scheme, a path, a query or fragment,
//     credentials, a wildcard or other odd character in the host, another scheme) is refused
//     as a whole entry: it allows nothing, not even the origin it seems to contain.
//   - The embed's own origin is allowed, unless it is opaque ("null").
//   - More come from ?origin= in the embed's URL (repeatable, each value a comma- or
//     space-separated list) and from <body data-allowed-origins="..."> (the same list syntax).
//   - "*" allows every origin, the opaque one included.
//   - "null" allows the opaque origin (sandboxed frames without allow-same-origin, file:
//     and data: pages): only when listed as such, never through the embed's own origin.
//   - A sender's origin is compared exactly with the list (browsers already serialize it).
//   - Events go only to windows that subscribed, each at the origin it subscribed from, and
//     only while that origin is allowed.
'use strict';

(function (root, factory) {
  const api = factory();
  if (root) root.NormLabOrigin = api;
  // node (the unit test); in a page a global `module` belongs to someone else.
  else if (typeof module !== 'undefined' && module && module.exports) module.exports = api;
})(typeof window !== 'undefined' ? window : null, function () {
  const ANY = '*';
  const OPAQUE = 'null';
  // scheme "://" authority, and nothing else: no path, query, fragment, credentials, backslash.
  const ORIGIN_SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#@\\\s]+)$/;

  // The origin `text` names, serialized as browsers do; "*" or "null" as themselves; null
  // when `text` is empty or not an origin.
  function normalizeOrigin(text) {
    if (typeof text !== 'string') return null;
    let s = text.trim();
    if (s === ANY) return ANY;
    if (s.toLowerCase() === OPAQUE) return OPAQUE;
    s = s.replace(/\/+$/, '');
    const m = ORIGIN_SHAPE.exec(s);
    if (!m) return null;
    const scheme = m[1].toLowerCase();
    if (scheme !== 'http' && scheme !== 'https') return null;
    let url;
    try { url = new URL(s); } catch (e) { return null; }
    // The shape check already keeps these out; this holds should the parsers ever disagree.
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return null;
    // Letters, digits, - _ . (punycode for IDN) or an IPv6 literal: no wildcard hosts.
    if (!/^[a-z0-9_.-]+$|^\[[0-9a-f:.]+\]$/.test(url.hostname)) return null;
    return url.origin;  // lowercased host (punycode for IDN), default port dropped
  }

  // Splits one list ("https://a.example, https://b.example") into normalized origins and the
  // entries that were refused (as written, for a warning).
  function parseOriginList(text) {
    const origins = [];
    const rejected = [];
    String(text == null ? '' : text).split(/[\s,]+/).forEach(function (entry) {
      if (!entry) return;
      const o = normalizeOrigin(entry);
      if (o === null) rejected.push(entry);
      else if (origins.indexOf(o) < 0) origins.push(o);
    });
    return { origins: origins, rejected: rejected };
  }

  // The values of every ?origin= in a URL's search string ("?origin=a&origin=b,c").
  function originParams(search) {
    try {
      return new URLSearchParams(String(search || '')).getAll('origin');
    } catch (e) {
      return [];  // no URLSearchParams: the embed's own origin only
    }
  }

  // The embed's allowed origins: its own (if not opaque), those of ?origin= and those of
  // data-allowed-origins. { origins: [...], rejected: [...] }.
  function allowedOrigins(ownOrigin, search, attribute) {
    const origins = [];
    const rejected = [];
    function add(list) {
      list.origins.forEach(function (o) { if (origins.indexOf(o) < 0) origins.push(o); });
      list.rejected.forEach(function (r) { rejected.push(r); });
    }
    const own = normalizeOrigin(String(ownOrigin || ''));
    if (own !== null && own !== ANY && own !== OPAQUE) origins.push(own);
    originParams(search).forEach(function (value) { add(parseOriginList(value)); });
    add(parseOriginList(attribute));
    return { origins: origins, rejected: rejected };
  }

  // Whether a message from `origin` (MessageEvent.origin) may control the embed.
  function isAllowed(list, origin) {
    if (!Array.isArray(list) || typeof origin !== 'string' || origin === '') return false;
    if (list.indexOf(ANY) >= 0) return true;
    return list.indexOf(origin) >= 0;
  }

  // The targetOrigin for postMessage to a window at `origin`: an opaque origin can only be
  // addressed with "*".
  function targetOriginFor(origin) {
    return origin === OPAQUE ? ANY : origin;
  }

  // A message's text as the C++ validator takes it: strings unchanged, plain objects as JSON.
  function messageText(data) {
    if (data && typeof data === 'object') {
      try { return JSON.stringify(data); } catch (e) { return null; }
    }
    return data;
  }

  // The request's id, only to echo it in an error reply (null when there is none).
  function requestId(text) {
    if (typeof text !== 'string' || text.length >= 65536) return null;
    try {
      const m = JSON.parse(text);
      if (m && (typeof m.id === 'string' || typeof m.id === 'number')) return m.id;
    } catch (e) { /* not JSON */ }
    return null;
  }

  function errorText(id, text) {
    return JSON.stringify({ normlab: 1, id: id === undefined ? null : id, ok: false, error: text, hint: '' });
  }

  function refusalText(id, origin) {
    return errorText(id, 'origin ' + origin + ' is not allowed to control this NormLab');
  }

  // Event subscriptions: one entry per (window, origin) with the events it asked for.
  // `allowed(origin)` is asked again at every event, so a subscription never outlives the rule.
  function createSubscriptions(allowed) {
    const entries = [];
    function find(source, origin) {
      for (let i = 0; i < entries.length; ++i) {
        if (entries[i].source === source && entries[i].origin === origin) return entries[i];
      }
      return null;
    }
    const table = {
      subscribe: function (source, origin, eventName) {
        if (!source || typeof eventName !== 'string' || !allowed(origin)) return false;
        let e = find(source, origin);
        if (!e) { e = { source: source, origin: origin, events: new Set() }; entries.push(e); }
        e.events.add(eventName);
        return true;
      },
      unsubscribe: function (source, origin, eventName) {
        const e = find(source, origin);
        if (!e) return false;
        e.events.delete(eventName);
        if (e.events.size === 0) entries.splice(entries.indexOf(e), 1);
        return true;
      },
      // Applies the validator's reply to a subscribe/unsubscribe request from (source, origin).
      applyReply: function (source, origin, replyText) {
        let r;
        try { r = JSON.parse(replyText); } catch (e) { return false; }
        if (!r || r.ok !== true || !r.result || typeof r.result.subscribed !== 'boolean' ||
            typeof r.result.event !== 'string') return false;
        return r.result.subscribed ? table.subscribe(source, origin, r.result.event)
                                   : table.unsubscribe(source, origin, r.result.event);
      },
      // Who gets `eventName`: [{ source, origin, targetOrigin }].
      recipients: function (eventName) {
        const out = [];
        entries.forEach(function (e) {
          if (e.events.has(eventName) && allowed(e.origin)) {
            out.push({ source: e.source, origin: e.origin, targetOrigin: targetOriginFor(e.origin) });
          }
        });
        return out;
      },
      get size() { return entries.length; },
    };
    return table;
  }

  return {
    normalizeOrigin: normalizeOrigin,
    parseOriginList: parseOriginList,
    originParams: originParams,
    allowedOrigins: allowedOrigins,
    isAllowed: isAllowed,
    targetOriginFor: targetOriginFor,
    messageText: messageText,
    requestId: requestId,
    errorText: errorText,
    refusalText: refusalText,
    createSubscriptions: createSubscriptions,
  };
});
