//! `GET /metrics`: Prometheus text format for the office's monitoring (counts and times per
//! service, printer state). No personal data.

use std::fmt::Write;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::ApiError;
use crate::printer::PrinterStatus;

/// Prometheus metrics
///
/// Text exposition format: tickets issued, waiting, served and no-show per service, mean
/// wait and service times today, the printer's state, held tickets, events committed,
/// complaints open and closed and those past due per flow step.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses(
        (status = 200, description = "The metrics", content_type = "text/plain; version=0.0.4", body = String),
        (status = 503, description = "The store does not answer", body = super::error::ErrorBody, examples(
            ("store_unavailable" = (value = json!({"error": {"code": "store_unavailable", "message": "Penyimpanan data sedang tidak tersedia; tidak ada yang diubah. Silakan coba lagi."}}))),
        )),
    )
)]
pub async fn metrics(State(app): State<AppState>) -> Response {
    let m = match app.store.metrics().await {
        Ok(m) => m,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let mut out = String::new();
    let mut family = |name: &str, help: &str, kind: &str, rows: Vec<(String, String)>| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (labels, value) in rows {
            let _ = writeln!(out, "{name}{labels} {value}");
        }
    };
    let (writable, fault, readable) = match &m.store {
        crate::store::StoreStatus::Ok => (true, None, true),
        crate::store::StoreStatus::Degraded {
            fault, readable, ..
        } => (false, Some(*fault), *readable),
    };
    family(
        "loket_clock_suspect",
        "1 while the clock shows a day implausibly far ahead of the service day (no new day begins, tickets are refused).",
        "gauge",
        vec![(
            String::new(),
            u8::from(m.clock_suspect.is_some()).to_string(),
        )],
    );
    family(
        "loket_store_damaged",
        "1 once a request met a damaged page of the database (see /healthz and `loket check`).",
        "gauge",
        vec![(String::new(), u8::from(m.damage.is_some()).to_string())],
    );
    family(
        "loket_store_writable",
        "1 while the store commits changes; 0 in degraded mode (the disk refuses writes: full or failing).",
        "gauge",
        vec![(String::new(), u8::from(writable).to_string())],
    );
    family(
        "loket_store_degraded",
        "1 for the reason the store cannot write, if it cannot.",
        "gauge",
        [crate::store::Fault::DiskFull, crate::store::Fault::IoError]
            .iter()
            .map(|f| {
                (
                    format!("{{reason=\"{}\"}}", f.as_str()),
                    u8::from(fault == Some(*f)).to_string(),
                )
            })
            .collect(),
    );
    if let crate::store::StoreStatus::Degraded { refused_writes, .. } = &m.store {
        family(
            "loket_store_refused_writes",
            "Changes refused since degraded mode began.",
            "gauge",
            vec![(String::new(), refused_writes.to_string())],
        );
    }
    let per = |f: &dyn Fn(&crate::queue::ServiceMetrics) -> String| {
        m.services
            .iter()
            .map(|s| (format!("{{service=\"{}\"}}", s.code), f(s)))
            .collect::<Vec<_>>()
    };
    family(
        "loket_tickets_issued_today",
        "Tickets issued this service day.",
        "gauge",
        per(&|s| s.issued.to_string()),
    );
    family(
        "loket_tickets_waiting",
        "Tickets waiting now.",
        "gauge",
        per(&|s| s.waiting.to_string()),
    );
    family(
        "loket_tickets_served_today",
        "Services finished this service day.",
        "gauge",
        per(&|s| s.served.to_string()),
    );
    family(
        "loket_tickets_no_show_today",
        "Calls nobody answered this service day.",
        "gauge",
        per(&|s| s.no_show.to_string()),
    );
    family(
        "loket_wait_seconds_mean",
        "Mean time from issue to call, today.",
        "gauge",
        per(&|s| format!("{:.1}", s.mean_wait_seconds)),
    );
    family(
        "loket_service_seconds_mean",
        "Mean time at the counter, today.",
        "gauge",
        per(&|s| format!("{:.1}", s.mean_service_seconds)),
    );
    let statuses = [
        PrinterStatus::Online,
        PrinterStatus::PaperNearEnd,
        PrinterStatus::PaperEnd,
        PrinterStatus::CoverOpen,
        PrinterStatus::Offline,
        PrinterStatus::Unreachable,
        PrinterStatus::Disabled,
    ];
    family(
        "loket_printer_status",
        "The ticket printer's state (1 for the current one).",
        "gauge",
        statuses
            .iter()
            .map(|s| {
                let name = serde_json::to_value(s)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                (
                    format!("{{status=\"{name}\"}}"),
                    u8::from(*s == m.printer).to_string(),
                )
            })
            .collect(),
    );
    family(
        "loket_printer_ready",
        "1 when a ticket can be printed now.",
        "gauge",
        vec![(String::new(), u8::from(m.printer.ready()).to_string())],
    );
    family(
        "loket_events_total",
        "Committed changes since the store was created.",
        "counter",
        vec![(String::new(), m.event_seq.to_string())],
    );
    // Only with `[city]`: an office that exports nothing has no backlog to watch.
    if let Some(o) = m.outbox {
        family(
            "loket_city_outbox_backlog",
            "Records on disk that the city server has not committed yet.",
            "gauge",
            vec![(String::new(), o.backlog().to_string())],
        );
        family(
            "loket_city_outbox_acked",
            "The last outbox sequence number the city server committed.",
            "counter",
            vec![(String::new(), o.acked.to_string())],
        );
    }
    // Degraded with the database closed: the memory's figures may include a change that
    // never committed, so none are given.
    if !readable {
        return text(out);
    }
    family(
        "loket_unprinted_tickets",
        "Tickets held because their print failed.",
        "gauge",
        vec![(String::new(), m.unprinted.to_string())],
    );
    let c = &m.complaints;
    family(
        "loket_complaints",
        "Complaints in the register by status.",
        "gauge",
        vec![
            ("{status=\"open\"}".to_string(), c.open.to_string()),
            ("{status=\"closed\"}".to_string(), c.closed.to_string()),
        ],
    );
    // Flow ids come from file names the validator allows (letters, digits, `_`, `-`).
    family(
        "loket_complaints_overdue",
        "Open complaints whose waiting step is past its due time, per flow and step.",
        "gauge",
        c.overdue
            .iter()
            .map(|o| {
                (
                    format!("{{flow=\"{}\",step=\"{}\"}}", o.flow, o.step),
                    o.count.to_string(),
                )
            })
            .collect(),
    );
    text(out)
}

fn text(out: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        out,
    )
        .into_response()
}
