// Live notes: autosave with a copy kept on this device, so no text is lost when the
// network drops, and a visible merge when two people change the same section.
// Without this script the page still works: the form posts and conflicts show there.
(function () {
  "use strict";

  function startTimer() {
    var bar = document.querySelector(".call-bar");
    if (!bar) return;
    var out = bar.querySelector(".call-timer");
    var start = Date.parse(bar.dataset.start);
    var end = Date.parse(bar.dataset.end);
    var planned = Math.round((end - start) / 60000);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    function clock(ms) {
      var s = Math.floor(Math.abs(ms) / 1000);
      var h = Math.floor(s / 3600);
      var m = Math.floor((s % 3600) / 60);
      return (h ? h + ":" + two(m) : m) + ":" + two(s % 60);
    }
    function tick() {
      var now = Date.now();
      if (now < start) out.textContent = "starts in " + clock(start - now);
      else if (now <= end + 30 * 60000) out.textContent = clock(now - start) + " of " + planned + " min" + (now > end ? " (over time)" : "");
      else out.textContent = "ended";
    }
    tick();
    setInterval(tick, 1000);
  }

  function startEditor() {
    var form = document.querySelector("form.notes-editor");
    if (!form || !window.fetch) return;
    var key = "interview-notes:" + form.dataset.interview;
    var status = form.querySelector(".save-status");
    var csrf = form.querySelector("input[name=csrf_token]");
    var areas = Array.prototype.slice.call(form.querySelectorAll("textarea[data-heading]"));
    var revision = parseInt(form.dataset.revision, 10) || 0;
    var base = {};
    var conflicts = {};
    var timer = null;
    var retryIn = 2000;
    var inFlight = false;
    var dirty = false;
    var resolvedAt = null;  // the revision of a clash just settled, until it is saved

    areas.forEach(function (area) { base[area.dataset.heading] = area.defaultValue; });

    function bodies() {
      var out = {};
      areas.forEach(function (area) { out[area.dataset.heading] = area.value; });
      return out;
    }
    function say(text) { status.textContent = text; }
    function keepLocally() {
      try {
        localStorage.setItem(key, JSON.stringify({ revision: revision, base: base, bodies: bodies(), at: Date.now() }));
      } catch (e) { /* storage full or off: the server copy is all we have */ }
    }
    function forget() { try { localStorage.removeItem(key); } catch (e) { /* ignore */ } }
    function areaFor(heading) {
      for (var i = 0; i < areas.length; i++) if (areas[i].dataset.heading === heading) return areas[i];
      return null;
    }
    function sections(map) {
      return Object.keys(map).map(function (h) { return { heading: h, body: map[h] }; });
    }

    function schedule(delay) {
      clearTimeout(timer);
      timer = setTimeout(save, delay);
    }

    // 24-hour, like every other time in the app (the browser's locale may say "AM").
    function clockTime(date) {
      function two(n) { return (n < 10 ? "0" : "") + n; }
      return two(date.getHours()) + ":" + two(date.getMinutes());
    }

    function pendingNames() {
      return Object.keys(conflicts).map(function (h) { return "“" + h + "”"; }).join(", ");
    }

    // Sections waiting for a choice after a clash are left out of each save, so the
    // person's other sections keep saving meanwhile (a left-out section is not changed).
    function save() {
      if (inFlight || !dirty) return;
      inFlight = true;
      var sent = {};
      var all = bodies();
      Object.keys(all).forEach(function (h) { if (!conflicts[h]) sent[h] = all[h]; });
      // A choice just made is merged against the version the clash showed: sending the
      // revision of that clash makes the server merge by section, so a teammate's newer
      // change to the same section comes back as a new clash instead of being overwritten.
      var sendRevision = resolvedAt === null ? revision : Math.min(revision, resolvedAt);
      var resolving = resolvedAt;
      say("Saving…");
      fetch(form.dataset.saveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
        body: JSON.stringify({ revision: sendRevision, base: sections(base), sections: sections(sent) })
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) { return { status: response.status, data: data }; });
      }).then(function (result) {
        inFlight = false;
        if (result.status === 200) {
          retryIn = 2000;
          revision = result.data.revision;
          if (resolvedAt === resolving) resolvedAt = null;
          result.data.sections.forEach(function (s) {
            if (conflicts[s.heading]) return;  // keeps the version its clash showed
            base[s.heading] = s.body;
            var area = areaFor(s.heading);
            // Someone else's change to a section you had not touched: show it.
            if (area && area.value === sent[s.heading] && s.body !== sent[s.heading]) area.value = s.body;
          });
          var still = areas.some(function (a) { var h = a.dataset.heading; return !conflicts[h] && a.value !== sent[h]; });
          dirty = still;
          if (still || Object.keys(conflicts).length) keepLocally(); else forget();
          if (still) schedule(1500);
          var done = (result.data.merged ? "Saved, merged with a teammate's changes" : "Saved") + " at " + clockTime(new Date()) + ".";
          say(Object.keys(conflicts).length ? done + " Choose a version for " + pendingNames() + " below; your other sections keep saving." : done);
        } else if (result.status === 409 && result.data.current) {
          showConflicts(result.data, sent);
        } else if (result.status >= 400 && result.status < 500) {
          say((result.data.error && result.data.error.message) || "The notes could not be saved (" + result.status + "). Your text is kept on this device.");
        } else {
          offline();
        }
      }, function () { inFlight = false; offline(); });
    }

    function offline() {
      say("Offline or the server is not answering: your notes are kept on this device and will be saved when it is back.");
      keepLocally();
      schedule(retryIn);
      retryIn = Math.min(retryIn * 2, 30000);
    }

    // Nothing was written: the clashing sections wait for a choice and the rest is sent
    // again at once (same revision and base, so the server merges it section by section).
    function showConflicts(data, sent) {
      var theirs = {};
      data.current.sections.forEach(function (s) { theirs[s.heading] = s.body; });
      var combined = data.combined || {};
      data.conflicts.forEach(function (h) {
        var area = areaFor(h);
        if (!area || conflicts[h]) return;
        conflicts[h] = true;
        base[h] = theirs[h];
        var clashRevision = data.current.revision;
        var mine = area.value;  // may hold words typed while the save was on its way
        var merged = mine === sent[h] ? combined[h] : undefined;
        var box = document.createElement("div");
        box.className = "conflict";
        box.id = area.id + "-conflict";
        box.setAttribute("role", "alert");
        var title = document.createElement("p");
        title.innerHTML = "<strong>Someone else changed this section while you were writing.</strong> Their version:";
        var pre = document.createElement("pre");
        pre.className = "saved-text";
        pre.textContent = theirs[h];
        var help = document.createElement("p");
        help.className = "help";
        help.textContent = "“Keep both” merges the two line by line: only lines you both changed differently are shown twice, yours after “<<< yours”, theirs after “=== theirs”, up to “>>>”.";
        var row = document.createElement("p");
        row.className = "button-row";
        // While the choice is open the section is read-only, so the choice is made on
        // the text the clash was about and nothing typed meanwhile is dropped.
        area.readOnly = true;
        area.setAttribute("aria-describedby", box.id);
        [["Keep mine", function () { area.value = mine; }],
         ["Use theirs", function () { area.value = theirs[h]; }],
         ["Keep both", function () { area.value = merged !== undefined ? merged : theirs[h] + "\n\n" + mine; }]].forEach(function (choice) {
          var button = document.createElement("button");
          button.type = "button";
          button.className = "button secondary";
          button.textContent = choice[0];
          button.addEventListener("click", function () {
            choice[1]();
            delete conflicts[h];
            area.readOnly = false;
            area.removeAttribute("aria-describedby");
            box.remove();
            resolvedAt = resolvedAt === null ? clashRevision : Math.min(resolvedAt, clashRevision);
            dirty = true;
            keepLocally();
            area.focus();
            schedule(0);
          });
          row.appendChild(button);
        });
        box.appendChild(title);
        box.appendChild(pre);
        box.appendChild(help);
        box.appendChild(row);
        area.parentNode.insertBefore(box, area);
      });
      keepLocally();
      say("Someone else changed " + pendingNames() + ": choose a version below. Nothing is lost; your other sections keep saving.");
      dirty = true;
      schedule(0);
    }

    // A copy left on this device by an earlier visit that never reached the server.
    try {
      var kept = JSON.parse(localStorage.getItem(key) || "null");
      if (kept && kept.bodies) {
        var differs = areas.some(function (a) { return kept.bodies[a.dataset.heading] !== undefined && kept.bodies[a.dataset.heading] !== a.value; });
        if (differs) {
          areas.forEach(function (a) { if (kept.bodies[a.dataset.heading] !== undefined) a.value = kept.bodies[a.dataset.heading]; });
          if (kept.base) base = kept.base;
          revision = kept.revision;
          dirty = true;
          say("Restored notes kept on this device that had not been saved; saving them now…");
          schedule(500);
        } else {
          forget();
        }
      }
    } catch (e) { /* a broken copy: ignore it */ }

    areas.forEach(function (area) {
      area.addEventListener("input", function () {
        dirty = true;
        keepLocally();
        say("Editing…");
        schedule(1200);
      });
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      dirty = true;
      schedule(0);
    });
    window.addEventListener("online", function () { if (dirty) schedule(0); });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { keepLocally(); event.preventDefault(); event.returnValue = ""; }
    });
  }

  startTimer();
  startEditor();
})();
