/* Treatment form: search the medicine list as you type, without reloading the page.
   Without JavaScript the "Search" button posts the form and the page lists the results. */
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form || !form.dataset.searchUrl || !window.fetch) return;
  var input = form.querySelector("[name=query]");
  var button = document.getElementById("medicine-search-button");
  var box = document.getElementById("medicine-results");
  var list = document.getElementById("medicine-list");
  var token = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var timer = null;
  var last = "";

  function render(results) {
    list.textContent = "";
    if (!results.length) {
      var p = document.createElement("p");
      p.textContent = box.dataset.none || "—";
      list.appendChild(p);
    }
    results.forEach(function (m, i) {
      var div = document.createElement("div");
      div.className = "entry-radio";
      var radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "medicine";
      radio.value = m.cis;
      radio.id = "med-" + m.cis;
      if (results.length === 1 && i === 0) radio.checked = true;
      var label = document.createElement("label");
      label.htmlFor = radio.id;
      label.textContent = m.name;
      div.appendChild(radio);
      div.appendChild(label);
      list.appendChild(div);
    });
    box.hidden = false;
  }

  function search() {
    var q = input.value.trim();
    if (q.length < 2 || q === last) return;
    last = q;
    var body = new FormData();
    body.append("query", q);
    fetch(form.dataset.searchUrl, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": token },
      credentials: "same-origin"
    })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) { if (input.value.trim() === q) render(data.results); })
      .catch(function () { /* the Search button still works */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 300);
  });
  button.addEventListener("click", function (event) {
    event.preventDefault();
    last = "";
    search();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();
      last = "";
      search();
    }
  });
})();
