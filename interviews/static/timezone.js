// On a first visit, show times in the browser's own time zone. Without JavaScript the
// page still works: the zone picker is an ordinary form.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-timezone-form]");
  if (!form || new URLSearchParams(window.location.search).has("tz")) return;
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var select = form.querySelector("select[name=tz]");
  if (!zone || !select || select.value === zone) return;
  for (var i = 0; i < select.options.length; i++) {
    if (select.options[i].value === zone) {
      select.value = zone;
      form.submit();
      return;
    }
  }
});
