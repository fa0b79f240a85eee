//! `[survey]`: the citizen satisfaction survey (PermenPANRB 14/2017). The questionnaire
//! itself (elements, answer words, profile, weighting, bands) is `survey.toml` beside the
//! configuration file, or the compiled-in one: a later regulation is an edit of that file.

use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use super::ConfigError;
use super::errors::Collector;
use crate::survey::link::LinkKey;
use crate::survey::questionnaire::{FILE, Questionnaire};

#[derive(Debug, Clone)]
pub struct SurveyConfig {
    /// Whether the ticket's page turns into the survey once served, and `/survei` answers.
    pub enabled: bool,
    /// Whether the lobby display shows the latest index and grade.
    pub show_on_display: bool,
    /// How many days after the visit its ticket may still answer.
    pub answer_days: u32,
    pub questionnaire: Arc<Questionnaire>,
    /// The secret behind each ticket's survey link: not from the configuration file but
    /// from the data directory, set by the daemon when it starts (`app::start`); None until
    /// then, and the phone survey stays closed without it.
    pub link_key: Option<Arc<LinkKey>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSurvey {
    #[serde(default = "yes")]
    enabled: bool,
    #[serde(default)]
    show_on_display: bool,
    #[serde(default = "default_answer_days")]
    answer_days: u32,
}

impl Default for RawSurvey {
    fn default() -> Self {
        Self {
            enabled: true,
            show_on_display: false,
            answer_days: default_answer_days(),
        }
    }
}

fn yes() -> bool {
    true
}

fn default_answer_days() -> u32 {
    2
}

pub(super) fn validate(raw: &RawSurvey, errs: &mut Collector) -> SurveyConfig {
    if !(1..=30).contains(&raw.answer_days) {
        errs.push("survey.answer_days", "must be between 1 and 30");
    }
    SurveyConfig {
        enabled: raw.enabled,
        show_on_display: raw.show_on_display,
        answer_days: raw.answer_days.clamp(1, 30),
        // The compiled-in questionnaire is checked by a test; an office's file replaces it
        // in `load_questionnaire`.
        questionnaire: Arc::new(Questionnaire::embedded().unwrap_or_else(|_| empty())),
        link_key: None,
    }
}

/// A questionnaire without elements: only reached if the compiled-in file were broken,
/// which `the_shipped_questionnaire_is_the_regulation_s` rules out.
fn empty() -> Questionnaire {
    Questionnaire {
        elements: Vec::new(),
        profile: Vec::new(),
        weighting: Default::default(),
        bands: crate::survey::index::regulation_bands(),
    }
}

/// The office's `survey.toml` in `dir`, if there is one; errors name the file and the field.
pub(super) fn load_questionnaire(dir: &Path) -> Result<Option<Questionnaire>, Vec<ConfigError>> {
    let path = dir.join(FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(vec![ConfigError {
                file: Some(path.display().to_string()),
                path: String::new(),
                line: None,
                message: format!("tidak dapat dibaca / cannot read: {e}"),
            }]);
        }
    };
    Questionnaire::parse(&text).map(Some).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| ConfigError {
                file: Some(path.display().to_string()),
                path: e.path,
                line: None,
                message: e.message,
            })
            .collect()
    })
}
