// The top bar: section menus, the phone menu button and the command palette.
// Without JavaScript the sections still open (details/summary) and the nav is shown expanded.
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  // ---- Section menus: one open at a time; a click elsewhere or Escape closes them.
  function sectionMenus(nav) {
    var menus = Array.prototype.slice.call(nav.querySelectorAll("details"));
    function closeAll(except) {
      menus.forEach(function (d) { if (d !== except) d.open = false; });
    }
    menus.forEach(function (d) {
      d.addEventListener("toggle", function () {
        if (d.open && !isPhone()) closeAll(d);
      });
      // Tabbing past a menu closes it, so two are never open at once.
      d.addEventListener("focusout", function (event) {
        if (!isPhone() && event.relatedTarget && !d.contains(event.relatedTarget)) d.open = false;
      });
    });
    document.addEventListener("click", function (event) {
      if (!isPhone() && !nav.contains(event.target)) closeAll(null);
    });
    nav.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      var open = nav.querySelector("details[open]");
      if (open) {
        open.open = false;
        open.querySelector("summary").focus();
        event.stopPropagation();
      }
    });
    return closeAll;
  }

  function isPhone() {
    return window.matchMedia("(max-width: 45rem)").matches;
  }

  // ---- The phone menu button.
  function phoneMenu(bar, nav, closeAll) {
    var button = bar.querySelector(".menu-toggle");
    if (!button) return;
    button.hidden = false;
    function set(open) {
      bar.classList.toggle("menu-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.querySelector(".menu-label").textContent = open ? "Close" : "Menu";
      if (open) {
        closeAll(null);
        var here = nav.querySelector("details[data-current]");
        if (here) here.open = true;
      }
    }
    button.addEventListener("click", function () {
      set(!bar.classList.contains("menu-open"));
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && bar.classList.contains("menu-open")) {
        set(false);
        button.focus();
      }
    });
    window.matchMedia("(max-width: 45rem)").addEventListener("change", function () { set(false); });
  }

  // ---- The command palette.
  function palette(dialog) {
    var input = dialog.querySelector("input[type=search]");
    var list = dialog.querySelector(".palette-results");
    var status = dialog.querySelector("#palette-status");
    var help = status.textContent;
    var url = dialog.dataset.url;
    var timer = null;
    var latest = 0;
    var active = -1;

    function items() { return list.querySelectorAll("[role=option]"); }

    function select(index) {
      var all = items();
      if (!all.length) { active = -1; input.removeAttribute("aria-activedescendant"); return; }
      active = (index + all.length) % all.length;
      all.forEach(function (li, i) { li.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }

    function render(results, q) {
      list.textContent = "";
      results.forEach(function (hit, i) {
        var li = document.createElement("li");
        li.id = "palette-hit-" + i;
        li.setAttribute("role", "option");
        var a = document.createElement("a");
        a.href = hit.url;
        a.tabIndex = -1;
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = hit.kind;
        var label = document.createElement("span");
        label.className = "label";
        label.textContent = hit.label;
        a.appendChild(kind);
        a.appendChild(label);
        if (hit.detail) {
          var detail = document.createElement("span");
          detail.className = "detail";
          detail.textContent = hit.detail;
          a.appendChild(detail);
        }
        li.appendChild(a);
        li.addEventListener("mousemove", function () { if (active !== i) select(i); });
        list.appendChild(li);
      });
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      status.textContent = q
        ? (results.length ? results.length + " found. ↑ ↓ to move, Enter to open, Esc to close." : "Nothing found for “" + q + "”.")
        : help;
      select(0);
    }

    // One request at a time: typing while one is out asks again once it is back, with
    // whatever the box says then (fast typists send a few requests, never a pile).
    var inFlight = false, again = false;
    function search() {
      var q = input.value.trim();
      var mine = ++latest;
      if (!q) { render([], ""); return; }
      if (inFlight) { again = true; return; }
      inFlight = true;
      fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) { if (mine === latest) render(data.results || [], q); })
        .catch(function () { if (mine === latest) status.textContent = "Search is not available right now."; })
        .then(function () {
          inFlight = false;
          if (again) { again = false; search(); }
        });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 120);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); select(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); select(active - 1); }
      else if (event.key === "Enter") {
        var all = items();
        // Enter before the results arrive waits for them rather than searching People.
        event.preventDefault();
        if (active >= 0 && all[active]) window.location.assign(all[active].querySelector("a").href);
        else if (input.value.trim()) { clearTimeout(timer); search(); }
      }
    });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close();  // a click on the backdrop
    });
    dialog.addEventListener("close", function () {
      clearTimeout(timer);
      latest++;
    });

    function open() {
      if (dialog.open) return;
      input.value = "";
      render([], "");
      dialog.showModal();
      input.focus();
    }
    var mac = /Mac|iPhone|iPad/.test(navigator.platform || "");
    document.querySelectorAll("[data-palette-open]").forEach(function (b) {
      b.addEventListener("click", open);
      var hint = b.querySelector(".kbd");
      if (hint && mac) hint.textContent = "⌘K";
    });
    document.addEventListener("keydown", function (event) {
      var key = event.key;
      if ((event.ctrlKey || event.metaKey) && !event.altKey && (key === "k" || key === "K")) {
        event.preventDefault();
        if (dialog.open) dialog.close(); else open();
        return;
      }
      if (key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event.target)) {
        event.preventDefault();
        open();
      }
    });
  }

  function typing(el) {
    if (!el || !el.tagName) return false;
    var tag = el.tagName;
    if (el.isContentEditable || tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    return !/^(checkbox|radio|button|submit|reset|range|color|file)$/.test(el.type);
  }

  onReady(function () {
    var bar = document.querySelector(".topbar");
    var nav = bar && bar.querySelector(".mainnav");
    if (nav) phoneMenu(bar, nav, sectionMenus(nav));
    var dialog = document.getElementById("palette");
    if (dialog && dialog.showModal && window.fetch) palette(dialog);
  });
})();
