//! The ticket as plain text, in Bahasa Indonesia first: what the spool holds.

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;

use super::PrintJob;
use crate::config::Config;

const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// `30 November 2026 13:05 WIB`
pub fn indonesian_datetime(at: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    format!(
        "{} {} {} {:02}:{:02} {}",
        local.day(),
        MONTHS_ID[local.month0() as usize],
        local.year(),
        local.hour(),
        local.minute(),
        local.format("%Z")
    )
}

pub fn render_text(config: &Config, job: &PrintJob) -> String {
    let t = &job.ticket;
    let service = config
        .service(&t.service)
        .map_or(t.service.as_str(), |s| s.name.as_str());
    let mut out = String::new();
    out.push_str(&config.office.name);
    out.push('\n');
    if !config.office.address.is_empty() {
        out.push_str(&config.office.address);
        out.push('\n');
    }
    out.push_str(&format!("\nNomor Antrian / Queue number\n{}\n", t.label));
    if t.priority {
        out.push_str("PRIORITAS\n");
    }
    out.push_str(&format!("Layanan: {service}\n"));
    out.push_str(&format!(
        "{}\n",
        indonesian_datetime(t.issued_at, config.office.time_zone)
    ));
    out.push_str(&format!(
        "Antrian di depan Anda: {}\nPerkiraan waktu tunggu: {} menit\n",
        job.estimate.people_ahead, job.estimate.minutes
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn indonesian_date_with_zone() {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 30, 6, 5, 0)
            .single()
            .expect("valid");
        assert_eq!(
            indonesian_datetime(at, Tz::Asia__Jakarta),
            "30 November 2026 13:05 WIB"
        );
        assert_eq!(
            indonesian_datetime(at, Tz::Asia__Makassar),
            "30 November 2026 14:05 WITA"
        );
        assert_eq!(
            indonesian_datetime(at, Tz::Asia__Jayapura),
            "30 November 2026 15:05 WIT"
        );
    }
}
