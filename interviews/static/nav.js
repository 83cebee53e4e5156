// The header's disclosure menus (<details> in base.html) work without this script. It
// only adds what people expect of a menu: a click elsewhere or Escape closes it (Escape
// gives focus back to its summary). Opening one closes the others through their shared
// name attribute. The CSP allows scripts from 'self' only.
(function () {
  "use strict";

  function openMenus() {
    return document.querySelectorAll(".site-header details[open]");
  }

  document.addEventListener("click", function (event) {
    var menus = openMenus();
    for (var i = 0; i < menus.length; i++) {
      if (!menus[i].contains(event.target)) menus[i].open = false;
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var menus = openMenus();
    if (!menus.length) return;
    // The innermost open menu closes first (a group inside the phone's Menu).
    var inner = menus[menus.length - 1];
    inner.open = false;
    var summary = inner.querySelector("summary");
    if (summary) summary.focus();
  });
})();
