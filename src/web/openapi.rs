//! `GET /api/v1/openapi.json`: the HTTP interface as an OpenAPI 3.1 document.
//!
//! Operations, bodies and responses come from the `#[utoipa::path]` annotations on the
//! handlers and the `ToSchema` types they return, so a changed type changes the document.
//! Who may call what comes from the route table (`super::table`), the one place that says
//! so: security requirements and the guard's refusals (401, 403, the login redirect) are
//! added from it here, not repeated in each annotation. The pages (HTML) are in the document
//! too, so it lists every route the daemon answers; `tests/openapi.rs` holds the two to each
//! other.

use std::sync::LazyLock;

use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use utoipa::OpenApi;

use super::auth::COOKIE_NAME;
use super::error::ApiError;
use super::guard::{Access, is_page};
use super::{
    RouteSpec, complaints, console, counters, display, events, health, letters, metrics,
    printer_api, tickets,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "loket",
        description = "Queue tickets, lobby display and staff console of a public-service office.\n\n\
            JSON in and out under `/api/v1`. Every error of the API is `{\"error\":{\"code\":\"…\",\"message\":\"…\"}}` \
            (schema `ApiError`): `code` is stable, and each operation lists the codes it answers with as named \
            examples of its error responses; `message` is for people, in Bahasa Indonesia. A refused request \
            changes nothing and consumes no number; a 2xx that changes state is sent after the change is \
            durably committed. Any path not listed answers 404 `not_found`, a listed path with another \
            method 405 `method_not_allowed`.\n\n\
            Staff operations need the session cookie from `POST /login`; state-changing ones also the \
            session's CSRF token (see the security schemes). Each operation's description says who may call it."
    ),
    paths(
        tickets::issue,
        tickets::get,
        tickets::queue,
        tickets::reprint,
        tickets::void,
        counters::operate,
        printer_api::status,
        printer_api::test,
        display::snapshot,
        display::announcement,
        display::png,
        events::stream,
        events::staff_stream,
        console::audit_verify,
        super::service_day::confirm,
        complaints::open,
        complaints::get,
        complaints::identity,
        complaints::act,
        complaints::reprint,
        complaints::attach,
        complaints::attachment,
        letters::signed,
        letters::preview,
        letters::receipt,
        health::healthz,
        metrics::metrics,
        openapi_json,
        pages::root,
        pages::kiosk,
        pages::display,
        pages::track,
        pages::login_page,
        pages::login_submit,
        pages::logout,
        pages::console_home,
        pages::queue_report,
        pages::survey_report,
        pages::glance,
        pages::complaint_recap,
        pages::monthly_report,
        pages::my_work,
        pages::password_page,
        pages::password_submit,
        pages::counter_page,
        pages::counter_submit,
        pages::status_page,
        pages::users_page,
        pages::user_add,
        pages::user_disable,
        pages::confirm_service_day,
        pages::user_enable,
        pages::user_reset_password,
        pages::user_roles,
        pages::services_page,
        pages::complaint_register,
        pages::complaint_register_csv,
        pages::complaint_new,
        pages::complaint_new_submit,
        pages::complaint_page,
        pages::complaint_act,
        pages::complaint_identity,
        pages::complaint_attach,
        pages::lacak_form,
        pages::lacak,
        pages::track_survey,
        pages::survey_tablet,
        pages::survey_tablet_step,
    ),
    components(schemas(crate::events::Event, crate::events::ComplaintEvent)),
    tags(
        (name = "tickets", description = "Taking a number, following it, and the staff's remedies for paper"),
        (name = "queue", description = "The queue as a snapshot and as a stream of committed changes"),
        (name = "counters", description = "Calling and serving at a counter"),
        (name = "display", description = "The lobby board: public, numbers only"),
        (name = "printer", description = "The ticket printer, for staff"),
        (name = "complaints", description = "Complaints under the office's SOP: opening, the steps, the receipt"),
        (name = "audit", description = "The hash-chained audit log"),
        (name = "operations", description = "Health and monitoring"),
        (name = "pages", description = "HTML pages for people: kiosk, board, ticket tracking, login and the staff console"),
    )
)]
struct ApiDoc;

/// Built once: the document does not change while the daemon runs.
static DOCUMENT: LazyLock<Result<String, String>> =
    LazyLock::new(|| serde_json::to_string(&document()).map_err(|e| e.to_string()));

/// The document with the route table's access rules applied.
pub fn document() -> Value {
    let mut doc = match serde_json::to_value(ApiDoc::openapi()) {
        Ok(v) => v,
        // Serialising plain data to a `Value` does not fail; an empty document would show it.
        Err(_) => return json!({}),
    };
    // utoipa fills the licence from Cargo.toml, which names none; an empty name is invalid.
    if let Some(info) = doc["info"].as_object_mut() {
        info.remove("license");
    }
    doc["components"]["securitySchemes"] = json!({
        "session": {
            "type": "apiKey",
            "in": "cookie",
            "name": COOKIE_NAME,
            "description": "Set by `POST /login` (HttpOnly, SameSite=Strict, Secure over HTTPS). \
                Ends at logout, when the password changes, and after `console.idle_timeout_minutes` \
                idle or `console.absolute_timeout_hours` (30 minutes and 12 hours by default)."
        },
        "csrf": {
            "type": "apiKey",
            "in": "header",
            "name": "X-CSRF-Token",
            "description": "The session's token: the hidden `csrf` field on every console page. \
                Needed with the session on staff requests that change state, unless the request \
                proves it comes from our own pages (`Sec-Fetch-Site: same-origin` or a same-host \
                `Origin`, as browsers send)."
        }
    });
    for spec in super::routes() {
        apply_access(&mut doc, spec);
    }
    doc
}

/// Security, the access note and the guard's refusals for one route of the table. A route
/// the document lacks is left alone: the test reports it.
fn apply_access(doc: &mut Value, spec: &RouteSpec) {
    let method = spec.method.as_str().to_ascii_lowercase();
    let Some(op) = doc["paths"]
        .get_mut(spec.path)
        .and_then(|item| item.get_mut(&method))
    else {
        return;
    };
    let page = is_page(spec.path);
    let changes = !matches!(spec.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let who = match spec.access {
        Access::Public => "public".to_string(),
        Access::SurveyTablet => {
            "no login, only from the survey tablets' addresses (`[survey] tablets`)".to_string()
        }
        Access::Staff => "any logged-in staff member".to_string(),
        Access::Roles(roles) => {
            let names: Vec<String> = roles.iter().map(|r| format!("`{}`", r.as_str())).collect();
            format!("staff with the role {}", names.join(" or "))
        }
    };
    let note = format!("Access: {who}.");
    op["description"] = match op.get("description").and_then(Value::as_str) {
        Some(d) if !d.is_empty() => Value::String(format!("{d}\n\n{note}")),
        _ => Value::String(note),
    };
    let refuse = |status: u16, code: &str, message: &str, when: &str| Refusal {
        status,
        code: code.to_string(),
        message: message.to_string(),
        when: when.to_string(),
    };
    let mut refusals = Vec::new();
    if changes {
        refusals.push(refuse(
            403,
            "cross_site",
            "Permintaan dari situs lain ditolak.",
            "Sent from another site (`Sec-Fetch-Site` or `Origin`)",
        ));
    }
    if spec.access == Access::SurveyTablet {
        refusals.push(refuse(
            403,
            "not_a_tablet",
            "Perangkat ini bukan tablet survei kantor.",
            "From an address not in `[survey] tablets`: a page asking for the ticket's QR code",
        ));
    }
    if !matches!(spec.access, Access::Public | Access::SurveyTablet) {
        op["security"] = if changes {
            json!([{"session": [], "csrf": []}])
        } else {
            json!([{"session": []}])
        };
        if page && spec.method == Method::GET {
            redirect(op, "Not logged in: to `/login?next=…`");
        } else {
            refusals.push(refuse(
                401,
                "unauthenticated",
                "Silakan masuk terlebih dahulu.",
                "No valid session",
            ));
        }
        if changes {
            refusals.push(refuse(
                403,
                "csrf",
                "Permintaan ditolak: asal permintaan tidak dapat dipastikan (CSRF).",
                "Neither our pages' browser headers nor the session's `X-CSRF-Token`",
            ));
        }
    }
    if let Access::Roles(_) = spec.access {
        refusals.push(refuse(
            403,
            "forbidden",
            "Anda tidak memiliki hak untuk halaman atau tindakan ini.",
            "The account lacks the role",
        ));
        if page && spec.method == Method::GET {
            redirect(
                op,
                "A generated password must be changed first: to `/console/password`",
            );
        } else {
            refusals.push(refuse(
                403,
                "password_change_required",
                "Ganti kata sandi Anda terlebih dahulu.",
                "A generated password must be changed first",
            ));
        }
    }
    for r in refusals {
        add_refusal(op, page, r);
    }
}

struct Refusal {
    status: u16,
    code: String,
    message: String,
    when: String,
}

/// Adds one refusal of the guard to an operation, beside what the handler declares for the
/// same status. Pages are refused with a short HTML page, the API with its error body.
fn add_refusal(op: &mut Value, page: bool, r: Refusal) {
    let response = op["responses"]
        .as_object_mut()
        .map(|rs| rs.entry(r.status.to_string()).or_insert_with(|| json!({})));
    let Some(response) = response else {
        return;
    };
    let when = format!("{} (`{}`)", r.when, r.code);
    response["description"] = match response.get("description").and_then(Value::as_str) {
        Some(d) if !d.is_empty() => Value::String(format!("{d}; {when}")),
        _ => Value::String(when),
    };
    if page {
        response["content"]["text/html"]["schema"] = json!({"type": "string"});
        return;
    }
    let media = &mut response["content"]["application/json"];
    media["schema"] = json!({"$ref": "#/components/schemas/ApiError"});
    if !media["examples"].is_object() {
        media["examples"] = Value::Object(Map::new());
    }
    media["examples"][r.code.as_str()] = json!({
        "value": {"error": {"code": r.code, "message": r.message}}
    });
}

/// A `303 See Other` of the guard (pages only), joined with any the page itself declares.
fn redirect(op: &mut Value, when: &str) {
    let Some(responses) = op["responses"].as_object_mut() else {
        return;
    };
    let response = responses.entry("303").or_insert_with(|| json!({}));
    response["description"] = match response.get("description").and_then(Value::as_str) {
        Some(d) if !d.is_empty() => Value::String(format!("{d}; {when}")),
        _ => Value::String(when.to_string()),
    };
    response["headers"]["Location"] = json!({"schema": {"type": "string"}});
}

/// This document
///
/// OpenAPI 3.1, generated from the handlers and the route table.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "operations",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object))
)]
pub async fn openapi_json() -> Response {
    match &*DOCUMENT {
        Ok(body) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            body.as_str(),
        )
            .into_response(),
        Err(e) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "openapi",
            format!("Dokumen API tidak dapat disusun: {e}"),
        )
        .into_response(),
    }
}

/// The pages, for the document only: their handlers build HTML and answer people, so they
/// are described here instead of annotated where they are written. The route table decides
/// that they exist; the test checks these stubs against it.
#[allow(dead_code)]
mod pages {
    /// Start page: to the kiosk
    #[utoipa::path(get, path = "/", tag = "pages", responses(
        (status = 303, description = "To `/kiosk`", headers(("Location" = String))),
    ))]
    fn root() {}

    /// The kiosk
    ///
    /// Touch screen for citizens: the open services, a priority switch, and the number taken.
    #[utoipa::path(get, path = "/kiosk", tag = "pages", responses(
        (status = 200, description = "The page", content_type = "text/html", body = String),
        (status = 503, description = "The store does not answer", content_type = "text/html", body = String),
    ))]
    fn kiosk() {}

    /// The lobby board
    ///
    /// Loads `/api/v1/display`, follows `/api/v1/events` and plays the announcements.
    #[utoipa::path(get, path = "/display", tag = "pages", responses(
        (status = 200, description = "The page", content_type = "text/html", body = String),
    ))]
    fn display() {}

    /// A ticket, for the citizen
    ///
    /// The page the QR code on the ticket opens: number, state and the wait. Once the ticket
    /// is served and opened with its key from the QR code (`k`), it shows the satisfaction
    /// survey (or that it was answered, has closed, or the key does not match).
    #[utoipa::path(get, path = "/t/{id}", tag = "pages",
        params(
            ("id" = u64, Path, description = "The ticket's `id`"),
            ("k" = Option<String>, Query, description = "The ticket's survey key, printed in its QR code"),
        ),
        responses(
            (status = 200, description = "The page", content_type = "text/html", body = String),
            (status = 404, description = "No such ticket (the page says so)", content_type = "text/html", body = String),
        ))]
    fn track() {}

    /// Answer the survey from the ticket's page
    ///
    /// Form fields: `k` (the ticket's key from its QR code), `u.{element}` = 1-4 for every
    /// element, optional `p.{question}` = one of its options, optional `saran` (at most 1000
    /// characters). One answer per served ticket, within `[survey] answer_days`. Refused
    /// posts (no key, a wrong key, no such ticket) are limited to 10 a minute per client
    /// address; a post with the ticket's key is never held off.
    #[utoipa::path(post, path = "/t/{id}", tag = "pages",
        params(("id" = u64, Path, description = "The ticket's `id`")),
        request_body(content_type = "application/x-www-form-urlencoded", content = String, description = "`k`, `u.{element}`, `p.{question}`, `saran`"),
        responses(
            (status = 200, description = "Thank-you page: the answer is stored", content_type = "text/html", body = String),
            (status = 403, description = "A key that is not the ticket's, or the survey is closed", content_type = "text/html", body = String),
            (status = 404, description = "No such ticket", content_type = "text/html", body = String),
            (status = 409, description = "Already answered, not served, a no-show or cancelled", content_type = "text/html", body = String),
            (status = 410, description = "Too long after the visit", content_type = "text/html", body = String),
            (status = 422, description = "No key, or answers incomplete or invalid: the form again, with what is missing", content_type = "text/html", body = String),
            (status = 429, description = "Too many refused posts from this address (a post with the ticket's key is not held off)", content_type = "text/html", body = String),
        ))]
    fn track_survey() {}

    /// The survey tablet: start screen
    ///
    /// Kiosk-style page for a tablet at the exit: a keypad for the ticket's number.
    #[utoipa::path(get, path = "/survei", tag = "pages", responses(
        (status = 200, description = "The start screen (or that the survey is closed)", content_type = "text/html", body = String),
    ))]
    fn survey_tablet() {}

    /// The survey tablet: one step
    ///
    /// Every screen posts here: `tekan` (a keypad key) with `nomor`; `aksi=cari` looks up
    /// today's ticket `nomor`; later steps carry `tiket`, its tablet key `kt`, `layar` (the
    /// screen) and the answers so far (`p.{question}`, `u.{element}`, `saran`), with `jawab`
    /// (1-4) or `aksi` (`lanjut`, `lewati`, `kembali`, `kirim`, `batal`). Only `kirim` stores.
    /// Refusals (a number not found, a forged step): 30 a minute per tablet.
    #[utoipa::path(post, path = "/survei", tag = "pages",
        request_body(content_type = "application/x-www-form-urlencoded", content = String, description = "See above"),
        responses(
            (status = 200, description = "The next screen", content_type = "text/html", body = String),
            (status = 400, description = "An unknown step: the start screen again", content_type = "text/html", body = String),
            (status = 403, description = "A ticket whose key is not its own (edited), or the survey closed", content_type = "text/html", body = String),
            (status = 404, description = "No ticket with that number today", content_type = "text/html", body = String),
            (status = 409, description = "Not served yet, a no-show, cancelled, or already answered", content_type = "text/html", body = String),
            (status = 410, description = "Too long after the visit", content_type = "text/html", body = String),
            (status = 422, description = "Nothing typed, no ticket carried, or answers invalid", content_type = "text/html", body = String),
            (status = 429, description = "Too many refusals at this tablet", content_type = "text/html", body = String),
        ))]
    fn survey_tablet_step() {}

    /// Login form
    #[utoipa::path(get, path = "/login", tag = "pages",
        params(("next" = Option<String>, Query, description = "Where to go after logging in (a path of this site)")),
        responses(
            (status = 200, description = "The form", content_type = "text/html", body = String),
            (status = 303, description = "Already logged in: to `/console`", headers(("Location" = String))),
        ))]
    fn login_page() {}

    /// Log in
    ///
    /// Form fields `username`, `password` and `next`. Failures are throttled per account and
    /// per address and audited.
    #[utoipa::path(post, path = "/login", tag = "pages",
        request_body(content_type = "application/x-www-form-urlencoded", content = String, description = "`username`, `password`, `next`"),
        responses(
            (status = 303, description = "Logged in: the session cookie is set; to `next`, or to `/console/password` when the password must be changed", headers(("Set-Cookie" = String), ("Location" = String))),
            (status = 400, description = "Incomplete form", content_type = "text/html", body = String),
            (status = 401, description = "Wrong name or password, or a disabled account", content_type = "text/html", body = String),
            (status = 429, description = "Too many failures: locked for a while", content_type = "text/html", body = String),
            (status = 500, description = "No session could be made", content_type = "text/html", body = String),
            (status = 503, description = "The store does not answer", content_type = "text/html", body = String),
        ))]
    fn login_submit() {}

    /// Log out
    #[utoipa::path(post, path = "/logout", tag = "pages", responses(
        (status = 303, description = "Logged out: the session ends and its cookie is cleared; to `/login`", headers(("Set-Cookie" = String), ("Location" = String))),
    ))]
    fn logout() {}

    /// The console's start page
    #[utoipa::path(get, path = "/console", tag = "pages", responses(
        (status = 200, description = "The page", content_type = "text/html", body = String),
    ))]
    fn console_home() {}

    /// The queue report (office head, administrator)
    ///
    /// Per day, service, counter and staff member over `dari..=sampai` (default: this month
    /// to today, at most 366 days): tickets, no-shows, transfers, wait and service time
    /// (median and p90, nearest rank), with charts; `format=csv|xlsx` downloads the tables.
    #[utoipa::path(get, path = "/console/laporan", tag = "pages",
        params(
            ("dari" = Option<String>, Query, description = "First day, `YYYY-MM-DD`"),
            ("sampai" = Option<String>, Query, description = "Last day, `YYYY-MM-DD`"),
            ("format" = Option<String>, Query, description = "`csv` or `xlsx`; absent: the page"),
        ),
        responses(
            (status = 200, description = "The page, or the file (`laporan-antrian-2026-11.xlsx`)", content_type = "text/html", body = String),
            (status = 400, description = "A bad date, a reversed range, a range over 366 days or an unknown format", content_type = "text/html", body = String),
            (status = 503, description = "The store does not answer", content_type = "text/html", body = String),
        ))]
    fn queue_report() {}

    /// The survey report (office head, administrator)
    ///
    /// The citizen satisfaction index (IKM, PermenPANRB 14/2017) of `periode`: per element
    /// the sum, NRR, weighted NRR, converted figure and grade, weakest first, with a chart;
    /// per service and per counter; respondents beside the Krejcie–Morgan sample for the
    /// served visits; profile counts; the anonymous suggestions. `format=csv|xlsx` downloads
    /// the tables; `format=pdf` the published report under the letterhead.
    #[utoipa::path(get, path = "/console/survei", tag = "pages",
        params(
            ("periode" = Option<String>, Query, description = "`2026-11` (month), `2026-T4` (quarter), `2026-S2` (semester) or `2026` (year); default this quarter"),
            ("format" = Option<String>, Query, description = "`csv`, `xlsx` or `pdf`; absent: the page"),
        ),
        responses(
            (status = 200, description = "The page, or the file (`survei-kepuasan-2026-T4.xlsx`, `laporan-survei-kepuasan-2026-T4.pdf`)", content_type = "text/html", body = String),
            (status = 400, description = "An unknown period or format", content_type = "text/html", body = String),
            (status = 503, description = "The store does not answer", content_type = "text/html", body = String),
        ))]
    fn survey_report() {}

    /// "Hari ini" alone (office head, administrator)
    ///
    /// The console home's today-at-a-glance block as an HTML fragment (no layout): per
    /// service tickets, waiting, served, no-shows, wait and service time (median, p90); per
    /// counter the times; complaints open and overdue; the printer. The home swaps it in on
    /// queue and complaint events.
    #[utoipa::path(get, path = "/console/ringkasan", tag = "pages", responses(
        (status = 200, description = "The fragment", content_type = "text/html", body = String),
        (status = 503, description = "The store does not answer", content_type = "text/html", body = String),
    ))]
    fn glance() {}

    /// The monthly complaint recap (office head, administrator)
    ///
    /// The *laporan pengelolaan pengaduan* of `bulan` (`YYYY-MM`, default this month):
    /// received by channel, level and flow; closed; steps and complaints within their time
    /// standard; mean working minutes per step against its standard; the overdue steps.
    /// `format=csv|xlsx` downloads the tables.
    #[utoipa::path(get, path = "/console/laporan/pengaduan", tag = "pages",
        params(
            ("bulan" = Option<String>, Query, description = "The month, `YYYY-MM`"),
            ("format" = Option<String>, Query, description = "`csv` or `xlsx`; absent: the page"),
        ),
        responses(
            (status = 200, description = "The page, or the file (`laporan-pengaduan-2026-11.xlsx`)", content_type = "text/html", body = String),
            (status = 400, description = "A bad month or an unknown format", content_type = "text/html", body = String),
            (status = 503, description = "The store does not answer", content_type = "text/html", body = String),
        ))]
    fn complaint_recap() {}

    /// The monthly report as a PDF (office head, administrator)
    ///
    /// The month's queue tables and complaint recap under the office's letterhead, with the
    /// Kepala Dinas' signature block: the paper the office head signs and files.
    #[utoipa::path(get, path = "/console/laporan/bulanan", tag = "pages",
        params(("bulan" = Option<String>, Query, description = "The month, `YYYY-MM`; default this month")),
        responses(
            (status = 200, description = "`laporan-bulanan-2026-11.pdf`", content_type = "application/pdf", body = Vec<u8>),
            (status = 400, description = "A bad month", content_type = "text/html", body = String),
            (status = 503, description = "The store does not answer", content_type = "text/html", body = String),
        ))]
    fn monthly_report() {}

    /// "Langkah saya" alone
    ///
    /// The console home's list of the complaint steps waiting on the user, as an HTML
    /// fragment (no layout): the home page swaps it in when a complaint changes.
    #[utoipa::path(get, path = "/console/langkah", tag = "pages", responses(
        (status = 200, description = "The fragment", content_type = "text/html", body = String),
    ))]
    fn my_work() {}

    /// Change password form
    #[utoipa::path(get, path = "/console/password", tag = "pages", responses(
        (status = 200, description = "The form", content_type = "text/html", body = String),
    ))]
    fn password_page() {}

    /// Change one's own password
    ///
    /// Form fields `current`, `new`, `confirm`. Other sessions of the account end.
    #[utoipa::path(post, path = "/console/password", tag = "pages",
        request_body(content_type = "application/x-www-form-urlencoded", content = String, description = "`current`, `new`, `confirm`"),
        responses(
            (status = 303, description = "Changed: to `/console`", headers(("Location" = String))),
            (status = 400, description = "Incomplete, not matching, or too weak", content_type = "text/html", body = String),
            (status = 401, description = "The current password is wrong", content_type = "text/html", body = String),
            (status = 503, description = "The store does not answer", content_type = "text/html", body = String),
        ))]
    fn password_submit() {}

    /// A counter's page
    #[utoipa::path(get, path = "/console/counter/{id}", tag = "pages",
        params(("id" = u32, Path, description = "The counter's id")),
        responses(
            (status = 200, description = "The page", content_type = "text/html", body = String),
            (status = 404, description = "No such counter", content_type = "text/html", body = String),
            (status = 503, description = "The store does not answer", content_type = "text/html", body = String),
        ))]
    fn counter_page() {}

    /// Operate a counter from its page
    ///
    /// The same operations as `POST /api/v1/counters/{id}/{op}`; `transfer` takes the form
    /// field `service`.
    #[utoipa::path(post, path = "/console/counter/{id}/{op}", tag = "pages",
        params(("id" = u32, Path, description = "The counter's id"), ("op" = String, Path, description = "As in `POST /api/v1/counters/{id}/{op}`")),
        request_body(content_type = "application/x-www-form-urlencoded", content = String, description = "`service` (for `transfer`)"),
        responses(
            (status = 303, description = "Back to the counter's page, which shows the outcome once (kept for the session, never in the address)", headers(("Location" = String))),
            (status = 503, description = "The store cannot write: said on this page, nothing changed", content_type = "text/html", body = String),
        ))]
    fn counter_submit() {}

    /// Printer and queue status for staff
    #[utoipa::path(get, path = "/console/status", tag = "pages", responses(
        (status = 200, description = "The page", content_type = "text/html", body = String),
    ))]
    fn status_page() {}

    /// Accounts
    #[utoipa::path(get, path = "/console/users", tag = "pages", responses(
        (status = 200, description = "The page", content_type = "text/html", body = String),
    ))]
    fn users_page() {}

    /// Add an account
    ///
    /// Form fields `username`, `display_name`, `role` (repeated). A password is generated,
    /// shown once, and must be changed at first login.
    #[utoipa::path(post, path = "/console/users", tag = "pages",
        request_body(content_type = "application/x-www-form-urlencoded", content = String, description = "`username`, `display_name`, `role`…"),
        responses(
            (status = 200, description = "Added: the page shows the generated password", content_type = "text/html", body = String),
            (status = 303, description = "Refused (name taken or invalid, no role): back to `/console/users`, which shows why", headers(("Location" = String))),
            (status = 503, description = "The store cannot write: said on this page, nothing changed", content_type = "text/html", body = String),
        ))]
    fn user_add() {}

    /// Disable an account
    ///
    /// Without form field `confirm=ya`, a page asks first and nothing changes. Its sessions
    /// end. The last enabled administrator is not disabled (`last_admin`, shown on the list).
    #[utoipa::path(post, path = "/console/users/{name}/disable", tag = "pages",
        params(("name" = String, Path, description = "The username")),
        request_body(content_type = "application/x-www-form-urlencoded", content = String, description = "`confirm=ya` once confirmed"),
        responses(
            (status = 200, description = "Not confirmed yet: the confirmation page", content_type = "text/html", body = String),
            (status = 303, description = "Back to `/console/users`, which shows the outcome", headers(("Location" = String))),
            (status = 503, description = "The store cannot write: said on this page, nothing changed", content_type = "text/html", body = String),
        ))]
    fn user_disable() {}

    /// Begin the new service day a suspect clock shows
    ///
    /// The console's "Mulai hari layanan baru" (administrators, while `/healthz` says
    /// `clock_suspect`). Without form field `confirm=ya`, a page asks first and nothing
    /// changes. Audited as `service_day_confirmed`.
    #[utoipa::path(post, path = "/console/service-day", tag = "pages",
        request_body(content_type = "application/x-www-form-urlencoded", content = String, description = "`confirm=ya` once confirmed"),
        responses(
            (status = 200, description = "Not confirmed yet: the confirmation page", content_type = "text/html", body = String),
            (status = 303, description = "Back to `/console`, which shows the outcome", headers(("Location" = String))),
        ))]
    fn confirm_service_day() {}

    /// Enable a disabled account
    ///
    /// It logs in again with the password it had.
    #[utoipa::path(post, path = "/console/users/{name}/enable", tag = "pages",
        params(("name" = String, Path, description = "The username")),
        responses(
            (status = 303, description = "Back to `/console/users`, which shows the outcome", headers(("Location" = String))),
            (status = 503, description = "The store cannot write: said on this page, nothing changed", content_type = "text/html", body = String),
        ))]
    fn user_enable() {}

    /// Reset an account's password
    ///
    /// Without form field `confirm=ya`, a page asks first and nothing changes. A new password
    /// is generated and shown once; the account's sessions end.
    #[utoipa::path(post, path = "/console/users/{name}/password", tag = "pages",
        params(("name" = String, Path, description = "The username")),
        request_body(content_type = "application/x-www-form-urlencoded", content = String, description = "`confirm=ya` once confirmed"),
        responses(
            (status = 200, description = "Not confirmed yet: the confirmation page; confirmed: the page shows the generated password", content_type = "text/html", body = String),
            (status = 303, description = "Refused (no such account): back to `/console/users`, which shows why", headers(("Location" = String))),
            (status = 503, description = "The store cannot write: said on this page, nothing changed", content_type = "text/html", body = String),
        ))]
    fn user_reset_password() {}

    /// Change an account's roles
    ///
    /// Form field `role`, repeated. An administrator cannot remove their own admin role.
    #[utoipa::path(post, path = "/console/users/{name}/roles", tag = "pages",
        params(("name" = String, Path, description = "The username")),
        request_body(content_type = "application/x-www-form-urlencoded", content = String, description = "`role`…"),
        responses(
            (status = 303, description = "Back to `/console/users`, which shows the outcome", headers(("Location" = String))),
            (status = 503, description = "The store cannot write: said on this page, nothing changed", content_type = "text/html", body = String),
        ))]
    fn user_roles() {}

    /// Services and counters, as configured
    #[utoipa::path(get, path = "/console/services", tag = "pages", responses(
        (status = 200, description = "The page", content_type = "text/html", body = String),
    ))]
    fn services_page() {}

    /// The complaint register
    ///
    /// Query fields (all optional): `number`, `from`, `to` (`YYYY-MM-DD`), `name`, `level`,
    /// `flow`, `step`, `status` (`terbuka`, `selesai`), `overdue`, `page`. Complainants masked.
    #[utoipa::path(get, path = "/console/pengaduan", tag = "pages", responses(
        (status = 200, description = "The page", content_type = "text/html", body = String),
        (status = 503, description = "The store does not answer", content_type = "text/html", body = String),
    ))]
    fn complaint_register() {}

    /// The complaint register as CSV
    ///
    /// The same filters as `/console/pengaduan`, every page; names and NIKs masked as there.
    #[utoipa::path(get, path = "/console/pengaduan.csv", tag = "pages", responses(
        (status = 200, description = "RFC 4180 CSV", content_type = "text/csv", body = String),
        (status = 503, description = "The store does not answer", content_type = "text/html", body = String),
    ))]
    fn complaint_register_csv() {}

    /// The complaint intake form
    #[utoipa::path(get, path = "/console/pengaduan/baru", tag = "pages", responses(
        (status = 200, description = "The form", content_type = "text/html", body = String),
    ))]
    fn complaint_new() {}

    /// Open a complaint (the SOP's step 3)
    ///
    /// From today's finished queue ticket (`source=tiket`, `ticket`) or a channel (`source`:
    /// `surat`, `telepon`, `surel`, `datang_langsung`, `lainnya`); the complainant's `name`,
    /// `address`, `phone`, `email`, `nik`, `rahasia`; `service`, `what_happened`,
    /// `happened_on`, `shortfall`, `remedy`, `level`.
    #[utoipa::path(post, path = "/console/pengaduan/baru", tag = "pages",
        request_body(content_type = "application/x-www-form-urlencoded", content = String, description = "The form's fields"),
        responses(
            (status = 303, description = "Opened: to the complaint's page, which names its number and tracking code once", headers(("Location" = String))),
            (status = 422, description = "The form again, values kept, the errors beside their fields; nothing stored", content_type = "text/html", body = String),
            (status = 503, description = "The store cannot write: said on this page, nothing changed", content_type = "text/html", body = String),
        ))]
    fn complaint_new_submit() {}

    /// A complaint: its flow as a timeline, drafts, and the viewer's actions
    #[utoipa::path(get, path = "/console/pengaduan/{id}", tag = "pages",
        params(("id" = u64, Path, description = "The complaint's sequence")),
        responses(
            (status = 200, description = "The page (complainant masked)", content_type = "text/html", body = String),
            (status = 404, description = "No such complaint", content_type = "text/html", body = String),
            (status = 503, description = "The store does not answer", content_type = "text/html", body = String),
        ))]
    fn complaint_page() {}

    /// Act at a complaint's current step
    ///
    /// Form fields `step`, `version` (as the page was read), `kind` (`complete`,
    /// `on_behalf`, `draft`, `approve`, `return`), `note`, `document` (repeated),
    /// `happened_at` (`YYYY-MM-DDTHH:MM`, office time), `text` (the draft).
    #[utoipa::path(post, path = "/console/pengaduan/{id}/aksi", tag = "pages",
        params(("id" = u64, Path, description = "The complaint's sequence")),
        request_body(content_type = "application/x-www-form-urlencoded", content = String, description = "`step`, `version`, `kind`…"),
        responses(
            (status = 303, description = "Done: back to the complaint's page, which says so once", headers(("Location" = String))),
            (status = 403, description = "The step is not the viewer's: the page again with the refusal, nothing changed", content_type = "text/html", body = String),
            (status = 409, description = "Changed by someone else meanwhile, or not this step's turn: the page again, nothing changed", content_type = "text/html", body = String),
            (status = 422, description = "The step does not take this, or the form is incomplete: the page again, nothing changed", content_type = "text/html", body = String),
            (status = 503, description = "The store cannot write: said on this page, nothing changed", content_type = "text/html", body = String),
        ))]
    fn complaint_act() {}

    /// Show a complaint with the complainant's identity whole
    ///
    /// For the complaint officer and the Kepala Dinas; written to the audit log as
    /// `complaint_identity_viewed`.
    #[utoipa::path(post, path = "/console/pengaduan/{id}/identitas", tag = "pages",
        params(("id" = u64, Path, description = "The complaint's sequence")),
        responses(
            (status = 200, description = "The page with the identity", content_type = "text/html", body = String),
            (status = 404, description = "No such complaint", content_type = "text/html", body = String),
            (status = 503, description = "The store does not answer", content_type = "text/html", body = String),
        ))]
    fn complaint_identity() {}

    /// Attach a scan or photo from the complaint's page
    ///
    /// A `multipart/form-data` form with one file field, `file`: PDF, JPEG or PNG by its
    /// content, at most `complaints.max_attachment_kib` KiB. For the complaint officer while
    /// the complaint is open; audited as `complaint_attachment_added`.
    #[utoipa::path(post, path = "/console/pengaduan/{id}/lampiran", tag = "pages",
        params(("id" = u64, Path, description = "The complaint's sequence")),
        request_body(content_type = "multipart/form-data", content = String, description = "`file`: the scan or photo"),
        responses(
            (status = 303, description = "Attached: back to the complaint's page, which says so once", headers(("Location" = String))),
            (status = 404, description = "No such complaint", content_type = "text/html", body = String),
            (status = 409, description = "The complaint is closed: the page again, nothing stored", content_type = "text/html", body = String),
            (status = 413, description = "Larger than the limit: the page again, nothing stored", content_type = "text/html", body = String),
            (status = 415, description = "Not a PDF, JPEG or PNG: the page again, nothing stored", content_type = "text/html", body = String),
            (status = 422, description = "No file chosen: the page again", content_type = "text/html", body = String),
            (status = 503, description = "The store cannot write: said on this page, nothing stored", content_type = "text/html", body = String),
        ))]
    fn complaint_attach() {}

    /// Track a complaint: the form
    ///
    /// A field for the tracking code printed on the complaint receipt; with `?code=` it goes
    /// on to that code's page.
    #[utoipa::path(get, path = "/lacak", tag = "pages",
        params(("code" = Option<String>, Query, description = "The tracking code, as typed")),
        responses(
            (status = 200, description = "The form", content_type = "text/html", body = String),
            (status = 303, description = "With `code`: to `/lacak/{code}`", headers(("Location" = String))),
        ))]
    fn lacak_form() {}

    /// A complaint, for the citizen
    ///
    /// The page the receipt's QR code opens: office, register number, date received, status
    /// and stage, Indonesian then English. No personal data, no staff notes. Limited to 20
    /// lookups a minute per client address.
    #[utoipa::path(get, path = "/lacak/{code}", tag = "pages",
        params(("code" = String, Path, description = "The tracking code (any case, dashes or not)")),
        responses(
            (status = 200, description = "The page", content_type = "text/html", body = String),
            (status = 404, description = "No complaint has this code (the page says so)", content_type = "text/html", body = String),
            (status = 429, description = "Too many lookups from this address (the page says so)", content_type = "text/html", body = String),
            (status = 503, description = "The store does not answer", content_type = "text/html", body = String),
        ))]
    fn lacak() {}
}
