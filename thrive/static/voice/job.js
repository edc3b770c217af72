// Moves the progress bar of a background send while it runs, then reloads the page to
// show the result. Without JavaScript the "Refresh" link does the same.
(function () {
  "use strict";
  var box = document.getElementById("send-job");
  if (!box || !window.fetch) return;
  var bar = document.getElementById("job-bar");
  var words = document.getElementById("job-words");
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        bar.value = job.percent;
        bar.textContent = job.percent + "%";
        if (job.status === "running") {
          words.textContent = job.done.toLocaleString() + " of " + job.total.toLocaleString() +
            " people so far";
        }
        if (job.status === "done" || job.status === "failed") {
          window.location.reload();
        } else {
          setTimeout(poll, 1500);
        }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
