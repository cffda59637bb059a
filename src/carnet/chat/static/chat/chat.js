/* Emergency chat. Three pages use this file:
 * - triage: a "yes" shows the numbers to call at once, before anything else;
 * - chat: live messages over WebSocket, else sending with fetch and polling every few
 *   seconds (old phones, proxies that block WebSocket); without JS the form still posts;
 * - on-call desk: tells the practitioner when the list of people waiting changes.
 */
(function () {
  "use strict";

  // --- triage -------------------------------------------------------------------------
  var alertBox = document.getElementById("chat-alert");
  if (alertBox) {
    var suicideNote = document.getElementById("chat-alert-suicide");
    var update = function () {
      var yes = document.querySelectorAll(".chat-triage input[value=yes]:checked");
      var suicide = document.querySelector(".chat-triage input[name=suicide][value=yes]:checked");
      var wasHidden = alertBox.hidden;
      alertBox.hidden = yes.length === 0;
      suicideNote.hidden = !suicide;
      // 3114 first when the person thinks of suicide; 15 first otherwise.
      var list = alertBox.querySelector(".chat-numbers");
      var lead = list.querySelector("a[href='tel:" + (suicide ? "3114" : "15") + "']");
      if (lead && list.firstElementChild !== lead.parentNode) {
        list.insertBefore(lead.parentNode, list.firstElementChild);
      }
      list.querySelectorAll(".chat-number").forEach(function (a, i) {
        a.classList.toggle("lead", i === 0);
      });
      // Before anything else: the alert takes the place of the numbers at the top.
      var top = document.querySelector(".chat-call");
      if (top) {
        if (alertBox.nextElementSibling !== top) top.parentNode.insertBefore(alertBox, top);
        top.hidden = !alertBox.hidden;
      }
      if (wasHidden && !alertBox.hidden) alertBox.scrollIntoView({ block: "start" });
    };
    document.querySelectorAll(".chat-triage input[type=radio]").forEach(function (input) {
      input.addEventListener("change", update);
    });
    update();
  }

  // --- chat ---------------------------------------------------------------------------
  var chat = document.getElementById("chat");
  if (chat) {
    var last = parseInt(chat.dataset.last || "0", 10);
    var status = chat.dataset.status;
    var linesEl = document.getElementById("chat-lines");
    var form = document.getElementById("chat-form");
    var mode = document.getElementById("chat-mode");
    var you = document.getElementById("chat-you").textContent;
    var template = document.getElementById("chat-line-template");
    var socket = null;
    var live = false;
    var pollTimer = null;

    var show = function (payload) {
      (payload.messages || []).forEach(function (m) {
        if (m.id <= last || linesEl.querySelector("[data-line='" + m.id + "']")) return;
        var li = template.content.firstElementChild.cloneNode(true);
        li.dataset.line = m.id;
        if (m.mine) li.classList.add("mine");
        li.querySelector(".muted").textContent = (m.mine ? you : m.author) + " · " + m.time;
        li.querySelector(".chat-text").textContent = m.text;
        linesEl.appendChild(li);
        last = Math.max(last, m.id);
      });
      if (payload.status && payload.status !== status) {
        // Taken or closed: the page shows who answers, or that it is over.
        window.location.reload();
      }
    };

    var poll = function () {
      fetch(chat.dataset.poll + "?after=" + last, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) show(data); })
        .catch(function () {});
    };

    var startPolling = function () {
      live = false;
      if (mode) mode.textContent = document.getElementById("chat-ws-off").textContent;
      if (!pollTimer && status !== "closed") pollTimer = window.setInterval(poll, 4000);
    };

    var connect = function () {
      if (!("WebSocket" in window) || status === "closed") {
        startPolling();
        return;
      }
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      try {
        socket = new WebSocket(scheme + window.location.host + chat.dataset.ws);
      } catch (e) {
        startPolling();
        return;
      }
      socket.addEventListener("open", function () {
        live = true;
        chat.dataset.live = "1";
        if (pollTimer) { window.clearInterval(pollTimer); pollTimer = null; }
        if (mode) mode.textContent = document.getElementById("chat-ws-on").textContent;
        socket.send(JSON.stringify({ after: last }));
      });
      socket.addEventListener("message", function (event) {
        try { show(JSON.parse(event.data)); } catch (e) { /* ignore a bad frame */ }
      });
      socket.addEventListener("close", function () {
        chat.dataset.live = "0";
        startPolling();
      });
    };

    if (form) {
      form.addEventListener("submit", function (event) {
        var box = form.querySelector("textarea");
        var text = box.value.trim();
        if (!text) return; // let the server say what to do
        event.preventDefault();
        if (live && socket && socket.readyState === WebSocket.OPEN) {
          socket.send(JSON.stringify({ text: text }));
          box.value = "";
          box.focus();
          return;
        }
        var body = new FormData(form);
        fetch(form.action, {
          method: "POST",
          body: body,
          credentials: "same-origin",
          headers: { "X-Requested-With": "fetch" },
        }).then(function (r) {
          if (r.ok) { box.value = ""; box.focus(); poll(); } else { form.submit(); }
        }).catch(function () { form.submit(); });
      });
    }
    connect();
  }

  // --- on-call desk -------------------------------------------------------------------
  var desk = document.getElementById("desk");
  if (desk) {
    var known = desk.dataset.waiting;
    window.setInterval(function () {
      fetch(desk.dataset.poll, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          var now = data.waiting.join(",");
          if (now !== known) document.getElementById("desk-news").hidden = false;
        })
        .catch(function () {});
    }, 8000);
  }
})();
