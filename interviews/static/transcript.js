// The transcript page: select words in the transcript (with the mouse, or the keyboard
// with caret browsing) and a "Make a takeaway" button shows beside them; it fills the
// highlight form with those words, snapped to whole words, and the segment they start
// in, then moves focus to the form. Without this script each segment's "Highlight" link
// opens the same form on the server.
(function () {
  "use strict";

  var root = document.querySelector("[data-transcript][data-editable]");
  var button = document.querySelector("[data-make-takeaway]");
  var form = document.querySelector("[data-highlight-form]");
  if (!root || !button || !form || !window.getSelection || !document.createRange) return;
  var segmentInput = form.querySelector("[data-highlight-segment]");
  var quote = form.querySelector("textarea[name=quote]");
  var from = document.querySelector("[data-highlight-from]");
  var picked = null;  // what the button would put in the form: {segment, quote, from}

  // A letter, a digit or an apostrophe inside a word ("won't"): a selection that stops
  // between two of these stops inside a word, and is widened to the whole word.
  var WORD = /[\p{L}\p{N}\p{M}'\u2019]/u;

  function inWord(text, at) {
    return at > 0 && at < text.length && WORD.test(text[at - 1]) && WORD.test(text[at]);
  }

  // Characters of ``span``'s text before the point (node, offset) inside it.
  function offsetIn(span, node, offset) {
    var before = document.createRange();
    before.selectNodeContents(span);
    before.setEnd(node, offset);
    return before.toString().length;
  }

  // The selected words of each segment the selection touches, in order: a quote may run
  // on from one segment into the next ones. Only the segments' words count, never the
  // speaker names, times or links between them.
  function selectedPieces(range) {
    var pieces = [];
    root.querySelectorAll("[data-segment-text]").forEach(function (span) {
      if (!range.intersectsNode(span)) return;
      var text = span.textContent;
      var start = span.contains(range.startContainer) ? offsetIn(span, range.startContainer, range.startOffset) : 0;
      var end = span.contains(range.endContainer) ? offsetIn(span, range.endContainer, range.endOffset) : text.length;
      while (inWord(text, start)) start -= 1;
      while (inWord(text, end)) end += 1;
      var words = text.slice(start, end).replace(/\s+/g, " ").trim();
      if (words) pieces.push({ segment: span.closest("[data-segment]"), words: words });
    });
    return pieces;
  }

  function describe(segment) {
    var who = segment.dataset.speaker || "a speaker not named";
    return "From " + who + (segment.dataset.at ? " at " + segment.dataset.at : "") + ".";
  }

  function hide() {
    button.hidden = true;
    picked = null;
  }

  // Beside the end of the selection, kept inside the page's width (a phone's too).
  function place(range, after) {
    if (after.nextElementSibling !== button) after.insertAdjacentElement("afterend", button);
    button.hidden = false;
    var rects = range.getClientRects();
    var rect = rects.length ? rects[rects.length - 1] : range.getBoundingClientRect();
    var parent = button.offsetParent || document.body;
    var base = parent.getBoundingClientRect();
    var width = button.offsetWidth;
    var left = Math.min(rect.right - base.left - width / 2, document.documentElement.clientWidth - base.left - width - 8);
    button.style.left = Math.max(8 - base.left, left) + "px";
    button.style.top = (rect.bottom - base.top + 6) + "px";
  }

  function onSelection() {
    if (document.activeElement === button) return;  // Tab to the button keeps what was picked
    var selection = window.getSelection();
    if (!selection.rangeCount || selection.isCollapsed) return hide();
    var range = selection.getRangeAt(0);
    if (!root.contains(range.commonAncestorContainer)) return hide();
    var pieces = selectedPieces(range);
    if (!pieces.length) return hide();
    var first = pieces[0].segment;
    picked = {
      segment: first.dataset.segment,
      quote: pieces.map(function (p) { return p.words; }).join(" "),
      from: describe(first)
    };
    place(range, pieces[pieces.length - 1].segment);
  }

  function fill() {
    if (!picked) return;
    segmentInput.value = picked.segment;
    quote.value = picked.quote;
    if (from) from.textContent = picked.from;
    root.querySelectorAll(".segment.chosen").forEach(function (s) { s.classList.remove("chosen"); });
    var segment = document.getElementById("segment-" + picked.segment);
    if (segment) segment.classList.add("chosen");
    form.hidden = false;
    hide();
    quote.focus();
    form.scrollIntoView({ block: "nearest" });
  }

  // A segment's "Highlight" link: the same form, on all of that segment's words, without
  // loading the page again.
  root.addEventListener("click", function (event) {
    var link = event.target.closest(".segment-action");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var segment = link.closest("[data-segment]");
    var words = segment.querySelector("[data-segment-text]").textContent.replace(/\s+/g, " ").trim();
    event.preventDefault();
    picked = { segment: segment.dataset.segment, quote: words, from: describe(segment) };
    fill();
  });

  document.addEventListener("selectionchange", onSelection);
  // A click on the button must not clear the selection before it is read.
  button.addEventListener("mousedown", function (event) { event.preventDefault(); });
  button.addEventListener("click", fill);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !button.hidden) hide();
  });
})();
