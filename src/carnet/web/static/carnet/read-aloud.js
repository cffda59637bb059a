// « Écouter »: reads the page's main text aloud with the browser's own speech synthesis
// (window.speechSynthesis), in the page's language. Nothing goes to a server.
// Without JavaScript or speech synthesis the button stays hidden and the page works as usual.
(function () {
  "use strict";
  var button = document.querySelector("[data-read-aloud-button]");
  var synth = window.speechSynthesis;
  if (!button || !synth || typeof window.SpeechSynthesisUtterance !== "function") {
    return;
  }
  var label = button.querySelector("span");
  var readLabel = label.textContent;
  var stopLabel = button.getAttribute("data-stop-label");
  // Chrome stops an utterance after about 15 seconds: speak in short pieces.
  var MAX = 180;
  var SKIP = "nav, button, select, input, textarea, script, style, template, noscript, svg, " +
    "img, [hidden], [aria-hidden='true'], [data-read-aloud-skip]";
  var BLOCK = /^(P|LI|H[1-6]|DT|DD|TD|TH|TR|CAPTION|SUMMARY|LABEL|LEGEND|DIV|SECTION|ASIDE|ARTICLE|HEADER|FOOTER|UL|OL|DL|TABLE|FIGCAPTION|BLOCKQUOTE|DETAILS|FORM|FIELDSET)$/;
  var pieces = [];
  var next = 0;
  var speaking = false;

  function shown(el) {
    if (el.matches(SKIP)) {
      return false;
    }
    var style = window.getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") {
      return false;
    }
    // Folded <details>: only their summary is on screen.
    var folded = el.parentElement && el.parentElement.tagName === "DETAILS" &&
      !el.parentElement.open && el.tagName !== "SUMMARY";
    return !folded;
  }

  function blocks(root) {
    var out = [];
    var line = "";
    function flush() {
      var text = line.replace(/\s+/g, " ").trim();
      if (text) {
        out.push(text);
      }
      line = "";
    }
    function walk(node) {
      if (node.nodeType === Node.TEXT_NODE) {
        line += node.nodeValue;
        return;
      }
      if (node.nodeType !== Node.ELEMENT_NODE || !shown(node)) {
        return;
      }
      var block = BLOCK.test(node.tagName);
      if (block || node.tagName === "BR") {
        flush();
      }
      for (var child = node.firstChild; child; child = child.nextSibling) {
        walk(child);
      }
      if (block) {
        flush();
      }
    }
    walk(root);
    flush();
    return out;
  }

  function split(text) {
    // Sentences first; a sentence longer than MAX at its commas, then at its spaces.
    var out = [];
    text.split(/(?<=[.!?…:;؟،。])\s+/).forEach(function (sentence) {
      var parts = sentence.length > MAX ? sentence.split(/(?<=[,،])\s+/) : [sentence];
      var current = "";
      parts.forEach(function (part) {
        while (part.length > MAX) {
          var cut = part.lastIndexOf(" ", MAX);
          cut = cut > 0 ? cut : MAX;
          if (current) {
            out.push(current);
            current = "";
          }
          out.push(part.slice(0, cut));
          part = part.slice(cut).trim();
        }
        if (current && current.length + part.length + 1 > MAX) {
          out.push(current);
          current = "";
        }
        current = current ? current + " " + part : part;
      });
      if (current) {
        out.push(current);
      }
    });
    return out;
  }

  function voiceFor(lang) {
    var voices = synth.getVoices ? synth.getVoices() : [];
    var base = lang.split("-")[0].toLowerCase();
    for (var i = 0; i < voices.length; i++) {
      if (voices[i].lang && voices[i].lang.toLowerCase().split(/[-_]/)[0] === base) {
        return voices[i];
      }
    }
    return null;
  }

  function set(on) {
    speaking = on;
    label.textContent = on ? stopLabel : readLabel;
  }

  function speakNext() {
    if (!speaking) {
      return;
    }
    if (next >= pieces.length) {
      set(false);
      return;
    }
    var lang = document.documentElement.lang || "fr";
    var utterance = new window.SpeechSynthesisUtterance(pieces[next]);
    next += 1;
    utterance.lang = lang;
    var voice = voiceFor(lang);
    if (voice) {
      utterance.voice = voice;
    }
    utterance.onend = speakNext;
    utterance.onerror = function () {
      set(false);
    };
    synth.speak(utterance);
  }

  function start() {
    var root = document.querySelector("[data-read-aloud]") || document.querySelector("main");
    pieces = [];
    blocks(root).forEach(function (text) {
      pieces = pieces.concat(split(text));
    });
    next = 0;
    synth.cancel();
    set(true);
    speakNext();
  }

  function stop() {
    set(false);
    synth.cancel();
  }

  button.addEventListener("click", function () {
    if (speaking) {
      stop();
    } else {
      start();
    }
  });
  window.addEventListener("pagehide", stop);
  button.hidden = false;
})();
