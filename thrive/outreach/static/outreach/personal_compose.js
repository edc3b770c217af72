// The one-to-one email composer: the merge-field picker inserts a tag where the cursor
// was, in the subject or the message; the Send button is disabled once pressed so a
// double click sends one form (the server also refuses a second send of the same form).
(function () {
  "use strict";
  function start() {
    var form = document.getElementById("personal-form");
    if (!form) return;
    var last = form.querySelector("textarea[name=body]");
    form.querySelectorAll("[data-merge-target]").forEach(function (el) {
      el.addEventListener("focus", function () { last = el; });
    });
    document.querySelectorAll("[data-merge-tag]").forEach(function (button) {
      button.addEventListener("click", function () {
        var tag = button.getAttribute("data-merge-tag");
        var at = last.selectionStart == null ? last.value.length : last.selectionStart;
        var end = last.selectionEnd == null ? at : last.selectionEnd;
        last.value = last.value.slice(0, at) + tag + last.value.slice(end);
        last.focus();
        last.setSelectionRange(at + tag.length, at + tag.length);
      });
    });
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (button && button.value === "send") {
        if (form.dataset.sent) { event.preventDefault(); return; }
        form.dataset.sent = "1";
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
