// Unit tests of the embed's origin rules, in plain node: no browser, no WebAssembly, only
// node's standard library. Covers web/normlab-origin.js (who may control an embed, event
// subscriptions), web/normlab-embed.js wired to fake windows, and the host library's reply
// filter in web/normlab-api.js; also that both files still load as classic scripts.
// usage: node tests/browser/origin.test.mjs
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const webDir = path.resolve(here, '../../web');
const require = createRequire(import.meta.url);
const rules = require(path.join(webDir, 'normlab-origin.js'));
const host = require(path.join(webDir, 'normlab-api.js'));

const OWN = 'https://labs.example.edu';
const A = 'https://a.example';
const B = 'https://b.example';
const EVIL = 'https://evil.example';

// The allowed list of an embed at OWN with this search string and data-allowed-origins.
function policy(search = '', attribute = '', own = OWN) {
  return rules.allowedOrigins(own, search, attribute);
}
function allows(p, origin) { return rules.isAllowed(p.origins, origin); }

// --- who may control the embed ---------------------------------------------------------

test('own origin: allowed by default, nothing else is', () => {
  const p = policy();
  assert.deepEqual(p.origins, [OWN]);
  assert.ok(allows(p, OWN));
  for (const o of [A, EVIL, 'null', 'http://labs.example.edu', 'https://labs.example.edu:8443',
    'https://labs.example.edu.evil.example', 'https://sub.labs.example.edu', '', '*']) {
    assert.ok(!allows(p, o), `${o} must be refused`);
  }
});

test('own origin: an opaque own origin ("null") allows no opaque sender', () => {
  const p = policy('', '', 'null');
  assert.deepEqual(p.origins, []);
  assert.ok(!allows(p, 'null'));
});

test('?origin= once', () => {
  const p = policy('?origin=https://a.example');
  assert.ok(allows(p, A) && allows(p, OWN));
  assert.ok(!allows(p, B) && !allows(p, EVIL));
  // URL-encoded, as URLSearchParams.append writes it (normlab-api.js).
  const q = new URLSearchParams();
  q.append('origin', A);
  assert.ok(allows(policy('?' + q.toString()), A));
});

test('?origin= repeated', () => {
  const p = policy('?origin=https://a.example&origin=https://b.example');
  assert.ok(allows(p, A) && allows(p, B) && allows(p, OWN));
  assert.ok(!allows(p, EVIL));
  assert.deepEqual(p.origins, [OWN, A, B]);
});

test('?origin= comma- and space-separated, and mixed with repeats', () => {
  for (const search of ['?origin=https://a.example,https://b.example',
    '?origin=https://a.example,%20https://b.example', '?origin=https://a.example+https://b.example',
    '?origin=https%3A%2F%2Fa.example%2Chttps%3A%2F%2Fb.example', '?origin=,,https://a.example,,https://b.example,']) {
    const p = policy(search);
    assert.ok(allows(p, A) && allows(p, B), search);
    assert.ok(!allows(p, EVIL), search);
    assert.deepEqual(p.rejected, [], search);
  }
  const p = policy('?origin=https://a.example,https://b.example&origin=https://c.example');
  assert.ok(allows(p, A) && allows(p, B) && allows(p, 'https://c.example'));
  // Other parameters are not origins.
  assert.ok(!allows(policy('?origins=https://a.example&x=https://a.example'), A));
});

test('trailing slashes are dropped', () => {
  assert.equal(rules.normalizeOrigin('https://a.example/'), A);
  assert.equal(rules.normalizeOrigin('https://a.example///'), A);
  const p = policy('?origin=https://a.example/', 'https://b.example/');
  assert.ok(allows(p, A) && allows(p, B));
  // The sender's origin is compared as the browser sends it: never with a slash.
  assert.ok(!allows(p, A + '/'));
});

test('letter case and default ports are normalized as browsers serialize origins', () => {
  assert.equal(rules.normalizeOrigin('HTTPS://A.Example'), A);
  assert.equal(rules.normalizeOrigin('Https://A.EXAMPLE:8443/'), 'https://a.example:8443');
  assert.equal(rules.normalizeOrigin('https://a.example:443'), A);
  assert.equal(rules.normalizeOrigin('http://a.example:80'), 'http://a.example');
  assert.equal(rules.normalizeOrigin('http://127.0.0.1:5173'), 'http://127.0.0.1:5173');
  assert.equal(rules.normalizeOrigin('http://[::1]:8080'), 'http://[::1]:8080');
  assert.equal(rules.normalizeOrigin('  https://a.example  '), A);
  assert.equal(rules.normalizeOrigin('https://Bücher.example'), 'https://xn--bcher-kva.example', 'IDN as punycode');
  const p = policy('?origin=HTTPS://A.EXAMPLE:443');
  assert.ok(allows(p, A));
  assert.ok(!allows(p, 'https://a.example:8443') && !allows(p, 'http://a.example'));
  // An own origin is normalized the same way.
  assert.deepEqual(policy('', '', 'HTTPS://Labs.Example.EDU:443').origins, [OWN]);
});

test('data-allowed-origins on <body>', () => {
  const p = policy('', ' https://a.example, https://b.example/ ');
  assert.ok(allows(p, A) && allows(p, B) && allows(p, OWN));
  assert.ok(!allows(p, EVIL));
  assert.deepEqual(policy('', '').origins, [OWN]);
  assert.deepEqual(policy('', null).origins, [OWN]);
  // Both sources together, duplicates once.
  const both = policy('?origin=https://a.example', 'https://a.example https://b.example');
  assert.deepEqual(both.origins, [OWN, A, B]);
});

test('"*" allows every origin, the opaque one included', () => {
  for (const p of [policy('?origin=*'), policy('', '*'), policy('?origin=https://a.example,*')]) {
    for (const o of [A, EVIL, 'null', 'http://localhost:1234']) assert.ok(allows(p, o), o);
    assert.ok(!allows(p, ''), 'an empty origin is never a sender');
  }
  assert.ok(!rules.isAllowed([A], '*'), '"*" as a sender origin matches nothing');
});

test('"null" allows the opaque origin, and only when listed', () => {
  assert.ok(!allows(policy(), 'null'));
  assert.ok(!allows(policy('?origin=https://a.example'), 'null'));
  for (const p of [policy('?origin=null'), policy('?origin=NULL'), policy('', ' null ')]) {
    assert.ok(allows(p, 'null'));
    assert.ok(!allows(p, EVIL) && !allows(p, A));
  }
});

test('malformed entries are refused whole: nothing is allowed by accident', () => {
  const bad = [
    'a.example',                        // not a URL: no scheme
    'a.example:443',
    '//a.example',
    'https://a.example/path',           // a path
    'https://a.example/.',
    'https://a.example/normlab/embed.html',
    'https://user:pw@a.example',        // credentials
    'https://evil.example@a.example',
    'https://a.example@evil.example',
    'https://a.example?x=1',            // query, fragment
    'https://a.example#x',
    'https://a.example?',
    'https:a.example',                  // not scheme://host
    'https:/a.example',
    'https:\\\\a.example',
    'https://*.example',                // wildcards
    '*.example',
    'https://*',
    'https://',
    'https://a.example:99999',          // no such port
    'ftp://a.example',                  // schemes that have no tuple origin here
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/html;base64',
    'about:blank',
    'nul',
    '**',
  ];
  for (const entry of bad) {
    assert.equal(rules.normalizeOrigin(entry), null, `normalizeOrigin(${JSON.stringify(entry)})`);
    for (const p of [policy('?origin=' + encodeURIComponent(entry)), policy('', entry)]) {
      assert.deepEqual(p.origins, [OWN], entry);
      assert.deepEqual(p.rejected, [entry], entry);
      for (const o of [A, EVIL, 'null', 'https://user:pw@a.example', '*']) {
        assert.ok(!allows(p, o), `${entry} allowed ${o}`);
      }
    }
  }
  // One bad entry in a list costs only itself.
  const mixed = policy('?origin=https://a.example/path,https://b.example', 'https://evil.example@a.example');
  assert.deepEqual(mixed.origins, [OWN, B]);
  assert.ok(!allows(mixed, A) && !allows(mixed, EVIL));
  assert.equal(mixed.rejected.length, 2);
  for (const v of [undefined, null, 42, {}, []]) assert.equal(rules.normalizeOrigin(v), null);
  for (const v of [undefined, null, 42, {}]) assert.ok(!rules.isAllowed([A, '*'].slice(0, 1), v));
  assert.ok(!rules.isAllowed(null, A) && !rules.isAllowed('https://a.example', A), 'the list must be an array');
});

test('targetOriginFor: an opaque origin is addressed with "*", every other exactly', () => {
  assert.equal(rules.targetOriginFor('null'), '*');
  assert.equal(rules.targetOriginFor(A), A);
});

test('refusal replies echo the request id only', () => {
  const refusal = JSON.parse(rules.refusalText(rules.requestId('{"normlab":1,"id":"r7","verb":"step"}'), EVIL));
  assert.deepEqual(refusal, { normlab: 1, id: 'r7', ok: false, error: `origin ${EVIL} is not allowed to control this NormLab`, hint: '' });
  assert.equal(rules.requestId('not json'), null);
  assert.equal(rules.requestId('{"id":{"x":1}}'), null);
  assert.equal(rules.requestId(JSON.stringify({ id: 'x', pad: 'p'.repeat(70000) })), null);
  assert.equal(rules.messageText({ normlab: 1, id: 3 }), '{"normlab":1,"id":3}');
  assert.equal(rules.messageText('{"a":1}'), '{"a":1}');
});

// --- event subscriptions -----------------------------------------------------------------

const win = (name) => ({ name });
const subscribed = (event, on = true) => JSON.stringify({ normlab: 1, id: 'h1', ok: true, result: { subscribed: on, event } });

test('subscriptions: only allowed origins subscribe and hear events', () => {
  const p = policy('?origin=https://a.example');
  const subs = rules.createSubscriptions((o) => rules.isAllowed(p.origins, o));
  const host = win('host'), intruder = win('intruder');
  assert.equal(subs.subscribe(intruder, EVIL, 'step'), false);
  assert.equal(subs.applyReply(intruder, EVIL, subscribed('step')), false);
  assert.equal(subs.subscribe(intruder, 'null', 'step'), false);
  assert.equal(subs.size, 0);
  assert.deepEqual(subs.recipients('step'), []);
  assert.equal(subs.applyReply(host, A, subscribed('step')), true);
  assert.deepEqual(subs.recipients('step'), [{ source: host, origin: A, targetOrigin: A }]);
});

test('subscriptions: events go only to the window that asked, at the origin it asked from', () => {
  const subs = rules.createSubscriptions((o) => rules.isAllowed([OWN, A, 'null'], o));
  const asking = win('asking'), sibling = win('sibling'), other = win('other');
  subs.applyReply(asking, A, subscribed('step'));
  // The sibling on the same origin did not ask: it hears nothing.
  assert.deepEqual(subs.recipients('step').map((r) => r.source), [asking]);
  assert.deepEqual(subs.recipients('state'), [], 'an event nobody asked for goes nowhere');
  // A same-origin sibling's own subscription is its own, not the asking window's.
  subs.applyReply(sibling, A, subscribed('lesson'));
  assert.deepEqual(subs.recipients('lesson'), [{ source: sibling, origin: A, targetOrigin: A }]);
  assert.deepEqual(subs.recipients('step').map((r) => r.source), [asking]);
  subs.applyReply(sibling, A, subscribed('lesson', false));
  assert.deepEqual(subs.recipients('lesson'), []);
  // The same window under another origin is another subscriber (a navigated window gets
  // nothing: the post's targetOrigin is the origin it subscribed from).
  subs.applyReply(asking, OWN, subscribed('state'));
  assert.deepEqual(subs.recipients('state'), [{ source: asking, origin: OWN, targetOrigin: OWN }]);
  assert.deepEqual(subs.recipients('step'), [{ source: asking, origin: A, targetOrigin: A }]);
  // A sandboxed subscriber is addressed with "*" (it can only be), and only it.
  subs.applyReply(other, 'null', subscribed('lesson'));
  assert.deepEqual(subs.recipients('lesson'), [{ source: other, origin: 'null', targetOrigin: '*' }]);
  assert.ok(!subs.recipients('step').some((r) => r.source === sibling || r.source === other));
  // No window, no subscription.
  assert.equal(subs.subscribe(null, A, 'step'), false);
});

test('subscriptions: unsubscribe, failed replies and a rule that no longer allows', () => {
  const allowed = new Set([A]);
  const subs = rules.createSubscriptions((o) => allowed.has(o));
  const w = win('w');
  subs.applyReply(w, A, subscribed('step'));
  subs.applyReply(w, A, subscribed('state'));
  assert.equal(subs.size, 1, 'one entry per (window, origin)');
  assert.equal(subs.applyReply(w, A, JSON.stringify({ normlab: 1, id: 'h2', ok: false, error: 'x', result: { subscribed: false, event: 'step' } })), false);
  assert.equal(subs.applyReply(w, A, 'not json'), false);
  assert.equal(subs.applyReply(w, A, JSON.stringify({ ok: true, result: { step: 3 } })), false);
  assert.equal(subs.recipients('step').length, 1, 'a failed or unrelated reply changes nothing');
  subs.applyReply(w, A, subscribed('step', false));
  assert.deepEqual(subs.recipients('step'), []);
  assert.equal(subs.recipients('state').length, 1);
  allowed.delete(A);
  assert.deepEqual(subs.recipients('state'), [], 'events only while the origin is allowed');
  subs.unsubscribe(w, A, 'state');
  assert.equal(subs.size, 0);
});

// --- normlab-embed.js wired to fake windows ---------------------------------------------

// Runs normlab-origin.js and normlab-embed.js as classic scripts in a fake embed window at
// OWN with this search string and data-allowed-origins, and starts the API.
function fakeEmbed(search, attribute) {
  const posted = [];
  const handled = [];
  const warnings = [];
  const listeners = [];
  const frameParent = { name: 'parent', postMessage: (text, target) => posted.push({ to: 'parent', text, target }) };
  const window = {
    location: { origin: OWN, search },
    addEventListener: (type, fn) => { if (type === 'message') listeners.push(fn); },
    NormLabPage: {
      handleText: (module, text) => {
        handled.push(text);
        const m = JSON.parse(text);
        if (m.verb === 'subscribe') return JSON.stringify({ normlab: 1, id: m.id, ok: true, result: { subscribed: true, event: m.event } });
        return JSON.stringify({ normlab: 1, id: m.id, ok: true, result: { step: 1 } });
      },
    },
    normlab: {},
  };
  window.parent = frameParent;
  const context = vm.createContext({
    window, location: window.location, URL, URLSearchParams, JSON,
    document: { body: { getAttribute: (name) => (name === 'data-allowed-origins' ? attribute : null) } },
    console: { warn: (m) => warnings.push(m), error: (m) => warnings.push(m), log: () => {} },
  });
  for (const file of ['normlab-origin.js', 'normlab-embed.js']) {
    vm.runInContext(fs.readFileSync(path.join(webDir, file), 'utf8'), context, { filename: file });
  }
  window.NormLabEmbed.start({});
  const sender = (name) => ({ name, postMessage: (text, target) => posted.push({ to: name, text, target }) });
  const send = (source, origin, data) => listeners.forEach((fn) => fn({ source, origin, data }));
  return { window, posted, handled, warnings, sender, send };
}

test('embed: a refused origin gets an error reply and reaches nothing', () => {
  const e = fakeEmbed('?origin=https://a.example', '');
  assert.deepEqual(e.posted.map((p) => [p.to, p.target]), [['parent', '*']], 'ready goes to the parent');
  e.posted.length = 0;
  const intruder = e.sender('intruder');
  e.send(intruder, EVIL, JSON.stringify({ normlab: 1, id: 'i1', verb: 'setState', state: { playing: true } }));
  e.send(intruder, EVIL, { normlab: 1, id: 'i2', verb: 'subscribe', event: 'step' });
  assert.deepEqual(e.handled, [], 'nothing from a refused origin reaches the validator');
  assert.deepEqual(e.posted.map((p) => [p.to, p.target, JSON.parse(p.text).id, JSON.parse(p.text).ok]),
    [['intruder', EVIL, 'i1', false], ['intruder', EVIL, 'i2', false]]);
  assert.match(JSON.parse(e.posted[0].text).error, /not allowed/);
  e.posted.length = 0;
  e.window.normlab._emit('step', { step: 2 });
  assert.deepEqual(e.posted, [], 'a refused subscribe hears no events');
});

test('embed: an allowed origin is served and its subscription is its own', () => {
  const e = fakeEmbed('?origin=https://a.example', 'https://b.example');
  e.posted.length = 0;
  const hostWin = e.sender('host'), sibling = e.sender('sibling'), other = e.sender('other');
  e.send(hostWin, A, JSON.stringify({ normlab: 1, id: 'h1', verb: 'subscribe', event: 'step' }));
  e.send(other, B, { normlab: 1, id: 'b1', verb: 'step', count: 1 });
  assert.equal(e.handled.length, 2);
  assert.deepEqual(e.posted.map((p) => [p.to, p.target, JSON.parse(p.text).ok]), [['host', A, true], ['other', B, true]]);
  e.posted.length = 0;
  e.window.normlab._emit('step', { step: 2 });
  e.window.normlab._emit('state', { hash: '' });
  assert.deepEqual(e.posted.map((p) => [p.to, p.target, JSON.parse(p.text).event]), [['host', A, 'step']]);
  assert.ok(!e.posted.some((p) => p.to === 'sibling'));
  e.send(e.window, OWN, { normlab: 1, id: 'self', verb: 'step' });
  assert.equal(e.handled.length, 2, 'its own window\'s messages are not requests');
  e.send(null, A, { normlab: 1, id: 'x', verb: 'step' });
  assert.equal(e.handled.length, 2, 'a message without a source window is ignored');
  void sibling;
});

test('embed: malformed allowed-origin entries are warned about and allow nothing', () => {
  const e = fakeEmbed('?origin=a.example', 'https://evil.example@a.example https://b.example/x');
  assert.equal(e.warnings.length, 1);
  assert.match(e.warnings[0], /a\.example.*evil\.example@a\.example.*b\.example\/x/);
  e.posted.length = 0;
  for (const o of [A, EVIL, B]) e.send(e.sender('s'), o, { normlab: 1, id: o, verb: 'step' });
  assert.deepEqual(e.handled, []);
  assert.ok(e.posted.every((p) => JSON.parse(p.text).ok === false));
  e.send(e.sender('own'), OWN, { normlab: 1, id: 'own', verb: 'step' });
  assert.equal(e.handled.length, 1, 'the own origin still works');
});

// --- the host library's reply filter (normlab-api.js) -------------------------------------

test('host: replies only from the iframe\'s window and the expected origin', () => {
  const frame = win('widget'), sibling = win('sibling'), parent = win('parent'), popup = win('popup');
  assert.ok(host.acceptsReply({ source: frame, origin: OWN }, frame, OWN));
  assert.ok(!host.acceptsReply({ source: sibling, origin: OWN }, frame, OWN), 'a sibling frame on the same origin');
  assert.ok(!host.acceptsReply({ source: sibling, origin: EVIL }, frame, OWN), 'a sibling frame on another origin');
  assert.ok(!host.acceptsReply({ source: parent, origin: OWN }, frame, OWN), 'the parent');
  assert.ok(!host.acceptsReply({ source: popup, origin: OWN }, frame, OWN), 'a popup');
  assert.ok(!host.acceptsReply({ source: frame, origin: EVIL }, frame, OWN), 'the frame navigated to another origin');
  assert.ok(!host.acceptsReply({ source: frame, origin: 'null' }, frame, OWN), 'the frame, opaque, when a real origin is expected');
  assert.ok(!host.acceptsReply({ source: frame, origin: OWN + '/' }, frame, OWN));
  assert.ok(!host.acceptsReply({ source: null, origin: OWN }, null, OWN), 'no iframe window yet (not attached)');
  assert.ok(!host.acceptsReply({ source: undefined, origin: OWN }, undefined, OWN));
  assert.ok(!host.acceptsReply(null, frame, OWN));
  assert.ok(!host.acceptsReply({ source: frame }, frame, undefined), 'a missing origin');
});

test('host: a sandboxed (opaque) widget: "null", still only from its window', () => {
  const frame = win('widget'), sibling = win('sandboxed sibling');
  const expected = host.expectedOrigin({ sandbox: 'allow-scripts' }, OWN);
  assert.equal(expected, 'null');
  assert.ok(host.acceptsReply({ source: frame, origin: 'null' }, frame, expected));
  assert.ok(!host.acceptsReply({ source: sibling, origin: 'null' }, frame, expected), 'another opaque frame');
  assert.ok(!host.acceptsReply({ source: frame, origin: OWN }, frame, expected));
});

test('host: the expected origin from src, sandbox and allowedOrigin', () => {
  assert.equal(host.expectedOrigin({}, OWN), OWN);
  assert.equal(host.expectedOrigin(undefined, OWN), OWN);
  assert.equal(host.expectedOrigin({ sandbox: '' }, OWN), 'null', 'sandbox with no tokens');
  assert.equal(host.expectedOrigin({ sandbox: 'allow-scripts allow-downloads' }, OWN), 'null');
  assert.equal(host.expectedOrigin({ sandbox: 'allow-scripts allow-same-origin' }, OWN), OWN);
  assert.equal(host.expectedOrigin({ sandbox: 'allow-scripts\tALLOW-SAME-ORIGIN' }, OWN), OWN, 'tokens are case-insensitive');
  assert.equal(host.expectedOrigin({ sandbox: 'allow-scripts allow-same-origins' }, OWN), 'null', 'whole tokens only');
  assert.equal(host.expectedOrigin({ allowedOrigin: 'https://A.Example/' }, OWN), A);
  assert.equal(host.expectedOrigin({ allowedOrigin: 'https://a.example/normlab/' }, OWN), A, 'a URL stands for its origin');
  assert.equal(host.expectedOrigin({ allowedOrigin: 'null', sandbox: 'allow-scripts allow-same-origin' }, OWN), 'null');
  assert.equal(host.expectedOrigin({ allowedOrigin: A, sandbox: 'allow-scripts' }, OWN), A);
  for (const bad of ['a.example', '*', 'javascript:alert(1)', 'data:,x']) {
    assert.throws(() => host.expectedOrigin({ allowedOrigin: bad }, OWN), /allowedOrigin/, bad);
  }
  assert.ok(!host.sandboxIsOpaque(undefined) && host.sandboxIsOpaque('allow-scripts'));
});

// --- both files still load as classic scripts --------------------------------------------

test('classic scripts: the page globals are defined and a page\'s `module` is left alone', () => {
  const pageModule = { exports: { theirs: true } };
  const context = vm.createContext({ window: {}, module: pageModule, URL, URLSearchParams });
  for (const file of ['normlab-origin.js', 'normlab-api.js']) {
    vm.runInContext(fs.readFileSync(path.join(webDir, file), 'utf8'), context, { filename: file });
  }
  assert.equal(typeof context.window.NormLabOrigin.isAllowed, 'function');
  assert.equal(typeof context.window.NormLab.create, 'function');
  assert.deepEqual(pageModule.exports, { theirs: true });
});
