// Follows an import job: asks the server for its status every second and updates the
// progress bar; reloads the page when the job is finished so that the result shows.
// Without JavaScript, the page refreshes itself (see the <noscript> in its head).
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("progress-bar");
  var text = document.getElementById("progress-text");
  var delay = 1000;

  function show(status) {
    if (status.total !== null && status.total !== undefined) {
      bar.max = Math.max(status.total, 1);
      bar.value = Math.min(status.done, status.total);
    }
    if (text.textContent !== status.text) {
      text.textContent = status.text;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (status.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        // A network hiccup: try again a little later.
        delay = Math.min(delay * 2, 10000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
