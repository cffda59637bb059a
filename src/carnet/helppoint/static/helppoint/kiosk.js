// The kiosk's countdown (the page says the time in words without JavaScript, and the server
// signs out whatever happens here). Shows "m:ss" left, reset on every page; no
// <meta http-equiv="refresh">, which axe refuses (WCAG 2.2.1).
(function () {
  var el = document.querySelector(".kiosk-countdown");
  if (!el) return;
  var left = parseInt(el.getAttribute("data-seconds"), 10) || 0;
  el.hidden = false;
  function tick() {
    var m = Math.floor(left / 60), s = left % 60;
    el.textContent = "(" + m + ":" + (s < 10 ? "0" : "") + s + ")";
    if (left > 0) { left -= 1; setTimeout(tick, 1000); }
    // Time is up: the server has ended the session; show the sign-in page rather than a page
    // of the help session left open on the shared screen.
    else { window.location.assign(el.getAttribute("data-then")); }
  }
  tick();
})();
