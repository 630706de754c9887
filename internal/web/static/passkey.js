// Passkeys: the browser side of the WebAuthn ceremonies (see
// internal/web/passkey.go). Each element with data-passkey="signin", "mfa"
// or "register" is one control. It stays hidden, and any
// data-passkey-fallback note stays shown, unless this browser can use
// passkeys. A ceremony is begin (JSON options from the server),
// navigator.credentials.create or .get, then finish (the answer to the
// server), which replies with where to go next.
(function () {
  'use strict';

  var endpoints = {
    signin: { begin: '/login/passkey/begin', finish: '/login/passkey/finish', create: false },
    mfa: { begin: '/login/passkey/mfa/begin', finish: '/login/passkey/mfa/finish', create: false },
    register: { begin: '/account/passkeys/begin', finish: '/account/passkeys/finish', create: true }
  };

  function supported() {
    return !!(window.PublicKeyCredential && navigator.credentials && window.fetch && window.JSON);
  }

  function fromB64url(s) {
    s = s.replace(/-/g, '+').replace(/_/g, '/');
    while (s.length % 4) { s += '='; }
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out.buffer;
  }

  function toB64url(buf) {
    var bytes = new Uint8Array(buf);
    var bin = '';
    for (var i = 0; i < bytes.length; i++) { bin += String.fromCharCode(bytes[i]); }
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function withIDs(list) {
    return (list || []).map(function (c) {
      return Object.assign({}, c, { id: fromB64url(c.id) });
    });
  }

  // publicKeyOptions turns the server's JSON options into what
  // navigator.credentials takes: the binary fields as ArrayBuffers.
  function publicKeyOptions(options, create) {
    var pk = Object.assign({}, options.publicKey);
    pk.challenge = fromB64url(pk.challenge);
    if (create) {
      pk.user = Object.assign({}, pk.user, { id: fromB64url(pk.user.id) });
      pk.excludeCredentials = withIDs(pk.excludeCredentials);
    } else {
      pk.allowCredentials = withIDs(pk.allowCredentials);
    }
    return pk;
  }

  // credentialJSON is the authenticator's answer as the server reads it.
  function credentialJSON(cred) {
    if (typeof cred.toJSON === 'function') {
      try { return cred.toJSON(); } catch (e) { /* fall back below */ }
    }
    var r = cred.response;
    var out = {
      id: cred.id,
      rawId: toB64url(cred.rawId),
      type: cred.type,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: { clientDataJSON: toB64url(r.clientDataJSON) }
    };
    if (cred.authenticatorAttachment) { out.authenticatorAttachment = cred.authenticatorAttachment; }
    if (r.attestationObject) {
      out.response.attestationObject = toB64url(r.attestationObject);
      if (r.getTransports) { out.response.transports = r.getTransports(); }
    } else {
      out.response.authenticatorData = toB64url(r.authenticatorData);
      out.response.signature = toB64url(r.signature);
      if (r.userHandle) { out.response.userHandle = toB64url(r.userHandle); }
    }
    return out;
  }

  // post sends JSON and reads the JSON answer; a network failure rejects
  // with an error named 'NetworkError'.
  function post(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        return { ok: res.ok, data: data };
      });
    }, function () {
      var e = new Error('network');
      e.name = 'NetworkError';
      throw e;
    });
  }

  // ServerError carries the server's message, already in the person's
  // language.
  function ServerError(data) {
    this.name = 'ServerError';
    this.data = data || {};
  }

  function answer(res) {
    if (res.ok) { return res.data; }
    if (res.data && res.data.redirect && !res.data.error) {
      window.location.assign(res.data.redirect);
    }
    throw new ServerError(res.data);
  }

  function showError(root, message, field) {
    var box = root.querySelector('[data-passkey-error]');
    var item = root.querySelector('[data-passkey-message]');
    if (!box || !item) { return; }
    item.textContent = '';
    var input = field ? document.getElementById(field) : null;
    if (input && root.contains(input)) {
      var a = document.createElement('a');
      a.href = '#' + field;
      a.textContent = message;
      item.appendChild(a);
    } else {
      item.textContent = message;
    }
    box.hidden = false;
    box.focus();
  }

  function message(root, err) {
    if (err && err.name === 'ServerError') {
      var e = err.data.error || {};
      return { text: e.message || root.getAttribute('data-msg-failed'), field: e.field || '' };
    }
    var key = 'data-msg-failed';
    if (err && (err.name === 'NotAllowedError' || err.name === 'AbortError')) {
      key = 'data-msg-cancelled';
    } else if (err && err.name === 'InvalidStateError') {
      key = 'data-msg-exists';
    } else if (err && err.name === 'NetworkError') {
      key = 'data-msg-network';
    }
    return { text: root.getAttribute(key), field: '' };
  }

  function run(root, kind, extra, trigger) {
    var ep = endpoints[kind];
    var box = root.querySelector('[data-passkey-error]');
    if (box) { box.hidden = true; }
    trigger.disabled = true;
    trigger.setAttribute('aria-disabled', 'true');
    var ceremony;
    return post(ep.begin, { current_password: extra.current_password || '' }).then(answer).then(function (data) {
      ceremony = data.ceremony;
      var pk = publicKeyOptions(data.options, ep.create);
      return ep.create ? navigator.credentials.create({ publicKey: pk }) : navigator.credentials.get({ publicKey: pk });
    }).then(function (cred) {
      if (!cred) { throw Object.assign(new Error('no credential'), { name: 'NotAllowedError' }); }
      return post(ep.finish, {
        ceremony: ceremony,
        credential: credentialJSON(cred),
        name: extra.name || '',
        next: root.getAttribute('data-next') || ''
      });
    }).then(answer).then(function (data) {
      window.location.assign(data.redirect || '/account');
    }).catch(function (err) {
      var m = message(root, err);
      showError(root, m.text, m.field);
      trigger.disabled = false;
      trigger.removeAttribute('aria-disabled');
    });
  }

  function setUp(root) {
    var kind = root.getAttribute('data-passkey');
    if (!endpoints[kind]) { return; }
    if (kind === 'register') {
      var form = root.querySelector('[data-passkey-form]');
      if (!form) { return; }
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var pw = form.querySelector('[name="current_password_pk"]');
        var name = form.querySelector('[name="passkey_name"]');
        var button = form.querySelector('button[type="submit"]');
        run(root, kind, { current_password: pw ? pw.value : '', name: name ? name.value : '' }, button).then(function () {
          if (pw) { pw.value = ''; }
        });
      });
    } else {
      var start = root.querySelector('[data-passkey-start]');
      if (!start) { return; }
      start.addEventListener('click', function () { run(root, kind, {}, start); });
    }
    root.hidden = false;
  }

  function init() {
    if (!supported()) { return; }
    Array.prototype.forEach.call(document.querySelectorAll('[data-passkey-fallback]'), function (el) {
      el.hidden = true;
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-passkey]'), setUp);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());
