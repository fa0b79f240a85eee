//! Today's figures per service, for `/metrics`: counts and mean times, no personal data.

use serde::Serialize;

use super::state::QueueState;
use super::ticket::TicketState;
use crate::config::Config;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ServiceMetrics {
    pub code: String,
    pub issued: u64,
    pub waiting: u64,
    pub served: u64,
    pub no_show: u64,
    /// Mean seconds from issue to first call, over the tickets called today.
    pub mean_wait_seconds: f64,
    /// Mean seconds at the counter, over the services finished today.
    pub mean_service_seconds: f64,
}

impl QueueState {
    pub fn metrics(&self, config: &Config) -> Vec<ServiceMetrics> {
        config
            .services
            .iter()
            .map(|s| {
                let issued = self
                    .tickets
                    .values()
                    .filter(|t| t.issued_service == s.code)
                    .count() as u64;
                let mine = || self.tickets.values().filter(|t| t.service == s.code);
                let served = mine().filter(|t| t.state == TicketState::Done).count() as u64;
                let no_show = mine().filter(|t| t.state == TicketState::NoShow).count() as u64;
                let waits: Vec<f64> = mine()
                    .filter_map(|t| {
                        let first_call = t.history.iter().find(|h| h.action == "called")?;
                        let secs = (first_call.at - t.issued_at).num_seconds();
                        (secs >= 0).then_some(secs as f64)
                    })
                    .collect();
                let stats = self.stats.get(&s.code);
                ServiceMetrics {
                    code: s.code.clone(),
                    issued,
                    waiting: self.waiting_count(&s.code) as u64,
                    served,
                    no_show,
                    mean_wait_seconds: if waits.is_empty() {
                        0.0
                    } else {
                        waits.iter().sum::<f64>() / waits.len() as f64
                    },
                    mean_service_seconds: stats
                        .filter(|st| st.count > 0)
                        .map_or(0.0, |st| st.total_seconds as f64 / st.count as f64),
                }
            })
            .collect()
    }
}
