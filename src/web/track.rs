//! `GET /t/{id}`: the page a citizen's phone opens from the QR code on the ticket. Number,
//! service, state and wait only: no personal data. What the state means for the citizen is
//! said in Bahasa Indonesia, then English; the page's script fetches it again while the
//! ticket can still change, and a polite live region reads the change out. Once the ticket
//! is served, the page opened from the ticket's own QR code (`?k=`, see `survey::link`)
//! turns into the satisfaction survey (`survey_phone`).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use serde::Deserialize;

use super::AppState;
use super::extract::{PagePath, PageQuery};
use super::page::render;
use super::survey_phone::{self, SurveyBlock};
use crate::queue::{Ticket, TicketState};
use crate::store::TicketStatus;

/// Seconds between the page's refreshes while the ticket can still change.
const REFRESH_SECONDS: u32 = 20;
const JS: &str = include_str!("../../kiosk-ui/track.js");

#[derive(Template)]
#[template(path = "track.html")]
pub(super) struct TrackPage {
    office: String,
    /// The ticket's id, for the survey form's address; 0 when there is no ticket.
    pub(super) id: u64,
    number: String,
    service: String,
    service_en: String,
    /// `waiting`, `held`, `transferred`, `called`, `serving`, `finished`, `no_show`,
    /// `cancelled`, `not_found`: the state's class on the page.
    kind: &'static str,
    state_id: String,
    state_en: String,
    detail_id: String,
    detail_en: String,
    /// Whether the script keeps refreshing (the ticket can still change).
    live: bool,
    refresh_seconds: u32,
    /// The survey, on a served ticket's page opened with its key.
    pub(super) survey: Option<SurveyBlock>,
}

impl TrackPage {
    /// The page's script: a file of its own, like the kiosk's and the display's.
    fn js(&self) -> &'static str {
        JS
    }
}

/// `?k=`: the ticket's survey tag from its QR code; the page without it tracks only.
#[derive(Debug, Default, Deserialize)]
pub struct TrackQuery {
    #[serde(default)]
    k: Option<String>,
}

pub async fn page(
    State(app): State<AppState>,
    PagePath(id): PagePath<String>,
    PageQuery(q): PageQuery<TrackQuery>,
) -> Response {
    let (status, mut page) = view(&app, &id).await;
    if let (Some(key), Some(finished)) = (q.k.as_deref(), page.finished_id()) {
        page.survey = Some(survey_phone::block(&app, finished, key).await);
    }
    render(status, &page)
}

impl TrackPage {
    /// The ticket's id when it is finished (the survey's moment), else None.
    pub(super) fn finished_id(&self) -> Option<u64> {
        (self.kind == "finished").then_some(self.id)
    }
}

/// The tracking page of ticket `id` (as the path gave it), and its status code.
pub(super) async fn view(app: &AppState, id: &str) -> (StatusCode, TrackPage) {
    let id = super::extract::digits(id);
    let status = match id {
        Some(n) => app.store.ticket(n).await.ok().flatten(),
        None => None,
    };
    let office = app.config.office.name.clone();
    let Some(status) = status else {
        return (
            StatusCode::NOT_FOUND,
            TrackPage {
                office,
                id: 0,
                number: "—".to_string(),
                service: String::new(),
                service_en: String::new(),
                kind: "not_found",
                state_id: "Tiket tidak ditemukan".to_string(),
                state_en: "Ticket not found".to_string(),
                detail_id: "Periksa kembali kode QR pada tiket Anda.".to_string(),
                detail_en: "Please check the QR code on your ticket.".to_string(),
                live: false,
                refresh_seconds: REFRESH_SECONDS,
                survey: None,
            },
        );
    };
    let t = &status.ticket;
    let (service, service_en) = app
        .config
        .service(&t.service)
        .map_or((t.service.clone(), t.service.clone()), |s| {
            (s.name.clone(), s.name_en.clone())
        });
    let counter = t
        .counter
        .and_then(|c| app.config.counter(c))
        .map_or_else(|| "loket".to_string(), |c| c.name.clone());
    let words = describe(t, &status, &counter, &service, &service_en);
    (
        StatusCode::OK,
        TrackPage {
            office,
            id: t.id,
            number: t.label.clone(),
            service,
            service_en,
            kind: words.kind,
            state_id: words.state_id,
            state_en: words.state_en,
            detail_id: words.detail_id,
            detail_en: words.detail_en,
            live: !matches!(t.state, TicketState::Done | TicketState::Cancelled),
            refresh_seconds: REFRESH_SECONDS,
            survey: None,
        },
    )
}

struct Words {
    kind: &'static str,
    state_id: String,
    state_en: String,
    detail_id: String,
    detail_en: String,
}

fn words(kind: &'static str, state: (&str, &str), detail: (String, String)) -> Words {
    Words {
        kind,
        state_id: state.0.to_string(),
        state_en: state.1.to_string(),
        detail_id: detail.0,
        detail_en: detail.1,
    }
}

/// What the ticket's state means for the person holding it.
fn describe(
    t: &Ticket,
    status: &TicketStatus,
    counter: &str,
    service: &str,
    service_en: &str,
) -> Words {
    let wait = || match status.estimate {
        Some(e) if e.people_ahead == 0 => (
            "Anda berikutnya. Tetap di ruang tunggu dan perhatikan layar.".to_string(),
            "You are next. Please stay in the waiting room and watch the screen.".to_string(),
        ),
        Some(e) => (
            format!(
                "{} orang di depan Anda · perkiraan {} menit",
                e.people_ahead, e.minutes
            ),
            format!("{} ahead of you · about {} min", e.people_ahead, e.minutes),
        ),
        None => (String::new(), String::new()),
    };
    match t.state {
        TicketState::Waiting | TicketState::Transferred if !t.print.callable() => words(
            "held",
            (
                "Ditahan: tiket belum tercetak",
                "On hold: the ticket was not printed",
            ),
            (
                "Silakan hubungi petugas agar tiket dicetak ulang; nomor Anda tetap berlaku."
                    .to_string(),
                "Please ask the staff to print it again; your number stays valid.".to_string(),
            ),
        ),
        TicketState::Waiting => words("waiting", ("Menunggu", "Waiting"), wait()),
        TicketState::Transferred => Words {
            state_id: format!("Dialihkan ke layanan {service}"),
            state_en: format!("Transferred to {service_en}"),
            ..words("transferred", ("", ""), wait())
        },
        TicketState::Called => Words {
            state_id: format!("Dipanggil — silakan menuju {counter}"),
            state_en: format!("Called — please go to {counter} now"),
            ..words(
                "called",
                ("", ""),
                (
                    "Nomor Anda sedang dipanggil.".to_string(),
                    "Your number is being called.".to_string(),
                ),
            )
        },
        TicketState::Serving => Words {
            state_id: format!("Sedang dilayani di {counter}"),
            state_en: format!("Being served at {counter}"),
            ..words("serving", ("", ""), (String::new(), String::new()))
        },
        TicketState::Done => words(
            "finished",
            ("Selesai", "Finished"),
            (
                "Layanan untuk nomor ini sudah selesai. Terima kasih atas kunjungan Anda."
                    .to_string(),
                "This number has been served. Thank you for your visit.".to_string(),
            ),
        ),
        TicketState::NoShow => words(
            "no_show",
            ("Tidak hadir saat dipanggil", "Not present when called"),
            (
                "Bila Anda masih di kantor, silakan hubungi petugas.".to_string(),
                "If you are still here, please ask the staff.".to_string(),
            ),
        ),
        TicketState::Cancelled => words(
            "cancelled",
            ("Dibatalkan", "Cancelled"),
            (
                "Nomor ini tidak berlaku lagi. Silakan ambil nomor baru di kios.".to_string(),
                "This number is no longer valid. Please take a new number at the kiosk."
                    .to_string(),
            ),
        ),
    }
}
