//! The paper ticket, laid out for 58 mm (384 dots) or 80 mm (576 dots): office, the number
//! big as a raster, priority mark, service, Indonesian date and time with zone, people ahead
//! and wait, a QR code to follow the queue by phone, the footer, and a cut.

use chrono::{DateTime, Utc};

use super::escpos::{Align, EscPos};
use super::raster::render_number;
use super::sanitize::Sanitizer;
use crate::clock::indonesian_datetime;
use crate::config::{Config, Office};
use crate::queue::{Estimate, Ticket};
use crate::survey::link::{LinkKey, Purpose};

/// Everything a printed ticket shows.
#[derive(Debug, Clone)]
pub struct PrintJob {
    pub ticket: Ticket,
    pub estimate: Estimate,
}

/// The page a phone opens from the ticket's QR code: with the office's survey key, the
/// ticket's own tag (`?k=`), so that once served the page asks its holder, and no one else,
/// for the survey (see `survey::link`).
pub fn tracking_url(base_url: &str, ticket_id: u64, key: Option<&LinkKey>) -> String {
    let base = base_url.trim_end_matches('/');
    match key {
        Some(k) => format!(
            "{base}/t/{ticket_id}?k={}",
            k.tag(Purpose::Ticket, ticket_id)
        ),
        None => format!("{base}/t/{ticket_id}"),
    }
}

pub(super) fn start(config: &Config) -> EscPos {
    let mut p = EscPos::new(Sanitizer::new(config.printer.code_page));
    p.init().code_page(config.printer.code_page.escpos_table());
    p
}

/// The office's name (bold) and address, centred: the top of every slip.
pub(super) fn header(p: &mut EscPos, office: &Office, columns: usize) {
    p.align(Align::Center).bold(true);
    wrapped(p, &office.name, columns);
    p.bold(false);
    wrapped(p, &office.address, columns);
}

/// Word-wraps `text` to `columns` printed characters per line (long words are cut).
/// Widths are counted after sanitising, so a character the code page spells out (`…` as
/// `...`) cannot push a line past the paper's edge.
pub(super) fn wrapped(p: &mut EscPos, text: &str, columns: usize) {
    let columns = columns.max(1);
    // Control characters go first, so they neither count as width nor leave empty words.
    let text: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        while p.width(&word) > columns {
            if !line.is_empty() {
                p.line(&std::mem::take(&mut line));
            }
            let rest = word.split_off(fitting(p, &word, columns));
            p.line(&word);
            word = rest;
        }
        let len = p.width(&line);
        if len > 0 && len + 1 + p.width(&word) > columns {
            p.line(&std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        p.line(&line);
    }
}

/// The byte length of the longest head of `word` that prints within `columns`; at least one
/// character, so cutting always makes progress.
fn fitting(p: &EscPos, word: &str, columns: usize) -> usize {
    let mut end = 0;
    let mut width = 0;
    for (i, c) in word.char_indices() {
        let w = p.width(c.encode_utf8(&mut [0; 4]));
        if end > 0 && width + w > columns {
            break;
        }
        width += w;
        end = i + c.len_utf8();
    }
    end
}

pub fn ticket_bytes(config: &Config, base_url: Option<&str>, job: &PrintJob) -> Vec<u8> {
    let t = &job.ticket;
    let columns = config.printer.paper.columns();
    let (service, service_en) = config
        .service(&t.service)
        .map_or((t.service.as_str(), ""), |s| {
            (s.name.as_str(), s.name_en.as_str())
        });
    let mut p = start(config);
    header(&mut p, &config.office, columns);
    p.feed(1).line("NOMOR ANTRIAN / QUEUE NUMBER");
    let number = render_number(&t.label, config.printer.paper.dots());
    p.raster(number.width_bytes(), number.height, &number.bits);
    if t.priority {
        p.size(2, 2)
            .bold(true)
            .line("PRIORITAS")
            .bold(false)
            .size(1, 1)
            .line("Priority");
    }
    p.size(1, 2).bold(true);
    wrapped(&mut p, service, columns);
    p.bold(false).size(1, 1);
    // English second, at the paper's normal size (the Indonesian above is double height).
    if !service_en.is_empty() && service_en != service {
        wrapped(&mut p, service_en, columns);
    }
    p.line(&indonesian_datetime(t.issued_at, config.office.time_zone));
    p.line(&format!(
        "Di depan Anda: {} orang",
        job.estimate.people_ahead
    ));
    p.line(&format!("Ahead of you: {}", job.estimate.people_ahead));
    p.line(&format!("Perkiraan tunggu: {} menit", job.estimate.minutes));
    p.line(&format!("Estimated wait: {} min", job.estimate.minutes));
    if let Some(base) = base_url {
        let url = tracking_url(base, t.id, config.survey.link_key.as_deref());
        p.feed(1)
            .qr(&url, 6)
            .line("Pantau antrian / Follow the queue:");
        wrapped(&mut p, &url, columns);
    }
    if !config.printer.footer.is_empty() {
        p.feed(1);
        wrapped(&mut p, &config.printer.footer, columns);
    }
    p.feed(3).cut();
    p.into_bytes()
}

/// The staff's test print: proves the paper path, the code page and the cutter.
pub fn test_page_bytes(config: &Config, base_url: Option<&str>, now: DateTime<Utc>) -> Vec<u8> {
    let columns = config.printer.paper.columns();
    let mut p = start(config);
    header(&mut p, &config.office, columns);
    p.feed(1)
        .bold(true)
        .line("CETAK UJI / TEST PRINT")
        .bold(false);
    p.line(&indonesian_datetime(now, config.office.time_zone));
    p.line(&format!(
        "Kertas {} mm, {} kolom",
        config.printer.paper.mm(),
        columns
    ));
    p.line("Huruf: é è ñ ü ß – “ ”");
    let number = render_number("A-000", config.printer.paper.dots());
    p.raster(number.width_bytes(), number.height, &number.bits);
    if let Some(base) = base_url {
        p.qr(base, 6);
        wrapped(&mut p, base, columns);
    }
    p.feed(3).cut();
    p.into_bytes()
}
