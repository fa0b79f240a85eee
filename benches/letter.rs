//! Benchmark: one signed reply letter from its facts to PDF bytes (layout on the embedded
//! fonts' widths, font subsetting, PDF writing): median and p99 over 200 renders, and the
//! process's peak RSS. Run: `cargo bench --bench letter`. With `LETTER_PDF=path` the last
//! render is written there; `LETTER_LOGO=file.png` puts a logo in the kop.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use loket::config::Config;
use loket::letter::{LetterFacts, Paraf, compose_letter};

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let mut config = Config::embedded().expect("config");
    if let Ok(logo) = std::env::var("LETTER_LOGO") {
        let mut t = (*config.letter.template).clone();
        t.logo_png = Some(std::fs::read(logo).expect("logo"));
        config.letter.template = std::sync::Arc::new(t);
    }
    let at = |d, h| {
        Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0)
            .single()
            .expect("time")
    };
    let paraf = vec![
        Paraf {
            jabatan: "Petugas Pengaduan".into(),
            name: "Sari Wulandari".into(),
            at: at(1, 3),
            what: "Konsep surat (putaran 1)".into(),
        },
        Paraf {
            jabatan: "Kepala Dinas".into(),
            name: "Hendra Gunawan".into(),
            at: at(1, 6),
            what: "Dikembalikan untuk perbaikan (putaran 1)".into(),
        },
        Paraf {
            jabatan: "Kepala Subbag Umum dan Kepegawaian".into(),
            name: "Rina Marlina".into(),
            at: at(2, 2),
            what: "Arahan dan petunjuk (putaran 2)".into(),
        },
    ];
    let body = "Berdasarkan pemeriksaan kami, keterlambatan pelayanan perekaman KTP elektronik pada \
                tanggal tersebut disebabkan oleh gangguan jaringan ke pusat data kependudukan \
                selama kurang lebih dua jam.\nSebagai tindak lanjut, kami telah menambah satu loket \
                cadangan dan menetapkan prosedur pemberitahuan kepada pemohon apabila gangguan \
                serupa terjadi kembali. Petugas yang bersangkutan juga telah diberi pembinaan.";
    let signer = config.letter.signers.values().next().cloned();
    let facts = LetterFacts {
        complaint_number: "PGD/2026/11/0007",
        complaint_date: NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"),
        service: "Perekaman KTP-el",
        addressee_name: "Désirée Nurhayati",
        addressee_address: "Jl. Merdeka 17\nKota Contoh 40111",
        body,
        number: Some("000.8.3.3/17/DPMPTSP/2026"),
        date: at(2, 7),
        tz: config.office.time_zone,
        signer: signer.as_ref(),
        paraf: &paraf,
        lampiran: "-",
    };
    let n = 200;
    let mut times: Vec<Duration> = Vec::with_capacity(n);
    let mut last = Vec::new();
    for _ in 0..n {
        let t0 = Instant::now();
        let doc = compose_letter(&config.letter, &facts);
        last = loket::pdf::render(&doc).expect("render");
        times.push(t0.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("| renders | median ms | p99 ms | bytes | peak RSS MiB |");
    println!("| ---: | ---: | ---: | ---: | ---: |");
    println!(
        "| {n} | {:.2} | {:.2} | {} | {:.1} |",
        ms(times[n / 2]),
        ms(times[n * 99 / 100]),
        last.len(),
        peak_rss_kib().unwrap_or(0) as f64 / 1024.0
    );
    if let Ok(path) = std::env::var("LETTER_PDF") {
        std::fs::write(&path, &last).expect("write the PDF");
    }
}
