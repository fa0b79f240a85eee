//! The complaint receipt (*Tanda Terima Pengaduan*), printed on the ticket printer when the
//! complaint officer opens a complaint: the office, the title, the register number large,
//! when it was received, the service and the channel, the tracking code large with a QR code
//! to the tracking page, how to follow the complaint, that the code is secret, and the
//! receiving officer's signature block.
//!
//! It carries no personal data of the complainant (name, NIK, phone, address): a slip can be
//! lost, and whoever finds it learns only that the office has some complaint under this
//! number. [`ComplaintReceipt`] has no field that could hold such data.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use super::escpos::{Align, EscPos};
use super::layout::{header, start, wrapped};
use crate::clock::indonesian_datetime;
use crate::config::{Config, Office};

/// Where the tracking page lives under the base URL: `{base_url}/lacak` takes a typed code,
/// `{base_url}/lacak/{code}` shows that complaint (what the QR code opens).
pub const COMPLAINT_TRACKING_PATH: &str = "/lacak";

/// Everything a complaint receipt shows. Plain data, filled by whoever records the
/// complaint; the layout adds only fixed wording.
#[derive(Debug, Clone)]
pub struct ComplaintReceipt {
    /// The office that received the complaint (`config.office`): name and address on the
    /// slip, and the time zone its times are printed in.
    pub office: Office,
    /// The register number, `PGD/2026/11/0042`.
    pub number: String,
    pub received_at: DateTime<Utc>,
    /// The service concerned, by the name the office gives it.
    pub service: String,
    /// How the complaint came in, as the officer's form names it: datang langsung, surat,
    /// telepon, e-mail, lainnya.
    pub channel: String,
    /// The complainant's key to the tracking page, `K7QM-2XHD-9RTA`.
    pub tracking_code: String,
    /// The receiving officer's display name: printed under a signature space. `None` prints
    /// no signature block.
    pub officer: Option<String>,
    /// When staff print the receipt again, the time of this print: the slip then says it is
    /// a reprint, so two slips with the same code can be told apart.
    pub reprinted_at: Option<DateTime<Utc>>,
}

/// The page the receipt's QR code opens: `{base_url}/lacak/{code}`. The code is
/// percent-encoded (dots too, so it can never be a `..` segment), so whatever it holds stays
/// one path segment under the tracking page.
pub fn complaint_tracking_url(base_url: &str, code: &str) -> String {
    let mut url = format!(
        "{}{COMPLAINT_TRACKING_PATH}/",
        base_url.trim_end_matches('/')
    );
    for b in code.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~') {
            url.push(char::from(b));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(url, "%{b:02X}");
        }
    }
    url
}

/// Large text: double width and height when the whole text fits the line at double width,
/// otherwise double height only, wrapped at the normal width. A register number from a long
/// pattern then stays on as few lines as it can, and is never cut at the paper's edge.
fn large(p: &mut EscPos, text: &str, columns: usize) {
    if p.width(text) <= columns / 2 {
        p.size(2, 2).bold(true);
        wrapped(p, text, columns / 2);
    } else {
        p.size(1, 2).bold(true);
        wrapped(p, text, columns);
    }
    p.bold(false).size(1, 1);
}

/// The receipt as ESC/POS bytes for the configured paper and code page. `base_url` is the
/// one the queue ticket's QR code uses; without it the slip has no QR code and tells the
/// complainant to ask at the office with the code instead.
pub fn receipt_bytes(config: &Config, base_url: Option<&str>, r: &ComplaintReceipt) -> Vec<u8> {
    let columns = config.printer.paper.columns();
    let tz = r.office.time_zone;
    let mut p = start(config);
    header(&mut p, &r.office, columns);
    p.feed(1)
        .bold(true)
        .line("TANDA TERIMA PENGADUAN")
        .bold(false)
        .line("Complaint receipt");
    if let Some(at) = r.reprinted_at {
        p.bold(true).line("CETAK ULANG / REPRINT").bold(false);
        p.line(&indonesian_datetime(at, tz));
    }
    p.feed(1).line("Nomor pengaduan / Complaint no.");
    large(&mut p, &r.number, columns);

    // The details read as a form: label, then value, flush left.
    p.feed(1).align(Align::Left);
    p.line("Diterima / Received:");
    p.bold(true).line(&indonesian_datetime(r.received_at, tz));
    p.bold(false).line("Layanan / Service:").bold(true);
    wrapped(&mut p, &r.service, columns);
    p.bold(false).line("Melalui / Channel:").bold(true);
    wrapped(&mut p, &r.channel, columns);
    p.bold(false);

    p.feed(1)
        .align(Align::Center)
        .line("Kode pelacakan / Tracking code:");
    large(&mut p, &r.tracking_code, columns);
    p.feed(1);
    match base_url {
        Some(base) => {
            p.qr(&complaint_tracking_url(base, &r.tracking_code), 6);
            wrapped(
                &mut p,
                "Pantau pengaduan Anda: pindai kode QR ini, atau buka alamat berikut dan ketik \
                 kode pelacakan di atas.",
                columns,
            );
            let page = format!("{}{COMPLAINT_TRACKING_PATH}", base.trim_end_matches('/'));
            wrapped(&mut p, &page, columns);
        }
        None => wrapped(
            &mut p,
            "Untuk menanyakan perkembangan pengaduan Anda, sebutkan kode pelacakan di atas \
             kepada petugas.",
            columns,
        ),
    }
    p.feed(1).bold(true);
    wrapped(
        &mut p,
        "Kode ini rahasia dan hanya untuk Anda: jangan berikan kepada orang lain.",
        columns,
    );
    p.bold(false);
    if let Some(officer) = &r.officer {
        // Room to sign between the role and the name, as an Indonesian receipt is signed.
        p.feed(1).line("Petugas penerima,").feed(4);
        wrapped(&mut p, &format!("( {officer} )"), columns);
    }
    p.feed(3).cut();
    p.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tracking_url_keeps_the_code_one_path_segment() {
        assert_eq!(
            complaint_tracking_url("http://192.168.1.10:8080/", "K7QM-2XHD-9RTA"),
            "http://192.168.1.10:8080/lacak/K7QM-2XHD-9RTA"
        );
        assert_eq!(
            complaint_tracking_url("https://pengaduan.example", "../a b?x#é"),
            "https://pengaduan.example/lacak/%2E%2E%2Fa%20b%3Fx%23%C3%A9"
        );
    }
}
