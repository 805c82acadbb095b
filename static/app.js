/* app.js — progressive enhancement only: every page works without it.
 *
 * The waiting room: polls the queue JSON (the API's QueueTicket object,
 * camelCase) at the interval the server asks for, updates the place and the wait in place, and moves on by itself
 * when the buyer is let in. Without JavaScript a meta refresh does the same.
 */
"use strict";

(function waitingRoom() {
  var room = document.querySelector("[data-queue-poll]");
  if (!room) return;
  var url = room.getAttribute("data-queue-poll");
  var next = room.getAttribute("data-next");

  function text(id, value) {
    var el = document.getElementById(id);
    if (el) el.textContent = value;
  }
  function eta(seconds) {
    if (seconds === null) return "not known yet: nobody has been let in so far";
    if (seconds < 60) return "under a minute";
    if (seconds < 3600) {
      var m = Math.ceil(seconds / 60);
      return "about " + m + " minute" + (m > 1 ? "s" : "");
    }
    return "about " + Math.floor(seconds / 3600) + " h " +
      String(Math.floor((seconds % 3600) / 60)).padStart(2, "0") + " min";
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (q) {
        if (q.state === "active") { window.location.assign(next); return; }
        if (q.state !== "waiting") { window.location.reload(); return; }
        text("q-position", q.position);
        text("q-ahead", q.ahead);
        text("q-eta", eta(q.etaSeconds));
        text("q-updated", "Checked just now");
        setTimeout(poll, q.pollAfterMs);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, Number(room.getAttribute("data-poll-after")) || 2000);
})();

/* The seat map: start the sideways scroll at the centre of the hall,
 * unless the page is to show a picked seat. */
(function seatMap() {
  if (window.location.hash) return;
  document.querySelectorAll("form.seatmap").forEach(function (m) {
    m.scrollLeft = (m.scrollWidth - m.clientWidth) / 2;
  });
})();

/* The hold page: a live countdown to the deadline, from the server's
 * clock (data-now) so a wrong clock on the phone does not matter. The
 * ticking text is not read out (aria-live off: a number a second would
 * drown everything); a polite status line says how long is left when the
 * page opens and again at 2 minutes, 1 minute and 30 seconds, and the
 * countdown turns red in the last minute. */
(function countdown() {
  var box = document.querySelector("[data-deadline]");
  var out = document.getElementById("countdown");
  var say = document.getElementById("countdown-say");
  if (!box || !out) return;
  var offset = Number(box.getAttribute("data-now")) * 1000 - Date.now();
  var deadline = Number(box.getAttribute("data-deadline")) * 1000;
  var marks = [120, 60, 30], next = 0, ticks = 0;
  function words(left) {
    if (left > 90) return "About " + Math.round(left / 60) + " minutes left to pay for this seat.";
    if (left > 60) return "Less than 2 minutes left to pay for this seat.";
    if (left > 30) return "Less than a minute left to pay for this seat.";
    return "Only " + left + " seconds left to pay for this seat.";
  }
  function tick() {
    var left = Math.max(0, Math.round((deadline - (Date.now() + offset)) / 1000));
    out.textContent = "(" + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0") + " left)";
    box.classList.toggle("ending", left <= 60);
    if (left === 0) { window.location.reload(); return; }
    /* The first line a second after load: a live region filled while
     * the page loads is often not read. */
    if (say && ++ticks > 1 && (ticks === 2 || (next < marks.length && left <= marks[next]))) {
      say.textContent = words(left);
      while (next < marks.length && marks[next] >= left) next++;
    }
    setTimeout(tick, 1000);
  }
  tick();
})();

/* Every page of the workers is sent with Cache-Control: no-store, so Back
 * loads it again. A browser that restores one from its back/forward cache
 * all the same would show a Pay button already used or a balance already
 * spent: load it again then too. */
window.addEventListener("pageshow", function (e) {
  if (e.persisted) window.location.reload();
});
