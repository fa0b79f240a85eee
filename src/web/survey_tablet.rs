//! `/survei`: the survey tablet at the exit, kiosk style. The citizen types the number on
//! the ticket (a keypad of the services' prefixes and digits), then may say who they are,
//! then answers one element per screen with four big buttons, may leave a suggestion, and
//! is thanked; the screen then returns to the start by itself. Every step is a form post;
//! what was answered so far rides in hidden fields and is stored only at the last step, so
//! a citizen who walks away leaves nothing behind. The ticket found is carried with its
//! tablet tag (`survey::link`), so hidden fields cannot be edited to answer for another.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::AppState;
use super::auth::Caller;
use super::page::{HtmlForm, render};
use super::survey_form::{self, QuestionView, field, hidden_fields};
use crate::store::{OpError, SurveyRefusal, SurveyStatus};
use crate::survey::link::Purpose;
use crate::survey::response::{Answers, Channel, SUGGESTION_MAX};

const CSS: &str = include_str!("../../kiosk-ui/survei.css");
const JS: &str = include_str!("../../kiosk-ui/survei.js");

/// Seconds without a touch before a screen in the middle returns to the start.
const IDLE_SECONDS: u32 = 60;
/// The suggestion screen waits longer: typing on a tablet is slow.
const IDLE_SUGGESTION_SECONDS: u32 = 150;
/// How long the thank-you stays.
const DONE_SECONDS: u32 = 8;
/// Digits a typed number may have.
const MAX_DIGITS: usize = 6;

/// Refused look-ups and forged steps allowed per tablet and minute. Only refusals count (a
/// number not found today, a ticket carried with a tag not its own); a tablet is listed by
/// the office, so its allowance is larger than a phone's: several citizens mistyping a
/// number in a busy minute must not lock the exit's tablet.
pub const TABLET_REFUSALS_PER_MINUTE: u32 = 30;

/// Whether a refusal at this tablet is one too many: it takes a token from its address.
fn refused_too_often(app: &AppState, caller: &Caller) -> bool {
    caller
        .ip
        .is_some_and(|ip| !app.tablet_limit.allow(ip, app.clock.now()))
}

#[derive(Template)]
#[template(path = "survei.html")]
struct TabletPage {
    office: String,
    screen: Screen,
    /// Indonesian, then English; shown above the screen's content.
    message_id: String,
    message_en: String,
    /// Hidden fields: the ticket, its tag and the answers so far.
    hidden: Vec<(String, String)>,
    /// Seconds to the return to the start; 0 on a clean start screen.
    idle: u32,
    css: &'static str,
    js: &'static str,
}

enum Screen {
    Start {
        typed: String,
        prefixes: Vec<String>,
    },
    Profile {
        number: String,
        questions: Vec<QuestionView>,
    },
    Element {
        number: String,
        /// 0-based.
        index: usize,
        total: usize,
        question: QuestionView,
    },
    Suggestion {
        number: String,
        text: String,
        max: usize,
    },
    Done,
    Closed,
    /// Asked from a device that is not one of the office's survey tablets.
    NotTablet,
}

impl TabletPage {
    fn new(app: &AppState, screen: Screen) -> Self {
        let idle = match &screen {
            Screen::Start { .. } | Screen::Closed | Screen::NotTablet => 0,
            Screen::Suggestion { .. } => IDLE_SUGGESTION_SECONDS,
            Screen::Done => DONE_SECONDS,
            _ => IDLE_SECONDS,
        };
        Self {
            office: app.config.office.name.clone(),
            screen,
            message_id: String::new(),
            message_en: String::new(),
            hidden: Vec::new(),
            idle,
            css: CSS,
            js: JS,
        }
    }

    fn say(mut self, id: impl Into<String>, en: impl Into<String>) -> Self {
        self.message_id = id.into();
        self.message_en = en.into();
        // A start screen with a message clears itself too.
        if self.idle == 0 && matches!(self.screen, Screen::Start { .. }) {
            self.idle = IDLE_SECONDS;
        }
        self
    }

    /// The idle time the script starts on the start screen at the first key pressed.
    fn idle_typing(&self) -> u32 {
        IDLE_SECONDS
    }

    fn digits(&self) -> [&'static str; 9] {
        ["1", "2", "3", "4", "5", "6", "7", "8", "9"]
    }

    fn done(&self) -> bool {
        matches!(self.screen, Screen::Done)
    }
}

fn prefixes(app: &AppState) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in &app.config.services {
        if !out.contains(&s.prefix) {
            out.push(s.prefix.clone());
        }
    }
    out
}

fn start(app: &AppState, typed: &str) -> TabletPage {
    let mut page = TabletPage::new(
        app,
        Screen::Start {
            typed: typed.to_string(),
            prefixes: prefixes(app),
        },
    );
    // A number typed and left is cleared too.
    if !typed.is_empty() {
        page.idle = IDLE_SECONDS;
    }
    page
}

fn closed(app: &AppState) -> TabletPage {
    TabletPage::new(app, Screen::Closed)
}

/// `/survei` from a device not listed in `[survey] tablets` (the route's guard sends it
/// here): a phone on the office's Wi-Fi must not answer for other visitors by their numbers.
pub fn not_a_tablet(app: &AppState) -> Response {
    render(
        StatusCode::FORBIDDEN,
        &TabletPage::new(app, Screen::NotTablet),
    )
}

/// `GET /survei`: the start screen.
pub async fn page(State(app): State<AppState>) -> Response {
    if !app.config.survey.enabled {
        return render(StatusCode::OK, &closed(&app));
    }
    render(StatusCode::OK, &start(&app, ""))
}

/// A keypad press on the typed number: a prefix replaces the prefix, a digit is added,
/// `hapus` takes the last character back (a prefix as a whole), `kosong` clears.
fn press(typed: &str, key: &str, prefixes: &[String]) -> String {
    let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
    let prefix: String = typed.chars().filter(|c| !c.is_ascii_digit()).collect();
    match key {
        "hapus" if !digits.is_empty() => format!("{prefix}{}", &digits[..digits.len() - 1]),
        "hapus" | "kosong" => String::new(),
        k if prefixes.iter().any(|p| p == k) => format!("{k}{digits}"),
        k if k.len() == 1 && k.bytes().all(|b| b.is_ascii_digit()) => {
            if digits.len() >= MAX_DIGITS {
                typed.to_string()
            } else {
                format!("{prefix}{digits}{k}")
            }
        }
        _ => typed.to_string(),
    }
}

/// Why the hidden fields do not carry a ticket.
enum NotCarried {
    /// No ticket fields: a form from no screen of ours (422).
    Missing,
    /// A ticket whose tag is not its own: edited (403).
    Forged,
}

/// The ticket carried in the hidden fields, if its tag is right: (id, printed number).
fn carried(app: &AppState, pairs: &[(String, String)]) -> Result<(u64, String), NotCarried> {
    let (Some(id), Some(tag)) = (field(pairs, "tiket"), field(pairs, "kt")) else {
        return Err(NotCarried::Missing);
    };
    let id = super::extract::digits(id).ok_or(NotCarried::Forged)?;
    let key = app
        .config
        .survey
        .link_key
        .as_ref()
        .ok_or(NotCarried::Forged)?;
    if key.verify(Purpose::Tablet, id, tag) {
        Ok((id, field(pairs, "nomor").unwrap_or("").to_string()))
    } else {
        Err(NotCarried::Forged)
    }
}

/// The hidden fields of a screen after the start.
fn hidden(app: &AppState, id: u64, number: &str, answers: &Answers) -> Vec<(String, String)> {
    let tag = app
        .config
        .survey
        .link_key
        .as_ref()
        .map(|k| k.tag(Purpose::Tablet, id))
        .unwrap_or_default();
    let mut out = vec![
        ("tiket".to_string(), id.to_string()),
        ("kt".to_string(), tag),
        ("nomor".to_string(), number.to_string()),
    ];
    out.extend(hidden_fields(answers));
    out
}

/// A screen after the start, with the ticket and the answers in its hidden fields.
fn step(app: &AppState, id: u64, number: &str, answers: &Answers, screen: Screen) -> TabletPage {
    let mut page = TabletPage::new(app, screen);
    page.hidden = hidden(app, id, number, answers);
    page
}

fn element_screen(app: &AppState, number: &str, answers: &Answers, index: usize) -> Screen {
    let q = &app.config.survey.questionnaire;
    let mut views = survey_form::element_views(q, answers, false);
    let total = views.len();
    if total == 0 {
        // Only a questionnaire without elements gets here, which the configuration refuses.
        return Screen::Closed;
    }
    let index = index.min(total - 1);
    Screen::Element {
        number: number.to_string(),
        index,
        total,
        question: views.swap_remove(index),
    }
}

fn too_many(app: &AppState) -> Response {
    render(
        StatusCode::TOO_MANY_REQUESTS,
        &start(app, "").say(
            "Terlalu banyak permintaan yang ditolak di tablet ini. Silakan tunggu satu menit lalu coba lagi.",
            "Too many refused requests at this tablet. Please wait a minute and try again.",
        ),
    )
}

/// `POST /survei`: every step of the tablet.
pub async fn submit(
    State(app): State<AppState>,
    caller: Caller,
    HtmlForm(pairs): HtmlForm<Vec<(String, String)>>,
) -> Response {
    if !app.config.survey.enabled {
        return render(StatusCode::FORBIDDEN, &closed(&app));
    }
    let action = field(&pairs, "aksi").unwrap_or("");
    if action == "batal" {
        return render(StatusCode::OK, &start(&app, ""));
    }
    // The start screen: keypad presses and the look-up.
    if let Some(key) = field(&pairs, "tekan") {
        let typed = press(field(&pairs, "nomor").unwrap_or(""), key, &prefixes(&app));
        return render(StatusCode::OK, &start(&app, &typed));
    }
    if action == "cari" {
        return find(&app, &caller, field(&pairs, "nomor").unwrap_or("")).await;
    }
    // Every later step carries the ticket found.
    let (id, number) = match carried(&app, &pairs) {
        Ok(c) => c,
        Err(why) => {
            if refused_too_often(&app, &caller) {
                return too_many(&app);
            }
            let status = match why {
                NotCarried::Missing => StatusCode::UNPROCESSABLE_ENTITY,
                NotCarried::Forged => StatusCode::FORBIDDEN,
            };
            return render(
                status,
                &start(&app, "").say(
                "Isian survei tidak lengkap. Silakan mulai lagi dengan mengetik nomor antrean Anda.",
                "The survey form was incomplete. Please start again by typing your number.",
                ),
            );
        }
    };
    let q = app.config.survey.questionnaire.clone();
    let mut answers = match survey_form::read_answers(&pairs, &q) {
        Ok(a) => a,
        Err(m) => {
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &start(&app, "").say(m, "The answers could not be read. Please start again."),
            );
        }
    };
    let screen = field(&pairs, "layar").unwrap_or("");
    let at = screen
        .strip_prefix('u')
        .and_then(|n| n.parse::<usize>().ok());
    let total = q.elements.len();
    let page = match (screen, action) {
        ("profil", "lewati") => {
            answers.profile.clear();
            step(
                &app,
                id,
                &number,
                &answers,
                element_screen(&app, &number, &answers, 0),
            )
        }
        ("profil", _) => step(
            &app,
            id,
            &number,
            &answers,
            element_screen(&app, &number, &answers, 0),
        ),
        (_, "kembali") if at == Some(0) => profile_screen(&app, id, &number, &answers),
        (_, "kembali") if at.is_some() => {
            let i = at.unwrap_or(1).saturating_sub(1);
            step(
                &app,
                id,
                &number,
                &answers,
                element_screen(&app, &number, &answers, i),
            )
        }
        ("saran", "kembali") => step(
            &app,
            id,
            &number,
            &answers,
            element_screen(&app, &number, &answers, total.saturating_sub(1)),
        ),
        ("saran", "kirim") => return send(&app, id, &number, answers).await,
        _ => match (at, field(&pairs, "jawab")) {
            (Some(i), Some(score)) if i < total => {
                let Some(score) = score.parse::<u8>().ok().filter(|s| (1..=4).contains(s)) else {
                    return render(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &step(
                            &app,
                            id,
                            &number,
                            &answers,
                            element_screen(&app, &number, &answers, i),
                        )
                        .say("Pilih salah satu jawaban.", "Please choose one answer."),
                    );
                };
                answers.scores.insert(q.elements[i].id.clone(), score);
                if i + 1 < total {
                    step(
                        &app,
                        id,
                        &number,
                        &answers,
                        element_screen(&app, &number, &answers, i + 1),
                    )
                } else {
                    suggestion_screen(&app, id, &number, &answers)
                }
            }
            _ => {
                return render(
                    StatusCode::BAD_REQUEST,
                    &start(&app, "").say(
                        "Langkah survei tidak dikenal. Silakan mulai lagi.",
                        "Unknown survey step. Please start again.",
                    ),
                );
            }
        },
    };
    render(StatusCode::OK, &page)
}

fn profile_screen(app: &AppState, id: u64, number: &str, answers: &Answers) -> TabletPage {
    let q = &app.config.survey.questionnaire;
    // The profile is the screen's own choices, not hidden fields as well.
    let mut without = answers.clone();
    without.profile.clear();
    step(
        app,
        id,
        number,
        &without,
        Screen::Profile {
            number: number.to_string(),
            questions: survey_form::profile_views(q, answers),
        },
    )
}

fn suggestion_screen(app: &AppState, id: u64, number: &str, answers: &Answers) -> TabletPage {
    let text = answers.suggestion.clone();
    let mut without = answers.clone();
    // The suggestion is the screen's own textarea, not a hidden field as well.
    without.suggestion.clear();
    step(
        app,
        id,
        number,
        &without,
        Screen::Suggestion {
            number: number.to_string(),
            text,
            max: SUGGESTION_MAX,
        },
    )
}

/// The look-up of the typed number among today's tickets.
async fn find(app: &AppState, caller: &Caller, typed: &str) -> Response {
    let typed = typed.trim();
    if !typed.chars().any(|c| c.is_ascii_digit()) || typed.chars().count() > 12 {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &start(app, "").say(
                "Ketik nomor antrean pada tiket Anda, misalnya A 7.",
                "Type the number on your ticket, for example A 7.",
            ),
        );
    }
    let refuse =
        |status: StatusCode, id: String, en: String| render(status, &start(app, "").say(id, en));
    match app.store.survey_find(typed.to_string()).await {
        Ok(Some((id, SurveyStatus::Open))) => {
            let number = match app.store.ticket(id).await {
                Ok(Some(t)) => t.ticket.label,
                _ => typed.to_string(),
            };
            let empty = Answers {
                profile: Default::default(),
                scores: Default::default(),
                suggestion: String::new(),
            };
            render(StatusCode::OK, &profile_screen(app, id, &number, &empty))
        }
        Ok(None) | Ok(Some((_, SurveyStatus::Unknown))) if refused_too_often(app, caller) => {
            too_many(app)
        }
        Ok(None) | Ok(Some((_, SurveyStatus::Unknown))) => refuse(
            StatusCode::NOT_FOUND,
            format!("Nomor {typed} tidak ditemukan hari ini. Periksa nomor pada tiket Anda."),
            format!("Number {typed} was not found today. Please check the number on your ticket."),
        ),
        Ok(Some((_, SurveyStatus::NotServed))) => refuse(
            StatusCode::CONFLICT,
            format!(
                "Nomor {typed} belum selesai dilayani. Survei dapat diisi setelah pelayanan selesai."
            ),
            format!("Number {typed} has not been served yet. The survey opens after the service."),
        ),
        Ok(Some((_, SurveyStatus::NoShow))) => refuse(
            StatusCode::CONFLICT,
            format!(
                "Nomor {typed} tercatat tidak hadir saat dipanggil: belum ada pelayanan yang dapat dinilai."
            ),
            format!("Number {typed} was called and not present: there is no service to rate yet."),
        ),
        Ok(Some((_, SurveyStatus::Cancelled))) => refuse(
            StatusCode::CONFLICT,
            format!("Nomor {typed} dibatalkan: tidak ada pelayanan yang dapat dinilai."),
            format!("Number {typed} was cancelled: there is no service to rate."),
        ),
        Ok(Some((_, SurveyStatus::Answered))) => refuse(
            StatusCode::CONFLICT,
            format!("Survei untuk nomor {typed} sudah diisi. Terima kasih."),
            format!("The survey for number {typed} has already been answered. Thank you."),
        ),
        Ok(Some((_, SurveyStatus::Expired))) => refuse(
            StatusCode::GONE,
            format!("Waktu pengisian survei untuk nomor {typed} sudah lewat."),
            format!("The survey for number {typed} has closed."),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "survey look-up failed");
            refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "Survei sedang tidak dapat dibuka. Silakan coba lagi nanti.".to_string(),
                "The survey is unavailable at the moment. Please try again later.".to_string(),
            )
        }
    }
}

/// The last step: the answers stored, once.
async fn send(app: &AppState, id: u64, number: &str, answers: Answers) -> Response {
    let q = app.config.survey.questionnaire.clone();
    if let Err(e) = answers.validate(&q) {
        // Only a tampered form gets here: the screens ask every element in turn.
        let first = q
            .elements
            .iter()
            .position(|e| !answers.scores.contains_key(&e.id))
            .unwrap_or(0);
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &step(
                app,
                id,
                number,
                &answers,
                element_screen(app, number, &answers, first),
            )
            .say(e.0, "Please answer this question."),
        );
    }
    let kept = answers.clone();
    match app.store.survey_submit(id, answers, Channel::Tablet).await {
        Ok(()) => render(StatusCode::OK, &TabletPage::new(app, Screen::Done)),
        Err(OpError::Survey(r)) => {
            let status = match r {
                SurveyRefusal::Unknown => StatusCode::NOT_FOUND,
                SurveyRefusal::Answered
                | SurveyRefusal::NotServed
                | SurveyRefusal::NoShow
                | SurveyRefusal::Cancelled => StatusCode::CONFLICT,
                SurveyRefusal::Expired => StatusCode::GONE,
                SurveyRefusal::Closed => StatusCode::FORBIDDEN,
                SurveyRefusal::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            };
            render(
                status,
                &start(app, "").say(r.to_string(), "The survey could not be recorded."),
            )
        }
        Err(e) => {
            tracing::warn!(error = %e, "tablet survey response not stored");
            render(
                StatusCode::SERVICE_UNAVAILABLE,
                &suggestion_screen(app, id, number, &kept).say(
                    "Penilaian belum tersimpan karena gangguan sistem. Silakan tekan Kirim lagi.",
                    "Your rating was not saved because of a system fault. Please press Send again.",
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::press;

    #[test]
    fn the_keypad_types_a_number() {
        let p = vec!["A".to_string(), "BK".to_string()];
        let mut t = String::new();
        for k in ["7", "A", "0", "1"] {
            t = press(&t, k, &p);
        }
        assert_eq!(t, "A701");
        assert_eq!(press(&t, "BK", &p), "BK701");
        assert_eq!(press(&t, "hapus", &p), "A70");
        assert_eq!(press("A", "hapus", &p), "");
        assert_eq!(press(&t, "kosong", &p), "");
        assert_eq!(press(&t, "Z", &p), "A701", "not a prefix");
        assert_eq!(press("A123456", "7", &p), "A123456", "at most six digits");
    }
}
