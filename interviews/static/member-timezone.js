// A member's own time zone, from their browser: fills the hidden "timezone" field of the
// sign-up and invite forms, and shows the banner offering the browser's zone when it
// differs from the saved one. "Dismiss" is remembered in this browser for that zone.
document.addEventListener("DOMContentLoaded", function () {
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    return;
  }
  // Area/City names and UTC are the zones the server offers; "Etc/GMT+5" is not one.
  if (!zone || (zone !== "UTC" && zone.indexOf("/") < 0) || zone.indexOf("Etc/") === 0) return;
  document.querySelectorAll("input[data-browser-timezone]").forEach(function (input) {
    input.value = zone;
  });
  var banner = document.querySelector("[data-timezone-banner]");
  if (!banner || banner.getAttribute("data-saved-timezone") === zone) return;
  var key = "timezone-banner-dismissed:" + zone;
  try {
    if (window.localStorage.getItem(key)) return;
  } catch (e) {
    // No storage (private mode): the banner shows until they choose.
  }
  banner.querySelectorAll("[data-browser-timezone-name]").forEach(function (name) {
    name.textContent = zone.replace(/_/g, " ");
  });
  banner.hidden = false;
  banner.querySelector("[data-dismiss]").addEventListener("click", function () {
    banner.hidden = true;
    try {
      window.localStorage.setItem(key, "1");
    } catch (e) {
      // Not remembered: it is offered again on the next page.
    }
  });
});
