//! The lobby screen: `GET /display` (the page), `GET /api/v1/display` (its snapshot), and
//! `GET /api/v1/announcements/{seq}.wav` (one call, spoken). Public: numbers only.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::extract::ApiPath;
use super::page::render;
use super::reopening::{kiosk_opens, opens_again};
use crate::queue::Change;

const CSS: &str = include_str!("../../kiosk-ui/display.css");
const JS: &str = include_str!("../../kiosk-ui/display.js");

#[derive(askama::Template)]
#[template(path = "display.html")]
struct DisplayPage {
    office: String,
    css: &'static str,
    js: &'static str,
    /// The latest index, when the office shows it (`[survey] show_on_display`).
    ikm: Option<DisplayIkm>,
}

#[derive(Clone)]
struct DisplayIkm {
    value: String,
    grade: String,
    label: String,
    /// `Okt 2026`: the first month the index covers.
    since_id: String,
    since_en: String,
}

/// The calendar months the display's index covers: this one and the two before. Whole
/// months because a response keeps only its visit's month; three so the figure does not start
/// over from a handful of answers on the first of every month.
pub const IKM_MONTHS: u32 = 3;

/// Short month names: the header has little room beside a long office name.
const MONTHS_ID: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// How long the display's index is reused before the responses are read again. `/display`
/// is public: without it every request would have the store read three months of responses
/// on its single thread (~20 ms), and a client looping on the page would stall the kiosk.
/// The index moves slowly; the board itself reloads the page hourly.
pub const IKM_REFRESH: chrono::Duration = chrono::Duration::minutes(10);

/// The display's index as last computed, and when (on the app's clock).
#[derive(Default)]
pub struct IkmCache(tokio::sync::Mutex<Option<(DateTime<Utc>, Option<DisplayIkm>)>>);

/// The index of the last `IKM_MONTHS` calendar months up to today, or None (turned off, no
/// response, store away): computed at most once per `IKM_REFRESH`. Requests meanwhile wait
/// for the one computing, so a burst of them makes one read.
async fn latest_ikm(app: &AppState) -> Option<DisplayIkm> {
    if !app.config.survey.show_on_display {
        return None;
    }
    let now = app.clock.now();
    let mut cached = app.display_ikm.0.lock().await;
    if let Some((at, ikm)) = cached.as_ref()
        && *at <= now
        && now - *at < IKM_REFRESH
    {
        return ikm.clone();
    }
    let ikm = compute_ikm(app).await;
    *cached = Some((now, ikm.clone()));
    ikm
}

async fn compute_ikm(app: &AppState) -> Option<DisplayIkm> {
    let today = crate::clock::local_date(app.clock.now(), app.config.office.time_zone);
    let from = crate::survey::response::month_of(today)
        .checked_sub_months(chrono::Months::new(IKM_MONTHS - 1))?;
    let responses = match app.store.survey_responses(from, today).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "survey responses not read for the display");
            return None;
        }
    };
    let q = &app.config.survey.questionnaire;
    let report = crate::survey::report::SurveyReport::build(from, today, &responses, q, &[]);
    // A handful of answers would put a figure on the wall that swings with every one.
    if report.overall.respondents < app.config.survey.display_min_respondents {
        return None;
    }
    let ikm = report.overall.ikm.as_ref()?;
    let band = report.band(Some(ikm))?;
    Some(DisplayIkm {
        value: ikm.display_id(),
        grade: band.grade.clone(),
        label: band.label.clone(),
        since_id: format!("{} {}", MONTHS_ID[from.month0() as usize], from.year()),
        since_en: format!("{} {}", MONTHS_EN[from.month0() as usize], from.year()),
    })
}

pub async fn page(State(app): State<AppState>) -> Response {
    render(
        StatusCode::OK,
        &DisplayPage {
            office: app.config.office.name.clone(),
            css: CSS,
            js: JS,
            ikm: latest_ikm(&app).await,
        },
    )
}

/// What the lobby board shows: public, numbers only.
#[derive(Serialize, ToSchema)]
pub struct DisplaySnapshot {
    /// The last committed event: follow `/api/v1/events` from here.
    seq: u64,
    /// The daemon's clock (RFC 3339, UTC), so a board can show the office's time.
    #[schema(format = DateTime)]
    now: String,
    office: String,
    /// IANA name, e.g. `Asia/Jakarta`.
    time_zone: &'static str,
    running_text: String,
    service_day: NaiveDate,
    counters: Vec<DisplayCounter>,
    /// The latest calls, newest first.
    calls: Vec<DisplayCall>,
    services: Vec<DisplayService>,
    /// Why no number can be taken now, and when that changes; absent while open.
    #[serde(skip_serializing_if = "Option::is_none")]
    closed: Option<DisplayClosed>,
}

/// The office closed, in the words the board shows.
#[derive(Serialize, ToSchema)]
pub struct DisplayClosed {
    /// E.g. `Kantor tutup hari ini: Kelahiran Yesus Kristus.`
    id: String,
    en: String,
    /// E.g. `Buka kembali Senin 28 Desember 2026 pukul 08.00.`; absent if nothing opens
    /// within four weeks.
    #[serde(skip_serializing_if = "Option::is_none")]
    reopens_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reopens_en: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DisplayCounter {
    id: u32,
    name: String,
    /// The number it calls or serves; `null` when free.
    #[schema(required = true)]
    number: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DisplayCall {
    number: String,
    counter: u32,
    counter_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct DisplayService {
    code: String,
    prefix: String,
    name: String,
    name_en: String,
    waiting: usize,
    /// Takes tickets now (its hours, the holidays).
    open: bool,
}

/// The lobby board's snapshot
#[utoipa::path(
    get,
    path = "/api/v1/display",
    operation_id = "display_snapshot",
    tag = "display",
    responses(
        (status = 200, description = "The snapshot", body = DisplaySnapshot),
        (status = 503, description = "The store does not answer", body = ErrorBody, examples(
            ("store_unavailable" = (value = json!({"error": {"code": "store_unavailable", "message": "Penyimpanan data sedang tidak tersedia; tidak ada yang diubah. Silakan coba lagi."}}))),
        )),
    )
)]
pub async fn snapshot(State(app): State<AppState>) -> Result<Json<DisplaySnapshot>, ApiError> {
    let view = app.store.view().await?;
    let counter_name = |id: u32| {
        app.config
            .counter(id)
            .map_or_else(|| format!("Loket {id}"), |c| c.name.clone())
    };
    let counters = view
        .counters
        .iter()
        .map(|c| DisplayCounter {
            id: c.id,
            name: c.name.clone(),
            number: c.ticket.as_ref().map(|t| t.number.clone()),
        })
        .collect();
    let calls = view
        .recent_calls
        .iter()
        .take(app.config.display.last_calls)
        .map(|c| DisplayCall {
            number: c.number.clone(),
            counter: c.counter,
            counter_name: counter_name(c.counter),
        })
        .collect();
    let services = view
        .services
        .iter()
        .map(|s| DisplayService {
            code: s.code.clone(),
            prefix: s.prefix.clone(),
            name: s.name.clone(),
            name_en: s.name_en.clone(),
            waiting: s.waiting,
            open: s.open,
        })
        .collect();
    let closed = closed_notice(&app, &view);
    Ok(Json(DisplaySnapshot {
        seq: view.event_seq,
        now: app.clock.now().to_rfc3339(),
        office: app.config.office.name.clone(),
        time_zone: app.config.office.time_zone.name(),
        running_text: app.config.display.running_text.clone(),
        service_day: view.service_day,
        counters,
        calls,
        services,
        closed,
    }))
}

/// The board's notice while no service takes numbers: a holiday, or outside the hours.
fn closed_notice(app: &AppState, view: &crate::queue::QueueView) -> Option<DisplayClosed> {
    if view.services.iter().any(|s| s.open) {
        return None;
    }
    let now = app
        .clock
        .now()
        .with_timezone(&app.config.office.time_zone)
        .naive_local();
    let reopens = kiosk_opens(&app.config, now).map(|at| opens_again(at, now));
    let (id, en) = match &view.holiday {
        Some(name) => (
            format!("Kantor tutup hari ini: {name}."),
            "The office is closed today (holiday).".to_string(),
        ),
        None => (
            "Layanan sedang tutup.".to_string(),
            "Services are closed now.".to_string(),
        ),
    };
    Some(DisplayClosed {
        id,
        en,
        reopens_id: reopens.as_ref().map(|r| r.id.clone()),
        reopens_en: reopens.map(|r| r.en),
    })
}

/// One call, spoken
///
/// A WAV of a recent `called` or `recalled` event, in the office's voice pack; the board
/// plays it when the event arrives.
#[utoipa::path(
    get,
    path = "/api/v1/announcements/{file}",
    tag = "display",
    params(("file" = String, Path, description = "`{seq}.wav`: the event's sequence number", example = "42.wav")),
    responses(
        (status = 200, description = "The announcement", content_type = "audio/wav", body = Vec<u8>),
        (status = 404, description = "Not a recent call event", body = ErrorBody, examples(
            ("not_found" = (value = json!({"error": {"code": "not_found", "message": "Panggilan ini tidak (lagi) tersedia untuk diumumkan."}}))),
        )),
        (status = 500, description = "The voice pack lacks a piece", body = ErrorBody, examples(
            ("voice_pack" = (value = json!({"error": {"code": "voice_pack", "message": "Suara panggilan tidak dapat disusun: …"}}))),
        )),
    )
)]
pub async fn announcement(State(app): State<AppState>, ApiPath(file): ApiPath<String>) -> Response {
    let not_found = || {
        ApiError::not_found("Panggilan ini tidak (lagi) tersedia untuk diumumkan.").into_response()
    };
    let Some(seq) = file
        .strip_suffix(".wav")
        .and_then(|s| s.parse::<u64>().ok())
    else {
        return not_found();
    };
    let Some(event) = app.events.get(seq) else {
        return not_found();
    };
    let (counter, number) = match &event.change {
        Change::Called { counter, ticket } | Change::Recalled { counter, ticket } => {
            (*counter, ticket.number.clone())
        }
        _ => return not_found(),
    };
    match app.voice.announcement(&number, counter) {
        Ok(wav) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "audio/wav"),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            wav,
        )
            .into_response(),
        Err(e) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "voice_pack",
            format!("Suara panggilan tidak dapat disusun: {e}"),
        )
        .into_response(),
    }
}

/// The board drawn by the daemon itself
///
/// What the framebuffer renderer draws, 1280×720, as a PNG.
#[utoipa::path(
    get,
    path = "/display.png",
    operation_id = "display_png",
    tag = "display",
    responses(
        (status = 200, description = "The board", content_type = "image/png", body = Vec<u8>),
        (status = 500, description = "Drawing failed", body = ErrorBody, examples(
            ("render" = (value = json!({"error": {"code": "render", "message": "Papan tidak dapat digambar."}}))),
        )),
        (status = 503, description = "The store does not answer", body = ErrorBody, examples(
            ("store_unavailable" = (value = json!({"error": {"code": "store_unavailable", "message": "Penyimpanan data sedang tidak tersedia; tidak ada yang diubah. Silakan coba lagi."}}))),
        )),
    )
)]
pub async fn png(State(app): State<AppState>) -> Response {
    let view = match app.store.view().await {
        Ok(v) => v,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let board = crate::display::Board::from_view(&app.config, &view, app.clock.now());
    let png = tokio::task::spawn_blocking(move || {
        crate::display::to_png(&crate::display::render(&board, 1280, 720))
    })
    .await;
    match png {
        Ok(Ok(bytes)) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            bytes,
        )
            .into_response(),
        _ => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "render",
            "Papan tidak dapat digambar.",
        )
        .into_response(),
    }
}
