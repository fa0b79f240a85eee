//! "Waktu tunggu": the waits over a range of days (`?dari=…&sampai=…`, this month so far by
//! default), per office a total line and one per service: tickets issued, served, no-show,
//! the wait and the service time (median, p90) shown as the office's reports show durations
//! (`m:ss`), with the chart of the median waits (`city::view::waits`, `charts`).
//!
//! A year of many offices is a long query (docs/city.md): it runs in a transaction with the
//! configured `statement_timeout`, and a query the server cancels gives a page that says so
//! (`DbError::TooLong`) instead of holding the view's one connection.

use askama::Template;
use axum::extract::Query;
use axum::extract::State as Axum;
use axum::extract::rejection::QueryRejection;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;

use super::State;
use super::page::{Shell, Visitor, db_error, refusal, render};
use super::range::{self, DaysQuery};
use crate::city::view::{charts, waits};
use crate::report::table::Cell;

pub const HREF: &str = "/waktu-tunggu";

/// A line of the table, its durations already as text.
pub struct Line {
    pub total: bool,
    pub issued: u64,
    pub served: u64,
    pub no_show: u64,
    pub wait_median: String,
    pub wait_p90: String,
    pub service_median: String,
    pub service_p90: String,
    pub service: String,
}

pub struct OfficeBlock {
    pub code: String,
    pub name: String,
    pub lines: Vec<Line>,
}

#[derive(Template)]
#[template(path = "city/waits.html")]
struct WaitsPage {
    shell: Shell,
    dari: String,
    sampai: String,
    /// `1 November 2026 – 30 November 2026`; empty when refused.
    period: String,
    offices: Vec<OfficeBlock>,
    chart: String,
    shown: bool,
    timeout: u64,
}

/// `m:ss`, `h:mm:ss`, or "—": the office report's durations.
fn duration(s: Option<u32>) -> String {
    Cell::Seconds(s).display()
}

fn line(r: &waits::WaitRow, total: bool) -> Line {
    Line {
        total,
        issued: r.issued,
        served: r.served,
        no_show: r.no_show,
        wait_median: duration(r.wait_median),
        wait_p90: duration(r.wait_p90),
        service_median: duration(r.service_median),
        service_p90: duration(r.service_p90),
        service: r.service.clone(),
    }
}

fn blocks(w: &waits::Waits) -> Vec<OfficeBlock> {
    w.offices
        .iter()
        .map(|o| {
            let mut lines = vec![line(&o.total, true)];
            lines.extend(o.services.iter().map(|s| line(s, false)));
            OfficeBlock {
                code: o.office.code.clone(),
                name: o.office.name.clone(),
                lines,
            }
        })
        .collect()
}

pub async fn page(
    Axum(app): Axum<State>,
    v: Visitor,
    q: Result<Query<DaysQuery>, QueryRejection>,
) -> Response {
    if let Some(refused) = refusal(&app, &v, HREF) {
        return refused;
    }
    let tz = app.config.time_zone;
    let today = app.clock.now().with_timezone(&tz).date_naive();
    let (from, to, refused) = range::days(q, today);
    let timeout = app.config.database.statement_timeout;
    let mut page = WaitsPage {
        shell: Shell::visitor(&app, &v, "Waktu tunggu", "Waiting times", HREF),
        dari: iso(from),
        sampai: iso(to),
        period: String::new(),
        offices: Vec::new(),
        chart: String::new(),
        shown: false,
        timeout: timeout.as_secs(),
    };
    if let Some(r) = refused {
        page.shell.error = Some(format!("{} / {}", r.id, r.en));
        return render(StatusCode::BAD_REQUEST, &page);
    }
    let offices = v.viewer.offices.clone();
    let ms = timeout.as_millis();
    let result = app
        .db
        .run_within(timeout + std::time::Duration::from_secs(5), move |c| {
            Box::pin(async move {
                let t = c.transaction().await?;
                // Only this page's transaction: the other pages keep the server's default.
                t.batch_execute(&format!("SET LOCAL statement_timeout = {ms}"))
                    .await?;
                let w = waits::waits(&t, tz, from, to, offices.as_deref()).await?;
                t.commit().await?;
                Ok(w)
            })
        })
        .await;
    let w = match result {
        Ok(w) => w,
        Err(e) => return db_error(&app, &e),
    };
    page.period = format!("{} – {}", range::long_date(from), range::long_date(to));
    page.chart = charts::median_waits(&w);
    page.offices = blocks(&w);
    page.shown = true;
    render(StatusCode::OK, &page)
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}
