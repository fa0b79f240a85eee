// Console: live queue over server-sent events, and staff actions that call the JSON API
// with the session's CSRF token. Text is set with textContent only.
(function () {
  "use strict";
  var meta = document.querySelector("meta[name=csrf]");
  var csrf = meta ? meta.getAttribute("content") : "";

  function refresh() {
    var table = document.getElementById("queue");
    if (!table) return;
    var counter = Number(table.getAttribute("data-counter"));
    fetch("/api/v1/queue", { credentials: "same-origin" }).then(function (r) {
      return r.json();
    }).then(function (q) {
      q.services.forEach(function (s) {
        var w = document.getElementById("waiting-" + s.code);
        if (w) w.textContent = String(s.waiting);
        var n = document.getElementById("next-" + s.code);
        if (n) n.textContent = s.next.join(", ");
      });
      q.counters.forEach(function (c) {
        if (c.id !== counter) return;
        document.getElementById("current").textContent = c.ticket ? c.ticket.number : "\u2014";
        document.getElementById("current-state").textContent = c.ticket ? c.ticket.state_label : "";
      });
      document.getElementById("live").textContent = "Diperbarui " + new Date().toLocaleTimeString("id-ID");
    }).catch(function () {
      document.getElementById("live").textContent = "Terputus; mencoba lagi\u2026";
    });
  }

  if (document.getElementById("queue") && window.EventSource) {
    var es = new EventSource("/api/v1/events");
    es.onmessage = refresh;
    ["issued", "called", "recalled", "serving", "finished", "no_show", "transferred", "requeued",
     "voided", "day_started", "resync"].forEach(function (t) { es.addEventListener(t, refresh); });
    es.onopen = refresh;
  }

  document.addEventListener("click", function (ev) {
    var b = ev.target.closest ? ev.target.closest("button[data-api]") : null;
    if (!b) return;
    b.disabled = true;
    fetch(b.getAttribute("data-api"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf }
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      var out = document.getElementById("api-result");
      var text = res.ok ? "Berhasil." : (res.body.error ? res.body.error.message : "Gagal.");
      if (out) out.textContent = text;
      if (res.ok && b.getAttribute("data-api").indexOf("/tickets/") >= 0) location.reload();
      b.disabled = false;
    });
  });
})();
