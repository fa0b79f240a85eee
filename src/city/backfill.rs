//! The backfill's task: steps the store through the office's history (`store::outbox_backfill`)
//! until it is all in the outbox. Each step is one store command, so requests go between
//! steps and the kiosk waits at most one step.

use std::time::{Duration, Instant};

use tokio::sync::watch;
use tracing::{info, warn};

use crate::store::{OpError, StoreError, StoreHandle};

/// The pause between two steps: the requests that came in meanwhile go first, and a request
/// waits behind one step at most.
const BETWEEN_STEPS: Duration = Duration::from_millis(10);

/// The first wait after a failed step, doubled at each failure in a row up to `RETRY_MAX`.
const RETRY_FIRST: Duration = Duration::from_secs(1);
const RETRY_MAX: Duration = Duration::from_secs(60);

/// The wait before the next try after `failures` failed steps in a row (1 or more).
fn retry_after(failures: u32) -> Duration {
    RETRY_FIRST
        .saturating_mul(1u32 << failures.saturating_sub(1).min(16))
        .min(RETRY_MAX)
}

/// Whether a failed step is worth another try: a step fails with its batch, for a cause
/// that may be another write's (its whole transaction is rolled back); only a store that
/// stopped (or refuses all writes, damaged) will not take one again.
fn retryable(e: &OpError) -> bool {
    !matches!(e, OpError::Store(StoreError::Stopped | StoreError::Damaged))
}

/// Runs until the history is in the outbox, the store stops, or `closing` turns true. A
/// failed step is tried again after a growing pause: giving up would hold the sources'
/// live records back until the next start.
pub async fn run(store: StoreHandle, mut closing: watch::Receiver<bool>) {
    let started = Instant::now();
    let mut steps = 0u64;
    let mut failures = 0u32;
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
        let pause = match step {
            Ok(true) => {
                steps += 1;
                failures = 0;
                BETWEEN_STEPS
            }
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
            Err(e) if !retryable(&e) => {
                // Resumed at the next start, where it stood.
                warn!(error = %e, "the backfill for the city stopped; it resumes at the next start");
                return;
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                let wait = retry_after(failures);
                warn!(error = %e, failures, retry_in_secs = wait.as_secs(),
                    "a backfill step for the city failed; it is tried again");
                wait
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = closing.wait_for(|c| *c) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_step_is_retried_after_a_growing_pause_unless_the_store_stopped() {
        let waits: Vec<u64> = (1..=8).map(|n| retry_after(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(retry_after(u32::MAX), RETRY_MAX);
        assert!(!retryable(&OpError::Store(StoreError::Stopped)));
        assert!(!retryable(&OpError::Store(StoreError::Damaged)));
        let io = StoreError::Io {
            what: "write",
            path: "loket.redb".into(),
            error: std::io::Error::other("disk full"),
        };
        assert!(retryable(&OpError::Store(io)));
    }
}
