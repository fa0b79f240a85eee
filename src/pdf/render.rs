//! Laid-out pages → PDF bytes, with krilla. The fonts are subset and embedded; the metadata
//! carries the title, the language and the document's own date.

use chrono::{Datelike, Timelike};
use krilla::Document as PdfDocument;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime as PdfDate, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

use super::fonts::{Family, Style, bytes, text_width};
use super::layout::{Item, layout};
use super::{Document, mm};

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("gambar PNG tidak dapat dibaca: {0}")]
    Image(String),
    #[error("huruf bawaan tidak dapat dimuat")]
    Font,
    #[error("PDF tidak dapat dibuat: {0}")]
    Pdf(String),
}

struct Fonts {
    regular: Font,
    bold: Font,
}

impl Fonts {
    fn new(family: Family) -> Result<Self, RenderError> {
        let load =
            |style| Font::new(bytes(family, style).to_vec().into(), 0).ok_or(RenderError::Font);
        Ok(Self {
            regular: load(Style::Regular)?,
            bold: load(Style::Bold)?,
        })
    }

    fn get(&self, style: Style) -> &Font {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
        }
    }
}

/// The document as PDF bytes. Deterministic: the same document gives the same bytes.
pub fn render(doc: &Document) -> Result<Vec<u8>, RenderError> {
    let laid = layout(doc);
    let fonts = Fonts::new(doc.family)?;
    let images = laid
        .images
        .iter()
        .map(|png| Image::from_png(png.clone().into(), true).map_err(RenderError::Image))
        .collect::<Result<Vec<_>, _>>()?;
    let mut pdf = PdfDocument::new();
    let settings = || {
        PageSettings::from_wh(laid.width, laid.height)
            .ok_or_else(|| RenderError::Pdf("ukuran halaman tidak sah".into()))
    };
    for items in &laid.pages {
        let mut page = pdf.start_page_with(settings()?);
        let mut s = page.surface();
        if let Some(mark) = &doc.watermark {
            watermark(&mut s, &fonts, doc.family, mark, laid.width, laid.height);
            // Also level in the top margin: a reader (or a text search) meets it first.
            s.draw_text(
                Point::from_xy(mm(doc.margins.left), mm(doc.margins.top) * 0.55),
                fonts.bold.clone(),
                9.0,
                &format!("{mark} — belum ditandatangani, belum bernomor"),
                false,
                TextDirection::LeftToRight,
            );
        }
        for item in items {
            match item {
                Item::Text {
                    x,
                    y,
                    size,
                    style,
                    text,
                } => {
                    s.draw_text(
                        Point::from_xy(*x, *y),
                        fonts.get(*style).clone(),
                        *size,
                        text,
                        false,
                        TextDirection::LeftToRight,
                    );
                }
                Item::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                } => line(&mut s, *x1, *y1, *x2, *y2, *width),
                Item::Image {
                    x,
                    y,
                    width,
                    height,
                    image,
                } => {
                    let (Some(img), Some(size)) =
                        (images.get(*image), Size::from_wh(*width, *height))
                    else {
                        continue;
                    };
                    s.push_transform(&Transform::from_translate(*x, *y));
                    s.draw_image(img.clone(), size);
                    s.pop();
                }
            }
        }
        s.finish();
        page.finish();
    }
    let c = doc.created;
    let offset = c.offset().local_minus_utc();
    let date = PdfDate::new(u16::try_from(c.year()).unwrap_or(2000))
        .month(c.month() as u8)
        .day(c.day() as u8)
        .hour(c.hour() as u8)
        .minute(c.minute() as u8)
        .second(c.second() as u8)
        .utc_offset_hour((offset / 3600) as i8)
        .utc_offset_minute(((offset.abs() % 3600) / 60) as u8);
    pdf.set_metadata(
        Metadata::new()
            .title(doc.title.clone())
            .language(doc.language.clone())
            .creator("loket".to_string())
            .creation_date(date),
    );
    pdf.finish().map_err(|e| RenderError::Pdf(format!("{e:?}")))
}

fn line(s: &mut Surface, x1: f32, y1: f32, x2: f32, y2: f32, width: f32) {
    let mut pb = PathBuilder::new();
    pb.move_to(x1, y1);
    pb.line_to(x2, y2);
    let Some(path) = pb.finish() else {
        return;
    };
    s.set_fill(None);
    s.set_stroke(Some(Stroke {
        width,
        ..Default::default()
    }));
    s.draw_path(&path);
    s.set_stroke(None);
    s.set_fill(Some(Fill::default()));
}

/// Large light-grey text across the page, under the content.
fn watermark(s: &mut Surface, fonts: &Fonts, family: Family, text: &str, w: f32, h: f32) {
    let size = mm(40.0);
    let tw = text_width(family, Style::Bold, text, size);
    s.push_transform(&Transform::from_rotate_at(-50.0, w / 2.0, h / 2.0));
    s.set_fill(Some(Fill {
        paint: rgb::Color::new(200, 200, 200).into(),
        opacity: NormalizedF32::ONE,
        ..Default::default()
    }));
    s.draw_text(
        Point::from_xy(w / 2.0 - tw / 2.0, h / 2.0 + size * 0.35),
        fonts.bold.clone(),
        size,
        text,
        false,
        TextDirection::LeftToRight,
    );
    s.set_fill(Some(Fill::default()));
    s.pop();
}
