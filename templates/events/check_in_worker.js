// The door's service worker (issue 21), served by events.views_door.check_in_worker from the
// check-in page's folder so that its scope covers the page. It keeps, for use with no
// connection: a shell of the page with no names in it, the script, the styles and the QR
// decoder. The page itself is always asked of the network first and never stored (it shows
// names); offline, the shell is served in its place. Ticket data lives in the page's IndexedDB.
"use strict";
var CONFIG = {{ config|safe }};
var PREFIX = "thrive-door-" + CONFIG.event + "-";
var CACHE = PREFIX + CONFIG.version;
var KEPT = [CONFIG.shell].concat(CONFIG.assets);

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(KEPT.map(function (url) { return new Request(url, { credentials: "same-origin", cache: "reload" }); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(PREFIX) === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && url.pathname === CONFIG.page) {
    // Online: the live page (never stored). Offline: the shell.
    event.respondWith(fetch(request).catch(function () {
      return caches.open(CACHE).then(function (cache) { return cache.match(CONFIG.shell); })
        .then(function (shell) { return shell || Response.error(); });
    }));
    return;
  }
  if (KEPT.indexOf(url.pathname) >= 0) {
    // Network first, so a new version is picked up; the kept copy when there is no connection.
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && url.pathname !== CONFIG.shell) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () {
      return caches.open(CACHE).then(function (cache) { return cache.match(url.pathname); })
        .then(function (kept) { return kept || Response.error(); });
    }));
  }
});

// The page asks for everything kept on this device to be forgotten (staff signing out).
self.addEventListener("message", function (event) {
  if (event.data === "forget") {
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name.indexOf("thrive-door-") === 0; })
        .map(function (name) { return caches.delete(name); }));
    }));
  }
});
