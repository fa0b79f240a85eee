//! One complaint's letter and receipt as `pdf::Document`s, in the template's order.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

use super::paraf::Paraf;
use super::template::{Template, fill};
use crate::config::{LetterConfig, Signer};
use crate::pdf::{Align, Block, Document, HeadLine, KeyValue, Letterhead, Paragraph, Run, Table};

/// What the letter says about one complaint.
#[derive(Debug, Clone)]
pub struct LetterFacts<'a> {
    /// The register number: `PGD/2026/11/0007`.
    pub complaint_number: &'a str,
    pub complaint_date: NaiveDate,
    /// The service's name as the office calls it.
    pub service: &'a str,
    pub addressee_name: &'a str,
    pub addressee_address: &'a str,
    /// The officer's draft: paragraphs separated by line breaks.
    pub body: &'a str,
    /// The letter's number; none for a preview (the number is given at signing).
    pub number: Option<&'a str>,
    /// The letter's date: the signing, or for a preview the moment it is made.
    pub date: DateTime<Utc>,
    pub tz: Tz,
    pub signer: Option<&'a Signer>,
    pub paraf: &'a [Paraf],
    /// How many attachments go with it: `-` for none.
    pub lampiran: &'a str,
}

// The Indonesian month names, shared with every date the software writes out.
use crate::clock::MONTHS_ID as MONTHS;

/// `30 November 2026`.
pub fn tanggal(date: NaiveDate) -> String {
    format!(
        "{} {} {}",
        date.day(),
        MONTHS[date.month0() as usize],
        date.year()
    )
}

/// Where the signature column starts, mm from the left margin.
pub const SIGN_COLUMN: f32 = 85.0;

/// The letterhead and its rule, as every printed paper of the office begins.
pub fn kop(t: &Template) -> Vec<Block> {
    vec![
        Block::Letterhead(Letterhead {
            logo_png: t.logo_png.clone(),
            logo_size: t.kop.logo_size,
            lines: t
                .kop
                .lines
                .iter()
                .map(|l| HeadLine {
                    text: l.text.clone(),
                    size: l.size,
                    bold: l.bold,
                })
                .collect(),
        }),
        Block::Rule {
            thickness: 2.0,
            double: true,
        },
        Block::Space(3.0),
    ]
}

pub fn compose_letter(cfg: &LetterConfig, f: &LetterFacts) -> Document {
    let t = &cfg.template;
    let size = t.font_size;
    let local = f.date.with_timezone(&f.tz);
    let date = tanggal(local.date_naive());
    let number_text = f.number.unwrap_or("(nomor diberikan saat ditandatangani)");
    let values = [
        ("nomor_pengaduan", f.complaint_number),
        ("tanggal_pengaduan", &tanggal(f.complaint_date)),
        ("layanan", f.service),
        ("nama_pengadu", f.addressee_name),
        ("tempat", &cfg.place),
        ("tanggal", &date),
        ("nomor_surat", number_text),
        ("unit", &cfg.unit),
    ];
    let body_para = |text: String| {
        Block::Paragraph(
            Paragraph::text(text, size)
                .align(Align::Justify)
                .first_line(t.indent)
                .line_spacing(t.line_spacing)
                .space_after(1.5),
        )
    };
    let plain =
        |text: String| Block::Paragraph(Paragraph::text(text, size).line_spacing(t.line_spacing));
    let hal = fill(&t.wording.hal, &values);
    let mut blocks = Vec::new();
    for part in &t.order {
        match part.as_str() {
            "kop" => blocks.extend(kop(t)),
            "tanggal" => blocks.push(Block::Paragraph(
                Paragraph::text(fill(&t.wording.place_date, &values), size)
                    .left(SIGN_COLUMN)
                    .space_after(2.0),
            )),
            "nomor" => blocks.push(Block::KeyValue(KeyValue {
                rows: vec![
                    ("Nomor".into(), number_text.to_string()),
                    ("Sifat".into(), cfg.sifat.clone()),
                    ("Lampiran".into(), f.lampiran.to_string()),
                    ("Hal".into(), hal.clone()),
                ],
                size,
                key_width: 22.0,
                left: 0.0,
                line_spacing: t.line_spacing,
                space_after: 6.0,
            })),
            "tujuan" => {
                blocks.push(plain(format!(
                    "{} {}",
                    t.wording.salutation, f.addressee_name
                )));
                for line in f.addressee_address.lines().filter(|l| !l.trim().is_empty()) {
                    blocks.push(plain(line.trim().to_string()));
                }
                blocks.push(Block::Space(6.0));
            }
            "pembuka" => blocks.push(body_para(fill(&t.wording.opening, &values))),
            "isi" => {
                for p in f.body.lines().map(str::trim).filter(|p| !p.is_empty()) {
                    blocks.push(body_para(p.to_string()));
                }
            }
            "penutup" => blocks.push(body_para(fill(&t.wording.closing, &values))),
            "tanda_tangan" => {
                blocks.push(Block::Space(6.0));
                blocks.extend(signature(f.signer, size, t.line_spacing));
            }
            "tembusan" if !cfg.tembusan.is_empty() => {
                let small = size - 1.0;
                blocks.push(Block::Space(4.0));
                blocks.push(Block::Paragraph(Paragraph::new(
                    vec![Run::plain("Tembusan:")],
                    small,
                )));
                for (i, line) in cfg.tembusan.iter().enumerate() {
                    blocks.push(Block::Paragraph(Paragraph::text(
                        format!("{}. {line}", i + 1),
                        small,
                    )));
                }
            }
            "paraf" if !f.paraf.is_empty() => {
                blocks.push(Block::Space(5.0));
                blocks.push(Block::Paragraph(Paragraph::new(
                    vec![Run::bold("Paraf")],
                    8.0,
                )));
                blocks.push(Block::Table(Table {
                    widths: vec![36.0, 34.0, 25.0, 50.0, 15.0],
                    header: ["Jabatan", "Nama", "Tanggal", "Keterangan", "Paraf"]
                        .map(String::from)
                        .to_vec(),
                    rows: f
                        .paraf
                        .iter()
                        .map(|p| {
                            vec![
                                p.jabatan.clone(),
                                p.name.clone(),
                                tanggal(p.at.with_timezone(&f.tz).date_naive()),
                                p.what.clone(),
                                String::new(),
                            ]
                        })
                        .collect(),
                    size: 8.0,
                    left: 0.0,
                    space_after: 0.0,
                }));
            }
            _ => {}
        }
    }
    Document {
        page: t.page,
        margins: t.margins,
        family: t.font,
        title: format!("Surat balasan {} — {}", number_text, f.complaint_number),
        language: "id-ID".into(),
        created: local.fixed_offset(),
        watermark: f.number.is_none().then(|| "DRAF".to_string()),
        blocks,
    }
}

/// The signature block in the right-hand column: jabatan, space to sign, name, pangkat, NIP.
pub fn signature(signer: Option<&Signer>, size: f32, spacing: f32) -> Vec<Block> {
    let line = |text: String, bold: bool| {
        let run = if bold {
            Run::bold(text)
        } else {
            Run::plain(text)
        };
        Block::Paragraph(
            Paragraph::new(vec![run], size)
                .left(SIGN_COLUMN)
                .line_spacing(spacing),
        )
    };
    let Some(s) = signer else {
        return vec![line("(penandatangan belum diatur)".into(), false)];
    };
    let mut out = vec![
        line(format!("{},", s.jabatan_line()), false),
        Block::Space(22.0),
    ];
    out.push(line(s.name.clone(), true));
    if s.shows_nip() {
        if !s.pangkat.is_empty() {
            out.push(line(s.pangkat.clone(), false));
        }
        out.push(line(format!("NIP. {}", s.nip), false));
    }
    out
}

/// The receipt the complainant signs when the letter is handed over (the flow's last step):
/// a staff document, kept with the file.
pub fn compose_receipt(cfg: &LetterConfig, f: &LetterFacts, letter_date: NaiveDate) -> Document {
    let t = &cfg.template;
    let size = t.font_size;
    let local = f.date.with_timezone(&f.tz);
    let number = f.number.unwrap_or("-");
    let values = [
        ("nomor_pengaduan", f.complaint_number),
        ("tanggal_pengaduan", &tanggal(f.complaint_date)),
        ("layanan", f.service),
        ("nama_pengadu", f.addressee_name),
        ("tempat", &cfg.place),
        ("tanggal", &tanggal(letter_date)),
        ("nomor_surat", number),
        ("unit", &cfg.unit),
    ];
    let mut blocks = kop(t);
    blocks.push(Block::Space(4.0));
    blocks.push(Block::Paragraph(
        Paragraph::new(vec![Run::bold("TANDA TERIMA SURAT")], size + 2.0)
            .align(Align::Center)
            .space_after(6.0),
    ));
    blocks.push(Block::Paragraph(
        Paragraph::text("Telah diterima surat dengan keterangan berikut:", size).space_after(3.0),
    ));
    blocks.push(Block::KeyValue(KeyValue {
        rows: vec![
            ("Nomor surat".into(), number.to_string()),
            ("Tanggal surat".into(), tanggal(letter_date)),
            ("Hal".into(), fill(&t.wording.hal, &values)),
            ("Nomor pengaduan".into(), f.complaint_number.to_string()),
            ("Diterima oleh".into(), f.addressee_name.to_string()),
        ],
        size,
        key_width: 40.0,
        left: 0.0,
        line_spacing: t.line_spacing,
        space_after: 10.0,
    }));
    let col = |text: &str| {
        Block::Paragraph(
            Paragraph::text(text, size)
                .left(SIGN_COLUMN)
                .line_spacing(1.4),
        )
    };
    blocks.push(col("Tanggal diterima: ......................"));
    blocks.push(col("Yang menerima,"));
    blocks.push(Block::Space(22.0));
    blocks.push(col(&format!("( {} )", f.addressee_name)));
    Document {
        page: t.page,
        margins: t.margins,
        family: t.font,
        title: format!("Tanda terima surat {number}"),
        language: "id-ID".into(),
        created: local.fixed_offset(),
        watermark: None,
        blocks,
    }
}
