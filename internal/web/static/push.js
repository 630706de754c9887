// Web Push opt-in: the browser side of the #push-enable button on the
// message-preferences page (see internal/push). The button carries
// data-key (the VAPID public key, base64url), data-endpoint (a same-origin
// path taking the subscription as JSON) and the translated texts data-ok,
// data-denied, data-unsupported and data-failed, shown in #push-status.
// The button does nothing without this script; it is shown only when the
// browser can take push notifications.
(function () {
  'use strict';

  var button = document.getElementById('push-enable');
  if (!button) { return; }
  var status = document.getElementById('push-status');

  function say(name) {
    if (!status) { return; }
    status.textContent = button.getAttribute(name) || button.getAttribute('data-failed') || '';
    status.hidden = false;
  }

  function supported() {
    return !!(window.isSecureContext && 'serviceWorker' in navigator && 'PushManager' in window &&
      'Notification' in window && window.fetch && window.Promise);
  }

  // sameOriginPath accepts "/path" but not "//host/path" or a URL.
  function sameOriginPath(p) {
    return typeof p === 'string' && p.charAt(0) === '/' && p.charAt(1) !== '/' && p.charAt(1) !== '\\';
  }

  function fromB64url(s) {
    s = s.replace(/-/g, '+').replace(/_/g, '/');
    while (s.length % 4) { s += '='; }
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out;
  }

  function sameBytes(a, b) {
    a = new Uint8Array(a);
    if (a.length !== b.length) { return false; }
    for (var i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) { return false; }
    }
    return true;
  }

  // permission asks once, in the click's user gesture; older Safari takes
  // a callback instead of returning a promise.
  function permission() {
    return new Promise(function (resolve) {
      var p = Notification.requestPermission(resolve);
      if (p && p.then) { p.then(resolve); }
    });
  }

  // subscription returns this browser's subscription for key, replacing
  // one made with another key (the platform's key changed).
  function subscription(reg, key) {
    return reg.pushManager.getSubscription().then(function (old) {
      var oldKey = old && old.options && old.options.applicationServerKey;
      if (old && (!oldKey || sameBytes(oldKey, key))) { return old; }
      return (old ? old.unsubscribe() : Promise.resolve(true)).then(function () {
        return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      });
    });
  }

  function send(endpoint, sub) {
    return fetch(endpoint, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
      body: JSON.stringify(sub)
    }).then(function (res) {
      // A redirect (to the sign-in page, say) is no success either.
      if (!res.ok || res.redirected) { throw new Error('subscription refused: ' + res.status); }
    });
  }

  function enable() {
    var endpoint = button.getAttribute('data-endpoint');
    var key;
    try {
      key = fromB64url(button.getAttribute('data-key') || '');
    } catch (e) {
      key = new Uint8Array(0);
    }
    if (!sameOriginPath(endpoint) || key.length !== 65) {
      say('data-failed');
      return;
    }
    button.disabled = true;
    permission().then(function (p) {
      if (p !== 'granted') { return 'data-denied'; }
      return navigator.serviceWorker.register('/sw.js', { scope: '/' }).then(function () {
        return navigator.serviceWorker.ready;
      }).then(function (reg) {
        return subscription(reg, key);
      }).then(function (sub) {
        return send(endpoint, sub);
      }).then(function () {
        return 'data-ok';
      });
    }).catch(function (err) {
      return err && err.name === 'NotAllowedError' ? 'data-denied' : 'data-failed';
    }).then(function (result) {
      say(result);
      button.disabled = false;
    });
  }

  if (!supported()) {
    button.hidden = true;
    say('data-unsupported');
    return;
  }
  if (Notification.permission === 'denied') {
    say('data-denied');
  }
  button.hidden = false;
  button.addEventListener('click', enable);
})();
