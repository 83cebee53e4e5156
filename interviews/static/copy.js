// Copy buttons beside links meant to be shared (the copy_link macro in _macros.html).
// Without JavaScript the button stays hidden and the read-only field is still there to
// select and copy with Ctrl/Cmd+C. The CSP allows scripts from 'self' only: no inline
// handlers, everything is wired here.
(function () {
  "use strict";

  function say(status, words) {
    // Emptied first so the same words said twice are announced twice.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = words; }, 50);
    window.clearTimeout(status.copyTimer);
    status.copyTimer = window.setTimeout(function () { status.textContent = ""; }, 4000);
  }

  function copyBySelection(input) {
    // Plain-http hosts other than localhost have no Clipboard API: the old way still works.
    input.focus();
    input.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function setUp(box) {
    var input = box.querySelector("[data-copy-source]");
    var button = box.querySelector("[data-copy-button]");
    var status = box.querySelector("[data-copy-status]");
    if (!input || !button || !status) return;
    function selectAll() { input.select(); }
    input.addEventListener("focus", selectAll);
    input.addEventListener("click", selectAll);
    button.addEventListener("click", function () {
      var failed = function () {
        if (copyBySelection(input)) {
          say(status, "Copied");
        } else {
          input.focus();
          input.select();
          say(status, "Press Ctrl+C (⌘C on a Mac) to copy the selected link");
        }
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(input.value).then(function () {
          say(status, "Copied");
        }, failed);
      } else {
        failed();
      }
    });
    button.hidden = false;
  }

  function setUpAll() {
    var boxes = document.querySelectorAll("[data-copy-link]");
    for (var i = 0; i < boxes.length; i++) setUp(boxes[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})();
