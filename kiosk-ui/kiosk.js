// Kiosk: one press, one ticket. Buttons stay disabled while a request is in flight and while
// the number is shown, so a double tap cannot take two numbers.
(function () {
  "use strict";
  var busy = false;
  var lastActivity = Date.now();
  var buttons = document.querySelectorAll("button.service");
  var prio = document.getElementById("priority");

  function setBusy(b) {
    busy = b;
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = b;
  }

  function show(id, ms) {
    var el = document.getElementById(id);
    el.hidden = false;
    var close = function () { el.hidden = true; setBusy(false); prio.checked = false; };
    el.onclick = close;
    setTimeout(close, ms);
  }

  function issue(service) {
    if (busy) return;
    setBusy(true);
    lastActivity = Date.now();
    fetch("/api/v1/tickets", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ service: service, priority: prio.checked })
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      if (res.ok) {
        var t = res.body;
        document.getElementById("r-number").textContent = t.number;
        document.getElementById("r-priority").hidden = !t.priority;
        document.getElementById("r-unprinted").hidden = t.print !== "on_screen";
        document.getElementById("r-service").textContent = t.service_name;
        document.getElementById("r-ahead").textContent = t.people_ahead;
        document.getElementById("r-wait").textContent = t.estimated_wait_minutes;
        show("result", 8000);
      } else {
        var msg = res.body && res.body.error ? res.body.error.message : "Terjadi gangguan.";
        document.getElementById("e-message").textContent = msg;
        show("error", 6000);
      }
    }).catch(function () {
      document.getElementById("e-message").textContent =
        "Tidak dapat terhubung ke server antrian. Silakan hubungi petugas.";
      show("error", 6000);
    });
  }

  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function (ev) {
      issue(ev.currentTarget.getAttribute("data-service"));
    });
  }

  // Reload when idle so opening hours and waiting counts stay current.
  setInterval(function () {
    if (!busy && Date.now() - lastActivity > 30000) location.reload();
  }, 60000);
})();
