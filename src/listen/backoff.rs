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

    /// When the events counted since the last line are due to be logged, if there are any:
    /// so the end of a burst is reported even when no further event comes.
    pub fn due_at(&self) -> Option<Instant> {
        (self.unlogged > 0).then(|| self.last.map_or_else(Instant::now, |t| t + self.every))
    }

    /// The count not yet logged, now that it is due.
    pub fn flush(&mut self, now: Instant) -> Option<u64> {
        if self.unlogged == 0 {
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
        assert_eq!(l.due_at(), None, "nothing left to say");
        assert_eq!(l.hit(t0 + Duration::from_secs(11)), None);
        assert_eq!(l.due_at(), Some(t0 + Duration::from_secs(20)));
        assert_eq!(l.flush(t0 + Duration::from_secs(20)), Some(1));
        assert_eq!(l.flush(t0 + Duration::from_secs(21)), None);
    }
}
