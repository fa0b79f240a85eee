//! The embedded fonts (Liberation Sans and Serif 2.1, regular and bold, SIL OFL 1.1,
//! assets/fonts/) and their advance widths. No italic: nothing printed needs it, and each
//! face is some 400 KB of the binary. Line breaking measures with the same font files the PDF embeds, so what
//! fits on a line in the layout fits on paper.

use std::collections::HashMap;
use std::sync::OnceLock;

use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

static SANS: &[u8] = include_bytes!("../../assets/fonts/LiberationSans-Regular.ttf");
static SANS_BOLD: &[u8] = include_bytes!("../../assets/fonts/LiberationSans-Bold.ttf");
static SERIF: &[u8] = include_bytes!("../../assets/fonts/LiberationSerif-Regular.ttf");
static SERIF_BOLD: &[u8] = include_bytes!("../../assets/fonts/LiberationSerif-Bold.ttf");

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Sans,
    /// Liberation Serif: metrically Times New Roman, what most offices' letters use.
    #[default]
    Serif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Style {
    #[default]
    Regular,
    Bold,
}

pub(super) fn bytes(family: Family, style: Style) -> &'static [u8] {
    match (family, style) {
        (Family::Sans, Style::Regular) => SANS,
        (Family::Sans, Style::Bold) => SANS_BOLD,
        (Family::Serif, Style::Regular) => SERIF,
        (Family::Serif, Style::Bold) => SERIF_BOLD,
    }
}

const ALL: [(Family, Style); 4] = [
    (Family::Sans, Style::Regular),
    (Family::Sans, Style::Bold),
    (Family::Serif, Style::Regular),
    (Family::Serif, Style::Bold),
];

/// Advance widths at 1 pt, by character, measured once per font.
struct Widths {
    by_char: HashMap<char, f32>,
    fallback: f32,
}

fn measure(raw: &[u8]) -> Widths {
    let mut by_char = HashMap::new();
    let mut fallback = 0.5;
    if let Ok(font) = FontRef::new(raw) {
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::new(1.0), LocationRef::default());
        for (code, glyph) in charmap.mappings() {
            if let (Some(c), Some(w)) = (char::from_u32(code), metrics.advance_width(glyph)) {
                by_char.insert(c, w);
            }
        }
        // A character the font lacks is drawn as its .notdef box.
        fallback = metrics
            .advance_width(skrifa::GlyphId::new(0))
            .unwrap_or(0.5);
    }
    Widths { by_char, fallback }
}

fn widths(family: Family, style: Style) -> &'static Widths {
    static TABLES: OnceLock<Vec<Widths>> = OnceLock::new();
    let tables = TABLES.get_or_init(|| ALL.iter().map(|(f, s)| measure(bytes(*f, *s))).collect());
    let i = ALL
        .iter()
        .position(|k| *k == (family, style))
        .unwrap_or_default();
    &tables[i]
}

/// The width of `text` in points at `size`.
pub fn text_width(family: Family, style: Style, text: &str, size: f32) -> f32 {
    let w = widths(family, style);
    text.chars()
        .map(|c| w.by_char.get(&c).copied().unwrap_or(w.fallback))
        .sum::<f32>()
        * size
}

/// Whether the font has a glyph for every character of `text`.
pub fn covers(family: Family, style: Style, text: &str) -> bool {
    let w = widths(family, style);
    text.chars()
        .all(|c| c.is_whitespace() || w.by_char.contains_key(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indonesian_names_with_accents_are_covered_and_measured() {
        for (f, s) in ALL {
            assert!(covers(
                f,
                s,
                "Désirée Nurhayati, S.H., M.Kn. – Jl. Cikapayang"
            ));
        }
        let plain = text_width(Family::Serif, Style::Regular, "Rene", 12.0);
        let accented = text_width(Family::Serif, Style::Regular, "René", 12.0);
        assert!(
            plain > 20.0 && (plain - accented).abs() < 1.0,
            "{plain} {accented}"
        );
        assert!(
            text_width(Family::Serif, Style::Bold, "WWW", 12.0)
                > text_width(Family::Serif, Style::Regular, "iii", 12.0)
        );
    }
}
