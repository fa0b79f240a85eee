//! The monthly report on paper (*laporan bulanan*): the month's queue figures and the
//! complaint recap under the office's letterhead, for the office head to sign and file. The
//! same tables as the pages and the XLSX (`report::table`), set by the letter's PDF engine.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

use super::complaints::ComplaintRecap;
use super::queue::QueueReport;
use super::table::Table;
use crate::auth::Role;
use crate::config::LetterConfig;
use crate::letter::{kop, signature, tanggal};
use crate::pdf::{Align, Block, Document, Paragraph, Run, Table as PdfTable};

// The Indonesian month names, shared with every date the software writes out.
use crate::clock::MONTHS_ID as MONTHS;

/// `November 2026`.
pub fn month_name(first: NaiveDate) -> String {
    format!("{} {}", MONTHS[first.month0() as usize], first.year())
}

fn pct(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "—".to_string();
    }
    format!("{:.1}%", part as f64 * 100.0 / whole as f64).replace('.', ",")
}

/// A report table as a PDF table: the first column wider, the rest shared; small type
/// when there are many columns.
pub fn pdf_table(t: &Table, text_width: f32) -> Vec<Block> {
    let n = t.columns.len().max(1);
    // Widths by what the columns hold: the step's description gets the room, a count little;
    // no column narrower than its longest heading word.
    let weights: Vec<f32> = (0..n)
        .map(|i| {
            let cells: Vec<usize> = t
                .rows
                .iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.display().chars().count())
                .collect();
            let mean = cells.iter().sum::<usize>() as f32 / cells.len().max(1) as f32;
            let heading = t
                .columns
                .get(i)
                .and_then(|c| c.title.split_whitespace().map(|w| w.chars().count()).max())
                .unwrap_or(4) as f32;
            mean.max(heading + 2.0).clamp(4.0, 30.0)
        })
        .collect();
    let sum: f32 = weights.iter().sum();
    let widths = weights.iter().map(|w| text_width * w / sum).collect();
    let size = if n > 8 { 7.0 } else { 8.5 };
    let rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| r.iter().map(|c| c.display()).collect())
        .collect();
    let title =
        Block::Paragraph(Paragraph::new(vec![Run::bold(t.title.clone())], 10.0).space_after(1.0));
    if rows.is_empty() {
        let none = Block::Paragraph(Paragraph::text("Tidak ada data.", 9.0).space_after(3.0));
        return vec![Block::KeepTogether(vec![title, none])];
    }
    let short = rows.len() <= 12;
    let table = Block::Table(PdfTable {
        widths,
        header: t.columns.iter().map(|c| c.title.clone()).collect(),
        rows,
        size,
        left: 0.0,
        space_after: 4.0,
    });
    // A short table stays with its title; a long one runs on, its header repeated, and
    // starts where its title, header and first rows fit (about 35 mm), so the title is never
    // left alone at the foot of a page.
    if short {
        vec![Block::KeepTogether(vec![title, table])]
    } else {
        vec![Block::Needs(35.0), title, table]
    }
}

/// The place and date and the Kepala Dinas' signature block that close a report the office
/// head signs and files, kept on one page.
pub fn head_signs(cfg: &LetterConfig, date: NaiveDate) -> Block {
    let t = &cfg.template;
    let mut signed = vec![
        Block::Space(6.0),
        Block::Paragraph(
            Paragraph::text(format!("{}, {}", cfg.place, tanggal(date)), t.font_size)
                .left(crate::letter::SIGN_COLUMN),
        ),
    ];
    signed.extend(signature(
        cfg.signers.get(&Role::KepalaDinas),
        t.font_size,
        t.line_spacing,
    ));
    Block::KeepTogether(signed)
}

/// The month `first..=last` as a document: summary, queue tables, complaint tables, the
/// Kepala Dinas' signature block; dated `now`.
pub fn compose(
    cfg: &LetterConfig,
    first: NaiveDate,
    queue: &QueueReport,
    recap: &ComplaintRecap,
    now: DateTime<Utc>,
    tz: Tz,
) -> Document {
    let t = &cfg.template;
    let (page_w, _) = t.page.points();
    let text_width = page_w / crate::pdf::PT_PER_MM - t.margins.left - t.margins.right;
    let month = month_name(first);
    let local = now.with_timezone(&tz);
    let para = |text: String, size: f32| {
        Block::Paragraph(
            Paragraph::text(text, size)
                .align(Align::Justify)
                .line_spacing(1.25)
                .space_after(1.5),
        )
    };
    let heading = |text: &str| {
        Block::Paragraph(
            Paragraph::new(vec![Run::bold(text)], 11.0)
                .space_after(2.0)
                .line_spacing(1.2),
        )
    };
    let mut blocks = kop(t);
    blocks.push(Block::Paragraph(
        Paragraph::new(
            vec![Run::bold(
                "LAPORAN BULANAN PELAYANAN ANTRIAN DAN PENGELOLAAN PENGADUAN",
            )],
            12.0,
        )
        .align(Align::Center),
    ));
    blocks.push(Block::Paragraph(
        Paragraph::text(format!("Bulan {month}"), 11.0)
            .align(Align::Center)
            .space_after(5.0),
    ));

    let total = &queue.total;
    let wait = |s: Option<u32>| super::table::Cell::Seconds(s).display();
    blocks.push(heading("A. Pelayanan antrian"));
    blocks.push(para(
        format!(
            "Selama bulan {month} tercatat {} tiket antrian; {} dilayani, {} tidak hadir, {} \
             dialihkan ke layanan lain dan {} batal. Waktu tunggu sampai dipanggil: median {}, \
             persentil ke-90 {}. Lama pelayanan di loket: median {}, persentil ke-90 {} \
             (menit:detik).",
            total.tickets,
            total.served,
            total.no_show,
            total.transferred_out,
            total.cancelled,
            wait(total.wait_median),
            wait(total.wait_p90),
            wait(total.service_median),
            wait(total.service_p90),
        ),
        10.0,
    ));
    for table in queue.tables() {
        blocks.extend(pdf_table(&table, text_width));
    }

    blocks.push(heading("B. Pengelolaan pengaduan"));
    blocks.push(para(
        format!(
            "Pengaduan yang diterima pada bulan {month}: {}; telah selesai: {}. Langkah yang \
             diselesaikan dalam standar waktu: {} dari {} ({}). Pengaduan tanpa langkah yang \
             melewati standar waktu: {} dari {} ({}).",
            recap.received,
            recap.closed,
            recap.steps_within,
            recap.steps_timed,
            pct(recap.steps_within, recap.steps_timed),
            recap.complaints_within,
            recap.received,
            pct(recap.complaints_within, recap.received),
        ),
        10.0,
    ));
    for table in &recap.tables {
        blocks.extend(pdf_table(table, text_width));
    }

    blocks.push(head_signs(cfg, local.date_naive()));
    Document {
        page: t.page,
        margins: t.margins,
        family: t.font,
        title: format!("Laporan bulanan {month}"),
        language: "id-ID".into(),
        created: local.fixed_offset(),
        watermark: None,
        blocks,
    }
}
