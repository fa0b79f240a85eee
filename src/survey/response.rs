//! One citizen's answers, as stored. It carries the month of the visit (not its day), the
//! service and counter of the visit and the self-described profile, never the ticket. The
//! store keeps which tickets have answered in a table of their own, without times, and only
//! while they may still answer: the day would let a response be matched to the few tickets
//! of one day, service and counter (often one), and the answered ids to the tickets.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::questionnaire::Questionnaire;

/// Where the answers were given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The citizen's own phone, from the QR code on the ticket.
    Phone,
    /// The survey tablet at the exit (`/survei`).
    Tablet,
}

/// The first day of `day`'s month: what a response keeps of its visit's date.
pub fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The longest suggestion kept, in characters: a paragraph, not a document.
pub const SUGGESTION_MAX: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    /// The first day of the visit's month: the visit's day is not kept (see the module).
    pub month: NaiveDate,
    /// The service's id (`[[services]] id`), from the ticket.
    pub service: String,
    /// The counter that finished the ticket, from the ticket.
    pub counter: Option<u32>,
    pub channel: Channel,
    /// Profile question id → the option chosen; a question left out is absent.
    pub profile: BTreeMap<String, String>,
    /// Element id → score 1–4; every element of the questionnaire at the time of answering.
    pub scores: BTreeMap<String, u8>,
    /// The optional suggestion (*saran*), trimmed; empty when none.
    #[serde(default)]
    pub suggestion: String,
}

/// What a citizen submitted, before the store adds the visit's facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    pub profile: BTreeMap<String, String>,
    pub scores: BTreeMap<String, u8>,
    pub suggestion: String,
}

/// Why answers are refused: each names the field, in Indonesian, for the page to show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidAnswers(pub String);

impl Answers {
    /// Checks the answers against the questionnaire: every element scored 1–4, profile
    /// options among the listed ones, a suggestion of printable text within its length.
    pub fn validate(&self, q: &Questionnaire) -> Result<(), InvalidAnswers> {
        for e in &q.elements {
            match self.scores.get(&e.id) {
                Some(s) if (1..=super::index::SCALE_MAX).contains(&u32::from(*s)) => {}
                Some(_) => {
                    return Err(InvalidAnswers(format!(
                        "Jawaban untuk \"{}\" harus 1 sampai 4.",
                        e.name
                    )));
                }
                None => {
                    return Err(InvalidAnswers(format!(
                        "Pertanyaan \"{}\" belum dijawab.",
                        e.name
                    )));
                }
            }
        }
        if let Some(k) = self
            .scores
            .keys()
            .find(|k| !q.elements.iter().any(|e| &e.id == *k))
        {
            return Err(InvalidAnswers(format!("Unsur \"{k}\" tidak dikenal.")));
        }
        for (id, chosen) in &self.profile {
            let Some(p) = q.profile.iter().find(|p| &p.id == id) else {
                return Err(InvalidAnswers(format!(
                    "Data responden \"{id}\" tidak dikenal."
                )));
            };
            if !p.options.iter().any(|o| o == chosen) {
                return Err(InvalidAnswers(format!(
                    "Pilihan untuk \"{}\" tidak dikenal.",
                    p.question
                )));
            }
        }
        if self.suggestion.chars().count() > SUGGESTION_MAX {
            return Err(InvalidAnswers(format!(
                "Saran paling banyak {SUGGESTION_MAX} karakter."
            )));
        }
        if self
            .suggestion
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(InvalidAnswers(
                "Saran berisi karakter yang tidak diizinkan.".to_string(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(q: &Questionnaire) -> Answers {
        Answers {
            profile: BTreeMap::new(),
            scores: q.elements.iter().map(|e| (e.id.clone(), 3)).collect(),
            suggestion: String::new(),
        }
    }

    #[test]
    fn every_element_must_be_scored_within_the_scale() {
        let q = Questionnaire::embedded().expect("questionnaire");
        assert!(full(&q).validate(&q).is_ok());
        let mut missing = full(&q);
        missing.scores.remove("biaya");
        let e = missing.validate(&q).expect_err("missing");
        assert!(e.0.contains("Biaya/Tarif"), "{e}");
        let mut five = full(&q);
        five.scores.insert("waktu".into(), 5);
        assert!(five.validate(&q).is_err());
        let mut zero = full(&q);
        zero.scores.insert("waktu".into(), 0);
        assert!(zero.validate(&q).is_err());
        let mut extra = full(&q);
        extra.scores.insert("parkir".into(), 4);
        assert!(extra.validate(&q).is_err());
    }

    #[test]
    fn profile_options_and_the_suggestion_are_checked() {
        let q = Questionnaire::embedded().expect("questionnaire");
        let mut a = full(&q);
        a.profile.insert("jenis_kelamin".into(), "Perempuan".into());
        assert!(a.validate(&q).is_ok());
        a.profile.insert("jenis_kelamin".into(), "X".into());
        assert!(a.validate(&q).is_err());
        let mut b = full(&q);
        b.profile.insert("golongan_darah".into(), "A".into());
        assert!(b.validate(&q).is_err());
        let mut c = full(&q);
        c.suggestion = "a".repeat(SUGGESTION_MAX + 1);
        assert!(c.validate(&q).is_err());
        c.suggestion = "Antrean\u{0}".into();
        assert!(c.validate(&q).is_err());
        c.suggestion = "Ruang tunggu panas.\nMohon tambah kipas.".into();
        assert!(c.validate(&q).is_ok());
    }
}
