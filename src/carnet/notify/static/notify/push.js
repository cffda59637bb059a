// Web Push on the notifications page. Without this script (or without a browser that can
// show notifications) the "turn on" button stays hidden: the page works, push is not offered.
(function () {
  "use strict";
  var section = document.getElementById("push");
  if (!section) return;
  var onForm = section.querySelector("form.push-on");
  var offForm = section.querySelector("form.push-off");
  var statusLine = section.querySelector(".push-status");
  var endpoint = section.getAttribute("data-push-endpoint");
  var workerUrl = section.getAttribute("data-push-worker");
  // The words come from the page, translated like every other string of Carnet.
  var text = {
    working: section.getAttribute("data-msg-working"),
    refused: section.getAttribute("data-msg-refused"),
    failed: section.getAttribute("data-msg-failed")
  };

  function say(message) {
    statusLine.textContent = message;
  }

  function csrf(form) {
    return form.querySelector("input[name=csrfmiddlewaretoken]").value;
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function send(method, body, form) {
    return fetch(endpoint, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(form) },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) throw new Error("push endpoint answered " + response.status);
    });
  }

  var supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  if (!supported) return;

  fetch(endpoint, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (!data || !data.public_key) return; // the server has no Web Push key
      section.hidden = false;
      onForm.hidden = false;
      onForm.addEventListener("submit", function (event) {
        event.preventDefault();
        say(text.working);
        Notification.requestPermission().then(function (permission) {
          if (permission !== "granted") {
            say(text.refused);
            return null;
          }
          return navigator.serviceWorker.register(workerUrl)
            .then(function () { return navigator.serviceWorker.ready; })
            .then(function (registration) {
              return registration.pushManager.subscribe({
                userVisibleOnly: true,
                applicationServerKey: keyBytes(data.public_key)
              });
            })
            .then(function (subscription) { return send("POST", subscription.toJSON(), onForm); })
            .then(function () { onForm.submit(); });
        }).catch(function () { say(text.failed); });
      });
    })
    .catch(function () { /* push stays hidden */ });

  if (offForm) {
    offForm.addEventListener("submit", function (event) {
      event.preventDefault();
      navigator.serviceWorker.getRegistration(workerUrl)
        .then(function (registration) {
          return registration ? registration.pushManager.getSubscription() : null;
        })
        .then(function (subscription) {
          if (!subscription) return null;
          return send("DELETE", { endpoint: subscription.endpoint }, offForm)
            .then(function () { return subscription.unsubscribe(); });
        })
        .catch(function () { /* the server forgets every subscription anyway */ })
        .then(function () { offForm.submit(); });
    });
  }
})();
