// The lobby display: follows /ws/sites/{site}, shows each new call large
// and flashing, announces it (a chime, then French, then Arabic) one
// announcement after another, and rotates the office's announcements.
//
// Setting up a lobby TV: open /display/SITE (add ?lang=ar for Arabic first)
// in a browser in kiosk mode that may play sound without a tap, e.g.
//   chromium --kiosk --noerrdialogs --disable-session-crashed-bubble \
//     --autoplay-policy=no-user-gesture-required https://OFFICE/display/SITE
// Without that flag the browser blocks sound until someone touches the
// screen: the page then says so in a corner and keeps showing every call.
//
// A call is announced only when it is new: one replayed after a
// reconnection, or read from a snapshot, is shown in the list but neither
// flashes nor is announced if it is older than FRESH_MS or was announced
// already. Each announcement's text is pushed to window.guichetAnnounced,
// and {text, start, end} to window.guichetAnnouncements.
//
// The waiting per service is never drawn smaller: when the services do not
// all fit, they are shown a page at a time, each for PAGE_MS, the page
// number ("2/3") by the heading (the section's data-page, data-pages).
(function () {
  "use strict";
  var FRESH_MS = 30000;
  var FLASH_MS = 5000;
  var RECENT = 4;
  var NEWS_MS = 12000;
  var NEWS_REFRESH_MS = 3 * 60 * 1000;
  var PAGE_MS = 8000;

  var data = JSON.parse(document.getElementById("lobby-data").textContent);
  var lang = data.lang === "ar" ? "ar" : "fr";
  var other = lang === "ar" ? "fr" : "ar";
  var skew = data.now_ms - Date.now();
  var offset = data.offset_seconds * 1000;
  var announcer;

  function T(key, inLang) {
    var words = data.strings[inLang || lang] || {};
    return words[key] || key;
  }
  function fill(text, value) { return text.replace("{}", value); }
  function $(id) { return document.getElementById(id); }

  // "Guichet 3" → "الشباك رقم 3"; other labels as written.
  function counterWords(label, inLang) {
    var m = /(\d+)\s*$/.exec(label || "");
    return m ? fill(T("common.counter", inLang), m[1]) : (label || "");
  }
  // "Guichet 3" → "ⴰⵙⴰⵔⵓ 3" on a site that shows Tamazight (data.strings.zgh
  // holds its words then); other labels have no Tamazight line.
  var zgh = data.strings.zgh || null;
  function counterZgh(label) {
    var m = /(\d+)\s*$/.exec(label || "");
    return zgh && m && zgh["common.counter"] ? fill(zgh["common.counter"], m[1]) : "";
  }
  function serverNow() { return Date.now() + skew; }

  // ---- clock: the site's local time, from the offset the server gave and
  // the offset each event's time carries (a change of legal time).
  function tick() {
    var t = new Date(serverNow() + offset);
    var hh = ("0" + t.getUTCHours()).slice(-2);
    var mm = ("0" + t.getUTCMinutes()).slice(-2);
    $("clock").textContent = hh + ":" + mm;
  }
  function learnOffset(at) {
    var m = /([+-])(\d\d):(\d\d)$/.exec(at || "");
    if (m) offset = (m[1] === "-" ? -1 : 1) * (m[2] * 3600 + m[3] * 60) * 1000;
  }
  setInterval(tick, 1000);
  tick();
  fitAll();

  // ---- calls
  var calls = [];
  // Calls announced already, by seq; kept for the tab's life so that a
  // reload does not announce them again.
  var ANNOUNCED_KEY = "guichet.announced." + data.site;
  var announced = {};
  try { announced = JSON.parse(sessionStorage.getItem(ANNOUNCED_KEY)) || {}; } catch (e) { announced = {}; }
  function markAnnounced(seq) {
    announced[seq] = true;
    var kept = {};
    Object.keys(announced).map(Number).sort(function (a, b) { return b - a; }).slice(0, 50)
      .forEach(function (k) { kept[k] = true; });
    announced = kept;
    try { sessionStorage.setItem(ANNOUNCED_KEY, JSON.stringify(kept)); } catch (e) { /* private mode */ }
  }

  function toCall(e) {
    return { number: e.number, counter: e.counter, counter_label: e.counter_label, seq: e.seq, at: e.at };
  }
  function remember(call) {
    calls = calls.filter(function (c) { return c.number !== call.number; });
    calls.unshift(call);
    if (calls.length > 12) calls.length = 12;
  }
  function isFresh(call) {
    var at = Date.parse(call.at);
    return !isNaN(at) && serverNow() - at < FRESH_MS;
  }

  function el(tag, className, text, inLang) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    if (inLang) { node.lang = inLang; node.dir = inLang === "ar" ? "rtl" : "ltr"; }
    return node;
  }

  // Draws a panel smaller, step by step, until its words fit.
  function fit(section) {
    var steps = ["fit-1", "fit-2", "fit-3", "fit-4"];
    steps.forEach(function (c) { section.classList.remove(c); });
    for (var i = 0; i < steps.length && section.scrollHeight > section.clientHeight + 1; i++) {
      if (i > 0) section.classList.remove(steps[i - 1]);
      section.classList.add(steps[i]);
    }
  }
  function fitAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".lobby-grid > section:not(.waiting)"), fit);
  }

  function render() {
    var now = calls[0];
    $("now-call").hidden = !now;
    $("now-empty").hidden = !!now;
    if (now) {
      $("now-number").textContent = now.number;
      $("now-counter").textContent = counterWords(now.counter_label, lang);
      $("now-counter-2").textContent = counterWords(now.counter_label, other);
      if ($("now-counter-3")) $("now-counter-3").textContent = counterZgh(now.counter_label);
    }
    var list = $("recent");
    list.textContent = "";
    $("recent-empty").hidden = calls.length > 1;
    calls.slice(1, 1 + RECENT).forEach(function (c) {
      var li = el("li");
      li.appendChild(el("bdi", "num", c.number));
      var ctr = el("span", "ctr");
      ctr.appendChild(el("span", "l1", counterWords(c.counter_label, lang)));
      ctr.appendChild(el("span", "l2", counterWords(c.counter_label, other), other));
      if (counterZgh(c.counter_label)) ctr.appendChild(el("span", "l3", counterZgh(c.counter_label), "zgh"));
      li.appendChild(ctr);
      list.appendChild(li);
    });
    fit($("now"));
    fit(list.parentNode);
  }

  var flashTimer = null;
  function flash() {
    var now = $("now");
    now.classList.remove("flash");
    void now.offsetWidth; // restart the animation for a call in a row
    now.classList.add("flash");
    clearTimeout(flashTimer);
    flashTimer = setTimeout(function () { now.classList.remove("flash"); }, FLASH_MS);
  }

  function onCall(e, live) {
    var call = toCall(e);
    learnOffset(call.at);
    remember(call);
    render();
    if (!live || announced[call.seq] || !isFresh(call)) return;
    markAnnounced(call.seq);
    flash();
    announcer.add(call);
  }

  // ---- waiting per service
  function minutesText(s) {
    if (!s.waiting) return "—";
    return fill(T("common.minutes"), Math.ceil(Math.max(0, s.estimated_wait_seconds) / 60));
  }
  function updateService(s) {
    var row = document.querySelector('#services tr[data-service="' + s.id + '"]');
    if (!row) return;
    row.querySelector(".waiting-count").textContent = s.waiting;
    row.querySelector(".wait-time").textContent = minutesText(s);
  }

  // ---- pages of services: as many rows as the panel holds, in turn.
  var pages = [];
  var page = 0;
  function rows() { return Array.prototype.slice.call($("services").rows); }
  function paginate() {
    var box = $("waiting");
    var all = rows();
    all.forEach(function (r) { r.hidden = false; });
    $("service-pages").hidden = false;
    $("service-pages").textContent = "1/1";
    var first = all[0];
    var room = box.getBoundingClientRect().bottom - parseFloat(getComputedStyle(box).paddingBottom) -
      (first ? first.getBoundingClientRect().top : 0);
    pages = [];
    var current = [];
    var used = 0;
    all.forEach(function (r) {
      var height = r.getBoundingClientRect().height;
      if (current.length && used + height > room + 0.5) {
        pages.push(current);
        current = [];
        used = 0;
      }
      current.push(r);
      used += height;
    });
    if (current.length) pages.push(current);
    page = 0;
    showPage();
  }
  function showPage() {
    var box = $("waiting");
    var count = Math.max(1, pages.length);
    page = page % count;
    rows().forEach(function (r) { r.hidden = pages.length > 1 && pages[page].indexOf(r) < 0; });
    $("service-pages").hidden = count < 2;
    $("service-pages").textContent = (page + 1) + "/" + count;
    box.setAttribute("data-page", String(page + 1));
    box.setAttribute("data-pages", String(count));
    if (count > 1) {
      box.classList.remove("turn");
      void box.offsetWidth;
      box.classList.add("turn");
    }
  }
  setInterval(function () { if (pages.length > 1) { page += 1; showPage(); } }, PAGE_MS);
  window.addEventListener("resize", paginate);
  paginate();

  // ---- the live stream
  announcer = window.guichetSpeaker(data.sounds, T, $("audio-status"));
  var marker = guichetLiveMarker($("live-status"));
  guichetLive("/ws/sites/" + encodeURIComponent(data.site), {
    status: function (state) {
      marker(state);
      document.body.setAttribute("data-live", state);
    },
    snapshot: function (message) {
      var queue = message.queue || {};
      calls = [];
      (queue.recent_calls || []).slice().reverse().forEach(function (e) {
        learnOffset(e.at);
        remember(toCall(e));
      });
      render();
      // The latest call may be new to this screen if it came while the
      // stream was down; older ones were either announced or are stale.
      if (calls[0] && !announced[calls[0].seq] && isFresh(calls[0])) {
        markAnnounced(calls[0].seq);
        flash();
        announcer.add(calls[0]);
      }
      (queue.services || []).forEach(updateService);
    },
    event: function (e) {
      if (e.type === "ticket.called" || e.type === "ticket.recalled") onCall(e, true);
      else if (e.type === "queue.changed") (e.services || []).forEach(updateService);
    }
  });

  // ---- the office's announcements
  // The announcements, the capsules showing now (data.capsules: muted
  // videos and images, in the strip beside their title), then the guide of
  // each procedure (data.guides). A capsule that fails to load is skipped
  // from then on; the rest of the screen never depends on it.
  var news = data.announcements || [];
  var capsules = data.capsules || [];
  var broken = {};
  var guides = data.guides || [];
  var newsAt = 0;
  function slides() {
    var shown = capsules.filter(function (c) { return !broken[c.id]; })
      .map(function (c) { return { capsule: c }; });
    return news.concat(shown, guides);
  }
  function showCapsule(c) {
    var box = $("news-media");
    var current = box.firstChild;
    if (current && current.getAttribute("data-capsule") === c.id) return;
    box.textContent = "";
    var media;
    if (c.kind === "video") {
      media = document.createElement("video");
      media.muted = true;
      media.defaultMuted = true;
      media.autoplay = true;
      media.loop = true;
      media.playsInline = true;
      media.setAttribute("muted", "");
      media.setAttribute("playsinline", "");
    } else {
      media = document.createElement("img");
      media.alt = "";
    }
    media.className = "capsule";
    media.setAttribute("data-capsule", c.id);
    media.addEventListener("error", function () {
      broken[c.id] = true;
      if (media.parentNode) media.parentNode.removeChild(media);
      box.hidden = true;
      showNews();
    });
    media.src = c.url;
    box.appendChild(media);
    box.hidden = false;
  }
  function showNews() {
    var box = $("news");
    var all = slides();
    box.hidden = all.length === 0;
    if (!all.length) { $("news-media").hidden = true; $("news-media").textContent = ""; return; }
    newsAt = newsAt % all.length;
    var item = all[newsAt];
    if (item.capsule) {
      showCapsule(item.capsule);
      $("news-1").textContent = item.capsule.title === "—" ? "" : item.capsule.title;
      $("news-2").textContent = "";
    } else {
      $("news-media").hidden = true;
      $("news-media").textContent = "";
      $("news-1").textContent = lang === "ar" ? item.text_ar : item.text_fr;
      $("news-2").textContent = lang === "ar" ? item.text_fr : item.text_ar;
    }
    fit(box);
    box.classList.remove("turn");
    void box.offsetWidth;
    box.classList.add("turn");
  }
  setInterval(function () { if (slides().length > 1) { newsAt += 1; showNews(); } }, NEWS_MS);
  if (!news.length && capsules.length) showNews();
  function refresh(what, apply) {
    fetch("/api/v1/sites/" + encodeURIComponent(data.site) + "/" + what, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body) { apply(body); showNews(); } })
      .catch(function () {});
  }
  setInterval(function () {
    refresh("announcements", function (body) { news = body.announcements || []; });
    refresh("capsules", function (body) { capsules = body.capsules || []; });
  }, NEWS_REFRESH_MS);
})();
