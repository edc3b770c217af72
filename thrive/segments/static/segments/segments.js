// The segment rule builder. It builds rows of labelled controls from the rules JSON held
// in a form field (a textarea on the segment page, a hidden input elsewhere), writes every
// change back to that field (which is what the form submits), and previews the count of
// matching people as you edit. Any element with ``data-rule-builder`` is mounted:
//   data-source        id of the field holding the rules JSON (required)
//   data-preview-url   the count endpoint (optional; no count without it)
//   data-status        id of the element showing the count (optional)
//   data-words         id of the element showing the rules in plain words (optional)
//   data-json-box      id of a <details> holding the JSON textarea (segment page)
//   data-empty-blank   write "" instead of an empty group, e.g. for an optional goal
//   data-id-prefix     prefix of the controls' ids, unique on the page
//   data-legend        the outer group's legend (default "People who match")
// The fields, operators and options come from the ``segment-registry`` JSON script.
// Without this script the segment page's textarea does the same job.
(function () {
  "use strict";

  var DEBOUNCE_MS = 300;

  // ------------------------------------------------------------------ small helpers

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else if (name in node && typeof value !== "string") node[name] = value;
      else node.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }


  function position(path) {
    return path.map(function (i) { return i + 1; }).join(".");
  }

  function today() {
    var d = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  function isGroup(entry) {
    return entry && typeof entry === "object" && !Array.isArray(entry) &&
      ("rules" in entry || "match" in entry);
  }

  function mount(builder, registry) {
  var fields = {};
  registry.fields.forEach(function (f) { fields[f.name] = f; });
  var source = document.getElementById(builder.dataset.source);
  if (!source) return;
  var byId = function (name) { return name ? document.getElementById(name) : null; };
  var jsonBox = byId(builder.dataset.jsonBox);
  var statusBox = byId(builder.dataset.status);
  var wordsBox = byId(builder.dataset.words);
  var previewUrl = builder.dataset.previewUrl || "";
  var blankWhenEmpty = builder.hasAttribute("data-empty-blank");
  var prefix = builder.dataset.idPrefix || "seg";
  var state = null;
  var timer = null;
  var latest = 0;

  function idFor(path, part) {
    return prefix + "-" + (path.length ? path.join("-") : "root") + "-" + part;
  }

  function customField(key) {
    return registry.custom_fields.filter(function (c) { return c.key === key; })[0] || null;
  }

  // The operators a rule may use: a custom field's depend on the field's type.
  function operatorsFor(rule) {
    var field = fields[rule.field];
    if (!field) return [];
    if (field.param !== "key") return field.ops;
    var definition = customField(rule.key);
    if (!definition) return [];
    var allowed = registry.custom_field_ops[definition.type] || [];
    return field.ops.filter(function (op) { return allowed.indexOf(op.name) !== -1; });
  }

  function optionsFor(rule) {
    var field = fields[rule.field];
    if (!field) return [];
    if (field.param === "key") {
      var definition = customField(rule.key);
      return definition ? definition.choices.map(function (c) { return [c, c]; }) : [];
    }
    return field.options ? registry.options[field.options] || [] : [];
  }

  function currentOp(rule) {
    return operatorsFor(rule).filter(function (op) { return op.name === rule.op; })[0] || null;
  }

  function defaultValue(kind, options) {
    switch (kind) {
      case "text": return "";
      case "choice": return options.length ? options[0][0] : "";
      case "choices": case "codes": return [];
      case "number": case "count": return 0;
      case "probability": return 0.5;
      case "score": return 3;
      case "date": return today();
      case "date_range": return [today(), today()];
      case "days": return 30;
      default: return undefined;
    }
  }

  // Keep the value when the new operator takes the same kind of value.
  function setOp(rule, opName) {
    var before = currentOp(rule);
    rule.op = opName;
    var after = currentOp(rule);
    if (!after || after.value === "none") { delete rule.value; return; }
    if (!before || before.value !== after.value || rule.value === undefined) {
      rule.value = defaultValue(after.value, optionsFor(rule));
    }
  }

  function newRule() {
    var rule = { field: "stage" };
    setOp(rule, operatorsFor(rule)[0].name);
    return rule;
  }

  function setField(rule, name) {
    Object.keys(rule).forEach(function (k) { delete rule[k]; });
    rule.field = name;
    var field = fields[name];
    if (field && field.param === "key") rule.key = registry.custom_fields.length ? registry.custom_fields[0].key : "";
    if (field && field.param === "kind") rule.kind = "any";
    var ops = operatorsFor(rule);
    if (ops.length) setOp(rule, ops[0].name);
  }

  // ---------------------------------------------------------------------- rendering

  function labelled(id, text, control, extraClass) {
    return el("div", { "class": "rule-control" + (extraClass ? " " + extraClass : "") }, [
      el("label", { "for": id, text: text }), control
    ]);
  }

  function select(id, options, value, onChange, groups) {
    var node = el("select", { id: id });
    var known = false;
    if (groups) {
      Object.keys(groups).forEach(function (group) {
        var optgroup = el("optgroup", { label: group });
        groups[group].forEach(function (pair) {
          optgroup.appendChild(el("option", { value: pair[0], text: pair[1] }));
          if (pair[0] === value) known = true;
        });
        node.appendChild(optgroup);
      });
    } else {
      options.forEach(function (pair) {
        node.appendChild(el("option", { value: pair[0], text: pair[1] }));
        if (pair[0] === value) known = true;
      });
    }
    if (!known && value !== undefined && value !== null) {
      // Shown as it is, so a rule written by hand is not silently changed.
      node.insertBefore(el("option", { value: String(value), text: String(value) + " (unknown)" }), node.firstChild);
    }
    node.value = value === undefined || value === null ? "" : String(value);
    node.addEventListener("change", function () { onChange(node.value); });
    return node;
  }

  function numberInput(id, rule, kind) {
    var limits = {
      count: { min: 0, step: 1 }, score: { min: 1, max: 5, step: 1 },
      probability: { min: 0, max: 1, step: 0.05 }, days: { min: 1, step: 1 },
      number: { step: "any" }
    }[kind] || { step: "any" };
    var input = el("input", {
      type: "number", id: id, inputmode: "decimal", min: limits.min, max: limits.max,
      step: limits.step, value: rule.value === undefined || rule.value === null ? "" : String(rule.value)
    });
    input.addEventListener("input", function () {
      var n = input.value === "" ? null : Number(input.value);
      rule.value = n === null || isNaN(n) ? null : n;
      changed(false);
    });
    return input;
  }

  function valueControl(rule, path, op) {
    var id = idFor(path, "value");
    var options = optionsFor(rule);
    switch (op.value) {
      case "none":
        return null;
      case "text": {
        var text = el("input", { type: "text", id: id, value: rule.value || "", maxlength: "200" });
        text.addEventListener("input", function () { rule.value = text.value; changed(false); });
        return labelled(id, "Value", text, "rule-value");
      }
      case "codes": {
        var codes = el("input", {
          type: "text", id: id, value: (rule.value || []).join(", "), placeholder: "US, GB",
          autocomplete: "off", "aria-describedby": id + "-hint"
        });
        codes.addEventListener("input", function () {
          rule.value = codes.value.split(",").map(function (c) { return c.trim().toUpperCase(); })
            .filter(function (c) { return c; });
          changed(false);
        });
        var wrap = labelled(id, "Country codes", codes, "rule-value");
        wrap.appendChild(el("span", { id: id + "-hint", "class": "small muted", text: "Two letters each, separated by commas." }));
        return wrap;
      }
      case "choice":
        return labelled(id, "Value", select(id, options, rule.value, function (v) {
          rule.value = v; changed(false);
        }), "rule-value");
      case "choices": {
        var chosen = Array.isArray(rule.value) ? rule.value : [];
        var box = el("fieldset", { "class": "rule-value rule-choices" }, [el("legend", { text: "Values" })]);
        if (!options.length) box.appendChild(el("p", { "class": "small muted", text: "Nothing to choose from yet." }));
        options.forEach(function (pair, i) {
          var cid = id + "-" + i;
          var check = el("input", { type: "checkbox", id: cid, value: pair[0], checked: chosen.indexOf(pair[0]) !== -1 });
          check.addEventListener("change", function () {
            var values = Array.isArray(rule.value) ? rule.value.slice() : [];
            var at = values.indexOf(pair[0]);
            if (check.checked && at === -1) values.push(pair[0]);
            if (!check.checked && at !== -1) values.splice(at, 1);
            rule.value = values;
            changed(false);
          });
          box.appendChild(el("span", { "class": "rule-choice" }, [check, el("label", { "for": cid, text: pair[1] })]));
        });
        return box;
      }
      case "date": {
        var date = el("input", { type: "date", id: id, value: rule.value || "" });
        date.addEventListener("input", function () { rule.value = date.value; changed(false); });
        return labelled(id, "Date", date, "rule-value");
      }
      case "date_range": {
        var range = Array.isArray(rule.value) ? rule.value : ["", ""];
        var from = el("input", { type: "date", id: id + "-from", value: range[0] || "" });
        var to = el("input", { type: "date", id: id + "-to", value: range[1] || "" });
        var update = function () { rule.value = [from.value, to.value]; changed(false); };
        from.addEventListener("input", update);
        to.addEventListener("input", update);
        return el("div", { "class": "rule-value rule-range" }, [
          labelled(id + "-from", "From", from), labelled(id + "-to", "To (included)", to)
        ]);
      }
      case "days": {
        var days = labelled(id, "Days", numberInput(id, rule, "days"), "rule-value");
        days.appendChild(el("span", { "class": "muted", text: op.name === "more_than_days_ago" ? " days ago" : " days" }));
        return days;
      }
      default:
        return labelled(id, "Value", numberInput(id, rule, op.value), "rule-value");
    }
  }

  function renderRule(rule, path, parent, index) {
    var item = el("li", { "class": "rule-row" });
    var groups = {};
    Object.keys(fields).forEach(function (name) {
      var field = fields[name];
      // Offer custom fields only when some are defined (or the rule already uses one).
      if (field.param === "key" && !registry.custom_fields.length && rule.field !== name) return;
      (groups[field.group] = groups[field.group] || []).push([name, field.label]);
    });
    item.appendChild(labelled(idFor(path, "field"), "Field", select(idFor(path, "field"), null, rule.field, function (v) {
      setField(rule, v); changed(true);
    }, groups)));

    var field = fields[rule.field];
    if (field && field.param === "key") {
      var keys = registry.custom_fields.map(function (c) { return [c.key, c.label]; });
      item.appendChild(labelled(idFor(path, "key"), "Custom field", select(idFor(path, "key"), keys, rule.key, function (v) {
        var before = customField(rule.key);
        rule.key = v;
        var after = customField(v);
        if (!before || !after || before.type !== after.type) {
          var ops = operatorsFor(rule);
          delete rule.value;
          if (ops.length) setOp(rule, ops[0].name);
        }
        changed(true);
      })));
    }
    if (field && field.param === "kind") {
      item.appendChild(labelled(idFor(path, "kind"), "Kind", select(idFor(path, "kind"), registry.options.activity, rule.kind, function (v) {
        rule.kind = v; changed(false);
      })));
    }
    var ops = operatorsFor(rule).map(function (op) { return [op.name, op.label]; });
    item.appendChild(labelled(idFor(path, "op"), "Condition", select(idFor(path, "op"), ops, rule.op, function (v) {
      setOp(rule, v); changed(true);
    })));
    var op = currentOp(rule);
    if (op) {
      var control = valueControl(rule, path, op);
      if (control) item.appendChild(control);
    }
    var remove = el("button", {
      type: "button", "class": "secondary rule-remove", text: "Remove",
      "aria-label": "Remove rule " + position(path)
    });
    remove.addEventListener("click", function () {
      parent.rules.splice(index, 1);
      changed(true, idFor(path.slice(0, -1), "add-rule"));
    });
    item.appendChild(remove);
    return item;
  }

  function renderGroup(group, path, depth, parent, index) {
    var legendText = depth === 1 ? (builder.dataset.legend || "People who match") : "Group " + position(path);
    var box = el("fieldset", { "class": "rule-group depth-" + depth }, [el("legend", { text: legendText })]);
    var matchOptions = [["all", "all of these rules"], ["any", "any of these rules"]];
    box.appendChild(labelled(idFor(path, "match"), "Match", select(idFor(path, "match"), matchOptions, group.match || "all", function (v) {
      group.match = v; changed(false);
    }), "rule-match"));
    var list = el("ol", { "class": "rule-list" });
    (group.rules || []).forEach(function (entry, i) {
      var childPath = path.concat([i]);
      if (isGroup(entry)) {
        list.appendChild(el("li", { "class": "rule-subgroup" }, [renderGroup(entry, childPath, depth + 1, group, i)]));
      } else {
        list.appendChild(renderRule(entry, childPath, group, i));
      }
    });
    if (!(group.rules || []).length) {
      list.appendChild(el("li", { "class": "muted rule-empty", text: depth === 1 ? "No rules yet: everyone matches." : "Empty group: add a rule or remove it." }));
    }
    box.appendChild(list);

    var actions = el("div", { "class": "rule-actions" });
    var addRule = el("button", { type: "button", id: idFor(path, "add-rule"), "class": "secondary", text: "Add rule" });
    addRule.addEventListener("click", function () {
      group.rules = group.rules || [];
      group.rules.push(newRule());
      changed(true, idFor(path.concat([group.rules.length - 1]), "field"));
    });
    actions.appendChild(addRule);
    if (depth < registry.limits.depth) {
      var addGroup = el("button", { type: "button", "class": "secondary", text: "Add group" });
      addGroup.addEventListener("click", function () {
        group.rules = group.rules || [];
        group.rules.push({ match: group.match === "any" ? "all" : "any", rules: [newRule()] });
        changed(true, idFor(path.concat([group.rules.length - 1, 0]), "field"));
      });
      actions.appendChild(addGroup);
    }
    if (parent) {
      var removeGroup = el("button", { type: "button", "class": "secondary", text: "Remove group", "aria-label": "Remove group " + position(path) });
      removeGroup.addEventListener("click", function () {
        parent.rules.splice(index, 1);
        changed(true, idFor(path.slice(0, -1), "add-rule"));
      });
      actions.appendChild(removeGroup);
    }
    box.appendChild(actions);
    return box;
  }

  function render(focusId) {
    var keep = focusId || (document.activeElement && builder.contains(document.activeElement) ? document.activeElement.id : null);
    builder.textContent = "";
    builder.appendChild(renderGroup(state, [], 1, null, 0));
    var target = keep && document.getElementById(keep);
    if (target) target.focus();
  }

  // ------------------------------------------------------------------ sync & preview

  function changed(structural, focusId) {
    var empty = !(state.rules || []).length;
    source.value = blankWhenEmpty && empty ? "" : JSON.stringify(state, null, 2);
    if (structural) render(focusId);
    schedulePreview();
  }

  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(preview, DEBOUNCE_MS);
  }

  function showStatus(nodes) {
    statusBox.textContent = "";
    nodes.forEach(function (n) { statusBox.appendChild(n); });
  }

  function preview() {
    if (!window.fetch || !previewUrl || !statusBox) return;
    var mine = ++latest;
    statusBox.setAttribute("aria-busy", "true");
    // Compact JSON keeps the address short (the textarea's copy is indented for people).
    var text = source.value || JSON.stringify(state);
    try { text = JSON.stringify(JSON.parse(text)); } catch (e) { /* sent as typed: the server explains */ }
    fetch(previewUrl + "?rules=" + encodeURIComponent(text), {
      headers: { Accept: "application/json" }, credentials: "same-origin"
    })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (mine !== latest) return;
        statusBox.removeAttribute("aria-busy");
        if (typeof data.count === "number") {
          var noun = data.count === 1 ? " person matches" : " people match";
          showStatus([el("p", { "class": "segment-count" }, [el("strong", { text: data.count.toLocaleString() }), noun + " now."])]);
          if (wordsBox) {
            wordsBox.textContent = "";
            wordsBox.appendChild(el("p", { text: data.summary || "" }));
          }
        } else {
          var list = el("ul", {});
          (data.errors || []).forEach(function (e) { list.appendChild(el("li", { text: e.message })); });
          showStatus([el("p", { "class": "error", text: "Not counted yet. Fix these first:" }), list]);
        }
      })
      .catch(function () {
        if (mine !== latest) return;
        statusBox.removeAttribute("aria-busy");
        showStatus([el("p", { "class": "error", text: "The count could not be updated; check your connection." })]);
      });
  }

  function parse(text) {
    try {
      var value = JSON.parse(text);
      return isGroup(value) ? value : null;
    } catch (e) {
      return null;
    }
  }

  // Typing in the JSON previews at once; the rows are rebuilt when the textarea is left,
  // so they never hold objects the JSON no longer describes.
  function sourceEdited() {
    var parsed = parse(source.value);
    if (parsed) {
      state = parsed;
      builder.hidden = false;
      render();
    } else {
      builder.hidden = true;
      if (jsonBox) jsonBox.open = true;
    }
  }

  // Mount: an empty field is an empty group ("everyone matches" until a rule is added).
  state = source.value.trim() ? parse(source.value) : { match: "all", rules: [] };
  if (source.tagName === "TEXTAREA") {
    source.addEventListener("input", schedulePreview);
    source.addEventListener("change", sourceEdited);
  }
  if (!state) return; // Broken JSON (e.g. after a failed save): the textarea stays in charge.
  builder.hidden = false;
  // The rows are the editor now; the JSON stays one click away, and any server-side
  // errors about it stay visible.
  if (jsonBox && !jsonBox.querySelector(".errorlist")) jsonBox.open = false;
  var button = byId(builder.dataset.previewButton);
  if (button) button.hidden = true;
  render();
  if (statusBox && !statusBox.textContent.trim()) schedulePreview();
  }

  function start() {
    var data = document.getElementById("segment-registry");
    if (!data || !window.JSON) return;
    var registry = JSON.parse(data.textContent);
    var builders = document.querySelectorAll("[data-rule-builder]");
    for (var i = 0; i < builders.length; i++) mount(builders[i], registry);
  }

  document.addEventListener("DOMContentLoaded", start);
})();
