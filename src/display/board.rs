//! What the board shows, taken from the queue view: plain strings, ready to draw.

use chrono::{DateTime, Datelike, Timelike, Utc};

use crate::clock::MONTHS_ID;
use crate::config::{Config, DAY_NAMES_ID};
use crate::queue::QueueView;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Board {
    pub office: String,
    /// `09.05`
    pub time: String,
    /// `Senin, 30 November 2026`
    pub date: String,
    /// (counter name, number being served or `—`)
    pub counters: Vec<(String, String)>,
    /// (number, counter name), newest first
    pub calls: Vec<(String, String)>,
    /// (`A · Pengaduan`, waiting)
    pub waiting: Vec<(String, usize)>,
    pub running_text: String,
}

impl Board {
    pub fn from_view(config: &Config, view: &QueueView, now: DateTime<Utc>) -> Self {
        let local = now.with_timezone(&config.office.time_zone);
        let counter_name = |id: u32| {
            config
                .counter(id)
                .map_or_else(|| format!("Loket {id}"), |c| c.name.clone())
        };
        Self {
            office: config.office.name.clone(),
            time: format!("{:02}.{:02}", local.hour(), local.minute()),
            date: format!(
                "{}, {} {} {}",
                DAY_NAMES_ID[local.weekday().num_days_from_monday() as usize],
                local.day(),
                MONTHS_ID[local.month0() as usize],
                local.year()
            ),
            counters: view
                .counters
                .iter()
                .map(|c| {
                    (
                        c.name.clone(),
                        c.ticket
                            .as_ref()
                            .map_or_else(|| "—".to_string(), |t| t.number.clone()),
                    )
                })
                .collect(),
            calls: view
                .recent_calls
                .iter()
                .take(config.display.last_calls)
                .map(|c| (c.number.clone(), counter_name(c.counter)))
                .collect(),
            waiting: view
                .services
                .iter()
                .map(|s| (format!("{} · {}", s.prefix, s.name), s.waiting))
                .collect(),
            running_text: config.display.running_text.clone(),
        }
    }
}
