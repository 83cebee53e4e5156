// The home page's first-run checklist: copying the booking link with the Copy button
// (copy.js) ticks "Share the booking link". Without JavaScript, opening the link from
// the checklist ticks it instead. The CSP allows scripts from 'self' only.
(function () {
  "use strict";

  function setUp(box) {
    var button = box.querySelector("[data-copy-button]");
    if (!button) return;
    button.addEventListener("click", function () {
      var body = new URLSearchParams();
      body.set("csrf_token", box.getAttribute("data-csrf"));
      window.fetch(box.getAttribute("data-link-copied"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
      });
    });
  }

  function setUpAll() {
    var boxes = document.querySelectorAll("[data-link-copied]");
    for (var i = 0; i < boxes.length; i++) setUp(boxes[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})();
