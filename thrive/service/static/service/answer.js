// One click in the satisfaction email opens this page; submitting here (not on the GET)
// keeps mail scanners, which fetch links but do not run scripts, from answering.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var form = document.querySelector("form[data-autosubmit]");
  if (form) { form.submit(); }
});
