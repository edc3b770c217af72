/* Show times in the visitor's own zone: if the page was opened without ?tz=, reload it
   once with the browser's zone (the server ignores a zone it does not know). Without
   scripts the zone select on the page does the same job. */
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  if (params.has("tz")) { return; }
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
  if (!zone) { return; }
  params.set("tz", zone);
  window.location.replace(window.location.pathname + "?" + params.toString());
})();
