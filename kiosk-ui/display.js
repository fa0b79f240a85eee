// Lobby display: renders the snapshot, follows /api/v1/events, and announces each call in
// turn (flash, chime, voice), never two at once. If the daemon is away it keeps the last
// good board and shows "terputus"; on reconnect it resyncs from the snapshot.
(function () {
  "use strict";
  var state = null;
  // The stream position: set once from the first snapshot, then only by events.
  var lastSeq = -1;
  var announced = {};
  // Counters flashing until this time (ms), kept across redraws.
  var flashUntil = {};
  var queue = [];
  var speaking = false;
  var audioCtx = null;
  var soundBlocked = false;
  // The office's clock, not the TV's: the board shows the time the daemon keeps.
  var clockOffset = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function render() {
    if (!state) return;
    var counters = document.getElementById("counters");
    counters.textContent = "";
    var n = state.counters.length;
    counters.style.setProperty("--cols", n <= 2 ? Math.max(n, 1) : n <= 4 ? 2 : 3);
    state.counters.forEach(function (c) {
      var cls = "counter" + (c.number ? "" : " idle");
      if ((flashUntil[c.id] || 0) > Date.now()) cls += " flash";
      var box = el("div", cls);
      box.id = "counter-" + c.id;
      box.appendChild(el("div", "name", c.name));
      var num = el("div", "number", c.number || "Belum ada panggilan");
      if (!c.number) {
        var en = el("small", null, "No number called");
        en.lang = "en";
        num.appendChild(en);
      }
      box.appendChild(num);
      counters.appendChild(box);
    });
    var closed = state.closed;
    document.getElementById("closed").hidden = !closed;
    if (closed) {
      document.getElementById("closed-id").textContent =
        closed.id + (closed.reopens_id ? " " + closed.reopens_id : "");
      document.getElementById("closed-en").textContent =
        closed.en + (closed.reopens_en ? " " + closed.reopens_en : "");
    }
    var calls = document.getElementById("calls");
    calls.textContent = "";
    state.calls.forEach(function (c) {
      var li = el("li");
      li.appendChild(el("span", "num", c.number));
      li.appendChild(el("span", "where", c.counter_name));
      calls.appendChild(li);
    });
    var waiting = document.getElementById("waiting");
    waiting.textContent = "";
    state.services.forEach(function (s) {
      var li = el("li", s.open ? null : "off");
      li.appendChild(el("span", "svc", s.prefix + " · " + s.name));
      li.appendChild(el("span", "count", String(s.waiting)));
      waiting.appendChild(li);
    });
    document.getElementById("running").textContent = state.running_text;
  }

  function load() {
    return fetch("/api/v1/display", { cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error("status " + r.status);
      return r.json();
    }).then(function (s) {
      state = s;
      if (s.now) clockOffset = Date.parse(s.now) - Date.now();
      tick();
      if (lastSeq < 0) lastSeq = s.seq;
      render();
    });
  }

  function tick() {
    var tz = (state && state.time_zone) || "Asia/Jakarta";
    var now = new Date(Date.now() + clockOffset);
    document.getElementById("time").textContent =
      now.toLocaleTimeString("id-ID", { timeZone: tz, hour: "2-digit", minute: "2-digit" });
    document.getElementById("date").textContent =
      now.toLocaleDateString("id-ID", { timeZone: tz, weekday: "long", day: "numeric", month: "long", year: "numeric" });
  }

  function chime() {
    return new Promise(function (done) {
      try {
        audioCtx = audioCtx || new (window.AudioContext || window.webkitAudioContext)();
        var t = audioCtx.currentTime;
        [[784, 0], [659, 0.35]].forEach(function (n) {
          var o = audioCtx.createOscillator();
          var g = audioCtx.createGain();
          o.frequency.value = n[0];
          g.gain.setValueAtTime(0.0001, t + n[1]);
          g.gain.exponentialRampToValueAtTime(0.4, t + n[1] + 0.02);
          g.gain.exponentialRampToValueAtTime(0.0001, t + n[1] + 0.6);
          o.connect(g); g.connect(audioCtx.destination);
          o.start(t + n[1]); o.stop(t + n[1] + 0.65);
        });
        setTimeout(done, 1000);
      } catch (e) { done(); }
    });
  }

  function speak(seq) {
    return new Promise(function (finish) {
      var over = false;
      var done = function () { if (!over) { over = true; finish(); } };
      // A clip that never loads must not hold up every later call.
      setTimeout(done, 15000);
      var a = new Audio("/api/v1/announcements/" + seq + ".wav");
      a.onended = done;
      a.onerror = done;
      var p = a.play();
      if (p && p.catch) {
        p.catch(function () {
          soundBlocked = true;
          document.getElementById("sound").hidden = false;
          done();
        });
      }
    });
  }

  function next() {
    if (speaking || queue.length === 0) return;
    speaking = true;
    var call = queue.shift();
    flashUntil[call.counter] = Date.now() + 3000;
    var box = document.getElementById("counter-" + call.counter);
    if (box) { box.classList.remove("flash"); void box.offsetWidth; box.classList.add("flash"); }
    chime().then(function () { return soundBlocked ? null : speak(call.seq); }).then(function () {
      speaking = false;
      next();
    });
  }

  function onEvent(ev) {
    var data = JSON.parse(ev.data);
    if (data.seq > lastSeq) lastSeq = data.seq;
    if ((data.type === "called" || data.type === "recalled") && !announced[data.seq]) {
      announced[data.seq] = true;
      queue.push({ seq: data.seq, number: data.ticket.number, counter: data.counter });
      next();
    }
    load().catch(function () {});
    // A new ticket joins its queue once its paper is out, and no event says when: look again
    // after the time a print takes.
    if (data.type === "issued") {
      setTimeout(function () { load().catch(function () {}); }, 1500);
      setTimeout(function () { load().catch(function () {}); }, 5000);
    }
  }

  function connect() {
    var es = new EventSource("/api/v1/events?since=" + Math.max(lastSeq, 0));
    ["issued", "called", "recalled", "serving", "finished", "no_show", "transferred",
     "requeued", "voided", "day_started"].forEach(function (t) { es.addEventListener(t, onEvent); });
    es.addEventListener("resync", function () { load().catch(function () {}); });
    es.onopen = function () {
      document.getElementById("offline").hidden = true;
      load().catch(function () {});
    };
    es.onerror = function () {
      document.getElementById("offline").hidden = false;
      // A stream the browser gave up on is opened anew.
      if (es.readyState === 2) setTimeout(connect, 3000);
    };
  }

  document.getElementById("sound").addEventListener("click", function () {
    soundBlocked = false;
    document.getElementById("sound").hidden = true;
    try {
      audioCtx = audioCtx || new (window.AudioContext || window.webkitAudioContext)();
      audioCtx.resume();
    } catch (e) { /* no audio device */ }
  });

  // The survey's index, when the office shows it: a board runs for weeks, so the figure is
  // read again from the page every hour (the server computes it; nothing to do when off).
  if (document.getElementById("ikm")) {
    setInterval(function () {
      fetch("/display", { cache: "no-store" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          var here = document.getElementById("ikm");
          if (!html || !here) return;
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("ikm");
          if (fresh) here.innerHTML = fresh.innerHTML;
          here.hidden = !fresh;
        })
        .catch(function () { /* offline: keep the last figure */ });
    }, 3600 * 1000);
  }

  tick();
  setInterval(tick, 1000);
  load().then(connect, function () {
    document.getElementById("offline").hidden = false;
    setTimeout(function retry() { load().then(connect, function () { setTimeout(retry, 3000); }); }, 3000);
  });
})();
