/* app.js — progressive enhancement only: every page works without it.
 *
 * The waiting room polls only the line's public state
 * (/concerts/{id}/queue/state.json: the same for every buyer, served by
 * nginx from a copy at most a second old) and computes the place itself:
 * place = my number (signed into the buyer's ticket, shown on the page)
 * minus the serving number. It polls about every second near the front
 * and up to every 30 s far back, counts down to the opening in the
 * pre-queue, fetches the buyer's own ticket once when the pre-queue's
 * places are drawn, and goes in (the waiting room again, which claims the
 * turn) when the number is called. Without JavaScript a meta refresh
 * (every 5 s at the most often) does the same from the server.
 */
"use strict";

/* The page's words for what this script writes: data-t-NAME attributes
 * of el, in the page's language (the templates translate them; po/), with
 * {name} filled in from values. */
function words(el, name, values) {
  var t = el.getAttribute("data-t-" + name) || "";
  return t.replace(/\{(\w+)\}/g, function (all, k) {
    return values && k in values ? String(values[k]) : all;
  });
}
function pad(n) { return String(n).padStart(2, "0"); }

(function waitingRoom() {
  var room = document.querySelector("[data-queue-state]");
  if (!room) return;
  var stateUrl = room.getAttribute("data-queue-state");
  var ticketUrl = room.getAttribute("data-queue-ticket");
  var next = room.getAttribute("data-next");
  var number = Number(room.getAttribute("data-number")) || 0;
  var opens = Number(room.getAttribute("data-opens")) || 0;
  /* The server's clock, not the phone's. */
  var offset = Number(room.getAttribute("data-now")) * 1000 - Date.now();

  function text(id, value) {
    var el = document.getElementById(id);
    if (el) el.textContent = value;
  }
  function say(name, values) { return words(room, name, values); }
  function eta(seconds) {
    if (seconds === null) return say("unknown");
    if (seconds < 60) return say("under");
    if (seconds < 3600) {
      var m = Math.ceil(seconds / 60);
      return m === 1 ? say("minute") : say("minutes", { n: m });
    }
    return say("hours", { h: Math.floor(seconds / 3600),
      mm: pad(Math.floor((seconds % 3600) / 60)) });
  }
  /* The server's policy (queue_poll_after_ms): ~1 s near the front, up to
   * 30 s far back. */
  function interval(ahead) {
    return ahead < 20 ? 1000 : ahead < 100 ? 2000 : ahead < 1000 ? 5000 :
      ahead < 10000 ? 15000 : 30000;
  }
  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
  }
  function countdown() {
    if (!opens || number) return;
    var left = Math.max(0, Math.round((opens * 1000 - (Date.now() + offset)) / 1000));
    text("q-countdown", left >= 3600 ?
      say("count-h", { h: Math.floor(left / 3600), mm: pad(Math.floor((left % 3600) / 60)) }) :
      say("count-m", { m: Math.floor(left / 60), ss: pad(left % 60) }));
    if (left > 0) setTimeout(countdown, 1000);
  }
  /* After the opening: the buyer's own number, drawn then. */
  function fetchNumber() {
    return getJson(ticketUrl).then(function (t) {
      if (t.state !== "waiting") { window.location.assign(next); return false; }
      number = t.number;
      window.location.reload(); /* the page of a numbered buyer */
      return false;
    });
  }
  function poll() {
    getJson(stateUrl)
      .then(function (s) {
        if (!number) {
          var left = opens * 1000 - (Date.now() + offset);
          if (s.state === "open") return fetchNumber();
          setTimeout(poll, left > 60000 ? 30000 : left > 10000 ? 5000 : 1000);
          return;
        }
        if (s.serving >= number) { window.location.assign(next); return; }
        var ahead = number - s.serving - 1;
        var rate = s.admittedPerMinute;
        text("q-position", ahead + 1);
        text("q-ahead", ahead);
        text("q-serving", s.serving);
        text("q-eta", eta(rate > 0 ? Math.ceil((ahead + 1) * 60 / rate) : null));
        text("q-updated", say("checked"));
        setTimeout(poll, interval(ahead));
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  countdown();
  setTimeout(poll, Number(room.getAttribute("data-poll-after")) || 1000);
})();

/* The seat map: start the sideways scroll at the centre of the hall; give
 * every seat its whole name (section, row, number, price, state); make the
 * grid one Tab stop whose seats the arrow keys move between (a roving
 * tabindex: Left/Right along the row, Up/Down to the nearest seat of the
 * row before or after, Home/End to the row's ends), so that Tab from the
 * map reaches the Hold button at once; after a pick, focus the seat just
 * picked again so the buyer goes on from there. Without JavaScript the
 * same form works by Tab and Enter, and the page lands on the bar after
 * the map (#pick): Tab is its Hold button, then "Pick more seats" back to
 * the overview. */
(function seatMap() {
  var map = document.querySelector("form[data-seatmap]");
  if (!map) return;
  var rows = Array.prototype.map.call(map.querySelectorAll(".row"), function (row) {
    var label = row.getAttribute("aria-label") || "";
    var seats = Array.prototype.slice.call(row.querySelectorAll("button"));
    var price = row.getAttribute("data-price");
    /* The row's label without its price: section and row. */
    var name = price && label.slice(-(price.length + 2)) === ", " + price ?
      label.slice(0, -(price.length + 2)) : label;
    seats.forEach(function (b) {
      var n = b.firstChild ? b.firstChild.textContent : b.textContent;
      var state = b.classList.contains("y") ? "yours" :
        b.classList.contains("t") ? "taken" :
        b.getAttribute("aria-pressed") === "true" ? "picked" :
        b.disabled ? "closed" : "free";
      b.setAttribute("aria-label", words(map, price ? "seat-priced" : "seat",
        { row: name, n: n, price: price, state: words(map, "state-" + state) }));
      if (!b.disabled && !b.hasAttribute("aria-pressed")) b.setAttribute("aria-pressed", "false");
    });
    return seats.filter(function (b) { return !b.disabled; });
  }).filter(function (r) { return r.length > 0; });
  if (rows.length === 0) return;
  var all = [].concat.apply([], rows);
  var params = new URLSearchParams(window.location.search);
  var last = params.get("add");
  var current = all.filter(function (b) { return b.value === last; })[0] ||
    all.filter(function (b) { return b.getAttribute("aria-pressed") === "true"; })[0] || all[0];
  all.forEach(function (b) { b.tabIndex = b === current ? 0 : -1; });
  function where(b) {
    for (var r = 0; r < rows.length; r++) {
      var i = rows[r].indexOf(b);
      if (i >= 0) return [r, i];
    }
    return null;
  }
  function go(b) {
    if (!b) return;
    current.tabIndex = -1;
    current = b;
    b.tabIndex = 0;
    b.focus();
  }
  function nearest(row, b) {
    var x = b.getBoundingClientRect().left, best = row[0], d = Infinity;
    row.forEach(function (s) {
      var e = Math.abs(s.getBoundingClientRect().left - x);
      if (e < d) { d = e; best = s; }
    });
    return best;
  }
  map.addEventListener("keydown", function (e) {
    var at = where(e.target);
    if (!at) return;
    var row = rows[at[0]], i = at[1];
    switch (e.key) {
    case "ArrowRight": go(row[i + 1]); break;
    case "ArrowLeft": go(row[i - 1]); break;
    case "ArrowDown": if (rows[at[0] + 1]) go(nearest(rows[at[0] + 1], e.target)); break;
    case "ArrowUp": if (rows[at[0] - 1]) go(nearest(rows[at[0] - 1], e.target)); break;
    case "Home": go(row[0]); break;
    case "End": go(row[row.length - 1]); break;
    default: return;
    }
    e.preventDefault();
  });
  map.addEventListener("focusin", function (e) {
    if (where(e.target)) { current.tabIndex = -1; current = e.target; current.tabIndex = 0; }
  });
  // With the grid one Tab stop, the next pick needs no landing on the bar.
  map.setAttribute("action", map.getAttribute("action").replace(/#.*$/, ""));
  if (last && current.value === last) {
    var back = function () {
      current.focus({ preventScroll: true });
      current.scrollIntoView({ block: "center", inline: "center" });
    };
    back();
    // a #pick in the address moves the focus to the bar once loaded
    if (window.location.hash === "#pick") window.addEventListener("load", function () {
      history.replaceState(null, "", window.location.pathname + window.location.search);
      setTimeout(back, 0);
    });
  } else if (!window.location.hash) {
    map.scrollLeft = (map.scrollWidth - map.clientWidth) / 2;
  }
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
  function spoken(left) {
    if (left > 90) return words(box, "say-minutes", { m: Math.round(left / 60) });
    if (left > 60) return words(box, "say-2min");
    if (left > 30) return words(box, "say-1min");
    return words(box, "say-seconds", { s: left });
  }
  function tick() {
    var left = Math.max(0, Math.round((deadline - (Date.now() + offset)) / 1000));
    out.textContent = words(box, "left", { m: Math.floor(left / 60), ss: pad(left % 60) });
    box.classList.toggle("ending", left <= 60);
    if (left === 0) { window.location.reload(); return; }
    /* The first line a second after load: a live region filled while
     * the page loads is often not read. */
    if (say && ++ticks > 1 && (ticks === 2 || (next < marks.length && left <= marks[next]))) {
      say.textContent = spoken(left);
      while (next < marks.length && marks[next] >= left) next++;
    }
    setTimeout(tick, 1000);
  }
  tick();
})();

/* A live page (the operator's /admin/: the header's bo-live meta says
 * every how many seconds) renews its figures with JavaScript too, where
 * the meta refresh is only for browsers without it: the page is fetched
 * again and its <main> swapped in, so the header, the scroll position and
 * focus outside <main> stay. Not while the operator types in a field of
 * it, nor while the tab is hidden (the next turn then). A session that
 * ended meanwhile answers with a redirect: the whole page is loaded. */
(function livePage() {
  var meta = document.querySelector('meta[name="bo-live"]');
  var main = document.getElementById("main");
  if (!meta || !main) return;
  var every = (Number(meta.getAttribute("content")) || 30) * 1000;
  function typing() {
    var a = document.activeElement;
    if (a && main.contains(a) && /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName)) return true;
    return Array.prototype.some.call(main.querySelectorAll("input:not([type=hidden]), textarea"),
      function (f) { return f.value !== ""; });
  }
  function renew() {
    if (document.hidden || typing()) { setTimeout(renew, every); return; }
    fetch(window.location.href, { credentials: "same-origin" }).then(function (r) {
      if (r.redirected || !r.ok) { window.location.reload(); return null; }
      return r.text();
    }).then(function (html) {
      if (html === null) return;
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("main");
      if (fresh && !typing()) main.replaceChildren.apply(main, Array.prototype.map.call(
        fresh.childNodes, function (n) { return document.importNode(n, true); }));
      setTimeout(renew, every);
    }).catch(function () { setTimeout(renew, every); }); /* offline: try again */
  }
  setTimeout(renew, every);
})();

/* Every page of the workers is sent with Cache-Control: no-store, so Back
 * loads it again. A browser that restores one from its back/forward cache
 * all the same would show a Pay button already used or a balance already
 * spent: load it again then too. */
window.addEventListener("pageshow", function (e) {
  if (e.persisted) window.location.reload();
});
