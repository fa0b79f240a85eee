//! What the phone survey and the tablet share: reading the answers out of a form body
//! (`u.{element}=1..4`, `p.{profile}=option`, `saran=…`) and the questions as a page shows
//! them, with the answers chosen so far.

use std::collections::BTreeMap;

use crate::survey::questionnaire::Questionnaire;
use crate::survey::response::Answers;

/// The form field of an element's score.
pub fn element_field(id: &str) -> String {
    format!("u.{id}")
}

/// The form field of a profile question.
pub fn profile_field(id: &str) -> String {
    format!("p.{id}")
}

pub const SUGGESTION_FIELD: &str = "saran";

/// One answer a page offers.
pub struct ChoiceView {
    pub value: String,
    pub label: String,
    pub label_en: String,
    pub checked: bool,
}

/// One question as a page shows it.
pub struct QuestionView {
    /// The form field.
    pub field: String,
    /// 1-based, for "Pertanyaan 3 dari 9".
    pub number: usize,
    /// The element's name (*unsur*), or "" for a profile question.
    pub heading: String,
    pub text: String,
    pub text_en: String,
    pub choices: Vec<ChoiceView>,
    /// Unanswered on a form sent back for it.
    pub missing: bool,
}

/// The nine (or however many) elements, with the scores chosen so far.
pub fn element_views(q: &Questionnaire, a: &Answers, mark_missing: bool) -> Vec<QuestionView> {
    q.elements
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let chosen = a.scores.get(&e.id).copied();
            QuestionView {
                field: element_field(&e.id),
                number: i + 1,
                heading: e.name.clone(),
                text: e.question.clone(),
                text_en: e.question_en.clone(),
                choices: e
                    .answers
                    .iter()
                    .enumerate()
                    .map(|(j, label)| {
                        let score = u8::try_from(j + 1).unwrap_or(u8::MAX);
                        ChoiceView {
                            value: score.to_string(),
                            label: label.clone(),
                            label_en: e.answers_en.get(j).cloned().unwrap_or_default(),
                            checked: chosen == Some(score),
                        }
                    })
                    .collect(),
                missing: mark_missing && chosen.is_none(),
            }
        })
        .collect()
}

/// The profile questions, with the options chosen so far.
pub fn profile_views(q: &Questionnaire, a: &Answers) -> Vec<QuestionView> {
    q.profile
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let chosen = a.profile.get(&p.id);
            QuestionView {
                field: profile_field(&p.id),
                number: i + 1,
                heading: String::new(),
                text: p.question.clone(),
                text_en: p.question_en.clone(),
                choices: p
                    .options
                    .iter()
                    .map(|o| ChoiceView {
                        value: o.clone(),
                        label: o.clone(),
                        label_en: String::new(),
                        checked: chosen == Some(o),
                    })
                    .collect(),
                missing: false,
            }
        })
        .collect()
}

/// The answers in a form body. Fields other than the survey's are left for the caller; a
/// field given twice, a score that is not a number, or an unknown element or profile
/// question is refused with an Indonesian message. Completeness is `Answers::validate`'s.
pub fn read_answers(pairs: &[(String, String)], q: &Questionnaire) -> Result<Answers, String> {
    let mut a = Answers {
        profile: BTreeMap::new(),
        scores: BTreeMap::new(),
        suggestion: String::new(),
    };
    let mut seen = std::collections::HashSet::new();
    for (name, value) in pairs {
        let survey_field =
            name.starts_with("u.") || name.starts_with("p.") || name == SUGGESTION_FIELD;
        if survey_field && !seen.insert(name.as_str()) {
            return Err("Satu pertanyaan dijawab dua kali.".to_string());
        }
        if let Some(id) = name.strip_prefix("u.") {
            let Some(e) = q.elements.iter().find(|e| e.id == id) else {
                return Err(format!("Unsur \"{id}\" tidak dikenal."));
            };
            let score = value
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|s| (1..=4).contains(s))
                .ok_or_else(|| format!("Jawaban untuk \"{}\" tidak valid.", e.name))?;
            a.scores.insert(id.to_string(), score);
        } else if let Some(id) = name.strip_prefix("p.") {
            // An empty choice is a question left unanswered (the profile is optional).
            if !value.trim().is_empty() {
                a.profile.insert(id.to_string(), value.trim().to_string());
            }
        } else if name == SUGGESTION_FIELD {
            a.suggestion = value.trim().to_string();
        }
    }
    Ok(a)
}

/// The answers back as hidden fields (the tablet carries them from screen to screen).
pub fn hidden_fields(a: &Answers) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = a
        .profile
        .iter()
        .map(|(k, v)| (profile_field(k), v.clone()))
        .collect();
    out.extend(
        a.scores
            .iter()
            .map(|(k, v)| (element_field(k), v.to_string())),
    );
    if !a.suggestion.is_empty() {
        out.push((SUGGESTION_FIELD.to_string(), a.suggestion.clone()));
    }
    out
}

/// One value of a form body.
pub fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn answers_are_read_and_mistakes_refused() {
        let q = Questionnaire::embedded().expect("q");
        let a = read_answers(
            &pairs(&[
                ("u.waktu", "3"),
                ("p.usia", "20-29 tahun"),
                ("p.pekerjaan", ""),
                ("saran", "  Tambah kursi.  "),
                ("k", "abc"),
            ]),
            &q,
        )
        .expect("read");
        assert_eq!(a.scores.get("waktu"), Some(&3));
        assert_eq!(a.profile.len(), 1);
        assert_eq!(a.suggestion, "Tambah kursi.");
        assert!(read_answers(&pairs(&[("u.waktu", "3"), ("u.waktu", "4")]), &q).is_err());
        assert!(read_answers(&pairs(&[("u.waktu", "5")]), &q).is_err());
        assert!(read_answers(&pairs(&[("u.waktu", "x")]), &q).is_err());
        assert!(read_answers(&pairs(&[("u.parkir", "2")]), &q).is_err());
        let back = read_answers(&hidden_fields(&a), &q).expect("round trip");
        assert_eq!(back, a);
    }
}
