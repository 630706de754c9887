// The live-status page (/branches/{code}/queue): updates now serving, the
// waiting count and the estimated wait of each queue from the branch's
// events. #queue-live carries data-events (the stream), data-eta (the
// wait as "{low}–{high}" in the page's language) and data-none (no wait).
(function () {
  'use strict';

  var live = window.oaQueueLive;
  var root = document.getElementById('queue-live');
  if (!live || !root) { return; }
  var state = document.getElementById('queue-state');
  var at = document.getElementById('queue-at');

  function wait(q) {
    if (!q.waiting) { return root.getAttribute('data-none'); }
    if (!q.eta_high) { return root.getAttribute('data-short'); }
    return live.fill(root.getAttribute('data-eta'), { low: q.eta_low, high: q.eta_high });
  }

  function set(row, field, text) {
    var cell = row.querySelector('[data-field="' + field + '"]');
    if (cell && cell.textContent !== text) { cell.textContent = text; }
  }

  live.connect(root.getAttribute('data-events'), {
    event: function (ev) {
      var rows = root.querySelectorAll('tr[data-queue]');
      for (var i = 0; i < rows.length; i++) {
        var q = live.queueOf(ev.status, rows[i].getAttribute('data-queue'));
        if (!q) { continue; }
        set(rows[i], 'now_serving', q.now_serving || '–');
        set(rows[i], 'waiting', String(q.waiting));
        set(rows[i], 'eta', wait(q));
      }
      if (at) { at.textContent = live.clock(ev.status.at); }
    },
    state: function (s) {
      if (state) { state.textContent = s === 'live' ? '' : root.getAttribute('data-reconnecting') || ''; }
    }
  });
})();
