// Import progress: poll the job's status and move the bar; reload when it is finished.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || !window.fetch) return;
  var bar = document.getElementById("import-bar");
  var step = document.getElementById("import-step");
  var percent = document.getElementById("import-percent");
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        bar.value = s.progress;
        bar.textContent = s.progress + "%";
        percent.textContent = s.progress;
        step.textContent = s.rows_read.toLocaleString() + " rows read";
        if (s.active) { setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 700);
})();
