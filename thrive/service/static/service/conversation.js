// The conversation page: marks the reply box as being drafted (so colleagues see it),
// inserts canned replies, and shows help-centre suggestions when that app answers.
(function () {
  "use strict";
  var form = document.querySelector("form.reply-form");
  if (form) {
    var box = form.querySelector("textarea");
    var marked = false;
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
    var mark = function () {
      if (marked) { return; }
      marked = true;
      var body = new FormData();
      body.append("csrfmiddlewaretoken", csrf ? csrf.value : "");
      fetch(form.dataset.draftingUrl, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          var live = document.getElementById("drafting-live");
          if (data && data.warning && live) { live.textContent = data.warning; }
        })
        .catch(function () { /* the mark is a courtesy; sending still checks */ });
    };
    if (box) { box.addEventListener("focus", mark); }
    document.querySelectorAll(".canned-insert").forEach(function (button) {
      button.addEventListener("click", function () {
        if (!box) { return; }
        box.value = box.value ? box.value + "\n\n" + button.dataset.text : button.dataset.text;
        box.focus();
      });
    });
  }
  var panel = document.getElementById("article-suggestions");
  if (panel && panel.dataset.q) {
    var url = panel.dataset.suggestUrl + "?q=" + encodeURIComponent(panel.dataset.q);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        var items = data && (Array.isArray(data) ? data : (data.results || data.articles));
        if (!items || !items.length) { return; }
        var list = panel.querySelector("ul");
        items.slice(0, 5).forEach(function (item) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = item.url;
          a.textContent = item.title;
          li.appendChild(a);
          list.appendChild(li);
        });
        panel.hidden = false;
      })
      .catch(function () { /* no help centre: nothing to suggest */ });
  }
})();
