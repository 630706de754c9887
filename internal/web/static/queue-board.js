// The display board (/board/{branch}): keeps the latest calls and the
// waiting counts live from the branch's events; on each call it flashes
// the row, chimes (WebAudio, no sound file) and speaks the call in
// Cantonese, Portuguese and English (speechSynthesis) once sound is
// turned on; it offers full screen. #board-data holds the counters' names
// and the spoken call per language, and the buttons' labels.
(function () {
  'use strict';

  var live = window.oaQueueLive;
  var main = document.getElementById('main-content');
  var dataEl = document.getElementById('board-data');
  if (!live || !main || !dataEl) { return; }
  var cfg;
  try { cfg = JSON.parse(dataEl.textContent); } catch (e) { return; }
  var tags = ['zh-Hant', 'pt', 'en'];
  var voices = { 'zh-Hant': ['zh-HK', 'yue', 'zh-TW', 'zh'], 'pt': ['pt-PT', 'pt-BR', 'pt'], 'en': ['en-GB', 'en-US', 'en'] };
  var label = function (k) { return (cfg.labels && cfg.labels[k]) || ''; };
  var soundButton = document.getElementById('board-sound');
  var fullButton = document.getElementById('board-fullscreen');
  var stateEl = document.getElementById('board-state');
  var audio = null;
  var soundOn = false;

  function counterName(code, tag) {
    var names = cfg.counters && cfg.counters[code];
    return (names && names[tag]) || code;
  }

  function render(calls) {
    var body = document.getElementById('board-calls');
    var rows = document.createDocumentFragment();
    (calls || []).forEach(function (c, i) {
      var tr = document.createElement('tr');
      if (i === 0) { tr.className = 'oa-board__latest'; }
      var num = document.createElement('td');
      num.className = 'oa-board__number';
      num.textContent = c.number;
      var ctr = document.createElement('td');
      ctr.className = 'oa-board__counter';
      tags.forEach(function (t) {
        var s = document.createElement('span');
        s.className = 'oa-board__lang';
        s.lang = t;
        s.textContent = counterName(c.counter, t);
        ctr.appendChild(s);
      });
      tr.appendChild(num);
      tr.appendChild(ctr);
      rows.appendChild(tr);
    });
    body.replaceChildren(rows);
    document.getElementById('board-empty').hidden = (calls || []).length > 0;
  }

  function waiting(status) {
    var items = document.querySelectorAll('#board-queues li[data-queue]');
    for (var i = 0; i < items.length; i++) {
      var q = live.queueOf(status, items[i].getAttribute('data-queue'));
      var cell = items[i].querySelector('[data-field="waiting"]');
      if (q && cell) { cell.textContent = String(q.waiting); }
    }
  }

  function chime() {
    if (!audio) { return; }
    var t = audio.currentTime;
    [[659.25, 0], [523.25, 0.35]].forEach(function (n) {
      var o = audio.createOscillator();
      var g = audio.createGain();
      o.type = 'sine';
      o.frequency.value = n[0];
      g.gain.setValueAtTime(0.0001, t + n[1]);
      g.gain.exponentialRampToValueAtTime(0.3, t + n[1] + 0.03);
      g.gain.exponentialRampToValueAtTime(0.0001, t + n[1] + 0.6);
      o.connect(g).connect(audio.destination);
      o.start(t + n[1]);
      o.stop(t + n[1] + 0.65);
    });
  }

  function voiceFor(tag) {
    var all = window.speechSynthesis.getVoices() || [];
    var wanted = voices[tag];
    for (var i = 0; i < wanted.length; i++) {
      for (var j = 0; j < all.length; j++) {
        if ((all[j].lang || '').replace('_', '-').toLowerCase().indexOf(wanted[i].toLowerCase()) === 0) { return all[j]; }
      }
    }
    return null;
  }

  // speak says the call in each language, one after the other; the
  // number letter by letter ("A 0 0 7").
  function speak(call) {
    if (!('speechSynthesis' in window) || !window.SpeechSynthesisUtterance) { return; }
    var spelled = String(call.number).split('').join(' ');
    tags.forEach(function (t) {
      var u = new SpeechSynthesisUtterance(live.fill(cfg.say[t], { number: spelled, counter: counterName(call.counter, t) }));
      u.lang = voices[t][0];
      var v = voiceFor(t);
      if (v) { u.voice = v; }
      u.rate = 0.9;
      window.speechSynthesis.speak(u);
    });
  }

  function announce(call) {
    var tag = document.documentElement.lang;
    var text = live.fill(cfg.say[tag] || cfg.say.en, { number: call.number, counter: counterName(call.counter, tag) });
    var el = document.getElementById('board-announce');
    el.textContent = '';
    setTimeout(function () { el.textContent = text; }, 50);
  }

  function called(call) {
    var first = document.querySelector('#board-calls tr');
    if (first) { first.classList.add('oa-board__flash'); }
    announce(call);
    if (!soundOn) { return; }
    chime();
    setTimeout(function () { speak(call); }, 1200);
  }

  function setSound(on) {
    soundOn = on;
    soundButton.setAttribute('aria-pressed', on ? 'true' : 'false');
    soundButton.textContent = label(on ? 'queue.board_sound_off' : 'queue.board_sound_on');
    try { window.localStorage.setItem('oa-board-sound', on ? '1' : '0'); } catch (e) { /* private mode */ }
    if (on && !audio && (window.AudioContext || window.webkitAudioContext)) {
      audio = new (window.AudioContext || window.webkitAudioContext)();
    }
    if (on && audio && audio.state === 'suspended') { audio.resume(); }
  }

  soundButton.hidden = false;
  soundButton.addEventListener('click', function () { setSound(!soundOn); });
  var stored = null;
  try { stored = window.localStorage.getItem('oa-board-sound'); } catch (e) { /* private mode */ }
  if (stored === '1') { setSound(true); }

  if (document.fullscreenEnabled && document.documentElement.requestFullscreen) {
    fullButton.hidden = false;
    fullButton.addEventListener('click', function () {
      if (document.fullscreenElement) { document.exitFullscreen(); } else { document.documentElement.requestFullscreen(); }
    });
    document.addEventListener('fullscreenchange', function () {
      fullButton.textContent = label(document.fullscreenElement ? 'queue.board_fullscreen_exit' : 'queue.board_fullscreen');
    });
  }

  live.connect(main.getAttribute('data-events'), {
    event: function (ev) {
      render(ev.status.calls);
      waiting(ev.status);
    },
    call: function (call, kind) {
      if (kind === 'called' || kind === 'recalled') { called(call); }
    },
    state: function (s) {
      stateEl.textContent = s === 'live' ? '' : label('queue.reconnecting');
      main.setAttribute('data-state', s);
    }
  });
})();
