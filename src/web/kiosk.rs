//! `GET /kiosk`: the citizen's touch screen. One large button per open service and a
//! priority option; a press issues through the same API as everything else.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, Timelike};

use super::AppState;
use super::page::render;
use crate::config::{DAY_NAMES_ID, format_minute};

const CSS: &str = include_str!("../../kiosk-ui/kiosk.css");
const JS: &str = include_str!("../../kiosk-ui/kiosk.js");

#[derive(Template)]
#[template(path = "kiosk.html")]
struct KioskPage {
    office_name: String,
    office_address: String,
    /// The printer's state in words when it cannot print.
    printer_down: Option<&'static str>,
    services: Vec<ServiceButton>,
    closed: Closed,
    css: &'static str,
    js: &'static str,
}

struct ServiceButton {
    code: String,
    prefix: String,
    name: String,
    name_en: String,
    waiting: usize,
}

/// Why no button can be pressed, if none can.
enum Closed {
    Open,
    Holiday(String),
    Hours {
        reopens: Option<String>,
        today: String,
    },
}

/// Shown instead of the kiosk when the store cannot answer: no detail for the public.
#[derive(Template)]
#[template(path = "unavailable.html")]
struct Unavailable {
    office: String,
}

pub async fn page(State(app): State<AppState>) -> Response {
    let view = match app.store.view().await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "kiosk page without a store");
            return render(
                StatusCode::SERVICE_UNAVAILABLE,
                &Unavailable {
                    office: app.config.office.name.clone(),
                },
            );
        }
    };
    let services: Vec<ServiceButton> = view
        .services
        .iter()
        .filter(|s| s.open)
        .map(|s| ServiceButton {
            code: s.code.clone(),
            prefix: s.prefix.clone(),
            name: s.name.clone(),
            name_en: s.name_en.clone(),
            waiting: s.waiting,
        })
        .collect();
    let closed = if let Some(name) = &view.holiday {
        Closed::Holiday(name.clone())
    } else if services.is_empty() {
        let now = app
            .clock
            .now()
            .with_timezone(&app.config.office.time_zone)
            .naive_local();
        let reopens = app.config.next_opening(now).map(|at| {
            let day = if at.date() == now.date() {
                "hari ini".to_string()
            } else {
                format!(
                    "{} {}",
                    DAY_NAMES_ID[at.weekday().num_days_from_monday() as usize],
                    at.format("%d-%m-%Y")
                )
            };
            format!(
                "Buka kembali {} pukul {}.",
                day,
                format_minute((at.hour() * 60 + at.minute()) as u16)
            )
        });
        Closed::Hours {
            reopens,
            today: app.config.hours.describe_day(now.weekday()),
        }
    } else {
        Closed::Open
    };
    let printer_down = match &view.printer {
        Some(p) if !p.ready && p.status != crate::printer::PrinterStatus::Disabled => Some(p.label),
        _ => None,
    };
    render(
        StatusCode::OK,
        &KioskPage {
            office_name: app.config.office.name.clone(),
            office_address: app.config.office.address.clone(),
            printer_down,
            services,
            closed,
            css: CSS,
            js: JS,
        },
    )
}
