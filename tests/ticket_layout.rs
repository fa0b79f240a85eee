//! The paper ticket, byte by byte: the ESC/POS stream for 58 mm and 80 mm paper decoded back
//! into commands (init, code page, text, raster header and size, QR command and payload,
//! cut), the number raster against golden PNGs, and hostile text printed as harmless text.

mod common;

use std::path::PathBuf;

use chrono::NaiveDate;
use common::escpos::{Cmd, decode};
use common::wib;
use loket::config::{CodePage, Config, EMBEDDED_DEFAULT};
use loket::printer::raster::{Raster, render_number};
use loket::printer::{PrintJob, ticket_bytes, tracking_url};
use loket::queue::{Estimate, PrintState, Ticket, TicketState};

const BASE: &str = "http://192.168.1.10:8080";

fn config(paper_mm: u32) -> Config {
    let src = EMBEDDED_DEFAULT.replace("paper_mm = 58", &format!("paper_mm = {paper_mm}"));
    Config::from_toml_str(&src).expect("config")
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
    let url = tracking_url(BASE, 7);
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
        text("30 November 2026 13:05 WIB"),
        text("Di depan Anda: 3 orang"),
        text("Perkiraan tunggu: 45 menit"),
        Cmd::Feed(1),
        Cmd::QrModel(0x32),
        Cmd::QrModuleSize(6),
        Cmd::QrErrorCorrection(0x31),
        Cmd::QrStore(url.as_bytes().to_vec()),
        Cmd::QrPrint,
        text("Pantau antrian / Follow the queue:"),
        text(&url),
        Cmd::Feed(1),
    ]);
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
