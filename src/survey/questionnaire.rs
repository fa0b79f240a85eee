//! The questionnaire and the index's rules, from `survey.toml`: elements in question order,
//! each with its four answer words (worst first, scored 1–4), the weighting and the grade
//! bands. A file in the office's configuration directory replaces the compiled-in one.

use serde::Deserialize;

use super::index::{Band, Weighting};

/// The file, beside the configuration file, that replaces the compiled-in questionnaire.
pub const FILE: &str = "survey.toml";
const EMBEDDED: &str = include_str!("../../config/survey.toml");

/// One element (*unsur*) and its question.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Element {
    /// Stable key for stored answers: renaming an element's text keeps its scores.
    pub id: String,
    pub name: String,
    pub question: String,
    #[serde(default)]
    pub question_en: String,
    /// Worst first: the first scores 1, the last 4.
    pub answers: Vec<String>,
    /// The same four in English, shown second and smaller; may be left out.
    #[serde(default)]
    pub answers_en: Vec<String>,
}

/// One question of the respondent's profile (sex, age, education, occupation): optional
/// for the citizen, reported only as counts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileQuestion {
    pub id: String,
    pub question: String,
    #[serde(default)]
    pub question_en: String,
    pub options: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Questionnaire {
    pub elements: Vec<Element>,
    /// Asked before the elements; each may be left unanswered.
    pub profile: Vec<ProfileQuestion>,
    pub weighting: Weighting,
    /// Best first.
    pub bands: Vec<Band>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestionnaire {
    #[serde(default)]
    weighting: Weighting,
    bands: Vec<RawBand>,
    #[serde(default)]
    profile: Vec<ProfileQuestion>,
    elements: Vec<Element>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBand {
    /// "88.31": two decimals, as the regulation writes the bands.
    min: String,
    grade: String,
    label: String,
}

/// What is wrong, by field path (`elements[3].answers`), as `check-config` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionnaireError {
    pub path: String,
    pub message: String,
}

impl Questionnaire {
    pub fn embedded() -> Result<Self, Vec<QuestionnaireError>> {
        Self::parse(EMBEDDED)
    }

    pub fn parse(text: &str) -> Result<Self, Vec<QuestionnaireError>> {
        let de = toml::Deserializer::parse(text).map_err(|e| {
            vec![QuestionnaireError {
                path: String::new(),
                message: e.message().to_string(),
            }]
        })?;
        let raw: RawQuestionnaire = serde_path_to_error::deserialize(de).map_err(|e| {
            vec![QuestionnaireError {
                path: e.path().to_string(),
                message: e.inner().message().to_string(),
            }]
        })?;
        let mut errors = Vec::new();
        let mut err = |path: String, message: &str| {
            errors.push(QuestionnaireError {
                path,
                message: message.to_string(),
            });
        };
        if raw.elements.is_empty() {
            err(
                "elements".into(),
                "paling sedikit satu unsur / at least one element",
            );
        }
        for (i, e) in raw.elements.iter().enumerate() {
            let valid_id = !e.id.is_empty()
                && e.id.len() <= 40
                && e.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
            if !valid_id {
                err(
                    format!("elements[{i}].id"),
                    "huruf kecil a-z dan _ saja / lowercase a-z and _ only",
                );
            }
            if raw.elements[..i].iter().any(|o| o.id == e.id) {
                err(format!("elements[{i}].id"), "dipakai dua kali / used twice");
            }
            if e.name.trim().is_empty() {
                err(format!("elements[{i}].name"), "kosong / empty");
            }
            if e.question.trim().is_empty() {
                err(format!("elements[{i}].question"), "kosong / empty");
            }
            if e.answers.len() != super::index::SCALE_MAX as usize
                || e.answers.iter().any(|a| a.trim().is_empty())
            {
                err(
                    format!("elements[{i}].answers"),
                    "empat jawaban, dari yang terburuk / four answers, worst first",
                );
            }
            if !e.answers_en.is_empty() && e.answers_en.len() != super::index::SCALE_MAX as usize {
                err(
                    format!("elements[{i}].answers_en"),
                    "empat jawaban atau tidak ada / four answers or none",
                );
            }
        }
        for (i, p) in raw.profile.iter().enumerate() {
            let valid_id = !p.id.is_empty()
                && p.id.len() <= 40
                && p.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
            if !valid_id || raw.profile[..i].iter().any(|o| o.id == p.id) {
                err(
                    format!("profile[{i}].id"),
                    "huruf kecil a-z dan _ saja, tidak dipakai dua kali / lowercase a-z and _, used once",
                );
            }
            if p.question.trim().is_empty() {
                err(format!("profile[{i}].question"), "kosong / empty");
            }
            let blank = p.options.iter().any(|o| o.trim().is_empty());
            let twice = p
                .options
                .iter()
                .enumerate()
                .any(|(j, o)| p.options[..j].contains(o));
            if p.options.len() < 2 || p.options.len() > 12 || blank || twice {
                err(
                    format!("profile[{i}].options"),
                    "2-12 pilihan berbeda, tidak kosong / 2-12 distinct, non-empty options",
                );
            }
        }
        let mut bands = Vec::with_capacity(raw.bands.len());
        if raw.bands.is_empty() {
            err("bands".into(), "paling sedikit satu / at least one band");
        }
        for (i, b) in raw.bands.iter().enumerate() {
            match hundredths(&b.min).filter(|h| (0..=10_000).contains(h)) {
                Some(min) => {
                    if bands.last().is_some_and(|prev: &Band| prev.min <= min) {
                        err(
                            format!("bands[{i}].min"),
                            "urutkan dari nilai tertinggi / best band first, each lower",
                        );
                    }
                    bands.push(Band {
                        min,
                        grade: b.grade.trim().to_string(),
                        label: b.label.trim().to_string(),
                    });
                }
                None => err(
                    format!("bands[{i}].min"),
                    "angka 0.00-100.00 dengan dua desimal, mis. \"88.31\" / a number like \"88.31\"",
                ),
            }
            if b.grade.trim().is_empty() {
                err(format!("bands[{i}].grade"), "kosong / empty");
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Questionnaire {
            elements: raw.elements,
            profile: raw.profile,
            weighting: raw.weighting,
            bands,
        })
    }
}

/// "88.31" (or "88,31") → 8831; at most two decimals.
fn hundredths(s: &str) -> Option<u32> {
    let s = s.trim().replace(',', ".");
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    if whole.is_empty() || frac.len() > 2 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac = format!("{frac:0<2}");
    whole
        .parse::<u32>()
        .ok()?
        .checked_mul(100)?
        .checked_add(frac.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_questionnaire_is_the_regulation_s() {
        let q = Questionnaire::embedded().expect("valid");
        assert_eq!(q.elements.len(), 9);
        assert_eq!(q.weighting, Weighting::Regulation);
        assert_eq!(q.bands, super::super::index::regulation_bands());
        let cost = q.elements.iter().find(|e| e.id == "biaya").expect("biaya");
        assert_eq!(
            cost.answers,
            ["Sangat mahal", "Cukup mahal", "Murah", "Gratis"]
        );
    }

    #[test]
    fn mistakes_are_named_by_their_field() {
        let text = EMBEDDED
            .replacen(
                "answers = [\"Tidak mudah\", \"Kurang mudah\", \"Mudah\", \"Sangat mudah\"]",
                "answers = [\"Mudah\"]",
                1,
            )
            .replacen("min = \"76.61\"", "min = \"90\"", 1)
            .replacen("id = \"waktu\"", "id = \"persyaratan\"", 1);
        let errors = Questionnaire::parse(&text).expect_err("invalid");
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            ["elements[1].answers", "elements[2].id", "bands[1].min"]
        );
        let unknown = EMBEDDED.replacen("weighting = \"regulation\"", "weighting = \"bobot\"", 1);
        let errors = Questionnaire::parse(&unknown).expect_err("invalid");
        assert_eq!(errors[0].path, "weighting");
        let short_en = EMBEDDED.replacen(
            "answers_en = [\"Poor\", \"Fair\", \"Good\", \"Very good\"]",
            "answers_en = [\"Poor\"]",
            1,
        );
        let errors = Questionnaire::parse(&short_en).expect_err("invalid");
        assert_eq!(errors[0].path, "elements[8].answers_en");
    }

    #[test]
    fn band_minimums_read_as_hundredths() {
        assert_eq!(hundredths("88.31"), Some(8831));
        assert_eq!(hundredths("65"), Some(6500));
        assert_eq!(hundredths("76,6"), Some(7660));
        assert_eq!(hundredths("1.234"), None);
        assert_eq!(hundredths("-1"), None);
        assert_eq!(hundredths(".5"), None);
    }
}
