// The step builder: choosing another trigger or kind of step shows its settings at once
// (the page is redrawn by the server, as the "Update" button does without JavaScript).
document.addEventListener("change", function (event) {
  var select = event.target;
  if (!select.matches || !select.matches("select[data-step-kind], select[data-redraw]")) return;
  var update = document.getElementById("update-steps");
  if (update) update.click();
});
