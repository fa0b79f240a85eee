//! The broadcast of committed changes: every event carries a strictly increasing sequence
//! number (persisted with the change), so a display that reconnects knows what it missed.
//! The last events are kept in memory, so a client that was briefly away gets exactly what it
//! missed, once, in order; one away longer is told to reload its snapshot.
//!
//! Two buses of the same kind: `Events`, the queue's changes for the public displays, and
//! `StaffEvents`, complaint changes for the staff console only (never on the public one).

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

/// What a bus carries: anything with its sequence number.
pub trait Sequenced {
    fn seq(&self) -> u64;
}

impl Sequenced for Event {
    fn seq(&self) -> u64 {
        self.seq
    }
}

/// A complaint changed (committed). Carries what a staff page needs to know that it should
/// refresh, and nothing about the complainant: no name, NIK, phone, address or texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ComplaintEvent {
    pub seq: u64,
    /// RFC 3339 in office-local time.
    pub at: String,
    /// The complaint's sequence in the office (`/console/pengaduan/{complaint}`).
    pub complaint: u64,
    /// Its register number, `PGD/2026/12/0007`.
    pub number: String,
    pub kind: ComplaintEventKind,
    /// The step now waiting; none once closed.
    pub step: Option<u32>,
}

impl Sequenced for ComplaintEvent {
    fn seq(&self) -> u64 {
        self.seq
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintEventKind {
    Opened,
    /// A step completed or recorded on an outside party's behalf, a reply approved, or a
    /// draft saved: the flow moved or the step's content changed.
    StepDone,
    ReturnedForRevision,
    Closed,
    AttachmentAdded,
    /// The identity and files deleted under the retention rule.
    Purged,
}

impl ComplaintEventKind {
    /// The SSE event name.
    pub fn as_str(self) -> &'static str {
        match self {
            ComplaintEventKind::Opened => "opened",
            ComplaintEventKind::StepDone => "step_done",
            ComplaintEventKind::ReturnedForRevision => "returned_for_revision",
            ComplaintEventKind::Closed => "closed",
            ComplaintEventKind::AttachmentAdded => "attachment_added",
            ComplaintEventKind::Purged => "purged",
        }
    }
}

/// The queue's public bus (displays, counter screens).
pub type Events = Bus<Event>;
/// Complaint changes, for staff only.
pub type StaffEvents = Bus<ComplaintEvent>;

pub struct Bus<E> {
    tx: broadcast::Sender<Arc<E>>,
    recent: Arc<Mutex<VecDeque<Arc<E>>>>,
    /// The sequence number the store started at: events up to it are not kept here.
    start: Arc<std::sync::atomic::AtomicU64>,
}

// Not derived: a derive would ask `E: Clone`, while only the handles are cloned.
impl<E> Clone for Bus<E> {
    fn clone(&self) -> Self {
        Self {
            tx: self.tx.clone(),
            recent: self.recent.clone(),
            start: self.start.clone(),
        }
    }
}

/// What a client that last saw `since` needs.
pub enum CatchUp<E = Event> {
    /// The events after `since`, in order (possibly none).
    Events(Vec<Arc<E>>),
    /// Too old: reload the snapshot.
    Resync,
}

impl<E: Sequenced> Bus<E> {
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
    pub fn publish(&self, event: E) {
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

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<E>> {
        self.tx.subscribe()
    }

    /// The kept events after `since`. Subscribe first, then catch up, then skip what the
    /// subscription repeats (by sequence number): nothing is lost in between.
    pub fn since(&self, since: u64) -> CatchUp<E> {
        let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let start = self.start.load(std::sync::atomic::Ordering::Relaxed);
        let first_kept = recent.front().map_or(start.saturating_add(1), |e| e.seq());
        let newest = recent.back().map_or(start, |e| e.seq());
        // Too far behind, or ahead of us (a store restored from a backup): start afresh.
        if since.saturating_add(1) < first_kept || since > newest {
            CatchUp::Resync
        } else {
            CatchUp::Events(recent.iter().filter(|e| e.seq() > since).cloned().collect())
        }
    }

    /// The newest sequence number published (or the start): a page rendered now has seen
    /// every change up to it and subscribes with `since` it.
    pub fn newest(&self) -> u64 {
        let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent
            .back()
            .map_or(self.start.load(std::sync::atomic::Ordering::Relaxed), |e| {
                e.seq()
            })
    }

    /// A recent event by sequence number (an announcement is fetched right after its call).
    pub fn get(&self, seq: u64) -> Option<Arc<E>> {
        let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.iter().rev().find(|e| e.seq() == seq).cloned()
    }
}
