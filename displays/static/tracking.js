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

  var remoteLines = {
    on_the_way: T("portal.track.remote.on_the_way"),
    present: T("portal.track.remote.present"),
    lapsed: T("portal.track.remote.lapsed")
  };

  // A remote ticket's state: [state, words], as the server writes them.
  function remoteLine(ticket) {
    if (ticket.status === "waiting" && ticket.held) {
      var until = ticket.held_until ? String(ticket.held_until).substring(11, 16) : "";
      return ["held", until ? fill("portal.track.remote.held", until) : T("portal.track.remote.held_soon")];
    }
    if (ticket.status === "waiting") {
      var state = ticket.present ? "present" : "on_the_way";
      return [state, remoteLines[state]];
    }
    if (ticket.status === "no_show" && !ticket.present) return ["lapsed", remoteLines.lapsed];
    return ["", ""];
  }

  function showRemote(ticket) {
    var line = $("track-remote");
    if (!line || !ticket.remote) return;
    var shown = remoteLine(ticket);
    var was = line.getAttribute("data-state");
    line.setAttribute("data-state", shown[0]);
    line.textContent = shown[1];
    line.hidden = !shown[1];
    if (shown[0] === "held" && was !== "held" && navigator.vibrate) navigator.vibrate([300, 150, 300]);
  }

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
    showRemote(ticket);
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
