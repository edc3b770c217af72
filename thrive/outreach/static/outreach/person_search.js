// The preview page's "As" box: people found by name or email as you type (at most 20,
// from the signed-in search endpoint), offered in the box's list. The form sends the
// chosen "Name <email>" and the server finds the person; without the script an email
// typed in full works the same way.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.querySelector("input[data-search-url]#person");
    var list = document.getElementById("preview-people");
    if (!input || !list || !window.fetch) return;
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) return;
      timer = setTimeout(function () {
        fetch(input.dataset.searchUrl + "?q=" + encodeURIComponent(q), {
          headers: { Accept: "application/json" }, credentials: "same-origin"
        })
          .then(function (response) { return response.ok ? response.json() : { people: [] }; })
          .then(function (data) {
            list.textContent = "";
            (data.people || []).forEach(function (p) {
              var option = document.createElement("option");
              option.value = p.label;
              list.appendChild(option);
            });
          })
          .catch(function () { /* the box still takes a full email */ });
      }, 250);
    });
  });
})();
