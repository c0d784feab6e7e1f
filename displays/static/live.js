// A live stream of the service (/ws/sites/…, /ws/counters/…, /ws/tickets/…)
// that never loses its place: it resumes with ?since= the last seq it saw,
// drops repeats, reconnects with backoff and tells the page when it is
// live (as soon as the socket is open: a resumed stream with nothing
// missed sends nothing until the next event) or reconnecting. A snapshot
// replaces the page's state; events after it arrive in seq order.
(function () {
  "use strict";
  window.guichetLive = function (path, handlers) {
    var seq = null;
    var delay = 500;
    var socket = null;
    var stopped = false;
    var status = handlers.status || function () {};

    function url() {
      var scheme = location.protocol === "https:" ? "wss://" : "ws://";
      var since = seq === null ? "" : (path.indexOf("?") < 0 ? "?" : "&") + "since=" + seq;
      return scheme + location.host + path + since;
    }

    function connect() {
      socket = new WebSocket(url());
      // The backoff resets on a message only: a server that accepts and
      // drops at once is not hammered.
      socket.onopen = function () { status("live"); };
      socket.onmessage = function (message) {
        var data;
        try { data = JSON.parse(message.data); } catch (e) { return; }
        delay = 500;
        status("live");
        if (data.type === "snapshot") {
          seq = data.seq;
          if (handlers.snapshot) handlers.snapshot(data);
          return;
        }
        if (typeof data.seq === "number") {
          if (seq !== null && data.seq <= seq && data.type !== "ticket") return;
          seq = data.seq;
        }
        if (handlers.event) handlers.event(data);
      };
      socket.onclose = function (close) {
        socket = null;
        if (stopped) return;
        // 1000: the stream ended on purpose (a finished ticket).
        if (close.code === 1000) { if (handlers.ended) handlers.ended(); return; }
        // 1008: the session that opened the stream ended (account disabled,
        // device revoked, logged out): the page, loaded again, says so.
        if (close.code === 1008) { location.reload(); return; }
        status("reconnecting");
        var wait = delay + Math.random() * delay / 2;
        delay = Math.min(delay * 2, 10000);
        setTimeout(connect, wait);
      };
    }

    connect();
    return {
      stop: function () { stopped = true; if (socket) socket.close(); },
      seq: function () { return seq; }
    };
  };

  // Shows a discreet marker while the stream is reconnecting.
  window.guichetLiveMarker = function (element) {
    return function (state) { element.hidden = state === "live"; };
  };
})();
