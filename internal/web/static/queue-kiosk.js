// The kiosk (/kiosk/{branch}): shows the Print button on the ticket, and
// goes back to the first screen, in its default language, after a visitor
// leaves a screen untouched (body data-idle, in seconds; data-home).
(function () {
  'use strict';

  var body = document.body;
  var home = body.getAttribute('data-home') || '';
  var idle = parseInt(body.getAttribute('data-idle') || '0', 10);
  var sameOrigin = home.charAt(0) === '/' && home.charAt(1) !== '/' && home.charAt(1) !== '\\';

  var print = document.getElementById('kiosk-print');
  if (print && window.print) {
    print.hidden = false;
    print.addEventListener('click', function () { window.print(); });
  }

  if (!idle || !sameOrigin) { return; }
  var timer = null;
  function reset() {
    clearTimeout(timer);
    timer = setTimeout(function () { window.location.assign(home); }, idle * 1000);
  }
  ['pointerdown', 'keydown', 'input', 'touchstart'].forEach(function (t) {
    document.addEventListener(t, reset, { passive: true });
  });
  reset();
})();
