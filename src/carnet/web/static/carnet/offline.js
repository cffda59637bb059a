// Carnet as an app (carnet.web.offline): a signed-in person's pages register the service
// worker, which keeps static files and, on a device they declared as their own, a copy of
// their summary pages. Signing out asks the worker to forget every copy (the server also
// answers the sign-out with Clear-Site-Data). A signed-out page removes the worker and every
// cache: nothing of anyone stays. Without JavaScript nothing is ever kept.
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !("serviceWorker" in navigator)) {
    return;
  }
  var worker = me.getAttribute("data-worker");
  var signOut = me.getAttribute("data-sign-out");

  function forget() {
    var controller = navigator.serviceWorker.controller;
    if (controller) {
      controller.postMessage({ type: "forget" });
    }
  }

  if (me.getAttribute("data-signed-in") === "1") {
    navigator.serviceWorker.register(worker, { scope: "/" }).catch(function () {});
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (signOut && form.getAttribute && form.getAttribute("action") === signOut) {
        forget();
      }
    });
    return;
  }
  forget();
  navigator.serviceWorker.getRegistrations().then(function (registrations) {
    registrations.forEach(function (registration) {
      if (registration.scope === location.origin + "/") {
        registration.unregister();
      }
    });
  });
  if (window.caches) {
    caches.keys().then(function (names) {
      names.forEach(function (name) {
        if (name.indexOf("carnet-") === 0) {
          caches.delete(name);
        }
      });
    });
  }
})();
