//! The workflow as pure functions of (state, action, actor, now): each returns the new state
//! and what was recorded, for the store to persist and the audit to log. No clock reads, no
//! I/O; due times come from the `Deadlines` the caller passes (the office calendar).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::ComplaintError;
use super::flow::{Flow, Level, OutsideParty, Step};
use super::state::{
    Actor, Channel, Deadlines, Draft, Intake, Outcome, Review, StepRecord, TicketTimes, Workflow,
};

/// What a form submits: the step it was shown for, the version it was read at, what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub step: u32,
    pub version: u64,
    pub kind: ActionKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionKind {
    /// A staff step done by the caller.
    Complete {
        note: Option<String>,
        documents: Vec<String>,
    },
    /// An outside party's step (pengadu, walikota_sekda), recorded by staff; `happened_at`
    /// when it happened earlier than it is recorded.
    RecordOnBehalf {
        note: Option<String>,
        documents: Vec<String>,
        happened_at: Option<DateTime<Utc>>,
    },
    /// Writes (or rewrites) this round's reply draft at the drafting step.
    SaveDraft { text: String },
    /// A review step agrees: signs or initials, as the flow says.
    Approve { note: Option<String> },
    /// A review step sends the reply back for revision; the note says what to change.
    ReturnForRevision { note: String },
}

/// What happened, for the audit log and the staff event stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum Change {
    Opened {
        flow: String,
        flow_version: String,
        level: Level,
        intake: Intake,
    },
    Completed {
        step: u32,
        round: u32,
    },
    RecordedOnBehalf {
        step: u32,
        round: u32,
        party: OutsideParty,
    },
    DraftSaved {
        step: u32,
        round: u32,
    },
    Approved {
        step: u32,
        round: u32,
    },
    Returned {
        step: u32,
        round: u32,
        to: u32,
    },
}

impl Change {
    /// The audit log's action name.
    pub fn name(&self) -> &'static str {
        match self {
            Change::Opened { .. } => "complaint_opened",
            Change::Completed { .. } => "complaint_step_done",
            Change::RecordedOnBehalf { .. } => "complaint_step_recorded",
            Change::DraftSaved { .. } => "complaint_draft_saved",
            Change::Approved { .. } => "complaint_reply_approved",
            Change::Returned { .. } => "complaint_reply_returned",
        }
    }
}

/// One state change as data. The store writes `records` (keyed by step and round: each is
/// new or replaces the one it had) and `draft` (keyed by round) in the same transaction as
/// the new version, or keeps the whole `Workflow`; either way nothing else changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    /// The workflow's version after the change.
    pub version: u64,
    pub at: DateTime<Utc>,
    pub by: String,
    pub change: Change,
    pub records: Vec<StepRecord>,
    pub draft: Option<Draft>,
    /// The final step is done.
    pub closed: bool,
}

/// A step past its due time: still open (`done_at` none) or done late. `late_minutes` is
/// working time, as the SOP's standards and the timeline count it: a step due on Friday
/// afternoon and still open on Monday morning is late by the working hours in between, not
/// by the weekend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overdue {
    pub step: u32,
    pub round: u32,
    pub due_at: DateTime<Utc>,
    pub late_minutes: i64,
    pub open: bool,
}

const MAX_NOTE_CHARS: usize = 2_000;
const MAX_DRAFT_CHARS: usize = 20_000;

/// Opens a complaint of someone who came with a queue number: the flow's ticket steps
/// (taking the number, the customer-service talk) are taken from the ticket's times, and the
/// opening step (the officer receiving the complaint) starts now.
pub fn start_from_ticket(
    flow: &Flow,
    level: Level,
    ticket: &TicketTimes,
    officer: &Actor,
    now: DateTime<Utc>,
    deadlines: &dyn Deadlines,
) -> Result<(Workflow, Recorded), ComplaintError> {
    start(
        flow,
        level,
        Intake::Ticket(ticket.clone()),
        officer,
        now,
        deadlines,
    )
}

/// Opens a complaint that came by letter, phone, e-mail or in person without a number: the
/// ticket steps are recorded as not applicable (no due time, so never late), and the opening
/// step starts now.
pub fn start_without_ticket(
    flow: &Flow,
    level: Level,
    channel: Channel,
    officer: &Actor,
    now: DateTime<Utc>,
    deadlines: &dyn Deadlines,
) -> Result<(Workflow, Recorded), ComplaintError> {
    start(
        flow,
        level,
        Intake::Channel { channel },
        officer,
        now,
        deadlines,
    )
}

fn start(
    flow: &Flow,
    level: Level,
    intake: Intake,
    officer: &Actor,
    now: DateTime<Utc>,
    deadlines: &dyn Deadlines,
) -> Result<(Workflow, Recorded), ComplaintError> {
    let ticket_steps: Vec<&Step> = flow.steps.iter().take_while(|s| s.from_ticket).collect();
    let opening = flow.steps.get(ticket_steps.len()).ok_or_else(|| {
        ComplaintError::Invalid(format!(
            "Alur {} tidak punya langkah untuk membuka pengaduan.",
            flow.name
        ))
    })?;
    authorise(opening, officer)?;

    let mut records = Vec::new();
    // The officer's step starts when the one before it ended: the customer-service talk
    // (the ticket finished) for a walk-in, so a complaint opened late is late; on receipt
    // for one that came another way.
    let mut opening_start = now;
    match &intake {
        Intake::Ticket(t) => {
            // Ticket times come from this appliance's clock, which may have been corrected
            // since: keep them in order and not after now.
            let issued = t.issued_at.min(now);
            let called = t.called_at.unwrap_or(now).clamp(issued, now);
            let finished = t.finished_at.unwrap_or(now).clamp(called, now);
            let bounds = [issued, called, finished];
            opening_start = finished;
            for (i, step) in ticket_steps.iter().enumerate() {
                let (from, to) = (bounds[i], bounds[i + 1]);
                records.push(StepRecord {
                    step: step.no,
                    round: 1,
                    started_at: from,
                    due_at: Some(deadlines.due(from, step.time)),
                    done_at: Some(to),
                    done_by: Some(officer.username.clone()),
                    recorded_at: Some(now),
                    recorded_on_behalf_of: step.outside_party(),
                    outcome: Some(Outcome::FromTicket),
                    note: Some(format!("Dari riwayat nomor antrian {}.", t.label)),
                    documents_checked: Vec::new(),
                    draft: None,
                });
            }
        }
        Intake::Channel { channel } => {
            for step in &ticket_steps {
                records.push(StepRecord {
                    step: step.no,
                    round: 1,
                    started_at: now,
                    due_at: None,
                    done_at: Some(now),
                    done_by: Some(officer.username.clone()),
                    recorded_at: Some(now),
                    recorded_on_behalf_of: step.outside_party(),
                    outcome: Some(Outcome::NotApplicable),
                    note: Some(format!(
                        "Tidak berlaku: pengaduan masuk melalui {}.",
                        channel.label_id().to_lowercase()
                    )),
                    documents_checked: Vec::new(),
                    draft: None,
                });
            }
        }
    }

    let mut state = Workflow {
        flow: flow.clone(),
        level,
        intake: intake.clone(),
        current: None,
        round: 1,
        records,
        drafts: Vec::new(),
        version: 1,
    };
    enter(&mut state, opening.no, opening_start, deadlines)?;
    let recorded = Recorded {
        version: state.version,
        at: now,
        by: officer.username.clone(),
        change: Change::Opened {
            flow: flow.id.clone(),
            flow_version: flow.version.clone(),
            level,
            intake,
        },
        records: state.records.clone(),
        draft: None,
        closed: false,
    };
    Ok((state, recorded))
}

/// Applies one action to a complaint. On error nothing changed; on success the new state's
/// version is one more than `state`'s.
pub fn apply(
    state: &Workflow,
    action: &Action,
    actor: &Actor,
    now: DateTime<Utc>,
    deadlines: &dyn Deadlines,
) -> Result<(Workflow, Recorded), ComplaintError> {
    let Some(current) = state.current else {
        return Err(ComplaintError::Closed);
    };
    if action.version != state.version {
        return Err(ComplaintError::Conflict {
            expected: action.version,
            actual: state.version,
        });
    }
    if action.step != current {
        return Err(ComplaintError::OutOfOrder {
            step: action.step,
            current,
        });
    }
    let step = state
        .flow
        .step(current)
        .ok_or_else(|| missing_step(current))?;
    authorise(step, actor)?;
    let index = state
        .records
        .iter()
        .rposition(|r| r.step == current && r.round == state.round && r.is_open())
        .ok_or_else(|| missing_step(current))?;

    let mut next = state.clone();
    let round = state.round;
    let first_new = next.records.len();
    let by = actor.username.clone();
    let (change, draft) = match &action.kind {
        ActionKind::Complete { note, documents } => {
            if let Some(party) = step.outside_party() {
                return Err(wrong(
                    step,
                    format!(
                        "langkah ini milik {}; catat atas nama mereka.",
                        party.label_id()
                    ),
                ));
            }
            if step.is_review() {
                return Err(wrong(
                    step,
                    "setujui atau kembalikan surat balasan untuk diperbaiki.".to_string(),
                ));
            }
            let note = clean_note(note.as_deref())?;
            let documents = checked_documents(step, documents)?;
            if step.drafts_reply && state.current_draft().is_none() {
                return Err(ComplaintError::Invalid(
                    "Belum ada draf surat balasan untuk putaran ini; simpan draf terlebih dahulu."
                        .to_string(),
                ));
            }
            let r = &mut next.records[index];
            finish(r, now, &by, Outcome::Done, note);
            r.documents_checked = documents;
            if step.drafts_reply {
                r.draft = Some(round);
            }
            advance(&mut next, step.next, now, deadlines)?;
            (
                Change::Completed {
                    step: step.no,
                    round,
                },
                None,
            )
        }
        ActionKind::RecordOnBehalf {
            note,
            documents,
            happened_at,
        } => {
            let Some(party) = step.outside_party() else {
                return Err(wrong(
                    step,
                    format!(
                        "langkah ini dilakukan sendiri oleh {}, bukan dicatat atas nama orang lain.",
                        step.actor.label_id()
                    ),
                ));
            };
            let note = clean_note(note.as_deref())?;
            let documents = checked_documents(step, documents)?;
            let at = happened_at.unwrap_or(now);
            if at > now || at < state.records[index].started_at {
                return Err(ComplaintError::Invalid(format!(
                    "Waktu kejadian harus antara mulainya langkah {} dan sekarang.",
                    step.no
                )));
            }
            let r = &mut next.records[index];
            finish(r, at, &by, Outcome::Done, note);
            r.recorded_at = Some(now);
            r.recorded_on_behalf_of = Some(party);
            r.documents_checked = documents;
            // The next step's clock starts when this one really ended, not when it was typed in.
            advance(&mut next, step.next, at, deadlines)?;
            (
                Change::RecordedOnBehalf {
                    step: step.no,
                    round,
                    party,
                },
                None,
            )
        }
        ActionKind::SaveDraft { text } => {
            if !step.drafts_reply {
                return Err(wrong(
                    step,
                    "surat balasan tidak ditulis pada langkah ini.".to_string(),
                ));
            }
            let text = clean_draft(text)?;
            let draft = Draft {
                round,
                text,
                written_by: by.clone(),
                written_at: now,
                review: None,
            };
            match next.drafts.iter_mut().rev().find(|d| d.round == round) {
                Some(d) => *d = draft.clone(),
                None => next.drafts.push(draft.clone()),
            }
            next.records[index].draft = Some(round);
            (
                Change::DraftSaved {
                    step: step.no,
                    round,
                },
                Some(draft),
            )
        }
        ActionKind::Approve { .. } | ActionKind::ReturnForRevision { .. } if !step.is_review() => {
            return Err(wrong(
                step,
                "hanya langkah pemeriksaan surat balasan yang menyetujui atau mengembalikan."
                    .to_string(),
            ));
        }
        ActionKind::Approve { note } => {
            let note = clean_note(note.as_deref())?;
            let draft = review_draft(&mut next, step, true, &by, now, note.clone())?;
            let r = &mut next.records[index];
            finish(r, now, &by, Outcome::Approved, note);
            r.draft = Some(round);
            advance(&mut next, step.next, now, deadlines)?;
            (
                Change::Approved {
                    step: step.no,
                    round,
                },
                Some(draft),
            )
        }
        ActionKind::ReturnForRevision { note } => {
            let Some(note) = clean_note(Some(note))? else {
                return Err(ComplaintError::Invalid(
                    "Tuliskan catatan perbaikan untuk surat balasan yang dikembalikan.".to_string(),
                ));
            };
            let target = step.revise.ok_or_else(|| missing_step(current))?;
            let draft = review_draft(&mut next, step, false, &by, now, Some(note.clone()))?;
            let r = &mut next.records[index];
            finish(r, now, &by, Outcome::Returned, Some(note));
            r.draft = Some(round);
            // Every return is a new round with its own clock, even where the flow's
            // `revise` target was not visited in this one.
            next.round += 1;
            advance(&mut next, Some(target), now, deadlines)?;
            (
                Change::Returned {
                    step: step.no,
                    round,
                    to: target,
                },
                Some(draft),
            )
        }
    };

    next.version += 1;
    let mut records = vec![next.records[index].clone()];
    records.extend(next.records[first_new..].iter().cloned());
    let recorded = Recorded {
        version: next.version,
        at: now,
        by,
        change,
        records,
        draft,
        closed: next.current.is_none(),
    };
    Ok((next, recorded))
}

/// Every step record past its due time at `now`: the open one, and those done late, with
/// how late in working minutes on `deadlines`' calendar.
pub fn overdue_steps(
    state: &Workflow,
    now: DateTime<Utc>,
    deadlines: &dyn Deadlines,
) -> Vec<Overdue> {
    state
        .records
        .iter()
        .filter_map(|r| {
            let due_at = r.due_at?;
            let end = r.done_at.unwrap_or(now);
            (end > due_at).then(|| Overdue {
                step: r.step,
                round: r.round,
                due_at,
                late_minutes: i64::try_from(deadlines.working_minutes(due_at, end))
                    .unwrap_or(i64::MAX),
                open: r.is_open(),
            })
        })
        .collect()
}

/// The open steps' due times on a changed calendar (a holiday added by a revised decree, new
/// working hours): `Some(new state)` when any moved, so only those complaints are written.
/// Done steps keep the due time they were judged by.
pub fn recompute_due(state: &Workflow, deadlines: &dyn Deadlines) -> Option<Workflow> {
    let mut next = state.clone();
    let mut moved = false;
    for r in next.records.iter_mut().filter(|r| r.is_open()) {
        let (Some(old), Some(step)) = (r.due_at, state.flow.step(r.step)) else {
            continue;
        };
        let due = deadlines.due(r.started_at, step.time);
        if due != old {
            r.due_at = Some(due);
            moved = true;
        }
    }
    // A change like any other: a form read before it no longer applies.
    moved.then(|| {
        next.version += 1;
        next
    })
}

/// The step now waiting is past its due time.
pub fn is_overdue(state: &Workflow, now: DateTime<Utc>) -> bool {
    state
        .current_record()
        .and_then(|r| r.due_at)
        .is_some_and(|due| now > due)
}

fn authorise(step: &Step, actor: &Actor) -> Result<(), ComplaintError> {
    let allowed = step.allowed_roles();
    if actor.holds_any(&allowed) {
        return Ok(());
    }
    let names = allowed
        .iter()
        .map(|r| r.label_id())
        .collect::<Vec<_>>()
        .join(" atau ");
    Err(match step.outside_party() {
        Some(party) => ComplaintError::ForbiddenOnBehalf {
            step: step.no,
            party: party.label_id().to_string(),
            allowed: names,
        },
        None => ComplaintError::Forbidden {
            step: step.no,
            allowed: names,
        },
    })
}

fn wrong(step: &Step, hint: String) -> ComplaintError {
    ComplaintError::WrongAction {
        step: step.no,
        hint,
    }
}

/// A snapshot whose current step is not in its flow: only a damaged stored state does that.
fn missing_step(no: u32) -> ComplaintError {
    ComplaintError::Invalid(format!(
        "Data pengaduan tidak utuh: langkah {no} tidak ditemukan."
    ))
}

fn finish(r: &mut StepRecord, at: DateTime<Utc>, by: &str, outcome: Outcome, note: Option<String>) {
    r.done_at = Some(at);
    r.done_by = Some(by.to_string());
    r.outcome = Some(outcome);
    r.note = note;
}

/// Moves on to `target` (or closes the complaint when there is none). Entering a step this
/// round already has a record of starts a new round, so a record is always one (step, round).
fn advance(
    state: &mut Workflow,
    target: Option<u32>,
    at: DateTime<Utc>,
    deadlines: &dyn Deadlines,
) -> Result<(), ComplaintError> {
    match target {
        None => {
            state.current = None;
            Ok(())
        }
        Some(no) => enter(state, no, at, deadlines),
    }
}

fn enter(
    state: &mut Workflow,
    no: u32,
    at: DateTime<Utc>,
    deadlines: &dyn Deadlines,
) -> Result<(), ComplaintError> {
    let step = state.flow.step(no).ok_or_else(|| missing_step(no))?;
    let due = deadlines.due(at, step.time);
    if state
        .records
        .iter()
        .any(|r| r.step == no && r.round == state.round)
    {
        state.round += 1;
    }
    state.records.push(StepRecord {
        step: no,
        round: state.round,
        started_at: at,
        due_at: Some(due),
        done_at: None,
        done_by: None,
        recorded_at: None,
        recorded_on_behalf_of: None,
        outcome: None,
        note: None,
        documents_checked: Vec::new(),
        draft: None,
    });
    state.current = Some(no);
    Ok(())
}

fn review_draft(
    state: &mut Workflow,
    step: &Step,
    approved: bool,
    by: &str,
    at: DateTime<Utc>,
    note: Option<String>,
) -> Result<Draft, ComplaintError> {
    let round = state.round;
    let draft = state
        .drafts
        .iter_mut()
        .rev()
        .find(|d| d.round == round)
        .ok_or_else(|| {
            ComplaintError::Invalid(format!(
                "Belum ada draf surat balasan untuk diperiksa pada langkah {}.",
                step.no
            ))
        })?;
    draft.review = Some(Review {
        approved,
        by: by.to_string(),
        at,
        note,
    });
    Ok(draft.clone())
}

fn clean_note(note: Option<&str>) -> Result<Option<String>, ComplaintError> {
    let Some(note) = note.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(ComplaintError::Invalid(format!(
            "Catatan terlalu panjang (paling banyak {MAX_NOTE_CHARS} karakter)."
        )));
    }
    if has_control(note) {
        return Err(ComplaintError::Invalid(
            "Catatan berisi karakter yang tidak diizinkan.".to_string(),
        ));
    }
    Ok(Some(note.to_string()))
}

fn clean_draft(text: &str) -> Result<String, ComplaintError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ComplaintError::Invalid(
            "Draf surat balasan masih kosong.".to_string(),
        ));
    }
    if text.chars().count() > MAX_DRAFT_CHARS {
        return Err(ComplaintError::Invalid(format!(
            "Draf surat balasan terlalu panjang (paling banyak {MAX_DRAFT_CHARS} karakter)."
        )));
    }
    if has_control(text) {
        return Err(ComplaintError::Invalid(
            "Draf surat balasan berisi karakter yang tidak diizinkan.".to_string(),
        ));
    }
    Ok(text.to_string())
}

/// Line breaks and tabs belong in a letter; other control characters would end up in print.
fn has_control(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

fn checked_documents(step: &Step, documents: &[String]) -> Result<Vec<String>, ComplaintError> {
    let mut checked: Vec<String> = Vec::new();
    for d in documents {
        if !step.requirements.contains(d) {
            return Err(ComplaintError::Invalid(format!(
                "`{d}` bukan persyaratan langkah {}; persyaratannya: {}.",
                step.no,
                step.requirements.join(", ")
            )));
        }
        if !checked.contains(d) {
            checked.push(d.clone());
        }
    }
    Ok(checked)
}
