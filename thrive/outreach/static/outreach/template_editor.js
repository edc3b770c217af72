// The email template editor: a small rich-text editor over the HTML part's textarea (which
// stays what the form submits, and stays one "Edit HTML" click away), a merge-field
// picker that inserts a tag where the cursor is, in the subject or the message, and a
// live preview as a person found by search, in the sandboxed frame. The server cleans
// the HTML whatever this editor produces.
(function () {
  "use strict";

  var PREVIEW_DELAY_MS = 600;
  var SEARCH_DELAY_MS = 250;

  function byId(id) { return document.getElementById(id); }

  function start() {
    var form = byId("template-form");
    if (!form) return;
    var textarea = form.querySelector("textarea[name=html_body]");
    var rich = byId("rich-editor");
    var body = byId("rich-body");
    var htmlBox = byId("html-box");
    var toggle = byId("html-toggle");
    var editable = body && body.isContentEditable;
    var savedRange = null;
    var lastTarget = null;

    // ------------------------------------------------------------ the rich-text editor

    function loadEditor() {
      // Parsed in an inert document first: nothing in the HTML runs while it is read.
      var doc = new DOMParser().parseFromString(textarea.value, "text/html");
      body.textContent = "";
      Array.prototype.slice.call(doc.body.childNodes).forEach(function (node) {
        body.appendChild(document.importNode(node, true));
      });
    }

    function syncTextarea() {
      textarea.value = body.innerHTML;
      schedulePreview();
    }

    function htmlMode() { return toggle.getAttribute("aria-pressed") === "true"; }

    function setHtmlMode(on) {
      if (on) { syncTextarea(); } else { loadEditor(); }
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      toggle.textContent = on ? "Back to the editor" : "Edit HTML";
      rich.hidden = on;
      htmlBox.hidden = !on;
      (on ? textarea : body).focus();
    }

    if (textarea && rich && body && window.DOMParser) {
      loadEditor();
      rich.hidden = false;
      htmlBox.hidden = true;
      toggle.hidden = false;
      toggle.addEventListener("click", function () { setHtmlMode(!htmlMode()); });
      body.addEventListener("input", syncTextarea);
      form.addEventListener("submit", function () { if (!htmlMode()) textarea.value = body.innerHTML; });
      try { document.execCommand("defaultParagraphSeparator", false, "p"); } catch (e) { /* older browsers */ }
    }

    function rememberRange() {
      var selection = window.getSelection();
      if (selection.rangeCount && body.contains(selection.anchorNode)) savedRange = selection.getRangeAt(0).cloneRange();
    }

    function restoreRange() {
      body.focus();
      if (!savedRange) return;
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(savedRange);
    }

    if (body) {
      body.addEventListener("keyup", rememberRange);
      body.addEventListener("mouseup", rememberRange);
      body.addEventListener("input", rememberRange);
    }

    var linkRow = byId("link-row");
    var linkUrl = byId("link-url");

    function run(command) {
      if (!editable) return;
      restoreRange();
      if (command === "heading") document.execCommand("formatBlock", false, "h2");
      else if (command === "paragraph") document.execCommand("formatBlock", false, "p");
      else if (command === "link") { linkRow.hidden = false; linkUrl.value = ""; linkUrl.focus(); return; }
      else document.execCommand(command, false, null);
      rememberRange();
      syncTextarea();
    }

    document.querySelectorAll(".rich-toolbar [data-command]").forEach(function (button) {
      // Keep the selection in the message while a toolbar button is pressed.
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () { run(button.dataset.command); });
    });

    function applyLink() {
      var url = linkUrl.value.trim();
      // Web, mail and phone links, or a merge field such as {{ unsubscribe_url }}.
      if (!/^(https?:\/\/|mailto:|tel:|\{\{)/i.test(url)) { linkUrl.setCustomValidity("Start with https:// or mailto:"); linkUrl.reportValidity(); return; }
      linkUrl.setCustomValidity("");
      linkRow.hidden = true;
      restoreRange();
      document.execCommand("createLink", false, url);
      syncTextarea();
    }

    if (linkRow) {
      byId("link-apply").addEventListener("click", applyLink);
      byId("link-cancel").addEventListener("click", function () { linkRow.hidden = true; restoreRange(); });
      linkUrl.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); applyLink(); }
      });
    }

    // ------------------------------------------------------------ the merge-field picker

    document.addEventListener("focusin", function (event) {
      if (event.target.hasAttribute && event.target.hasAttribute("data-merge-target")) lastTarget = event.target;
    });

    function insertInField(field, text) {
      var startAt = field.selectionStart === null ? field.value.length : field.selectionStart;
      var endAt = field.selectionEnd === null ? startAt : field.selectionEnd;
      field.focus();
      field.setRangeText(text, startAt, endAt, "end");
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function insertInBody(text) {
      restoreRange();
      var selection = window.getSelection();
      if (!selection.rangeCount || !body.contains(selection.anchorNode)) {
        var end = document.createRange();
        end.selectNodeContents(body.lastElementChild || body);
        end.collapse(false);
        selection.removeAllRanges();
        selection.addRange(end);
      }
      var range = selection.getRangeAt(0);
      range.deleteContents();
      var node = document.createTextNode(text);
      range.insertNode(node);
      range.setStartAfter(node);
      range.collapse(true);
      selection.removeAllRanges();
      selection.addRange(range);
      rememberRange();
      syncTextarea();
    }

    document.querySelectorAll("[data-merge-tag]").forEach(function (button) {
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () {
        var tag = button.dataset.mergeTag;
        var target = lastTarget;
        if (!target || target.readOnly) target = rich && !rich.hidden ? body : textarea;
        if (target === body) { if (editable) insertInBody(tag); }
        else if (!target.readOnly) insertInField(target, tag);
      });
    });

    // ------------------------------------------------------------ preview as a person

    var draft = byId("draft-preview");
    var frame = byId("template-preview");
    var person = byId("preview-person");
    var people = byId("preview-people");
    var who = byId("preview-who");
    var sendPerson = byId("send-test-person");
    var previewTimer = null;
    var searchTimer = null;
    var found = {};

    function preview() {
      if (!draft || !frame) return;
      if (rich && !rich.hidden) textarea.value = body.innerHTML;
      ["subject", "html_body", "text_body"].forEach(function (name) {
        var field = form.querySelector("[name=" + name + "]");
        draft.querySelector("input[name=" + name + "]").value = field ? field.value : "";
      });
      draft.submit();
    }

    function schedulePreview() {
      clearTimeout(previewTimer);
      previewTimer = setTimeout(preview, PREVIEW_DELAY_MS);
    }

    form.addEventListener("input", schedulePreview);

    function choose() {
      var match = found[person.value];
      if (match) {
        if (sendPerson) sendPerson.value = String(match.id);
        who.textContent = "Showing it as " + match.label + ".";
        preview();
      } else if (!person.value.trim()) {
        if (sendPerson) sendPerson.value = "";
        who.textContent = "Showing it with sample data; search for someone to see it as them.";
        preview();
      }
    }

    function search() {
      var q = person.value.trim();
      if (found[person.value] || q.length < 2 || !window.fetch) return;
      fetch(person.dataset.searchUrl + "?q=" + encodeURIComponent(q), {
        headers: { Accept: "application/json" }, credentials: "same-origin"
      })
        .then(function (response) { return response.ok ? response.json() : { people: [] }; })
        .then(function (data) {
          people.textContent = "";
          (data.people || []).forEach(function (p) {
            found[p.label] = p;
            var option = document.createElement("option");
            option.value = p.label;
            people.appendChild(option);
          });
          if (!(data.people || []).length) who.textContent = "Nobody found for “" + q + "”.";
          choose();
        })
        .catch(function () { who.textContent = "The search did not answer; check your connection."; });
    }

    if (person) {
      person.addEventListener("input", function (event) {
        event.stopPropagation();
        clearTimeout(searchTimer);
        if (found[person.value] || !person.value.trim()) { choose(); return; }
        searchTimer = setTimeout(search, SEARCH_DELAY_MS);
      });
      person.addEventListener("change", choose);
      person.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); choose(); }
      });
    }

    preview();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
