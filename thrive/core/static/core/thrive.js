// Thrive's own small enhancements. Every page works without them.
(function () {
  "use strict";

  // Instant search: submit the filter form as you type (debounced), keeping focus.
  function instantSearch(form) {
    var input = form.querySelector("input[type=search]");
    var target = document.getElementById(form.dataset.instant);
    if (!input || !target || !window.fetch) return;
    var timer = null;
    var latest = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var params = new URLSearchParams(new FormData(form));
        params.delete("page");
        var url = form.action + "?" + params.toString();
        var mine = ++latest;
        fetch(url, { headers: { "X-Requested-With": "fetch" } })
          .then(function (r) { return r.text(); })
          .then(function (html) {
            if (mine !== latest) return;
            var doc = new DOMParser().parseFromString(html, "text/html");
            var fresh = doc.getElementById(form.dataset.instant);
            if (fresh) target.replaceWith(fresh);
            target = document.getElementById(form.dataset.instant);
            history.replaceState(null, "", url);
          });
      }, 250);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-instant]").forEach(instantSearch);
  });
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el || !el.matches) return;
    if (el.matches("select[data-autosubmit]")) el.form.requestSubmit();
    // "Select all" for bulk actions (delegated: the results table is replaced as you type).
    if (el.matches("input[data-select-all]")) {
      var scope = document.getElementById(el.dataset.selectAll) || document;
      scope.querySelectorAll("input[type=checkbox][name=ids]").forEach(function (c) {
        c.checked = el.checked;
      });
    }
  });

  // Links to copy (the partner portal link): the whole value is selected on focus.
  document.addEventListener("focusin", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("input[data-select-on-focus]")) el.select();
  });
})();
