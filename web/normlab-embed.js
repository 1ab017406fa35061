// NormLab embed: the postMessage API of embed.html for host pages on other origins.
// Messages are accepted only from allowed origins: the page's own origin by default, plus
// those the host names with ?origin=https://a.example,https://b.example in the embed URL or
// with data-allowed-origins on <body> ("*" allows any origin, "null" sandboxed senders). The
// rules themselves (parsing, matching, subscriptions) are in normlab-origin.js, loaded before
// this file. Each message's text goes to the C++ validator (src/app/api_message.h) unchanged;
// the reply, with the request's id, goes back to the sender only. Nothing received is
// executed. Not here: the verbs themselves (normlab-page.js, C++), the host-side library
// (normlab-api.js).
'use strict';

(function () {
  const rules = window.NormLabOrigin;

  function post(target, origin, text) {
    try {
      // An opaque origin ("null", a sandboxed host) can only be addressed with '*'.
      target.postMessage(text, rules.targetOriginFor(origin));
    } catch (e) { /* the sender went away */ }
  }

  window.NormLabEmbed = {
    start: function (module) {
      if (!rules) {  // normlab-origin.js missing: no postMessage API rather than an open one
        console.error('NormLab: normlab-origin.js did not load; the postMessage API is off');
        return;
      }
      const policy = rules.allowedOrigins(location.origin, location.search,
                                          document.body.getAttribute('data-allowed-origins'));
      if (policy.rejected.length) {
        console.warn('NormLab: ignored allowed-origin entries that are not origins (scheme://host[:port]): ' +
                     policy.rejected.join(', '));
      }
      const allowed = function (origin) { return rules.isAllowed(policy.origins, origin); };
      const subscriptions = rules.createSubscriptions(allowed);

      window.addEventListener('message', function (event) {
        if (!event.source || event.source === window) return;
        const text = rules.messageText(event.data);
        if (!allowed(event.origin)) {
          // Refused before anything is parsed (but the id, echoed); the sender learns why.
          post(event.source, event.origin, rules.refusalText(rules.requestId(text), event.origin));
          return;
        }
        const reply = window.NormLabPage.handleText(module, text);
        post(event.source, event.origin, reply);
        subscriptions.applyReply(event.source, event.origin, reply);
      });

      window.normlab._emit = function (eventName, data) {
        const recipients = subscriptions.recipients(eventName);
        if (!recipients.length) return;
        const text = JSON.stringify({ normlab: 1, event: eventName, data: data });
        recipients.forEach(function (r) { post(r.source, r.origin, text); });
      };

      // Tell the host the instance is ready. It carries nothing but the protocol version, so
      // any origin may read it ('*': a targetOrigin that does not match the parent would be
      // an error in the console).
      if (window.parent && window.parent !== window) {
        try {
          window.parent.postMessage(JSON.stringify({ normlab: 1, event: 'ready', data: { version: 1 } }), '*');
        } catch (e) { /* no parent to tell */ }
      }
    },
  };
})();
