//! The broadcast of committed changes: every event carries a strictly increasing sequence
//! number (persisted with the change), so a display that reconnects knows what it missed.
//! The last events are kept in memory, so a client that was briefly away gets exactly what it
//! missed, once, in order; one away longer is told to reload its snapshot.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::broadcast;

use crate::queue::Change;

/// Events kept for clients catching up: several minutes of a busy office.
const KEPT: usize = 2048;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Event {
    pub seq: u64,
    /// RFC 3339 in office-local time.
    pub at: String,
    #[serde(flatten)]
    pub change: Change,
}

#[derive(Clone)]
pub struct Events {
    tx: broadcast::Sender<Arc<Event>>,
    recent: Arc<Mutex<VecDeque<Arc<Event>>>>,
    /// The sequence number the store started at: events up to it are not kept here.
    start: Arc<std::sync::atomic::AtomicU64>,
}

/// What a client that last saw `since` needs.
pub enum CatchUp {
    /// The events after `since`, in order (possibly none).
    Events(Vec<Arc<Event>>),
    /// Too old: reload the snapshot.
    Resync,
}

impl Events {
    pub fn new(capacity: usize) -> Self {
        let (tx, _) = broadcast::channel(capacity);
        Self {
            tx,
            recent: Arc::new(Mutex::new(VecDeque::with_capacity(KEPT))),
            start: Arc::new(std::sync::atomic::AtomicU64::new(0)),
        }
    }

    /// Set once by the store at start: the last sequence number already committed.
    pub fn set_start(&self, seq: u64) {
        self.start.store(seq, std::sync::atomic::Ordering::Relaxed);
    }

    /// Only ever called after the change is durably committed.
    pub fn publish(&self, event: Event) {
        let event = Arc::new(event);
        {
            let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
            if recent.len() == KEPT {
                recent.pop_front();
            }
            recent.push_back(event.clone());
        }
        // No subscribers is normal (no display connected yet).
        let _ = self.tx.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.tx.subscribe()
    }

    /// The kept events after `since`. Subscribe first, then catch up, then skip what the
    /// subscription repeats (by sequence number): nothing is lost in between.
    pub fn since(&self, since: u64) -> CatchUp {
        let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let start = self.start.load(std::sync::atomic::Ordering::Relaxed);
        let first_kept = recent.front().map_or(start.saturating_add(1), |e| e.seq);
        let newest = recent.back().map_or(start, |e| e.seq);
        // Too far behind, or ahead of us (a store restored from a backup): start afresh.
        if since.saturating_add(1) < first_kept || since > newest {
            CatchUp::Resync
        } else {
            CatchUp::Events(recent.iter().filter(|e| e.seq > since).cloned().collect())
        }
    }

    /// A recent event by sequence number (an announcement is fetched right after its call).
    pub fn get(&self, seq: u64) -> Option<Arc<Event>> {
        let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.iter().rev().find(|e| e.seq == seq).cloned()
    }
}
