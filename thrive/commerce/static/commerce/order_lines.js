// Adds and removes line rows on the new-order form (a Django formset). A new row is the
// formset's empty form with __prefix__ replaced by the next index; TOTAL_FORMS follows.
// A removed row leaves a gap in the indexes, which the formset reads as an empty line
// and ignores. Totals are computed on the server when the order is saved.
(function () {
  "use strict";
  var form = document.getElementById("order-form");
  var template = document.getElementById("order-line-template");
  var add = document.getElementById("add-line");
  var list = document.getElementById("order-lines");
  if (!form || !template || !add || !list) return;
  var total = form.querySelector('input[name="lines-TOTAL_FORMS"]');

  add.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    row.querySelector("legend").textContent = "Line " + (index + 1);
    list.appendChild(row);
    total.value = String(index + 1);
    var first = row.querySelector("select, input");
    if (first) first.focus();
  });

  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove-line]");
    if (!button) return;
    var row = button.closest("[data-line]");
    if (row && list.querySelectorAll("[data-line]").length > 1) {
      row.remove();
    } else if (row) {
      row.querySelectorAll("input, select").forEach(function (field) {
        field.value = field.name.endsWith("quantity") ? "1" : "";
      });
    }
  });
})();
