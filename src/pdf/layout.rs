//! Blocks → positioned items on pages. Pure arithmetic on the fonts' advance widths: words
//! are broken greedily onto lines, a justified line spreads its spare width over its gaps
//! (the last line of a paragraph stays ragged), a block that does not fit goes on to the next
//! page, and a table repeats its header there.

use super::fonts::{Family, Style, text_width};
use super::{Align, Block, Document, KeyValue, Letterhead, Paragraph, Table, mm};

/// One thing to draw. Coordinates in points from the page's top-left corner; `y` of text is
/// its baseline.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Text {
        x: f32,
        y: f32,
        size: f32,
        style: Style,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
    /// `image` indexes `LaidOut::images`.
    Image {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        image: usize,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct LaidOut {
    pub width: f32,
    pub height: f32,
    pub family: Family,
    pub pages: Vec<Vec<Item>>,
    pub images: Vec<Vec<u8>>,
}

struct Cursor {
    family: Family,
    left: f32,
    right: f32,
    top: f32,
    bottom: f32,
    y: f32,
    pages: Vec<Vec<Item>>,
    images: Vec<Vec<u8>>,
}

impl Cursor {
    fn page(&mut self) -> &mut Vec<Item> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.top;
    }

    /// Makes room for `height` points, starting a page when the current one has too little
    /// (unless it is still empty: something taller than a page is placed anyway).
    fn need(&mut self, height: f32) {
        if self.y + height > self.bottom && self.y > self.top {
            self.new_page();
        }
    }

    fn width(&self) -> f32 {
        self.right - self.left
    }

    fn text(&mut self, x: f32, y: f32, size: f32, style: Style, text: &str) {
        if text.is_empty() {
            return;
        }
        self.page().push(Item::Text {
            x,
            y,
            size,
            style,
            text: text.to_string(),
        });
    }

    fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32) {
        self.page().push(Item::Line {
            x1,
            y1,
            x2,
            y2,
            width,
        });
    }
}

pub fn layout(doc: &Document) -> LaidOut {
    let (width, height) = doc.page.points();
    let m = doc.margins;
    let mut c = Cursor {
        family: doc.family,
        left: mm(m.left),
        right: width - mm(m.right),
        top: mm(m.top),
        bottom: height - mm(m.bottom),
        y: mm(m.top),
        pages: vec![Vec::new()],
        images: Vec::new(),
    };
    for block in &doc.blocks {
        place(&mut c, block);
    }
    LaidOut {
        width,
        height,
        family: doc.family,
        pages: c.pages,
        images: c.images,
    }
}

fn place(c: &mut Cursor, block: &Block) {
    match block {
        Block::Paragraph(p) => paragraph(c, p),
        Block::KeyValue(kv) => key_value(c, kv),
        Block::Table(t) => table(c, t),
        Block::Letterhead(h) => letterhead(c, h),
        Block::Rule { thickness, double } => {
            let h = if *double { thickness + 3.0 } else { *thickness };
            c.need(h);
            let (l, r, y) = (c.left, c.right, c.y + thickness / 2.0);
            c.line(l, y, r, y, *thickness);
            if *double {
                let y2 = c.y + thickness + 2.0;
                c.line(l, y2, r, y2, 0.6);
            }
            c.y += h + 2.0;
        }
        Block::Image {
            png,
            width,
            height,
            left,
        } => {
            let (w, h) = (mm(*width), mm(*height));
            c.need(h);
            c.images.push(png.clone());
            let image = c.images.len() - 1;
            let (x, y) = (c.left + mm(*left), c.y);
            c.page().push(Item::Image {
                x,
                y,
                width: w,
                height: h,
                image,
            });
            c.y += h;
        }
        Block::Space(v) => {
            c.y += mm(*v);
            if c.y > c.bottom {
                c.new_page();
            }
        }
        Block::PageBreak => c.new_page(),
        Block::Needs(v) => c.need(mm(*v)),
        Block::KeepTogether(blocks) => {
            // Measured on an endless page of the same width, then placed where it fits whole.
            let mut scratch = Cursor {
                family: c.family,
                left: c.left,
                right: c.right,
                top: 0.0,
                bottom: f32::MAX,
                y: 0.0,
                pages: vec![Vec::new()],
                images: Vec::new(),
            };
            for b in blocks {
                place(&mut scratch, b);
            }
            c.need(scratch.y);
            for b in blocks {
                place(c, b);
            }
        }
    }
}

/// A word with its style and whether a space separates it from the word before.
#[derive(Debug, Clone)]
struct Word {
    text: String,
    style: Style,
    space_before: bool,
    width: f32,
}

fn words(family: Family, runs: &[super::Run], size: f32, max: f32) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut pending_space = false;
    for run in runs {
        let mut current = String::new();
        for ch in run.text.chars() {
            if ch.is_whitespace() {
                if !current.is_empty() {
                    push_word(
                        &mut out,
                        family,
                        run.style,
                        &current,
                        pending_space,
                        size,
                        max,
                    );
                    current.clear();
                }
                pending_space = true;
            } else {
                current.push(ch);
            }
        }
        if !current.is_empty() {
            push_word(
                &mut out,
                family,
                run.style,
                &current,
                pending_space,
                size,
                max,
            );
            pending_space = false;
        }
    }
    out
}

/// A word wider than the line (a long reference, an address without spaces) is cut where the
/// line ends rather than run off the paper.
fn push_word(
    out: &mut Vec<Word>,
    family: Family,
    style: Style,
    text: &str,
    space_before: bool,
    size: f32,
    max: f32,
) {
    let width = text_width(family, style, text, size);
    if width <= max || text.chars().count() < 2 {
        out.push(Word {
            text: text.to_string(),
            style,
            space_before: space_before && !out.is_empty(),
            width,
        });
        return;
    }
    let mut piece = String::new();
    let mut first = true;
    for ch in text.chars() {
        piece.push(ch);
        if text_width(family, style, &piece, size) > max && piece.chars().count() > 1 {
            let last = piece.pop().unwrap_or(ch);
            let w = text_width(family, style, &piece, size);
            out.push(Word {
                text: std::mem::take(&mut piece),
                style,
                space_before: first && space_before && !out.is_empty(),
                width: w,
            });
            first = false;
            piece.push(last);
        }
    }
    if !piece.is_empty() {
        let w = text_width(family, style, &piece, size);
        out.push(Word {
            text: piece,
            style,
            space_before: first && space_before && !out.is_empty(),
            width: w,
        });
    }
}

/// Breaks `words` into lines no wider than `first_width` (the first) and `width` (the rest).
fn break_lines(
    words: &[Word],
    space: f32,
    first_width: f32,
    width: f32,
) -> Vec<std::ops::Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    while start < words.len() {
        let avail = if lines.is_empty() { first_width } else { width };
        let mut end = start;
        let mut used = 0.0;
        while end < words.len() {
            let add = if end > start && words[end].space_before {
                space + words[end].width
            } else {
                words[end].width
            };
            if end > start && used + add > avail + 0.01 {
                break;
            }
            used += add;
            end += 1;
        }
        lines.push(start..end);
        start = end;
    }
    lines
}

/// Lays out wrapped lines in `[x, x + width]` from the cursor; returns nothing, moves it.
#[allow(clippy::too_many_arguments)]
fn lines_at(
    c: &mut Cursor,
    words: &[Word],
    x: f32,
    width: f32,
    first_indent: f32,
    size: f32,
    spacing: f32,
    align: Align,
) {
    let space = text_width(c.family, Style::Regular, " ", size);
    let line_h = size * spacing;
    let lines = break_lines(words, space, width - first_indent, width);
    let count = lines.len();
    for (i, range) in lines.into_iter().enumerate() {
        c.need(line_h);
        let baseline = c.y + size * 0.8 + (line_h - size) / 2.0;
        let line = &words[range];
        let indent = if i == 0 { first_indent } else { 0.0 };
        let avail = width - indent;
        let natural: f32 = line
            .iter()
            .enumerate()
            .map(|(j, w)| {
                if j > 0 && w.space_before {
                    w.width + space
                } else {
                    w.width
                }
            })
            .sum();
        let gaps = line.iter().skip(1).filter(|w| w.space_before).count();
        let (mut pos, gap) = match align {
            Align::Left => (x + indent, space),
            Align::Right => (x + indent + avail - natural, space),
            Align::Center => (x + indent + (avail - natural) / 2.0, space),
            Align::Justify if i + 1 < count && gaps > 0 => {
                (x + indent, space + (avail - natural) / gaps as f32)
            }
            Align::Justify => (x + indent, space),
        };
        for (j, w) in line.iter().enumerate() {
            if j > 0 && w.space_before {
                pos += gap;
            }
            c.text(pos, baseline, size, w.style, &w.text);
            pos += w.width;
        }
        c.y += line_h;
    }
}

fn paragraph(c: &mut Cursor, p: &Paragraph) {
    let x = c.left + mm(p.left);
    let width = c.width() - mm(p.left);
    let ws = words(c.family, &p.runs, p.size, width);
    if ws.is_empty() {
        c.y += p.size * p.line_spacing;
    } else {
        lines_at(
            c,
            &ws,
            x,
            width,
            mm(p.first_line),
            p.size,
            p.line_spacing,
            p.align,
        );
    }
    c.y += mm(p.space_after);
}

fn key_value(c: &mut Cursor, kv: &KeyValue) {
    let x = c.left + mm(kv.left);
    let colon = x + mm(kv.key_width);
    let value_x = colon + text_width(c.family, Style::Regular, ": ", kv.size);
    let value_w = (c.right - value_x).max(mm(20.0));
    let line_h = kv.size * kv.line_spacing;
    for (key, value) in &kv.rows {
        c.need(line_h);
        let baseline = c.y + kv.size * 0.8 + (line_h - kv.size) / 2.0;
        c.text(x, baseline, kv.size, Style::Regular, key);
        c.text(colon, baseline, kv.size, Style::Regular, ":");
        let ws = words(
            c.family,
            &[super::Run::plain(value.clone())],
            kv.size,
            value_w,
        );
        if ws.is_empty() {
            c.y += line_h;
        } else {
            lines_at(
                c,
                &ws,
                value_x,
                value_w,
                0.0,
                kv.size,
                kv.line_spacing,
                Align::Left,
            );
        }
    }
    c.y += mm(kv.space_after);
}

fn table(c: &mut Cursor, t: &Table) {
    let x0 = c.left + mm(t.left);
    let widths: Vec<f32> = t.widths.iter().map(|w| mm(*w)).collect();
    let pad = 2.0;
    let line_h = t.size * 1.25;
    // Each cell's lines, measured once.
    let cells = |row: &[String], style: Style| -> Vec<Vec<String>> {
        row.iter()
            .zip(&widths)
            .map(|(text, w)| {
                let avail = w - 2.0 * pad;
                let ws = words(
                    c.family,
                    &[super::Run {
                        text: text.clone(),
                        style,
                    }],
                    t.size,
                    avail,
                );
                let space = text_width(c.family, Style::Regular, " ", t.size);
                break_lines(&ws, space, avail, avail)
                    .into_iter()
                    .map(|r| {
                        ws[r]
                            .iter()
                            .enumerate()
                            .map(|(i, w)| {
                                if i > 0 && w.space_before {
                                    format!(" {}", w.text)
                                } else {
                                    w.text.clone()
                                }
                            })
                            .collect::<String>()
                    })
                    .collect()
            })
            .collect()
    };
    let header = cells(&t.header, Style::Bold);
    let rows: Vec<Vec<Vec<String>>> = t.rows.iter().map(|r| cells(r, Style::Regular)).collect();
    let height = |cells: &[Vec<String>]| {
        cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * line_h + 2.0 * pad
    };
    let draw_row = |c: &mut Cursor, cells: &[Vec<String>], style: Style| {
        let h = height(cells);
        let top = c.y;
        let mut x = x0;
        let total: f32 = widths.iter().sum();
        c.line(x0, top, x0 + total, top, 0.5);
        c.line(x0, top + h, x0 + total, top + h, 0.5);
        c.line(x0, top, x0, top + h, 0.5);
        for (cell, w) in cells.iter().zip(&widths) {
            for (i, line) in cell.iter().enumerate() {
                let baseline = top + pad + i as f32 * line_h + t.size * 0.85;
                c.text(x + pad, baseline, t.size, style, line);
            }
            x += w;
            c.line(x, top, x, top + h, 0.5);
        }
        c.y += h;
    };
    c.need(height(&header) + rows.first().map_or(0.0, |r| height(r)));
    draw_row(c, &header, Style::Bold);
    for row in &rows {
        let h = height(row);
        if c.y + h > c.bottom && c.y > c.top {
            c.new_page();
            draw_row(c, &header, Style::Bold);
        }
        draw_row(c, row, Style::Regular);
    }
    c.y += mm(t.space_after);
}

fn letterhead(c: &mut Cursor, h: &Letterhead) {
    let logo = if h.logo_png.is_some() {
        mm(h.logo_size)
    } else {
        0.0
    };
    let text_h: f32 = h.lines.iter().map(|l| l.size * 1.2).sum();
    let block_h = text_h.max(logo);
    c.need(block_h);
    let top = c.y;
    if let Some(png) = &h.logo_png {
        c.images.push(png.clone());
        let image = c.images.len() - 1;
        let x = c.left;
        c.page().push(Item::Image {
            x,
            y: top + (block_h - logo) / 2.0,
            width: logo,
            height: logo,
            image,
        });
    }
    // The lines are centred in the space beside the logo, with as much room on the right.
    let gap = if logo > 0.0 { logo + mm(2.0) } else { 0.0 };
    let (l, r) = (c.left + gap, c.right - gap / 2.0);
    let mut y = top + (block_h - text_h) / 2.0;
    for line in &h.lines {
        let style = if line.bold {
            Style::Bold
        } else {
            Style::Regular
        };
        // A line wider than the space beside the logo is set smaller rather than run into
        // the logo or past the margin (a long office name with the emblem beside it).
        let natural = text_width(c.family, style, &line.text, line.size);
        let size = if natural > r - l {
            line.size * (r - l) / natural
        } else {
            line.size
        };
        let w = text_width(c.family, style, &line.text, size);
        let x = l + ((r - l) - w) / 2.0;
        c.text(x, y + line.size * 0.95, size, style, &line.text);
        y += line.size * 1.2;
    }
    c.y = top + block_h + mm(1.5);
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;
    use chrono::TimeZone;

    fn doc(blocks: Vec<Block>) -> Document {
        Document {
            page: PageSize::A4,
            margins: Margins {
                top: 20.0,
                right: 20.0,
                bottom: 20.0,
                left: 30.0,
            },
            family: Family::Serif,
            title: "t".into(),
            language: "id-ID".into(),
            created: chrono::FixedOffset::east_opt(7 * 3600)
                .and_then(|o| o.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).single())
                .expect("date"),
            watermark: None,
            blocks,
        }
    }

    fn texts(page: &[Item]) -> Vec<(f32, f32, String)> {
        page.iter()
            .filter_map(|i| match i {
                Item::Text { x, y, text, .. } => Some((*x, *y, text.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn justified_lines_reach_the_right_margin_and_the_last_stays_ragged() {
        let text = "Menindaklanjuti pengaduan Saudara mengenai pelayanan perekaman KTP elektronik \
                    yang melebihi standar waktu, bersama ini kami sampaikan bahwa petugas telah \
                    diberi arahan dan jadwal layanan telah diperbaiki sejak minggu ini.";
        let out = layout(&doc(vec![Block::Paragraph(
            Paragraph::text(text, 12.0).align(Align::Justify),
        )]));
        let (w, _) = PageSize::A4.points();
        let right = w - mm(20.0);
        let t = texts(&out.pages[0]);
        let mut lines: Vec<f32> = t.iter().map(|(_, y, _)| *y).collect();
        lines.dedup();
        assert!(lines.len() >= 3, "{lines:?}");
        for (k, y) in lines.iter().enumerate() {
            let last_word = t.iter().rev().find(|(_, ty, _)| ty == y).expect("word");
            let end = last_word.0 + text_width(Family::Serif, Style::Regular, &last_word.2, 12.0);
            if k + 1 < lines.len() {
                assert!(
                    (end - right).abs() < 0.05,
                    "line {k} ends at {end}, not {right}"
                );
            } else {
                assert!(end < right - 10.0, "the last line is ragged");
            }
        }
        // Every word is there, in order.
        let joined: Vec<String> = t.iter().map(|(_, _, s)| s.clone()).collect();
        assert_eq!(
            joined.join(" "),
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }

    #[test]
    fn overflow_starts_a_page_and_a_table_repeats_its_header() {
        let rows: Vec<Vec<String>> = (0..80)
            .map(|i| vec![i.to_string(), format!("baris nomor {i} dengan isi")])
            .collect();
        let out = layout(&doc(vec![Block::Table(Table {
            widths: vec![20.0, 100.0],
            header: vec!["No".into(), "Uraian".into()],
            rows,
            size: 11.0,
            left: 0.0,
            space_after: 0.0,
        })]));
        assert!(out.pages.len() >= 2, "{} pages", out.pages.len());
        let (_, h) = PageSize::A4.points();
        for page in &out.pages {
            let t = texts(page);
            assert_eq!(t.iter().filter(|(_, _, s)| s == "Uraian").count(), 1);
            assert!(t.iter().all(|(_, y, _)| *y < h - mm(20.0)));
        }
    }

    #[test]
    fn kept_together_blocks_start_a_page_rather_than_split() {
        let line = || Block::Paragraph(Paragraph::text("Baris.", 12.0));
        let mut blocks = vec![Block::Space(240.0)];
        let signature: Vec<Block> = (0..6).map(|_| line()).collect();
        blocks.push(Block::KeepTogether(signature.clone()));
        let out = layout(&doc(blocks));
        assert_eq!(out.pages.len(), 2);
        assert!(texts(&out.pages[0]).is_empty(), "nothing split off");
        assert_eq!(texts(&out.pages[1]).len(), 6);
        // Loose, the same lines fill the first page and run on.
        let mut loose = vec![Block::Space(240.0)];
        loose.extend(signature);
        let out = layout(&doc(loose));
        assert_eq!(out.pages.len(), 2);
        assert!(!texts(&out.pages[0]).is_empty());
    }

    #[test]
    fn a_title_that_needs_room_for_its_table_is_not_left_at_the_foot() {
        let title = || Block::Paragraph(Paragraph::text("Judul tabel", 10.0));
        // 250 of the page's 262 mm of text height used: the title would fit, its table not.
        let out = layout(&doc(vec![Block::Space(250.0), Block::Needs(35.0), title()]));
        assert_eq!(out.pages.len(), 2);
        assert!(
            texts(&out.pages[0]).is_empty(),
            "the title alone at the foot"
        );
        assert_eq!(texts(&out.pages[1]).len(), 2);
        // With room left it stays where it is.
        let out = layout(&doc(vec![Block::Space(200.0), Block::Needs(35.0), title()]));
        assert_eq!(out.pages.len(), 1);
    }

    #[test]
    fn kop_lines_stay_between_the_logo_and_the_margin() {
        let png = vec![0u8; 8];
        let long = "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU KOTA CONTOH";
        let out = layout(&doc(vec![Block::Letterhead(Letterhead {
            logo_png: Some(png),
            logo_size: 22.0,
            lines: vec![HeadLine {
                text: long.into(),
                size: 14.0,
                bold: true,
            }],
        })]));
        let (w, _) = PageSize::A4.points();
        let logo_right = mm(30.0) + mm(22.0);
        let item = out.pages[0]
            .iter()
            .find_map(|i| match i {
                Item::Text { x, size, .. } => Some((*x, *size)),
                _ => None,
            })
            .expect("the line");
        let end = item.0 + text_width(Family::Serif, Style::Bold, long, item.1);
        assert!(item.0 > logo_right, "{item:?}");
        assert!(end <= w - mm(20.0) + 0.01, "{end}");
        assert!(item.1 < 14.0);
    }

    #[test]
    fn rendering_is_a_pure_function_of_the_document() {
        let mut d = doc(vec![
            Block::Paragraph(Paragraph::text("Surat untuk Désirée.", 12.0)),
            Block::PageBreak,
            Block::Paragraph(Paragraph::text("Halaman dua.", 12.0)),
        ]);
        d.page = PageSize::F4;
        let a = crate::pdf::render(&d).expect("render");
        let b = crate::pdf::render(&d).expect("render");
        assert_eq!(a, b, "the same document gives the same bytes");
        let text = String::from_utf8_lossy(&a);
        assert!(text.contains("/Lang(id-ID)"), "language");
        // The date given, office-local, not the wall clock.
        assert!(
            text.contains("/CreationDate(D:20261130090000+07'00)"),
            "date"
        );
        // Two F4 pages: 215 × 330 mm.
        assert_eq!(
            text.matches("/Type/Page/").count() + text.matches("/Type/Page>").count(),
            2
        );
        assert!(
            text.contains("609.4") && text.contains("935.4"),
            "F4 media box"
        );
    }

    #[test]
    fn key_values_align_their_colons() {
        let out = layout(&doc(vec![Block::KeyValue(KeyValue {
            rows: vec![
                ("Nomor".into(), "000.8.3.3/1/DPM/2026".into()),
                ("Lampiran".into(), "-".into()),
            ],
            size: 12.0,
            key_width: 25.0,
            left: 0.0,
            line_spacing: 1.3,
            space_after: 0.0,
        })]));
        let colons: Vec<f32> = texts(&out.pages[0])
            .into_iter()
            .filter(|(_, _, s)| s == ":")
            .map(|(x, _, _)| x)
            .collect();
        assert_eq!(colons.len(), 2);
        assert_eq!(colons[0], colons[1]);
    }
}
