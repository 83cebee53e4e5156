// Import progress: asks the server how far the import is and updates the bar in place.
// Without this script the page refreshes itself every 2 seconds (a <noscript> refresh).
(function () {
  "use strict";

  var box = document.querySelector(".import-progress[data-progress-url]");
  if (!box || !window.fetch) return;
  var bar = box.querySelector("progress");
  var delay = 1000;

  function show(name, value) {
    var out = box.querySelector('[data-field="' + name + '"]');
    if (out) out.textContent = typeof value === "number" ? value.toLocaleString("en-US") : value;
  }

  function poll() {
    fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (state) {
        delay = 1000;
        bar.max = state.total_rows || 1;
        bar.value = state.processed_rows;
        bar.textContent = Math.floor((100 * state.processed_rows) / (state.total_rows || 1)) + "%";
        show("processed", state.processed_rows);
        show("total", state.total_rows);
        show("created", state.created);
        show("merged", state.merged);
        show("errors", state.errors);
        if (state.status === "done" || state.status === "failed") {
          window.location.reload(); // the result page: counts and the skipped rows
          return;
        }
        show("status", state.status === "queued" && !state.processed_rows ? "Waiting for a worker to start…" : "Importing…");
        setTimeout(poll, delay);
      })
      .catch(function () {
        // Offline or the server restarted: try again, less often, and keep what is shown.
        delay = Math.min(delay * 2, 30000);
        setTimeout(poll, delay);
      });
  }

  setTimeout(poll, delay);
})();
