// The capsule upload form: sends the chosen file itself as the request's
// body (streamed by the browser, never read whole here), the title, days
// and hours in the address, and the page's CSRF token in a header; then
// back to the list, or the refusal shown above the button.
(function () {
  "use strict";
  var form = document.getElementById("capsule-upload");
  if (!form) return;
  var error = document.getElementById("upload-error");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = document.getElementById("capsule-file").files[0];
    if (!file) return;
    var query = new URLSearchParams();
    var days = [];
    Array.prototype.forEach.call(form.elements, function (input) {
      if (input.name === "days" && input.checked) days.push(input.value);
      else if ((input.name === "title" || input.name === "from" || input.name === "until") && input.value) {
        query.set(input.name, input.value);
      }
    });
    query.set("days", days.join(","));
    var button = document.getElementById("capsule-send");
    button.disabled = true;
    error.hidden = true;
    fetch(form.action + "?" + query.toString(), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": form.getAttribute("data-csrf"), "Content-Type": file.type || "application/octet-stream" },
      body: file
    }).then(function (r) {
      if (r.status === 201) { window.location.assign(form.getAttribute("data-done")); return null; }
      return r.json().then(function (body) {
        error.textContent = (body && body.error && body.error.message) || String(r.status);
        error.hidden = false;
      });
    }).catch(function (e) {
      error.textContent = String(e);
      error.hidden = false;
    }).then(function () { button.disabled = false; });
  });
})();
