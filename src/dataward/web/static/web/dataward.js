// dataward's only script besides htmx: "select all" boxes for bulk actions. No inline scripts (CSP).
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("input[data-select-all]")) return;
  var form = box.closest("form") || document;
  form.querySelectorAll("input[type=checkbox][name='" + box.dataset.selectAll + "']").forEach(function (item) {
    item.checked = box.checked;
  });
});
