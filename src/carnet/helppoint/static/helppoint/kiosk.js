// The kiosk's countdown (the page says the time in words without JavaScript, and the server
// signs out whatever happens here). Shows "m:ss" left, reset on every page.
(function () {
  var el = document.querySelector(".kiosk-countdown");
  if (!el) return;
  var left = parseInt(el.getAttribute("data-seconds"), 10) || 0;
  el.hidden = false;
  function tick() {
    var m = Math.floor(left / 60), s = left % 60;
    el.textContent = "(" + m + ":" + (s < 10 ? "0" : "") + s + ")";
    if (left > 0) { left -= 1; setTimeout(tick, 1000); }
  }
  tick();
})();
