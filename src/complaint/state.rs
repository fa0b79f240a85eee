//! A complaint's workflow state: the flow it follows (a snapshot), where it stands, every
//! step as it happened (one record per step and round), the reply drafts, and a version
//! counter so two people acting on the same form cannot both win.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::flow::{Flow, Level, OutsideParty, Step};
use crate::auth::Role;
use crate::calendar::TimeStandard;

/// Who is acting: a signed-in staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub username: String,
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn holds_any(&self, roles: &[Role]) -> bool {
        self.roles.iter().any(|r| roles.contains(r))
    }
}

/// Turns a step's time standard into a due time. The office calendar (working hours,
/// holidays) implements it; the engine never reads a clock or a calendar itself.
pub trait Deadlines {
    fn due(&self, start: DateTime<Utc>, standard: TimeStandard) -> DateTime<Utc>;
    /// The working time between two instants, in minutes: how late a step is, in the same
    /// measure as its standard (0 when `to` is not after `from`).
    fn working_minutes(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> u64;
}

/// How a complaint without a queue ticket came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Letter,
    Phone,
    Email,
    /// In person, but without a queue number (the kiosk was out, or staff took it directly).
    InPerson,
    Other,
}

impl Channel {
    pub fn label_id(self) -> &'static str {
        match self {
            Channel::Letter => "Surat",
            Channel::Phone => "Telepon",
            Channel::Email => "Surel",
            Channel::InPerson => "Datang langsung tanpa nomor antrian",
            Channel::Other => "Lainnya",
        }
    }
}

/// The queue ticket's history a complaint's first steps are taken from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketTimes {
    pub ticket_id: u64,
    /// As printed: `D-004`.
    pub label: String,
    pub issued_at: DateTime<Utc>,
    pub called_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Intake {
    Ticket(TicketTimes),
    Channel { channel: Channel },
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Done,
    /// A review step agreed (signed or initialled).
    Approved,
    /// A review step sent the reply back for revision.
    Returned,
    /// Taken from the queue ticket's history when the complaint was opened.
    FromTicket,
    /// A ticket step of a complaint that came without a ticket (letter, phone…).
    NotApplicable,
}

/// One step of one round, as it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    pub step: u32,
    /// 1 for the first pass; a return for revision starts the next.
    pub round: u32,
    pub started_at: DateTime<Utc>,
    /// `started_at` plus the step's time standard; none for a step that did not apply.
    pub due_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    /// The account that did it, or recorded it on the outside party's behalf.
    pub done_by: Option<String>,
    /// When recorded, if later than `done_at` (an outside party's step recorded afterwards).
    pub recorded_at: Option<DateTime<Utc>>,
    pub recorded_on_behalf_of: Option<OutsideParty>,
    pub outcome: Option<Outcome>,
    pub note: Option<String>,
    /// The step's requirements (*persyaratan*) that were checked.
    #[serde(default)]
    pub documents_checked: Vec<String>,
    /// The round of the reply draft this step wrote or reviewed.
    pub draft: Option<u32>,
}

impl StepRecord {
    pub fn is_open(&self) -> bool {
        self.done_at.is_none()
    }
}

/// A reviewer's verdict on a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub approved: bool,
    pub by: String,
    pub at: DateTime<Utc>,
    pub note: Option<String>,
}

/// The reply letter as written in one round; saving again in the same round replaces the
/// text, a revision round gets a draft of its own, the reviewer's note stays beside each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub round: u32,
    pub text: String,
    pub written_by: String,
    pub written_at: DateTime<Utc>,
    pub review: Option<Review>,
}

/// A complaint's workflow. Changed only by `start_*` and `apply`, which return a new state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workflow {
    pub(super) flow: Flow,
    pub(super) level: Level,
    pub(super) intake: Intake,
    /// The step now waiting to be done; none once the final step is done.
    pub(super) current: Option<u32>,
    pub(super) round: u32,
    pub(super) records: Vec<StepRecord>,
    pub(super) drafts: Vec<Draft>,
    pub(super) version: u64,
}

impl Workflow {
    /// The flow as it was when the complaint was opened.
    pub fn flow(&self) -> &Flow {
        &self.flow
    }

    pub fn level(&self) -> Level {
        self.level
    }

    pub fn intake(&self) -> &Intake {
        &self.intake
    }

    pub fn current_step(&self) -> Option<&Step> {
        self.current.and_then(|no| self.flow.step(no))
    }

    pub fn round(&self) -> u32 {
        self.round
    }

    pub fn is_closed(&self) -> bool {
        self.current.is_none()
    }

    /// In the order they happened.
    pub fn records(&self) -> &[StepRecord] {
        &self.records
    }

    pub fn current_record(&self) -> Option<&StepRecord> {
        let no = self.current?;
        self.records
            .iter()
            .rev()
            .find(|r| r.step == no && r.round == self.round)
    }

    pub fn drafts(&self) -> &[Draft] {
        &self.drafts
    }

    /// The draft of the current round, if one was saved.
    pub fn current_draft(&self) -> Option<&Draft> {
        self.drafts.iter().rev().find(|d| d.round == self.round)
    }

    /// Goes up by one with every change; a form carries the version it was read at.
    pub fn version(&self) -> u64 {
        self.version
    }
}
