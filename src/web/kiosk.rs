//! `GET /kiosk`: the citizen's touch screen. One large button per open service and a
//! priority option; a press issues through the same API as everything else.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::{Datelike, Timelike};

use super::AppState;
use super::html::{escape, fill};
use crate::config::{DAY_NAMES_ID, format_minute};

const PAGE: &str = include_str!("../../kiosk-ui/kiosk.html");
const CSS: &str = include_str!("../../kiosk-ui/kiosk.css");
const JS: &str = include_str!("../../kiosk-ui/kiosk.js");

pub async fn page(State(app): State<AppState>) -> Response {
    let view = match app.store.view().await {
        Ok(v) => v,
        Err(e) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Html(format!(
                    "<!doctype html><meta charset=utf-8><title>Loket</title><h1>Mohon maaf, layanan antrian sedang gangguan.</h1><p>{}</p>",
                    escape(&e.to_string())
                )),
            )
                .into_response();
        }
    };
    let mut buttons = String::new();
    for s in view.services.iter().filter(|s| s.open) {
        buttons.push_str(&format!(
            "<button class=\"service\" data-service=\"{code}\"><span class=\"prefix\">{prefix}</span><span class=\"name\">{name}</span><span class=\"en\">{en}</span><span class=\"wait\">{waiting} orang menunggu</span></button>\n",
            code = escape(&s.code),
            prefix = escape(&s.prefix),
            name = escape(&s.name),
            en = escape(&s.name_en),
            waiting = s.waiting,
        ));
    }
    let closed = if let Some(name) = &view.holiday {
        format!(
            "<p class=\"closed\">Kantor tutup hari ini: {}.<br><small>Closed today (public holiday).</small></p>",
            escape(name)
        )
    } else if buttons.is_empty() {
        let now = app
            .clock
            .now()
            .with_timezone(&app.config.office.time_zone)
            .naive_local();
        let reopens = app.config.next_opening(now).map_or_else(String::new, |at| {
            let day = if at.date() == now.date() {
                "hari ini".to_string()
            } else {
                format!(
                    "{} {}",
                    DAY_NAMES_ID[at.weekday().num_days_from_monday() as usize],
                    at.format("%d-%m-%Y")
                )
            };
            let text = format!(
                "Buka kembali {} pukul {}.",
                day,
                format_minute((at.hour() * 60 + at.minute()) as u16)
            );
            format!("<br>{}", escape(&text))
        });
        format!(
            "<p class=\"closed\">Layanan sedang tutup.{}<br><small>Jam layanan hari ini: {}</small></p>",
            reopens,
            escape(&app.config.hours.describe_day(now.weekday()))
        )
    } else {
        String::new()
    };
    let printer_note = match &view.printer {
        Some(p) if !p.ready && p.status != crate::printer::PrinterStatus::Disabled => format!(
            "<p class=\"printer-down\" role=\"alert\">{}. Tiket tidak dapat dicetak saat ini; silakan hubungi petugas.<br><small>The ticket printer is not ready.</small></p>",
            escape(p.label)
        ),
        _ => String::new(),
    };
    let html = fill(
        PAGE,
        &[
            ("printer", &printer_note),
            ("office_name", &escape(&app.config.office.name)),
            ("office_address", &escape(&app.config.office.address)),
            ("buttons", &buttons),
            ("closed", &closed),
            ("css", CSS),
            ("js", JS),
        ],
    );
    ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}
