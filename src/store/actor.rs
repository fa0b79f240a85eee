//! The store actor: one thread owns the database and the day's queue. Requests arrive on a
//! channel; those that arrive together are applied in order and committed in ONE durable
//! transaction (group commit), and only then answered, printed and published. Replying
//! before the commit is never done: a 201 means the ticket is on disk.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use chrono::{DateTime, Utc};
use redb::Database;
use thiserror::Error;
use tokio::sync::{mpsc, oneshot};
use tracing::{error, info, warn};

use super::tables::{self, StoreError};
use crate::clock::{Clock, local_date, rfc3339_local};
use crate::config::Config;
use crate::events::{Event, Events};
use crate::printer::PrintQueue;
use crate::queue::{
    Change, CounterOp, Estimate, Issued, QueueError, QueueState, QueueView, Ticket, TicketId,
};

/// Most requests applied in one transaction; bounds the latency of the batch's first.
const MAX_BATCH: usize = 256;
const CHANNEL: usize = 4096;

#[derive(Debug, Error)]
pub enum OpError {
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A ticket with where it stands now: people ahead and wait, while it is still queued.
#[derive(Debug, Clone)]
pub struct TicketStatus {
    pub ticket: Ticket,
    pub estimate: Option<Estimate>,
}

#[derive(Debug, Clone)]
pub struct Health {
    pub schema_version: u64,
    pub service_day: chrono::NaiveDate,
    pub event_seq: u64,
    pub tickets_today: usize,
    pub path: PathBuf,
}

type Reply<T> = oneshot::Sender<Result<T, OpError>>;

enum Command {
    Issue {
        service: String,
        priority: bool,
        reply: Reply<Issued>,
    },
    Counter {
        counter: u32,
        op: CounterOp,
        reply: Reply<Option<Ticket>>,
    },
    Ticket {
        id: TicketId,
        reply: Reply<Option<TicketStatus>>,
    },
    View {
        reply: Reply<QueueView>,
    },
    Health {
        reply: Reply<Health>,
    },
    Shutdown,
}

/// The async side's handle; cheap to clone.
#[derive(Clone)]
pub struct StoreHandle {
    tx: mpsc::Sender<Command>,
}

impl StoreHandle {
    async fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Command) -> Result<T, OpError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(make(reply))
            .await
            .map_err(|_| StoreError::Stopped)?;
        rx.await.map_err(|_| StoreError::Stopped)?
    }

    pub async fn issue(&self, service: String, priority: bool) -> Result<Issued, OpError> {
        self.ask(|reply| Command::Issue {
            service,
            priority,
            reply,
        })
        .await
    }

    pub async fn counter_op(&self, counter: u32, op: CounterOp) -> Result<Option<Ticket>, OpError> {
        self.ask(|reply| Command::Counter { counter, op, reply })
            .await
    }

    pub async fn ticket(&self, id: TicketId) -> Result<Option<TicketStatus>, OpError> {
        self.ask(|reply| Command::Ticket { id, reply }).await
    }

    pub async fn view(&self) -> Result<QueueView, OpError> {
        self.ask(|reply| Command::View { reply }).await
    }

    pub async fn health(&self) -> Result<Health, OpError> {
        self.ask(|reply| Command::Health { reply }).await
    }

    /// Stops the actor after the requests already queued; the database is closed when the
    /// returned thread handle is joined.
    pub async fn shutdown(&self) {
        let _ = self.tx.send(Command::Shutdown).await;
    }
}

struct Actor {
    db: Database,
    path: PathBuf,
    config: Arc<Config>,
    clock: Arc<dyn Clock>,
    events: Events,
    printer: PrintQueue,
    state: QueueState,
    event_seq: u64,
}

/// Opens (or creates) the store and starts its thread.
pub fn spawn(
    path: &Path,
    config: Arc<Config>,
    clock: Arc<dyn Clock>,
    events: Events,
    printer: PrintQueue,
    opener: Option<tables::Opener>,
) -> Result<Spawned, StoreError> {
    let db = tables::open(path, opener)?;
    let today = local_date(clock.now(), config.office.time_zone);
    let (state, event_seq) = tables::load(&db, path, today)?;
    info!(
        path = %path.display(),
        service_day = %state.service_day(),
        tickets_today = state.meta().next_id.saturating_sub(state.meta().day_first_id),
        "store open"
    );
    let (tx, rx) = mpsc::channel(CHANNEL);
    let (fatal_tx, fatal) = oneshot::channel();
    let actor = Actor {
        db,
        path: path.to_path_buf(),
        config,
        clock,
        events,
        printer,
        state,
        event_seq,
    };
    let thread = std::thread::Builder::new()
        .name("loket-store".to_string())
        .spawn(move || actor.run(rx, fatal_tx))
        .map_err(|e| StoreError::Corrupt {
            what: "store thread".to_string(),
            why: e.to_string(),
        })?;
    Ok(Spawned {
        handle: StoreHandle { tx },
        thread,
        fatal,
    })
}

pub struct Spawned {
    pub handle: StoreHandle,
    pub thread: JoinHandle<()>,
    /// Fires when the store stops on an error it cannot recover from.
    pub fatal: oneshot::Receiver<String>,
}

enum Flow {
    Continue,
    Stop,
    Fatal(String),
}

/// An answer held back until the batch is committed.
enum Pending {
    Issue(Reply<Issued>, Result<Issued, QueueError>),
    Counter(Reply<Option<Ticket>>, Result<Option<Ticket>, QueueError>),
    Read(Command),
}

impl Actor {
    fn run(mut self, mut rx: mpsc::Receiver<Command>, fatal: oneshot::Sender<String>) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while let Some(first) = rx.blocking_recv() {
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(c) => batch.push(c),
                    Err(_) => break,
                }
            }
            // A panic here would leave the daemon up with no writer; treat it as fatal so the
            // process exits and systemd restarts it on a clean reload of the file.
            let flow = std::panic::catch_unwind(AssertUnwindSafe(|| self.handle_batch(&mut batch)))
                .unwrap_or_else(|_| Flow::Fatal("the store thread panicked".to_string()));
            match flow {
                Flow::Continue => {}
                Flow::Stop => break,
                Flow::Fatal(why) => {
                    error!(%why, "store stopped: the daemon must restart");
                    let _ = fatal.send(why);
                    break;
                }
            }
        }
        info!("store closing");
        // Every change was committed already; dropping the Database only releases the file.
        drop(self.db);
    }

    fn handle_batch(&mut self, batch: &mut Vec<Command>) -> Flow {
        let now = self.clock.now();
        let mut pending = Vec::with_capacity(batch.len());
        let mut changes: Vec<(DateTime<Utc>, Change)> = Vec::new();
        let mut stop = false;
        // Any request, a read too, moves the queue to a new service day: the kiosk and the
        // lobby must not show yesterday's queue in the morning.
        self.start_day(now, &mut changes);
        for cmd in batch.drain(..) {
            match cmd {
                Command::Issue {
                    service,
                    priority,
                    reply,
                } => {
                    let r = self.state.issue(&self.config, &service, priority, now);
                    let r = r.map(|(issued, change)| {
                        changes.push((now, change));
                        issued
                    });
                    pending.push(Pending::Issue(reply, r));
                }
                Command::Counter { counter, op, reply } => {
                    let r = self.state.counter_op(&self.config, counter, &op, now);
                    let r = r.map(|(ticket, change)| {
                        if let Some(c) = change {
                            changes.push((now, c));
                        }
                        ticket
                    });
                    pending.push(Pending::Counter(reply, r));
                }
                Command::Shutdown => stop = true,
                read => pending.push(Pending::Read(read)),
            }
        }

        let dirty = self.state.take_dirty();
        let mut committed = true;
        if !dirty.tickets.is_empty() || dirty.meta.is_some() || !changes.is_empty() {
            let seq = self.event_seq + changes.len() as u64;
            match tables::write(&self.db, &dirty.tickets, dirty.meta, seq) {
                Ok(()) => self.event_seq = seq,
                Err(e) => {
                    error!(error = %e, "commit failed; reloading the day from the store");
                    committed = false;
                    if let Err(e) = self.reload(now) {
                        // Memory may now be ahead of the file: serving on would show tickets
                        // that do not exist. Stop; the restart reads the file afresh.
                        return Flow::Fatal(format!("reload after a failed commit: {e}"));
                    }
                }
            }
        }

        let mut events = Vec::with_capacity(changes.len());
        if committed {
            let first = self.event_seq + 1 - changes.len() as u64;
            for (i, (at, change)) in changes.into_iter().enumerate() {
                events.push(Event {
                    seq: first + i as u64,
                    at: rfc3339_local(at, self.config.office.time_zone),
                    change,
                });
            }
        }
        // Displays hear of a change no later than the client that made it.
        for e in events {
            self.events.publish(e);
        }
        for p in pending {
            self.answer(p, committed, now);
        }
        if stop { Flow::Stop } else { Flow::Continue }
    }

    fn start_day(&mut self, now: DateTime<Utc>, changes: &mut Vec<(DateTime<Utc>, Change)>) {
        if let Some(c) = self.state.advance_day(&self.config, now) {
            info!(service_day = %self.state.service_day(), "new service day");
            changes.push((now, c));
        }
    }

    fn reload(&mut self, now: DateTime<Utc>) -> Result<(), StoreError> {
        let today = local_date(now, self.config.office.time_zone);
        let (state, seq) = tables::load(&self.db, &self.path, today)?;
        self.state = state;
        self.event_seq = seq;
        Ok(())
    }

    fn answer(&mut self, p: Pending, committed: bool, now: DateTime<Utc>) {
        let failed = || OpError::Store(StoreError::CommitFailed);
        match p {
            Pending::Issue(reply, r) => {
                let r = match r {
                    Ok(_) if !committed => Err(failed()),
                    Ok(issued) => {
                        // Paper only for a ticket that exists on disk.
                        self.printer.submit(&issued);
                        Ok(issued)
                    }
                    Err(e) => Err(e.into()),
                };
                let _ = reply.send(r);
            }
            Pending::Counter(reply, r) => {
                let r = match r {
                    Ok(Some(_)) if !committed => Err(failed()),
                    Ok(t) => Ok(t),
                    Err(e) => Err(e.into()),
                };
                let _ = reply.send(r);
            }
            Pending::Read(cmd) => self.read(cmd, now),
        }
    }

    fn read(&self, cmd: Command, now: DateTime<Utc>) {
        match cmd {
            Command::Ticket { id, reply } => {
                let r = match self.state.ticket(id) {
                    Some(t) => Ok(Some(self.status(t.clone()))),
                    None => tables::read_ticket(&self.db, id)
                        .map(|t| t.map(|t| self.status(t)))
                        .map_err(OpError::from),
                };
                let _ = reply.send(r);
            }
            Command::View { reply } => {
                let _ = reply.send(Ok(self.state.view(&self.config, now)));
            }
            Command::Health { reply } => {
                let meta = self.state.meta();
                let _ = reply.send(Ok(Health {
                    schema_version: tables::SCHEMA_VERSION,
                    service_day: meta.service_day,
                    event_seq: self.event_seq,
                    tickets_today: meta.next_id.saturating_sub(meta.day_first_id) as usize,
                    path: self.path.clone(),
                }));
            }
            Command::Issue { reply, .. } => {
                warn!("issue reached the read path");
                let _ = reply.send(Err(StoreError::Stopped.into()));
            }
            Command::Counter { reply, .. } => {
                let _ = reply.send(Err(StoreError::Stopped.into()));
            }
            Command::Shutdown => {}
        }
    }

    fn status(&self, ticket: Ticket) -> TicketStatus {
        let estimate = if ticket.state.is_queued() && self.state.ticket(ticket.id).is_some() {
            self.config.service(&ticket.service).map(|s| {
                let ahead = self.state.people_ahead(&ticket);
                self.state.estimate(&self.config, s, ahead)
            })
        } else {
            None
        };
        TicketStatus { ticket, estimate }
    }
}
