//! The survey report on paper: *Laporan Hasil Survei Kepuasan Masyarakat* in the form offices
//! publish it — the letterhead, the period, how the survey was held and computed, the table
//! of elements with NRR and weighted NRR, the index and its grade, the respondents' profile,
//! how many suggestions came (not their text), and the Kepala Dinas' signature. Set by the
//! letters' PDF engine.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::index::Weighting;
use super::report::{Names, SurveyReport};
use crate::config::LetterConfig;
use crate::letter::{kop, tanggal};
use crate::pdf::{Align, Block, Document, Paragraph, Run, Table as PdfTable};
use crate::report::monthly::{head_signs, pdf_table};
use crate::report::table::{Cell, Column, Kind, Table};

pub fn compose(
    cfg: &LetterConfig,
    period: &str,
    report: &SurveyReport,
    names: &Names,
    now: DateTime<Utc>,
    tz: Tz,
) -> Document {
    let t = &cfg.template;
    let (page_w, _) = t.page.points();
    let text_width = page_w / crate::pdf::PT_PER_MM - t.margins.left - t.margins.right;
    let local = now.with_timezone(&tz);
    let para = |text: String| {
        Block::Paragraph(
            Paragraph::text(text, 10.0)
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
    let o = &report.overall;
    let ikm = o.ikm.as_ref();
    let band = report.band(ikm);
    let k = o.elements.len();

    let mut blocks = kop(t);
    blocks.push(Block::Paragraph(
        Paragraph::new(
            vec![Run::bold("LAPORAN HASIL SURVEI KEPUASAN MASYARAKAT")],
            12.0,
        )
        .align(Align::Center),
    ));
    blocks.push(Block::Paragraph(
        Paragraph::text(
            format!(
                "Periode {period} ({} s.d. {})",
                tanggal(report.from),
                tanggal(report.to)
            ),
            11.0,
        )
        .align(Align::Center)
        .space_after(5.0),
    ));

    blocks.push(heading("A. Metode"));
    let weight = match report.weighting {
        Weighting::Regulation => format!(
            "{} (1/{k} dibulatkan ke bawah tiga desimal, sebagaimana tertulis dalam peraturan)",
            report.weight_text()
        ),
        Weighting::Exact => format!("tepat 1/{k}"),
    };
    let reached = if o.respondents >= report.sample {
        "sudah memenuhi"
    } else {
        "belum memenuhi"
    };
    blocks.push(para(format!(
        "Survei dilaksanakan menurut Peraturan Menteri PANRB Nomor 14 Tahun 2017 tentang \
         Pedoman Penyusunan Survei Kepuasan Masyarakat Unit Penyelenggara Pelayanan Publik. \
         Setiap pengguna layanan yang selesai dilayani dapat mengisi kuesioner satu kali untuk \
         kunjungannya, melalui kode QR pada tiket antrean atau tablet survei di pintu keluar, \
         tanpa nama. Kuesioner memuat {k} unsur pelayanan dengan empat pilihan jawaban \
         bernilai 1 sampai 4. Jumlah responden {} dari {} kunjungan yang dilayani; sampel \
         minimal menurut tabel Krejcie dan Morgan {} responden ({reached}).",
        o.respondents, report.visits, report.sample
    )));
    blocks.push(para(format!(
        "Nilai rata-rata (NRR) per unsur = jumlah nilai unsur ÷ jumlah responden yang \
         menjawabnya; NRR tertimbang = NRR × bobot {weight}; IKM = jumlah NRR tertimbang × 25. \
         Nilai dihitung sebagai pecahan dan dibulatkan sekali pada akhir perhitungan."
    )));

    blocks.push(heading("B. Nilai per unsur pelayanan"));
    let mut rows: Vec<Vec<String>> = o
        .elements
        .iter()
        .enumerate()
        .map(|(i, e)| {
            vec![
                format!("U{}", i + 1),
                e.name.clone(),
                e.tally.responses.to_string(),
                e.tally.total.to_string(),
                Cell::Fixed(e.nrr, 3).display(),
                Cell::Fixed(e.weighted, 3).display(),
                e.band
                    .and_then(|b| report.bands.get(b))
                    .map_or_else(|| "—".to_string(), |b| b.grade.clone()),
            ]
        })
        .collect();
    // The exact sum the index is 25 times: the rounded weighted NRRs above need not add up
    // to it (3,331 against 3,3300 in a survey whose NRRs sum to 30).
    rows.push(vec![
        String::new(),
        "Jumlah NRR tertimbang".into(),
        String::new(),
        String::new(),
        String::new(),
        ikm.map_or_else(|| "—".into(), |i| i.weighted_sum_id()),
        String::new(),
    ]);
    rows.push(vec![
        String::new(),
        "IKM (jumlah NRR tertimbang × 25)".into(),
        String::new(),
        String::new(),
        String::new(),
        ikm.map_or_else(|| "—".into(), |i| i.display_id()),
        band.map_or_else(|| "—".into(), |b| b.grade.clone()),
    ]);
    let w = text_width;
    blocks.push(Block::Table(PdfTable {
        widths: vec![
            w * 0.07,
            w * 0.41,
            w * 0.11,
            w * 0.11,
            w * 0.09,
            w * 0.13,
            w * 0.08,
        ],
        header: [
            "No",
            "Unsur pelayanan",
            "Responden",
            "Jumlah nilai",
            "NRR",
            "NRR tertimbang",
            "Mutu",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        size: 9.0,
        left: 0.0,
        space_after: 4.0,
    }));

    blocks.push(heading("C. Indeks Kepuasan Masyarakat"));
    blocks.push(para(match (ikm, band) {
        (Some(i), Some(b)) => format!(
            "Indeks Kepuasan Masyarakat periode {period}: {}; mutu pelayanan {}, kinerja unit \
             pelayanan {}.",
            i.display_id(),
            b.grade,
            b.label
        ),
        _ => format!("Belum ada responden pada periode {period}: indeks tidak dapat dihitung."),
    }));
    let mut upper = 10_000;
    let bands = Table {
        title: "Nilai interval konversi".into(),
        columns: vec![
            Column::new("Nilai IKM", Kind::Text),
            Column::new("Mutu pelayanan", Kind::Text),
            Column::new("Kinerja unit pelayanan", Kind::Text),
        ],
        rows: report
            .bands
            .iter()
            .map(|b| {
                let range = format!(
                    "{},{:02} – {},{:02}",
                    b.min / 100,
                    b.min % 100,
                    upper / 100,
                    upper % 100
                );
                upper = b.min.saturating_sub(1);
                vec![
                    Cell::Text(range),
                    Cell::Text(b.grade.clone()),
                    Cell::Text(b.label.clone()),
                ]
            })
            .collect(),
    };
    blocks.extend(pdf_table(&bands, text_width));
    let weakest: Vec<String> = o
        .weakest_first()
        .iter()
        .filter(|e| e.nrr.is_some())
        .take(3)
        .map(|e| format!("{} ({})", e.name, Cell::Fixed(e.nrr, 3).display()))
        .collect();
    if !weakest.is_empty() {
        blocks.push(para(format!(
            "Unsur dengan nilai terendah, untuk diprioritaskan dalam perbaikan: {}.",
            weakest.join("; ")
        )));
    }

    // The section's heading is the table's title, so the two cannot be parted by a page.
    let mut services = report.services_table(names);
    services.title = "D. Per layanan".into();
    blocks.extend(pdf_table(&services, text_width));
    if report.services_hidden() {
        blocks.push(para(report.groups_hidden_note()));
    }

    let mut profile = report.profile_table();
    profile.title = "E. Profil responden".into();
    // The question once, at its first option: the table reads as groups.
    let mut last = String::new();
    for row in &mut profile.rows {
        if let Some(Cell::Text(q)) = row.first_mut() {
            if *q == last {
                q.clear();
            } else {
                last = q.clone();
            }
        }
    }
    blocks.extend(pdf_table(&profile, text_width));

    // The suggestions' count only: they are free text, and a citizen may have written a
    // name, a phone number or a NIK in one; the published paper must not carry that.
    blocks.push(heading("F. Saran dan masukan"));
    let n = report.suggestions.len();
    blocks.push(para(if n == 0 {
        "Tidak ada saran tertulis pada periode ini.".to_string()
    } else {
        format!(
            "Tercatat {n} saran tertulis dari responden. Saran dibaca dan ditindaklanjuti oleh \
             pimpinan unit pelayanan melalui konsol loket (halaman Survei kepuasan \
             masyarakat); isinya tidak dimuat dalam laporan ini karena dapat memuat data \
             pribadi yang ditulis responden."
        )
    }));

    blocks.push(head_signs(cfg, local.date_naive()));
    Document {
        page: t.page,
        margins: t.margins,
        family: t.font,
        title: format!("Laporan hasil survei kepuasan masyarakat {period}"),
        language: "id-ID".into(),
        created: local.fixed_offset(),
        watermark: None,
        blocks,
    }
}
