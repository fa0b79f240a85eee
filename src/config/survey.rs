//! `[survey]`: the citizen satisfaction survey (PermenPANRB 14/2017). The questionnaire
//! itself (elements, answer words, profile, weighting, bands) is `survey.toml` beside the
//! configuration file, or the compiled-in one: a later regulation is an edit of that file.

use std::net::IpAddr;
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
    /// The display shows no index over fewer respondents than this: a handful of answers
    /// would put a figure on the wall that says little, and swings with every answer.
    pub display_min_respondents: u64,
    /// A service's or counter's index and grade are shown (page, files, PDF) only over at
    /// least this many respondents: fewer is too few to compare, and the counter's staff
    /// could tell whose answers they are.
    pub min_group_respondents: u64,
    /// How many days after the visit its ticket may still answer.
    pub answer_days: u32,
    /// Days a suggestion's text is kept after its month ends; then the nightly purge empties
    /// it (UU 27/2022: free text may hold personal data). The scores stay.
    pub suggestion_days: u32,
    /// The addresses of the office's survey tablets: only they may use `/survei`, where a
    /// number typed is enough to answer (anyone else on the LAN could answer for every
    /// finished ticket, the numbers being sequential and on the lobby display).
    pub tablets: Vec<IpAddr>,
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
    #[serde(default = "default_display_min_respondents")]
    display_min_respondents: u64,
    #[serde(default = "default_min_group_respondents")]
    min_group_respondents: u64,
    #[serde(default = "default_answer_days")]
    answer_days: u32,
    #[serde(default = "default_suggestion_days")]
    suggestion_days: u32,
    #[serde(default = "default_tablets")]
    tablets: Vec<String>,
}

impl Default for RawSurvey {
    fn default() -> Self {
        Self {
            enabled: true,
            show_on_display: false,
            display_min_respondents: default_display_min_respondents(),
            min_group_respondents: default_min_group_respondents(),
            answer_days: default_answer_days(),
            suggestion_days: default_suggestion_days(),
            tablets: default_tablets(),
        }
    }
}

fn yes() -> bool {
    true
}

fn default_answer_days() -> u32 {
    2
}

/// A year: the yearly survey report (PermenPANRB 14/2017) still reads them.
fn default_suggestion_days() -> u32 {
    365
}

/// About a day's answers at a small office: below it the figure on the wall swings with
/// every answer.
fn default_display_min_respondents() -> u64 {
    30
}

/// The usual small-cell rule of published statistics: no figure over fewer than five.
fn default_min_group_respondents() -> u64 {
    5
}

/// The box's own screen: a browser on the box itself opens `/survei` from loopback. A tablet
/// of its own is listed by its (fixed) address.
fn default_tablets() -> Vec<String> {
    vec!["127.0.0.1".to_string(), "::1".to_string()]
}

pub(super) fn validate(raw: &RawSurvey, errs: &mut Collector) -> SurveyConfig {
    if !(1..=30).contains(&raw.answer_days) {
        errs.push(
            "survey.answer_days",
            "harus antara 1 dan 30 / must be between 1 and 30",
        );
    }
    if !(30..=3650).contains(&raw.suggestion_days) {
        errs.push(
            "survey.suggestion_days",
            "harus antara 30 dan 3650 / must be between 30 and 3650",
        );
    }
    if !(1..=10_000).contains(&raw.display_min_respondents) {
        errs.push(
            "survey.display_min_respondents",
            "harus antara 1 dan 10000 / must be between 1 and 10000",
        );
    }
    if !(1..=100).contains(&raw.min_group_respondents) {
        errs.push(
            "survey.min_group_respondents",
            "harus antara 1 dan 100 / must be between 1 and 100",
        );
    }
    let mut tablets = Vec::new();
    for (i, s) in raw.tablets.iter().enumerate() {
        match s.trim().parse::<IpAddr>() {
            Ok(ip) => tablets.push(ip.to_canonical()),
            Err(_) => errs.push(
                format!("survey.tablets[{i}]"),
                format!(
                    "`{s}` bukan alamat IP, mis. 192.168.1.30 / is not an IP address, e.g. 192.168.1.30"
                ),
            ),
        }
    }
    SurveyConfig {
        enabled: raw.enabled,
        show_on_display: raw.show_on_display,
        display_min_respondents: raw.display_min_respondents.clamp(1, 10_000),
        min_group_respondents: raw.min_group_respondents.clamp(1, 100),
        answer_days: raw.answer_days.clamp(1, 30),
        suggestion_days: raw.suggestion_days.clamp(30, 3650),
        tablets,
        // The compiled-in questionnaire is checked by a test; an office's file replaces it
        // in `load_questionnaire`.
        questionnaire: Arc::new(Questionnaire::embedded().unwrap_or_else(|_| empty())),
        link_key: None,
    }
}

impl SurveyConfig {
    /// Whether `ip` is one of the office's survey tablets. Loopback counts only when listed
    /// (the default lists it: the box's own screen).
    pub fn is_tablet(&self, ip: IpAddr) -> bool {
        self.tablets.contains(&ip.to_canonical())
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

#[cfg(test)]
mod tests {
    use super::super::{Config, EMBEDDED_DEFAULT};
    use std::net::IpAddr;

    const SHIPPED: &str = "tablets = [\"127.0.0.1\", \"::1\"]\n";

    #[test]
    fn the_box_s_own_screen_is_the_only_tablet_by_default() {
        let s = Config::embedded().expect("config").survey;
        assert!(s.is_tablet(IpAddr::from([127, 0, 0, 1])));
        assert!(s.is_tablet("::1".parse().expect("ip")));
        assert!(!s.is_tablet(IpAddr::from([127, 0, 0, 2])));
        assert!(!s.is_tablet(IpAddr::from([192, 168, 1, 30])));
    }

    #[test]
    fn tablets_are_read_and_a_bad_one_is_named_with_its_line() {
        assert!(EMBEDDED_DEFAULT.contains(SHIPPED));
        let src = EMBEDDED_DEFAULT.replace(SHIPPED, "tablets = [\"192.168.1.30\", \"tablet\"]\n");
        let errs = Config::from_toml_str(&src).expect_err("must fail");
        let e = &errs.0[0];
        assert_eq!(e.path, "survey.tablets[1]");
        assert!(e.message.contains("`tablet`"), "{e}");
        let line = src
            .lines()
            .position(|l| l.starts_with("tablets = ["))
            .map(|n| n + 1);
        assert_eq!(e.line, line);

        // A tablet of its own; loopback is then no tablet, and a mapped address is the same.
        let ok = EMBEDDED_DEFAULT.replace(SHIPPED, "tablets = [\"192.168.1.30\"]\n");
        let s = Config::from_toml_str(&ok).expect("valid").survey;
        assert!(s.is_tablet(IpAddr::from([192, 168, 1, 30])));
        assert!(s.is_tablet("::ffff:192.168.1.30".parse().expect("ip")));
        assert!(!s.is_tablet(IpAddr::from([127, 0, 0, 1])));
        // The suggestions' retention and the small-cell rules: read, and out of range named.
        let src = EMBEDDED_DEFAULT
            .replace("suggestion_days = 365", "suggestion_days = 7")
            .replace(
                "display_min_respondents = 30",
                "display_min_respondents = 0",
            )
            .replace("min_group_respondents = 5", "min_group_respondents = 500");
        let errs = Config::from_toml_str(&src).expect_err("must fail");
        let paths: Vec<_> = errs.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "survey.suggestion_days",
                "survey.display_min_respondents",
                "survey.min_group_respondents"
            ]
        );
        let shipped = Config::embedded().expect("config").survey;
        assert_eq!(
            (
                shipped.suggestion_days,
                shipped.display_min_respondents,
                shipped.min_group_respondents
            ),
            (365, 30, 5)
        );
        // None at all: the survey by phone only.
        let none = EMBEDDED_DEFAULT.replace(SHIPPED, "tablets = []\n");
        let s = Config::from_toml_str(&none).expect("valid").survey;
        assert!(!s.is_tablet(IpAddr::from([127, 0, 0, 1])));
    }
}
