// Ticket tracking: keeps the server-rendered page current from the
// ticket's live stream ({type: "ticket", seq, ticket}); once the ticket is
// called, shows the counter to go to, big. The stream closes when the
// ticket is finished.
(function () {
  "use strict";
  var track = document.getElementById("track");
  if (!track || !window.guichetLive) return;
  var strings = JSON.parse(document.getElementById("strings").textContent || "{}");
  var services = JSON.parse(document.getElementById("services").textContent || "{}");
  function T(key) { return strings[key] || key; }
  function fill(key, value) { return T(key).replace("{}", value); }
  function $(id) { return document.getElementById(id); }

  // "Guichet 3" in the page's language when the label ends in a number,
  // as the server names it.
  function counterName(label) {
    var last = String(label).trim().split(/\s+/).pop();
    return /^[0-9]+$/.test(last) ? fill("portal.track.counter", last) : label;
  }

  var keys = {
    waiting: T("portal.track.status.waiting"),
    called: T("portal.track.status.called"),
    serving: T("portal.track.status.serving"),
    done: T("portal.track.status.done"),
    no_show: T("portal.track.status.no_show"),
    cancelled: T("portal.track.status.cancelled")
  };

  function show(ticket) {
    track.setAttribute("data-status", ticket.status);
    $("track-number").textContent = ticket.number;
    $("track-service").textContent = services[ticket.service] || ticket.service;
    $("track-status").textContent = keys[ticket.status] || ticket.status;
    var waiting = ticket.status === "waiting";
    $("track-facts").hidden = !waiting;
    if (waiting && typeof ticket.position === "number") {
      $("track-ahead").textContent = String(ticket.position - 1);
      var minutes = Math.max(1, Math.ceil((ticket.estimated_wait_seconds || 0) / 60));
      $("track-wait").textContent = fill("portal.track.minutes", minutes);
    }
    var called = ticket.status === "called" && ticket.counter;
    $("track-call").hidden = !called;
    if (called) {
      $("track-counter").textContent = counterName(ticket.counter.label);
      if (navigator.vibrate) navigator.vibrate([300, 150, 300]);
    }
  }

  guichetLive("/ws/tickets/" + encodeURIComponent(track.getAttribute("data-ticket")), {
    event: function (message) { if (message.type === "ticket" && message.ticket) show(message.ticket); },
    status: guichetLiveMarker($("live-status"))
  });
})();
