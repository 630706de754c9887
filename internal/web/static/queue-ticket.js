// The ticket page (/tickets/{id}): keeps now serving, the people ahead and
// the estimated wait up to date from the branch's events, and fetches the
// page's live part afresh when the ticket leaves the waiting line (called,
// cancelled, missed) or, once called, on every event (a recall, the end of
// the visit). #ticket-live carries data-events, data-queue, data-number,
// data-status and the texts data-eta ("{low}–{high}"), data-next,
// data-short and data-reconnecting.
(function () {
  'use strict';

  var live = window.oaQueueLive;
  var first = document.getElementById('ticket-live');
  if (!live || !first) { return; }
  var number = first.getAttribute('data-number');
  var code = first.getAttribute('data-queue');
  var texts = {};
  ['eta', 'next', 'short', 'reconnecting'].forEach(function (k) { texts[k] = first.getAttribute('data-' + k) || ''; });
  var busy = false;
  var again = false;

  function el(id) { return document.getElementById(id); }

  function setText(id, text) {
    var e = el(id);
    if (e && e.textContent !== text) { e.textContent = text; }
  }

  // The wait of a ticket with ahead people before it: the queue's
  // estimate for a ticket taken now, pro rata.
  function eta(q, ahead) {
    if (ahead === 0) { return texts.next; }
    if (!q.eta_high) { return texts.short; }
    var n = Math.max(q.waiting, ahead, 1);
    return live.fill(texts.eta, { low: Math.ceil(q.eta_low * ahead / n), high: Math.ceil(q.eta_high * ahead / n) });
  }

  function alertCalled() {
    if (navigator.vibrate) { navigator.vibrate([300, 150, 300]); }
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      var ctx = new Ctx();
      var o = ctx.createOscillator();
      var g = ctx.createGain();
      o.frequency.value = 880;
      g.gain.setValueAtTime(0.2, ctx.currentTime);
      g.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.8);
      o.connect(g).connect(ctx.destination);
      o.start();
      o.stop(ctx.currentTime + 0.8);
    } catch (e) { /* no sound without a gesture: the banner remains */ }
  }

  // reload fetches the live part afresh; one fetch at a time.
  function reload() {
    if (busy) { again = true; return; }
    busy = true;
    var before = el('ticket-live').getAttribute('data-status');
    live.refresh(['ticket-live']).then(function () {
      busy = false;
      var after = el('ticket-live') && el('ticket-live').getAttribute('data-status');
      if (after === 'called' && before !== 'called') { alertCalled(); }
      if (again) { again = false; reload(); }
    });
  }

  live.connect(first.getAttribute('data-events'), {
    event: function (ev) {
      var root = el('ticket-live');
      if (!root) { return; }
      var status = root.getAttribute('data-status');
      var q = live.queueOf(ev.status, code);
      var ahead = q && q.order ? q.order.indexOf(number) : -1;
      setText('ticket-at', live.clock(ev.status.at));
      if (status === 'waiting' && ahead >= 0) {
        setText('ticket-now', q.now_serving || '–');
        setText('ticket-ahead', String(ahead));
        setText('ticket-eta', eta(q, ahead));
        return;
      }
      if (status === 'waiting' || status === 'called' || status === 'parked' || ahead >= 0) { reload(); }
    },
    state: function (s) { setText('ticket-state', s === 'live' ? '' : texts.reconnecting); }
  });
})();
