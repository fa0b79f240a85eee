//! The office's complaint flows: the four of the source compiled in, each replaceable (and
//! new ones addable) by a file of the same name in a `sop/` directory beside the office's
//! configuration file; `levels.toml` maps a problem level to a flow.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::error::{SopError, SopErrors};
use super::flow::{Flow, Level};
use super::validate::{self, RawFlow};

/// The directory, beside the configuration file, whose files replace the compiled-in ones.
pub const SOP_DIR: &str = "sop";
/// Not a flow: the level → flow mapping.
pub const LEVELS_FILE: &str = "levels.toml";

const EMBEDDED: [(&str, &str); 5] = [
    (
        "skala_kecil.toml",
        include_str!("../../config/sop/skala_kecil.toml"),
    ),
    (
        "skala_menengah.toml",
        include_str!("../../config/sop/skala_menengah.toml"),
    ),
    (
        "skala_besar.toml",
        include_str!("../../config/sop/skala_besar.toml"),
    ),
    (
        "pengaduan.toml",
        include_str!("../../config/sop/pengaduan.toml"),
    ),
    ("levels.toml", include_str!("../../config/sop/levels.toml")),
];

/// One flow file's text and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SopSource {
    /// The file name, `skala_kecil.toml`: what an override is matched by.
    pub name: String,
    /// As errors show it: the full path, or `config/sop/…` for a compiled-in file.
    pub file: String,
    pub text: String,
}

impl SopSource {
    pub fn embedded() -> Vec<SopSource> {
        EMBEDDED
            .iter()
            .map(|(name, text)| SopSource {
                name: (*name).to_string(),
                file: format!("config/{SOP_DIR}/{name}"),
                text: (*text).to_string(),
            })
            .collect()
    }
}

/// The validated flows and the level mapping. Every level leads to a flow.
#[derive(Debug, Clone)]
pub struct Sop {
    flows: BTreeMap<String, Flow>,
    /// Indexed by `Level::index`.
    by_level: [Flow; 3],
    files: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevelsFile {
    levels: RawLevels,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevels {
    kecil: Spanned<String>,
    menengah: Spanned<String>,
    besar: Spanned<String>,
}

impl Sop {
    /// The compiled-in flows only.
    pub fn embedded() -> Result<Self, SopErrors> {
        Self::from_sources(SopSource::embedded())
    }

    /// The flows of an office whose configuration is `config_file` (`sop/` beside it); the
    /// compiled-in ones when there is no file.
    pub fn load(config_file: Option<&Path>) -> Result<Self, SopErrors> {
        match config_file {
            Some(f) => Self::load_with_dir(&Self::override_dir(f)),
            None => Self::embedded(),
        }
    }

    /// `sop/` beside the configuration file.
    pub fn override_dir(config_file: &Path) -> PathBuf {
        config_file
            .parent()
            .unwrap_or_else(|| Path::new(""))
            .join(SOP_DIR)
    }

    /// The compiled-in files, each `*.toml` in `dir` replacing the one of the same name or
    /// adding a flow. A missing directory means no overrides.
    pub fn load_with_dir(dir: &Path) -> Result<Self, SopErrors> {
        let mut sources = SopSource::embedded();
        let dir_error = |message: String| {
            SopErrors(vec![SopError {
                file: dir.display().to_string(),
                line: None,
                message,
            }])
        };
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Self::from_sources(sources);
            }
            Err(e) => {
                return Err(dir_error(format!(
                    "direktori alur tidak dapat dibaca / cannot read the flow directory: {e}"
                )));
            }
        };
        let mut paths = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| {
                dir_error(format!(
                    "direktori alur tidak dapat dibaca / cannot read the flow directory: {e}"
                ))
            })?;
            let path = entry.path();
            if path.extension().is_some_and(|x| x == "toml") {
                paths.push(path);
            }
        }
        paths.sort();
        let mut errors = Vec::new();
        for path in paths {
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    let source = SopSource {
                        name: name.to_string(),
                        file: path.display().to_string(),
                        text,
                    };
                    match sources.iter_mut().find(|s| s.name == source.name) {
                        Some(slot) => *slot = source,
                        None => sources.push(source),
                    }
                }
                Err(e) => errors.push(SopError {
                    file: path.display().to_string(),
                    line: None,
                    message: format!("berkas tidak dapat dibaca / cannot read the file: {e}"),
                }),
            }
        }
        if !errors.is_empty() {
            return Err(SopErrors(errors));
        }
        Self::from_sources(sources)
    }

    /// Validates every source and the level mapping, reporting every problem found.
    pub fn from_sources(mut sources: Vec<SopSource>) -> Result<Self, SopErrors> {
        sources.sort_by(|a, b| a.name.cmp(&b.name));
        let mut errors = Vec::new();
        let mut flows = BTreeMap::new();
        let mut files = BTreeMap::new();
        let mut ids = Vec::new();
        let mut levels_source = None;
        for source in &sources {
            if source.name == LEVELS_FILE {
                levels_source = Some(source);
                continue;
            }
            let Some(id) = source.name.strip_suffix(".toml") else {
                continue;
            };
            ids.push(id.to_string());
            if id.is_empty()
                || !id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                errors.push(SopError {
                    file: source.file.clone(),
                    line: None,
                    message: format!(
                        "nama berkas alur hanya huruf kecil, angka dan `_` (nama itu menjadi nama alur) / a flow file's name may hold only a-z, 0-9 and `_`: it becomes the flow's id (`{id}`)"
                    ),
                });
                continue;
            }
            match parse::<RawFlow>(source)
                .and_then(|raw| validate::flow(&source.file, &source.text, id, raw))
            {
                Ok(flow) => {
                    files.insert(flow.id.clone(), source.file.clone());
                    flows.insert(flow.id.clone(), flow);
                }
                Err(errs) => errors.extend(errs),
            }
        }

        let by_level = match levels_source {
            None => {
                errors.push(SopError {
                    file: format!("{SOP_DIR}/{LEVELS_FILE}"),
                    line: None,
                    message: "pemetaan tingkatan masalah ke alur tidak ada / the level → flow mapping is missing".to_string(),
                });
                None
            }
            Some(source) => match parse::<RawLevelsFile>(source) {
                Err(errs) => {
                    errors.extend(errs);
                    None
                }
                Ok(raw) => {
                    let l = &raw.levels;
                    let mut pick = |level: Level, value: &Spanned<String>| {
                        let id = value.get_ref();
                        if let Some(flow) = flows.get(id) {
                            return Some(flow.clone());
                        }
                        // A flow whose file has errors is reported there, not again here.
                        if !ids.contains(id) {
                            errors.push(SopError {
                                file: source.file.clone(),
                                line: Some(line_of(&source.text, value.span().start)),
                                message: format!(
                                    "tingkatan `{lv}` menuju alur `{id}` yang tidak ada; alur yang ada: {have} / level `{lv}` names flow `{id}`, which does not exist",
                                    lv = level.as_str(),
                                    have = ids.join(", ")
                                ),
                            });
                        }
                        None
                    };
                    match (
                        pick(Level::Kecil, &l.kecil),
                        pick(Level::Menengah, &l.menengah),
                        pick(Level::Besar, &l.besar),
                    ) {
                        (Some(k), Some(m), Some(b)) => Some([k, m, b]),
                        _ => None,
                    }
                }
            },
        };

        match by_level {
            Some(by_level) if errors.is_empty() => Ok(Sop {
                flows,
                by_level,
                files,
            }),
            _ => Err(SopErrors(errors)),
        }
    }

    pub fn flow(&self, id: &str) -> Option<&Flow> {
        self.flows.get(id)
    }

    pub fn flows(&self) -> impl Iterator<Item = &Flow> {
        self.flows.values()
    }

    /// The flow a complaint of this level follows.
    pub fn flow_for(&self, level: Level) -> &Flow {
        &self.by_level[level.index()]
    }

    /// The file a flow was read from (to show that an override took effect).
    pub fn file_of(&self, id: &str) -> Option<&str> {
        self.files.get(id).map(String::as_str)
    }
}

/// Structural errors (syntax, unknown or missing keys, wrong types) stop at the first: the
/// parser cannot go on past them. Each names its line.
fn parse<T: for<'de> Deserialize<'de>>(source: &SopSource) -> Result<T, Vec<SopError>> {
    toml::from_str::<T>(&source.text).map_err(|e| {
        vec![SopError {
            file: source.file.clone(),
            line: e.span().map(|s| line_of(&source.text, s.start)),
            message: translate(e.message()),
        }]
    })
}

/// The parser's English message, with the Indonesian reading first for the common cases.
fn translate(message: &str) -> String {
    let key = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_string)
    };
    if let Some(k) = key("missing field `") {
        format!("kolom `{k}` wajib diisi / {message}")
    } else if let Some(k) = key("unknown field `") {
        format!("kolom `{k}` tidak dikenal / {message}")
    } else {
        format!("isi berkas tidak dapat dibaca / {message}")
    }
}

/// 1-based line number of a byte offset in `src`.
pub(super) fn line_of(src: &str, offset: usize) -> usize {
    let end = offset.min(src.len());
    src.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::calendar::TimeStandard;
    use crate::complaint::flow::{Approval, OutsideParty, Performer};

    const M5: TimeStandard = TimeStandard::Minutes(5);
    const M15: TimeStandard = TimeStandard::Minutes(15);
    const H1: TimeStandard = TimeStandard::Hours(1);
    const H3: TimeStandard = TimeStandard::Hours(3);
    const D1: TimeStandard = TimeStandard::WorkingDays(1);
    const PENGADU: &str = "pengadu";

    /// (number, actor, time) of every step, transcribed from the source's four tables.
    fn source_table(id: &str) -> Vec<(u32, &'static str, TimeStandard)> {
        let small_and_medium = vec![
            (1, PENGADU, M5),
            (2, "customer_service", M15),
            (3, "complaint_officer", D1),
            (4, "kasubbag_umum", H1),
            (5, "complaint_officer", H3),
            (6, "kepala_dinas", D1),
            (7, "complaint_officer", M15),
            (8, PENGADU, M15),
        ];
        match id {
            "skala_kecil" | "skala_menengah" => small_and_medium,
            "skala_besar" => vec![
                (1, PENGADU, M5),
                (2, "customer_service", M15),
                (3, "complaint_officer", D1),
                (4, "kasubbag_umum", H1),
                (5, "kepala_dinas", H3),
                (6, "walikota_sekda", D1),
                (7, "complaint_officer", M15),
                (9, PENGADU, M15),
            ],
            "pengaduan" => vec![
                (1, PENGADU, M5),
                (2, "customer_service", M15),
                (3, "complaint_officer", D1),
                (4, "kasubbag_umum", M15),
                (5, "complaint_officer", H3),
                (6, "sekretaris", D1),
                (7, "kepala_dinas", M15),
                (8, PENGADU, M15),
            ],
            other => panic!("no table for {other}"),
        }
    }

    #[test]
    fn the_four_flows_are_the_sources_tables() {
        let sop = Sop::embedded().expect("embedded flows");
        let ids: Vec<&str> = sop.flows().map(|f| f.id.as_str()).collect();
        assert_eq!(
            ids,
            ["pengaduan", "skala_besar", "skala_kecil", "skala_menengah"]
        );
        for flow in sop.flows() {
            let got: Vec<(u32, &str, TimeStandard)> = flow
                .steps
                .iter()
                .map(|s| (s.no, s.actor.as_str(), s.time))
                .collect();
            assert_eq!(got, source_table(&flow.id), "{}", flow.id);
            // Each step leads to the next one listed, the last to none.
            for pair in flow.steps.windows(2) {
                assert_eq!(pair[0].next, Some(pair[1].no), "{}", flow.id);
            }
            assert!(flow.steps.last().is_some_and(|s| s.is_final()));
            assert!(flow.version_matches());
        }
        assert_eq!(sop.flow_for(Level::Kecil).id, "skala_kecil");
        assert_eq!(sop.flow_for(Level::Menengah).id, "skala_menengah");
        assert_eq!(sop.flow_for(Level::Besar).id, "skala_besar");
    }

    #[test]
    fn the_sources_nuances_are_data() {
        let sop = Sop::embedded().expect("embedded flows");
        let step = |flow: &str, no: u32| sop.flow(flow).and_then(|f| f.step(no)).cloned();
        for flow in ["skala_kecil", "skala_menengah"] {
            let review = step(flow, 6).expect("step 6");
            assert_eq!(review.revise, Some(4), "{flow}");
            assert_eq!(review.approval, Some(Approval::TandaTangan), "{flow}");
            let send = step(flow, 7).expect("step 7");
            assert_eq!(send.actor, Performer::Staff(Role::ComplaintOfficer));
            assert_eq!(send.signed_by, Some(Role::KepalaDinas));
            assert!(step(flow, 5).is_some_and(|s| s.drafts_reply));
        }
        // The small flow's reviewer is written "Kepala Kantor": read as the Kepala Dinas, said so.
        let small = step("skala_kecil", 6).expect("step 6");
        assert!(small.action.starts_with("Kepala Kantor Memeriksa"));
        assert!(small.note.is_some_and(|n| n.contains("Kepala Kantor")));

        let generic = step("pengaduan", 6).expect("step 6");
        assert_eq!(generic.approval, Some(Approval::Paraf));
        assert_eq!(generic.revise, Some(4));

        let large = sop.flow("skala_besar").expect("large");
        assert!(large.step(8).is_none());
        assert_eq!(large.step(7).and_then(|s| s.next), Some(9));
        let meeting = large.step(6).expect("step 6");
        assert_eq!(
            meeting.actor,
            Performer::Outside(OutsideParty::WalikotaSekda)
        );
        assert!(!meeting.recorded_by.is_empty());
        assert_eq!(
            large.step(4).map(|s| s.also_by.clone()),
            Some(vec![Role::Kasi])
        );
        assert!(large.steps.iter().all(|s| s.revise.is_none()));

        // Steps 1 and 2 come from the queue ticket in every flow; step 3 opens the complaint.
        for flow in sop.flows() {
            let from_ticket: Vec<u32> = flow
                .steps
                .iter()
                .filter(|s| s.from_ticket)
                .map(|s| s.no)
                .collect();
            assert_eq!(from_ticket, [1, 2], "{}", flow.id);
        }
    }

    #[test]
    fn the_version_follows_content_not_layout() {
        let sop = Sop::embedded().expect("embedded");
        let original = sop.flow("skala_kecil").expect("flow").clone();
        let with = |f: &dyn Fn(&str) -> String| {
            let mut sources = SopSource::embedded();
            for s in &mut sources {
                if s.name == "skala_kecil.toml" {
                    s.text = f(&s.text);
                }
            }
            Sop::from_sources(sources)
                .expect("valid")
                .flow("skala_kecil")
                .expect("flow")
                .clone()
        };
        let relaid = with(&|t| {
            format!(
                "# Disalin dari SOP kantor.\n\n{}",
                t.replace(" = ", "   =   ")
            )
        });
        assert_eq!(relaid.version, original.version);
        let retimed = with(&|t| t.replacen("time = \"1 jam\"", "time = \"2 jam\"", 1));
        assert_ne!(retimed.version, original.version);
        let reworded = with(&|t| t.replacen("memberikan arahan", "memberi arahan", 1));
        assert_ne!(reworded.version, original.version);

        let versions: std::collections::BTreeSet<&str> =
            sop.flows().map(|f| f.version.as_str()).collect();
        assert_eq!(versions.len(), 4, "every flow has its own version");
        assert_eq!(original.version.len(), 64);
        assert_eq!(original.short_version(), &original.version[..12]);

        let mut tampered = original.clone();
        tampered.steps[3].time = TimeStandard::Hours(8);
        assert!(!tampered.version_matches());
    }

    #[test]
    fn files_in_sop_beside_the_config_replace_or_add_flows() {
        let dir = tempfile::tempdir().expect("tmp");
        let config = dir.path().join("loket.toml");
        assert_eq!(Sop::override_dir(&config), dir.path().join("sop"));

        // No sop/ directory: the compiled-in flows.
        let sop = Sop::load(Some(&config)).expect("no overrides");
        assert_eq!(
            sop.file_of("skala_kecil"),
            Some("config/sop/skala_kecil.toml")
        );

        let sop_dir = dir.path().join("sop");
        std::fs::create_dir(&sop_dir).expect("mkdir");
        let small = SopSource::embedded()
            .into_iter()
            .find(|s| s.name == "skala_kecil.toml")
            .expect("small");
        std::fs::write(
            sop_dir.join("skala_kecil.toml"),
            small
                .text
                .replacen("time = \"1 jam\"", "time = \"2 jam\"", 1),
        )
        .expect("write");
        std::fs::write(
            sop_dir.join("levels.toml"),
            "[levels]\nkecil = \"pengaduan\"\nmenengah = \"pengaduan\"\nbesar = \"pengaduan\"\n",
        )
        .expect("write");
        std::fs::write(sop_dir.join("README.txt"), "not a flow").expect("write");
        let sop = Sop::load(Some(&config)).expect("overrides");
        for level in Level::ALL {
            assert_eq!(sop.flow_for(level).id, "pengaduan");
        }
        let replaced = sop.flow("skala_kecil").expect("flow");
        assert_eq!(
            replaced.step(4).map(|s| s.time),
            Some(TimeStandard::Hours(2))
        );
        let path = sop_dir.join("skala_kecil.toml");
        assert_eq!(sop.file_of("skala_kecil"), path.to_str());
        assert_eq!(
            sop.file_of("skala_besar"),
            Some("config/sop/skala_besar.toml")
        );

        // A new file adds a flow; a broken one is named by its real path.
        std::fs::write(
            sop_dir.join("kilat.toml"),
            small.text.replacen("next = 2", "next = 12", 1),
        )
        .expect("write");
        let errors = Sop::load(Some(&config)).expect_err("broken").0;
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_eq!(
            errors[0].file,
            sop_dir.join("kilat.toml").display().to_string()
        );
        assert!(errors[0].line.is_some());
        std::fs::write(sop_dir.join("kilat.toml"), &small.text).expect("write");
        let sop = Sop::load(Some(&config)).expect("added");
        assert!(sop.flow("kilat").is_some());
    }

    #[test]
    fn a_flow_file_name_must_make_a_plain_id() {
        let mut sources = SopSource::embedded();
        let mut odd = sources[0].clone();
        odd.name = "Skala Kecil.toml".to_string();
        odd.file = "/etc/loket/sop/Skala Kecil.toml".to_string();
        sources.push(odd);
        let errors = Sop::from_sources(sources).expect_err("refused").0;
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].file, "/etc/loket/sop/Skala Kecil.toml");
    }
}
