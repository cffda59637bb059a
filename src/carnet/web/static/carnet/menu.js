// On a phone, the main menu folds behind a "Menu" button so the page starts at once.
// Without JavaScript (or on a wide screen) the whole menu stays visible.
(function () {
  "use strict";
  var nav = document.querySelector(".main-nav");
  var button = nav && nav.querySelector(".menu-toggle");
  if (!button || !window.matchMedia) {
    return;
  }
  var narrow = window.matchMedia("(max-width: 40rem)");

  function set(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("folded", !open);
  }

  function layout() {
    button.hidden = !narrow.matches;
    set(!narrow.matches);
  }

  button.addEventListener("click", function () {
    set(button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && narrow.matches && !nav.classList.contains("folded")) {
      set(false);
      button.focus();
    }
  });
  if (narrow.addEventListener) {
    narrow.addEventListener("change", layout);
  }
  layout();
})();
