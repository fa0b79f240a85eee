//! Survey responses in the store. Two tables that are never joined:
//! - `survey_responses`, keyed by (the first day of the visit's month, a random number): the
//!   answers with the month, service and counter; a random key, not a sequence, so the order
//!   of responses says nothing about which ticket gave which. The month, not the day: with the
//!   day, service and counter a response could be matched to the few tickets of that day at
//!   that counter in the tickets table, often only one;
//! - `survey_answered`: the ids of the tickets that have answered, without a time, kept only
//!   while those tickets could still answer (`[survey] answer_days`): when a service day
//!   starts, the rows of tickets too old to answer are deleted, and `meta` remembers the first
//!   ticket that may still answer, so a later, longer `answer_days` reopens nothing.
//!
//! Both are written in one transaction, so a ticket answers once and an answer is never
//! counted without its ticket being marked. New in schema 2 without a version bump: older
//! builds never open them, and an absent table reads as empty.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};

use super::actor::{Actor, OpError};
use super::tables::{self, META, StoreError, TICKETS};
use crate::queue::{Ticket, TicketId, TicketState};
use crate::survey::response::{Answers, Channel, Response, month_of};

pub(super) const RESPONSES: TableDefinition<(i32, u64), &[u8]> =
    TableDefinition::new("survey_responses");
pub(super) const ANSWERED: TableDefinition<u64, ()> = TableDefinition::new("survey_answered");

/// In `meta`: the first ticket id that may still answer; every ticket below it has expired,
/// whatever `answer_days` says now (its `survey_answered` row is gone).
const K_OPEN_FROM: &str = "survey_open_from";
/// In `meta`: the key (days from the common era) of the first month whose responses may
/// still hold a suggestion; the nightly purge reads from here, not the whole history.
const K_SUGGESTIONS_FROM: &str = "survey_suggestions_from";

/// The survey's requests to the store.
pub(super) enum SurveyOp {
    /// Where a ticket stands for the survey.
    Status { ticket: TicketId },
    /// Today's ticket by its printed number (the tablet asks for it).
    Find { label: String },
    Submit {
        ticket: TicketId,
        answers: Box<Answers>,
        channel: Channel,
    },
    /// The responses of the visits on `from..=to`.
    Responses { from: NaiveDate, to: NaiveDate },
    /// Empties the suggestions older than `[survey] suggestion_days`.
    PurgeSuggestions,
}

impl SurveyOp {
    pub(super) fn writes(&self) -> bool {
        matches!(self, SurveyOp::Submit { .. } | SurveyOp::PurgeSuggestions)
    }
}

pub(super) enum SurveyOut {
    Status(SurveyStatus),
    Found(Option<(TicketId, SurveyStatus)>),
    Submitted,
    Responses(Vec<Response>),
    /// How many suggestions were emptied.
    Purged(usize),
}

/// Where a ticket stands for the survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyStatus {
    /// No such ticket.
    Unknown,
    /// Not served yet: waiting, called, being served, transferred.
    NotServed,
    /// Called and not present: nothing was served (it may still be, if put back in the queue).
    NoShow,
    /// Cancelled: nothing was served.
    Cancelled,
    /// Served, and may answer.
    Open,
    /// Already answered.
    Answered,
    /// Served longer ago than `[survey] answer_days`.
    Expired,
}

/// Why a submission was refused; each says so in Indonesian for the page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SurveyRefusal {
    #[error("Nomor antrean tidak ditemukan.")]
    Unknown,
    #[error("Survei dapat diisi setelah pelayanan untuk nomor ini selesai.")]
    NotServed,
    #[error(
        "Nomor ini tercatat tidak hadir saat dipanggil: belum ada pelayanan yang dapat dinilai."
    )]
    NoShow,
    #[error("Nomor ini dibatalkan: tidak ada pelayanan yang dapat dinilai.")]
    Cancelled,
    #[error("Survei untuk nomor ini sudah diisi. Terima kasih.")]
    Answered,
    #[error("Waktu pengisian survei untuk nomor ini sudah lewat.")]
    Expired,
    #[error("Survei sedang tidak dibuka.")]
    Closed,
    #[error("{0}")]
    Invalid(String),
}

pub(super) fn day_key(day: NaiveDate) -> i32 {
    day.num_days_from_ce()
}

fn encode(r: &Response) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(r).map_err(|error| StoreError::Encode {
        what: "survey response".to_string(),
        error,
    })
}

pub(super) fn decode(bytes: &[u8]) -> Result<Response, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        what: "survey response".to_string(),
        why: e.to_string(),
    })
}

/// Whether `ticket` has answered, as the transaction sees it.
fn answered_in(txn: &WriteTransaction, ticket: TicketId) -> Result<bool, StoreError> {
    Ok(txn.open_table(ANSWERED)?.get(ticket)?.is_some())
}

fn answered_on_disk(db: &Database, ticket: TicketId) -> Result<bool, StoreError> {
    let txn = db.begin_read()?;
    match txn.open_table(ANSWERED) {
        Ok(t) => Ok(t.get(ticket)?.is_some()),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The first ticket that may still answer, as last committed (1 before any purge).
fn open_from_on_disk(db: &Database) -> Result<TicketId, StoreError> {
    let txn = db.begin_read()?;
    Ok(txn
        .open_table(META)?
        .get(K_OPEN_FROM)?
        .map_or(1, |v| v.value()))
}

/// Deletes the `survey_answered` rows of the tickets that can no longer answer: those of
/// service days before `today - answer_days` (the refusal says "expired" for them anyway).
/// Kept, the ids would tie each response to its ticket. Ids grow with the days, so the walk
/// reads only the tickets of the days that expired since the last time, and stops at the
/// first that may still answer. Returns the rows deleted.
pub(super) fn forget_answered(
    txn: &WriteTransaction,
    today: NaiveDate,
    answer_days: u32,
) -> Result<usize, StoreError> {
    let Some(cutoff) = today.checked_sub_days(chrono::Days::new(u64::from(answer_days))) else {
        return Ok(0);
    };
    let mut meta = txn.open_table(META)?;
    let old = meta.get(K_OPEN_FROM)?.map_or(1, |v| v.value());
    let mut open_from = old;
    {
        let tickets = txn.open_table(TICKETS)?;
        for row in tickets.range(old..)? {
            let (id, v) = row?;
            let t = tables::decode(v.value())?;
            if t.service_day >= cutoff {
                break;
            }
            open_from = id.value() + 1;
        }
    }
    if open_from == old {
        return Ok(0);
    }
    meta.insert(K_OPEN_FROM, open_from)?;
    let mut answered = txn.open_table(ANSWERED)?;
    let gone: Vec<u64> = answered
        .range(..open_from)?
        .map(|r| r.map(|(k, _)| k.value()))
        .collect::<Result<_, _>>()?;
    for id in &gone {
        answered.remove(id)?;
    }
    Ok(gone.len())
}

/// The responses of the months `from..=to` touch, in month order: a response knows its
/// visit's month only, so a range starting mid-month holds that whole month.
pub(super) fn read_range(
    db: &Database,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Response>, StoreError> {
    let txn = db.begin_read()?;
    let table = match txn.open_table(RESPONSES) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut out = Vec::new();
    let from = month_of(from);
    for row in table.range((day_key(from), 0)..=(day_key(to), u64::MAX))? {
        let (_, v) = row?;
        out.push(decode(v.value())?);
    }
    Ok(out)
}

impl Actor {
    /// A ticket as this batch sees it: today's from memory, an earlier day's from the file.
    fn survey_ticket(&self, id: TicketId) -> Result<Option<Ticket>, StoreError> {
        match self.state.ticket(id) {
            Some(t) => Ok(Some(t.clone())),
            None => tables::read_ticket(self.db()?, id),
        }
    }

    /// The survey status of a ticket, apart from whether it answered.
    fn served_status(&self, t: &Ticket, now: DateTime<Utc>) -> SurveyStatus {
        match t.state {
            TicketState::Done => {}
            TicketState::NoShow => return SurveyStatus::NoShow,
            TicketState::Cancelled => return SurveyStatus::Cancelled,
            _ => return SurveyStatus::NotServed,
        }
        let today = now
            .with_timezone(&self.config.office.time_zone)
            .date_naive();
        let age = (today - t.service_day).num_days();
        if age > i64::from(self.config.survey.answer_days) {
            SurveyStatus::Expired
        } else {
            SurveyStatus::Open
        }
    }

    fn survey_status(&self, id: TicketId, now: DateTime<Utc>) -> Result<SurveyStatus, StoreError> {
        let Some(t) = self.survey_ticket(id)? else {
            return Ok(SurveyStatus::Unknown);
        };
        if answered_on_disk(self.db()?, id)? {
            return Ok(SurveyStatus::Answered);
        }
        match self.served_status(&t, now) {
            SurveyStatus::Open if id < open_from_on_disk(self.db()?)? => Ok(SurveyStatus::Expired),
            s => Ok(s),
        }
    }

    /// The reads: answered from the last commit.
    pub(super) fn survey_read(
        &self,
        op: SurveyOp,
        now: DateTime<Utc>,
    ) -> Result<SurveyOut, OpError> {
        match op {
            SurveyOp::Status { ticket } => Ok(SurveyOut::Status(self.survey_status(ticket, now)?)),
            SurveyOp::Find { label } => {
                let wanted = normalise_label(&label);
                let found = self
                    .state
                    .tickets()
                    .find(|t| normalise_label(&t.label) == wanted)
                    .map(|t| t.id);
                match found {
                    Some(id) => Ok(SurveyOut::Found(Some((id, self.survey_status(id, now)?)))),
                    None => Ok(SurveyOut::Found(None)),
                }
            }
            SurveyOp::Responses { from, to } => {
                Ok(SurveyOut::Responses(read_range(self.db()?, from, to)?))
            }
            SurveyOp::Submit { .. } | SurveyOp::PurgeSuggestions => Err(StoreError::Stopped.into()),
        }
    }

    /// A response, written in the batch's transaction with its ticket's mark.
    pub(super) fn survey_submit(
        &mut self,
        ticket: TicketId,
        answers: Answers,
        channel: Channel,
        now: DateTime<Utc>,
    ) -> Result<SurveyOut, OpError> {
        if !self.config.survey.enabled {
            return Err(SurveyRefusal::Closed.into());
        }
        let Some(t) = self.survey_ticket(ticket)? else {
            return Err(SurveyRefusal::Unknown.into());
        };
        match self.served_status(&t, now) {
            SurveyStatus::Open => {}
            SurveyStatus::Expired => return Err(SurveyRefusal::Expired.into()),
            SurveyStatus::NoShow => return Err(SurveyRefusal::NoShow.into()),
            SurveyStatus::Cancelled => return Err(SurveyRefusal::Cancelled.into()),
            _ => return Err(SurveyRefusal::NotServed.into()),
        }
        answers
            .validate(&self.config.survey.questionnaire)
            .map_err(|e| SurveyRefusal::Invalid(e.0))?;
        let month = month_of(t.service_day);
        let response = Response {
            month,
            service: t.service.clone(),
            counter: t.counter,
            channel,
            profile: answers.profile,
            scores: answers.scores,
            suggestion: answers.suggestion.trim().to_string(),
        };
        let bytes = encode(&response)?;
        let mut salt = [0u8; 8];
        getrandom::fill(&mut salt).map_err(|e| StoreError::Corrupt {
            what: "survey response key".to_string(),
            why: format!("no randomness: {e}"),
        })?;
        let key = (day_key(month), u64::from_le_bytes(salt));
        let outbox = match self.ship() {
            Some(personal) => vec![super::outbox::survey_response(&response, personal)?],
            None => Vec::new(),
        };
        let r = self.in_txn(|txn, _| {
            if answered_in(txn, ticket)? {
                return Ok(Submitted::Answered);
            }
            // Below the mark its answered row may be gone: it must not answer again.
            if ticket
                < txn
                    .open_table(META)?
                    .get(K_OPEN_FROM)?
                    .map_or(1, |v| v.value())
            {
                return Ok(Submitted::Expired);
            }
            txn.open_table(ANSWERED)?.insert(ticket, ())?;
            txn.open_table(RESPONSES)?.insert(key, bytes.as_slice())?;
            super::outbox::append(txn, &outbox)?;
            Ok(Submitted::Stored)
        });
        match r {
            Ok(Submitted::Stored) => Ok(SurveyOut::Submitted),
            Ok(Submitted::Answered) => Err(SurveyRefusal::Answered.into()),
            Ok(Submitted::Expired) => Err(SurveyRefusal::Expired.into()),
            Err(e) => {
                tracing::error!(error = %e, "survey response not written; the batch is not committed");
                self.batch_failed = true;
                Err(e.into())
            }
        }
    }
}

impl Actor {
    /// Empties the suggestion of every response whose month ended more than
    /// `[survey] suggestion_days` before today (UU 27/2022: free text may hold personal data,
    /// kept no longer than it serves); the scores and the profile stay. A month goes whole,
    /// once its last day is that old. Audited as `system` with the count.
    pub(super) fn survey_purge_suggestions(
        &mut self,
        now: DateTime<Utc>,
    ) -> Result<SurveyOut, OpError> {
        let today = now
            .with_timezone(&self.config.office.time_zone)
            .date_naive();
        let days = u64::from(self.config.survey.suggestion_days);
        let Some(cutoff) = today.checked_sub_days(chrono::Days::new(days)) else {
            return Ok(SurveyOut::Purged(0));
        };
        // Every month before the cutoff's has ended before the cutoff.
        let keep_from = day_key(month_of(cutoff));
        let r = self.in_txn(|txn, _| {
            let mut meta = txn.open_table(META)?;
            let from = meta
                .get(K_SUGGESTIONS_FROM)?
                .and_then(|v| i32::try_from(v.value()).ok())
                .unwrap_or(i32::MIN);
            if from >= keep_from {
                return Ok(0);
            }
            let mut table = txn.open_table(RESPONSES)?;
            let mut emptied = Vec::new();
            for row in table.range((from, 0)..(keep_from, 0))? {
                let (k, v) = row?;
                let r = decode(v.value())?;
                if !r.suggestion.is_empty() {
                    emptied.push((
                        k.value(),
                        Response {
                            suggestion: String::new(),
                            ..r
                        },
                    ));
                }
            }
            for (k, r) in &emptied {
                table.insert(*k, encode(r)?.as_slice())?;
            }
            meta.insert(K_SUGGESTIONS_FROM, u64::try_from(keep_from).unwrap_or(0))?;
            Ok(emptied.len())
        });
        match r {
            Ok(n) => {
                if n > 0 {
                    self.audit(
                        now,
                        &crate::audit::Who::system(),
                        "survey_suggestions_purged",
                        &month_of(cutoff).to_string(),
                        &format!("{n} saran dihapus"),
                    );
                }
                Ok(SurveyOut::Purged(n))
            }
            Err(e) => {
                tracing::error!(error = %e, "survey suggestions not purged; the batch is not committed");
                self.batch_failed = true;
                Err(e.into())
            }
        }
    }
}

/// What the write of a response found.
enum Submitted {
    Stored,
    Answered,
    Expired,
}

/// "a 7", "A-007", "a007" → "A7": what a citizen types at the tablet, against the printed
/// number.
fn normalise_label(s: &str) -> String {
    let mut out = String::new();
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_alphabetic() && digits.is_empty() {
            out.push(c.to_ascii_uppercase());
        } else if c.is_ascii_digit() {
            digits.push(c);
        }
    }
    let digits = digits.trim_start_matches('0');
    out.push_str(if digits.is_empty() { "0" } else { digits });
    out
}

#[cfg(test)]
mod tests {
    use super::normalise_label;

    #[test]
    fn a_typed_number_matches_the_printed_one() {
        assert_eq!(normalise_label("A-007"), "A7");
        assert_eq!(normalise_label("a 7"), "A7");
        assert_eq!(normalise_label("a007"), "A7");
        assert_eq!(normalise_label("BK-120"), "BK120");
        assert_ne!(normalise_label("A-17"), normalise_label("A-7"));
        assert_ne!(normalise_label("B-7"), normalise_label("A-7"));
    }
}
