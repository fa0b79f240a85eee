// Console: live queue over server-sent events, live complaint work over the staff stream,
// and staff actions that call the JSON API with the session's CSRF token. Text is set with
// textContent only; the one HTML taken in is our own escaped "Langkah saya" fragment.
(function () {
  "use strict";
  var meta = document.querySelector("meta[name=csrf]");
  var csrf = meta ? meta.getAttribute("content") : "";

  // The counter screen: the ticket and its state label, which buttons the state allows
  // (each button lists its states in data-when, rendered by the server from the same rule the
  // daemon applies), the transfer list without the ticket's own service, the queues and the
  // no-show list.
  var page = document.getElementById("counter");

  function showCounter(c) {
    var t = c ? c.ticket : null;
    document.getElementById("current").textContent = t ? t.number : "\u2014";
    document.getElementById("current-state").textContent = t ? t.state_label : "";
    var state = t ? t.state : "idle";
    page.querySelectorAll("[data-when]").forEach(function (b) {
      b.disabled = b.getAttribute("data-when").split(" ").indexOf(state) < 0;
    });
    var select = document.getElementById("service");
    if (!select) return;
    Array.prototype.forEach.call(select.options, function (o) {
      if (!o.value) return;
      var own = !!t && o.value === t.service;
      o.disabled = own;
      o.hidden = own;
      if (own && o.selected) select.value = "";
    });
  }

  function showNoShows(list, services) {
    var body = document.querySelector("#no-shows tbody");
    if (!body) return;
    var tz = page.getAttribute("data-tz") || undefined;
    var rows = list.filter(function (n) { return services.indexOf(n.service) >= 0; });
    var fresh = document.createDocumentFragment();
    rows.forEach(function (n) {
      var tr = document.getElementById("no-show-row").content.cloneNode(true);
      tr.querySelector(".num").textContent = n.number;
      tr.querySelector(".t").textContent = n.called_at ? new Date(n.called_at)
        .toLocaleTimeString("id-ID", { hour: "2-digit", minute: "2-digit", timeZone: tz }) : "";
      tr.querySelector("input[name=ticket]").value = String(n.id);
      fresh.appendChild(tr);
    });
    if (!rows.length) fresh.appendChild(document.getElementById("no-show-empty").content.cloneNode(true));
    body.replaceChildren(fresh);
  }

  function refresh() {
    if (!page) return;
    var counter = Number(page.getAttribute("data-counter"));
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
        showCounter(c);
        showNoShows(q.no_shows || [], c.services);
      });
      document.getElementById("live").textContent = "Diperbarui " + new Date().toLocaleTimeString("id-ID");
    }).catch(function () {
      document.getElementById("live").textContent = "Terputus; mencoba lagi\u2026";
    });
  }

  if (page && window.EventSource) {
    var es = new EventSource("/api/v1/events");
    es.onmessage = refresh;
    ["issued", "called", "recalled", "serving", "finished", "no_show", "transferred", "requeued",
     "voided", "reprinted", "day_started", "resync"].forEach(function (t) { es.addEventListener(t, refresh); });
    es.onopen = refresh;
  }

  // The office head's "Hari ini" block, swapped in whole on queue and complaint events; one
  // request at a time, one more if events came meanwhile, sent as a background request so a
  // console left open does not stay signed in.
  var glance = document.getElementById("glance");
  var refreshGlance = function () {};
  if (glance && window.EventSource && window.fetch) {
    var gBusy = false, gAgain = false;
    refreshGlance = function () {
      if (gBusy) { gAgain = true; return; }
      gBusy = true;
      fetch(glance.getAttribute("data-live"), {
        credentials: "same-origin",
        headers: { "X-Loket-Background": "1" }
      }).then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.text();
      }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("glance");
        if (fresh) {
          fresh = document.adoptNode(fresh);
          glance.replaceWith(fresh);
          glance = fresh;
          var at = document.getElementById("glance-live");
          if (at) at.textContent = "diperbarui " + new Date().toLocaleTimeString("id-ID");
        }
      }).catch(function () {
        // The next event tries again; the figures shown stay as they were.
      }).then(function () {
        gBusy = false;
        if (gAgain) { gAgain = false; refreshGlance(); }
      });
    };
    var queueEvents = new EventSource("/api/v1/events");
    ["issued", "called", "recalled", "serving", "finished", "no_show", "transferred", "requeued",
     "voided", "reprinted", "print_failed", "printer_status", "day_started", "resync"].forEach(function (t) {
      queueEvents.addEventListener(t, refreshGlance);
    });
  }

  // Complaint changes (staff only). The page names the last event it had seen when it was
  // rendered, so a change made between its rendering and the connection is not missed;
  // on a reconnect the browser sends Last-Event-ID, which the daemon prefers.
  var work = document.getElementById("my-work");
  var stale = document.getElementById("stale");
  var live = work || stale;
  if (live && window.EventSource) {
    var kinds = ["opened", "step_done", "returned_for_revision", "closed", "attachment_added",
                 "purged", "resync"];
    var staff = new EventSource("/api/v1/staff/events?since=" +
                                encodeURIComponent(live.getAttribute("data-since") || "0"));
    var busy = false, again = false;
    // "Langkah saya" again, swapped in whole; one request at a time, one more if events came
    // meanwhile.
    var refreshWork = function () {
      if (busy) { again = true; return; }
      busy = true;
      // A refresh nobody asked for must not keep an unattended console's session alive.
      fetch(work.getAttribute("data-live"), {
        credentials: "same-origin",
        headers: { "X-Loket-Background": "1" }
      }).then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.text();
      }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("my-work");
        if (fresh) {
          fresh = document.adoptNode(fresh);
          work.replaceWith(fresh);
          work = fresh;
        }
      }).catch(function () {
        // The next event tries again; the rows shown stay as they were.
      }).then(function () {
        busy = false;
        if (again) { again = false; refreshWork(); }
      });
    };
    var onEvent = function (ev) {
      if (work) refreshWork();
      refreshGlance();
      if (stale) {
        var data = {};
        try { data = JSON.parse(ev.data); } catch (e) { data = {}; }
        if (ev.type === "resync" ||
            String(data.complaint) === stale.getAttribute("data-complaint")) {
          stale.hidden = false;
        }
      }
      // The last event handled, for whoever checks that the page keeps up.
      if (ev.lastEventId) document.body.setAttribute("data-staff-event", ev.lastEventId);
    };
    kinds.forEach(function (t) { staff.addEventListener(t, onEvent); });
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
