//! Wait estimates: people ahead times today's measured minutes per citizen, divided by the
//! counter time the service gets; the configured minutes until today has enough samples.

use serde::Serialize;

use super::state::QueueState;
use crate::config::{Config, Service};

/// Below this many finished services today, the configured default is the better guess.
const MIN_SAMPLES: u64 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Estimate {
    pub people_ahead: usize,
    pub minutes: u32,
}

impl QueueState {
    /// Mean seconds per citizen for a service, measured today or configured.
    pub fn seconds_per_citizen(&self, service: &Service) -> u64 {
        match self.stats.get(&service.code) {
            Some(s) if s.count >= MIN_SAMPLES => (s.total_seconds.max(0) as u64) / s.count,
            _ => u64::from(service.default_service_minutes) * 60,
        }
    }

    pub fn estimate(&self, config: &Config, service: &Service, people_ahead: usize) -> Estimate {
        // A counter shared by k services gives each about 1/k of its time.
        let capacity: f64 = config
            .counters
            .iter()
            .filter(|c| c.services.contains(&service.code))
            .map(|c| 1.0 / c.services.len() as f64)
            .sum();
        let seconds = people_ahead as f64 * self.seconds_per_citizen(service) as f64;
        // The small subtraction keeps 0.999…-style float sums from rounding a minute up.
        let minutes = (seconds / 60.0 / capacity.max(f64::EPSILON) - 1e-9)
            .ceil()
            .max(0.0);
        Estimate {
            people_ahead,
            minutes: if minutes >= f64::from(u32::MAX) {
                u32::MAX
            } else {
                minutes as u32
            },
        }
    }
}
