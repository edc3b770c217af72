// The export's progress bar: poll its status until the archive is ready.
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box || !window.fetch) return;
  var bar = document.getElementById("export-bar");
  var step = document.getElementById("export-step");
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        bar.value = s.progress;
        bar.textContent = s.progress + "%";
        step.textContent = s.step;
        if (s.status === "done" || s.status === "failed") {
          window.location.reload();
          return;
        }
        setTimeout(poll, 1500);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
