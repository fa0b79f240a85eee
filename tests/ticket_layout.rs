//! The paper ticket and the complaint receipt, byte by byte: the ESC/POS stream for 58 mm and
//! 80 mm paper decoded back into commands (init, code page, text, raster header and size, QR
//! command and payload, cut), the number raster against golden PNGs, and hostile text printed
//! as harmless text.

mod common;

use std::path::PathBuf;

use chrono::NaiveDate;
use common::escpos::{Cmd, decode};
use common::wib;
use loket::config::{CodePage, Config, EMBEDDED_DEFAULT};
use loket::printer::raster::{Raster, render_number};
use loket::printer::{
    ComplaintReceipt, PrintJob, complaint_tracking_url, receipt_bytes, ticket_bytes, tracking_url,
};
use loket::queue::{Estimate, PrintState, Ticket, TicketState};
use loket::survey::link::LinkKey;

const BASE: &str = "http://192.168.1.10:8080";

/// The survey key every test ticket is printed with (the daemon's is random, in its data
/// directory).
const KEY: [u8; 32] = [7; 32];
/// Ticket 7's link under `KEY`: HMAC-SHA256(KEY, "loket survey ticket 7"), its first 8
/// bytes in hex, worked out apart from loket (Python's `hmac`).
const URL_7: &str = "http://192.168.1.10:8080/t/7?k=3b27a2f332b1c9a1";

fn config(paper_mm: u32) -> Config {
    let src = EMBEDDED_DEFAULT.replace("paper_mm = 58", &format!("paper_mm = {paper_mm}"));
    let mut c = Config::from_toml_str(&src).expect("config");
    c.survey.link_key = Some(std::sync::Arc::new(LinkKey::from_bytes(KEY)));
    c
}

fn job(label: &str, priority: bool) -> PrintJob {
    let service = label[..1].to_string();
    PrintJob {
        ticket: Ticket {
            id: 7,
            service_day: NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"),
            issued_service: service.clone(),
            service: service.clone(),
            prefix: service,
            number: label[2..].parse().expect("number"),
            label: label.to_string(),
            priority,
            state: TicketState::Waiting,
            issued_at: wib(2026, 11, 30, 13, 5),
            counter: None,
            called_at: None,
            serving_at: None,
            finished_at: None,
            calls: 0,
            call_order: 0,
            print: PrintState::Pending,
            history: Vec::new(),
            place: None,
        },
        estimate: Estimate {
            people_ahead: 3,
            minutes: 45,
        },
    }
}

fn text(s: &str) -> Cmd {
    Cmd::Text(s.as_bytes().to_vec())
}

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

/// The raster as a 1-bit PNG (white paper, black dots), as reviewers look at it.
fn write_png(path: &PathBuf, r: &Raster) {
    let file = std::fs::File::create(path).expect("create png");
    let mut enc = png::Encoder::new(file, u32::from(r.width), u32::from(r.height));
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::One);
    let mut w = enc.write_header().expect("png header");
    let inverted: Vec<u8> = r.bits.iter().map(|b| !b).collect();
    w.write_image_data(&inverted).expect("png data");
}

fn read_png(path: &PathBuf) -> Raster {
    let file = std::fs::File::open(path)
        .unwrap_or_else(|e| panic!("{}: {e} (LOKET_UPDATE_GOLDEN=1 writes it)", path.display()));
    let dec = png::Decoder::new(std::io::BufReader::new(file));
    let mut reader = dec.read_info().expect("png info");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("png frame");
    assert_eq!(info.bit_depth, png::BitDepth::One);
    let width = u16::try_from(info.width).expect("width");
    let height = u16::try_from(info.height).expect("height");
    Raster {
        width,
        height,
        bits: buf[..info.buffer_size()].iter().map(|b| !b).collect(),
    }
}

fn check_golden(name: &str, r: &Raster) {
    let path = golden_path(name);
    if std::env::var_os("LOKET_UPDATE_GOLDEN").is_some() {
        write_png(&path, r);
    }
    assert_eq!(&read_png(&path), r, "{name} differs from the golden PNG");
}

#[test]
fn number_rasters_match_the_golden_pngs() {
    for (paper, dots) in [(58, 384u16), (80, 576u16)] {
        for label in ["A-007", "D-1234"] {
            let r = render_number(label, dots);
            assert_eq!(r.width, dots);
            let inked = r.bits.iter().map(|b| b.count_ones()).sum::<u32>();
            assert!(
                inked > 2000,
                "{label} on {paper} mm is drawn ({inked} dots)"
            );
            check_golden(&format!("number-{label}-{paper}mm.png"), &r);
        }
    }
}

fn expected_stream(paper_mm: u32, office: &[&str], footer: &[&str]) -> Vec<Cmd> {
    let dots = if paper_mm == 58 { 384 } else { 576 };
    let raster = render_number("A-007", dots);
    // The QR code carries the ticket's survey key; the printed line is wrapped at the
    // paper's width like any long word (32 columns on 58 mm, 48 on 80 mm).
    let url = URL_7;
    let url_lines: &[&str] = if paper_mm == 58 {
        &["http://192.168.1.10:8080/t/7?k=3", "b27a2f332b1c9a1"]
    } else {
        &[URL_7]
    };
    let mut v = vec![Cmd::Init, Cmd::CodePage(0), Cmd::Align(1), Cmd::Bold(true)];
    v.extend(office.iter().map(|l| text(l)));
    v.extend([
        Cmd::Bold(false),
        text("Jl. Merdeka No. 1, Kota Contoh"),
        Cmd::Feed(1),
        text("NOMOR ANTRIAN / QUEUE NUMBER"),
        Cmd::Raster {
            width_bytes: dots / 8,
            height: raster.height,
            data: raster.bits.clone(),
        },
        Cmd::Size(0x01),
        Cmd::Bold(true),
        text("Pengaduan"),
        Cmd::Bold(false),
        Cmd::Size(0x00),
        text("Complaints"),
        text("30 November 2026 13:05 WIB"),
        text("Di depan Anda: 3 orang"),
        text("Ahead of you: 3"),
        text("Perkiraan tunggu: 45 menit"),
        text("Estimated wait: 45 min"),
        Cmd::Feed(1),
        Cmd::QrModel(0x32),
        Cmd::QrModuleSize(6),
        Cmd::QrErrorCorrection(0x31),
        Cmd::QrStore(url.as_bytes().to_vec()),
        Cmd::QrPrint,
        text("Pantau antrian / Follow the queue:"),
    ]);
    v.extend(url_lines.iter().map(|l| text(l)));
    v.extend([Cmd::Feed(1)]);
    v.extend(footer.iter().map(|l| text(l)));
    v.extend([Cmd::Feed(3), Cmd::Cut(66, 0)]);
    v
}

#[test]
fn ticket_stream_58mm_is_exact() {
    let bytes = ticket_bytes(&config(58), Some(BASE), &job("A-007", false));
    assert_eq!(
        decode(&bytes),
        expected_stream(
            58,
            &["Dinas Kependudukan dan", "Pencatatan Sipil Kota Contoh"],
            &[
                "Terima kasih. Pantau antrian",
                "Anda dengan memindai kode QR."
            ],
        )
    );
    // GS v 0 header: 48 bytes (384 dots) wide.
    let at = bytes
        .windows(4)
        .position(|w| w == [0x1d, b'v', b'0', 0])
        .expect("raster");
    assert_eq!(&bytes[at + 4..at + 6], &[48, 0]);
}

#[test]
fn ticket_stream_80mm_is_exact() {
    let bytes = ticket_bytes(&config(80), Some(BASE), &job("A-007", false));
    assert_eq!(
        decode(&bytes),
        expected_stream(
            80,
            &["Dinas Kependudukan dan Pencatatan Sipil Kota", "Contoh"],
            &[
                "Terima kasih. Pantau antrian Anda dengan",
                "memindai kode QR."
            ],
        )
    );
    let at = bytes
        .windows(4)
        .position(|w| w == [0x1d, b'v', b'0', 0])
        .expect("raster");
    assert_eq!(&bytes[at + 4..at + 6], &[72, 0]);
}

#[test]
fn priority_tickets_are_marked() {
    let cmds = decode(&ticket_bytes(&config(58), Some(BASE), &job("B-012", true)));
    let i = cmds
        .iter()
        .position(|c| c.text().as_deref() == Some("PRIORITAS"))
        .expect("PRIORITAS printed");
    assert_eq!(cmds[i - 2..i], [Cmd::Size(0x11), Cmd::Bold(true)]);
    assert_eq!(cmds[i + 1..i + 3], [Cmd::Bold(false), Cmd::Size(0x00)]);
    assert_eq!(cmds[i + 3], text("Priority"), "English second, normal size");
    let plain = decode(&ticket_bytes(&config(58), Some(BASE), &job("B-012", false)));
    assert!(
        !plain
            .iter()
            .any(|c| c.text().as_deref() == Some("PRIORITAS"))
    );
}

#[test]
fn hostile_text_prints_as_harmless_text() {
    let mut c = config(58);
    c.office.name = "Dinas\u{1b}@\u{1d}V\u{0}Capil \u{10}\u{14}\u{1}\u{2}\u{8}".to_string();
    c.office.address = "Jl. \u{1b}d\u{ff} Cendrawasih “No. 5” — Kota Ḿ 東京 مرحبا".to_string();
    c.printer.footer = "\u{1d}(k\u{3}\u{0}1Q0 terima kasih\r\n\u{1b}i".to_string();
    c.printer.code_page = CodePage::Pc437;
    c.services[0].name = "Pengaduan\u{1d}V\u{42}\u{0} café".to_string();
    let bytes = ticket_bytes(&c, Some(BASE), &job("A-007", false));
    // The decoder panics on any command it did not expect: none slipped through.
    let cmds = decode(&bytes);
    let texts: Vec<String> = cmds.iter().filter_map(Cmd::text).collect();
    assert!(texts.contains(&"Dinas@VCapil".to_string()), "{texts:?}");
    assert!(
        texts.contains(&"Jl. d\u{98} Cendrawasih \"No. 5\" -".to_string()),
        "{texts:?}"
    );
    assert!(texts.contains(&"Kota ? ?? ?????".to_string()), "{texts:?}");
    assert!(
        texts.contains(&"PengaduanVB caf\u{82}".to_string()),
        "{texts:?}"
    );
    assert!(
        texts.contains(&"(k1Q0 terima kasih i".to_string()),
        "{texts:?}"
    );
    assert_eq!(cmds.iter().filter(|c| **c == Cmd::Cut(66, 0)).count(), 1);
    assert_eq!(cmds.iter().filter(|c| **c == Cmd::Init).count(), 1);
    assert_eq!(
        cmds.iter().filter(|c| matches!(c, Cmd::QrStore(_))).count(),
        1
    );
}

// The complaint receipt (Tanda Terima Pengaduan): the same encoder, sanitiser and decoder.

const CODE: &str = "K7QM-2XHD-9RTA";

fn receipt(config: &Config) -> ComplaintReceipt {
    ComplaintReceipt {
        office: config.office.clone(),
        number: "PGD/2026/11/0042".to_string(),
        received_at: wib(2026, 11, 30, 10, 15),
        service: "Pengaduan".to_string(),
        channel: "Datang langsung".to_string(),
        tracking_code: CODE.to_string(),
        officer: Some("Budi Santoso".to_string()),
        reprinted_at: None,
    }
}

/// Every printed line fits the paper at the character size in force when it is printed
/// (font A: 12 dots a character, times the width multiplier).
fn assert_fits(cmds: &[Cmd], dots: usize) {
    let mut wide = 1;
    for c in cmds {
        match c {
            Cmd::Size(n) => wide = usize::from(n >> 4) + 1,
            Cmd::Text(t) => assert!(
                t.len() * 12 * wide <= dots,
                "{:?} is wider than {dots} dots at {wide}x",
                c.text()
            ),
            _ => {}
        }
    }
}

fn qr_payloads(cmds: &[Cmd]) -> Vec<String> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::QrStore(d) => Some(String::from_utf8(d.clone()).expect("ASCII")),
            _ => None,
        })
        .collect()
}

fn expected_receipt(office: &[&str], follow: &[&str], secret: &[&str]) -> Vec<Cmd> {
    let mut v = vec![Cmd::Init, Cmd::CodePage(0), Cmd::Align(1), Cmd::Bold(true)];
    v.extend(office.iter().map(|l| text(l)));
    v.extend([
        Cmd::Bold(false),
        text("Jl. Merdeka No. 1, Kota Contoh"),
        Cmd::Feed(1),
        Cmd::Bold(true),
        text("TANDA TERIMA PENGADUAN"),
        Cmd::Bold(false),
        text("Complaint receipt"),
        Cmd::Feed(1),
        text("Nomor pengaduan / Complaint no."),
        Cmd::Size(0x11),
        Cmd::Bold(true),
        text("PGD/2026/11/0042"),
        Cmd::Bold(false),
        Cmd::Size(0x00),
        Cmd::Feed(1),
        Cmd::Align(0),
        text("Diterima / Received:"),
        Cmd::Bold(true),
        text("30 November 2026 10:15 WIB"),
        Cmd::Bold(false),
        text("Layanan / Service:"),
        Cmd::Bold(true),
        text("Pengaduan"),
        Cmd::Bold(false),
        text("Melalui / Channel:"),
        Cmd::Bold(true),
        text("Datang langsung"),
        Cmd::Bold(false),
        Cmd::Feed(1),
        Cmd::Align(1),
        text("Kode pelacakan / Tracking code:"),
        Cmd::Size(0x11),
        Cmd::Bold(true),
        text("K7QM-2XHD-9RTA"),
        Cmd::Bold(false),
        Cmd::Size(0x00),
        Cmd::Feed(1),
        Cmd::QrModel(0x32),
        Cmd::QrModuleSize(6),
        Cmd::QrErrorCorrection(0x31),
        Cmd::QrStore(b"http://192.168.1.10:8080/lacak/K7QM-2XHD-9RTA".to_vec()),
        Cmd::QrPrint,
    ]);
    v.extend(follow.iter().map(|l| text(l)));
    v.extend([
        text("http://192.168.1.10:8080/lacak"),
        Cmd::Feed(1),
        Cmd::Bold(true),
    ]);
    v.extend(secret.iter().map(|l| text(l)));
    v.extend([
        Cmd::Bold(false),
        Cmd::Feed(1),
        text("Petugas penerima,"),
        Cmd::Feed(4),
        text("( Budi Santoso )"),
        Cmd::Feed(3),
        Cmd::Cut(66, 0),
    ]);
    v
}

#[test]
fn receipt_stream_58mm_is_exact() {
    let c = config(58);
    let cmds = decode(&receipt_bytes(&c, Some(BASE), &receipt(&c)));
    assert_eq!(
        cmds,
        expected_receipt(
            &["Dinas Kependudukan dan", "Pencatatan Sipil Kota Contoh"],
            &[
                "Pantau pengaduan Anda: pindai",
                "kode QR ini, atau buka alamat",
                "berikut dan ketik kode pelacakan",
                "di atas.",
            ],
            &[
                "Kode ini rahasia dan hanya untuk",
                "Anda: jangan berikan kepada",
                "orang lain.",
            ],
        )
    );
    assert_fits(&cmds, 384);
}

#[test]
fn receipt_stream_80mm_is_exact() {
    let c = config(80);
    let cmds = decode(&receipt_bytes(&c, Some(BASE), &receipt(&c)));
    assert_eq!(
        cmds,
        expected_receipt(
            &["Dinas Kependudukan dan Pencatatan Sipil Kota", "Contoh"],
            &[
                "Pantau pengaduan Anda: pindai kode QR ini, atau",
                "buka alamat berikut dan ketik kode pelacakan di",
                "atas.",
            ],
            &[
                "Kode ini rahasia dan hanya untuk Anda: jangan",
                "berikan kepada orang lain.",
            ],
        )
    );
    assert_fits(&cmds, 576);
}

#[test]
fn receipt_qr_holds_exactly_the_tracking_url() {
    for base in [BASE, "http://192.168.1.10:8080/"] {
        let c = config(58);
        let cmds = decode(&receipt_bytes(&c, Some(base), &receipt(&c)));
        assert_eq!(
            qr_payloads(&cmds),
            ["http://192.168.1.10:8080/lacak/K7QM-2XHD-9RTA"],
            "{base}"
        );
        assert_eq!(
            complaint_tracking_url(base, CODE),
            "http://192.168.1.10:8080/lacak/K7QM-2XHD-9RTA"
        );
    }
    let c = config(80);
    let mut r = receipt(&c);
    r.tracking_code = "ABCD-EFGH-JKMN".to_string();
    let cmds = decode(&receipt_bytes(&c, Some("https://lapor.example.go.id"), &r));
    assert_eq!(
        qr_payloads(&cmds),
        ["https://lapor.example.go.id/lacak/ABCD-EFGH-JKMN"]
    );
    assert!(cmds.contains(&text("https://lapor.example.go.id/lacak")));
    assert!(cmds.contains(&text("ABCD-EFGH-JKMN")));
}

#[test]
fn receipt_without_base_url_has_no_qr_and_sends_the_complainant_to_the_officer() {
    let c = config(58);
    let cmds = decode(&receipt_bytes(&c, None, &receipt(&c)));
    assert!(qr_payloads(&cmds).is_empty());
    assert!(!cmds.contains(&Cmd::QrPrint));
    let texts: Vec<String> = cmds.iter().filter_map(Cmd::text).collect();
    assert!(texts.iter().all(|t| !t.contains("/lacak")), "{texts:?}");
    let i = cmds.iter().position(|c| *c == text(CODE)).expect("code");
    assert_eq!(
        cmds[i + 1..i + 10],
        [
            Cmd::Bold(false),
            Cmd::Size(0x00),
            Cmd::Feed(1),
            text("Untuk menanyakan perkembangan"),
            text("pengaduan Anda, sebutkan kode"),
            text("pelacakan di atas kepada"),
            text("petugas."),
            Cmd::Feed(1),
            Cmd::Bold(true),
        ]
    );
    assert_fits(&cmds, 384);
}

#[test]
fn a_reprinted_receipt_says_so_and_when() {
    let c = config(58);
    let mut r = receipt(&c);
    let first: Vec<String> = decode(&receipt_bytes(&c, Some(BASE), &r))
        .iter()
        .filter_map(Cmd::text)
        .collect();
    assert!(!first.iter().any(|t| t.contains("CETAK ULANG")));
    r.reprinted_at = Some(wib(2026, 12, 1, 8, 5));
    let cmds = decode(&receipt_bytes(&c, Some(BASE), &r));
    let i = cmds
        .iter()
        .position(|c| *c == text("CETAK ULANG / REPRINT"))
        .expect("reprint marked");
    assert_eq!(
        cmds[i - 1..i + 3],
        [
            Cmd::Bold(true),
            text("CETAK ULANG / REPRINT"),
            Cmd::Bold(false),
            text("1 Desember 2026 08:05 WIB"),
        ]
    );
    // The date received stays the first one.
    assert!(cmds.contains(&text("30 November 2026 10:15 WIB")));
}

#[test]
fn receipt_without_officer_has_no_signature_block() {
    let c = config(58);
    let mut r = receipt(&c);
    r.officer = None;
    let cmds = decode(&receipt_bytes(&c, Some(BASE), &r));
    assert!(!cmds.contains(&text("Petugas penerima,")));
    assert_eq!(
        cmds[cmds.len() - 4..],
        [
            text("orang lain."),
            Cmd::Bold(false),
            Cmd::Feed(3),
            Cmd::Cut(66, 0),
        ]
    );
}

#[test]
fn long_office_names_and_numbers_wrap_within_the_paper() {
    for (paper, dots) in [(58, 384), (80, 576)] {
        let mut c = config(paper);
        c.office.name = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Kepulauan Seribu \
                         Provinsi Daerah Khusus Ibukota Jakarta \
                         KependudukanDanPencatatanSipilKabupatenKepulauanSeribu"
            .to_string();
        // Each … prints as three dots: the width counts what is printed.
        c.office.address = "Jl. ……………………………… No. 1".to_string();
        let mut r = receipt(&c);
        r.number = "PENGADUAN/DISDUKCAPIL/2026/11/0042".to_string();
        r.service = "Penerbitan Kartu Tanda Penduduk Elektronik dan Kartu Identitas Anak \
                     karena hilang atau rusak"
            .to_string();
        let cmds = decode(&receipt_bytes(&c, Some(BASE), &r));
        assert_fits(&cmds, dots);
        let texts: Vec<String> = cmds.iter().filter_map(Cmd::text).collect();
        // Nothing is lost in the wrapping: the office's lines give back its name.
        let office_lines = texts
            .iter()
            .position(|t| t.starts_with("Jl."))
            .expect("address");
        assert_eq!(
            texts[..office_lines].concat().replace(' ', ""),
            c.office.name.replace(' ', ""),
            "{paper} mm"
        );
        // A number too long for double width is printed double height, never cut mid-line
        // by the printer.
        let i = cmds
            .iter()
            .position(|c| *c == text("Nomor pengaduan / Complaint no."))
            .expect("number label");
        assert_eq!(cmds[i + 1..i + 3], [Cmd::Size(0x01), Cmd::Bold(true)]);
        let number: String = cmds[i + 3..].iter().map_while(Cmd::text).collect();
        assert_eq!(number, "PENGADUAN/DISDUKCAPIL/2026/11/0042", "{paper} mm");
    }
}

#[test]
fn hostile_receipt_text_prints_as_harmless_text() {
    let mut c = config(58);
    c.printer.code_page = CodePage::Pc437;
    let mut r = receipt(&c);
    r.office.name = "Dinas\u{1b}@\u{1d}V\u{0}Capil <b>Kota</b> \u{10}\u{14}\u{2}".to_string();
    r.office.address = "Jl. \u{1d}(k\u{3}\u{0}1Q0 Mawar".to_string();
    r.number = "PGD/2026/11/0042\u{10}\u{4}\u{1}".to_string();
    r.service = "Pengaduan\u{1d}V\u{42}\u{0} café\u{1b}d\u{7}".to_string();
    r.channel = "Surat\r\n\u{1b}i<script>alert(1)</script>".to_string();
    r.tracking_code = "K7QM-2XHD-9RTA\u{1d}(k".to_string();
    r.officer = Some("Budi\u{1b}E\u{1} Santoso &amp;".to_string());
    let bytes = receipt_bytes(&c, Some(BASE), &r);
    // The decoder panics on any command it did not expect: none slipped through.
    let cmds = decode(&bytes);
    let texts: Vec<String> = cmds.iter().filter_map(Cmd::text).collect();
    for expected in [
        "Dinas@VCapil <b>Kota</b>",
        "Jl. (k1Q0 Mawar",
        "PGD/2026/11/0042",
        "PengaduanVB caf\u{82}d",
        "Surat i<script>alert(1)</script>",
        "K7QM-2XHD-9RTA(k",
        "( BudiE Santoso &amp; )",
    ] {
        assert!(
            texts.contains(&expected.to_string()),
            "{expected}: {texts:?}"
        );
    }
    // The code's control bytes cannot leave the QR's path segment either.
    assert_eq!(
        qr_payloads(&cmds),
        ["http://192.168.1.10:8080/lacak/K7QM-2XHD-9RTA%1D%28k"]
    );
    assert_eq!(cmds.iter().filter(|c| **c == Cmd::Cut(66, 0)).count(), 1);
    assert_eq!(cmds.iter().filter(|c| **c == Cmd::Init).count(), 1);
    assert_eq!(cmds.iter().filter(|c| **c == Cmd::QrPrint).count(), 1);
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::StatusRequest(_))));
    assert_fits(&cmds, 384);
}

#[test]
fn receipt_carries_no_personal_data() {
    let c = config(58);
    let r = receipt(&c);
    // Every field, named: a field added to the receipt stops this compiling until it is
    // judged here. None may hold the complainant's name, NIK, phone, e-mail or address:
    // the slip can be lost. The officer's name is staff's, printed to sign the receipt.
    let ComplaintReceipt {
        office: _,
        number: _,
        received_at: _,
        service: _,
        channel: _,
        tracking_code: _,
        officer: _,
        reprinted_at: _,
    } = &r;
    let bytes = receipt_bytes(&c, Some(BASE), &r);
    // Nor does the layout print any of their shapes: a NIK (16 digits) or a phone number
    // (10 digits and more) would be a run of digits, an e-mail address has an `@`.
    let mut run = 0;
    for b in &bytes {
        run = if b.is_ascii_digit() { run + 1 } else { 0 };
        assert!(run < 10, "a run of {run} digits in the stream");
    }
    let texts: Vec<String> = decode(&bytes).iter().filter_map(Cmd::text).collect();
    assert!(!texts.iter().any(|t| t.contains('@')), "{texts:?}");
    for label in ["Nama", "NIK", "Telepon", "HP", "Alamat pengadu", "E-mail"] {
        assert!(
            !texts.iter().any(|t| t.contains(label)),
            "{label}: {texts:?}"
        );
    }
}

/// The QR code's link: the ticket's own survey key, different for the next ticket and under
/// another office's key; without a key (a config not started as a daemon) the plain page.
#[test]
fn the_qr_link_carries_the_ticket_s_survey_key() {
    let key = LinkKey::from_bytes(KEY);
    assert_eq!(tracking_url(&format!("{BASE}/"), 7, Some(&key)), URL_7);
    let next = tracking_url(BASE, 8, Some(&key));
    assert!(
        next.starts_with("http://192.168.1.10:8080/t/8?k="),
        "{next}"
    );
    assert_ne!(next[next.len() - 16..], URL_7[URL_7.len() - 16..]);
    let other = tracking_url(BASE, 7, Some(&LinkKey::from_bytes([8; 32])));
    assert_ne!(other, URL_7);
    assert_eq!(tracking_url(BASE, 7, None), "http://192.168.1.10:8080/t/7");
}
