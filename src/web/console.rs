//! The staff console pages: home, counter screen, password, users, services, status.
//! Rendered from templates in `kiosk-ui/console/`; live parts refresh from `/api/v1/events`.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::AppState;
use super::auth::Staff;
use super::counters::parse_op;
use super::error::ApiError;
use super::extract::PagePath;
use super::flash::Flash;
use super::page::{HtmlForm, Shell, error, redirect, render};
use crate::audit;
use crate::auth::{ALL_ROLES, Role, User, hash_password, valid_username, verify, weakness};
use crate::queue::{CounterOp, TicketState};
use crate::store::{AccountRefusal, OpError, UserEdit};

const HOME: &str = "/console";
const USERS: &str = "/console/users";
const PASSWORD: &str = "/console/password";
const STORE_DOWN: &str = "Penyimpanan data sedang tidak tersedia.";

fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.label_id())
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Template)]
#[template(path = "console/home.html")]
struct HomePage {
    shell: Shell,
    name: String,
    roles: String,
    counters: Vec<CounterCard>,
    /// "Langkah saya": for a user with complaint roles.
    work: Option<super::complaint_pages::MyWork>,
    /// For an administrator, while the clock is implausibly far ahead of the service day:
    /// (the clock's date, the service day).
    clock_suspect: Option<(String, String)>,
    /// Today at a glance, for who may read the reports.
    glance: Option<super::glance::Glance>,
}

struct CounterCard {
    id: u32,
    name: String,
    services: String,
}

pub async fn home(State(app): State<AppState>, staff: Staff) -> Response {
    // Cards only for who may open a counter: the route table says who that is.
    let may_operate = super::routes()
        .iter()
        .find(|r| r.path == "/console/counter/{id}")
        .is_some_and(|r| r.access.allows(&staff.user));
    let counters = if may_operate {
        app.config
            .counters
            .iter()
            .map(|c| CounterCard {
                id: c.id,
                name: c.name.clone(),
                services: c
                    .services
                    .iter()
                    .filter_map(|code| app.config.service(code))
                    .map(|sv| sv.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect()
    } else {
        Vec::new()
    };
    let name = if staff.user.display_name.is_empty() {
        staff.user.username.clone()
    } else {
        staff.user.display_name.clone()
    };
    let work = super::complaint_pages::my_work(&app, &staff).await;
    let reads_reports = super::routes()
        .iter()
        .find(|r| r.path == "/console/ringkasan")
        .is_some_and(|r| r.access.allows(&staff.user));
    let glance = if reads_reports {
        super::glance::glance(&app).await
    } else {
        None
    };
    let mut shell = Shell::staff(&app, &staff, "Konsol Petugas", HOME);
    // The administrator keeps the calendar: deadlines computed past its end ignore the
    // holidays nobody entered.
    let mut clock_suspect = None;
    if staff.user.roles.contains(&Role::Admin) {
        let today = crate::clock::local_date(app.clock.now(), app.config.office.time_zone);
        if let Some(w) = app.config.calendar.coverage_warning(today) {
            shell = shell.with(Flash::err(format!("Kalender kerja: {w}")));
        }
        if let Ok(h) = app.store.health().await
            && let Some(day) = h.clock_suspect
        {
            clock_suspect = Some((
                crate::clock::date_id(day),
                crate::clock::date_id(h.service_day),
            ));
        }
    }
    render(
        StatusCode::OK,
        &HomePage {
            shell,
            name,
            roles: roles_text(&staff.user.roles),
            counters,
            work,
            clock_suspect,
            glance,
        },
    )
}

/// "Mulai hari layanan baru": an administrator confirms the day a suspect clock shows
/// (docs/operations.md, "Jam sistem"), after a confirmation page; audited by the store.
pub async fn confirm_service_day(
    State(app): State<AppState>,
    staff: Staff,
    HtmlForm(form): HtmlForm<ConfirmForm>,
) -> Response {
    if !form.confirmed() {
        return ask_first_from(
            &app,
            &staff,
            "Mulai hari layanan baru menurut jam sistem?".to_string(),
            "Nomor antrean mulai lagi dari 001 dan tiket hari layanan terakhir yang belum \
             selesai ditutup. Lakukan hanya bila tanggal jam sistem memang benar.",
            "/console/service-day".to_string(),
            "Ya, mulai hari baru",
            HOME,
        );
    }
    let flash = match app.store.confirm_service_day(staff.who()).await {
        Ok(()) => match app.store.health().await {
            Ok(h) => Flash::ok(format!(
                "Hari layanan baru dimulai: {}.",
                crate::clock::date_id(h.service_day)
            )),
            Err(_) => Flash::ok("Hari layanan baru dimulai.".to_string()),
        },
        Err(e) => Flash::err(super::ApiError::from(e).message),
    };
    redirect(&app, &staff, HOME, flash)
}

#[derive(Template)]
#[template(path = "console/counter.html")]
struct CounterPage {
    shell: Shell,
    counter_id: u32,
    current_number: String,
    current_state: String,
    actions: Vec<Action>,
    transfer: Action,
    services: Vec<ServiceOption>,
    rows: Vec<QueueRow>,
    no_shows: Vec<NoShowRow>,
    /// The office's requeue policy, as staff read it where they bring someone back.
    requeue_rule: String,
    /// The office's time zone, for the times the live update writes.
    time_zone: String,
}

/// A button of the counter screen: enabled when the counter's state allows the action, in
/// the states listed in `when` (for the live update, which keeps it right).
struct Action {
    op: &'static str,
    label: &'static str,
    class: &'static str,
    when: String,
    enabled: bool,
}

/// The counter's state as the page and its script name it: `idle`, or the ticket's state.
fn state_key(holding: Option<TicketState>) -> &'static str {
    match holding {
        None => "idle",
        Some(TicketState::Called) => "called",
        Some(TicketState::Serving) => "serving",
        // Never at a counter; nothing is possible there.
        Some(_) => "other",
    }
}

fn action(
    op: &CounterOp,
    label: &'static str,
    class: &'static str,
    holding: Option<TicketState>,
) -> Action {
    let when = [None, Some(TicketState::Called), Some(TicketState::Serving)]
        .into_iter()
        .filter(|s| op.possible_at(*s))
        .map(state_key)
        .collect::<Vec<_>>()
        .join(" ");
    Action {
        op: op.name(),
        label,
        class,
        when,
        enabled: op.possible_at(holding),
    }
}

struct ServiceOption {
    code: String,
    prefix: String,
    name: String,
    /// The service of the counter's own ticket: not a destination.
    current: bool,
}

struct QueueRow {
    code: String,
    name: String,
    waiting: usize,
    next: String,
}

struct NoShowRow {
    id: u64,
    number: String,
    called: String,
}

/// `09.15`, office-local, as Indonesian writes the time.
fn clock_time(app: &AppState, at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map_or_else(String::new, |t| {
        t.with_timezone(&app.config.office.time_zone)
            .format("%H.%M")
            .to_string()
    })
}

pub async fn counter_page(
    State(app): State<AppState>,
    staff: Staff,
    PagePath(id): PagePath<String>,
) -> Response {
    let Some(counter) = super::extract::digits(&id)
        .and_then(|n| u32::try_from(n).ok())
        .and_then(|n| app.config.counter(n))
    else {
        return error(&app, StatusCode::NOT_FOUND, "Loket tidak ditemukan.");
    };
    let view = match app.store.view().await {
        Ok(v) => v,
        Err(_) => return error(&app, StatusCode::SERVICE_UNAVAILABLE, STORE_DOWN),
    };
    let current = view
        .counters
        .iter()
        .find(|c| c.id == counter.id)
        .and_then(|c| c.ticket.clone());
    let holding = current.as_ref().map(|t| t.state);
    let rows = view
        .services
        .iter()
        .filter(|sv| counter.services.contains(&sv.code))
        .map(|sv| QueueRow {
            code: sv.code.clone(),
            name: sv.name.clone(),
            waiting: sv.waiting,
            next: sv.next.join(", "),
        })
        .collect();
    let services = app
        .config
        .services
        .iter()
        .map(|sv| ServiceOption {
            code: sv.code.clone(),
            prefix: sv.prefix.clone(),
            name: sv.name.clone(),
            current: current.as_ref().is_some_and(|t| t.service == sv.code),
        })
        .collect();
    // The view lists them the latest first.
    let no_shows = view
        .no_shows
        .iter()
        .filter(|n| counter.services.contains(&n.service))
        .map(|n| NoShowRow {
            id: n.id,
            number: n.number.clone(),
            called: clock_time(&app, n.called_at),
        })
        .collect();
    let here = format!("/console/counter/{}", counter.id);
    let transfer = CounterOp::Transfer {
        service: String::new(),
    };
    render(
        StatusCode::OK,
        &CounterPage {
            shell: Shell::staff(&app, &staff, counter.name.clone(), &here),
            counter_id: counter.id,
            current_number: current
                .as_ref()
                .map_or("—".to_string(), |t| t.number.clone()),
            current_state: current
                .as_ref()
                .map_or(String::new(), |t| t.state.label_id().to_string()),
            actions: vec![
                action(&CounterOp::CallNext, "Panggil berikutnya", "", holding),
                action(&CounterOp::Recall, "Panggil ulang", "secondary", holding),
                action(&CounterOp::Serve, "Layani", "", holding),
                action(&CounterOp::Finish, "Selesai", "", holding),
                action(&CounterOp::NoShow, "Tidak hadir", "secondary", holding),
                action(
                    &CounterOp::Requeue { ticket: None },
                    "Kembalikan ke antrian",
                    "secondary",
                    holding,
                ),
            ],
            transfer: action(&transfer, "Alihkan", "", holding),
            services,
            rows,
            no_shows,
            requeue_rule: app.config.requeue.describe(),
            time_zone: app.config.office.time_zone.name().to_string(),
        },
    )
}

#[derive(Deserialize)]
pub struct CounterForm {
    #[serde(default)]
    service: Option<String>,
    /// `requeue` of a no-show from the list: its ticket id.
    #[serde(default)]
    ticket: Option<u64>,
}

pub async fn counter_submit(
    State(app): State<AppState>,
    staff: Staff,
    PagePath((id, op)): PagePath<(String, String)>,
    HtmlForm(form): HtmlForm<CounterForm>,
) -> Response {
    let Some(counter) = super::extract::digits(&id)
        .and_then(|n| u32::try_from(n).ok())
        .and_then(|n| app.config.counter(n))
    else {
        return redirect(&app, &staff, HOME, Flash::err("Loket tidak dikenal."));
    };
    let back = format!("/console/counter/{}", counter.id);
    let op = match op.as_str() {
        // The list's prompt ("Pilih layanan tujuan") sends an empty value.
        "transfer" => match form.service.filter(|s| !s.is_empty()) {
            Some(service) => CounterOp::Transfer { service },
            None => return redirect(&app, &staff, &back, Flash::err("Pilih layanan tujuan.")),
        },
        "requeue" if form.ticket.is_some() => CounterOp::Requeue {
            ticket: form.ticket,
        },
        _ => match parse_op(&op, b"") {
            Ok(op) => op,
            Err(e) => return redirect(&app, &staff, &back, Flash::err(e.message)),
        },
    };
    let requeue = matches!(op, CounterOp::Requeue { .. });
    let flash = match app.store.counter_op(counter.id, op, staff.who()).await {
        // Put back: say where, by the office's policy.
        Ok(Some(t)) if requeue => Flash::ok(format!(
            "{}: {}. {}",
            t.label,
            t.state.label_id(),
            app.config.requeue.describe()
        )),
        Ok(Some(t)) => Flash::ok(format!("{}: {}", t.label, t.state.label_id())),
        Ok(None) => Flash::ok("Tidak ada antrian yang menunggu."),
        Err(e) => {
            let e = ApiError::from(e);
            if e.status == StatusCode::SERVICE_UNAVAILABLE {
                // The next page may find no store to read the message from: say it now.
                return error(&app, e.status, e.message);
            }
            Flash::err(e.message)
        }
    };
    redirect(&app, &staff, &back, flash)
}

#[derive(Template)]
#[template(path = "console/password.html")]
struct PasswordPage {
    shell: Shell,
    must_change: bool,
}

fn password_page_with(
    app: &AppState,
    staff: &Staff,
    status: StatusCode,
    flash: Option<Flash>,
) -> Response {
    let mut shell = Shell::staff(app, staff, "Ganti kata sandi", PASSWORD);
    if let Some(f) = flash {
        shell = shell.with(f);
    }
    render(
        status,
        &PasswordPage {
            shell,
            must_change: staff.user.must_change_password,
        },
    )
}

pub async fn password_page(State(app): State<AppState>, staff: Staff) -> Response {
    password_page_with(&app, &staff, StatusCode::OK, None)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

pub async fn password_submit(
    State(app): State<AppState>,
    staff: Staff,
    HtmlForm(f): HtmlForm<PasswordForm>,
) -> Response {
    let fail = |status: StatusCode, text: &str| {
        password_page_with(&app, &staff, status, Some(Flash::err(text)))
    };
    if f.new != f.confirm {
        return fail(
            StatusCode::BAD_REQUEST,
            "Kata sandi baru dan ulangannya tidak sama.",
        );
    }
    // A temporary password (generated by an administrator, or the first start's) must be
    // replaced by one the user chose, not kept under a new name.
    if f.new == f.current {
        return fail(
            StatusCode::BAD_REQUEST,
            "Kata sandi baru harus berbeda dari kata sandi sekarang.",
        );
    }
    let context = [
        staff.user.username.as_str(),
        staff.user.display_name.as_str(),
        app.config.office.name.as_str(),
    ];
    if let Some(why) = weakness(&f.new, &context) {
        return fail(StatusCode::BAD_REQUEST, why);
    }
    let (hash, current, new) = (staff.user.password_hash.clone(), f.current, f.new);
    let hashed =
        tokio::task::spawn_blocking(move || verify(&current, &hash).then(|| hash_password(&new)))
            .await
            .ok()
            .flatten();
    let Some(Ok(new_hash)) = hashed else {
        if let Err(e) = app
            .store
            .audit(
                staff.who(),
                "password_change_failed",
                &staff.user.username,
                "",
            )
            .await
        {
            tracing::warn!(error = %e, "audit of a failed password change not written");
        }
        return fail(StatusCode::UNAUTHORIZED, "Kata sandi sekarang salah.");
    };
    // The change applies to the account as it is when written, and only if the password
    // checked above is still its own: a reset or disable made meanwhile is not undone.
    let checked = staff.user.password_hash.clone();
    let edit: UserEdit = Box::new(move |u: &mut User| {
        if u.disabled {
            return Err(AccountRefusal::Disabled);
        }
        if u.password_hash != checked {
            return Err(AccountRefusal::Changed);
        }
        u.password_hash = new_hash;
        u.must_change_password = false;
        Ok(())
    });
    // Any other session (a stolen cookie, a forgotten PC) ends with the old password, in
    // the same transaction: the change is not reported done unless both hold.
    match app
        .store
        .edit_user(
            &staff.user.username,
            edit,
            Some(Some(staff.key.clone())),
            staff.who(),
            "password_changed",
        )
        .await
    {
        Ok(()) => {
            if staff.user.username == crate::app::FIRST_ADMIN {
                crate::app::forget_initial_password(&app.data_dir);
            }
            redirect(&app, &staff, HOME, Flash::ok("Kata sandi telah diganti."))
        }
        Err(OpError::Account(a)) => fail(StatusCode::CONFLICT, &ApiError::from(a).message),
        Err(_) => fail(
            StatusCode::SERVICE_UNAVAILABLE,
            "Penyimpanan data sedang tidak tersedia: kata sandi tidak diganti.",
        ),
    }
}

#[derive(Template)]
#[template(path = "console/users.html")]
struct UsersPage {
    shell: Shell,
    users: Vec<UserRow>,
    new_boxes: Vec<RoleBox>,
    /// What a refused "add user" form held, shown again.
    new_username: String,
    new_display_name: String,
}

struct UserRow {
    username: String,
    display_name: String,
    roles: String,
    state: &'static str,
    disabled: bool,
    boxes: Vec<RoleBox>,
}

struct RoleBox {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

fn role_boxes(checked: &[Role]) -> Vec<RoleBox> {
    ALL_ROLES
        .iter()
        .map(|r| RoleBox {
            value: r.as_str(),
            label: r.label_id(),
            checked: checked.contains(r),
        })
        .collect()
}

pub async fn users_page(State(app): State<AppState>, staff: Staff) -> Response {
    users_page_with(&app, &staff, StatusCode::OK, None, None).await
}

/// The users page; after a refused "add user", with the refusal and the form as it was sent.
async fn users_page_with(
    app: &AppState,
    staff: &Staff,
    status: StatusCode,
    refused: Option<Flash>,
    form: Option<&NewUserForm>,
) -> Response {
    let app = app.clone();
    // An empty list would read as "no accounts": a store that cannot answer says so.
    let users = match app.store.users().await {
        Ok(u) => u,
        Err(_) => return error(&app, StatusCode::SERVICE_UNAVAILABLE, STORE_DOWN),
    };
    let users = users
        .iter()
        .map(|u| UserRow {
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            roles: roles_text(&u.roles),
            state: if u.disabled {
                "nonaktif"
            } else if u.must_change_password {
                "harus ganti kata sandi"
            } else {
                "aktif"
            },
            disabled: u.disabled,
            boxes: role_boxes(&u.roles),
        })
        .collect();
    let checked: Vec<Role> = form
        .map(|f| f.role.iter().filter_map(|r| r.parse().ok()).collect())
        .unwrap_or_default();
    let mut shell = Shell::staff(&app, staff, "Pengguna", USERS);
    if let Some(f) = refused {
        shell = shell.with(f);
    }
    render(
        status,
        &UsersPage {
            shell,
            users,
            new_boxes: role_boxes(&checked),
            new_username: form.map(|f| f.username.clone()).unwrap_or_default(),
            new_display_name: form.map(|f| f.display_name.clone()).unwrap_or_default(),
        },
    )
}

/// `role=a&role=b`: repeated keys, read into a list.
#[derive(Deserialize)]
pub struct RolesForm {
    #[serde(default)]
    role: Vec<String>,
}

fn parse_roles(values: &[String]) -> Result<Vec<Role>, Flash> {
    let mut roles = Vec::new();
    for v in values {
        let r = v
            .parse::<Role>()
            .map_err(|_| Flash::err("Peran tidak dikenal."))?;
        if !roles.contains(&r) {
            roles.push(r);
        }
    }
    if roles.is_empty() {
        return Err(Flash::err("Pilih paling sedikit satu peran."));
    }
    Ok(roles)
}

/// Changes an account's roles; an administrator cannot remove their own admin role.
pub async fn user_roles(
    State(app): State<AppState>,
    staff: Staff,
    PagePath(name): PagePath<String>,
    HtmlForm(form): HtmlForm<RolesForm>,
) -> Response {
    let roles = match parse_roles(&form.role) {
        Ok(r) => r,
        Err(f) => return redirect(&app, &staff, USERS, f),
    };
    if name == staff.user.username && !roles.contains(&Role::Admin) {
        return redirect(
            &app,
            &staff,
            USERS,
            Flash::err("Anda tidak dapat mencabut peran administrator Anda sendiri."),
        );
    }
    if let Err(r) = edit_user(&app, &staff, &name, "roles_changed", false, |u| {
        u.roles = roles
    })
    .await
    {
        return r;
    }
    redirect(&app, &staff, USERS, Flash::ok("Peran diperbarui."))
}

/// Applies `edit` to the account as the store holds it when written, audited as `action`;
/// with `revoke`, every session of that account ends in the same transaction. On failure,
/// the response to give: a store that cannot write is said at once, on this response, not
/// after a redirect that may itself find no store.
async fn edit_user(
    app: &AppState,
    staff: &Staff,
    name: &str,
    action: &str,
    revoke: bool,
    edit: impl FnOnce(&mut User) + Send + 'static,
) -> Result<(), Response> {
    let edit: UserEdit = Box::new(move |u: &mut User| {
        edit(u);
        Ok(())
    });
    let revoke = revoke.then_some(None);
    match app
        .store
        .edit_user(name, edit, revoke, staff.who(), action)
        .await
    {
        Ok(()) => Ok(()),
        Err(OpError::Account(a)) => Err(redirect(
            app,
            staff,
            USERS,
            Flash::err(ApiError::from(a).message),
        )),
        Err(_) => Err(error(
            app,
            StatusCode::SERVICE_UNAVAILABLE,
            "Penyimpanan data sedang tidak tersedia: tidak ada yang diubah.",
        )),
    }
}

#[derive(Template)]
#[template(path = "console/generated.html")]
struct GeneratedPage {
    shell: Shell,
    username: String,
    password: String,
}

/// Shows a generated password once; it is never shown or logged again.
fn show_password(
    app: &AppState,
    staff: &Staff,
    username: &str,
    password: String,
    what: &str,
) -> Response {
    render(
        StatusCode::OK,
        &GeneratedPage {
            shell: Shell::staff(app, staff, "Pengguna", USERS).with(Flash::ok(what)),
            username: username.to_string(),
            password,
        },
    )
}

#[derive(Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: Vec<String>,
}

pub async fn user_add(
    State(app): State<AppState>,
    staff: Staff,
    HtmlForm(form): HtmlForm<NewUserForm>,
) -> Response {
    let username = form.username.trim().to_lowercase();
    let display_name: String = form
        .display_name
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(80)
        .collect();
    // A refusal shows the page again with what was typed: nobody retypes a name and ticks
    // the roles again because one character was wrong.
    let again =
        |status: StatusCode, f: Flash| users_page_with(&app, &staff, status, Some(f), Some(&form));
    if !valid_username(&username) {
        return again(
            StatusCode::BAD_REQUEST,
            Flash::err(
                "Nama pengguna harus 3-32 huruf kecil, angka, titik, garis bawah atau tanda hubung, diawali huruf.",
            ),
        )
        .await;
    }
    let roles = match parse_roles(&form.role) {
        Ok(r) => r,
        Err(f) => return again(StatusCode::BAD_REQUEST, f).await,
    };
    let Ok(password) = crate::auth::generate_password() else {
        return again(
            StatusCode::INTERNAL_SERVER_ERROR,
            Flash::err("Gangguan sistem."),
        )
        .await;
    };
    let p = password.clone();
    let Ok(Ok(hash)) = tokio::task::spawn_blocking(move || hash_password(&p)).await else {
        return again(
            StatusCode::INTERNAL_SERVER_ERROR,
            Flash::err("Gangguan sistem."),
        )
        .await;
    };
    let user = User {
        username: username.clone(),
        display_name,
        roles,
        password_hash: hash,
        disabled: false,
        must_change_password: true,
        created_at: app.clock.now(),
    };
    match app.store.add_user(user, staff.who()).await {
        Ok(()) => show_password(&app, &staff, &username, password, "Pengguna ditambahkan."),
        Err(OpError::Account(a)) => {
            let e = ApiError::from(a);
            again(e.status, Flash::err(e.message)).await
        }
        Err(_) => error(
            &app,
            StatusCode::SERVICE_UNAVAILABLE,
            "Penyimpanan data sedang tidak tersedia: pengguna belum ditambahkan.",
        ),
    }
}

/// A destructive action's form: without `confirm`, the console asks first.
#[derive(Deserialize, Default)]
pub struct ConfirmForm {
    #[serde(default)]
    confirm: Option<String>,
}

impl ConfirmForm {
    fn confirmed(&self) -> bool {
        self.confirm.as_deref() == Some("ya")
    }
}

#[derive(Template)]
#[template(path = "console/confirm.html")]
struct ConfirmPage {
    shell: Shell,
    question: String,
    consequence: String,
    action: String,
    yes: &'static str,
    /// The page the question was asked from: "Batal" goes back to it.
    back: &'static str,
}

/// Asks before a destructive action: the same form, posted again with `confirm=ya`. Works
/// without script; one click never disables a colleague or voids their password.
fn ask_first(
    app: &AppState,
    staff: &Staff,
    question: String,
    consequence: &str,
    action: String,
    yes: &'static str,
) -> Response {
    ask_first_from(app, staff, question, consequence, action, yes, USERS)
}

/// `ask_first` for a question asked from another page than the user list.
fn ask_first_from(
    app: &AppState,
    staff: &Staff,
    question: String,
    consequence: &str,
    action: String,
    yes: &'static str,
    back: &'static str,
) -> Response {
    render(
        StatusCode::OK,
        &ConfirmPage {
            shell: Shell::staff(app, staff, "Konfirmasi", back),
            question,
            consequence: consequence.to_string(),
            action,
            yes,
            back,
        },
    )
}

/// The account's path segment as it goes back into a form's action: account names are
/// plain (`valid_username`), anything else is not asked about.
fn user_action(name: &str, op: &str) -> Option<String> {
    crate::auth::valid_username(name).then(|| format!("/console/users/{name}/{op}"))
}

pub async fn user_disable(
    State(app): State<AppState>,
    staff: Staff,
    PagePath(name): PagePath<String>,
    HtmlForm(form): HtmlForm<ConfirmForm>,
) -> Response {
    if name == staff.user.username {
        return redirect(
            &app,
            &staff,
            USERS,
            Flash::err("Anda tidak dapat menonaktifkan akun sendiri."),
        );
    }
    if !form.confirmed() {
        let Some(action) = user_action(&name, "disable") else {
            return redirect(&app, &staff, USERS, Flash::err("Pengguna tidak ditemukan."));
        };
        return ask_first(
            &app,
            &staff,
            format!("Nonaktifkan akun {name}?"),
            "Ia tidak dapat masuk lagi dan sesi yang sedang terbuka berakhir. Akun dapat \
             diaktifkan kembali dari halaman ini.",
            action,
            "Ya, nonaktifkan",
        );
    }
    // Whoever is logged in as them is out at the next request.
    match edit_user(&app, &staff, &name, "user_disabled", true, |u| {
        u.disabled = true
    })
    .await
    {
        Ok(()) => redirect(&app, &staff, USERS, Flash::ok("Pengguna dinonaktifkan.")),
        Err(r) => r,
    }
}

/// Lets a disabled account log in again, with the password it had.
pub async fn user_enable(
    State(app): State<AppState>,
    staff: Staff,
    PagePath(name): PagePath<String>,
) -> Response {
    match edit_user(&app, &staff, &name, "user_enabled", false, |u| {
        u.disabled = false
    })
    .await
    {
        Ok(()) => redirect(
            &app,
            &staff,
            USERS,
            Flash::ok("Pengguna diaktifkan kembali."),
        ),
        Err(r) => r,
    }
}

pub async fn user_reset_password(
    State(app): State<AppState>,
    staff: Staff,
    PagePath(name): PagePath<String>,
    HtmlForm(form): HtmlForm<ConfirmForm>,
) -> Response {
    if !form.confirmed() {
        let Some(action) = user_action(&name, "password") else {
            return redirect(&app, &staff, USERS, Flash::err("Pengguna tidak ditemukan."));
        };
        return ask_first(
            &app,
            &staff,
            format!("Atur ulang kata sandi {name}?"),
            "Kata sandinya yang sekarang tidak berlaku lagi dan sesi yang sedang terbuka \
             berakhir. Anda akan melihat kata sandi sementara sekali saja.",
            action,
            "Ya, atur ulang",
        );
    }
    let Ok(password) = crate::auth::generate_password() else {
        return redirect(&app, &staff, USERS, Flash::err("Gangguan sistem."));
    };
    let p = password.clone();
    let Ok(Ok(hash)) = tokio::task::spawn_blocking(move || hash_password(&p)).await else {
        return redirect(&app, &staff, USERS, Flash::err("Gangguan sistem."));
    };
    let reset = |u: &mut User| {
        u.password_hash = hash;
        u.must_change_password = true;
    };
    // Sessions opened with the old password end with it.
    if let Err(r) = edit_user(&app, &staff, &name, "password_reset", true, reset).await {
        return r;
    }
    show_password(&app, &staff, &name, password, "Kata sandi diatur ulang.")
}

#[derive(Template)]
#[template(path = "console/services.html")]
struct ServicesPage {
    shell: Shell,
    services: Vec<ServiceRow>,
    counters: Vec<CounterRow>,
}

struct ServiceRow {
    code: String,
    prefix: String,
    name: String,
    name_en: String,
    minutes: u32,
    quota: String,
}

struct CounterRow {
    id: u32,
    name: String,
    services: String,
}

pub async fn services_page(State(app): State<AppState>, staff: Staff) -> Response {
    let services = app
        .config
        .services
        .iter()
        .map(|sv| ServiceRow {
            code: sv.code.clone(),
            prefix: sv.prefix.clone(),
            name: sv.name.clone(),
            name_en: sv.name_en.clone(),
            minutes: sv.default_service_minutes,
            quota: sv.daily_quota.map_or("—".to_string(), |q| q.to_string()),
        })
        .collect();
    let counters = app
        .config
        .counters
        .iter()
        .map(|c| CounterRow {
            id: c.id,
            name: c.name.clone(),
            services: c.services.join(", "),
        })
        .collect();
    render(
        StatusCode::OK,
        &ServicesPage {
            shell: Shell::staff(&app, &staff, "Layanan & loket", "/console/services"),
            services,
            counters,
        },
    )
}

#[derive(Template)]
#[template(path = "console/status.html")]
struct StatusPage {
    shell: Shell,
    printer: String,
    printer_state: &'static str,
    unprinted: Vec<Unprinted>,
    version: &'static str,
    /// The schema this build reads and writes (`loket --version` says it too).
    schema: u64,
    /// `loket-20261130-220000.redb, 30-11-2026 22.00`; "belum ada" when none was made.
    last_backup: String,
    service_day: String,
    tickets_today: usize,
    /// The city outbox's backlog and last acknowledged number; none without `[city]`.
    city: Option<(u64, u64)>,
}

struct Unprinted {
    id: u64,
    number: String,
}

pub async fn status_page(State(app): State<AppState>, staff: Staff) -> Response {
    let (printer, status) = match &app.printer {
        Some(p) => (p.describe().to_string(), p.status_now().await),
        None => ("—".to_string(), crate::printer::PrinterStatus::Disabled),
    };
    let mut shell = Shell::staff(&app, &staff, "Status", "/console/status");
    let view = match app.store.view().await {
        Ok(v) => Some(v),
        Err(_) => {
            shell = shell.with(Flash::err(STORE_DOWN));
            None
        }
    };
    let health = app.store.health().await.ok();
    let unprinted = view
        .iter()
        .flat_map(|v| v.unprinted.iter())
        .map(|t| Unprinted {
            id: t.id,
            number: t.number.clone(),
        })
        .collect();
    render(
        StatusCode::OK,
        &StatusPage {
            shell,
            printer,
            printer_state: status.label_id(),
            unprinted,
            version: env!("CARGO_PKG_VERSION"),
            schema: crate::store::SCHEMA_VERSION,
            last_backup: last_backup(&app),
            service_day: health
                .as_ref()
                .map_or(String::new(), |h| h.service_day.to_string()),
            tickets_today: health.as_ref().map_or(0, |h| h.tickets_today),
            city: health
                .as_ref()
                .and_then(|h| h.outbox)
                .map(|o| (o.backlog(), o.acked)),
        },
    )
}

/// The last backup of this data directory: its file and when, office time.
fn last_backup(app: &AppState) -> String {
    match crate::store::last_backup::read(&app.data_dir) {
        Some(b) => format!(
            "{}, {}",
            b.file,
            b.at.with_timezone(&app.config.office.time_zone)
                .format("%d-%m-%Y %H.%M")
        ),
        None => "belum ada".to_string(),
    }
}

/// Check the audit log
///
/// Walks the audit log's hash chain and names the first entry that does not fit. The check
/// itself is logged.
#[utoipa::path(
    get,
    path = "/api/v1/audit/verify",
    tag = "audit",
    responses(
        (status = 200, description = "The result (`ok: false` when the chain is broken)", body = super::views::AuditReport),
        (status = 503, description = "The store does not answer", body = super::error::ErrorBody, examples(
            ("store_unavailable" = (value = json!({"error": {"code": "store_unavailable", "message": "Penyimpanan data sedang tidak tersedia; tidak ada yang diubah. Silakan coba lagi."}}))),
        )),
    )
)]
pub async fn audit_verify(
    State(app): State<AppState>,
    staff: Staff,
) -> Result<Json<super::views::AuditReport>, super::ApiError> {
    let entries = app.store.audit_entries().await?;
    if let Err(e) = app.store.audit(staff.who(), "audit_verified", "", "").await {
        tracing::warn!(error = %e, "audit of an audit check not written");
    }
    Ok(Json(match audit::verify(&entries) {
        Ok(n) => super::views::AuditReport {
            ok: true,
            entries: n,
            broken: None,
        },
        Err(b) => super::views::AuditReport {
            ok: false,
            entries: entries.len() as u64,
            broken: Some(super::views::AuditBreak {
                seq: b.seq,
                why: b.why,
            }),
        },
    }))
}
