// The survey tablet works by form posts alone; this only makes it quicker and cleaner:
// the keypad types without a round trip, and a screen left alone returns to the start, so
// the next citizen never finds someone else's answers.
(function () {
  "use strict";
  var idle = Number(document.body.getAttribute("data-idle")) * 1000;
  // Twenty seconds before, a warning that a touch dismisses (WCAG 2.2.1): a citizen still
  // reading keeps their answers.
  var WARN = 20000;
  var warning = document.getElementById("idle-warning");
  var timer = null, warn = null;
  function arm() {
    if (!(idle > 0)) return;
    if (timer) clearTimeout(timer);
    if (warn) clearTimeout(warn);
    if (warning) {
      warning.hidden = true;
      warn = setTimeout(function () { warning.hidden = false; }, Math.max(idle - WARN, 0));
    }
    timer = setTimeout(function () { location.replace("/survei"); }, idle);
  }
  ["pointerdown", "keydown", "input"].forEach(function (e) {
    document.addEventListener(e, arm, true);
  });
  arm();
  var keypad = document.getElementById("keypad");
  var typed = document.getElementById("nomor");
  if (!keypad || !typed) return;
  var prefixes = (keypad.getAttribute("data-prefixes") || "").split(" ");
  // The same rules as the server's `press`: a prefix replaces the prefix, a digit is added
  // (six at most), ⌫ takes one back, C clears.
  function press(now, key) {
    var digits = now.replace(/[^0-9]/g, "");
    var prefix = now.replace(/[0-9]/g, "");
    if (key === "hapus") return digits ? prefix + digits.slice(0, -1) : "";
    if (key === "kosong") return "";
    if (prefixes.indexOf(key) >= 0) return key + digits;
    if (/^[0-9]$/.test(key)) return digits.length >= 6 ? now : prefix + digits + key;
    return now;
  }
  keypad.addEventListener("click", function (e) {
    var b = e.target.closest("button[name=tekan]");
    if (!b) return;
    e.preventDefault();
    typed.value = press(typed.value, b.value);
    // A clean start screen waits for ever; one with a number typed clears itself.
    if (!(idle > 0)) {
      idle = Number(document.body.getAttribute("data-idle-typing")) * 1000;
      arm();
    }
  });
})();
