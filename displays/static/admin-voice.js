// The Tamazight clips page: a file chosen for a clip is sent as it is to
// PUT /api/v1/sites/{site}/voice/{name} (the page's session cookie is the
// caller), a clip removed by DELETE; the page then reloads to show the
// clips the site has. A refused file (not audio, too big) says so.
(function () {
  "use strict";
  var table = document.getElementById("clips");
  if (!table) return;
  var base = "/api/v1/sites/" + encodeURIComponent(table.getAttribute("data-site")) + "/voice/";
  function send(method, name, body) {
    fetch(base + encodeURIComponent(name), {
      method: method, credentials: "same-origin", body: body,
      headers: { "Accept": "application/json" }
    }).then(function (r) {
      if (r.ok) location.reload();
      else document.getElementById("voice-error").hidden = false;
    }).catch(function () { document.getElementById("voice-error").hidden = false; });
  }
  table.addEventListener("change", function (e) {
    var input = e.target;
    if (input.type === "file" && input.files && input.files[0]) send("PUT", input.getAttribute("data-clip"), input.files[0]);
  });
  table.addEventListener("click", function (e) {
    var name = e.target.getAttribute && e.target.getAttribute("data-remove");
    if (name) send("DELETE", name);
  });
})();
