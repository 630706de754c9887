// The service worker: it only shows Web Push notifications and opens them
// (see internal/push). It must be served at /sw.js so that its scope is the
// whole site. It caches nothing and handles no fetches.
'use strict';

self.addEventListener('install', function () {
  self.skipWaiting();
});

self.addEventListener('activate', function (event) {
  event.waitUntil(self.clients.claim());
});

// safeURL returns u when it is on this site, else the inbox.
function safeURL(u) {
  try {
    var url = new URL(typeof u === 'string' ? u : '/inbox', self.location.origin);
    if (url.origin === self.location.origin) { return url.href; }
  } catch (e) { /* fall through */ }
  return new URL('/inbox', self.location.origin).href;
}

function text(v, max) {
  return typeof v === 'string' ? v.slice(0, max) : '';
}

// Every push must show a notification (userVisibleOnly), even one whose
// payload does not parse.
self.addEventListener('push', function (event) {
  var note = {};
  try {
    note = event.data ? event.data.json() : {};
  } catch (e) {
    note = {};
  }
  if (!note || typeof note !== 'object') { note = {}; }
  var options = { body: text(note.body, 500), data: { url: safeURL(note.url) } };
  var tag = text(note.tag, 100);
  if (tag) { options.tag = tag; }
  var title = text(note.title, 200) || self.location.hostname;
  event.waitUntil(self.registration.showNotification(title, options));
});

// A click focuses a window already showing the page, or opens one.
self.addEventListener('notificationclick', function (event) {
  event.notification.close();
  var target = safeURL(event.notification.data && event.notification.data.url);
  event.waitUntil(self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(function (list) {
    for (var i = 0; i < list.length; i++) {
      if (list[i].url === target && 'focus' in list[i]) { return list[i].focus(); }
    }
    return self.clients.openWindow ? self.clients.openWindow(target) : undefined;
  }));
});
