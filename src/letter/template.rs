//! The letter's template: `config/letter/surat-balasan.toml` (compiled in; an office's own
//! copy beside its configuration replaces it). The letterhead, paper, margins, font and the
//! fixed wording around the officer's draft, with placeholders checked when it is read.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::ConfigError;
use crate::pdf::{Family, Margins, PageSize};

pub const EMBEDDED_TEMPLATE: &str = include_str!("../../config/letter/surat-balasan.toml");

/// What the fixed wording may refer to.
pub const PLACEHOLDERS: [&str; 8] = [
    "nomor_pengaduan",
    "tanggal_pengaduan",
    "layanan",
    "nama_pengadu",
    "tempat",
    "tanggal",
    "nomor_surat",
    "unit",
];

/// The parts of the letter, in the order the template lists them.
pub const PARTS: [&str; 10] = [
    "kop",
    "tanggal",
    "nomor",
    "tujuan",
    "pembuka",
    "isi",
    "penutup",
    "tanda_tangan",
    "tembusan",
    "paraf",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KopLine {
    pub text: String,
    pub size: f32,
    #[serde(default)]
    pub bold: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kop {
    /// A PNG beside the configuration file (`letter/logo.png`); empty for none.
    #[serde(default)]
    pub logo: String,
    #[serde(default = "default_logo_size")]
    pub logo_size: f32,
    pub lines: Vec<KopLine>,
}

fn default_logo_size() -> f32 {
    22.0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wording {
    pub hal: String,
    /// Before the addressee's name: `Yth. Sdr.`
    pub salutation: String,
    pub opening: String,
    pub closing: String,
    pub place_date: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub page: PageSize,
    pub margins: Margins,
    pub font: Family,
    pub font_size: f32,
    pub line_spacing: f32,
    /// First-line indent of the body's paragraphs, mm.
    pub indent: f32,
    pub kop: Kop,
    pub wording: Wording,
    pub order: Vec<String>,
    /// The logo's bytes, read with the template (not part of the file).
    #[serde(skip)]
    pub logo_png: Option<Vec<u8>>,
}

impl Template {
    pub fn embedded() -> Result<Self, Vec<ConfigError>> {
        Self::parse(
            EMBEDDED_TEMPLATE,
            "letter/surat-balasan.toml (bawaan)",
            None,
        )
    }

    /// Reads `file` (relative to `dir`, the configuration's directory) if it is there, else
    /// the compiled-in template, unless the file was named on purpose (`required`): then its
    /// absence is an error. A logo named but missing is an error too: a letter going out
    /// without the office's emblem is not something to find out on paper.
    pub fn load(dir: &Path, file: &str, required: bool) -> Result<Self, Vec<ConfigError>> {
        let path = dir.join(file);
        match std::fs::read_to_string(&path) {
            Ok(src) => Self::parse(&src, &path.display().to_string(), Some(dir)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Self::embedded(),
            Err(e) => Err(vec![err(
                &path.display().to_string(),
                "",
                format!("tidak dapat dibaca / cannot read: {e}"),
            )]),
        }
    }

    pub fn parse(src: &str, file: &str, dir: Option<&Path>) -> Result<Self, Vec<ConfigError>> {
        let mut t: Template = toml::from_str(src).map_err(|e| {
            let line = e.span().map(|s| crate::config::line_of(src, s.start));
            vec![ConfigError {
                file: Some(file.to_string()),
                path: String::new(),
                line,
                message: e.message().to_string(),
            }]
        })?;
        let mut errors = Vec::new();
        let texts = [
            ("wording.hal", &t.wording.hal),
            ("wording.salutation", &t.wording.salutation),
            ("wording.opening", &t.wording.opening),
            ("wording.closing", &t.wording.closing),
            ("wording.place_date", &t.wording.place_date),
        ];
        for (path, text) in texts {
            if let Some(bad) = unknown_placeholder(text) {
                errors.push(err(
                    file,
                    path,
                    format!(
                        "isian {{{bad}}} tidak dikenal; yang dikenal: {} / unknown placeholder",
                        PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(" ")
                    ),
                ));
            }
        }
        for (i, part) in t.order.iter().enumerate() {
            if !PARTS.contains(&part.as_str()) {
                errors.push(err(
                    file,
                    &format!("order[{i}]"),
                    format!(
                        "bagian `{part}` tidak dikenal; yang dikenal: {} / unknown part",
                        PARTS.join(", ")
                    ),
                ));
            }
        }
        for needed in ["nomor", "isi", "tanda_tangan"] {
            if !t.order.iter().any(|p| p == needed) {
                errors.push(err(
                    file,
                    "order",
                    format!("bagian `{needed}` wajib ada / part `{needed}` is required"),
                ));
            }
        }
        if !(6.0..=20.0).contains(&t.font_size) {
            errors.push(err(
                file,
                "font_size",
                "antara 6 dan 20 pt / 6–20 pt".into(),
            ));
        }
        if !(1.0..=3.0).contains(&t.line_spacing) {
            errors.push(err(file, "line_spacing", "antara 1 dan 3 / 1–3".into()));
        }
        let m = t.margins;
        for (path, v) in [
            ("margins.top", m.top),
            ("margins.right", m.right),
            ("margins.bottom", m.bottom),
            ("margins.left", m.left),
        ] {
            if !(5.0..=60.0).contains(&v) {
                errors.push(err(file, path, "antara 5 dan 60 mm / 5–60 mm".into()));
            }
        }
        for (i, l) in t.kop.lines.iter().enumerate() {
            if !(6.0..=30.0).contains(&l.size) {
                errors.push(err(
                    file,
                    &format!("kop.lines[{i}].size"),
                    "antara 6 dan 30 pt / 6–30 pt".into(),
                ));
            }
        }
        if !t.kop.logo.is_empty() {
            match dir {
                None => errors.push(err(
                    file,
                    "kop.logo",
                    "logo hanya dapat dipakai dari berkas konfigurasi kantor / a logo needs the office's configuration directory".into(),
                )),
                Some(dir) => {
                    let path = dir.join(&t.kop.logo);
                    match std::fs::read(&path) {
                        Ok(bytes) if bytes.starts_with(b"\x89PNG\r\n\x1a\n") => {
                            t.logo_png = Some(bytes)
                        }
                        Ok(_) => errors.push(err(
                            file,
                            "kop.logo",
                            format!("{} bukan berkas PNG / not a PNG file", path.display()),
                        )),
                        Err(e) => errors.push(err(
                            file,
                            "kop.logo",
                            format!(
                                "berkas logo {} tidak dapat dibaca / cannot read the logo: {e}",
                                path.display()
                            ),
                        )),
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(t)
        } else {
            for e in &mut errors {
                e.line = crate::config::locate_line(src, &e.path);
            }
            Err(errors)
        }
    }

    pub fn has(&self, part: &str) -> bool {
        self.order.iter().any(|p| p == part)
    }
}

fn err(file: &str, path: &str, message: String) -> ConfigError {
    ConfigError {
        file: Some(file.to_string()),
        path: path.to_string(),
        line: None,
        message,
    }
}

/// The first `{name}` in `text` that is not one of `PLACEHOLDERS`.
pub fn unknown_placeholder(text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Some(after.to_string());
        };
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            return Some(name.to_string());
        }
        rest = &after[close + 1..];
    }
    if rest.contains('}') {
        return Some("}".to_string());
    }
    None
}

/// `text` with every `{name}` replaced by its value.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = text.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_template_is_valid_and_unknown_placeholders_are_refused() {
        let t = Template::embedded().expect("embedded template");
        assert!(t.has("kop") && t.has("paraf"));
        let bad = EMBEDDED_TEMPLATE.replace("{nomor_pengaduan}", "{nomer_pengaduan}");
        let errs = Template::parse(&bad, "x.toml", None).expect_err("refused");
        assert!(
            errs.iter()
                .any(|e| e.message.contains("nomer_pengaduan") && e.line.is_some()),
            "{errs:?}"
        );
    }

    #[test]
    fn a_missing_logo_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("dir");
        let src = EMBEDDED_TEMPLATE.replace("logo = \"\"", "logo = \"letter/lambang.png\"");
        assert_ne!(src, EMBEDDED_TEMPLATE);
        let errs = Template::parse(&src, "x.toml", Some(dir.path())).expect_err("refused");
        assert_eq!(errs[0].path, "kop.logo");
        assert!(errs[0].message.contains("lambang.png"), "{errs:?}");
    }
}
