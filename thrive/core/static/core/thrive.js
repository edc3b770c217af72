// Thrive's own small enhancements. Every page works without them.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

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
            // Parts outside the results that describe them (the count) follow too.
            (form.dataset.instantAlso || "").split(/\s+/).forEach(function (id) {
              var old = id && document.getElementById(id);
              var now = id && doc.getElementById(id);
              if (old && now) old.replaceWith(now);
            });
            history.replaceState(null, "", url);
          });
      }, 250);
    });
  }

  // On a phone the filters of a list fold behind a "Filters" button (CSS shows the button
  // and hides the folded fields only on narrow screens); the search box stays open.
  function foldFilters(form, n) {
    var fields = Array.prototype.filter.call(form.children, function (el) {
      return el.tagName === "DIV";
    });
    if (fields.length < 3) return;
    var active = 0;
    fields.forEach(function (div) {
      if (div.querySelector("input[type=search]")) { div.classList.add("filter-keep"); return; }
      div.querySelectorAll("input:not([type=hidden]):not([type=submit]), select").forEach(function (el) {
        if (el.name !== "sort" && el.value) active++;
      });
    });
    if (!form.id) form.id = "filters-" + n;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary filters-toggle";
    button.setAttribute("aria-controls", form.id);
    button.setAttribute("aria-expanded", "false");
    button.textContent = active ? "Filters (" + active + ")" : "Filters";
    button.addEventListener("click", function () {
      var open = form.classList.toggle("folded") === false;
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    form.classList.add("folded");
    form.parentNode.insertBefore(button, form);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-instant]").forEach(instantSearch);
    document.querySelectorAll("main form.filters").forEach(foldFilters);
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
