//! Accept errors (out of file descriptors: EMFILE, ENFILE) and refused connections come in
//! bursts; this keeps the accept loop from spinning on them and the log from filling with
//! one line per connection.

use std::time::{Duration, Instant};

const FIRST: Duration = Duration::from_millis(50);
const LONGEST: Duration = Duration::from_secs(1);

/// Doubling pause after consecutive accept errors, 50 ms up to 1 s; reset by a success.
#[derive(Debug, Default)]
pub struct Backoff {
    /// Errors in the current burst.
    errors: u64,
    next: Option<Duration>,
}

impl Backoff {
    /// Records an error; the pause before the next accept and whether this error starts a
    /// burst (the one to log).
    pub fn failed(&mut self) -> (Duration, bool) {
        self.errors += 1;
        let pause = self.next.unwrap_or(FIRST);
        self.next = Some((pause * 2).min(LONGEST));
        (pause, self.errors == 1)
    }

    /// A successful accept ends the burst; the number of errors it had, if any.
    pub fn succeeded(&mut self) -> Option<u64> {
        self.next = None;
        (self.errors > 0).then(|| std::mem::take(&mut self.errors))
    }
}

/// Counts events and says when to log them: at most once per `every`, with the count since
/// the last line.
#[derive(Debug)]
pub struct LogEvery {
    every: Duration,
    last: Option<Instant>,
    unlogged: u64,
}

impl LogEvery {
    pub fn new(every: Duration) -> Self {
        Self {
            every,
            last: None,
            unlogged: 0,
        }
    }

    /// Counts one event at `now`; Some(count) when a line is due.
    pub fn hit(&mut self, now: Instant) -> Option<u64> {
        self.unlogged += 1;
        let due = self
            .last
            .is_none_or(|t| now.duration_since(t) >= self.every);
        if !due {
            return None;
        }
        self.last = Some(now);
        Some(std::mem::take(&mut self.unlogged))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_second_and_resets() {
        let mut b = Backoff::default();
        let pauses: Vec<_> = (0..7).map(|_| b.failed()).collect();
        let ms: Vec<_> = pauses.iter().map(|(d, _)| d.as_millis()).collect();
        assert_eq!(ms, [50, 100, 200, 400, 800, 1000, 1000]);
        assert_eq!(pauses.iter().filter(|(_, first)| *first).count(), 1);
        assert_eq!(b.succeeded(), Some(7));
        assert_eq!(b.succeeded(), None);
        assert_eq!(b.failed(), (Duration::from_millis(50), true));
    }

    #[test]
    fn log_every_counts_what_it_did_not_log() {
        let t0 = Instant::now();
        let mut l = LogEvery::new(Duration::from_secs(10));
        assert_eq!(l.hit(t0), Some(1));
        for i in 1..=500 {
            assert_eq!(l.hit(t0 + Duration::from_millis(i)), None);
        }
        assert_eq!(l.hit(t0 + Duration::from_secs(10)), Some(501));
    }
}
