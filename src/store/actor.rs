//! The store actor: one thread owns the database and the day's queue. Requests arrive on a
//! channel; those that arrive together are applied in order and committed in ONE durable
//! transaction (group commit), and only then answered, printed and published. Replying
//! before the commit is never done: a 201 means the ticket is on disk. With a printer, the
//! kiosk's answer waits for the paper too, and the print's outcome is committed as well.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use chrono::{DateTime, Utc};
use redb::Database;
use thiserror::Error;
use tokio::sync::{mpsc, oneshot};
use tracing::{error, info, warn};

use super::accounts::{self, AccountWrites};
use super::tables::{self, StoreError, Writes};
use crate::audit::{AuditEntry, Who};
use crate::auth::{Session, User};
use crate::clock::{Clock, local_date, rfc3339_local};
use crate::config::{Config, FailurePolicy};
use crate::events::{Event, Events};
use crate::printer::{PrintJob, PrintOutcome, Printer, PrinterEvent, PrinterStatus};
use crate::queue::{
    Change, CounterOp, Estimate, Issued, PrintMode, PrinterView, QueueError, QueueState, QueueView,
    Ticket, TicketId,
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

/// Figures for `/metrics`.
#[derive(Debug, Clone)]
pub struct Metrics {
    pub services: Vec<crate::queue::ServiceMetrics>,
    pub printer: PrinterStatus,
    pub unprinted: usize,
    pub event_seq: u64,
}

#[derive(Debug, Clone)]
pub struct Health {
    pub schema_version: u64,
    pub service_day: chrono::NaiveDate,
    pub event_seq: u64,
    pub tickets_today: usize,
    pub path: PathBuf,
    pub printer: PrinterStatus,
}

type Reply<T> = oneshot::Sender<Result<T, OpError>>;

enum Command {
    Issue {
        service: String,
        priority: bool,
        who: Who,
        reply: Reply<Issued>,
    },
    Counter {
        counter: u32,
        op: CounterOp,
        who: Who,
        reply: Reply<Option<Ticket>>,
    },
    Reprint {
        id: TicketId,
        who: Who,
        reply: Reply<Ticket>,
    },
    Void {
        id: TicketId,
        who: Who,
        reply: Reply<Ticket>,
    },
    UserPut {
        user: Box<User>,
        who: Who,
        action: String,
        /// Also ends the account's sessions (all but `Some(key)`), in the same transaction.
        revoke: Option<Option<String>>,
        reply: Reply<()>,
    },
    SessionPut {
        key: String,
        session: Box<Session>,
        who: Who,
        /// Audited as this action (a login); a plain refresh is not.
        action: Option<String>,
        reply: Reply<()>,
    },
    /// Moves a session's last use to `at`, if it still exists: a refresh must never bring
    /// back a session that a logout or revocation ended meanwhile.
    SessionTouch {
        key: String,
        at: DateTime<Utc>,
        reply: Reply<()>,
    },
    SessionDel {
        key: String,
        who: Who,
        reply: Reply<()>,
    },
    /// Ends every session of a user but `except` (after a password change, reset, disable).
    SessionsRevoke {
        username: String,
        except: Option<String>,
        who: Who,
        reply: Reply<()>,
    },
    Audit {
        who: Who,
        action: String,
        target: String,
        detail: String,
        reply: Reply<()>,
    },
    UserGet {
        username: String,
        reply: Reply<Option<User>>,
    },
    UserList {
        reply: Reply<Vec<User>>,
    },
    SessionGet {
        key: String,
        reply: Reply<Option<Session>>,
    },
    AuditEntries {
        reply: Reply<Vec<AuditEntry>>,
    },
    Metrics {
        reply: Reply<Metrics>,
    },
    Backup {
        dest: PathBuf,
        reply: Reply<super::backup::BackupSummary>,
    },
    Printer(PrinterEvent),
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

/// The store's inbox, made before the store so the printer can report into it.
pub struct Inbox(mpsc::Receiver<Command>);

pub fn channel() -> (StoreHandle, Inbox) {
    let (tx, rx) = mpsc::channel(CHANNEL);
    (StoreHandle { tx }, Inbox(rx))
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

    pub async fn issue(
        &self,
        service: String,
        priority: bool,
        who: Who,
    ) -> Result<Issued, OpError> {
        self.ask(|reply| Command::Issue {
            service,
            priority,
            who,
            reply,
        })
        .await
    }

    pub async fn counter_op(
        &self,
        counter: u32,
        op: CounterOp,
        who: Who,
    ) -> Result<Option<Ticket>, OpError> {
        self.ask(|reply| Command::Counter {
            counter,
            op,
            who,
            reply,
        })
        .await
    }

    pub async fn reprint(&self, id: TicketId, who: Who) -> Result<Ticket, OpError> {
        self.ask(|reply| Command::Reprint { id, who, reply }).await
    }

    pub async fn void(&self, id: TicketId, who: Who) -> Result<Ticket, OpError> {
        self.ask(|reply| Command::Void { id, who, reply }).await
    }

    /// Creates or updates an account; audited as `action`.
    pub async fn put_user(&self, user: User, who: Who, action: &str) -> Result<(), OpError> {
        self.ask(|reply| Command::UserPut {
            user: Box::new(user),
            who,
            action: action.to_string(),
            revoke: None,
            reply,
        })
        .await
    }

    /// Saves an account and ends its sessions but `except` in one transaction: a password
    /// change, reset or disable is never reported done while an old session lives on.
    pub async fn put_user_revoking(
        &self,
        user: User,
        except: Option<String>,
        who: Who,
        action: &str,
    ) -> Result<(), OpError> {
        self.ask(|reply| Command::UserPut {
            user: Box::new(user),
            who,
            action: action.to_string(),
            revoke: Some(except),
            reply,
        })
        .await
    }

    pub async fn user(&self, username: &str) -> Result<Option<User>, OpError> {
        let username = username.to_string();
        self.ask(|reply| Command::UserGet { username, reply }).await
    }

    pub async fn users(&self) -> Result<Vec<User>, OpError> {
        self.ask(|reply| Command::UserList { reply }).await
    }

    pub async fn put_session(
        &self,
        key: String,
        session: Session,
        who: Who,
        action: Option<&str>,
    ) -> Result<(), OpError> {
        self.ask(|reply| Command::SessionPut {
            key,
            session: Box::new(session),
            who,
            action: action.map(str::to_string),
            reply,
        })
        .await
    }

    pub async fn session(&self, key: &str) -> Result<Option<Session>, OpError> {
        let key = key.to_string();
        self.ask(|reply| Command::SessionGet { key, reply }).await
    }

    pub async fn revoke_sessions(
        &self,
        username: &str,
        except: Option<String>,
        who: Who,
    ) -> Result<(), OpError> {
        let username = username.to_string();
        self.ask(|reply| Command::SessionsRevoke {
            username,
            except,
            who,
            reply,
        })
        .await
    }

    /// Records a session's use at `at`; a session that no longer exists stays gone.
    pub async fn touch_session(&self, key: String, at: DateTime<Utc>) -> Result<(), OpError> {
        self.ask(|reply| Command::SessionTouch { key, at, reply })
            .await
    }

    pub async fn delete_session(&self, key: String, who: Who) -> Result<(), OpError> {
        self.ask(|reply| Command::SessionDel { key, who, reply })
            .await
    }

    /// Appends to the audit log what changes nothing else (a failed login, a read).
    pub async fn audit(
        &self,
        who: Who,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<(), OpError> {
        let (action, target, detail) = (action.to_string(), target.to_string(), detail.to_string());
        self.ask(|reply| Command::Audit {
            who,
            action,
            target,
            detail,
            reply,
        })
        .await
    }

    /// A consistent copy of the database at `dest`, made while the daemon goes on serving.
    pub async fn backup(&self, dest: PathBuf) -> Result<super::backup::BackupSummary, OpError> {
        self.ask(|reply| Command::Backup { dest, reply }).await
    }

    pub async fn metrics(&self) -> Result<Metrics, OpError> {
        self.ask(|reply| Command::Metrics { reply }).await
    }

    pub async fn audit_entries(&self) -> Result<Vec<AuditEntry>, OpError> {
        self.ask(|reply| Command::AuditEntries { reply }).await
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

    /// From the printer thread (not async): status changes and print outcomes.
    pub fn printer_event(&self, event: PrinterEvent) {
        if self.tx.blocking_send(Command::Printer(event)).is_err() {
            warn!("printer event after the store stopped");
        }
    }

    /// Stops the actor after the requests already queued and the prints in flight; the
    /// database is closed when the returned thread handle is joined.
    pub async fn shutdown(&self) {
        let _ = self.tx.send(Command::Shutdown).await;
    }
}

/// Someone waiting for the paper.
enum Waiter {
    Issue(Reply<Issued>, Box<Issued>),
    Reprint(Reply<Ticket>),
}

struct Actor {
    /// Shared with backup threads, which read a snapshot while the actor writes on.
    db: Arc<Database>,
    path: PathBuf,
    config: Arc<Config>,
    clock: Arc<dyn Clock>,
    events: Events,
    printer: Option<Printer>,
    printer_status: PrinterStatus,
    waiters: HashMap<TicketId, Waiter>,
    stopping: bool,
    state: QueueState,
    event_seq: u64,
    /// Where the next audit entry chains on: the last one's sequence number and hash.
    audit_head: (u64, String),
    /// Account and audit records of the batch under way.
    accounts: AccountWrites,
}

pub struct Spawned {
    pub thread: JoinHandle<()>,
    /// Fires when the store stops on an error it cannot recover from.
    pub fatal: oneshot::Receiver<String>,
}

/// Opens (or creates) the store and starts its thread on `inbox`.
pub fn spawn(
    path: &Path,
    inbox: Inbox,
    config: Arc<Config>,
    clock: Arc<dyn Clock>,
    events: Events,
    printer: Option<Printer>,
    opener: Option<tables::Opener>,
) -> Result<Spawned, StoreError> {
    let db = tables::open(path, opener)?;
    let today = local_date(clock.now(), config.office.time_zone);
    let (state, event_seq) = tables::load(&db, path, today)?;
    let audit_head = accounts::audit_head(&db)?;
    events.set_start(event_seq);
    let meta = state.meta();
    info!(
        path = %path.display(),
        service_day = %state.service_day(),
        tickets_today = meta.next_id.saturating_sub(meta.day_first_id),
        "store open"
    );
    let (fatal_tx, fatal) = oneshot::channel();
    let printer_status = if printer.is_some() {
        PrinterStatus::Unreachable
    } else {
        PrinterStatus::Disabled
    };
    let actor = Actor {
        db: Arc::new(db),
        path: path.to_path_buf(),
        config,
        clock,
        events,
        printer,
        printer_status,
        waiters: HashMap::new(),
        stopping: false,
        state,
        event_seq,
        audit_head,
        accounts: AccountWrites::default(),
    };
    let thread = std::thread::Builder::new()
        .name("loket-store".to_string())
        .spawn(move || actor.run(inbox.0, fatal_tx))
        .map_err(|e| StoreError::Corrupt {
            what: "store thread".to_string(),
            why: e.to_string(),
        })?;
    Ok(Spawned { thread, fatal })
}

/// A reprint or void of a ticket whose print is still under way: the outcome decides first.
fn being_printed(id: TicketId) -> QueueError {
    QueueError::WrongState {
        ticket: id.to_string(),
        state: "sedang dicetak".to_string(),
    }
}

/// Answers a write that arrives during a graceful stop; passes anything else through.
fn refuse_write(cmd: Command) -> Option<Command> {
    match cmd {
        Command::Issue { reply, .. } => {
            let _ = reply.send(Err(StoreError::Stopped.into()));
            None
        }
        Command::Counter { reply, .. } => {
            let _ = reply.send(Err(StoreError::Stopped.into()));
            None
        }
        Command::Reprint { reply, .. } | Command::Void { reply, .. } => {
            let _ = reply.send(Err(StoreError::Stopped.into()));
            None
        }
        Command::UserPut { reply, .. }
        | Command::SessionPut { reply, .. }
        | Command::SessionDel { reply, .. }
        | Command::SessionTouch { reply, .. }
        | Command::SessionsRevoke { reply, .. }
        | Command::Audit { reply, .. } => {
            let _ = reply.send(Err(StoreError::Stopped.into()));
            None
        }
        other => Some(other),
    }
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
    Reprint(Reply<Ticket>, Result<Ticket, QueueError>),
    Void(Reply<Ticket>, Result<Ticket, QueueError>),
    Printed(TicketId, PrintOutcome, Result<Ticket, QueueError>),
    Done(Reply<()>),
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
        // Any request, a read too, moves the queue to a new service day: the kiosk and the
        // lobby must not show yesterday's queue in the morning.
        self.start_day(now, &mut changes);
        let mode = self
            .printer
            .as_ref()
            .map_or(PrintMode::NoPrinter, Printer::mode);
        for cmd in batch.drain(..) {
            // Stopping: finish what is in flight, take nothing new.
            let cmd = if self.stopping {
                refuse_write(cmd)
            } else {
                Some(cmd)
            };
            let Some(cmd) = cmd else { continue };
            match cmd {
                Command::Issue {
                    service,
                    priority,
                    who,
                    reply,
                } => {
                    let r = self
                        .state
                        .issue(&self.config, &service, priority, mode, now);
                    let r = r.map(|(issued, change)| {
                        changes.push((now, change));
                        issued
                    });
                    if let Ok(i) = &r {
                        let detail = if priority { "prioritas" } else { "" };
                        self.audit(now, &who, "ticket_issued", &i.ticket.label, detail);
                    }
                    pending.push(Pending::Issue(reply, r));
                }
                Command::Counter {
                    counter,
                    op,
                    who,
                    reply,
                } => {
                    let r = self.state.counter_op(&self.config, counter, &op, now);
                    let r = r.map(|(ticket, change)| {
                        changes.extend(change.map(|c| (now, c)));
                        ticket
                    });
                    if let Ok(Some(t)) = &r {
                        let action = format!("counter_{}", op.name().replace('-', "_"));
                        self.audit(now, &who, &action, &t.label, &format!("loket {counter}"));
                    }
                    pending.push(Pending::Counter(reply, r));
                }
                Command::UserPut {
                    user,
                    who,
                    action,
                    revoke,
                    reply,
                } => {
                    // The sessions to end are read first: if that fails, nothing of this
                    // edit is written and the caller hears so.
                    let ending = match revoke {
                        Some(except) => match self.sessions_to_end(&user.username, except) {
                            Ok(keys) => Some(keys),
                            Err(e) => {
                                let _ = reply.send(Err(e.into()));
                                continue;
                            }
                        },
                        None => None,
                    };
                    self.audit(now, &who, &action, &user.username, "");
                    if let Some(keys) = ending {
                        self.end_sessions(now, &who, &user.username, keys);
                    }
                    self.accounts.users.push(*user);
                    pending.push(Pending::Done(reply));
                }
                Command::SessionPut {
                    key,
                    session,
                    who,
                    action,
                    reply,
                } => {
                    if let Some(action) = action {
                        self.audit(now, &who, &action, &session.username, "");
                    }
                    self.accounts.sessions.push((key, Some(*session)));
                    pending.push(Pending::Done(reply));
                }
                Command::SessionsRevoke {
                    username,
                    except,
                    who,
                    reply,
                } => match self.sessions_to_end(&username, except) {
                    Ok(keys) => {
                        self.end_sessions(now, &who, &username, keys);
                        pending.push(Pending::Done(reply));
                    }
                    Err(e) => {
                        let _ = reply.send(Err(e.into()));
                    }
                },
                Command::SessionTouch { key, at, reply } => match self.live_session(&key) {
                    Ok(Some(mut session)) => {
                        session.last_seen = at;
                        self.accounts.sessions.push((key, Some(session)));
                        pending.push(Pending::Done(reply));
                    }
                    Ok(None) => pending.push(Pending::Done(reply)),
                    Err(e) => {
                        let _ = reply.send(Err(e.into()));
                    }
                },
                Command::SessionDel { key, who, reply } => {
                    self.audit(now, &who, "logout", &who.actor, "");
                    self.accounts.sessions.push((key, None));
                    pending.push(Pending::Done(reply));
                }
                Command::Audit {
                    who,
                    action,
                    target,
                    detail,
                    reply,
                } => {
                    self.audit(now, &who, &action, &target, &detail);
                    pending.push(Pending::Done(reply));
                }
                Command::Reprint { id, who, reply } => {
                    let r = if self.printer.is_none() {
                        Err(QueueError::PrinterNotReady(
                            PrinterStatus::Disabled.label_id().to_string(),
                        ))
                    } else if self.waiters.contains_key(&id) {
                        Err(being_printed(id))
                    } else {
                        self.state.reprint(id, now).map(|(t, c)| {
                            changes.push((now, c));
                            t
                        })
                    };
                    if let Ok(t) = &r {
                        self.audit(now, &who, "ticket_reprint", &t.label, "");
                    }
                    pending.push(Pending::Reprint(reply, r));
                }
                Command::Void { id, who, reply } => {
                    let r = if self.waiters.contains_key(&id) {
                        // Its print is under way: the outcome decides; void it after.
                        Err(being_printed(id))
                    } else {
                        self.state.void(id, now).map(|(t, c)| {
                            changes.push((now, c));
                            t
                        })
                    };
                    if let Ok(t) = &r {
                        self.audit(now, &who, "ticket_voided", &t.label, "");
                    }
                    pending.push(Pending::Void(reply, r));
                }
                Command::Printer(PrinterEvent::Status(status)) => {
                    if status != self.printer_status {
                        self.printer_status = status;
                        self.audit(now, &Who::system(), "printer_status", "", status.label_id());
                        changes.push((
                            now,
                            Change::PrinterStatus {
                                status,
                                label: status.label_id(),
                            },
                        ));
                    }
                }
                Command::Printer(PrinterEvent::Printed { id, outcome }) => {
                    let first_print = matches!(self.waiters.get(&id), Some(Waiter::Issue(..)));
                    let r = match &outcome {
                        PrintOutcome::Printed => self.state.print_done(id, true, now),
                        // A first print never sent is voided; a reprint stays held.
                        PrintOutcome::NotSent(_) if first_print => {
                            self.state.print_not_sent(id, now)
                        }
                        _ => self.state.print_done(id, false, now),
                    };
                    let r = r.map(|(t, c)| {
                        changes.extend(c.map(|c| (now, c)));
                        t
                    });
                    if let Ok(t) = &r {
                        let action = match outcome {
                            PrintOutcome::Printed => "ticket_printed",
                            PrintOutcome::NotSent(_) => "ticket_not_printed",
                            PrintOutcome::Failed(_) => "ticket_print_failed",
                        };
                        self.audit(now, &Who::new("printer", ""), action, &t.label, "");
                    }
                    pending.push(Pending::Printed(id, outcome, r));
                }
                Command::Shutdown => self.stopping = true,
                read => pending.push(Pending::Read(read)),
            }
        }

        let dirty = self.state.take_dirty();
        let writes = Writes {
            tickets: dirty.tickets,
            meta: dirty.meta,
            event_seq: self.event_seq + changes.len() as u64,
            accounts: std::mem::take(&mut self.accounts),
        };
        let mut committed = true;
        if !writes.is_empty() || !changes.is_empty() {
            let seq = writes.event_seq;
            match tables::write(&self.db, &writes) {
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

        // Displays hear of a change no later than the client that made it.
        if committed {
            let first = self.event_seq + 1 - changes.len() as u64;
            for (i, (at, change)) in changes.into_iter().enumerate() {
                self.events.publish(Event {
                    seq: first + i as u64,
                    at: rfc3339_local(at, self.config.office.time_zone),
                    change,
                });
            }
        }
        for p in pending {
            self.answer(p, committed, now);
        }
        // A graceful stop waits for the prints in flight, so no ticket is left half-done.
        if self.stopping && self.waiters.is_empty() {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }

    fn start_day(&mut self, now: DateTime<Utc>, changes: &mut Vec<(DateTime<Utc>, Change)>) {
        if let Some(c) = self.state.advance_day(&self.config, now) {
            info!(service_day = %self.state.service_day(), "new service day");
            let day = self.state.service_day().to_string();
            self.audit(now, &Who::system(), "service_day_started", &day, "");
            changes.push((now, c));
        }
    }

    /// The keys of `username`'s sessions but `except`: those on disk and those this batch
    /// has yet to write (a login queued just before a password reset must end with it).
    fn sessions_to_end(
        &self,
        username: &str,
        except: Option<String>,
    ) -> Result<Vec<String>, StoreError> {
        let mut keys = accounts::session_keys_of(&self.db, username)?;
        for (key, session) in &self.accounts.sessions {
            match session {
                Some(s) if s.username == username => {
                    if !keys.contains(key) {
                        keys.push(key.clone());
                    }
                }
                None => keys.retain(|k| k != key),
                Some(_) => {}
            }
        }
        keys.retain(|k| Some(k) != except.as_ref());
        Ok(keys)
    }

    /// A session as this batch leaves it: its own pending write if it has one, else the file.
    fn live_session(&self, key: &str) -> Result<Option<Session>, StoreError> {
        match self.accounts.sessions.iter().rev().find(|(k, _)| k == key) {
            Some((_, pending)) => Ok(pending.clone()),
            None => accounts::read_session(&self.db, key),
        }
    }

    /// Deletes these sessions with this batch, audited as one revocation.
    fn end_sessions(&mut self, now: DateTime<Utc>, who: &Who, username: &str, keys: Vec<String>) {
        self.audit(
            now,
            who,
            "sessions_revoked",
            username,
            &keys.len().to_string(),
        );
        for k in keys {
            self.accounts.sessions.push((k, None));
        }
    }

    /// Chains an audit entry on the log, written with the rest of this batch.
    fn audit(&mut self, now: DateTime<Utc>, who: &Who, action: &str, target: &str, detail: &str) {
        let e = AuditEntry::new(
            (self.audit_head.0, &self.audit_head.1),
            now,
            who,
            action,
            target,
            detail,
        );
        self.audit_head = (e.seq, e.hash.clone());
        self.accounts.audit.push(e);
    }

    fn reload(&mut self, now: DateTime<Utc>) -> Result<(), StoreError> {
        let today = local_date(now, self.config.office.time_zone);
        let (state, seq) = tables::load(&self.db, &self.path, today)?;
        self.state = state;
        self.event_seq = seq;
        self.audit_head = accounts::audit_head(&self.db)?;
        self.accounts = AccountWrites::default();
        Ok(())
    }

    /// Hands a committed ticket to the printer; false when the printer thread is gone.
    fn send_to_printer(&self, ticket: &Ticket) -> bool {
        let Some(printer) = &self.printer else {
            return false;
        };
        let estimate = self
            .config
            .service(&ticket.service)
            .map(|s| {
                let ahead = self.state.people_ahead(ticket);
                self.state.estimate(&self.config, s, ahead)
            })
            .unwrap_or(Estimate {
                people_ahead: 0,
                minutes: 0,
            });
        printer.print(PrintJob {
            ticket: ticket.clone(),
            estimate,
        })
    }

    fn answer(&mut self, p: Pending, committed: bool, now: DateTime<Utc>) {
        let failed = || OpError::Store(StoreError::CommitFailed);
        match p {
            Pending::Issue(reply, r) => match r {
                Ok(_) if !committed => {
                    let _ = reply.send(Err(failed()));
                }
                Ok(issued) if self.printer.is_some() => {
                    // The estimate printed is the one the kiosk shows.
                    let job = PrintJob {
                        ticket: issued.ticket.clone(),
                        estimate: issued.estimate,
                    };
                    if self.printer.as_ref().is_some_and(|p| p.print(job)) {
                        self.waiters
                            .insert(issued.ticket.id, Waiter::Issue(reply, Box::new(issued)));
                    } else {
                        let _ = reply.send(Err(StoreError::Stopped.into()));
                    }
                }
                Ok(issued) => {
                    let _ = reply.send(Ok(issued));
                }
                Err(e) => {
                    let _ = reply.send(Err(e.into()));
                }
            },
            Pending::Counter(reply, r) => {
                let r = match r {
                    Ok(Some(_)) if !committed => Err(failed()),
                    Ok(t) => Ok(t),
                    Err(e) => Err(e.into()),
                };
                let _ = reply.send(r);
            }
            Pending::Reprint(reply, r) => match r {
                Ok(_) if !committed => {
                    let _ = reply.send(Err(failed()));
                }
                Ok(t) => {
                    if self.send_to_printer(&t) {
                        self.waiters.insert(t.id, Waiter::Reprint(reply));
                    } else {
                        let _ = reply.send(Err(StoreError::Stopped.into()));
                    }
                }
                Err(e) => {
                    let _ = reply.send(Err(e.into()));
                }
            },
            Pending::Void(reply, r) => {
                let r = match r {
                    Ok(_) if !committed => Err(failed()),
                    Ok(t) => Ok(t),
                    Err(e) => Err(e.into()),
                };
                let _ = reply.send(r);
            }
            Pending::Printed(id, outcome, r) => {
                let Some(waiter) = self.waiters.remove(&id) else {
                    return;
                };
                let result = match r {
                    Ok(_) if !committed => Err(failed()),
                    Ok(t) => Ok(t),
                    Err(e) => Err(e.into()),
                };
                let refuse =
                    self.printer.as_ref().map(Printer::policy) == Some(FailurePolicy::Refuse);
                match waiter {
                    Waiter::Issue(reply, mut issued) => {
                        let r = result.and_then(|t| match &outcome {
                            PrintOutcome::NotSent(why) if refuse => {
                                Err(QueueError::PrinterNotReady(why.clone()).into())
                            }
                            PrintOutcome::Failed(_) if refuse => {
                                Err(QueueError::PrintFailed(t.label).into())
                            }
                            _ => {
                                issued.ticket = t;
                                Ok(*issued)
                            }
                        });
                        let _ = reply.send(r);
                    }
                    Waiter::Reprint(reply) => {
                        let r = result.and_then(|t| match outcome {
                            PrintOutcome::Printed => Ok(t),
                            _ => Err(QueueError::PrintFailed(t.label).into()),
                        });
                        let _ = reply.send(r);
                    }
                }
            }
            Pending::Done(reply) => {
                let _ = reply.send(if committed { Ok(()) } else { Err(failed()) });
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
                let mut view = self.state.view(&self.config, now);
                view.event_seq = self.event_seq;
                view.printer = Some(PrinterView {
                    status: self.printer_status,
                    label: self.printer_status.label_id(),
                    ready: self.printer_status.ready(),
                });
                let _ = reply.send(Ok(view));
            }
            Command::Health { reply } => {
                let meta = self.state.meta();
                let _ = reply.send(Ok(Health {
                    schema_version: tables::SCHEMA_VERSION,
                    service_day: meta.service_day,
                    event_seq: self.event_seq,
                    tickets_today: meta.next_id.saturating_sub(meta.day_first_id) as usize,
                    path: self.path.clone(),
                    printer: self.printer_status,
                }));
            }
            Command::UserGet { username, reply } => {
                let _ = reply.send(accounts::read_user(&self.db, &username).map_err(Into::into));
            }
            Command::UserList { reply } => {
                let _ = reply.send(accounts::list_users(&self.db).map_err(Into::into));
            }
            Command::SessionGet { key, reply } => {
                let _ = reply.send(accounts::read_session(&self.db, &key).map_err(Into::into));
            }
            Command::Backup { dest, reply } => {
                // A snapshot read on a thread of its own: writes go on meanwhile.
                let db = self.db.clone();
                let spawned = std::thread::Builder::new()
                    .name("loket-backup".to_string())
                    .spawn(move || {
                        let _ = reply.send(super::backup::copy_to(&db, &dest).map_err(Into::into));
                    });
                if let Err(e) = spawned {
                    error!(error = %e, "cannot start the backup thread");
                }
            }
            Command::Metrics { reply } => {
                let _ = reply.send(Ok(Metrics {
                    services: self.state.metrics(&self.config),
                    printer: self.printer_status,
                    unprinted: self.state.view(&self.config, now).unprinted.len(),
                    event_seq: self.event_seq,
                }));
            }
            Command::AuditEntries { reply } => {
                let _ = reply.send(accounts::audit_entries(&self.db).map_err(Into::into));
            }
            // Writes never reach the read path; answer rather than leave a caller hanging.
            Command::Issue { reply, .. } => {
                let _ = reply.send(Err(StoreError::Stopped.into()));
            }
            Command::Counter { reply, .. } => {
                let _ = reply.send(Err(StoreError::Stopped.into()));
            }
            Command::Reprint { reply, .. } | Command::Void { reply, .. } => {
                let _ = reply.send(Err(StoreError::Stopped.into()));
            }
            Command::UserPut { reply, .. }
            | Command::SessionPut { reply, .. }
            | Command::SessionDel { reply, .. }
            | Command::SessionTouch { reply, .. }
            | Command::SessionsRevoke { reply, .. }
            | Command::Audit { reply, .. } => {
                let _ = reply.send(Err(StoreError::Stopped.into()));
            }
            Command::Printer(_) | Command::Shutdown => {}
        }
    }

    fn status(&self, ticket: Ticket) -> TicketStatus {
        let queued = ticket.state.is_queued() && ticket.print.callable();
        let estimate = if queued && self.state.ticket(ticket.id).is_some() {
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
