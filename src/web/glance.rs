//! The office head's "today at a glance" on the console home (kepala dinas, administrator):
//! per service the day's tickets and times, per counter the times, complaints open and
//! overdue, the printer. `/console/ringkasan` serves the block alone; the home swaps it in on
//! the queue's and complaints' events, as a background request (not activity).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::AppState;
use super::auth::Staff;
use super::page::{error, render};
use crate::report::table::Cell;

pub struct ServiceLine {
    pub name: String,
    pub issued: u64,
    pub waiting: u64,
    pub served: u64,
    pub no_show: u64,
    pub times: [String; 4],
}

pub struct CounterLine {
    pub name: String,
    pub tickets: u32,
    pub times: [String; 4],
}

pub struct OverdueLine {
    pub flow: String,
    pub step: u32,
    pub count: usize,
}

/// The block's data; `None` from `glance` when the store does not answer.
pub struct Glance {
    pub day: String,
    pub services: Vec<ServiceLine>,
    pub counters: Vec<CounterLine>,
    pub complaints_open: usize,
    pub overdue: Vec<OverdueLine>,
    pub overdue_total: usize,
    pub printer: &'static str,
    pub printer_ok: bool,
    pub unprinted: usize,
}

fn times(r: Option<&crate::report::ReportRow>) -> [String; 4] {
    let show = |v: Option<u32>| Cell::Seconds(v).display();
    match r {
        Some(r) => [
            show(r.wait_median),
            show(r.wait_p90),
            show(r.service_median),
            show(r.service_p90),
        ],
        None => std::array::from_fn(|_| show(None)),
    }
}

pub async fn glance(app: &AppState) -> Option<Glance> {
    let today = crate::clock::local_date(app.clock.now(), app.config.office.time_zone);
    let metrics = app.store.metrics().await.ok()?;
    let days = app.store.day_aggregates(today, today).await.ok()?;
    let report = super::reports::build(app, today, today, &days);
    let services = metrics
        .services
        .iter()
        .map(|m| {
            let name = app
                .config
                .service(&m.code)
                .map_or_else(|| m.code.clone(), |s| s.name.clone());
            let row = report.per_service.iter().find(|r| r.label == name);
            ServiceLine {
                times: times(row),
                name,
                issued: m.issued,
                waiting: m.waiting,
                served: m.served,
                no_show: m.no_show,
            }
        })
        .collect();
    let counters = report
        .per_counter
        .iter()
        .filter(|r| r.label != crate::report::queue::NEVER_CALLED)
        .map(|r| CounterLine {
            name: r.label.clone(),
            tickets: r.tickets,
            times: times(Some(r)),
        })
        .collect();
    let overdue: Vec<OverdueLine> = metrics
        .complaints
        .overdue
        .iter()
        .map(|o| OverdueLine {
            flow: o.flow.clone(),
            step: o.step,
            count: o.count,
        })
        .collect();
    Some(Glance {
        day: crate::clock::date_id(today),
        services,
        counters,
        complaints_open: metrics.complaints.open,
        overdue_total: overdue.iter().map(|o| o.count).sum(),
        overdue,
        printer: metrics.printer.label_id(),
        printer_ok: metrics.printer.ready()
            || metrics.printer == crate::printer::PrinterStatus::Disabled,
        unprinted: metrics.unprinted,
    })
}

#[derive(Template)]
#[template(path = "console/glance.html")]
struct GlanceFragment {
    g: Glance,
}

/// `GET /console/ringkasan`: the block alone, as an HTML fragment.
pub async fn fragment(State(app): State<AppState>, _staff: Staff) -> Response {
    match glance(&app).await {
        Some(g) => render(StatusCode::OK, &GlanceFragment { g }),
        None => error(
            &app,
            StatusCode::SERVICE_UNAVAILABLE,
            "Penyimpanan data sedang tidak tersedia.",
        ),
    }
}
