// The segment list's counts. The page shows at once with a "See people" link in each
// row; this asks the server for each segment's count on its own (a segment whose rules
// read a lot of history never holds up the others) and puts the number in the link,
// which opens exactly the people it counts. Without this script the links still work.
(function () {
  "use strict";

  function fill(link) {
    var name = link.getAttribute("data-segment-name");
    link.textContent = "Counting…";
    link.classList.add("muted");
    fetch(link.getAttribute("data-segment-count"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.error || "Could not count");
          return body;
        });
      })
      .then(function (body) {
        link.textContent = body.text;
        link.setAttribute("aria-label", body.text + " people in " + name);
      })
      .catch(function () {
        link.textContent = "See people";
      })
      .then(function () {
        link.classList.remove("muted");
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-segment-count]").forEach(fill);
  });
})();
