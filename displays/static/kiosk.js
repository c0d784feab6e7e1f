// The kiosk: goes back to its home after a minute without a touch, gives
// its fields an on-screen keypad, sends each form once, and prints a ticket
// as soon as its view opens. The kiosk's browser runs with
// --kiosk-printing, so window.print() sends the page (with kiosk-print.css)
// straight to the 80 mm printer without a dialog.
(function () {
  "use strict";
  var frame = document.getElementById("kiosk");
  if (!frame) return;
  var home = frame.getAttribute("data-home");
  var idle = parseInt(frame.getAttribute("data-idle") || "60", 10) * 1000;
  // A ticket's view goes back home on its own clock, touched or not.
  var ticket = document.querySelector("[data-autoprint]");
  var timer = null;

  // Replaces the page: no filled form or receipt stays in the history.
  function goHome() { location.replace(home); }
  function touched() {
    if (ticket) return;
    clearTimeout(timer);
    timer = setTimeout(goHome, idle);
  }
  ["pointerdown", "touchstart", "keydown", "input"].forEach(function (name) {
    document.addEventListener(name, touched, { passive: true });
  });
  touched();

  // On-screen keypads: each types into the field named by data-for.
  Array.prototype.forEach.call(document.querySelectorAll(".keypad"), function (pad) {
    var field = document.getElementById(pad.getAttribute("data-for"));
    if (!field) return;
    pad.hidden = false;
    pad.addEventListener("click", function (event) {
      var key = event.target.closest("[data-key]");
      if (!key) return;
      var value = key.getAttribute("data-key");
      field.value = value === "erase" ? field.value.slice(0, -1) : field.value + value;
      field.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });

  // One ticket per touch: a second submit of the same form is ignored.
  Array.prototype.forEach.call(document.querySelectorAll("form[method=post]"), function (form) {
    var sent = false;
    form.addEventListener("submit", function (event) {
      if (sent) { event.preventDefault(); return; }
      sent = true;
    });
    // A page shown again from the history may be sent again.
    window.addEventListener("pageshow", function () { sent = false; });
  });

  if (ticket) {
    var seconds = parseInt(ticket.getAttribute("data-return") || "12", 10);
    timer = setTimeout(goHome, seconds * 1000);
    window.addEventListener("load", function () {
      setTimeout(function () { window.print(); }, 200);
    });
  }
})();
