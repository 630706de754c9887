// The counter workstation (/staff/counters/{counter}): single-key
// shortcuts for the buttons that carry data-key (N call next, R recall,
// M no-show, P park, C complete), never while typing in a field and never
// with Ctrl, Alt or Meta; a checkbox turns them off (WCAG 2.1.4), and the
// choice is remembered. The waiting, parked and missed lists (#ws-lists)
// are fetched afresh after the branch's events.
(function () {
  'use strict';

  var enabled = true;
  try { enabled = window.localStorage.getItem('oa-ws-keys') !== '0'; } catch (e) { /* private mode */ }
  var group = document.getElementById('keys-toggle-group');
  var toggle = document.getElementById('keys-toggle');
  if (group && toggle) {
    group.hidden = false;
    toggle.checked = enabled;
    toggle.addEventListener('change', function () {
      enabled = toggle.checked;
      try { window.localStorage.setItem('oa-ws-keys', enabled ? '1' : '0'); } catch (e) { /* private mode */ }
    });
  }

  function typing(t) {
    return t && (t.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName));
  }

  document.addEventListener('keydown', function (e) {
    if (!enabled || e.defaultPrevented || e.repeat || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) { return; }
    var key = (e.key || '').toLowerCase();
    if (key.length !== 1 || !/[a-z]/.test(key)) { return; }
    var button = document.querySelector('button[data-key="' + key + '"]:not([disabled])');
    if (!button) { return; }
    e.preventDefault();
    button.click();
  });

  var live = window.oaQueueLive;
  var lists = document.getElementById('ws-lists');
  if (!live || !lists) { return; }
  var reconnecting = lists.getAttribute('data-reconnecting') || '';
  var timer = null;
  var first = true;
  live.connect(lists.getAttribute('data-events'), {
    event: function () {
      // The first event is the status as the page was drawn.
      if (first) { first = false; return; }
      clearTimeout(timer);
      timer = setTimeout(function () { live.refresh(['ws-lists']); }, 300);
    },
    state: function (s) {
      var el = document.getElementById('ws-state');
      if (el) { el.textContent = s === 'live' ? '' : reconnecting; }
      if (s !== 'live') { first = false; }
    }
  });
})();
