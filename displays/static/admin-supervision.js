// Live supervision: the board is rendered by the server; this script
// fetches it again (`data-panel`, else `/admin/live/{site}/panel`) when the site's stream
// moves — a few events in a row make one fetch — and once a minute in any
// case (waits grow without events), and it ticks the minutes shown between
// fetches. Without it the page still shows the state at its loading.
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root) return;
  var site = root.getAttribute("data-site");
  var panel = document.getElementById("live-panel");
  // The fragment's address: the page says it (a province's board has its own).
  var panelUrl = root.getAttribute("data-panel") || "/admin/live/" + encodeURIComponent(site) + "/panel";
  var strings = {};
  try { strings = JSON.parse(document.getElementById("supervision-strings").textContent); } catch (e) { strings = {}; }
  function T(key) { return strings[key] || key; }

  // The server's clock, as of the board's rendering, against ours.
  var offset = 0;
  function readClock() {
    var board = document.getElementById("board");
    var now = board ? Number(board.getAttribute("data-now")) : NaN;
    offset = isNaN(now) ? 0 : now - Date.now();
  }

  function tick() {
    var now = Date.now() + offset;
    var spans = panel.querySelectorAll("[data-since]");
    for (var i = 0; i < spans.length; i++) {
      var since = Number(spans[i].getAttribute("data-since"));
      if (isNaN(since)) continue;
      var minutes = Math.max(0, Math.floor((now - since) / 60000));
      spans[i].textContent = T("admin.supervision.js.minutes").replace("{}", String(minutes));
    }
  }

  var loading = false, again = false, timer = null, last = null;
  function refresh() {
    if (loading) { again = true; return; }
    loading = true;
    fetch(panelUrl, { credentials: "same-origin" })
      .then(function (r) { return r.ok && !r.redirected ? r.text() : null; })
      .then(function (html) {
        if (html === null || html === last) return;
        last = html;
        panel.innerHTML = html;
        readClock();
      })
      .catch(function () {})
      .then(function () {
        loading = false;
        if (again) { again = false; refresh(); }
      });
  }
  function soon() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () { timer = null; refresh(); }, 400);
  }

  readClock();
  setInterval(tick, 5000);
  setInterval(refresh, 60000);
  var shown = Number(root.getAttribute("data-seq"));
  window.guichetLive("/ws/sites/" + encodeURIComponent(site), {
    snapshot: function (data) {
      if (data.seq !== shown) soon();
      shown = null;
    },
    event: soon,
    status: window.guichetLiveMarker(document.getElementById("live-status"))
  });
})();
