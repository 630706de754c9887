// Live queue events, shared by the queue pages: a branch's EventSource
// with a visible "reconnecting" state and a backoff when the stream is
// refused, and a way to fetch fresh server-rendered parts of the page.
// queue-status.js, queue-ticket.js, queue-board.js and
// queue-workstation.js use it as window.oaQueueLive. Every page works
// without it: each has a plain link that reloads it.
(function () {
  'use strict';

  // sameOriginPath accepts "/path" but not "//host/path" or a URL.
  function sameOriginPath(p) {
    return typeof p === 'string' && p.charAt(0) === '/' && p.charAt(1) !== '/' && p.charAt(1) !== '\\';
  }

  // connect streams url. handlers.event gets each event's JSON that
  // carries the status (a queue.Event: kind, call, status); handlers.call,
  // if set, then gets every call and recall, with its kind, also those of
  // a round whose status came on a later event; handlers.state gets "live" or
  // "reconnecting". The browser reconnects by itself after a dropped
  // connection; when it gives up (the server refused the stream), connect
  // tries again after 1, 2, 4 ... up to 30 seconds. Every (re)connection
  // starts with the branch's whole status, so nothing is missed.
  function connect(url, handlers) {
    if (!window.EventSource || !sameOriginPath(url)) { return null; }
    var es = null;
    var timer = null;
    var delay = 1000;
    // The root element carries the state (data-queue-live) and the count
    // of events handled (data-queue-events), for styles and for the
    // browser tests.
    var state = function (s) {
      document.documentElement.setAttribute('data-queue-live', s);
      if (handlers.state) { handlers.state(s); }
    };

    function open() {
      es = new EventSource(url);
      es.onopen = function () {
        delay = 1000;
        state('live');
      };
      es.onmessage = function (e) {
        var ev;
        try { ev = JSON.parse(e.data); } catch (err) { return; }
        if (!ev) { return; }
        // Of a round of calls only the last event carries the status.
        if (ev.status) {
          handlers.event(ev);
          var root = document.documentElement;
          root.setAttribute('data-queue-events', String(Number(root.getAttribute('data-queue-events') || 0) + 1));
        }
        if (ev.call && handlers.call) { handlers.call(ev.call, ev.kind); }
      };
      es.onerror = function () {
        state('reconnecting');
        if (es.readyState === EventSource.CLOSED) {
          es.close();
          clearTimeout(timer);
          timer = setTimeout(open, delay + Math.random() * delay / 2);
          delay = Math.min(delay * 2, 30000);
        }
      };
    }
    open();
    window.addEventListener('pagehide', function () { if (es) { es.close(); } });
    return {
      close: function () { clearTimeout(timer); if (es) { es.close(); } }
    };
  }

  // refresh fetches the page again and swaps in the elements with the
  // given ids, keeping the rest (and where the person is) as it is.
  function refresh(ids) {
    if (!window.fetch || !window.DOMParser) { return Promise.resolve(false); }
    return fetch(window.location.href, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(new Error('status ' + r.status)); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        ids.forEach(function (id) {
          var now = document.getElementById(id);
          var fresh = doc.getElementById(id);
          if (now && fresh) { now.replaceWith(document.importNode(fresh, true)); }
        });
        return true;
      })
      .catch(function () { return false; });
  }

  // fill replaces {name} in a text with values[name].
  function fill(text, values) {
    return String(text || '').replace(/\{(\w+)\}/g, function (m, k) {
      return Object.prototype.hasOwnProperty.call(values, k) ? String(values[k]) : m;
    });
  }

  // queueOf finds a queue's status by its code.
  function queueOf(status, code) {
    var qs = (status && status.queues) || [];
    for (var i = 0; i < qs.length; i++) {
      if (qs[i].code === code) { return qs[i]; }
    }
    return null;
  }

  // clock is the time of day of an ISO instant in Macao, as the server
  // writes it (HH:MM:SS), whatever the device's time zone.
  function clock(iso) {
    var d = iso ? new Date(iso) : new Date();
    if (isNaN(d.getTime())) { d = new Date(); }
    try {
      return d.toLocaleTimeString('en-GB', { timeZone: 'Asia/Macau', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    } catch (e) {
      var two = function (n) { return (n < 10 ? '0' : '') + n; };
      return two(d.getHours()) + ':' + two(d.getMinutes()) + ':' + two(d.getSeconds());
    }
  }

  window.oaQueueLive = { connect: connect, refresh: refresh, fill: fill, queueOf: queueOf, clock: clock };
})();
