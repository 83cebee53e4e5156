// The library's "Select all on this page": the server already applies the action to
// every takeaway on the page when it is ticked; this only ticks the boxes to match, so
// what the page shows is what will happen. Without scripts the form works the same.
(function () {
  var all = document.querySelector('#bulk-actions input[name="all_on_page"]');
  if (!all) return;
  var boxes = document.querySelectorAll('input.pick[form="bulk-actions"]');
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
  });
  boxes.forEach(function (box) {
    box.addEventListener("change", function () {
      if (!box.checked) all.checked = false;
    });
  });
})();
