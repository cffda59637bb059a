// Carnet's service worker (served at /sw.js by carnet.web.views_offline; the rules are in
// carnet.web.offline). On every device it keeps the static files and the offline page.
// It keeps a page about the person only when the server says so (header "Carnet-Offline:
// keep", sent only on a device the person declared as their own), refreshes that copy on
// each online visit (network first) and shows it, with « Dernière mise à jour », when the
// network is gone. "Carnet-Offline: drop", or a "forget" message from a page (sign-out),
// deletes every copy.
"use strict";

var VERSION = "{{ version }}";
var STATIC_CACHE = "carnet-static-" + VERSION;
var OWN_CACHE = "carnet-own-device";
var PRECACHE = {{ precache|safe }};
var OFFLINE_URL = {{ offline_url|safe }};
var KEEP_HEADER = {{ keep_header|safe }};

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC_CACHE)
      .then(function (cache) { return cache.addAll(PRECACHE.concat([OFFLINE_URL])); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.map(function (name) {
          if (name.indexOf("carnet-static-") === 0 && name !== STATIC_CACHE) {
            return caches.delete(name);
          }
          return null;
        }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "forget") {
    event.waitUntil(caches.delete(OWN_CACHE));
  }
});

function key(url) {
  var u = new URL(url);
  return u.origin + u.pathname; // never a query string
}

function escapeText(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// The copy, with the date it was written (a <meta> the server put in the page) shown at the
// top of the page's main content; its buttons are turned off (but the menu's), as nothing can
// be sent offline.
function fromCopy(copy) {
  return copy.text().then(function (html) {
    var found = /<meta name="carnet-offline-note" content="([^"]*)">/.exec(html);
    var note = found ? found[1] : "";
    var banner = '<p class="offline-note" role="status" data-offline-copy>' + note + "</p>";
    html = html.replace(/<main\b[^>]*>/, function (tag) { return tag + banner; })
      .replace(/<button\b(?![^>]*menu-toggle)/g, "<button disabled");
    return new Response(html, {
      status: 200,
      headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" }
    });
  });
}

function offlinePage() {
  return caches.match(OFFLINE_URL, { cacheName: STATIC_CACHE }).then(function (page) {
    return page || new Response("<!doctype html><title>Carnet</title><p>" +
      escapeText("Carnet: no connection.") + "</p>", {
      status: 503,
      headers: { "Content-Type": "text/html; charset=utf-8" }
    });
  });
}

function navigate(event) {
  var request = event.request;
  return fetch(request).then(function (response) {
    var verdict = response.headers.get(KEEP_HEADER);
    if (verdict === "keep" && response.status === 200) {
      var copy = response.clone();
      event.waitUntil(caches.open(OWN_CACHE).then(function (cache) {
        return cache.put(key(request.url), copy);
      }));
    } else if (verdict === "drop") {
      event.waitUntil(caches.delete(OWN_CACHE));
    }
    return response;
  }, function () {
    return caches.match(key(request.url), { cacheName: OWN_CACHE }).then(function (copy) {
      return copy ? fromCopy(copy) : offlinePage();
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(event));
  } else if (PRECACHE.indexOf(url.pathname) !== -1) {
    event.respondWith(
      caches.match(url.pathname, { cacheName: STATIC_CACHE }).then(function (hit) {
        return hit || fetch(request);
      })
    );
  }
});
