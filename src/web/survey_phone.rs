//! The survey on the citizen's own phone: the tracking page `/t/{id}?k=…` of a served ticket
//! shows the questionnaire, and `POST /t/{id}` takes the answers. The form is a plain HTML
//! form (no script needed); the ticket's tag from its QR code (`k`) must come with it, so a
//! ticket's survey is answered by whoever holds the paper and no one guessing ids on the LAN.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::AppState;
use super::auth::Caller;
use super::extract::PagePath;
use super::page::{HtmlForm, render};
use super::survey_form::{self, QuestionView, SUGGESTION_FIELD};
use crate::store::{OpError, SurveyRefusal, SurveyStatus};
use crate::survey::link::Purpose;
use crate::survey::response::{Answers, Channel, SUGGESTION_MAX};

/// Refused survey posts (no key, a key that is not the ticket's, no such ticket) allowed per
/// client address and minute. Only refusals count: phones behind the guest Wi-Fi share one
/// address, and junk from one of them must not hold off a citizen whose key is right (a
/// right key answers once per ticket, which bounds those writes already).
pub const POSTS_PER_MINUTE: u32 = 10;

/// Whether a refusal from `caller` is one too many: it takes a token from its address.
fn refused_too_often(app: &AppState, caller: &Caller) -> bool {
    caller
        .ip
        .is_some_and(|ip| !app.survey_limit.allow(ip, app.clock.now()))
}

/// What the tracking page shows of the survey.
pub struct SurveyBlock {
    /// `form`, `thanks`, `answered`, `expired`, `closed`, `bad_key`, `refused`.
    pub state: &'static str,
    pub message_id: String,
    pub message_en: String,
    /// The ticket's tag, sent back with the form.
    pub key: String,
    pub profile: Vec<QuestionView>,
    pub elements: Vec<QuestionView>,
    pub suggestion: String,
    pub suggestion_max: usize,
    /// Why the form came back, above it.
    pub error: String,
}

impl SurveyBlock {
    fn message(state: &'static str, id: &str, en: &str) -> Self {
        Self {
            state,
            message_id: id.to_string(),
            message_en: en.to_string(),
            key: String::new(),
            profile: Vec::new(),
            elements: Vec::new(),
            suggestion: String::new(),
            suggestion_max: SUGGESTION_MAX,
            error: String::new(),
        }
    }

    fn form(app: &AppState, key: &str, answers: &Answers, error: String) -> Self {
        let q = &app.config.survey.questionnaire;
        let mark_missing = !error.is_empty();
        Self {
            key: key.to_string(),
            profile: survey_form::profile_views(q, answers),
            elements: survey_form::element_views(q, answers, mark_missing),
            suggestion: answers.suggestion.clone(),
            error,
            ..Self::message("form", "", "")
        }
    }

    pub fn total(&self) -> usize {
        self.elements.len()
    }

    /// The number of the first question the form came back for; 0 when none.
    pub fn first_missing(&self) -> usize {
        self.elements
            .iter()
            .find(|q| q.missing)
            .map_or(0, |q| q.number)
    }
}

fn empty_answers() -> Answers {
    Answers {
        profile: Default::default(),
        scores: Default::default(),
        suggestion: String::new(),
    }
}

fn bad_key() -> SurveyBlock {
    SurveyBlock::message(
        "bad_key",
        "Tautan survei ini tidak cocok dengan tiket. Pindai kode QR pada tiket Anda sendiri.",
        "This survey link does not match the ticket. Please scan the QR code on your own ticket.",
    )
}

fn closed() -> SurveyBlock {
    SurveyBlock::message(
        "closed",
        "Survei kepuasan sedang tidak dibuka.",
        "The satisfaction survey is closed at the moment.",
    )
}

fn answered() -> SurveyBlock {
    SurveyBlock::message(
        "answered",
        "Survei untuk nomor ini sudah diisi. Terima kasih.",
        "The survey for this number has already been answered. Thank you.",
    )
}

fn expired(app: &AppState) -> SurveyBlock {
    let days = app.config.survey.answer_days;
    SurveyBlock::message(
        "expired",
        &format!(
            "Waktu pengisian survei untuk nomor ini sudah lewat (paling lama {days} hari setelah kunjungan)."
        ),
        &format!("The survey for this number closed {days} days after the visit."),
    )
}

fn unavailable() -> SurveyBlock {
    SurveyBlock::message(
        "refused",
        "Survei sedang tidak dapat dibuka. Silakan coba lagi nanti.",
        "The survey is unavailable at the moment. Please try again later.",
    )
}

/// Whether `key` is the ticket's tag from its QR code.
fn key_matches(app: &AppState, ticket: u64, key: &str) -> bool {
    app.config
        .survey
        .link_key
        .as_ref()
        .is_some_and(|k| k.verify(Purpose::Ticket, ticket, key))
}

/// The survey part of a finished ticket's page opened with `key`.
pub async fn block(app: &AppState, ticket: u64, key: &str) -> SurveyBlock {
    if !key_matches(app, ticket, key) {
        return bad_key();
    }
    if !app.config.survey.enabled {
        return closed();
    }
    match app.store.survey_status(ticket).await {
        Ok(SurveyStatus::Open) => SurveyBlock::form(app, key, &empty_answers(), String::new()),
        Ok(SurveyStatus::Answered) => answered(),
        Ok(SurveyStatus::Expired) => expired(app),
        Ok(_) => unavailable(),
        Err(e) => {
            tracing::warn!(error = %e, "survey status not read");
            unavailable()
        }
    }
}

/// `POST /t/{id}`: the phone's answers.
pub async fn submit(
    State(app): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<String>,
    HtmlForm(pairs): HtmlForm<Vec<(String, String)>>,
) -> Response {
    let (status, mut page) = super::track::view(&app, &id).await;
    let ticket = page.id;
    let key = survey_form::field(&pairs, "k").unwrap_or("").trim();
    // The key is checked first, and only refusals are charged to the address: no such
    // ticket (404), no key, an incomplete form (422), a key that is not this ticket's (403).
    let refusal = if status == StatusCode::NOT_FOUND {
        Some((status, None))
    } else if key.is_empty() {
        Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(SurveyBlock::message(
                "bad_key",
                "Tautan survei tidak lengkap. Pindai kode QR pada tiket Anda.",
                "The survey link is incomplete. Please scan the QR code on your ticket.",
            )),
        ))
    } else if !key_matches(&app, ticket, key) {
        Some((StatusCode::FORBIDDEN, Some(bad_key())))
    } else {
        None
    };
    if let Some((code, block)) = refusal {
        if refused_too_often(&app, &caller) {
            page.survey = Some(SurveyBlock::message(
                "refused",
                "Terlalu banyak pengiriman yang ditolak dari perangkat ini. Silakan tunggu satu menit lalu coba lagi.",
                "Too many refused submissions from this device. Please wait a minute and try again.",
            ));
            return render(StatusCode::TOO_MANY_REQUESTS, &page);
        }
        page.survey = block;
        return render(code, &page);
    }
    if !app.config.survey.enabled {
        page.survey = Some(closed());
        return render(StatusCode::FORBIDDEN, &page);
    }
    let q = app.config.survey.questionnaire.clone();
    let answers = match survey_form::read_answers(&pairs, &q) {
        Ok(a) => a,
        Err(message) => {
            page.survey = Some(SurveyBlock::form(&app, key, &empty_answers(), message));
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    if let Err(e) = answers.validate(&q) {
        page.survey = Some(SurveyBlock::form(&app, key, &answers, e.0));
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let kept = answers.clone();
    let (code, block) = match app
        .store
        .survey_submit(ticket, answers, Channel::Phone)
        .await
    {
        Ok(()) => (
            StatusCode::OK,
            SurveyBlock::message(
                "thanks",
                "Terima kasih! Penilaian Anda sudah kami terima dan membantu kami memperbaiki pelayanan.",
                "Thank you! We have received your rating; it helps us improve our service.",
            ),
        ),
        Err(OpError::Survey(r)) => match r {
            SurveyRefusal::Answered => (StatusCode::CONFLICT, answered()),
            SurveyRefusal::Expired => (StatusCode::GONE, expired(&app)),
            SurveyRefusal::Closed => (StatusCode::FORBIDDEN, closed()),
            SurveyRefusal::Unknown => (StatusCode::NOT_FOUND, unavailable()),
            SurveyRefusal::NoShow => (
                StatusCode::CONFLICT,
                SurveyBlock::message(
                    "refused",
                    "Nomor ini tercatat tidak hadir saat dipanggil: belum ada pelayanan yang dapat dinilai.",
                    "This number was called and not present: there is no service to rate yet.",
                ),
            ),
            SurveyRefusal::Cancelled => (
                StatusCode::CONFLICT,
                SurveyBlock::message(
                    "refused",
                    "Nomor ini dibatalkan: tidak ada pelayanan yang dapat dinilai.",
                    "This number was cancelled: there is no service to rate.",
                ),
            ),
            SurveyRefusal::NotServed => (
                StatusCode::CONFLICT,
                SurveyBlock::message(
                    "refused",
                    "Survei dapat diisi setelah pelayanan untuk nomor ini selesai.",
                    "The survey opens once this number has been served.",
                ),
            ),
            SurveyRefusal::Invalid(m) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                SurveyBlock::form(&app, key, &kept, m),
            ),
        },
        Err(e) => {
            tracing::warn!(error = %e, "survey response not stored");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                SurveyBlock {
                    error: "Penilaian belum tersimpan karena gangguan sistem. Silakan coba kirim kembali beberapa saat lagi."
                        .to_string(),
                    ..SurveyBlock::form(&app, key, &kept, String::new())
                },
            )
        }
    };
    page.survey = Some(block);
    render(code, &page)
}

/// The suggestion's field name, for the template.
impl SurveyBlock {
    pub fn suggestion_field(&self) -> &'static str {
        SUGGESTION_FIELD
    }
}
