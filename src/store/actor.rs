//! The store actor: one thread owns the database and the day's queue. Requests arrive on a
//! channel; those that arrive together are applied in order and committed in ONE durable
//! transaction (group commit), and only then answered, printed and published. Replying
//! before the commit is never done: a 201 means the ticket is on disk. With a printer, the
//! kiosk's answer waits for the paper too, and the print's outcome is committed as well.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;

use chrono::{DateTime, Utc};
use redb::{Database, WriteTransaction};
use thiserror::Error;
use tokio::sync::{mpsc, oneshot};
use tracing::{error, info, warn};

use super::accounts::{self, AccountWrites};
use super::complaints::{
    self, ActionRow, AfterCommit, Complaint, ComplaintCounts, ComplaintOp, ComplaintOut, Identity,
    NewComplaint, PurgeSummary, RegisterPage, RegisterQuery, WorkList,
};
use super::fault::{self, Damage, Degraded, Fault, StoreStatus};
use super::reports;
use super::survey::{SurveyOp, SurveyOut, SurveyStatus};
use super::tables::{self, StoreError, Writes};
use crate::audit::{AuditEntry, Who};
use crate::auth::{Session, User};
use crate::clock::{Clock, local_date, rfc3339_local};
use crate::config::{Config, FailurePolicy};
use crate::events::{ComplaintEvent, Event, Events, StaffEvents};
use crate::printer::{PrintJob, PrintOutcome, Printer, PrinterEvent, PrinterStatus};
use crate::queue::{
    Change, CounterOp, Estimate, Issued, PrintMode, PrinterView, QueueError, QueueState, QueueView,
    Ticket, TicketId,
};
use crate::survey::response::{Answers, Channel, Response};

/// Most requests applied in one transaction; bounds the latency of the batch's first.
const MAX_BATCH: usize = 256;
const CHANNEL: usize = 4096;

#[derive(Debug, Error)]
pub enum OpError {
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error(transparent)]
    Account(#[from] AccountRefusal),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The complaint engine's refusal, or a complaint or ticket not found.
    #[error(transparent)]
    Complaint(#[from] crate::complaint::ComplaintError),
    #[error(transparent)]
    Attachment(#[from] crate::attachments::AttachmentError),
    #[error(transparent)]
    Survey(#[from] super::survey::SurveyRefusal),
}

/// Why an account change or a login was refused, decided inside the store's transaction so
/// that no other change can slip in between the check and the write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccountRefusal {
    #[error("no such account")]
    Unknown,
    #[error("the account exists already")]
    Exists,
    #[error("the account is disabled")]
    Disabled,
    /// Its password changed after the request checked it (a login or a password change
    /// racing a reset): the request's check no longer holds.
    #[error("the account changed meanwhile")]
    Changed,
    /// The change would leave the office with no enabled administrator: nobody could
    /// manage accounts or settings without the box's shell.
    #[error("the last active administrator")]
    LastAdmin,
}

/// An edit applied to an account as the store holds it at the moment of writing.
pub type UserEdit = Box<dyn FnOnce(&mut User) -> Result<(), AccountRefusal> + Send>;

/// A ticket with where it stands now: people ahead and wait, while it is still queued.
#[derive(Debug, Clone)]
pub struct TicketStatus {
    pub ticket: Ticket,
    pub estimate: Option<Estimate>,
}

/// Figures for `/metrics`.
/// In degraded mode with the database not open, the queue and complaint figures are left
/// out (empty): the memory may hold a batch that never committed.
#[derive(Debug, Clone)]
pub struct Metrics {
    pub store: StoreStatus,
    /// Set once a read met a damaged page (see `fault::Damage`).
    pub damage: Option<Damage>,
    /// The clock's date while it is implausibly far ahead of the service day.
    pub clock_suspect: Option<chrono::NaiveDate>,
    pub services: Vec<crate::queue::ServiceMetrics>,
    pub printer: PrinterStatus,
    pub unprinted: usize,
    pub event_seq: u64,
    pub complaints: ComplaintCounts,
    /// The city outbox (`[city]` configured): rows written and acknowledged.
    pub outbox: Option<super::outbox::OutboxState>,
}

#[derive(Debug, Clone)]
pub struct Health {
    /// `Degraded` while the disk refuses writes; the figures below are the last committed.
    pub store: StoreStatus,
    /// Set once a read met a damaged page: the tables `store::check` found damaged.
    pub damage: Option<Damage>,
    /// The clock's date while it is implausibly far ahead of `service_day`.
    pub clock_suspect: Option<chrono::NaiveDate>,
    pub schema_version: u64,
    pub service_day: chrono::NaiveDate,
    pub event_seq: u64,
    pub tickets_today: usize,
    pub path: PathBuf,
    pub printer: PrinterStatus,
    /// The city outbox (`[city]` configured): rows written and acknowledged.
    pub outbox: Option<super::outbox::OutboxState>,
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
        reply: Reply<()>,
    },
    /// Applies `edit` to the account as this batch leaves it; with `revoke`, ends its
    /// sessions (all but `Some(key)`) in the same transaction.
    UserEdit {
        username: String,
        edit: UserEdit,
        revoke: Option<Option<String>>,
        who: Who,
        action: String,
        reply: Reply<()>,
    },
    /// Adds an account unless one of that name exists.
    UserAdd {
        user: Box<User>,
        who: Who,
        reply: Reply<()>,
    },
    SessionPut {
        key: String,
        session: Box<Session>,
        /// For a login: the password hash the request verified. The session is written only
        /// if the account still has it and is enabled.
        verified: Option<String>,
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
        /// The audit action: `logout`, or `session_expired` when found past its limits.
        action: &'static str,
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
    /// An administrator confirms the clock's day as the new service day, although it is
    /// implausibly far ahead of the last one.
    ConfirmDay {
        who: Who,
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
    ComplaintActions {
        seq: u64,
        reply: Reply<Vec<ActionRow>>,
    },
    Metrics {
        reply: Reply<Metrics>,
    },
    /// The queue aggregates of `from..=to`: stored ones, and today's from memory.
    DayAggregates {
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        reply: Reply<Vec<crate::report::DayAggregate>>,
    },
    Backup {
        dest: PathBuf,
        reply: Reply<super::backup::BackupSummary>,
    },
    Printer(PrinterEvent),
    /// The complaint domain's one way in (`store::complaints`).
    Complaint {
        op: ComplaintOp,
        who: Who,
        reply: Reply<ComplaintOut>,
    },
    /// The survey's one way in (`store::survey`).
    Survey {
        op: SurveyOp,
        reply: Reply<SurveyOut>,
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
    /// The outbox's rows after `after` (`store::outbox`), for the city exporter.
    OutboxRead {
        after: u64,
        limit: usize,
        reply: Reply<Vec<(u64, super::outbox::Record)>>,
    },
    /// A write of the outbox's own: an acknowledgement, a resync after a restore, a step of
    /// the backfill.
    OutboxWrite {
        op: OutboxOp,
        reply: Reply<u64>,
    },
    OutboxState {
        reply: Reply<super::outbox::OutboxState>,
    },
    Shutdown,
}

impl Command {
    /// Whether the command asks for a commit (the reads that audit, a complaint's view of
    /// an identity, count as writes: they cannot be answered without their audit entry).
    fn writes(&self) -> bool {
        match self {
            Command::Complaint { op, .. } => !op.reads_only(),
            Command::Survey { op, .. } => op.writes(),
            Command::Issue { .. }
            | Command::Counter { .. }
            | Command::Reprint { .. }
            | Command::Void { .. }
            | Command::UserPut { .. }
            | Command::UserEdit { .. }
            | Command::UserAdd { .. }
            | Command::SessionPut { .. }
            | Command::SessionTouch { .. }
            | Command::SessionDel { .. }
            | Command::SessionsRevoke { .. }
            | Command::Audit { .. }
            | Command::ConfirmDay { .. }
            | Command::OutboxWrite { .. }
            | Command::Printer(_) => true,
            _ => false,
        }
    }
}

/// The outbox's own writes (`Command::OutboxWrite`).
pub(super) enum OutboxOp {
    /// The city server committed every row up to this number.
    Ack(u64),
    /// After a restore (`outbox::resync`).
    Resync { after: u64, server_last: u64 },
    /// One step of the backfill (`outbox_backfill::step`).
    Backfill,
}

/// Records a backfill step appends at least (whole complaints, months, tickets): a step
/// holds the store a few milliseconds (docs/city.md, "Backfill").
const BACKFILL_STEP: usize = 250;

/// The async side's handle; cheap to clone.
#[derive(Clone)]
pub struct StoreHandle {
    tx: mpsc::Sender<Command>,
    /// Set by the store when a request met a damaged page: a request whose answer was lost
    /// in the panic is told so, not that the store stopped.
    damaged: Arc<AtomicBool>,
    /// Outbox reads asked of the store (`outbox_after`): each runs on a thread of its own.
    outbox_reads: Arc<AtomicU64>,
}

/// The store's inbox, made before the store so the printer can report into it.
pub struct Inbox(mpsc::Receiver<Command>, Arc<AtomicBool>);

pub fn channel() -> (StoreHandle, Inbox) {
    let (tx, rx) = mpsc::channel(CHANNEL);
    let damaged = Arc::new(AtomicBool::new(false));
    (
        StoreHandle {
            tx,
            damaged: damaged.clone(),
            outbox_reads: Arc::new(AtomicU64::new(0)),
        },
        Inbox(rx, damaged),
    )
}

impl StoreHandle {
    async fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Command) -> Result<T, OpError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(make(reply))
            .await
            .map_err(|_| StoreError::Stopped)?;
        rx.await.map_err(|_| {
            if self.damaged.load(Ordering::Acquire) {
                StoreError::Damaged
            } else {
                StoreError::Stopped
            }
        })?
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

    /// Changes an account as the store holds it when the change is written (never a copy
    /// read earlier, which would undo a change made meanwhile); with `revoke`, its sessions
    /// but `Some(key)` end in the same transaction.
    pub async fn edit_user(
        &self,
        username: &str,
        edit: UserEdit,
        revoke: Option<Option<String>>,
        who: Who,
        action: &str,
    ) -> Result<(), OpError> {
        let username = username.to_string();
        self.ask(|reply| Command::UserEdit {
            username,
            edit,
            revoke,
            who,
            action: action.to_string(),
            reply,
        })
        .await
    }

    /// Adds an account; refused (`AccountRefusal::Exists`) if the name is taken.
    pub async fn add_user(&self, user: User, who: Who) -> Result<(), OpError> {
        self.ask(|reply| Command::UserAdd {
            user: Box::new(user),
            who,
            reply,
        })
        .await
    }

    /// Opens a session after a login that verified `verified` (the account's password hash
    /// as read): refused with `AccountRefusal` if the account changed or was disabled since.
    pub async fn open_session(
        &self,
        key: String,
        session: Session,
        verified: String,
        who: Who,
    ) -> Result<(), OpError> {
        self.ask(|reply| Command::SessionPut {
            key,
            session: Box::new(session),
            verified: Some(verified),
            who,
            action: Some("login".to_string()),
            reply,
        })
        .await
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
            verified: None,
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
        self.ask(|reply| Command::SessionDel {
            key,
            who,
            action: "logout",
            reply,
        })
        .await
    }

    /// Ends a session found past its limits: the row goes, so a clock set back later cannot
    /// make it valid again.
    pub async fn expire_session(&self, key: String, who: Who) -> Result<(), OpError> {
        self.ask(|reply| Command::SessionDel {
            key,
            who,
            action: "session_expired",
            reply,
        })
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

    /// Confirms the clock's day as the new service day while it looks implausible
    /// (`Health::clock_suspect`); nothing happens when the clock is plausible.
    pub async fn confirm_service_day(&self, who: Who) -> Result<(), OpError> {
        self.ask(|reply| Command::ConfirmDay { who, reply }).await
    }

    /// A consistent copy of the database at `dest`, made while the daemon goes on serving.
    pub async fn backup(&self, dest: PathBuf) -> Result<super::backup::BackupSummary, OpError> {
        self.ask(|reply| Command::Backup { dest, reply }).await
    }

    /// Up to `limit` outbox rows after `after`, in order (the city exporter's read).
    pub async fn outbox_after(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<Vec<(u64, super::outbox::Record)>, OpError> {
        self.outbox_reads.fetch_add(1, Ordering::Relaxed);
        self.ask(|reply| Command::OutboxRead {
            after,
            limit,
            reply,
        })
        .await
    }

    /// How many outbox reads this handle and its clones asked for since the store began.
    pub fn outbox_reads(&self) -> u64 {
        self.outbox_reads.load(Ordering::Relaxed)
    }

    /// The city server committed every outbox row up to `seq`: recorded, and the rows go.
    pub async fn outbox_ack(&self, seq: u64) -> Result<(), OpError> {
        let op = OutboxOp::Ack(seq);
        self.ask(|reply| Command::OutboxWrite { op, reply })
            .await
            .map(|_| ())
    }

    /// After a restore: the server holds this office's numbers up to `server_last`; the
    /// copy's rows after `after` move past them (`outbox::resync`). Returns how far.
    pub async fn outbox_resync(&self, after: u64, server_last: u64) -> Result<u64, OpError> {
        let op = OutboxOp::Resync { after, server_last };
        self.ask(|reply| Command::OutboxWrite { op, reply }).await
    }

    /// One step of the backfill of the office's history (`outbox_backfill`); `false` once
    /// it is finished (or there is none).
    pub async fn outbox_backfill_step(&self) -> Result<bool, OpError> {
        let op = OutboxOp::Backfill;
        self.ask(|reply| Command::OutboxWrite { op, reply })
            .await
            .map(|more| more == 1)
    }

    pub async fn outbox_state(&self) -> Result<super::outbox::OutboxState, OpError> {
        self.ask(|reply| Command::OutboxState { reply }).await
    }

    pub async fn metrics(&self) -> Result<Metrics, OpError> {
        self.ask(|reply| Command::Metrics { reply }).await
    }

    /// The queue report's days in `from..=to`, in date order; today's is computed live.
    pub async fn day_aggregates(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<crate::report::DayAggregate>, OpError> {
        self.ask(|reply| Command::DayAggregates { from, to, reply })
            .await
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

    async fn complaint_req(&self, op: ComplaintOp, who: Who) -> Result<ComplaintOut, OpError> {
        self.ask(|reply| Command::Complaint { op, who, reply })
            .await
    }

    /// Opens a complaint (the SOP's step 3, by a complaint officer): from a finished ticket of
    /// today, whose history gives steps 1–2, or from a channel without a ticket.
    pub async fn open_complaint(&self, new: NewComplaint, who: Who) -> Result<Complaint, OpError> {
        match self
            .complaint_req(ComplaintOp::Open(Box::new(new)), who)
            .await?
        {
            ComplaintOut::Complaint(c) => Ok(*c),
            _ => Err(StoreError::Stopped.into()),
        }
    }

    /// Applies a form's action to complaint `seq` as `who` (roles read from the account).
    pub async fn act_on_complaint(
        &self,
        seq: u64,
        action: crate::complaint::Action,
        who: Who,
    ) -> Result<Complaint, OpError> {
        match self
            .complaint_req(ComplaintOp::Act { seq, action }, who)
            .await?
        {
            ComplaintOut::Complaint(c) => Ok(*c),
            _ => Err(StoreError::Stopped.into()),
        }
    }

    /// Adds a scan or photo, checked and written beforehand (`Attachments::stage`, off the
    /// store's thread), to an open complaint; the file is under its name before the commit
    /// that names it, and a refused one is removed.
    pub async fn attach_to_complaint(
        &self,
        seq: u64,
        staged: crate::attachments::Staged,
        who: Who,
    ) -> Result<Complaint, OpError> {
        match self
            .complaint_req(ComplaintOp::Attach { seq, staged }, who)
            .await?
        {
            ComplaintOut::Complaint(c) => Ok(*c),
            _ => Err(StoreError::Stopped.into()),
        }
    }

    /// A complaint without its complainant's identity (not audited).
    pub async fn complaint(&self, seq: u64) -> Result<Complaint, OpError> {
        let op = ComplaintOp::Get {
            seq,
            identity: false,
        };
        match self.complaint_req(op, Who::system()).await? {
            ComplaintOut::Complaint(c) => Ok(*c),
            _ => Err(StoreError::Stopped.into()),
        }
    }

    /// A complaint with the complainant's identity (None once purged); audited as
    /// `complaint_identity_viewed` by `who` in the same commit as the answer.
    pub async fn complaint_with_identity(
        &self,
        seq: u64,
        who: Who,
    ) -> Result<(Complaint, Option<Identity>), OpError> {
        let op = ComplaintOp::Get {
            seq,
            identity: true,
        };
        match self.complaint_req(op, who).await? {
            ComplaintOut::WithIdentity(c, i) => Ok((*c, i)),
            _ => Err(StoreError::Stopped.into()),
        }
    }

    /// The citizen's view by tracking code (any case, dashes or not): never the identity.
    pub async fn complaint_by_code(&self, code: &str) -> Result<Complaint, OpError> {
        let op = ComplaintOp::ByCode {
            code: code.to_string(),
        };
        match self.complaint_req(op, Who::system()).await? {
            ComplaintOut::Complaint(c) => Ok(*c),
            _ => Err(StoreError::Stopped.into()),
        }
    }

    /// The register, filtered and paged, names and NIKs masked; answered from memory.
    pub async fn complaint_register(&self, query: RegisterQuery) -> Result<RegisterPage, OpError> {
        match self
            .complaint_req(ComplaintOp::Register(query), Who::system())
            .await?
        {
            ComplaintOut::Page(p) => Ok(p),
            _ => Err(StoreError::Stopped.into()),
        }
    }

    /// Deletes identities and attachment files of complaints closed more than
    /// `complaints.retention_days` ago; audited per complaint as `who`.
    pub async fn purge_complaints(&self, who: Who) -> Result<PurgeSummary, OpError> {
        match self.complaint_req(ComplaintOp::Purge, who).await? {
            ComplaintOut::Purged(s) => Ok(s),
            _ => Err(StoreError::Stopped.into()),
        }
    }

    /// The open complaints whose waiting step one of `roles` may act on, by each complaint's
    /// own flow version, overdue first; at most `limit` rows (`WORK_LIMIT` at most), with the
    /// total. Answered from memory.
    pub async fn complaint_work(
        &self,
        roles: Vec<crate::auth::Role>,
        limit: usize,
    ) -> Result<WorkList, OpError> {
        match self
            .complaint_req(ComplaintOp::Work { roles, limit }, Who::system())
            .await?
        {
            ComplaintOut::Work(w) => Ok(w),
            _ => Err(StoreError::Stopped.into()),
        }
    }

    /// Open and closed complaints, and the open ones past due per flow step, now.
    pub async fn complaint_counts(&self) -> Result<ComplaintCounts, OpError> {
        match self
            .complaint_req(ComplaintOp::Counts, Who::system())
            .await?
        {
            ComplaintOut::Counts(c) => Ok(c),
            _ => Err(StoreError::Stopped.into()),
        }
    }

    /// The complaints received on `from..=to` (office-local), for the monthly recap.
    pub async fn complaints_received(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<Complaint>, OpError> {
        match self
            .complaint_req(ComplaintOp::Received { from, to }, Who::system())
            .await?
        {
            ComplaintOut::List(l) => Ok(l),
            _ => Err(StoreError::Stopped.into()),
        }
    }

    /// Finished tickets of the service day that no complaint names yet, newest first, at
    /// most `limit` (and never more than `INTAKE_TICKETS_MAX`).
    pub async fn intake_tickets(
        &self,
        limit: usize,
    ) -> Result<Vec<complaints::IntakeTicket>, OpError> {
        match self
            .complaint_req(ComplaintOp::IntakeTickets { limit }, Who::system())
            .await?
        {
            ComplaintOut::Tickets(t) => Ok(t),
            _ => Err(StoreError::Stopped.into()),
        }
    }

    /// One attachment of complaint `seq` by its SHA-256, with its bytes; audited as
    /// `complaint_attachment_viewed` by `who` in the same commit as the answer.
    pub async fn complaint_attachment(
        &self,
        seq: u64,
        sha256: String,
        who: Who,
    ) -> Result<(crate::attachments::Stored, Vec<u8>), OpError> {
        match self
            .complaint_req(ComplaintOp::AttachmentGet { seq, sha256 }, who)
            .await?
        {
            ComplaintOut::File(s, b) => Ok((*s, b)),
            _ => Err(StoreError::Stopped.into()),
        }
    }

    /// A reply letter's PDF (the signed one, a draft's preview or the receipt), audited by
    /// `who` in the same commit as the answer.
    pub async fn complaint_letter(
        &self,
        seq: u64,
        kind: super::letters::LetterKind,
        who: Who,
    ) -> Result<super::letters::LetterPdf, OpError> {
        match self
            .complaint_req(ComplaintOp::Letter { seq, kind }, who)
            .await?
        {
            ComplaintOut::Pdf(p) => Ok(p),
            _ => Err(StoreError::Stopped.into()),
        }
    }

    /// Every recorded change of complaint `seq`, oldest first.
    async fn survey(&self, op: SurveyOp) -> Result<SurveyOut, OpError> {
        self.ask(|reply| Command::Survey { op, reply }).await
    }

    /// Where a ticket stands for the survey.
    pub async fn survey_status(&self, ticket: TicketId) -> Result<SurveyStatus, OpError> {
        match self.survey(SurveyOp::Status { ticket }).await? {
            SurveyOut::Status(s) => Ok(s),
            _ => Err(StoreError::Stopped.into()),
        }
    }

    /// Today's ticket with that printed number (typed at the survey tablet), and its status.
    pub async fn survey_find(
        &self,
        label: String,
    ) -> Result<Option<(TicketId, SurveyStatus)>, OpError> {
        match self.survey(SurveyOp::Find { label }).await? {
            SurveyOut::Found(f) => Ok(f),
            _ => Err(StoreError::Stopped.into()),
        }
    }

    /// Records one response for a served ticket, durably, once per ticket.
    pub async fn survey_submit(
        &self,
        ticket: TicketId,
        answers: Answers,
        channel: Channel,
    ) -> Result<(), OpError> {
        let answers = Box::new(answers);
        self.survey(SurveyOp::Submit {
            ticket,
            answers,
            channel,
        })
        .await
        .map(|_| ())
    }

    /// The responses of the visits in the months `from..=to` touches (a response keeps only
    /// its visit's month, so a range starting mid-month holds that whole month).
    pub async fn survey_responses(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<Response>, OpError> {
        match self.survey(SurveyOp::Responses { from, to }).await? {
            SurveyOut::Responses(r) => Ok(r),
            _ => Err(StoreError::Stopped.into()),
        }
    }

    /// Empties the suggestions older than `[survey] suggestion_days` (the nightly retention
    /// purge); how many.
    pub async fn survey_purge_suggestions(&self) -> Result<usize, OpError> {
        match self.survey(SurveyOp::PurgeSuggestions).await? {
            SurveyOut::Purged(n) => Ok(n),
            _ => Err(StoreError::Stopped.into()),
        }
    }

    pub async fn complaint_actions(&self, seq: u64) -> Result<Vec<ActionRow>, OpError> {
        self.ask(|reply| Command::ComplaintActions { seq, reply })
            .await
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

pub(super) struct Actor {
    /// Shared with backup threads, which read a snapshot while the actor writes on. None
    /// only in degraded mode, between dropping a Database a failed write left unusable and
    /// opening the file again.
    db: Option<Arc<Database>>,
    path: PathBuf,
    /// How the database is opened again after a failed write (tests: their own disk).
    opener: Option<tables::Opener>,
    /// Set while the disk refuses writes.
    degraded: Option<Degraded>,
    /// Tickets printed whose outcome the disk refused to record: recorded with the first
    /// batch after degraded mode ends.
    unrecorded_prints: Vec<TicketId>,
    /// The service day and ticket count as last committed, for `/healthz` while the memory
    /// cannot be trusted (degraded, database not open).
    committed_meta: crate::queue::DayMeta,
    pub(super) config: Arc<Config>,
    clock: Arc<dyn Clock>,
    events: Events,
    /// Complaint changes, for staff: published after the commit like `events`.
    staff_events: StaffEvents,
    /// The last complaint event's sequence number, as committed (`meta`).
    staff_seq: u64,
    /// Complaint changes of the batch under way, published once it committed.
    pub(super) staff_changes: Vec<complaints::StaffChange>,
    printer: Option<Printer>,
    printer_status: PrinterStatus,
    waiters: HashMap<TicketId, Waiter>,
    stopping: bool,
    pub(super) state: QueueState,
    event_seq: u64,
    /// Where the next audit entry chains on: the last one's sequence number and hash.
    audit_head: (u64, String),
    /// Account and audit records of the batch under way.
    accounts: AccountWrites,
    /// The batch's write transaction, once a command had to read through it (a revocation
    /// must see the sessions the same batch wrote); committed with the rest of the batch.
    pub(super) txn: Option<WriteTransaction>,
    /// A write into `txn` failed mid-batch: nothing of the batch may commit.
    pub(super) batch_failed: bool,
    /// The complaint register in memory (one compact line per complaint).
    pub(super) complaints: complaints::Index,
    /// Complaint attachments in the data directory.
    pub(super) attachments: crate::attachments::Attachments,
    /// Backup threads still copying: joined before the database is closed.
    backups: Vec<JoinHandle<()>>,
    /// Set when a request met a damaged page (a panic inside redb); shared with the handles.
    damage: Option<Damage>,
    damaged_flag: Arc<AtomicBool>,
    /// The clock's date while it is implausibly far ahead of the service day.
    pub(super) clock_suspect: Option<chrono::NaiveDate>,
    /// A day an administrator confirmed although the clock looked implausible.
    confirmed_day: Option<chrono::NaiveDate>,
}

pub struct Spawned {
    pub thread: JoinHandle<()>,
    /// Fires when the store stops on an error it cannot recover from.
    pub fatal: oneshot::Receiver<StoreError>,
}

/// Where the store publishes what it committed: the queue's public events, and complaint
/// changes for staff.
#[derive(Clone)]
pub struct Buses {
    pub events: Events,
    pub staff: StaffEvents,
}

impl Buses {
    pub fn new(capacity: usize) -> Self {
        Self {
            events: Events::new(capacity),
            staff: StaffEvents::new(capacity),
        }
    }
}

/// Opens (or creates) the store and starts its thread on `inbox`. A database from an earlier
/// release is migrated first (see `migrate`); one from a later release is refused.
pub fn spawn(
    path: &Path,
    inbox: Inbox,
    config: Arc<Config>,
    clock: Arc<dyn Clock>,
    buses: Buses,
    printer: Option<Printer>,
    opener: Option<tables::Opener>,
) -> Result<Spawned, StoreError> {
    // Another opener is a test's disk under the store, not the file at `path`: nothing there
    // to migrate, and the schema check in `load` still refuses any other version.
    if opener.is_none() {
        super::migrate::migrate(path, clock.now())?;
    }
    let db = tables::open(path, opener.as_ref())?;
    let today = local_date(clock.now(), config.office.time_zone);
    let (state, event_seq) = tables::load(&db, path, today)?;
    // Days closed without their report figures (a file from before reports existed).
    match reports::catch_up(&db, state.meta().day_first_id, config.office.time_zone) {
        Ok(0) => {}
        Ok(days) => info!(days, "report figures of closed days written"),
        Err(e) => warn!(error = %e, "report figures of closed days not written"),
    }
    // The survey: the marks of tickets that expired while the daemon was stopped.
    // By the last service day, not the clock: a clock far ahead must not expire anything
    // (the day's start waits for it to be confirmed, `start_day`).
    let last_day = state.service_day();
    let forgotten = db.begin_write().map_err(StoreError::from).and_then(|txn| {
        let n = super::survey::forget_answered(&txn, last_day, config.survey.answer_days)?;
        txn.commit()?;
        Ok(n)
    });
    match forgotten {
        Ok(0) => {}
        Ok(n) => info!(tickets = n, "survey marks of expired tickets deleted"),
        Err(e) => warn!(error = %e, "expired survey marks not deleted"),
    }
    // Before anything is written: a file that never had an outbox gets one and its history
    // is marked for the backfill, so no record of it is numbered twice or missed.
    if config.city.is_some() && super::outbox_backfill::begin(&db)? {
        info!("the office's history goes to the city server (backfill)");
    }
    let audit_head = accounts::audit_head(&db)?;
    let complaint_index = complaints::load_index(&db, config.office.time_zone)?;
    let staff_seq = complaints::staff_event_seq(&db)?;
    let Buses {
        events,
        staff: staff_events,
    } = buses;
    staff_events.set_start(staff_seq);
    let attachments = crate::attachments::Attachments::new(
        path.parent().unwrap_or_else(|| Path::new(".")),
        config.complaints.max_attachment_bytes(),
    );
    // Files left by a crash between a purge's commit and its deletes, or stored for an
    // upload that never committed: nothing names them, so nobody could ever read them.
    match complaints::remove_unnamed_attachments(&db, &attachments) {
        Ok(0) => {}
        Ok(n) => info!(
            files = n,
            "attachment files no complaint names were removed"
        ),
        Err(e) => warn!(error = %e, "attachment files not checked for ones nothing names"),
    }
    events.set_start(event_seq);
    let meta = state.meta();
    info!(
        path = %path.display(),
        service_day = %state.service_day(),
        tickets_today = meta.next_id.saturating_sub(meta.day_first_id),
        complaints = complaint_index.len(),
        "store open"
    );
    let (fatal_tx, fatal) = oneshot::channel();
    let printer_status = if printer.is_some() {
        PrinterStatus::Unreachable
    } else {
        PrinterStatus::Disabled
    };
    let actor = Actor {
        db: Some(Arc::new(db)),
        path: path.to_path_buf(),
        opener,
        degraded: None,
        unrecorded_prints: Vec::new(),
        committed_meta: meta,
        config,
        clock,
        events,
        staff_events,
        staff_seq,
        staff_changes: Vec::new(),
        printer,
        printer_status,
        waiters: HashMap::new(),
        stopping: false,
        state,
        event_seq,
        audit_head,
        accounts: AccountWrites::default(),
        txn: None,
        batch_failed: false,
        complaints: complaint_index,
        attachments,
        backups: Vec::new(),
        damage: None,
        damaged_flag: inbox.1.clone(),
        clock_suspect: None,
        confirmed_day: None,
    };
    let thread = std::thread::Builder::new()
        .name("loket-store".to_string())
        .spawn(move || match retry_timer() {
            Ok(timer) => actor.run(inbox.0, fatal_tx, &timer),
            Err(e) => {
                let _ = fatal_tx.send(StoreError::Spawn {
                    what: "store timer",
                    error: e,
                });
            }
        })
        .map_err(|error| StoreError::Spawn {
            what: "store",
            error,
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
        | Command::UserEdit { reply, .. }
        | Command::UserAdd { reply, .. }
        | Command::SessionTouch { reply, .. }
        | Command::SessionsRevoke { reply, .. }
        | Command::Audit { reply, .. }
        | Command::ConfirmDay { reply, .. } => {
            let _ = reply.send(Err(StoreError::Stopped.into()));
            None
        }
        Command::OutboxWrite { reply, .. } => {
            let _ = reply.send(Err(StoreError::Stopped.into()));
            None
        }
        Command::Complaint { reply, .. } => {
            let _ = reply.send(Err(StoreError::Stopped.into()));
            None
        }
        Command::Survey { op, reply } if op.writes() => {
            let _ = reply.send(Err(StoreError::Stopped.into()));
            None
        }
        other => Some(other),
    }
}

/// Answers any request with the error `make` gives; what carries no reply (printer events,
/// a stop) is handed back.
fn refuse(cmd: Command, make: impl Fn() -> StoreError) -> Option<Command> {
    let e = || OpError::from(make());
    let _ = match cmd {
        Command::Issue { reply, .. } => reply.send(Err(e())).is_ok(),
        Command::Counter { reply, .. } => reply.send(Err(e())).is_ok(),
        Command::Reprint { reply, .. } | Command::Void { reply, .. } => {
            reply.send(Err(e())).is_ok()
        }
        Command::UserPut { reply, .. }
        | Command::UserEdit { reply, .. }
        | Command::UserAdd { reply, .. }
        | Command::SessionPut { reply, .. }
        | Command::SessionTouch { reply, .. }
        | Command::SessionDel { reply, .. }
        | Command::SessionsRevoke { reply, .. }
        | Command::Audit { reply, .. }
        | Command::ConfirmDay { reply, .. } => reply.send(Err(e())).is_ok(),
        Command::OutboxWrite { reply, .. } => reply.send(Err(e())).is_ok(),
        Command::OutboxRead { reply, .. } => reply.send(Err(e())).is_ok(),
        Command::OutboxState { reply } => reply.send(Err(e())).is_ok(),
        Command::UserGet { reply, .. } => reply.send(Err(e())).is_ok(),
        Command::UserList { reply } => reply.send(Err(e())).is_ok(),
        Command::SessionGet { reply, .. } => reply.send(Err(e())).is_ok(),
        Command::AuditEntries { reply } => reply.send(Err(e())).is_ok(),
        Command::ComplaintActions { reply, .. } => reply.send(Err(e())).is_ok(),
        Command::Metrics { reply } => reply.send(Err(e())).is_ok(),
        Command::DayAggregates { reply, .. } => reply.send(Err(e())).is_ok(),
        Command::Backup { reply, .. } => reply.send(Err(e())).is_ok(),
        Command::Complaint { reply, .. } => reply.send(Err(e())).is_ok(),
        Command::Survey { reply, .. } => reply.send(Err(e())).is_ok(),
        Command::Ticket { reply, .. } => reply.send(Err(e())).is_ok(),
        Command::View { reply } => reply.send(Err(e())).is_ok(),
        Command::Health { reply } => reply.send(Err(e())).is_ok(),
        other @ (Command::Printer(_) | Command::Shutdown) => return Some(other),
    };
    None
}

/// The thread's clock for the retries of degraded mode: the store's thread is not on the
/// daemon's runtime, so it keeps a small one of its own for timed waits on its inbox.
fn retry_timer() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
}

enum Flow {
    Continue,
    Stop,
    Fatal(StoreError),
}

/// An answer held back until the batch is committed.
enum Pending {
    Issue(Reply<Issued>, Result<Issued, QueueError>),
    Counter(Reply<Option<Ticket>>, Result<Option<Ticket>, QueueError>),
    Reprint(Reply<Ticket>, Result<Ticket, QueueError>),
    Void(Reply<Ticket>, Result<Ticket, QueueError>),
    Printed(TicketId, PrintOutcome, Result<Ticket, QueueError>),
    Done(Reply<()>),
    Complaint(
        Reply<ComplaintOut>,
        Result<ComplaintOut, OpError>,
        AfterCommit,
    ),
    Survey(Reply<SurveyOut>, Result<SurveyOut, OpError>),
    Outbox(Reply<u64>, Result<u64, OpError>),
    Read(Command),
}

thread_local! {
    /// The damaged flag of the store running on this thread, for the panic hook.
    static PANIC_FLAG: std::cell::RefCell<Option<Arc<AtomicBool>>> =
        const { std::cell::RefCell::new(None) };
}

/// A panic on a store thread sets its damaged flag before unwinding drops anything. The
/// unwinding drops the replies of the failed batch, and a caller woken by that reads the flag
/// to say "damaged" rather than "stopped": set only in `after_panic`, it came too late for
/// a caller scheduled first.
fn flag_panics_on_this_thread(flag: Arc<AtomicBool>) {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = PANIC_FLAG.try_with(|f| {
                if let Ok(f) = f.try_borrow()
                    && let Some(flag) = f.as_ref()
                {
                    flag.store(true, Ordering::Release);
                }
            });
            previous(info);
        }));
    });
    PANIC_FLAG.with(|f| *f.borrow_mut() = Some(flag));
}

/// Runs `f` on the store thread with panics caught and not taken for damage: for work that
/// is not the database's (laying out a PDF), whose failure fails only its own request.
pub(super) fn isolated<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    let flag = PANIC_FLAG.with(|c| c.borrow_mut().take());
    let out = std::panic::catch_unwind(AssertUnwindSafe(f));
    PANIC_FLAG.with(|c| *c.borrow_mut() = flag);
    out
}

impl Actor {
    fn run(
        mut self,
        mut rx: mpsc::Receiver<Command>,
        fatal: oneshot::Sender<StoreError>,
        timer: &tokio::runtime::Runtime,
    ) {
        flag_panics_on_this_thread(self.damaged_flag.clone());
        let mut batch = Vec::with_capacity(MAX_BATCH);
        loop {
            // Degraded: wait for a request or for the next try of the disk, whichever first.
            let first = match self.degraded.as_ref().map(|d| d.next_try) {
                None => rx.blocking_recv(),
                Some(at) => {
                    let at = tokio::time::Instant::from_std(at);
                    let waited =
                        timer.block_on(async { tokio::time::timeout_at(at, rx.recv()).await });
                    match waited {
                        Ok(first) => first,
                        Err(_) => {
                            let retried =
                                std::panic::catch_unwind(AssertUnwindSafe(|| self.retry()))
                                    .unwrap_or(Err(StoreError::Panicked));
                            if let Err(why) = retried {
                                error!(%why, "store stopped: the daemon must restart");
                                let _ = fatal.send(why);
                                break;
                            }
                            continue;
                        }
                    }
                }
            };
            let Some(first) = first else { break };
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(c) => batch.push(c),
                    Err(_) => break,
                }
            }
            // redb panics on some damaged pages: the batch fails, the store says it is
            // damaged, and goes on from what the file holds (see `after_panic`).
            let flow = match std::panic::catch_unwind(AssertUnwindSafe(|| {
                self.handle_batch(&mut batch)
            })) {
                Ok(flow) => flow,
                Err(panic) => {
                    batch.clear();
                    self.after_panic(&panic)
                }
            };
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
        // A batch cut short by a panic leaves its transaction open: abort it, or the close
        // below would wait for it.
        self.txn = None;
        // A backup under way holds the database open and was promised to its caller: it
        // finishes before the store reports itself closed.
        for backup in self.backups.drain(..) {
            if !backup.is_finished() {
                info!("waiting for a backup to finish");
            }
            let _ = backup.join();
        }
        info!("store closing");
        // Every change was committed already; dropping the Database only releases the file.
        drop(self.db.take());
    }

    fn handle_batch(&mut self, batch: &mut Vec<Command>) -> Flow {
        let now = self.clock.now();
        // Degraded with the database closed: a write is the moment to try opening it again;
        // until that works, nothing is answered from memory.
        if self.degraded.as_ref().is_some_and(|d| !d.readable) {
            if batch.iter().any(Command::writes) {
                self.try_reopen(now);
            }
            if self.degraded.as_ref().is_some_and(|d| !d.readable) {
                return self.refuse_batch(batch, now);
            }
        }
        if self.degraded.is_none() && !self.unrecorded_prints.is_empty() {
            let outcomes = self.unrecorded_prints.drain(..).map(|id| {
                Command::Printer(PrinterEvent::Printed {
                    id,
                    outcome: PrintOutcome::Printed,
                })
            });
            let rest = std::mem::take(batch);
            batch.extend(outcomes.collect::<Vec<_>>());
            batch.extend(rest);
        }
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
                    let r = match self.clock_suspect {
                        Some(day) => Err(QueueError::ClockSuspect {
                            clock: day.to_string(),
                            last: self.state.service_day().to_string(),
                        }),
                        None => self
                            .state
                            .issue(&self.config, &service, priority, mode, now),
                    };
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
                        // Who did it, for the per-staff queue report.
                        ticket.map(|t| {
                            self.state
                                .sign_last_step(t.id, &who.actor)
                                .cloned()
                                .unwrap_or(t)
                        })
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
                    reply,
                } => {
                    self.audit(now, &who, &action, &user.username, "");
                    self.accounts.users.push(*user);
                    pending.push(Pending::Done(reply));
                }
                Command::SessionPut {
                    key,
                    session,
                    verified,
                    who,
                    action,
                    reply,
                } => {
                    if let Some(hash) = verified {
                        let holds = match self.live_user(&session.username) {
                            Ok(Some(u)) if u.disabled => Err(AccountRefusal::Disabled),
                            Ok(Some(u)) if u.password_hash == hash => Ok(()),
                            Ok(Some(_)) => Err(AccountRefusal::Changed),
                            Ok(None) => Err(AccountRefusal::Unknown),
                            Err(e) => {
                                error!(error = %e, "cannot read the account of a login; the batch is not committed");
                                self.batch_failed = true;
                                let _ = reply.send(Err(e.into()));
                                continue;
                            }
                        };
                        if let Err(refusal) = holds {
                            let _ = reply.send(Err(refusal.into()));
                            continue;
                        }
                    }
                    if let Some(action) = action {
                        self.audit(now, &who, &action, &session.username, "");
                    }
                    self.accounts.sessions.push((key, Some(*session)));
                    pending.push(Pending::Done(reply));
                }
                Command::UserEdit {
                    username,
                    edit,
                    revoke,
                    who,
                    action,
                    reply,
                } => {
                    let user = match self.live_user(&username) {
                        Ok(Some(u)) => Ok(u),
                        Ok(None) => Err(AccountRefusal::Unknown),
                        Err(e) => {
                            error!(error = %e, "cannot read the account to edit; the batch is not committed");
                            self.batch_failed = true;
                            let _ = reply.send(Err(e.into()));
                            continue;
                        }
                    };
                    let was_admin = user.as_ref().is_ok_and(User::is_active_admin);
                    let edited = user.and_then(|mut u| edit(&mut u).map(|()| u));
                    let mut user = match edited {
                        Ok(u) => u,
                        Err(refusal) => {
                            let _ = reply.send(Err(refusal.into()));
                            continue;
                        }
                    };
                    if was_admin && !user.is_active_admin() {
                        match self.another_active_admin(&username) {
                            Ok(true) => {}
                            Ok(false) => {
                                let _ = reply.send(Err(AccountRefusal::LastAdmin.into()));
                                continue;
                            }
                            Err(e) => {
                                error!(error = %e, "cannot read the accounts; the batch is not committed");
                                self.batch_failed = true;
                                let _ = reply.send(Err(e.into()));
                                continue;
                            }
                        }
                    }
                    user.username = username;
                    let ending = match revoke {
                        Some(except) => match self.sessions_to_end(&user.username, except) {
                            Ok(keys) => Some(keys),
                            Err(e) => {
                                error!(error = %e, "cannot read the sessions to revoke; the batch is not committed");
                                self.batch_failed = true;
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
                    self.accounts.users.push(user);
                    pending.push(Pending::Done(reply));
                }
                Command::UserAdd { user, who, reply } => match self.live_user(&user.username) {
                    Ok(None) => {
                        self.audit(now, &who, "user_added", &user.username, "");
                        self.accounts.users.push(*user);
                        pending.push(Pending::Done(reply));
                    }
                    Ok(Some(_)) => {
                        let _ = reply.send(Err(AccountRefusal::Exists.into()));
                    }
                    Err(e) => {
                        error!(error = %e, "cannot read the account to add; the batch is not committed");
                        self.batch_failed = true;
                        let _ = reply.send(Err(e.into()));
                    }
                },
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
                        error!(error = %e, "cannot read the sessions to revoke; the batch is not committed");
                        // The batch's earlier writes may be half in the transaction.
                        self.batch_failed = true;
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
                        error!(error = %e, "cannot read the session to refresh; the batch is not committed");
                        self.batch_failed = true;
                        let _ = reply.send(Err(e.into()));
                    }
                },
                Command::SessionDel {
                    key,
                    who,
                    action,
                    reply,
                } => {
                    self.audit(now, &who, action, &who.actor, "");
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
                Command::ConfirmDay { who, reply } => {
                    if let Some(day) = self.clock_suspect {
                        let last = self.state.service_day().to_string();
                        self.confirmed_day = Some(day);
                        self.audit(
                            now,
                            &who,
                            "service_day_confirmed",
                            &day.to_string(),
                            &format!("hari layanan terakhir {last}"),
                        );
                        self.start_day(now, &mut changes);
                    }
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
                Command::Complaint { op, who, reply } => {
                    let mut after = AfterCommit::default();
                    let r = self.complaint_op(op, &who, now, &mut after);
                    pending.push(Pending::Complaint(reply, r, after));
                }
                Command::Survey {
                    op:
                        SurveyOp::Submit {
                            ticket,
                            answers,
                            channel,
                        },
                    reply,
                } => {
                    let r = self.survey_submit(ticket, *answers, channel, now);
                    pending.push(Pending::Survey(reply, r));
                }
                Command::Survey {
                    op: SurveyOp::PurgeSuggestions,
                    reply,
                } => {
                    let r = self.survey_purge_suggestions(now);
                    pending.push(Pending::Survey(reply, r));
                }
                Command::OutboxWrite { op, reply } => {
                    let r = self.outbox_write(op);
                    pending.push(Pending::Outbox(reply, r.map_err(Into::into)));
                }
                Command::Shutdown => self.stopping = true,
                read => pending.push(Pending::Read(read)),
            }
        }

        let dirty = self.state.take_dirty();
        let ship = self.ship();
        let mut outbox = Vec::new();
        if ship.is_some() {
            for (i, (at, change)) in changes.iter().enumerate() {
                match super::outbox::ticket_event(self.event_seq + 1 + i as u64, *at, change) {
                    Ok(record) => outbox.extend(record),
                    Err(e) => {
                        error!(error = %e, "queue event not put in the outbox; the batch is not committed");
                        self.batch_failed = true;
                    }
                }
            }
        }
        let writes = Writes {
            tickets: dirty.tickets,
            meta: dirty.meta,
            event_seq: self.event_seq + changes.len() as u64,
            accounts: std::mem::take(&mut self.accounts),
            outbox,
            ship,
        };
        // The complaint events' sequence number is committed with the changes it numbers, so
        // it never repeats after a restart.
        let staff_changes = std::mem::take(&mut self.staff_changes);
        let staff_seq = self.staff_seq + staff_changes.len() as u64;
        if !staff_changes.is_empty()
            && !self.batch_failed
            && let Err(e) = self.in_batch(|txn| complaints::write_staff_event_seq(txn, staff_seq))
        {
            error!(error = %e, "complaint event number not written; the batch is not committed");
            self.batch_failed = true;
        }
        let mut committed = true;
        if self.txn.is_some() || self.batch_failed || !writes.is_empty() || !changes.is_empty() {
            let seq = writes.event_seq;
            match self.commit(&writes) {
                Ok(()) => {
                    self.event_seq = seq;
                    self.committed_meta = self.state.meta();
                    self.resume();
                }
                Err(e) => {
                    committed = false;
                    if let Err(fatal) = self.after_failed_commit(now, e) {
                        return Flow::Fatal(fatal);
                    }
                    if let Some(d) = self.degraded.as_mut() {
                        let writes = pending.iter().filter(|p| !matches!(p, Pending::Read(_)));
                        d.refused += writes.count() as u64;
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
            let tz = self.config.office.time_zone;
            for (i, c) in staff_changes.into_iter().enumerate() {
                self.staff_events.publish(ComplaintEvent {
                    seq: self.staff_seq + 1 + i as u64,
                    at: rfc3339_local(c.at, tz),
                    complaint: c.complaint,
                    number: c.number,
                    kind: c.kind,
                    step: c.step,
                });
            }
            self.staff_seq = staff_seq;
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

    /// Commits the batch in one transaction: the one already opened for it, or a new one.
    /// On any error the transaction is dropped (aborted) before this returns, so a reload
    /// can begin its own.
    fn commit(&mut self, writes: &Writes) -> Result<(), StoreError> {
        let txn = self.txn.take();
        if std::mem::take(&mut self.batch_failed) {
            return Err(StoreError::CommitFailed);
        }
        let txn = match txn {
            Some(txn) => txn,
            None => self.db()?.begin_write()?,
        };
        tables::write_in(&txn, writes)?;
        // Durability::Immediate (redb's default): fsynced before commit returns.
        txn.commit()?;
        Ok(())
    }

    /// An outbox write in the batch's transaction. A refusal (`Corrupt`: an acknowledgement
    /// past the last row, a resync that does not fit, a backfill row that does not parse)
    /// is found before anything is written; any other failure may have written part, so the
    /// batch does not commit.
    fn outbox_write(&mut self, op: OutboxOp) -> Result<u64, StoreError> {
        let r = match op {
            OutboxOp::Ack(seq) => self.in_batch(|txn| super::outbox::ack(txn, seq).map(|()| seq)),
            OutboxOp::Resync { after, server_last } => {
                self.in_batch(|txn| super::outbox::resync(txn, after, server_last))
            }
            OutboxOp::Backfill => {
                let Some(personal) = self.ship() else {
                    return Ok(0);
                };
                let txn = self.batch_txn()?;
                let started = std::time::Instant::now();
                let r = super::outbox_backfill::step(
                    &txn,
                    &self.complaints.flows,
                    personal,
                    BACKFILL_STEP,
                );
                tracing::debug!(
                    micros = started.elapsed().as_micros() as u64,
                    "backfill step"
                );
                self.txn = Some(txn);
                r.map(u64::from)
            }
        };
        if matches!(&r, Err(e) if !matches!(e, StoreError::Corrupt { .. })) {
            error!(error = ?r.as_ref().err(), "outbox write failed; the batch is not committed");
            self.batch_failed = true;
        }
        r
    }

    /// The outbox's figures when `[city]` is configured and the file can be read.
    fn outbox_figures(&self) -> Option<super::outbox::OutboxState> {
        self.config.city.as_ref()?;
        if self.degraded.as_ref().is_some_and(|d| !d.readable) {
            return None;
        }
        match self.db().and_then(|db| super::outbox::state(&**db)) {
            Ok(s) => Some(s),
            Err(e) => {
                warn!(error = %e, "the city outbox's figures could not be read");
                None
            }
        }
    }

    /// `[city]` is configured: records are mirrored in the outbox, with these personal fields.
    pub(super) fn ship(&self) -> Option<crate::config::PersonalFields> {
        self.config.city.as_ref().map(|c| c.personal)
    }

    /// The session keys of `username` as this batch has left them so far. Revocation reads
    /// through the batch's write transaction, after putting into it the account writes queued
    /// before, so a login earlier in the same batch is revoked too, not left standing.
    fn sessions_in_batch(&mut self, username: &str) -> Result<Vec<String>, StoreError> {
        let txn = self.batch_txn()?;
        let keys = accounts::write(&txn, &std::mem::take(&mut self.accounts), self.ship())
            .and_then(|()| accounts::session_keys_in(&txn, username));
        self.txn = Some(txn);
        keys
    }

    /// Runs `f` on the batch's write transaction (opening it on first need).
    fn in_batch<T>(
        &mut self,
        f: impl FnOnce(&WriteTransaction) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let txn = self.batch_txn()?;
        let r = f(&txn);
        self.txn = Some(txn);
        r
    }

    /// The batch's write transaction, opened on first need.
    pub(super) fn batch_txn(&mut self) -> Result<WriteTransaction, StoreError> {
        match self.txn.take() {
            Some(txn) => Ok(txn),
            None => Ok(self.db()?.begin_write()?),
        }
    }

    fn start_day(&mut self, now: DateTime<Utc>, changes: &mut Vec<(DateTime<Utc>, Change)>) {
        // A clock far ahead does not begin a day by itself (docs/operations.md, "Jam
        // sistem"): the queue keeps the last day until an administrator confirms the new one
        // or the clock comes back; then nothing happened.
        match self.state.clock_ahead(&self.config, now) {
            Some(day) if self.confirmed_day != Some(day) => {
                if self.clock_suspect != Some(day) {
                    warn!(
                        clock_day = %day,
                        service_day = %self.state.service_day(),
                        "the clock is far ahead of the last service day: no new day begins until an administrator confirms it"
                    );
                }
                self.clock_suspect = Some(day);
                return;
            }
            _ => {
                if self.clock_suspect.take().is_some() {
                    info!("the clock agrees with the service day again");
                }
            }
        }
        // The closing day's tickets, for its report aggregate: copied only when it closes.
        let tz = self.config.office.time_zone;
        let closing_day = self.state.service_day();
        let closing = (local_date(now, tz) > closing_day)
            .then(|| self.state.tickets().cloned().collect::<Vec<_>>());
        if let Some(c) = self.state.advance_day(&self.config, now) {
            info!(service_day = %self.state.service_day(), "new service day");
            if let Some(tickets) = closing {
                let agg = crate::report::day::aggregate(closing_day, &tickets, tz);
                let through = self.state.meta().day_first_id;
                if let Err(e) = self.in_batch(|txn| reports::write_day(txn, &agg, through)) {
                    error!(error = %e, "the closed day's report figures not written; the batch is not committed");
                    self.batch_failed = true;
                }
            }
            // The tickets that can no longer answer the survey: their answered marks go.
            let (today, days) = (self.state.service_day(), self.config.survey.answer_days);
            match self.in_batch(|txn| super::survey::forget_answered(txn, today, days)) {
                Ok(0) => {}
                Ok(n) => info!(tickets = n, "survey marks of expired tickets deleted"),
                Err(e) => {
                    error!(error = %e, "expired survey marks not deleted; the batch is not committed");
                    self.batch_failed = true;
                }
            }
            let day = self.state.service_day().to_string();
            self.audit(now, &Who::system(), "service_day_started", &day, "");
            changes.push((now, c));
        }
    }

    /// The keys of `username`'s sessions but `except`, as this batch leaves them (a login
    /// queued just before a password reset must end with it).
    fn sessions_to_end(
        &mut self,
        username: &str,
        except: Option<String>,
    ) -> Result<Vec<String>, StoreError> {
        let mut keys = self.sessions_in_batch(username)?;
        keys.retain(|k| Some(k) != except.as_ref());
        Ok(keys)
    }

    /// An account as this batch leaves it: read through the batch's write transaction, after
    /// the batch's own account writes.
    pub(super) fn live_user(&mut self, username: &str) -> Result<Option<User>, StoreError> {
        let txn = self.batch_txn()?;
        let user = accounts::write(&txn, &std::mem::take(&mut self.accounts), self.ship())
            .and_then(|()| accounts::user_in(&txn, username));
        self.txn = Some(txn);
        user
    }

    /// Whether an enabled administrator other than `except` exists, as this batch leaves the
    /// accounts: two admins disabling each other in one batch cannot both succeed.
    fn another_active_admin(&mut self, except: &str) -> Result<bool, StoreError> {
        let txn = self.batch_txn()?;
        let found = accounts::write(&txn, &std::mem::take(&mut self.accounts), self.ship())
            .and_then(|()| accounts::another_active_admin_in(&txn, except));
        self.txn = Some(txn);
        found
    }

    /// A session as this batch leaves it: read through the batch's write transaction, after
    /// the batch's own account writes.
    fn live_session(&mut self, key: &str) -> Result<Option<Session>, StoreError> {
        let txn = self.batch_txn()?;
        let session = accounts::write(&txn, &std::mem::take(&mut self.accounts), self.ship())
            .and_then(|()| accounts::session_in(&txn, key));
        self.txn = Some(txn);
        session
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
    pub(super) fn audit(
        &mut self,
        now: DateTime<Utc>,
        who: &Who,
        action: &str,
        target: &str,
        detail: &str,
    ) {
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
        // Loading begins a write transaction: the batch's must be gone first.
        self.txn = None;
        self.batch_failed = false;
        self.accounts = AccountWrites::default();
        let db = self.db()?.clone();
        let today = local_date(now, self.config.office.time_zone);
        let (state, seq) = tables::load(&db, &self.path, today)?;
        let audit_head = accounts::audit_head(&db)?;
        // The index may hold complaints of the batch that did not commit.
        let index = complaints::load_index(&db, self.config.office.time_zone)?;
        let staff_seq = complaints::staff_event_seq(&db)?;
        self.state = state;
        self.event_seq = seq;
        self.committed_meta = self.state.meta();
        self.audit_head = audit_head;
        self.complaints = index;
        self.staff_seq = staff_seq;
        self.staff_changes.clear();
        Ok(())
    }

    /// A batch panicked (redb does on some damaged pages). Its requests are answered
    /// `StoreError::Damaged` (their replies were dropped while the flag is set), its write
    /// transaction is aborted like a failed commit, and memory is read back from the file so
    /// it never runs ahead of it. The tables are checked once, to name the damage on
    /// `/healthz`. Only a file whose day cannot be read back at all stops the store.
    fn after_panic(&mut self, panic: &Box<dyn std::any::Any + Send>) -> Flow {
        self.damaged_flag.store(true, Ordering::Release);
        // Dropping the batch's write transaction aborts it; on poisoned redb state that may
        // panic as well, and a panic here would end the store thread while the daemon serves on.
        let txn = self.txn.take();
        if std::panic::catch_unwind(AssertUnwindSafe(move || drop(txn))).is_err() {
            error!("aborting the failed request's transaction panicked too; the store stops");
            return Flow::Fatal(StoreError::Panicked);
        }
        let now = self.clock.now();
        let why = super::check::panic_message(panic);
        // Memory back to the file. A panic inside a write leaves redb's locks poisoned: then
        // the Database is dropped and the file opened afresh, as after a failed write.
        let reloaded = std::panic::catch_unwind(AssertUnwindSafe(|| self.reload(now)));
        if !matches!(reloaded, Ok(Ok(()))) {
            let old = self.db.take();
            // Dropping a poisoned Database may panic too; the file is released either way.
            let _ = std::panic::catch_unwind(AssertUnwindSafe(move || drop(old)));
            let reopened = std::panic::catch_unwind(AssertUnwindSafe(|| {
                let db = tables::open(&self.path, self.opener.as_ref())?;
                self.db = Some(Arc::new(db));
                self.reload(now)
            }));
            match reopened {
                Ok(Ok(())) => info!("database opened again after a failed request"),
                Ok(Err(e)) => return Flow::Fatal(StoreError::ReloadFailed(Box::new(e))),
                Err(_) => return Flow::Fatal(StoreError::Panicked),
            }
        }
        if self.damage.is_none() {
            let data_dir = self
                .path
                .parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
            let tables = match self.db() {
                Ok(db) => super::check::damaged(&super::check::check(db.as_ref(), &data_dir))
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
                Err(_) => Vec::new(),
            };
            error!(
                error = %why,
                tables = %tables.join(","),
                "the database is damaged: a request failed reading it; the daemon stays up, restore the last backup"
            );
            self.damage = Some(Damage { tables, since: now });
        } else {
            tracing::debug!(error = %why, "a request met the damaged database again");
        }
        Flow::Continue
    }

    /// The open database; in degraded mode between a drop and a re-open, the refusal.
    pub(super) fn db(&self) -> Result<&Arc<Database>, StoreError> {
        self.db.as_ref().ok_or_else(|| self.unwritable())
    }

    fn unwritable(&self) -> StoreError {
        StoreError::Unwritable(self.degraded.as_ref().map_or(Fault::IoError, |d| d.fault))
    }

    /// A commit failed. Memory must go back to what the file holds: read back from this
    /// Database, or, when a failed write left it refusing everything (redb's "previous I/O
    /// error"), from a new one opened on the file. A storage fault puts the store in
    /// degraded mode; only an error that is not the disk's, on a file that cannot be read
    /// back, stops it.
    fn after_failed_commit(&mut self, now: DateTime<Utc>, e: StoreError) -> Result<(), StoreError> {
        let fault = fault::classify(&e);
        match (&self.degraded, fault) {
            (None, Some(_)) => {}
            (None, None) => error!(error = %e, "commit failed; reloading the day from the store"),
            // Said once when degraded mode began; each refused write is not news.
            (Some(_), _) => tracing::debug!(error = %e, "commit failed in degraded mode"),
        }
        let reloaded = self.reload(now);
        let fault = match (fault, &reloaded) {
            (Some(f), _) => f,
            (None, Ok(())) => return Ok(()),
            (None, Err(re)) => match fault::classify(re) {
                Some(f) => f,
                // Memory may now be ahead of the file: serving on would show tickets that
                // do not exist. Stop; the restart reads the file afresh.
                None => {
                    return Err(StoreError::ReloadFailed(Box::new(
                        reloaded.err().unwrap_or(e),
                    )));
                }
            },
        };
        self.degrade(fault, now, &e);
        match reloaded {
            Ok(()) => self.mark_readable(true),
            Err(_) => self.reopen(now),
        }
        Ok(())
    }

    /// Enters degraded mode, or notes a new cause; logged once when it begins.
    fn degrade(&mut self, fault: Fault, now: DateTime<Utc>, e: &StoreError) {
        match &mut self.degraded {
            Some(d) => {
                d.fault = fault;
                d.back_off();
            }
            None => {
                error!(
                    fault = fault.as_str(),
                    error = %e,
                    "the store cannot write ({fault}): writes are refused, reads are answered from the last committed state, and the disk is tried again"
                );
                self.degraded = Some(Degraded::new(fault, now));
            }
        }
    }

    fn mark_readable(&mut self, readable: bool) {
        if let Some(d) = &mut self.degraded {
            d.readable = readable;
        }
    }

    /// Drops the Database and opens the file again, then reads the day back from it. On
    /// failure the store stays degraded with nothing served from memory.
    fn reopen(&mut self, now: DateTime<Utc>) {
        self.txn = None;
        // Ours must go before the file is opened again: redb locks it. A backup thread still
        // holding a clone keeps it locked; the next try finds it free.
        self.db = None;
        let opened = tables::open(&self.path, self.opener.as_ref()).and_then(|db| {
            self.db = Some(Arc::new(db));
            self.reload(now)
        });
        match opened {
            Ok(()) => {
                info!("database opened again after the failed write; reads are served from it");
                self.mark_readable(true);
            }
            Err(e) => {
                // The memory may still hold the batch that failed: serve nothing from it.
                let first = self
                    .degraded
                    .as_ref()
                    .is_some_and(|d| d.readable || d.refused == 0);
                if first {
                    warn!(error = %e, "the database cannot be opened again; trying on");
                }
                self.mark_readable(false);
                if let Some(d) = &mut self.degraded {
                    d.back_off();
                }
            }
        }
    }

    /// A write arrived while the database is closed: open it now rather than at the timer.
    fn try_reopen(&mut self, now: DateTime<Utc>) {
        self.reopen(now);
    }

    /// The timer's try of the disk in degraded mode: open the file if it is closed, then
    /// commit a transaction that changes nothing but has to reach the disk. On success the
    /// store writes again without waiting for a request to find out.
    fn retry(&mut self) -> Result<(), StoreError> {
        let now = self.clock.now();
        if self.degraded.as_ref().is_some_and(|d| !d.readable) {
            self.reopen(now);
            if self.degraded.as_ref().is_some_and(|d| !d.readable) {
                return Ok(());
            }
        }
        let probe = Writes {
            event_seq: self.event_seq,
            ..Writes::default()
        };
        match self.commit(&probe) {
            Ok(()) => {
                self.resume();
                Ok(())
            }
            Err(e) => {
                self.after_failed_commit(now, e)?;
                if let Some(d) = &mut self.degraded {
                    d.back_off();
                }
                Ok(())
            }
        }
    }

    /// A commit went through: degraded mode, if it was on, ends.
    fn resume(&mut self) {
        if let Some(d) = self.degraded.take() {
            let lasted = (self.clock.now() - d.since).num_seconds();
            info!(
                seconds = lasted,
                refused_writes = d.refused,
                "the store writes again: degraded mode ended"
            );
        }
    }

    fn store_status(&self) -> StoreStatus {
        self.degraded
            .as_ref()
            .map_or(StoreStatus::Ok, Degraded::status)
    }

    /// Degraded with the database closed: every request is refused but the health and
    /// metrics questions, answered from what was last committed.
    fn refuse_batch(&mut self, batch: &mut Vec<Command>, now: DateTime<Utc>) -> Flow {
        let fault = self.degraded.as_ref().map_or(Fault::IoError, |d| d.fault);
        for cmd in batch.drain(..) {
            let writes = cmd.writes();
            match cmd {
                Command::Shutdown => self.stopping = true,
                Command::Printer(PrinterEvent::Status(status)) => self.printer_status = status,
                Command::Printer(PrinterEvent::Printed { id, .. }) => {
                    // Its outcome cannot be recorded: the one waiting hears so.
                    match self.waiters.remove(&id) {
                        Some(Waiter::Issue(reply, _)) => {
                            let _ = reply.send(Err(StoreError::Unwritable(fault).into()));
                        }
                        Some(Waiter::Reprint(reply)) => {
                            let _ = reply.send(Err(StoreError::Unwritable(fault).into()));
                        }
                        None => {}
                    }
                }
                cmd @ (Command::Health { .. } | Command::Metrics { .. }) => self.read(cmd, now),
                other => {
                    if writes && let Some(d) = &mut self.degraded {
                        d.refused += 1;
                    }
                    refuse(other, || StoreError::Unwritable(fault));
                }
            }
        }
        if self.stopping && self.waiters.is_empty() {
            Flow::Stop
        } else {
            Flow::Continue
        }
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
        let fault = self.degraded.as_ref().map(|d| d.fault);
        let failed = || {
            OpError::Store(match fault {
                Some(f) => StoreError::Unwritable(f),
                None => StoreError::CommitFailed,
            })
        };
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
                // The paper is out but the disk refused to record it: the ticket itself was
                // committed when issued, so the citizen's number stands. The outcome is
                // recorded once the store writes again.
                let unrecorded = !committed
                    && fault.is_some()
                    && matches!(outcome, PrintOutcome::Printed)
                    && r.is_ok();
                if unrecorded && !self.unrecorded_prints.contains(&id) {
                    self.unrecorded_prints.push(id);
                }
                let Some(waiter) = self.waiters.remove(&id) else {
                    return;
                };
                if unrecorded && let Waiter::Issue(reply, issued) = waiter {
                    let _ = reply.send(Ok(*issued));
                    return;
                }
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
            Pending::Complaint(reply, r, after) => {
                self.complaint_files_after(after, committed);
                let r = match r {
                    Ok(_) if !committed => Err(failed()),
                    other => other,
                };
                let _ = reply.send(r);
            }
            Pending::Survey(reply, r) => {
                let r = match r {
                    Ok(_) if !committed => Err(failed()),
                    other => other,
                };
                let _ = reply.send(r);
            }
            Pending::Outbox(reply, r) => {
                let _ = reply.send(match r {
                    Ok(_) if !committed => Err(failed()),
                    other => other,
                });
            }
            Pending::Read(cmd) => self.read(cmd, now),
        }
    }

    fn read(&mut self, cmd: Command, now: DateTime<Utc>) {
        match cmd {
            Command::Ticket { id, reply } => {
                let r = match self.state.ticket(id) {
                    Some(t) => Ok(Some(self.status(t.clone()))),
                    None => self
                        .db()
                        .and_then(|db| tables::read_ticket(db, id))
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
                // The last committed figures: in degraded mode the memory may be ahead.
                let meta = self.committed_meta;
                let _ = reply.send(Ok(Health {
                    store: self.store_status(),
                    damage: self.damage.clone(),
                    clock_suspect: self.clock_suspect,
                    schema_version: tables::SCHEMA_VERSION,
                    service_day: meta.service_day,
                    event_seq: self.event_seq,
                    tickets_today: meta.next_id.saturating_sub(meta.day_first_id) as usize,
                    path: self.path.clone(),
                    printer: self.printer_status,
                    outbox: self.outbox_figures(),
                }));
            }
            Command::UserGet { username, reply } => {
                let r = self.db().and_then(|db| accounts::read_user(db, &username));
                let _ = reply.send(r.map_err(Into::into));
            }
            Command::UserList { reply } => {
                let r = self.db().and_then(|db| accounts::list_users(db));
                let _ = reply.send(r.map_err(Into::into));
            }
            Command::SessionGet { key, reply } => {
                let r = self.db().and_then(|db| accounts::read_session(db, &key));
                let _ = reply.send(r.map_err(Into::into));
            }
            Command::Backup { dest, reply } => {
                // A snapshot read on a thread of its own: writes go on meanwhile.
                let db = match self.db() {
                    Ok(db) => db.clone(),
                    Err(e) => {
                        let _ = reply.send(Err(e.into()));
                        return;
                    }
                };
                let data_dir = self
                    .path
                    .parent()
                    .unwrap_or_else(|| Path::new("."))
                    .to_path_buf();
                let at = self.clock.now();
                let spawned = std::thread::Builder::new()
                    .name("loket-backup".to_string())
                    .spawn(move || {
                        let r = super::backup::copy_to(&db, &dest, &data_dir, at);
                        let _ = reply.send(r.map_err(Into::into));
                    });
                match spawned {
                    Ok(thread) => {
                        self.backups.retain(|b| !b.is_finished());
                        self.backups.push(thread);
                    }
                    // The reply went with the closure: its caller hears that the store stopped.
                    Err(error) => {
                        let e = StoreError::Spawn {
                            what: "backup",
                            error,
                        };
                        error!(error = %e, "no backup made");
                    }
                }
            }
            Command::Metrics { reply } => {
                if self.degraded.as_ref().is_some_and(|d| !d.readable) {
                    let _ = reply.send(Ok(Metrics {
                        store: self.store_status(),
                        damage: self.damage.clone(),
                        clock_suspect: self.clock_suspect,
                        services: Vec::new(),
                        printer: self.printer_status,
                        unprinted: 0,
                        event_seq: self.event_seq,
                        complaints: ComplaintCounts::default(),
                        outbox: None,
                    }));
                    return;
                }
                let _ = reply.send(Ok(Metrics {
                    store: self.store_status(),
                    damage: self.damage.clone(),
                    clock_suspect: self.clock_suspect,
                    services: self.state.metrics(&self.config),
                    printer: self.printer_status,
                    unprinted: self.state.view(&self.config, now).unprinted.len(),
                    event_seq: self.event_seq,
                    complaints: self.complaint_counts(now),
                    outbox: self.outbox_figures(),
                }));
            }
            Command::OutboxRead {
                after,
                limit,
                reply,
            } => {
                // Read and decoded on a thread of its own (a redb reader does not hold the
                // writer): a batch of hundreds of rows decoded here would hold the issue path
                // for milliseconds while a backlog drains.
                let db = match self.db() {
                    Ok(db) => db.clone(),
                    Err(e) => {
                        let _ = reply.send(Err(e.into()));
                        return;
                    }
                };
                let spawned = std::thread::Builder::new()
                    .name("loket-outbox".to_string())
                    .spawn(move || {
                        let r = super::outbox::read_after(&*db, after, limit);
                        let _ = reply.send(r.map_err(Into::into));
                    });
                // The reply went with the closure: the exporter hears that the store
                // stopped, and tries again.
                if let Err(error) = spawned {
                    let e = StoreError::Spawn {
                        what: "outbox read",
                        error,
                    };
                    error!(error = %e, "outbox not read");
                }
            }
            Command::OutboxState { reply } => {
                let r = self.db().and_then(|db| super::outbox::state(&**db));
                let _ = reply.send(r.map_err(Into::into));
            }
            Command::DayAggregates { from, to, reply } => {
                let today = self.state.service_day();
                let r = self.db().and_then(|db| reports::read_range(db, from, to));
                let r = r.map(|mut days| {
                    // A stored record of today would be from an earlier run's close that
                    // never happened; memory is the truth for the current day.
                    days.retain(|d| d.day != today);
                    if (from..=to).contains(&today) {
                        days.push(crate::report::day::aggregate(
                            today,
                            self.state.tickets(),
                            self.config.office.time_zone,
                        ));
                    }
                    days
                });
                let _ = reply.send(r.map_err(Into::into));
            }
            Command::AuditEntries { reply } => {
                let r = self.db().and_then(|db| accounts::audit_entries(db));
                let _ = reply.send(r.map_err(Into::into));
            }
            Command::ComplaintActions { seq, reply } => {
                let r = self.db().and_then(|db| complaints::actions_of(db, seq));
                let _ = reply.send(r.map_err(Into::into));
            }
            Command::Survey { op, reply } => {
                let _ = reply.send(self.survey_read(op, now));
            }
            Command::Complaint { reply, .. } => {
                let _ = reply.send(Err(StoreError::Stopped.into()));
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
            | Command::UserEdit { reply, .. }
            | Command::UserAdd { reply, .. }
            | Command::SessionTouch { reply, .. }
            | Command::SessionsRevoke { reply, .. }
            | Command::Audit { reply, .. }
            | Command::ConfirmDay { reply, .. } => {
                let _ = reply.send(Err(StoreError::Stopped.into()));
            }
            Command::OutboxWrite { reply, .. } => {
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

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::clock::FakeClock;

    /// Monday 30 November 2026, 09:00 WIB.
    fn monday() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 2, 0, 0)
            .single()
            .expect("valid")
    }

    fn session(username: &str) -> Session {
        Session {
            username: username.to_string(),
            created_at: monday(),
            last_seen: monday(),
            csrf: "csrf".to_string(),
            addr: "10.0.0.7".to_string(),
        }
    }

    fn start(dir: &Path, inbox: Inbox) -> Spawned {
        spawn(
            &dir.join("loket.redb"),
            inbox,
            Arc::new(Config::embedded().expect("config")),
            Arc::new(FakeClock::new(monday())),
            Buses::new(16),
            None,
            None,
        )
        .expect("store")
    }

    /// Queues commands so that the store takes them as one batch: they are in its inbox
    /// before its thread starts, and a batch takes everything waiting.
    fn queue<T>(
        h: &StoreHandle,
        make: impl FnOnce(Reply<T>) -> Command,
    ) -> oneshot::Receiver<Result<T, OpError>> {
        let (reply, rx) = oneshot::channel();
        assert!(h.tx.try_send(make(reply)).is_ok(), "inbox has room");
        rx
    }

    fn put(h: &StoreHandle, key: &str, user: &str) -> oneshot::Receiver<Result<(), OpError>> {
        queue(h, |reply| Command::SessionPut {
            key: key.to_string(),
            session: Box::new(session(user)),
            verified: None,
            who: Who::new(user, "10.0.0.7"),
            action: Some("login".to_string()),
            reply,
        })
    }

    fn revoke(
        h: &StoreHandle,
        user: &str,
        except: Option<&str>,
    ) -> oneshot::Receiver<Result<(), OpError>> {
        queue(h, |reply| Command::SessionsRevoke {
            username: user.to_string(),
            except: except.map(str::to_string),
            who: Who::new("admin", "10.0.0.1"),
            reply,
        })
    }

    async fn stop(h: StoreHandle, spawned: Spawned) {
        h.shutdown().await;
        drop(h);
        tokio::task::spawn_blocking(move || spawned.thread.join())
            .await
            .expect("join")
            .expect("store thread");
    }

    fn account(name: &str, hash: &str) -> User {
        User {
            username: name.to_string(),
            display_name: String::new(),
            roles: vec![crate::auth::Role::Operator],
            password_hash: hash.to_string(),
            disabled: false,
            must_change_password: false,
            created_at: monday(),
        }
    }

    fn add(h: &StoreHandle, user: User) -> oneshot::Receiver<Result<(), OpError>> {
        queue(h, |reply| Command::UserPut {
            user: Box::new(user),
            who: Who::new("admin", ""),
            action: "user_added".to_string(),
            reply,
        })
    }

    fn edit(
        h: &StoreHandle,
        name: &str,
        edit: UserEdit,
        revoke: Option<Option<String>>,
    ) -> oneshot::Receiver<Result<(), OpError>> {
        queue(h, |reply| Command::UserEdit {
            username: name.to_string(),
            edit,
            revoke,
            who: Who::new("admin", ""),
            action: "password_reset".to_string(),
            reply,
        })
    }

    fn login(
        h: &StoreHandle,
        key: &str,
        user: &str,
        verified: &str,
    ) -> oneshot::Receiver<Result<(), OpError>> {
        queue(h, |reply| Command::SessionPut {
            key: key.to_string(),
            session: Box::new(session(user)),
            verified: Some(verified.to_string()),
            who: Who::new(user, ""),
            action: Some("login".to_string()),
            reply,
        })
    }

    #[tokio::test]
    async fn a_login_whose_password_was_reset_during_its_check_opens_no_session() {
        let dir = tempfile::tempdir().expect("tmp");
        let (h, inbox) = channel();
        let created = add(&h, account("sari", "old-hash"));
        // The reset lands while the login is still checking the old password.
        let reset = edit(
            &h,
            "sari",
            Box::new(|u: &mut User| {
                u.password_hash = "new-hash".to_string();
                Ok(())
            }),
            Some(None),
        );
        let stale = login(&h, "k-stale", "sari", "old-hash");
        let fresh = login(&h, "k-fresh", "sari", "new-hash");
        let spawned = start(dir.path(), inbox);
        created.await.expect("answered").expect("added");
        reset.await.expect("answered").expect("reset");
        assert!(matches!(
            stale.await.expect("answered"),
            Err(OpError::Account(AccountRefusal::Changed))
        ));
        fresh.await.expect("answered").expect("logged in");
        assert_eq!(h.session("k-stale").await.expect("read"), None);
        assert!(h.session("k-fresh").await.expect("read").is_some());
        stop(h, spawned).await;
    }

    #[tokio::test]
    async fn an_edit_applies_to_the_account_as_stored_and_never_undoes_another() {
        let dir = tempfile::tempdir().expect("tmp");
        let (h, inbox) = channel();
        let created = add(&h, account("budi", "hash"));
        // Two administrators at once: one disables, the other changes roles.
        let disable = edit(
            &h,
            "budi",
            Box::new(|u: &mut User| {
                u.disabled = true;
                Ok(())
            }),
            Some(None),
        );
        let roles = edit(
            &h,
            "budi",
            Box::new(|u: &mut User| {
                u.roles = vec![crate::auth::Role::Kasi];
                Ok(())
            }),
            None,
        );
        // An edit of an account that does not exist is refused and writes nothing.
        let own = edit(&h, "nobody", Box::new(|_: &mut User| Ok(())), None);
        let spawned = start(dir.path(), inbox);
        for rx in [created, disable, roles] {
            rx.await.expect("answered").expect("done");
        }
        assert!(matches!(
            own.await.expect("answered"),
            Err(OpError::Account(AccountRefusal::Unknown))
        ));
        let u = h.user("budi").await.expect("read").expect("exists");
        assert!(u.disabled, "the disable holds");
        assert_eq!(u.roles, vec![crate::auth::Role::Kasi]);
        stop(h, spawned).await;
    }

    #[tokio::test]
    async fn a_revocation_ends_a_session_written_earlier_in_the_same_batch() {
        let dir = tempfile::tempdir().expect("tmp");
        let (h, inbox) = channel();
        // A login racing a password reset: both in one batch, the login first. Another
        // user's login in the same batch, and `sari`'s login after the reset, stay.
        let login = put(&h, "k-sari-1", "sari");
        let other = put(&h, "k-budi-1", "budi");
        let reset = revoke(&h, "sari", None);
        let after = put(&h, "k-sari-2", "sari");
        let spawned = start(dir.path(), inbox);
        for rx in [login, other, reset, after] {
            rx.await.expect("answered").expect("committed");
        }
        assert_eq!(h.session("k-sari-1").await.expect("read"), None, "revoked");
        assert!(h.session("k-budi-1").await.expect("read").is_some());
        assert!(h.session("k-sari-2").await.expect("read").is_some());
        let audit = h.audit_entries().await.expect("audit");
        let revoked = audit
            .iter()
            .find(|e| e.action == "sessions_revoked")
            .expect("audited");
        assert_eq!(
            (revoked.target.as_str(), revoked.detail.as_str()),
            ("sari", "1")
        );
        assert_eq!(crate::audit::verify(&audit), Ok(audit.len() as u64));
        stop(h, spawned).await;
    }

    #[tokio::test]
    async fn the_store_closes_only_after_a_backup_under_way() {
        let dir = tempfile::tempdir().expect("tmp");
        let (h, inbox) = channel();
        let dest = dir.path().join("copy.redb");
        let mut backup = queue(&h, |reply| Command::Backup {
            dest: dest.clone(),
            reply,
        });
        // The stop comes in the same batch: the copy is still being written when the store
        // would otherwise close.
        assert!(h.tx.try_send(Command::Shutdown).is_ok());
        drop(h);
        let spawned = start(dir.path(), inbox);
        tokio::task::spawn_blocking(move || spawned.thread.join())
            .await
            .expect("join")
            .expect("store thread");
        // The store's thread has ended: the copy was answered and is whole, and nothing
        // holds the database any more.
        let answered = backup.try_recv().expect("answered before the store closed");
        assert!(answered.is_ok(), "{answered:?}");
        super::super::backup::verify(&dest).expect("a whole copy");
        tables::open(&dir.path().join("loket.redb"), None).expect("the database is free");
    }

    #[tokio::test]
    async fn a_revocation_keeps_the_excepted_session_and_sees_committed_ones() {
        let dir = tempfile::tempdir().expect("tmp");
        let (h, inbox) = channel();
        let first = put(&h, "k-1", "sari");
        let spawned = start(dir.path(), inbox);
        first.await.expect("answered").expect("committed");
        h.put_session("k-2".to_string(), session("sari"), Who::default(), None)
            .await
            .expect("put");
        // The password changed in the session `k-2`: it stays, every other one ends.
        h.revoke_sessions("sari", Some("k-2".to_string()), Who::default())
            .await
            .expect("revoke");
        assert_eq!(h.session("k-1").await.expect("read"), None);
        assert!(h.session("k-2").await.expect("read").is_some());
        stop(h, spawned).await;
    }
}
