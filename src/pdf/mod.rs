//! A small document model for the office's printed papers (the reply letter, its receipt,
//! the monthly report): pages of blocks laid out by our own code (word wrapping by the
//! embedded fonts' advance widths, page breaks, repeated table headers) and written as PDF by
//! `krilla`. Rendering is a pure function of the document: the same document gives the same
//! bytes, and its creation date is the one given, never the wall clock.
//!
//! The engine sits behind `render`; nothing outside this module names krilla.

mod fonts;
mod layout;
mod render;

pub use fonts::{Family, Style, covers, text_width};
pub use layout::{Item, LaidOut, layout};
pub use render::{RenderError, render};

use chrono::{DateTime, FixedOffset};

/// Points per millimetre (1 pt = 1/72 inch).
pub const PT_PER_MM: f32 = 72.0 / 25.4;

pub fn mm(v: f32) -> f32 {
    v * PT_PER_MM
}

/// Paper sizes in use in Indonesian offices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PageSize {
    /// 210 × 297 mm.
    A4,
    /// Folio (F4), 215 × 330 mm: still the usual paper of many regional offices.
    F4,
}

impl PageSize {
    /// Width and height in points.
    pub fn points(self) -> (f32, f32) {
        match self {
            PageSize::A4 => (mm(210.0), mm(297.0)),
            PageSize::F4 => (mm(215.0), mm(330.0)),
        }
    }
}

/// Margins in millimetres.
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Margins {
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
    pub left: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    #[default]
    Left,
    Justify,
    Center,
    Right,
}

/// A piece of text in one style.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub text: String,
    pub style: Style,
}

impl Run {
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            style: Style::Regular,
        }
    }

    pub fn bold(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            style: Style::Bold,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Paragraph {
    pub runs: Vec<Run>,
    pub align: Align,
    /// Font size in points.
    pub size: f32,
    /// Line height as a multiple of the font size.
    pub line_spacing: f32,
    /// Indent of the whole paragraph from the left margin, mm (a signature block on the right
    /// half of the page).
    pub left: f32,
    /// Extra indent of the first line, mm.
    pub first_line: f32,
    /// Space after the paragraph, mm.
    pub space_after: f32,
}

impl Paragraph {
    pub fn new(runs: Vec<Run>, size: f32) -> Self {
        Self {
            runs,
            align: Align::Left,
            size,
            line_spacing: 1.3,
            left: 0.0,
            first_line: 0.0,
            space_after: 0.0,
        }
    }

    pub fn text(text: impl Into<String>, size: f32) -> Self {
        Self::new(vec![Run::plain(text)], size)
    }

    pub fn align(mut self, align: Align) -> Self {
        self.align = align;
        self
    }

    pub fn left(mut self, mm: f32) -> Self {
        self.left = mm;
        self
    }

    pub fn first_line(mut self, mm: f32) -> Self {
        self.first_line = mm;
        self
    }

    pub fn space_after(mut self, mm: f32) -> Self {
        self.space_after = mm;
        self
    }

    pub fn line_spacing(mut self, factor: f32) -> Self {
        self.line_spacing = factor;
        self
    }
}

/// `Nomor    : 000.8.3.3/1/DPMPTSP/2026`: keys in one column, the colons aligned, values
/// wrapped in their own column.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyValue {
    pub rows: Vec<(String, String)>,
    pub size: f32,
    /// Width of the key column, mm.
    pub key_width: f32,
    pub left: f32,
    pub line_spacing: f32,
    pub space_after: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Column widths, mm.
    pub widths: Vec<f32>,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub size: f32,
    pub left: f32,
    pub space_after: f32,
}

/// A line of the letterhead.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadLine {
    pub text: String,
    pub size: f32,
    pub bold: bool,
}

/// The letterhead (*kop*): an optional logo at the left, lines centred in the space beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Letterhead {
    pub logo_png: Option<Vec<u8>>,
    /// Logo width (and height, it is drawn square), mm.
    pub logo_size: f32,
    pub lines: Vec<HeadLine>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Paragraph(Paragraph),
    KeyValue(KeyValue),
    Table(Table),
    Letterhead(Letterhead),
    /// A horizontal rule across the text width; `double` draws the kop's thick-and-thin pair.
    Rule {
        thickness: f32,
        double: bool,
    },
    /// A PNG image, width and height in mm, at `left` mm from the margin.
    Image {
        png: Vec<u8>,
        width: f32,
        height: f32,
        left: f32,
    },
    /// Vertical space, mm.
    Space(f32),
    PageBreak,
    /// Blocks that go on one page: started on the next page when they do not fit on this
    /// one (a signature block with its date, a heading with its short table).
    KeepTogether(Vec<Block>),
    /// At least this many mm must be left on the page for what follows, else it starts on
    /// the next: a long table's title with its header and first rows, never alone at a foot.
    Needs(f32),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub page: PageSize,
    pub margins: Margins,
    pub family: Family,
    pub title: String,
    /// BCP 47: `id-ID`.
    pub language: String,
    /// The document's date (office-local, with its offset).
    pub created: DateTime<FixedOffset>,
    /// Large light text across every page (`DRAF`).
    pub watermark: Option<String>,
    pub blocks: Vec<Block>,
}
