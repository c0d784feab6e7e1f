// The agent console: each button calls the JSON API (the session cookie
// authenticates), keyboard shortcuts press the buttons, and the panel
// (counter state, current ticket, waiting list) is fetched again from the
// server whenever the counter's live stream moves, so it is rendered in
// one place only. Without this script the page still shows the state.
(function () {
  "use strict";
  var root = document.getElementById("console");
  if (!root) return;
  var counter = root.getAttribute("data-counter");
  var panel = document.getElementById("panel");
  var message = document.getElementById("message");
  var strings = {};
  try { strings = JSON.parse(document.getElementById("strings").textContent); } catch (e) { strings = {}; }
  function T(key) { return strings[key] || key; }

  var errors = {
    counter_busy: T("agent.js.err_counter_busy"),
    counter_not_open: T("agent.js.err_counter_not_open"),
    counter_taken: T("agent.js.err_counter_taken"),
    agent_busy: T("agent.js.err_agent_busy"),
    too_few_recalls: T("agent.js.err_too_few_recalls"),
    not_waiting: T("agent.js.err_not_waiting"),
    ticket_not_served: T("agent.js.err_ticket_not_served"),
    already_filed: T("agent.js.err_already_filed")
  };
  // The fields a refresh of the panel keeps as typed.
  var kept = ["transfer-service", "request-service", "request-name", "request-email"];

  function show(text, isError) {
    message.textContent = text;
    message.className = isError ? "flash error" : "flash";
    message.hidden = !text;
  }

  // Fetches the panel again; repeated requests while one is on its way
  // collapse into one more.
  var loading = false, again = false, last = null;
  function refresh() {
    if (loading) { again = true; return; }
    loading = true;
    fetch("/agent/counters/" + encodeURIComponent(counter) + "/panel", { credentials: "same-origin" })
      .then(function (r) {
        if (r.redirected || r.status === 401) { show(T("agent.js.session"), true); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (html === null || html === last) return;
        last = html;
        var focused = document.activeElement ? document.activeElement.id : "";
        var values = {};
        kept.forEach(function (id) {
          var field = document.getElementById(id);
          // The transfer's choice only while the agent is on it, as before.
          var typed = id !== "transfer-service" && field && field.value;
          if (field && (typed || id === focused)) values[id] = field.value;
        });
        panel.innerHTML = html;
        Object.keys(values).forEach(function (id) {
          var field = document.getElementById(id);
          if (!field) return;
          // A choice the new panel no longer offers is not kept.
          var offered = field.tagName !== "SELECT" ||
            Array.prototype.some.call(field.options, function (o) { return o.value === values[id]; });
          if (offered) field.value = values[id];
          if (id === focused) field.focus();
        });
      })
      .catch(function () {})
      .then(function () {
        loading = false;
        if (again) { again = false; refresh(); }
      });
  }

  function post(path, body) {
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body || {})
    });
  }

  function request(button) {
    var act = button.getAttribute("data-act");
    var c = "/api/v1/counters/" + encodeURIComponent(counter);
    var grid = panel.querySelector(".panel-grid");
    var ticket = grid ? grid.getAttribute("data-ticket") : null;
    var t = ticket ? "/api/v1/tickets/" + encodeURIComponent(ticket) : null;
    switch (act) {
      case "open": case "pause": case "close": return post(c + "/" + act);
      case "call-next": return post(c + "/call-next");
      case "call": return post(c + "/call", { ticket: button.getAttribute("data-ticket") });
      case "present":
        return post("/api/v1/tickets/" + encodeURIComponent(button.getAttribute("data-ticket")) + "/present");
      case "recall": case "start": case "complete": case "no-show":
        return t ? post(t + "/" + act) : null;
      case "file-request":
        var field = function (id) { var f = document.getElementById(id); return f ? f.value.trim() : ""; };
        if (!t) return null;
        var body = { service: field("request-service"), name: field("request-name") };
        if (field("request-email")) body.email = field("request-email");
        return post(t + "/requests", body);
      case "transfer":
        var select = document.getElementById("transfer-service");
        if (!t || !select) return null;
        // Nothing is chosen for the agent: an empty choice is asked again.
        if (!select.value) { show(T("agent.js.err_transfer_choose"), true); select.focus(); return null; }
        return post(t + "/transfer", { service: select.value });
    }
    return null;
  }

  function act(button) {
    if (button.disabled) {
      // A key on a button that cannot work yet says why, as the page does.
      var why = document.getElementById(button.getAttribute("aria-describedby") || "");
      if (why) show(why.textContent, true);
      return;
    }
    var sent = request(button);
    if (!sent) return;
    button.disabled = true;
    sent.then(function (r) {
      if (r.status === 204) { show(T("agent.js.nobody_waiting"), false); return null; }
      return r.json().then(function (body) {
        if (r.ok) {
          var act = button.getAttribute("data-act");
          if (act === "file-request") {
            ["request-name", "request-email"].forEach(function (id) {
              var f = document.getElementById(id);
              if (f) f.value = "";
            });
            show(T("agent.js.request_filed").replace("{}", body.reference), false);
          } else if (act === "present") {
            show(T("agent.js.marked_present").replace("{}", button.getAttribute("data-number")), false);
          } else {
            show(act === "call-next" || act === "call" ? T("agent.js.called").replace("{}", body.number) : "", false);
          }
        } else if (r.status === 401) {
          show(T("agent.js.session"), true);
        } else {
          var error = body && body.error ? body.error : {};
          show(errors[error.code] || error.message || T("agent.js.failed"), true);
        }
      }, function () { show(r.ok ? "" : T("agent.js.failed"), !r.ok); });
    }, function () {
      show(T("agent.js.offline"), true);
    }).then(function () {
      button.disabled = false;
      refresh();
    });
  }

  panel.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-act]") : null;
    if (button) act(button);
  });

  // Shortcuts press the button that shows the key; never while typing.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    var target = event.target;
    var tag = target && target.tagName ? target.tagName.toLowerCase() : "";
    if (tag === "input" || tag === "textarea" || tag === "select" || (target && target.isContentEditable)) return;
    // The key's place, not its letter: an Arabic keyboard types other letters.
    var code = event.code || "";
    var key = code.indexOf("Key") === 0 ? code.slice(3).toLowerCase() : (event.key || "").toLowerCase();
    if (key.length !== 1) return;
    var button = panel.querySelector('button[data-key="' + key + '"]');
    if (!button) return;
    event.preventDefault();
    act(button);
  });

  var marker = document.getElementById("live-status");
  var shown = Number(root.getAttribute("data-seq"));
  window.guichetLive("/ws/counters/" + encodeURIComponent(counter), {
    // The page shows the state as of its `data-seq`; a snapshot past it
    // (events while connecting, or after a long break) calls for a refresh.
    snapshot: function (data) {
      if (data.seq !== shown) refresh();
      shown = null;
    },
    event: function () { refresh(); },
    status: window.guichetLiveMarker(marker)
  });
})();
