//! The broadcast of committed changes: every event carries a strictly increasing sequence
//! number (persisted with the change), so a display that reconnects knows what it missed.

use std::sync::Arc;

use serde::Serialize;
use tokio::sync::broadcast;

use crate::queue::Change;

#[derive(Debug, Clone, Serialize)]
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
}

impl Events {
    pub fn new(capacity: usize) -> Self {
        let (tx, _) = broadcast::channel(capacity);
        Self { tx }
    }

    /// Only ever called after the change is durably committed.
    pub fn publish(&self, event: Event) {
        // No subscribers is normal (no display connected yet).
        let _ = self.tx.send(Arc::new(event));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.tx.subscribe()
    }
}
