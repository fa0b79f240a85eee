//! Wait estimates: people ahead times today's measured minutes per citizen, shared by the
//! counters that serve the service; the configured minutes until today has enough samples.

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
        let counters = config
            .counters
            .iter()
            .filter(|c| c.services.contains(&service.code))
            .count()
            .max(1) as u64;
        let seconds = people_ahead as u64 * self.seconds_per_citizen(service);
        let minutes = seconds.div_ceil(60 * counters);
        Estimate {
            people_ahead,
            minutes: u32::try_from(minutes).unwrap_or(u32::MAX),
        }
    }
}
