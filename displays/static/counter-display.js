// The counter display: follows /ws/counters/{counter} and shows the ticket
// called there, flashing on each new call and on a recall. A call replayed
// after a reconnection, or older than FRESH_MS, is shown without flashing.
// Set up like the lobby TV (see lobby.js), opened once with ?device=TOKEN.
(function () {
  "use strict";
  var FRESH_MS = 30000;
  var FLASH_MS = 5000;
  var data = JSON.parse(document.getElementById("counter-data").textContent);
  var skew = data.now_ms - Date.now();
  var offset = data.offset_seconds * 1000;
  var current = null;
  var flashed = {};
  function $(id) { return document.getElementById(id); }
  function T(key, lang) { return (data.strings[lang || data.lang] || {})[key] || key; }

  function tick() {
    var t = new Date(Date.now() + skew + offset);
    $("clock").textContent = ("0" + t.getUTCHours()).slice(-2) + ":" + ("0" + t.getUTCMinutes()).slice(-2);
  }
  setInterval(tick, 1000);
  tick();

  // A closed or paused counter with nobody at it says so, big, in place
  // of "waiting for the next call"; with a ticket at it, under the number.
  var state = null;
  function layout() {
    $("now-call").hidden = !current;
    $("now-empty").hidden = !!current || !!state;
    $("state").classList.toggle("big", !current);
  }

  function show(number) {
    current = number;
    if (number) $("now-number").textContent = number;
    layout();
  }

  function showState(value) {
    var key = value === "closed" ? "lobby.counter_closed" : value === "paused" ? "lobby.counter_paused" : null;
    state = key;
    var box = $("state");
    box.hidden = !key;
    box.textContent = "";
    if (key) {
      var other = data.lang === "ar" ? "fr" : "ar";
      var first = document.createElement("span");
      first.className = "l1";
      first.textContent = T(key);
      var second = document.createElement("span");
      second.className = "l2";
      second.lang = other;
      second.dir = other === "ar" ? "rtl" : "ltr";
      second.textContent = T(key, other);
      box.appendChild(first);
      box.appendChild(document.createTextNode(" "));
      box.appendChild(second);
      // Tamazight, on a site that shows it (data.zgh: its words).
      if (data.zgh && data.zgh[key]) {
        var third = document.createElement("span");
        third.className = "l3";
        third.lang = "zgh";
        third.dir = "ltr";
        third.textContent = data.zgh[key];
        box.appendChild(third);
      }
    }
    layout();
  }

  var flashTimer = null;
  function flash() {
    var now = $("now");
    now.classList.remove("flash");
    void now.offsetWidth;
    now.classList.add("flash");
    clearTimeout(flashTimer);
    flashTimer = setTimeout(function () { now.classList.remove("flash"); }, FLASH_MS);
  }

  function isFresh(at) {
    var t = Date.parse(at || "");
    return !isNaN(t) && Date.now() + skew - t < FRESH_MS;
  }

  var marker = guichetLiveMarker($("live-status"));
  guichetLive("/ws/counters/" + encodeURIComponent(data.counter), {
    status: function (state) {
      marker(state);
      document.body.setAttribute("data-live", state);
    },
    snapshot: function (message) {
      var counter = message.counter || {};
      show(counter.current ? counter.current.number : null);
      showState(counter.state);
    },
    event: function (e) {
      if ((e.type === "ticket.called" || e.type === "ticket.recalled") && e.counter === data.counter) {
        show(e.number);
        if (!flashed[e.seq] && isFresh(e.at)) {
          flashed[e.seq] = true;
          flash();
        }
      } else if (/^ticket\.(done|no_show|cancelled|transferred)$/.test(e.type) && e.number === current) {
        show(null);
      } else if (e.type === "counter.changed" && e.counter && e.counter.id === data.counter) {
        showState(e.counter.state);
      }
    }
  });
})();
