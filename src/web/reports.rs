//! The office head's reports: the queue report over a date range (`/console/laporan`) and
//! the monthly complaint recap (`/console/laporan/pengaduan`), each as a page with a print
//! stylesheet, a CSV file and an XLSX workbook from the same tables (`report::table`).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Months, NaiveDate};
use serde::Deserialize;

use super::AppState;
use super::auth::Staff;
use super::page::{Shell, render, staff_error};
use crate::report::QueueReport;
use crate::report::charts::{self, Charts};
use crate::report::queue::Names;
use crate::report::table::{self, Table};

pub const QUEUE: &str = "/console/laporan";
/// The longest range one report covers: a year, leap day included.
const MAX_DAYS: i64 = 366;
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Debug, Deserialize)]
pub struct RangeQuery {
    #[serde(default)]
    dari: Option<String>,
    #[serde(default)]
    sampai: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

/// What the report is sent as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Page,
    Csv,
    Xlsx,
}

pub fn parse_format(s: Option<&str>) -> Result<Format, String> {
    match s.map(str::trim).unwrap_or("") {
        "" | "html" => Ok(Format::Page),
        "csv" => Ok(Format::Csv),
        "xlsx" => Ok(Format::Xlsx),
        other => Err(format!(
            "Format \"{other}\" tidak dikenal: pilih csv atau xlsx."
        )),
    }
}

fn parse_date(what: &str, s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        format!(
            "Tanggal {what} \"{s}\" tidak valid: gunakan format TTTT-BB-HH, misalnya 2026-11-01."
        )
    })
}

fn given(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

/// The range asked for: by default this month up to today.
pub fn parse_range(
    dari: Option<&str>,
    sampai: Option<&str>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), String> {
    let from = match given(dari) {
        Some(s) => parse_date("awal", s)?,
        None => today.with_day(1).unwrap_or(today),
    };
    let to = match given(sampai) {
        Some(s) => parse_date("akhir", s)?,
        None => today,
    };
    if from > to {
        return Err(format!(
            "Tanggal awal ({from}) sesudah tanggal akhir ({to}): tukar keduanya."
        ));
    }
    if (to - from).num_days() + 1 > MAX_DAYS {
        return Err(format!(
            "Rentang {from} sampai {to} lebih dari {MAX_DAYS} hari: persempit rentangnya."
        ));
    }
    Ok((from, to))
}

/// `2026-11` for a whole calendar month, else `2026-11-03_2026-11-17`.
fn range_name(from: NaiveDate, to: NaiveDate) -> String {
    let whole_month = from.day() == 1
        && from
            .checked_add_months(Months::new(1))
            .and_then(|n| n.pred_opt())
            == Some(to);
    if whole_month {
        from.format("%Y-%m").to_string()
    } else {
        format!("{from}_{to}")
    }
}

/// Tables as a file download.
pub fn download(tables: &[Table], format: Format, stem: &str) -> Response {
    let (bytes, mime, ext) = match format {
        Format::Csv => (
            table::to_csv(tables).map_err(|e| e.to_string()),
            "text/csv; charset=utf-8",
            "csv",
        ),
        Format::Xlsx => (
            table::to_xlsx(tables).map_err(|e| e.to_string()),
            XLSX,
            "xlsx",
        ),
        Format::Page => (Err("not a file".to_string()), "", ""),
    };
    match bytes {
        Ok(bytes) => (
            [
                (CONTENT_TYPE, mime.to_string()),
                (
                    CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{stem}.{ext}\""),
                ),
                (CACHE_CONTROL, "no-store".to_string()),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "report file not made");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Berkas laporan gagal dibuat.",
            )
                .into_response()
        }
    }
}

/// A table as the page shows it: every value already a string, escaped by the template.
pub struct ShownTable {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<(String, bool)>>,
}

pub fn shown(t: &Table) -> ShownTable {
    ShownTable {
        title: t.title.clone(),
        headers: t.columns.iter().map(|c| c.title.clone()).collect(),
        rows: t
            .rows
            .iter()
            .map(|r| r.iter().map(|c| (c.display(), c.numeric())).collect())
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "console/laporan.html")]
struct QueuePage {
    shell: Shell,
    from: String,
    to: String,
    /// The query of this range, for the download links.
    query: String,
    /// The month of the range's first day, for the monthly PDF's link.
    month: String,
    tickets: u32,
    charts: Charts,
    tables: Vec<ShownTable>,
}

pub async fn queue_report(
    State(app): State<AppState>,
    staff: Staff,
    Query(q): Query<RangeQuery>,
) -> Response {
    let today = crate::clock::local_date(app.clock.now(), app.config.office.time_zone);
    let parsed = parse_format(q.format.as_deref())
        .and_then(|f| parse_range(q.dari.as_deref(), q.sampai.as_deref(), today).map(|r| (f, r)));
    let (format, (from, to)) = match parsed {
        Ok(p) => p,
        Err(message) => return staff_error(&app, &staff, StatusCode::BAD_REQUEST, message),
    };
    let days = match app.store.day_aggregates(from, to).await {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "queue report not read");
            return staff_error(
                &app,
                &staff,
                StatusCode::SERVICE_UNAVAILABLE,
                "Penyimpanan data sedang tidak tersedia.",
            );
        }
    };
    let report = build(&app, from, to, &days);
    let tables = report.tables();
    if format != Format::Page {
        let stem = format!("laporan-antrian-{}", range_name(from, to));
        return download(&tables, format, &stem);
    }
    render(
        StatusCode::OK,
        &QueuePage {
            shell: Shell::staff(&app, &staff, "Laporan antrian", QUEUE),
            from: from.to_string(),
            to: to.to_string(),
            query: format!("dari={from}&sampai={to}"),
            month: from.format("%Y-%m").to_string(),
            tickets: report.total.tickets,
            charts: charts::draw(&report),
            tables: tables.iter().map(shown).collect(),
        },
    )
}

/// The report with the configuration's names for services and counters.
pub fn build(
    app: &AppState,
    from: NaiveDate,
    to: NaiveDate,
    days: &[crate::report::DayAggregate],
) -> QueueReport {
    let config = &app.config;
    let service = |code: &str| {
        config
            .service(code)
            .map_or_else(|| code.to_string(), |s| s.name.clone())
    };
    let counter = |id: u32| {
        config
            .counter(id)
            .map_or_else(|| format!("Loket {id}"), |c| c.name.clone())
    };
    QueueReport::build(
        from,
        to,
        days,
        &Names {
            service: &service,
            counter: &counter,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn ranges() {
        let today = d("2026-11-18");
        assert_eq!(parse_range(None, None, today), Ok((d("2026-11-01"), today)));
        assert!(parse_range(Some("2026-11-10"), Some("2026-11-01"), today).is_err());
        assert!(parse_range(Some("2025-01-01"), Some("2026-01-02"), today).is_err());
        assert!(parse_range(Some("2025-01-01"), Some("2026-01-01"), today).is_ok());
        assert!(parse_range(Some("2026-13-01"), None, today).is_err());
        assert_eq!(range_name(d("2026-11-01"), d("2026-11-30")), "2026-11");
        assert_eq!(
            range_name(d("2026-11-01"), d("2026-11-18")),
            "2026-11-01_2026-11-18"
        );
    }
}

pub const COMPLAINTS: &str = "/console/laporan/pengaduan";

#[derive(Debug, Deserialize)]
pub struct MonthQuery {
    #[serde(default)]
    bulan: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

/// The month asked for (`2026-11`; by default this month): its first and last day.
pub fn parse_month(
    bulan: Option<&str>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), String> {
    let first =
        match given(bulan) {
            Some(s) => NaiveDate::parse_from_str(&format!("{}-01", s.trim()), "%Y-%m-%d").map_err(
                |_| format!("Bulan \"{s}\" tidak valid: gunakan format TTTT-BB, misalnya 2026-11."),
            )?,
            None => today.with_day(1).unwrap_or(today),
        };
    let last = first
        .checked_add_months(Months::new(1))
        .and_then(|n| n.pred_opt())
        .ok_or_else(|| "Bulan di luar jangkauan.".to_string())?;
    Ok((first, last))
}

#[derive(Template)]
#[template(path = "console/laporan_pengaduan.html")]
struct RecapPage {
    shell: Shell,
    month: String,
    recap: crate::report::complaints::ComplaintRecap,
    tables: Vec<ShownTable>,
}

pub async fn complaint_recap(
    State(app): State<AppState>,
    staff: Staff,
    Query(q): Query<MonthQuery>,
) -> Response {
    let now = app.clock.now();
    let tz = app.config.office.time_zone;
    let today = crate::clock::local_date(now, tz);
    let parsed = parse_format(q.format.as_deref())
        .and_then(|f| parse_month(q.bulan.as_deref(), today).map(|m| (f, m)));
    let (format, (first, last)) = match parsed {
        Ok(p) => p,
        Err(message) => return staff_error(&app, &staff, StatusCode::BAD_REQUEST, message),
    };
    let complaints = match app.store.complaints_received(first, last).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "complaint recap not read");
            return staff_error(
                &app,
                &staff,
                StatusCode::SERVICE_UNAVAILABLE,
                "Penyimpanan data sedang tidak tersedia.",
            );
        }
    };
    let recap = crate::report::complaints::recap(&complaints, &app.config.calendar, tz, now);
    let month = first.format("%Y-%m").to_string();
    if format != Format::Page {
        return download(&recap.tables, format, &format!("laporan-pengaduan-{month}"));
    }
    let tables = recap.tables.iter().map(shown).collect();
    render(
        StatusCode::OK,
        &RecapPage {
            shell: Shell::staff(&app, &staff, "Rekap pengaduan", COMPLAINTS),
            month,
            recap,
            tables,
        },
    )
}

pub const MONTHLY: &str = "/console/laporan/bulanan";

#[derive(Debug, Deserialize)]
pub struct MonthOnly {
    #[serde(default)]
    bulan: Option<String>,
}

/// The month's report as a PDF under the letterhead, for the office head to sign and file:
/// the queue tables and the complaint recap of `bulan`.
pub async fn monthly_pdf(
    State(app): State<AppState>,
    staff: Staff,
    Query(q): Query<MonthOnly>,
) -> Response {
    let now = app.clock.now();
    let tz = app.config.office.time_zone;
    let today = crate::clock::local_date(now, tz);
    let (first, last) = match parse_month(q.bulan.as_deref(), today) {
        Ok(m) => m,
        Err(message) => return staff_error(&app, &staff, StatusCode::BAD_REQUEST, message),
    };
    let read = async {
        let days = app.store.day_aggregates(first, last).await?;
        let complaints = app.store.complaints_received(first, last).await?;
        Ok::<_, crate::store::OpError>((days, complaints))
    };
    let (days, complaints) = match read.await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "monthly report not read");
            return staff_error(
                &app,
                &staff,
                StatusCode::SERVICE_UNAVAILABLE,
                "Penyimpanan data sedang tidak tersedia.",
            );
        }
    };
    let queue = build(&app, first, last, &days);
    let recap = crate::report::complaints::recap(&complaints, &app.config.calendar, tz, now);
    let letter = app.config.letter.clone();
    // Several pages of tables: laid out off the async workers.
    let rendered = tokio::task::spawn_blocking(move || {
        let doc = crate::report::monthly::compose(&letter, first, &queue, &recap, now, tz);
        crate::pdf::render(&doc).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|r| r);
    match rendered {
        Ok(bytes) => (
            [
                (CONTENT_TYPE, "application/pdf".to_string()),
                (
                    CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"laporan-bulanan-{}.pdf\"",
                        first.format("%Y-%m")
                    ),
                ),
                (CACHE_CONTROL, "no-store".to_string()),
                (
                    axum::http::header::X_CONTENT_TYPE_OPTIONS,
                    "nosniff".to_string(),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "monthly report PDF not made");
            staff_error(
                &app,
                &staff,
                StatusCode::INTERNAL_SERVER_ERROR,
                "Berkas laporan gagal dibuat.",
            )
        }
    }
}
