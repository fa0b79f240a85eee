//! A clock for a page's timers that the test moves, as the daemon's fake clock is for the
//! daemon: the kiosk's overlay and the tracking page's refresh run on browser timers, and a
//! test must not wait for them in wall-clock time.

use std::time::{Duration, Instant};

use super::browser::Browser;

/// The page's timers on a clock the test moves, as the daemon's fake clock is for the daemon:
/// installed before the page's own scripts, `__advance(ms)` runs what falls due, in order.
const PAGE_CLOCK: &str = r#"(function () {
  var now = 0, next = 1, timers = {};
  function add(fn, ms, every) { var id = next++; timers[id] = { at: now + (ms || 0), fn: fn, every: every }; return id; }
  window.setTimeout = function (fn, ms) { return add(fn, ms, 0); };
  window.setInterval = function (fn, ms) { return add(fn, ms, ms || 1); };
  window.clearTimeout = window.clearInterval = function (id) { delete timers[id]; };
  window.__advance = function (ms) {
    var end = now + ms;
    for (;;) {
      var due = null;
      for (var id in timers) if (timers[id].at <= end && (!due || timers[id].at < timers[due].at)) due = id;
      if (!due) break;
      var t = timers[due];
      now = t.at;
      if (t.every) t.at += t.every; else delete timers[due];
      t.fn();
    }
    now = end;
    return true;
  };
})();"#;

/// A browser at 1280×800 with the page clock installed, on `url`.
pub async fn with_page_clock(url: &str) -> Browser {
    let b = Browser::start().await;
    b.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        serde_json::json!({"source": PAGE_CLOCK}),
    )
    .await;
    b.goto(url).await;
    b
}

/// Moves the page's clock `ms` on, running every timer that falls due.
pub async fn advance(b: &Browser, ms: u32) {
    b.script(&format!("return window.__advance({ms});")).await;
}

/// Polls `what` until it holds or 10 s pass.
pub async fn eventually<F, Fut>(what: &str, f: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    while !f().await {
        assert!(Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
