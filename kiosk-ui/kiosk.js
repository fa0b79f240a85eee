// Kiosk: one press, one ticket. Buttons stay disabled while a request is in flight and while
// the number is shown, so a double tap cannot take two numbers. One overlay at a time, with
// one timer: closing it (by touch, key or time) cancels the timer, so an earlier citizen's
// timer can never hide the next citizen's number.
(function () {
  "use strict";
  var busy = false;
  var shown = null;
  var hideTimer = null;
  var buttons = document.querySelectorAll("button.service");
  var prio = document.getElementById("priority");
  // What the page was drawn for: a change in which services are open reloads it.
  var openKey = openSet(Array.prototype.map.call(buttons, function (b) {
    return { code: b.getAttribute("data-service"), open: true };
  }));
  var reloadWanted = false;

  function openSet(services) {
    return services.filter(function (s) { return s.open; })
      .map(function (s) { return s.code; }).sort().join(",");
  }

  function setBusy(b) {
    busy = b;
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = b;
  }

  function close() {
    if (hideTimer !== null) { clearTimeout(hideTimer); hideTimer = null; }
    if (!shown) return;
    shown.hidden = true;
    shown = null;
    setBusy(false);
    if (prio) prio.checked = false;
    if (reloadWanted) location.reload();
  }

  function show(id, ms) {
    close();
    setBusy(true);
    shown = document.getElementById(id);
    shown.hidden = false;
    shown.querySelector("button.close").focus();
    hideTimer = setTimeout(close, ms);
  }

  ["result", "error"].forEach(function (id) {
    document.getElementById(id).addEventListener("click", close);
  });
  document.addEventListener("keydown", function (ev) {
    if (shown && ev.key === "Escape") close();
  });

  function issue(service) {
    if (busy) return;
    setBusy(true);
    fetch("/api/v1/tickets", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ service: service, priority: !!(prio && prio.checked) })
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      if (res.ok) {
        var t = res.body;
        document.getElementById("r-number").textContent = t.number;
        document.getElementById("r-priority").hidden = !t.priority;
        document.getElementById("r-unprinted").hidden = t.print !== "on_screen";
        document.getElementById("r-service").textContent = t.service_name;
        ["r-ahead", "r-ahead-en"].forEach(function (id) {
          document.getElementById(id).textContent = t.people_ahead;
        });
        ["r-wait", "r-wait-en"].forEach(function (id) {
          document.getElementById(id).textContent = t.estimated_wait_minutes;
        });
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

  // The page is drawn again when what can be pressed changes (a service opens or closes, the
  // day changes, the printer's state changes); never under a citizen's number.
  function redraw() {
    if (shown || busy) { reloadWanted = true; return; }
    location.reload();
  }

  // Waiting counts follow the public event stream; the display's snapshot (numbers only)
  // gives the counts and which services are open.
  // One request at a time; an event that comes during it asks for one more afterwards, so
  // the last change is always counted.
  var pending = false;
  var again = false;
  var day = null;
  function settle() {
    pending = false;
    if (again) { again = false; refresh(); }
  }
  function refresh() {
    if (pending) { again = true; return; }
    pending = true;
    fetch("/api/v1/display", { cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error("status " + r.status);
      return r.json();
    }).then(function (s) {
      settle();
      s.services.forEach(function (svc) {
        var n = document.querySelector("[data-wait='" + svc.code + "'] .n");
        if (n) n.textContent = String(svc.waiting);
      });
      if (day !== null && s.service_day !== day) return redraw();
      day = s.service_day;
      if (openSet(s.services) !== openKey) redraw();
    }).catch(settle);
  }

  if (window.EventSource) {
    var es = new EventSource("/api/v1/events");
    ["called", "recalled", "serving", "finished", "no_show", "transferred",
     "requeued", "voided", "reprinted", "print_failed", "day_started", "resync"
    ].forEach(function (t) { es.addEventListener(t, refresh); });
    // A new ticket joins its queue once its paper is out, and no event says when: look again
    // after the time a print takes.
    es.addEventListener("issued", function () {
      refresh();
      setTimeout(refresh, 1500);
      setTimeout(refresh, 5000);
    });
    es.addEventListener("printer_status", redraw);
    es.onopen = refresh;
  }
  // Opening hours pass without an event: look once a minute.
  setInterval(refresh, 60000);
})();
