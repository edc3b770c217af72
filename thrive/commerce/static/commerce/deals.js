// The deal board's drag and drop. Each card also has a "Move to…" form that works from
// the keyboard and without this script; dropping a card posts that same form.
(function () {
  "use strict";
  var board = document.querySelector("[data-board][data-can-move]");
  if (!board) return;
  var status = document.getElementById("board-status");
  var dragged = null;

  function say(text) { if (status) status.textContent = text; }

  function moveForm(card) { return card.querySelector("form.move-form"); }

  function askReason(card, stageId) {
    // A lost stage needs a reason: open the card's form with the stage chosen.
    var form = moveForm(card);
    form.querySelector("select[name=stage]").value = stageId;
    var details = card.querySelector("details.deal-move");
    details.open = true;
    form.querySelector("select[name=lost_reason]").focus();
    say("Say why the deal was lost, then press Move.");
  }

  function post(card, stageId) {
    var form = moveForm(card);
    var data = new FormData(form);
    data.set("stage", stageId);
    say("Moving…");
    fetch(form.action, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (result.ok) {
        say(result.body.message);
        window.location.reload();
      } else {
        say((result.body.errors || ["The deal could not be moved."]).join(" "));
      }
    }).catch(function () { say("The deal could not be moved: the server did not answer."); });
  }

  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".deal-card");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.deal);
  });
  board.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    board.querySelectorAll(".drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
  });
  board.addEventListener("dragover", function (event) {
    var column = event.target.closest && event.target.closest(".deal-column");
    if (!column || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    board.querySelectorAll(".drop-target").forEach(function (c) {
      if (c !== column) c.classList.remove("drop-target");
    });
    column.classList.add("drop-target");
  });
  board.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest(".deal-column");
    if (!column || !dragged) return;
    event.preventDefault();
    column.classList.remove("drop-target");
    var card = dragged;
    if (card.closest(".deal-column") === column) return;
    if (column.dataset.lost === "1") askReason(card, column.dataset.stage);
    else post(card, column.dataset.stage);
  });
})();
