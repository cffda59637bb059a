// The time left of an emergency access, kept current; at the end, reload (the page then says it is over).
(function () {
  "use strict";
  var el = document.querySelector(".time-left[data-expires]");
  if (!el) return;
  var expires = Date.parse(el.getAttribute("data-expires"));
  if (isNaN(expires)) return;
  var h = el.querySelector("[data-part=h]");
  var m = el.querySelector("[data-part=m]");
  function tick() {
    var left = Math.floor((expires - Date.now()) / 60000);
    if (left < 0) {
      window.location.reload();
      return;
    }
    h.textContent = String(Math.floor(left / 60));
    m.textContent = String(left % 60);
  }
  tick();
  window.setInterval(tick, 20000);
})();
