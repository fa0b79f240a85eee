//! Complaints in the store: their tables, the register index kept in memory, and the one
//! command arm (`ComplaintOp`) through which the web layer reaches them. The engine
//! (`complaint::apply`, `start_*`) decides every change; this file only reads the complaint as
//! the batch leaves it, asks the engine, and writes what it returned into the batch's write
//! transaction, audited in the same transaction. A refusal writes nothing.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use redb::{
    ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition, WriteTransaction,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tracing::{error, warn};

use super::actor::{Actor, OpError};
use super::tables::{META, StoreError};
use crate::attachments::Stored;
use crate::audit::Who;
use crate::auth::{ALL_ROLES, Role};
use crate::clock::local_date;
use crate::complaint::{
    self, Action, Channel, ComplaintError, Flow, GlobalId, Level, Recorded, TicketTimes, Workflow,
};
use crate::events::ComplaintEventKind;
use crate::privacy::{Nik, mask_name, mask_nik};
use crate::queue::TicketState;

/// Complaint records as JSON by the office's own sequence; the flow snapshot is kept once per
/// version in `COMPLAINT_FLOWS` and the record names its version.
pub(super) const COMPLAINTS: TableDefinition<u64, &[u8]> = TableDefinition::new("complaints");
/// The complainant's identity, apart so that the purge deletes it and nothing else.
pub(super) const IDENTITIES: TableDefinition<u64, &[u8]> =
    TableDefinition::new("complaint_identities");
/// Tracking code (canonical form) → complaint.
pub(super) const CODES: TableDefinition<&str, u64> = TableDefinition::new("complaint_codes");
/// Every change the engine recorded, appended, never changed: (complaint, workflow version).
pub(super) const ACTIONS: TableDefinition<(u64, u64), &[u8]> =
    TableDefinition::new("complaint_actions");
/// Flow snapshots by version (SHA-256 of the content): one copy however many complaints.
pub(super) const FLOWS: TableDefinition<&str, &[u8]> = TableDefinition::new("complaint_flows");
/// Queue ticket → the complaint opened from it: one ticket opens one complaint.
pub(super) const TICKET_LINKS: TableDefinition<u64, u64> =
    TableDefinition::new("complaint_tickets");
/// (attachment SHA-256, complaint): who still needs a file, so a purge deletes a scan only
/// when no other complaint names the same bytes.
pub(super) const ATTACHMENT_REFS: TableDefinition<(&str, u64), u8> =
    TableDefinition::new("complaint_attachments");

const K_NEXT: &str = "complaint_next_seq";
/// The last complaint event's sequence number (the staff stream's `id`).
const K_EVENT_SEQ: &str = "complaint_event_seq";

/// A complaint change of the batch, published to staff once the batch committed.
pub(super) struct StaffChange {
    pub at: DateTime<Utc>,
    pub complaint: u64,
    pub number: String,
    pub kind: ComplaintEventKind,
    pub step: Option<u32>,
}

impl StaffChange {
    fn of(c: &Complaint, kind: ComplaintEventKind, at: DateTime<Utc>) -> Self {
        Self {
            at,
            complaint: c.seq(),
            number: c.number.clone(),
            kind,
            step: c.workflow.current_step().map(|s| s.no),
        }
    }
}

/// What a recorded change is, as the staff stream names it.
fn event_kind(r: &Recorded) -> ComplaintEventKind {
    match &r.change {
        _ if r.closed => ComplaintEventKind::Closed,
        complaint::Change::Opened { .. } => ComplaintEventKind::Opened,
        complaint::Change::Returned { .. } => ComplaintEventKind::ReturnedForRevision,
        _ => ComplaintEventKind::StepDone,
    }
}

/// The last complaint event's sequence number on disk (0 before the first).
pub(super) fn staff_event_seq(db: &redb::Database) -> Result<u64, StoreError> {
    let txn = db.begin_read()?;
    let meta = match txn.open_table(META) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    Ok(meta.get(K_EVENT_SEQ)?.map_or(0, |v| v.value()))
}

pub(super) fn write_staff_event_seq(txn: &WriteTransaction, seq: u64) -> Result<(), StoreError> {
    txn.open_table(META)?.insert(K_EVENT_SEQ, seq)?;
    Ok(())
}

/// Creates the complaint tables (the schema 1 → 2 step, and a new database).
pub(super) fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(COMPLAINTS)?;
    txn.open_table(IDENTITIES)?;
    txn.open_table(CODES)?;
    txn.open_table(ACTIONS)?;
    txn.open_table(FLOWS)?;
    txn.open_table(TICKET_LINKS)?;
    txn.open_table(ATTACHMENT_REFS)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Records.

/// Who complained. Kept in its own table: the purge removes it whole after the retention
/// period, and a plain read of a complaint never carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub nik: Option<Nik>,
    /// The complainant asked that their identity be kept secret (*rahasia*): the register
    /// shows no name and a name search does not find them.
    #[serde(default)]
    pub rahasia: bool,
}

/// A complaint as stored (without the identity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Complaint {
    /// The office's code and its sequence: unique across a city's offices.
    pub id: GlobalId,
    /// In the register: `PGD/2026/12/0007`, the month's sequence in office-local time.
    pub number: String,
    /// What the citizen types on the tracking page: `K7QM-2XHD-9RTA`.
    pub tracking_code: String,
    pub created_at: DateTime<Utc>,
    /// The queue ticket the complaint was opened from, or the channel it came by.
    pub ticket_id: Option<u64>,
    pub channel: Option<Channel>,
    /// The service the complaint is about.
    pub service: String,
    /// What happened, and when.
    pub what_happened: String,
    pub happened_on: Option<NaiveDate>,
    /// What fell short of the service standard.
    pub shortfall: String,
    /// What the complainant asks for.
    pub remedy: String,
    pub attachments: Vec<Stored>,
    pub workflow: Workflow,
    pub closed_at: Option<DateTime<Utc>>,
    /// The reply letters signed, one per round that was signed (normally one); the PDFs are
    /// in `LETTERS`.
    #[serde(default)]
    pub letters: Vec<crate::letter::SignedLetter>,
    /// When the identity and the attachment files were deleted under the retention rule.
    pub purged_at: Option<DateTime<Utc>>,
}

impl Complaint {
    /// The store's key: the office's own sequence.
    pub fn seq(&self) -> u64 {
        self.id.seq
    }
}

/// One change, as a city collects them: appended with the complaint, never changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionRow {
    /// `3271-DUKCAPIL-42-3`: the complaint's global id and the workflow version it made.
    pub id: String,
    pub complaint: GlobalId,
    pub seq: u64,
    pub who: String,
    pub at: DateTime<Utc>,
    pub recorded: Recorded,
}

/// How a complaint came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A queue ticket of today, finished: the SOP's steps 1–2 are its own history.
    Ticket(u64),
    Channel(Channel),
}

/// What the officer records when opening a complaint (the SOP's step 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComplaint {
    pub source: Source,
    pub level: Level,
    pub identity: Identity,
    pub service: String,
    pub what_happened: String,
    pub happened_on: Option<NaiveDate>,
    pub shortfall: String,
    pub remedy: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    Closed,
}

/// The register's filters; all given ones must hold. Newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterQuery {
    /// Part of the register number, any case.
    pub number: Option<String>,
    /// Opened on or after / on or before (office-local dates).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Part of the complainant's name, any case (confidential ones are never found by name).
    pub name: Option<String>,
    pub level: Option<Level>,
    pub flow: Option<String>,
    /// The step now waiting.
    pub step: Option<u32>,
    pub status: Option<Status>,
    /// Only those whose waiting step is past due now.
    pub overdue: bool,
    pub offset: usize,
    /// 1–200; 0 means 50.
    pub limit: usize,
}

/// One line of the register: nothing that identifies the complainant in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterRow {
    pub seq: u64,
    pub id: String,
    pub number: String,
    pub created_on: NaiveDate,
    pub level: Level,
    pub flow: String,
    /// None once closed.
    pub step: Option<u32>,
    pub due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
    /// `A*** S***`; `(dirahasiakan)` for a confidential one, `(dihapus)` after the purge.
    pub name: String,
    pub nik: Option<String>,
    pub closed: bool,
    pub purged: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterPage {
    /// How many match, over all pages.
    pub total: usize,
    pub rows: Vec<RegisterRow>,
}

/// A finished ticket of the service day that no complaint names yet: what the intake form
/// offers to open a complaint from. Tickets carry no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntakeTicket {
    pub id: u64,
    /// As printed: `A-004`.
    pub label: String,
    /// The service it was finished in (after a transfer, the last one).
    pub service: String,
    /// The counter that finished it.
    pub counter: u32,
    pub finished_at: DateTime<Utc>,
}

/// At most this many tickets are offered (newest first); older ones are typed or scanned.
pub const INTAKE_TICKETS_MAX: usize = 100;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PurgeSummary {
    pub complaints: usize,
    pub files: usize,
}

/// Open complaints whose waiting step is past due, per flow and step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverdueCount {
    pub flow: String,
    pub step: u32,
    pub count: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ComplaintCounts {
    pub open: usize,
    pub closed: usize,
    pub overdue: Vec<OverdueCount>,
}

/// One open complaint whose waiting step the asker's roles may act on ("Langkah saya").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkRow {
    pub seq: u64,
    pub number: String,
    pub step: u32,
    /// The step's words, from the flow version the complaint started with.
    pub action: String,
    pub due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
}

/// The work list: overdue first, then by due time; at most the asked number of rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WorkList {
    /// How many complaints wait on these roles, beyond the rows shown too.
    pub total: usize,
    pub rows: Vec<WorkRow>,
}

/// The most rows one work list carries.
pub const WORK_LIMIT: usize = 200;

/// The complaint domain's requests to the store.
pub(super) enum ComplaintOp {
    Open(Box<NewComplaint>),
    Act {
        seq: u64,
        action: Action,
    },
    Attach {
        seq: u64,
        staged: crate::attachments::Staged,
    },
    Get {
        seq: u64,
        identity: bool,
    },
    ByCode {
        code: String,
    },
    Register(RegisterQuery),
    /// The open complaints whose waiting step one of `roles` may act on, by the complaint's
    /// own flow version; 1–`WORK_LIMIT` rows (0 means `WORK_LIMIT`).
    Work {
        roles: Vec<Role>,
        limit: usize,
    },
    Purge,
    Counts,
    IntakeTickets {
        limit: usize,
    },
    /// The complaints received on `from..=to` (office-local dates), without identities: the
    /// register index picks them, so only that month's records are decoded.
    Received {
        from: NaiveDate,
        to: NaiveDate,
    },
    /// One attachment's bytes, audited as `complaint_attachment_viewed`.
    AttachmentGet {
        seq: u64,
        sha256: String,
    },
    /// A letter PDF (signed, preview or receipt), audited.
    Letter {
        seq: u64,
        kind: super::letters::LetterKind,
    },
}

impl ComplaintOp {
    /// Answered without a commit: nothing written, nothing audited.
    pub(super) fn reads_only(&self) -> bool {
        matches!(
            self,
            ComplaintOp::Get {
                identity: false,
                ..
            } | ComplaintOp::ByCode { .. }
                | ComplaintOp::Register(_)
                | ComplaintOp::Counts
                | ComplaintOp::IntakeTickets { .. }
                | ComplaintOp::Received { .. }
        )
    }
}

pub(super) enum ComplaintOut {
    Complaint(Box<Complaint>),
    WithIdentity(Box<Complaint>, Option<Identity>),
    Page(RegisterPage),
    Purged(PurgeSummary),
    Counts(ComplaintCounts),
    Tickets(Vec<IntakeTicket>),
    File(Box<Stored>, Vec<u8>),
    Work(WorkList),
    List(Vec<Complaint>),
    Pdf(super::letters::LetterPdf),
}

/// Files to delete once the batch is on disk (a purge), or to delete if it is not (an
/// attachment stored for a change that did not commit and that nothing else names).
#[derive(Default)]
pub(super) struct AfterCommit {
    pub remove_if_committed: Vec<Stored>,
    pub remove_if_not: Vec<Stored>,
}

// ---------------------------------------------------------------------------------------
// The register index: a compact line per complaint, in memory, so a register search never
// reads the file.

struct Summary {
    seq: u64,
    number: Box<str>,
    created_on: NaiveDate,
    level: Level,
    flow: u16,
    /// The flow version the complaint runs on: its place in `Index::versions`.
    version: u32,
    /// The step waiting; 0 once closed (no flow numbers a step 0).
    step: u32,
    /// Unix seconds of the waiting step's due time; `i64::MAX` when none.
    due: i64,
    closed_at: Option<i64>,
    purged: bool,
    /// Lowercase, for search; empty when confidential or purged.
    name: Box<str>,
}

#[derive(Default)]
pub(super) struct Index {
    rows: Vec<Summary>,
    flow_ids: Vec<String>,
    /// Flow snapshots by version, as stored.
    pub(super) flows: HashMap<String, Value>,
    /// The flow id of each stored version.
    flow_of_version: HashMap<String, u16>,
    /// Each stored version's steps as the work list needs them, computed once when the
    /// snapshot is loaded or first written; `Summary::version` indexes it.
    versions: Vec<Vec<StepRoles>>,
    /// Flow version (SHA-256) → its place in `versions`.
    version_ids: HashMap<String, u32>,
}

/// One step of a stored flow version: who may act on it (a bit per `ALL_ROLES` entry) and
/// what it says.
struct StepRoles {
    no: u32,
    roles: u32,
    action: Box<str>,
}

/// The roles as bits in `ALL_ROLES` order.
fn role_mask(roles: &[Role]) -> u32 {
    ALL_ROLES
        .iter()
        .enumerate()
        .filter(|(_, r)| roles.contains(r))
        .fold(0, |m, (i, _)| m | (1 << i))
}

/// The part of a stored complaint the index needs; parsing it skips drafts and notes.
#[derive(Deserialize)]
struct Head {
    id: GlobalId,
    number: String,
    created_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    purged_at: Option<DateTime<Utc>>,
    workflow: WorkflowHead,
}

#[derive(Deserialize)]
struct WorkflowHead {
    flow: String,
    level: Level,
    current: Option<u32>,
    round: u32,
    records: Vec<RecordHead>,
}

#[derive(Deserialize)]
struct RecordHead {
    step: u32,
    round: u32,
    due_at: Option<DateTime<Utc>>,
}

impl Index {
    pub(super) fn len(&self) -> usize {
        self.rows.len()
    }

    fn flow_index(&mut self, id: &str) -> u16 {
        match self.flow_ids.iter().position(|f| f == id) {
            Some(i) => i as u16,
            None => {
                self.flow_ids.push(id.to_string());
                (self.flow_ids.len() - 1) as u16
            }
        }
    }

    /// The place of a flow version's steps, adding them the first time it is seen.
    fn version_index(&mut self, flow: &Flow) -> u32 {
        if let Some(&i) = self.version_ids.get(&flow.version) {
            return i;
        }
        let steps = flow
            .steps
            .iter()
            .map(|s| StepRoles {
                no: s.no,
                roles: role_mask(&s.allowed_roles()),
                action: s.action.clone().into_boxed_str(),
            })
            .collect();
        self.versions.push(steps);
        let i = (self.versions.len() - 1) as u32;
        self.version_ids.insert(flow.version.clone(), i);
        i
    }

    /// The waiting step of a row, as its own flow version describes it.
    fn waiting_step(&self, r: &Summary) -> Option<&StepRoles> {
        if r.step == 0 {
            return None;
        }
        self.versions
            .get(r.version as usize)?
            .iter()
            .find(|s| s.no == r.step)
    }

    fn position(&self, seq: u64) -> Option<usize> {
        self.rows.binary_search_by_key(&seq, |r| r.seq).ok()
    }

    fn put(&mut self, c: &Complaint, identity: Option<&Identity>, tz: chrono_tz::Tz) {
        let flow = self.flow_index(&c.workflow.flow().id);
        let version = self.version_index(c.workflow.flow());
        let (step, due) = match c.workflow.current_record() {
            Some(r) if !c.workflow.is_closed() => {
                (r.step, r.due_at.map_or(i64::MAX, |d| d.timestamp()))
            }
            _ => (0, i64::MAX),
        };
        let row = Summary {
            seq: c.seq(),
            number: c.number.clone().into_boxed_str(),
            created_on: local_date(c.created_at, tz),
            level: c.workflow.level(),
            flow,
            version,
            step,
            due,
            closed_at: c.closed_at.map(|t| t.timestamp()),
            purged: c.purged_at.is_some(),
            name: search_name(identity),
        };
        match self.rows.binary_search_by_key(&row.seq, |r| r.seq) {
            Ok(i) => self.rows[i] = row,
            Err(i) => self.rows.insert(i, row),
        }
    }
}

fn search_name(identity: Option<&Identity>) -> Box<str> {
    match identity {
        Some(i) if !i.rahasia => i.name.to_lowercase().into_boxed_str(),
        _ => Box::from(""),
    }
}

fn json<T: Serialize>(what: &str, v: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(v).map_err(|error| StoreError::Encode {
        what: what.to_string(),
        error,
    })
}

fn corrupt(what: impl Into<String>, why: impl ToString) -> StoreError {
    StoreError::Corrupt {
        what: what.into(),
        why: why.to_string(),
    }
}

/// Reads the index and the flow snapshots from the file (at start, and after a failed commit).
pub(super) fn load_index(db: &redb::Database, tz: chrono_tz::Tz) -> Result<Index, StoreError> {
    let txn = db.begin_read()?;
    let mut index = Index::default();
    macro_rules! table {
        ($def:expr) => {
            match txn.open_table($def) {
                Ok(t) => t,
                Err(redb::TableError::TableDoesNotExist(_)) => return Ok(index),
                Err(e) => return Err(e.into()),
            }
        };
    }
    let flows = table!(FLOWS);
    for row in flows.iter()? {
        let (k, v) = row?;
        let flow: Value = serde_json::from_slice(v.value()).map_err(|e| corrupt("flow", e))?;
        let id = flow
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| corrupt("flow", "no id"))?
            .to_string();
        let i = index.flow_index(&id);
        let parsed: Flow = serde_json::from_value(flow.clone())
            .map_err(|e| corrupt(format!("flow {}", k.value()), e))?;
        // Keyed by the table's key, the version every complaint names.
        if !index.version_ids.contains_key(k.value()) {
            let v = index.version_index(&parsed);
            index.version_ids.insert(k.value().to_string(), v);
        }
        index.flow_of_version.insert(k.value().to_string(), i);
        index.flows.insert(k.value().to_string(), flow);
    }
    let mut names: HashMap<u64, Box<str>> = HashMap::new();
    for row in table!(IDENTITIES).iter()? {
        let (k, v) = row?;
        let identity: Identity = serde_json::from_slice(v.value())
            .map_err(|e| corrupt(format!("identity of complaint {}", k.value()), e))?;
        names.insert(k.value(), search_name(Some(&identity)));
    }
    let complaints = table!(COMPLAINTS);
    index.rows.reserve(complaints.len()? as usize);
    for row in complaints.iter()? {
        let (k, v) = row?;
        let head: Head = serde_json::from_slice(v.value())
            .map_err(|e| corrupt(format!("complaint {}", k.value()), e))?;
        let wf = &head.workflow;
        let current = wf.current.and_then(|no| {
            wf.records
                .iter()
                .rev()
                .find(|r| r.step == no && r.round == wf.round)
        });
        let flow = *index
            .flow_of_version
            .get(&wf.flow)
            .ok_or_else(|| corrupt(format!("complaint {}", k.value()), "unknown flow version"))?;
        let version = *index
            .version_ids
            .get(&wf.flow)
            .ok_or_else(|| corrupt(format!("complaint {}", k.value()), "unknown flow version"))?;
        index.rows.push(Summary {
            seq: head.id.seq,
            number: head.number.into_boxed_str(),
            created_on: local_date(head.created_at, tz),
            level: wf.level,
            flow,
            version,
            step: current.map_or(0, |r| r.step),
            due: current
                .and_then(|r| r.due_at)
                .map_or(i64::MAX, |d| d.timestamp()),
            closed_at: head.closed_at.map(|t| t.timestamp()),
            purged: head.purged_at.is_some(),
            name: names.remove(&k.value()).unwrap_or_default(),
        });
    }
    Ok(index)
}

/// A complaint's record without the flow snapshot (which is stored once per version).
fn encode(c: &Complaint) -> Result<(Vec<u8>, Value), StoreError> {
    let mut v = serde_json::to_value(c).map_err(|error| StoreError::Encode {
        what: format!("complaint {}", c.id),
        error,
    })?;
    let flow = v
        .get_mut("workflow")
        .and_then(|w| w.get_mut("flow"))
        .map(|f| std::mem::replace(f, Value::String(c.workflow.flow().version.clone())))
        .ok_or_else(|| corrupt(format!("complaint {}", c.id), "no flow"))?;
    Ok((json("complaint", &v)?, flow))
}

pub(super) fn decode(
    seq: u64,
    bytes: &[u8],
    flows: &HashMap<String, Value>,
) -> Result<Complaint, StoreError> {
    let what = || format!("complaint {seq}");
    let mut v: Value = serde_json::from_slice(bytes).map_err(|e| corrupt(what(), e))?;
    let slot = v
        .get_mut("workflow")
        .and_then(|w| w.get_mut("flow"))
        .ok_or_else(|| corrupt(what(), "no flow"))?;
    let version = slot
        .as_str()
        .ok_or_else(|| corrupt(what(), "no flow version"))?;
    let flow = flows
        .get(version)
        .ok_or_else(|| corrupt(what(), format!("flow version {version} not stored")))?;
    *slot = flow.clone();
    serde_json::from_value(v).map_err(|e| corrupt(what(), e))
}

fn not_found(seq: u64) -> ComplaintError {
    ComplaintError::NotFound(format!("Pengaduan {seq} tidak ditemukan."))
}

const MAX_NAME: usize = 100;
const MAX_LINE: usize = 200;
const MAX_TEXT: usize = 4_000;

/// Checks the officer's form: required fields, lengths, no control characters (they would end
/// up in letters and on paper).
fn check_new(n: &NewComplaint, today: NaiveDate) -> Result<(), ComplaintError> {
    let invalid = |m: String| Err(ComplaintError::Invalid(m));
    let fields: [(&str, &str, usize, bool, bool); 8] = [
        ("Nama pengadu", &n.identity.name, MAX_NAME, true, false),
        ("Alamat", &n.identity.address, MAX_LINE, false, false),
        ("Nomor telepon", &n.identity.phone, 30, false, false),
        ("Surel", &n.identity.email, MAX_NAME, false, false),
        ("Layanan yang diadukan", &n.service, MAX_NAME, true, false),
        ("Uraian kejadian", &n.what_happened, MAX_TEXT, true, true),
        ("Kekurangan layanan", &n.shortfall, MAX_TEXT, false, true),
        (
            "Penyelesaian yang diminta",
            &n.remedy,
            MAX_TEXT,
            false,
            true,
        ),
    ];
    for (label, value, max, required, multiline) in fields {
        if required && value.trim().is_empty() {
            return invalid(format!("{label} wajib diisi."));
        }
        if value.chars().count() > max {
            return invalid(format!(
                "{label} terlalu panjang (paling banyak {max} karakter)."
            ));
        }
        let bad = value
            .chars()
            .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')));
        if bad {
            return invalid(format!("{label} berisi karakter yang tidak diizinkan."));
        }
    }
    if !n.identity.email.is_empty() && !n.identity.email.contains('@') {
        return invalid("Alamat surel tidak valid.".to_string());
    }
    if n.happened_on.is_some_and(|d| d > today) {
        return invalid("Tanggal kejadian tidak boleh setelah hari ini.".to_string());
    }
    Ok(())
}

/// Who may add a document to a complaint: those who receive them from the citizen.
const ATTACH_ROLES: [Role; 2] = [Role::ComplaintOfficer, Role::CustomerService];

// ---------------------------------------------------------------------------------------
// The command arm.

impl Actor {
    /// Applies one complaint request inside the current batch. Writes go into the batch's
    /// write transaction; on a storage error the batch is marked failed, so none of it commits.
    pub(super) fn complaint_op(
        &mut self,
        op: ComplaintOp,
        who: &Who,
        now: DateTime<Utc>,
        after: &mut AfterCommit,
    ) -> Result<ComplaintOut, OpError> {
        let result = match op {
            ComplaintOp::Open(new) => self.open_complaint(*new, who, now),
            ComplaintOp::Act { seq, action } => self.act_on_complaint(seq, &action, who, now),
            ComplaintOp::Attach { seq, staged } => {
                self.attach_to_complaint(seq, staged, who, now, after)
            }
            ComplaintOp::Get { seq, identity } => self.get_complaint(seq, identity, who, now),
            ComplaintOp::ByCode { code } => self.complaint_by_code(&code),
            ComplaintOp::Register(q) => self.register(&q, now),
            ComplaintOp::Work { roles, limit } => {
                Ok(ComplaintOut::Work(self.complaint_work(&roles, limit, now)))
            }
            ComplaintOp::Purge => self.purge_complaints(who, now, after),
            ComplaintOp::Counts => Ok(ComplaintOut::Counts(self.complaint_counts(now))),
            ComplaintOp::IntakeTickets { limit } => self.intake_tickets(limit),
            ComplaintOp::Received { from, to } => self.received_between(from, to),
            ComplaintOp::AttachmentGet { seq, sha256 } => {
                self.attachment_get(seq, &sha256, who, now)
            }
            ComplaintOp::Letter { seq, kind } => {
                self.letter_pdf(seq, kind, who, now).map(ComplaintOut::Pdf)
            }
        };
        if let Err(OpError::Store(e)) = &result {
            error!(error = %e, "complaint write failed; the batch is not committed");
            self.batch_failed = true;
        }
        result
    }

    /// The account acting, as this batch leaves it: roles come from the store, never from
    /// the request, so a role removed a moment ago no longer counts.
    pub(super) fn complaint_actor(&mut self, who: &Who) -> Result<complaint::Actor, OpError> {
        match self.live_user(&who.actor)? {
            Some(u) if u.disabled => Err(super::AccountRefusal::Disabled.into()),
            Some(u) => Ok(complaint::Actor {
                username: u.username,
                roles: u.roles,
            }),
            None => Err(super::AccountRefusal::Unknown.into()),
        }
    }

    /// Runs `f` on the batch's write transaction (opening it on first need).
    pub(super) fn in_txn<T>(
        &mut self,
        f: impl FnOnce(&WriteTransaction, &mut Index) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let txn = self.batch_txn()?;
        let r = f(&txn, &mut self.complaints);
        self.txn = Some(txn);
        r
    }

    fn received_between(&self, from: NaiveDate, to: NaiveDate) -> Result<ComplaintOut, OpError> {
        let seqs: Vec<u64> = self
            .complaints
            .rows
            .iter()
            .filter(|r| (from..=to).contains(&r.created_on))
            .map(|r| r.seq)
            .collect();
        let mut out = Vec::with_capacity(seqs.len());
        for seq in seqs {
            if let Some(c) = self.read_complaint(seq)? {
                out.push(c);
            }
        }
        Ok(ComplaintOut::List(out))
    }

    /// One complaint as this batch leaves it: through the batch's transaction when one is
    /// open (an earlier request of the batch may have changed it), else a read snapshot.
    pub(super) fn read_complaint(&self, seq: u64) -> Result<Option<Complaint>, StoreError> {
        let flows = &self.complaints.flows;
        match &self.txn {
            Some(txn) => {
                let t = txn.open_table(COMPLAINTS)?;
                let found = t.get(seq)?;
                found.map(|v| decode(seq, v.value(), flows)).transpose()
            }
            None => {
                let txn = self.db()?.begin_read()?;
                let t = txn.open_table(COMPLAINTS)?;
                let found = t.get(seq)?;
                found.map(|v| decode(seq, v.value(), flows)).transpose()
            }
        }
    }

    pub(super) fn read_identity(&self, seq: u64) -> Result<Option<Identity>, StoreError> {
        let parse = |b: &[u8]| {
            serde_json::from_slice::<Identity>(b)
                .map_err(|e| corrupt(format!("identity of complaint {seq}"), e))
        };
        match &self.txn {
            Some(txn) => {
                let t = txn.open_table(IDENTITIES)?;
                let found = t.get(seq)?;
                found.map(|v| parse(v.value())).transpose()
            }
            None => {
                let txn = self.db()?.begin_read()?;
                let t = txn.open_table(IDENTITIES)?;
                let found = t.get(seq)?;
                found.map(|v| parse(v.value())).transpose()
            }
        }
    }

    /// Writes a complaint (and its flow snapshot, the first time that version is seen).
    pub(super) fn write_complaint(
        txn: &WriteTransaction,
        index: &mut Index,
        c: &Complaint,
    ) -> Result<(), StoreError> {
        let (bytes, flow) = encode(c)?;
        let version = &c.workflow.flow().version;
        if !index.flows.contains_key(version) {
            txn.open_table(FLOWS)?
                .insert(version.as_str(), json("flow", &flow)?.as_slice())?;
            let i = index.flow_index(&c.workflow.flow().id);
            index.flow_of_version.insert(version.clone(), i);
            index.flows.insert(version.clone(), flow);
        }
        txn.open_table(COMPLAINTS)?
            .insert(c.seq(), bytes.as_slice())?;
        Ok(())
    }

    /// The action's row, and with `[city]` (`ship`) its outbox record, in `txn`.
    pub(super) fn write_action(
        txn: &WriteTransaction,
        c: &Complaint,
        r: &Recorded,
        ship: Option<crate::config::PersonalFields>,
    ) -> Result<(), StoreError> {
        if let Some(personal) = ship {
            let record =
                super::outbox::complaint_action(c.seq(), &c.number, &c.workflow, r, personal)?;
            super::outbox::append(txn, &[record])?;
        }
        let row = ActionRow {
            id: format!("{}-{}", c.id, r.version),
            complaint: c.id.clone(),
            seq: r.version,
            who: r.by.clone(),
            at: r.at,
            recorded: r.clone(),
        };
        txn.open_table(ACTIONS)?.insert(
            (c.seq(), r.version),
            json("complaint action", &row)?.as_slice(),
        )?;
        Ok(())
    }

    fn open_complaint(
        &mut self,
        new: NewComplaint,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<ComplaintOut, OpError> {
        let tz = self.config.office.time_zone;
        let today = local_date(now, tz);
        check_new(&new, today)?;
        let officer = self.complaint_actor(who)?;
        let config = self.config.clone();
        let flow = config.sop.flow_for(new.level);
        let calendar = &config.calendar;
        let (workflow, recorded, ticket_id, channel) = match &new.source {
            Source::Ticket(id) => {
                let t = self.state.ticket(*id).ok_or_else(|| {
                    ComplaintError::NotFound(format!(
                        "Tiket {id} tidak ditemukan pada hari layanan ini; pengaduan dari nomor antrian dibuka pada hari yang sama."
                    ))
                })?;
                // The SOP's step 2 (Customer Service explains the process) is the ticket's
                // service: it must have ended before the complaint can start from it.
                if t.state != TicketState::Done || t.finished_at.is_none() {
                    return Err(ComplaintError::Invalid(format!(
                        "Nomor antrian {} belum selesai dilayani (status {}); selesaikan layanannya terlebih dahulu.",
                        t.label,
                        t.state.label_id()
                    ))
                    .into());
                }
                let times = TicketTimes {
                    ticket_id: t.id,
                    label: t.label.clone(),
                    issued_at: t.issued_at,
                    called_at: t.called_at,
                    finished_at: t.finished_at,
                };
                let label = t.label.clone();
                let linked = self.in_txn(|txn, _| {
                    Ok(txn.open_table(TICKET_LINKS)?.get(*id)?.map(|v| v.value()))
                })?;
                if let Some(other) = linked {
                    let number = self
                        .complaints
                        .position(other)
                        .map(|i| self.complaints.rows[i].number.to_string())
                        .unwrap_or_else(|| other.to_string());
                    return Err(ComplaintError::Invalid(format!(
                        "Nomor antrian {label} sudah tercatat pada pengaduan {number}."
                    ))
                    .into());
                }
                let (w, r) =
                    complaint::start_from_ticket(flow, new.level, &times, &officer, now, calendar)?;
                (w, r, Some(*id), None)
            }
            Source::Channel(ch) => {
                let (w, r) =
                    complaint::start_without_ticket(flow, new.level, *ch, &officer, now, calendar)?;
                (w, r, None, Some(*ch))
            }
        };
        let office = self.config.office.code.clone();
        let pattern = self.config.complaints.number_pattern.clone();
        let code = loop {
            let code = complaint::tracking_code().map_err(|e| StoreError::Random(e.to_string()))?;
            let taken =
                self.in_txn(|txn, _| Ok(txn.open_table(CODES)?.get(code.as_str())?.is_some()))?;
            if !taken {
                break code;
            }
        };
        let ship = self.ship();
        let complaint = self.in_txn(|txn, index| {
            let mut meta = txn.open_table(META)?;
            let seq = meta.get(K_NEXT)?.map_or(1, |v| v.value());
            // The register's sequence restarts each month of office-local time.
            let month_key = format!("complaint_month_{:04}{:02}", today.year(), today.month());
            let month_seq = meta.get(month_key.as_str())?.map_or(0, |v| v.value()) + 1;
            meta.insert(K_NEXT, seq + 1)?;
            meta.insert(month_key.as_str(), month_seq)?;
            drop(meta);
            let c = Complaint {
                id: GlobalId { office, seq },
                number: complaint::register_number(&pattern, today, month_seq as u32),
                tracking_code: code,
                created_at: now,
                ticket_id,
                channel,
                service: new.service.trim().to_string(),
                what_happened: new.what_happened.trim().to_string(),
                happened_on: new.happened_on,
                shortfall: new.shortfall.trim().to_string(),
                remedy: new.remedy.trim().to_string(),
                attachments: Vec::new(),
                workflow,
                closed_at: None,
                letters: Vec::new(),
                purged_at: None,
            };
            Self::write_complaint(txn, index, &c)?;
            txn.open_table(IDENTITIES)?
                .insert(seq, json("identity", &new.identity)?.as_slice())?;
            txn.open_table(CODES)?
                .insert(c.tracking_code.as_str(), seq)?;
            if let Some(t) = ticket_id {
                txn.open_table(TICKET_LINKS)?.insert(t, seq)?;
            }
            Self::write_action(txn, &c, &recorded, ship)?;
            index.put(&c, Some(&new.identity), tz);
            Ok(c)
        })?;
        self.staff_changes
            .push(StaffChange::of(&complaint, event_kind(&recorded), now));
        self.audit(
            now,
            who,
            recorded.change.name(),
            &complaint.id.to_string(),
            &format!("{} alur {}", complaint.number, complaint.workflow.flow().id),
        );
        Ok(ComplaintOut::Complaint(Box::new(complaint)))
    }

    fn act_on_complaint(
        &mut self,
        seq: u64,
        action: &Action,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<ComplaintOut, OpError> {
        let mut c = self.read_complaint(seq)?.ok_or_else(|| not_found(seq))?;
        let actor = self.complaint_actor(who)?;
        let before = c.workflow.clone();
        let (workflow, recorded) =
            complaint::apply(&c.workflow, action, &actor, now, &self.config.calendar)?;
        c.workflow = workflow;
        if recorded.closed {
            c.closed_at = Some(now);
        }
        let tz = self.config.office.time_zone;
        let identity = self.read_identity(seq)?;
        // Signing gives the letter its number and keeps its PDF in this same transaction:
        // a number is used only by a signature that commits.
        let signed = self.sign_if_signing(&before, action, &mut c, identity.as_ref(), who, now)?;
        let ship = self.ship();
        self.in_txn(|txn, index| {
            if let Some(s) = &signed {
                s.write(txn, c.seq())?;
            }
            Self::write_complaint(txn, index, &c)?;
            Self::write_action(txn, &c, &recorded, ship)?;
            index.put(&c, identity.as_ref(), tz);
            Ok(())
        })?;
        self.staff_changes
            .push(StaffChange::of(&c, event_kind(&recorded), now));
        self.audit(
            now,
            who,
            recorded.change.name(),
            &c.id.to_string(),
            &format!(
                "{} langkah {} versi {}",
                c.number, action.step, recorded.version
            ),
        );
        // The letter's own entry, after the approval it belongs to.
        if let Some(s) = &signed {
            self.audit(
                now,
                who,
                "complaint_letter_signed",
                &c.id.to_string(),
                &format!(
                    "{} surat {} putaran {} sha256 {}",
                    c.number, s.letter.number, s.letter.round, s.letter.sha256
                ),
            );
        }
        Ok(ComplaintOut::Complaint(Box::new(c)))
    }

    fn attach_to_complaint(
        &mut self,
        seq: u64,
        staged: crate::attachments::Staged,
        who: &Who,
        now: DateTime<Utc>,
        after: &mut AfterCommit,
    ) -> Result<ComplaintOut, OpError> {
        // A refused upload leaves nothing behind.
        let decided = self.may_attach(seq, who);
        let mut c = match decided {
            Ok(c) => c,
            Err(e) => {
                self.attachments.discard(staged);
                return Err(e);
            }
        };
        // Written and synced before it came here (off this thread); kept under its name
        // here, on the store's thread, so no purge can delete the same bytes between their
        // keeping and this commit; on disk before the commit that names it.
        let mut stored = self.attachments.keep(staged)?;
        if c.attachments.iter().any(|a| a.sha256 == stored.sha256) {
            return Ok(ComplaintOut::Complaint(Box::new(c)));
        }
        stored.added_at = Some(now);
        stored.added_by = Some(who.actor.clone());
        after.remove_if_not.push(stored.clone());
        c.attachments.push(stored.clone());
        self.in_txn(|txn, index| {
            Self::write_complaint(txn, index, &c)?;
            txn.open_table(ATTACHMENT_REFS)?
                .insert((stored.sha256.as_str(), seq), 1)?;
            Ok(())
        })?;
        self.staff_changes.push(StaffChange::of(
            &c,
            ComplaintEventKind::AttachmentAdded,
            now,
        ));
        self.audit(
            now,
            who,
            "complaint_attachment_added",
            &c.id.to_string(),
            &format!("{} {} {} B", c.number, stored.sha256, stored.size),
        );
        Ok(ComplaintOut::Complaint(Box::new(c)))
    }

    /// The open complaint `who` may attach to.
    fn may_attach(&mut self, seq: u64, who: &Who) -> Result<Complaint, OpError> {
        let c = self.read_complaint(seq)?.ok_or_else(|| not_found(seq))?;
        let actor = self.complaint_actor(who)?;
        let Some(step) = c.workflow.current_step().map(|s| s.no) else {
            return Err(ComplaintError::Closed.into());
        };
        if !actor.holds_any(&ATTACH_ROLES) {
            return Err(ComplaintError::Forbidden {
                step,
                allowed: ATTACH_ROLES
                    .iter()
                    .map(|r| r.label_id())
                    .collect::<Vec<_>>()
                    .join(" atau "),
            }
            .into());
        }
        Ok(c)
    }

    fn get_complaint(
        &mut self,
        seq: u64,
        identity: bool,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<ComplaintOut, OpError> {
        let c = self.read_complaint(seq)?.ok_or_else(|| not_found(seq))?;
        if !identity {
            return Ok(ComplaintOut::Complaint(Box::new(c)));
        }
        let found = self.read_identity(seq)?;
        // Whoever sees a complainant's identity is on record, in the same commit as the
        // answer: no identity leaves the store unaudited.
        self.audit(
            now,
            who,
            "complaint_identity_viewed",
            &c.id.to_string(),
            &c.number,
        );
        Ok(ComplaintOut::WithIdentity(Box::new(c), found))
    }

    /// An attachment's bytes. Scans carry personal data (a letter with a name and NIK), so
    /// every read is audited like an identity view, in the same commit as the answer.
    fn attachment_get(
        &mut self,
        seq: u64,
        sha256: &str,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<ComplaintOut, OpError> {
        let c = self.read_complaint(seq)?.ok_or_else(|| not_found(seq))?;
        let stored = c
            .attachments
            .iter()
            .find(|a| a.sha256 == sha256)
            .cloned()
            .ok_or(crate::attachments::AttachmentError::NotFound)?;
        if c.purged_at.is_some() {
            return Err(crate::attachments::AttachmentError::NotFound.into());
        }
        let bytes = self.attachments.read(&stored)?;
        self.audit(
            now,
            who,
            "complaint_attachment_viewed",
            &c.id.to_string(),
            &format!("{} {}", c.number, stored.sha256),
        );
        Ok(ComplaintOut::File(Box::new(stored), bytes))
    }

    fn complaint_by_code(&mut self, code: &str) -> Result<ComplaintOut, OpError> {
        let missing = || {
            ComplaintError::NotFound(
                "Kode pelacakan tidak ditemukan. Periksa kembali kode pada tanda terima Anda."
                    .to_string(),
            )
        };
        let code = complaint::normalize_code(code).ok_or_else(missing)?;
        let seq = (|| -> Result<Option<u64>, StoreError> {
            Ok(match &self.txn {
                Some(txn) => txn
                    .open_table(CODES)?
                    .get(code.as_str())?
                    .map(|v| v.value()),
                None => {
                    let txn = self.db()?.begin_read()?;
                    let t = txn.open_table(CODES)?;
                    t.get(code.as_str())?.map(|v| v.value())
                }
            })
        })()?;
        let seq = seq.ok_or_else(missing)?;
        let c = self.read_complaint(seq)?.ok_or_else(missing)?;
        Ok(ComplaintOut::Complaint(Box::new(c)))
    }

    fn register(&mut self, q: &RegisterQuery, now: DateTime<Utc>) -> Result<ComplaintOut, OpError> {
        let index = &self.complaints;
        let now_s = now.timestamp();
        let number = q
            .number
            .as_deref()
            .map(str::to_lowercase)
            .filter(|s| !s.is_empty());
        let name = q
            .name
            .as_deref()
            .map(|n| n.trim().to_lowercase())
            .filter(|s| !s.is_empty());
        let flow = match &q.flow {
            Some(f) => match index.flow_ids.iter().position(|x| x == f) {
                Some(i) => Some(i as u16),
                None => {
                    return Ok(ComplaintOut::Page(RegisterPage {
                        total: 0,
                        rows: Vec::new(),
                    }));
                }
            },
            None => None,
        };
        let limit = match q.limit {
            0 => 50,
            n => n.min(200),
        };
        let mut total = 0;
        let mut page: Vec<&Summary> = Vec::with_capacity(limit);
        for r in index.rows.iter().rev() {
            let open = r.step != 0;
            let keep = q.from.is_none_or(|d| r.created_on >= d)
                && q.to.is_none_or(|d| r.created_on <= d)
                && q.level.is_none_or(|l| r.level == l)
                && flow.is_none_or(|f| r.flow == f)
                && q.step.is_none_or(|s| open && r.step == s)
                && q.status.is_none_or(|s| (s == Status::Open) == open)
                && (!q.overdue || (open && r.due < now_s))
                && name.as_deref().is_none_or(|n| r.name.contains(n))
                && number
                    .as_deref()
                    .is_none_or(|n| contains_ignore_case(&r.number, n));
            if keep {
                if total >= q.offset && page.len() < limit {
                    page.push(r);
                }
                total += 1;
            }
        }
        let mut rows = Vec::with_capacity(page.len());
        for r in page {
            let identity = if r.purged {
                None
            } else {
                self.read_identity(r.seq)?
            };
            let (name, nik) = match &identity {
                None => ("(dihapus)".to_string(), None),
                Some(i) if i.rahasia => ("(dirahasiakan)".to_string(), None),
                Some(i) => (
                    mask_name(&i.name),
                    i.nik.as_ref().map(|n| mask_nik(n.as_str())),
                ),
            };
            rows.push(RegisterRow {
                seq: r.seq,
                id: GlobalId {
                    office: self.config.office.code.clone(),
                    seq: r.seq,
                }
                .to_string(),
                number: r.number.to_string(),
                created_on: r.created_on,
                level: r.level,
                flow: index
                    .flow_ids
                    .get(usize::from(r.flow))
                    .cloned()
                    .unwrap_or_default(),
                step: (r.step != 0).then_some(r.step),
                due_at: (r.step != 0 && r.due != i64::MAX)
                    .then(|| DateTime::from_timestamp(r.due, 0))
                    .flatten(),
                overdue: r.step != 0 && r.due < now_s,
                name,
                nik,
                closed: r.step == 0,
                purged: r.purged,
            });
        }
        Ok(ComplaintOut::Page(RegisterPage { total, rows }))
    }

    /// "Langkah saya" from the index alone: the open complaints whose waiting step, in the
    /// flow version each started with, one of `roles` may act on. Sorted by due time, which
    /// puts the overdue first (their due time is before now, everyone else's after); no due
    /// time last; then by sequence.
    pub(super) fn complaint_work(
        &self,
        roles: &[Role],
        limit: usize,
        now: DateTime<Utc>,
    ) -> WorkList {
        let index = &self.complaints;
        let mask = role_mask(roles);
        if mask == 0 {
            return WorkList::default();
        }
        let limit = match limit {
            0 => WORK_LIMIT,
            n => n.min(WORK_LIMIT),
        };
        let mut hits: Vec<(i64, u64, usize)> = index
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| index.waiting_step(r).is_some_and(|s| s.roles & mask != 0))
            .map(|(i, r)| (r.due, r.seq, i))
            .collect();
        let total = hits.len();
        if hits.len() > limit {
            hits.select_nth_unstable(limit);
            hits.truncate(limit);
        }
        hits.sort_unstable();
        let now_s = now.timestamp();
        let rows = hits
            .into_iter()
            .filter_map(|(due, seq, i)| {
                let r = &index.rows[i];
                let step = index.waiting_step(r)?;
                Some(WorkRow {
                    seq,
                    number: r.number.to_string(),
                    step: r.step,
                    action: step.action.to_string(),
                    due_at: (due != i64::MAX)
                        .then(|| DateTime::from_timestamp(due, 0))
                        .flatten(),
                    overdue: due < now_s,
                })
            })
            .collect();
        WorkList { total, rows }
    }

    pub(super) fn complaint_counts(&self, now: DateTime<Utc>) -> ComplaintCounts {
        let now_s = now.timestamp();
        let mut counts = ComplaintCounts::default();
        let mut overdue: HashMap<(u16, u32), usize> = HashMap::new();
        for r in &self.complaints.rows {
            if r.step == 0 {
                counts.closed += 1;
                continue;
            }
            counts.open += 1;
            if r.due < now_s {
                *overdue.entry((r.flow, r.step)).or_default() += 1;
            }
        }
        let mut list: Vec<OverdueCount> = overdue
            .into_iter()
            .map(|((flow, step), count)| OverdueCount {
                flow: self
                    .complaints
                    .flow_ids
                    .get(usize::from(flow))
                    .cloned()
                    .unwrap_or_default(),
                step,
                count,
            })
            .collect();
        list.sort_by(|a, b| (&a.flow, a.step).cmp(&(&b.flow, b.step)));
        counts.overdue = list;
        counts
    }

    /// The service day's tickets a complaint can be opened from, newest finish first: what
    /// `open_complaint` accepts for `Source::Ticket` (finished, with the counter that served
    /// it in its history, the SOP's steps 1–2), less those a complaint already names.
    fn intake_tickets(&self, limit: usize) -> Result<ComplaintOut, OpError> {
        let day = self.state.service_day();
        let first = self.state.meta().day_first_id;
        let linked = self.linked_tickets_from(first)?;
        let mut found: Vec<IntakeTicket> = self
            .state
            .tickets()
            .filter(|t| t.service_day == day && t.state == TicketState::Done)
            .filter(|t| !linked.contains(&t.id))
            .filter_map(|t| {
                let finished_at = t.finished_at?;
                let counter = t
                    .history
                    .iter()
                    .rev()
                    .find(|s| s.action == "finished")
                    .and_then(|s| s.counter)?;
                Some(IntakeTicket {
                    id: t.id,
                    label: t.label.clone(),
                    service: t.service.clone(),
                    counter,
                    finished_at,
                })
            })
            .collect();
        found.sort_by_key(|t| std::cmp::Reverse((t.finished_at, t.id)));
        found.truncate(limit.clamp(1, INTAKE_TICKETS_MAX));
        Ok(ComplaintOut::Tickets(found))
    }

    /// Ticket ids from `first` on that a complaint names.
    fn linked_tickets_from(
        &self,
        first: u64,
    ) -> Result<std::collections::HashSet<u64>, StoreError> {
        fn collect(
            t: &impl ReadableTable<u64, u64>,
            first: u64,
        ) -> Result<std::collections::HashSet<u64>, StoreError> {
            let mut ids = std::collections::HashSet::new();
            for row in t.range(first..)? {
                ids.insert(row?.0.value());
            }
            Ok(ids)
        }
        match &self.txn {
            Some(txn) => collect(&txn.open_table(TICKET_LINKS)?, first),
            None => {
                let txn = self.db()?.begin_read()?;
                collect(&txn.open_table(TICKET_LINKS)?, first)
            }
        }
    }

    /// Deletes the identity and the attachment files of every complaint closed more than
    /// `retention_days` before `now`; the record, its actions and the audit trail stay. The
    /// files go after the commit that says so (a failed commit keeps them).
    fn purge_complaints(
        &mut self,
        who: &Who,
        now: DateTime<Utc>,
        after: &mut AfterCommit,
    ) -> Result<ComplaintOut, OpError> {
        let days = i64::from(self.config.complaints.retention_days);
        let cutoff = (now - chrono::Duration::days(days)).timestamp();
        let due: Vec<u64> = self
            .complaints
            .rows
            .iter()
            .filter(|r| !r.purged && r.closed_at.is_some_and(|t| t < cutoff))
            .map(|r| r.seq)
            .collect();
        let mut summary = PurgeSummary::default();
        let tz = self.config.office.time_zone;
        for seq in due {
            let Some(mut c) = self.read_complaint(seq)? else {
                warn!(seq, "complaint in the index but not in the file");
                continue;
            };
            c.purged_at = Some(now);
            let files = self.in_txn(|txn, index| {
                Self::write_complaint(txn, index, &c)?;
                txn.open_table(IDENTITIES)?.remove(seq)?;
                let mut refs = txn.open_table(ATTACHMENT_REFS)?;
                let mut files = Vec::new();
                for a in &c.attachments {
                    refs.remove((a.sha256.as_str(), seq))?;
                    // The same bytes attached to a complaint still kept stay on disk.
                    let mut others =
                        refs.range((a.sha256.as_str(), 0)..=(a.sha256.as_str(), u64::MAX))?;
                    if others.next().is_none() {
                        files.push(a.clone());
                    }
                }
                drop(refs);
                // A signed letter names and addresses the complainant: its PDF goes with the
                // identity; its number, signer and SHA-256 stay in the record.
                let mut letters = txn.open_table(super::letters::LETTERS)?;
                for l in &c.letters {
                    letters.remove((seq, l.round))?;
                }
                drop(letters);
                index.put(&c, None, tz);
                Ok(files)
            })?;
            self.staff_changes
                .push(StaffChange::of(&c, ComplaintEventKind::Purged, now));
            summary.complaints += 1;
            summary.files += files.len();
            after.remove_if_committed.extend(files);
            self.audit(
                now,
                who,
                "complaint_identity_purged",
                &c.id.to_string(),
                &format!("{} {} berkas", c.number, c.attachments.len()),
            );
        }
        Ok(ComplaintOut::Purged(summary))
    }

    /// Deletes files once the batch's fate is known: a purge's after its commit; an
    /// attachment stored for a batch that did not commit, unless something committed names it.
    pub(super) fn complaint_files_after(&self, after: AfterCommit, committed: bool) {
        let remove = if committed {
            after.remove_if_committed
        } else {
            after.remove_if_not
        };
        // Whatever the batch decided, a file some committed complaint still names stays: a
        // purge and an upload of the same bytes (a blank form attached to many complaints)
        // can land in one batch, the purge deciding before the upload named the file.
        for stored in remove {
            if self.attachment_named(&stored.sha256).unwrap_or(true) {
                continue;
            }
            if let Err(e) = self.attachments.remove(&stored) {
                warn!(error = %e, sha256 = %stored.sha256, "attachment file not deleted");
            }
        }
    }

    fn attachment_named(&self, sha256: &str) -> Result<bool, StoreError> {
        let txn = self.db()?.begin_read()?;
        let t = txn.open_table(ATTACHMENT_REFS)?;
        let mut r = t.range((sha256, 0)..=(sha256, u64::MAX))?;
        Ok(r.next().is_some())
    }
}

fn contains_ignore_case(haystack: &str, lower_needle: &str) -> bool {
    haystack.to_lowercase().contains(lower_needle)
}

/// Every action row of a complaint, oldest first (what a city's collection reads).
pub(super) fn actions_of(db: &redb::Database, seq: u64) -> Result<Vec<ActionRow>, StoreError> {
    let txn = db.begin_read()?;
    let t = match txn.open_table(ACTIONS) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut out = Vec::new();
    for row in t.range((seq, 0)..=(seq, u64::MAX))? {
        let (_, v) = row?;
        out.push(
            serde_json::from_slice(v.value())
                .map_err(|e| corrupt(format!("action of complaint {seq}"), e))?,
        );
    }
    Ok(out)
}

/// Removes attachment files that no complaint names (`ATTACHMENT_REFS`): left by a crash
/// between a purge's commit and its deletes, or by an upload whose commit never happened.
/// Returns how many files went.
pub(super) fn remove_unnamed_attachments(
    db: &redb::Database,
    attachments: &crate::attachments::Attachments,
) -> Result<usize, StoreError> {
    let txn = db.begin_read()?;
    let mut keep = std::collections::HashSet::new();
    match txn.open_table(ATTACHMENT_REFS) {
        Ok(t) => {
            for row in t.iter()? {
                keep.insert(row?.0.value().0.to_string());
            }
        }
        Err(redb::TableError::TableDoesNotExist(_)) => {}
        Err(e) => return Err(e.into()),
    }
    attachments
        .remove_unnamed(&keep)
        .map_err(|e| StoreError::Corrupt {
            what: "attachments".to_string(),
            why: e.to_string(),
        })
}
