//! The store: one redb file in the data directory. Every state change is one write
//! transaction committed durably before any reply, print or event (see `actor`).

mod accounts;
mod actor;
pub mod backup;
pub mod check;
mod complaints;
pub mod fault;
pub mod last_backup;
mod letters;
pub mod migrate;
pub mod offline;
pub mod outbox;
mod outbox_backfill;
mod reports;
mod survey;
mod tables;

pub use actor::{
    AccountRefusal, Buses, Health, Inbox, Metrics, OpError, Spawned, StoreHandle, TicketStatus,
    UserEdit, channel, spawn,
};
pub use complaints::{
    ActionRow, Complaint, ComplaintCounts, INTAKE_TICKETS_MAX, Identity, IntakeTicket,
    NewComplaint, OverdueCount, PurgeSummary, RegisterPage, RegisterQuery, RegisterRow, Source,
    Status, WORK_LIMIT, WorkList, WorkRow,
};
pub use fault::{Damage, Fault, StoreStatus};
pub use letters::{LetterKind, LetterPdf};
pub use outbox::{OutboxState, Record as OutboxRecord};
pub use survey::{SurveyRefusal, SurveyStatus};
pub use tables::{Opener, SCHEMA_VERSION, StoreError};
