//! HTTP: the JSON API under `/api/v1`, the kiosk page and the health check.

mod auth;
mod complaint_pages;
mod complaints;
mod console;
mod counters;
mod display;
mod error;
mod events;
mod extract;
mod flash;
mod glance;
mod guard;
mod health;
mod json;
mod kiosk;
mod lacak;
mod letters;
mod login;
mod metrics;
mod openapi;
mod page;
mod printer_api;
mod rate_limit;
mod reopening;
mod reports;
mod service_day;
mod survey_form;
mod survey_phone;
mod survey_report;
mod survey_tablet;
mod tickets;
mod track;
mod views;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::Request;
use axum::http::Method;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};

pub use auth::{COOKIE_NAME, Caller, Staff};
pub use error::{ApiError, STORE_UNWRITABLE};
pub use guard::Access;
pub use json::BODY_LIMIT;
pub use lacak::LOOKUPS_PER_MINUTE as TRACK_LOOKUPS_PER_MINUTE;
pub use rate_limit::RateLimiter;
pub use survey_phone::POSTS_PER_MINUTE as SURVEY_POSTS_PER_MINUTE;
pub use survey_tablet::TABLET_REFUSALS_PER_MINUTE as SURVEY_TABLET_REFUSALS_PER_MINUTE;

use crate::auth::{Role, Throttle};
use crate::clock::Clock;
use crate::config::Config;
use crate::events::{Events, StaffEvents};
use crate::printer::Printer;
use crate::store::StoreHandle;

#[derive(Clone)]
pub struct AppState {
    pub store: StoreHandle,
    pub config: Arc<Config>,
    pub events: Events,
    /// Complaint changes, for the staff stream only.
    pub staff_events: StaffEvents,
    pub clock: Arc<dyn Clock>,
    /// None with `printer.kind = "none"`.
    pub printer: Option<Printer>,
    pub kiosk_limit: Arc<RateLimiter>,
    /// Per-address limit on complaint tracking lookups (`/lacak/{code}`).
    pub track_limit: Arc<RateLimiter>,
    /// Per-address limit on refused survey posts from phones (wrong or missing key, no such
    /// ticket); a post with the ticket's key is never held off.
    pub survey_limit: Arc<RateLimiter>,
    /// Per-tablet limit on refusals at `/survei` (a number not found, a forged step).
    pub tablet_limit: Arc<RateLimiter>,
    /// The lobby display's survey index, recomputed at most every ten minutes.
    pub display_ikm: Arc<display::IkmCache>,
    pub voice: Arc<crate::voice::Pack>,
    /// Set when the daemon stops: open event streams end so connections can drain.
    pub closing: tokio::sync::watch::Sender<bool>,
    pub login_throttle: Arc<std::sync::Mutex<Throttle>>,
    /// Password checks running at once (each argon2 check holds ~19 MiB).
    pub login_slots: Arc<tokio::sync::Semaphore>,
    /// One-time messages for the console's next page, by session.
    pub flashes: Arc<flash::Flashes>,
    /// The data directory (the first administrator's password file lives there).
    pub data_dir: Arc<std::path::Path>,
}

/// One row of the route table: the only place that says who may call what.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

/// Who calls numbers at a counter. The SOP's second step is Customer Service calling the
/// complainant's number at its own counter, so it operates counters as operators do.
const COUNTER_STAFF: &[Role] = &[Role::Operator, Role::CustomerService];
const PAPER_STAFF: &[Role] = &[Role::Operator, Role::CustomerService, Role::Admin];
const ADMIN: &[Role] = &[Role::Admin];
/// Who reads the office's reports.
const REPORT_READERS: &[Role] = &[Role::KepalaDinas, Role::Admin];
/// Who opens complaints and prints their receipts.
const COMPLAINT_OPENERS: &[Role] = &[Role::ComplaintOfficer];
/// Everyone who acts in a complaint's flow; the engine decides per step. Customer service's
/// steps come from the queue ticket (or do not apply), so it reads no complaint.
const COMPLAINT_STAFF: &[Role] = &[
    Role::ComplaintOfficer,
    Role::KasubbagUmum,
    Role::Kasi,
    Role::Sekretaris,
    Role::KepalaDinas,
];
/// Who may read a complainant's identity (audited): who writes and sends the reply, and who
/// signs it; the same list the console's "Lihat identitas" uses.
const COMPLAINT_IDENTITY: &[Role] = complaint_pages::IDENTITY_ROLES;

const ATTACH_API: &str = "/api/v1/complaints/{id}/attachments";
const ATTACH_PAGE: &str = "/console/pengaduan/{id}/lampiran";

/// The body limit of an upload route: the configured attachment size (and, for the console's
/// multipart form, room for its boundaries and the token field). Enforced while the body
/// streams in, so a client cannot send more than this however it tries.
fn upload_limit(path: &str, config: &Config) -> Option<usize> {
    let max = usize::try_from(config.complaints.max_attachment_bytes()).unwrap_or(usize::MAX);
    match path {
        ATTACH_API => Some(max),
        ATTACH_PAGE => Some(max.saturating_add(16 * 1024)),
        _ => None,
    }
}

fn table() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    use Access::{Public, Roles, Staff, SurveyTablet};
    let r =
        |method: Method, path: &'static str, access: Access, handler: MethodRouter<AppState>| {
            (
                RouteSpec {
                    method,
                    path,
                    access,
                },
                handler,
            )
        };
    vec![
        r(
            Method::GET,
            "/",
            Public,
            get(|| async { Redirect::to("/kiosk") }),
        ),
        r(Method::GET, "/kiosk", Public, get(kiosk::page)),
        r(Method::GET, "/display", Public, get(display::page)),
        r(Method::GET, "/display.png", Public, get(display::png)),
        r(
            Method::GET,
            "/api/v1/display",
            Public,
            get(display::snapshot),
        ),
        r(
            Method::GET,
            "/api/v1/announcements/{file}",
            Public,
            get(display::announcement),
        ),
        r(Method::GET, "/healthz", Public, get(health::healthz)),
        r(Method::GET, "/metrics", Public, get(metrics::metrics)),
        r(
            Method::GET,
            "/api/v1/openapi.json",
            Public,
            get(openapi::openapi_json),
        ),
        r(Method::GET, "/t/{id}", Public, get(track::page)),
        r(Method::POST, "/t/{id}", Public, post(survey_phone::submit)),
        r(
            Method::GET,
            "/survei",
            SurveyTablet,
            get(survey_tablet::page),
        ),
        r(
            Method::POST,
            "/survei",
            SurveyTablet,
            post(survey_tablet::submit),
        ),
        r(
            Method::POST,
            "/api/v1/tickets",
            Public,
            post(tickets::issue),
        ),
        r(
            Method::GET,
            "/api/v1/tickets/{id}",
            Public,
            get(tickets::get),
        ),
        r(Method::GET, "/api/v1/queue", Public, get(tickets::queue)),
        r(Method::GET, "/api/v1/events", Public, get(events::stream)),
        // Complaint changes: never on the public stream above.
        r(
            Method::GET,
            "/api/v1/staff/events",
            Roles(COMPLAINT_STAFF),
            get(events::staff_stream),
        ),
        r(Method::GET, "/login", Public, get(login::page)),
        r(Method::POST, "/login", Public, post(login::submit)),
        r(Method::POST, "/logout", Staff, post(login::logout)),
        r(Method::GET, "/console", Staff, get(console::home)),
        r(
            Method::GET,
            reports::QUEUE,
            Roles(REPORT_READERS),
            get(reports::queue_report),
        ),
        r(
            Method::GET,
            reports::COMPLAINTS,
            Roles(REPORT_READERS),
            get(reports::complaint_recap),
        ),
        r(
            Method::GET,
            reports::MONTHLY,
            Roles(REPORT_READERS),
            get(reports::monthly_pdf),
        ),
        r(
            Method::GET,
            survey_report::PAGE,
            Roles(REPORT_READERS),
            get(survey_report::page),
        ),
        r(
            Method::GET,
            "/console/ringkasan",
            Roles(REPORT_READERS),
            get(glance::fragment),
        ),
        r(
            Method::GET,
            "/console/password",
            Staff,
            get(console::password_page),
        ),
        r(
            Method::POST,
            "/console/password",
            Staff,
            post(console::password_submit),
        ),
        r(
            Method::POST,
            "/api/v1/counters/{id}/{op}",
            Roles(COUNTER_STAFF),
            post(counters::operate),
        ),
        r(
            Method::GET,
            "/console/counter/{id}",
            Roles(COUNTER_STAFF),
            get(console::counter_page),
        ),
        r(
            Method::POST,
            "/console/counter/{id}/{op}",
            Roles(COUNTER_STAFF),
            post(console::counter_submit),
        ),
        r(
            Method::POST,
            "/api/v1/tickets/{id}/reprint",
            Roles(PAPER_STAFF),
            post(tickets::reprint),
        ),
        r(
            Method::POST,
            "/api/v1/tickets/{id}/void",
            Roles(PAPER_STAFF),
            post(tickets::void),
        ),
        r(
            Method::GET,
            "/api/v1/printer",
            Roles(PAPER_STAFF),
            get(printer_api::status),
        ),
        r(
            Method::POST,
            "/api/v1/printer/test",
            Roles(PAPER_STAFF),
            post(printer_api::test),
        ),
        r(
            Method::GET,
            "/console/status",
            Roles(PAPER_STAFF),
            get(console::status_page),
        ),
        r(
            Method::GET,
            "/console/users",
            Roles(ADMIN),
            get(console::users_page),
        ),
        r(
            Method::POST,
            "/console/users",
            Roles(ADMIN),
            post(console::user_add),
        ),
        r(
            Method::POST,
            "/console/users/{name}/disable",
            Roles(ADMIN),
            post(console::user_disable),
        ),
        r(
            Method::POST,
            "/console/users/{name}/enable",
            Roles(ADMIN),
            post(console::user_enable),
        ),
        r(
            Method::POST,
            "/console/users/{name}/password",
            Roles(ADMIN),
            post(console::user_reset_password),
        ),
        r(
            Method::POST,
            "/console/users/{name}/roles",
            Roles(ADMIN),
            post(console::user_roles),
        ),
        r(
            Method::GET,
            "/console/services",
            Roles(ADMIN),
            get(console::services_page),
        ),
        r(
            Method::GET,
            "/api/v1/audit/verify",
            Roles(ADMIN),
            get(console::audit_verify),
        ),
        r(
            Method::POST,
            "/console/service-day",
            Roles(ADMIN),
            post(console::confirm_service_day),
        ),
        r(
            Method::POST,
            "/api/v1/service-day/confirm",
            Roles(ADMIN),
            post(service_day::confirm),
        ),
        // The complaint pages of the console.
        r(
            Method::GET,
            "/console/pengaduan",
            Roles(complaint_pages::COMPLAINT_ROLES),
            get(complaint_pages::register),
        ),
        r(
            Method::GET,
            "/console/pengaduan.csv",
            Roles(complaint_pages::COMPLAINT_ROLES),
            get(complaint_pages::register_csv),
        ),
        r(
            Method::GET,
            "/console/langkah",
            Roles(complaint_pages::COMPLAINT_ROLES),
            get(complaint_pages::my_work_fragment),
        ),
        r(
            Method::GET,
            "/console/pengaduan/baru",
            Roles(complaint_pages::INTAKE_ROLES),
            get(complaint_pages::intake),
        ),
        r(
            Method::POST,
            "/console/pengaduan/baru",
            Roles(complaint_pages::INTAKE_ROLES),
            post(complaint_pages::intake_submit),
        ),
        r(
            Method::GET,
            "/console/pengaduan/{id}",
            Roles(complaint_pages::COMPLAINT_ROLES),
            get(complaint_pages::complaint_page),
        ),
        r(
            Method::POST,
            "/console/pengaduan/{id}/aksi",
            Roles(complaint_pages::COMPLAINT_ROLES),
            post(complaint_pages::complaint_act),
        ),
        r(
            Method::POST,
            ATTACH_PAGE,
            Roles(complaint_pages::INTAKE_ROLES),
            post(complaint_pages::complaint_attach),
        ),
        r(
            Method::POST,
            "/console/pengaduan/{id}/identitas",
            Roles(complaint_pages::IDENTITY_ROLES),
            post(complaint_pages::complaint_identity),
        ),
        // Complaints: the JSON API and the public tracking page.
        r(
            Method::POST,
            "/api/v1/complaints",
            Roles(COMPLAINT_OPENERS),
            post(complaints::open),
        ),
        r(
            Method::GET,
            "/api/v1/complaints/{id}",
            Roles(COMPLAINT_STAFF),
            get(complaints::get),
        ),
        r(
            Method::GET,
            "/api/v1/complaints/{id}/identity",
            Roles(COMPLAINT_IDENTITY),
            get(complaints::identity),
        ),
        r(
            Method::POST,
            "/api/v1/complaints/{id}/actions",
            Roles(COMPLAINT_STAFF),
            post(complaints::act),
        ),
        r(
            Method::POST,
            "/api/v1/complaints/{id}/receipt",
            Roles(COMPLAINT_OPENERS),
            post(complaints::reprint),
        ),
        r(
            Method::POST,
            ATTACH_API,
            Roles(COMPLAINT_OPENERS),
            post(complaints::attach),
        ),
        r(
            Method::GET,
            "/api/v1/complaints/{id}/attachments/{sha256}",
            Roles(COMPLAINT_IDENTITY),
            get(complaints::attachment),
        ),
        r(
            Method::GET,
            "/api/v1/complaints/{id}/letter",
            Roles(COMPLAINT_IDENTITY),
            get(letters::signed),
        ),
        r(
            Method::GET,
            "/api/v1/complaints/{id}/letter/preview",
            Roles(COMPLAINT_STAFF),
            get(letters::preview),
        ),
        r(
            Method::GET,
            "/api/v1/complaints/{id}/letter/receipt",
            Roles(COMPLAINT_IDENTITY),
            get(letters::receipt),
        ),
        r(Method::GET, "/lacak", Public, get(lacak::form)),
        r(Method::GET, "/lacak/{code}", Public, get(lacak::page)),
    ]
}

/// The route table without handlers: for the console's menu (built once) and for tests that
/// walk every route with every role.
pub fn routes() -> &'static [RouteSpec] {
    static SPECS: std::sync::LazyLock<Vec<RouteSpec>> =
        std::sync::LazyLock::new(|| table().into_iter().map(|(spec, _)| spec).collect());
    &SPECS
}

pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for (spec, handler) in table() {
        // Inside the router's own (small) default, so it wins for these routes alone.
        let handler = match upload_limit(spec.path, &state.config) {
            Some(limit) => handler.layer(DefaultBodyLimit::max(limit)),
            None => handler,
        };
        let guarded = handler.route_layer(middleware::from_fn_with_state(
            (state.clone(), spec.access),
            guard::guard,
        ));
        router = router.route(spec.path, guarded);
    }
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

async fn method_not_allowed(req: Request) -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "Metode {} tidak didukung untuk {}.",
            req.method(),
            req.uri().path()
        ),
    )
    .into_response()
}

async fn not_found(req: Request) -> Response {
    ApiError::not_found(format!("Alamat {} tidak ditemukan.", req.uri().path())).into_response()
}
