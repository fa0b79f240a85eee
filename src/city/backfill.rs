//! The backfill's task: steps the store through the office's history (`store::outbox_backfill`)
//! until it is all in the outbox. Each step is one store command, so requests go between
//! steps and the kiosk waits at most one step.

use std::time::{Duration, Instant};

use tokio::sync::watch;
use tracing::{info, warn};

use crate::store::StoreHandle;

/// The pause between two steps: the requests that came in meanwhile go first, and a request
/// waits behind one step at most.
const BETWEEN_STEPS: Duration = Duration::from_millis(10);

/// Runs until the history is in the outbox, a step is refused, or `closing` turns true.
pub async fn run(store: StoreHandle, mut closing: watch::Receiver<bool>) {
    let started = Instant::now();
    let mut steps = 0u64;
    let mut longest = Duration::ZERO;
    loop {
        if *closing.borrow() {
            return;
        }
        let asked = Instant::now();
        let step = tokio::select! {
            r = store.outbox_backfill_step() => r,
            _ = closing.wait_for(|c| *c) => return,
        };
        // The step's round trip: the batch it went in, its commit included.
        longest = longest.max(asked.elapsed());
        match step {
            Ok(true) => steps += 1,
            Ok(false) => {
                if steps > 0 {
                    info!(
                        steps,
                        secs = started.elapsed().as_secs_f64(),
                        longest_step_ms = longest.as_secs_f64() * 1000.0,
                        "the office's history is in the city outbox"
                    );
                }
                return;
            }
            Err(e) => {
                // Resumed at the next start, where it stood.
                warn!(error = %e, "the backfill for the city stopped; it resumes at the next start");
                return;
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(BETWEEN_STEPS) => {}
            _ = closing.wait_for(|c| *c) => return,
        }
    }
}
