// The "Print the card" button (shown only when scripts run; otherwise the browser's own print works).
(function () {
  "use strict";
  var button = document.getElementById("print-card");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
})();
