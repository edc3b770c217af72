// Every background job's progress bar: an element with data-job-status="<status URL>"
// holds a <progress data-job-bar>, and optionally [data-job-words] and [data-job-percent].
// The URL answers the job kit's status JSON ({percent, words, state, active, finished,
// failed, ...}); the page reloads when the job is no longer active, to show its outcome.
(function () {
  "use strict";
  if (!window.fetch) return;
  // Once the reader follows a link, the finished job must not pull them back by reloading
  // the page they are leaving.
  var leaving = false;
  window.addEventListener("beforeunload", function () { leaving = true; });
  window.addEventListener("pageshow", function () { leaving = false; });
  function follow(box) {
    var bar = box.querySelector("[data-job-bar]");
    var words = box.querySelector("[data-job-words]");
    var percent = box.querySelector("[data-job-percent]");
    function poll() {
      fetch(box.dataset.jobStatus, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (bar) { bar.value = s.percent; bar.textContent = s.percent + "%"; }
          if (percent) { percent.textContent = s.percent; }
          if (words && s.words) { words.textContent = s.words; }
          box.dataset.jobState = s.state;
          if (leaving) return;
          if (s.active) { setTimeout(poll, 1000); } else { window.location.reload(); }
        })
        .catch(function () { setTimeout(poll, 4000); });
    }
    setTimeout(poll, 700);
  }
  document.querySelectorAll("[data-job-status]").forEach(follow);
})();
