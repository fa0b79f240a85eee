//! `GET /kiosk`: the citizen's touch screen. One large button per open service (a service
//! closed by its own hours stays, greyed, with its hours) and a priority option; a press
//! issues through the same API as everything else. When nothing is open, the page says why
//! and when it opens again, and offers nothing to press.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;

use super::AppState;
use super::page::render;
use super::reopening::{Bilingual, kiosk_opens, opens_again};

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
    /// Takes tickets now; otherwise shown greyed with its hours.
    open: bool,
    /// Its hours today, `08.00–12.00, 13.00–15.30` or `tutup`.
    hours_today: String,
    hours_today_en: String,
    /// When a closed service opens again.
    reopens: Option<Bilingual>,
}

/// Why no button can be pressed, if none can.
enum Closed {
    Open,
    Holiday {
        name: String,
        reopens: Option<Bilingual>,
    },
    Hours {
        reopens: Option<Bilingual>,
        today: String,
        today_en: String,
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
    let now = app
        .clock
        .now()
        .with_timezone(&app.config.office.time_zone)
        .naive_local();
    let services: Vec<ServiceButton> = view
        .services
        .iter()
        .map(|s| {
            let hours = app
                .config
                .service(&s.code)
                .map_or(&app.config.hours, |c| app.config.hours_of(c));
            ServiceButton {
                code: s.code.clone(),
                prefix: s.prefix.clone(),
                name: s.name.clone(),
                name_en: s.name_en.clone(),
                waiting: s.waiting,
                open: s.open,
                hours_today: hours.describe_day(now.weekday()),
                hours_today_en: in_english(hours.describe_day(now.weekday())),
                reopens: (!s.open)
                    .then(|| app.config.next_opening_of(hours, now))
                    .flatten()
                    .map(|at| opens_again(at, now)),
            }
        })
        .collect();
    let reopens = || kiosk_opens(&app.config, now).map(|at| opens_again(at, now));
    let closed = if let Some(name) = &view.holiday {
        Closed::Holiday {
            name: name.clone(),
            reopens: reopens(),
        }
    } else if !services.iter().any(|s| s.open) {
        Closed::Hours {
            reopens: reopens(),
            today: app.config.hours.describe_day(now.weekday()),
            today_en: in_english(app.config.hours.describe_day(now.weekday())),
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

/// A day's hours as `describe_day` gives them, for the English line: only "tutup" is a word.
fn in_english(hours: String) -> String {
    if hours == "tutup" {
        "closed".to_string()
    } else {
        hours
    }
}
