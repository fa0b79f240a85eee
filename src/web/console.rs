//! The staff console pages: home, counter screen, password, users, services, status.
//! Server-rendered, every value escaped; live parts refresh from `/api/v1/events`.

use axum::Form;
use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::auth::{Caller, Staff};
use super::counters::parse_op;
use super::html::escape;
use super::page::{message, respond};
use crate::audit;
use crate::auth::{ALL_ROLES, Role, User, hash_password, valid_username, verify, weakness};
use crate::queue::CounterOp;

const SCRIPT: &str = include_str!("../../kiosk-ui/console.js");

#[derive(Deserialize, Default)]
pub struct Msg {
    #[serde(default)]
    ok: String,
    #[serde(default)]
    err: String,
}

fn flash(m: &Msg) -> String {
    format!("{}{}", message("ok", &m.ok), message("err", &m.err))
}

/// `?ok=…` / `?err=…` for the page redirected to.
fn with_msg(path: &str, key: &str, text: &str) -> Response {
    let mut enc = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
            enc.push(b as char);
        } else {
            enc.push_str(&format!("%{b:02X}"));
        }
    }
    (
        StatusCode::SEE_OTHER,
        [(LOCATION, format!("{path}?{key}={enc}"))],
    )
        .into_response()
}

fn staff(caller: &Caller) -> Option<&Staff> {
    caller.staff.as_ref()
}

fn csrf_field(s: &Staff) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        escape(&s.session.csrf)
    )
}

fn meta_csrf(s: &Staff) -> String {
    format!(
        "<meta name=\"csrf\" content=\"{}\"><script>{SCRIPT}</script>",
        escape(&s.session.csrf)
    )
}

pub async fn home(State(app): State<AppState>, caller: Caller, Query(m): Query<Msg>) -> Response {
    let Some(s) = staff(&caller) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let roles = s
        .user
        .roles
        .iter()
        .map(|r| escape(r.label_id()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut body = format!(
        "{}<p>Selamat bekerja, <strong>{}</strong> ({roles}).</p>",
        flash(&m),
        escape(if s.user.display_name.is_empty() {
            &s.user.username
        } else {
            &s.user.display_name
        }),
    );
    if s.user.has_any(&[Role::Operator, Role::CustomerService]) {
        body.push_str("<h2>Pilih loket</h2><div class=\"cards\">");
        for c in &app.config.counters {
            let services = c
                .services
                .iter()
                .filter_map(|code| app.config.service(code))
                .map(|sv| escape(&sv.name))
                .collect::<Vec<_>>()
                .join(", ");
            body.push_str(&format!(
                "<a class=\"card\" href=\"/console/counter/{}\"><strong>{}</strong><br><small>{services}</small></a>",
                c.id,
                escape(&c.name)
            ));
        }
        body.push_str("</div>");
    }
    respond(StatusCode::OK, "Konsol Petugas", Some(s), &body)
}

pub async fn counter_page(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(m): Query<Msg>,
) -> Response {
    let Some(s) = staff(&caller) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let Some(counter) = id.parse().ok().and_then(|n: u32| app.config.counter(n)) else {
        return respond(StatusCode::NOT_FOUND, "Loket tidak ditemukan", Some(s), "");
    };
    let view = match app.store.view().await {
        Ok(v) => v,
        Err(_) => {
            return respond(
                StatusCode::SERVICE_UNAVAILABLE,
                &counter.name,
                Some(s),
                "Penyimpanan data sedang tidak tersedia.",
            );
        }
    };
    let current = view
        .counters
        .iter()
        .find(|c| c.id == counter.id)
        .and_then(|c| c.ticket.clone());
    let current_html = current.as_ref().map_or(
        "<span id=\"current\" class=\"current\">—</span> <span id=\"current-state\"></span>"
            .to_string(),
        |t| {
            format!(
                "<span id=\"current\" class=\"current\">{}</span> <span id=\"current-state\">{}</span>",
                escape(&t.number),
                escape(t.state.label_id())
            )
        },
    );
    let csrf = csrf_field(s);
    let button = |op: &str, label: &str, class: &str| {
        format!(
            "<form class=\"inline\" method=\"post\" action=\"/console/counter/{}/{op}\">{csrf}<button class=\"{class}\" type=\"submit\">{label}</button></form>",
            counter.id
        )
    };
    let options = app
        .config
        .services
        .iter()
        .map(|sv| {
            format!(
                "<option value=\"{}\">{} — {}</option>",
                escape(&sv.code),
                escape(&sv.prefix),
                escape(&sv.name)
            )
        })
        .collect::<String>();
    let mut rows = String::new();
    for sv in view
        .services
        .iter()
        .filter(|sv| counter.services.contains(&sv.code))
    {
        rows.push_str(&format!(
            "<tr><td>{}</td><td id=\"waiting-{code}\">{}</td><td id=\"next-{code}\">{}</td></tr>",
            escape(&sv.name),
            sv.waiting,
            escape(&sv.next.join(", ")),
            code = escape(&sv.code),
        ));
    }
    let body = format!(
        "{flash}<p>Nomor saat ini: {current_html}</p>\
         <div class=\"actions\">{call}{recall}{serve}{finish}{noshow}{requeue}</div>\
         <form method=\"post\" action=\"/console/counter/{id}/transfer\">{csrf}\
         <label for=\"service\">Alihkan ke layanan</label><select id=\"service\" name=\"service\">{options}</select> \
         <button type=\"submit\">Alihkan</button></form>\
         <h2>Antrian menunggu</h2><table data-counter=\"{id}\" id=\"queue\"><tr><th>Layanan</th><th>Menunggu</th><th>Berikutnya</th></tr>{rows}</table>\
         <p><small id=\"live\">Diperbarui otomatis.</small></p>{meta}",
        flash = flash(&m),
        call = button("call-next", "Panggil berikutnya", ""),
        recall = button("recall", "Panggil ulang", "secondary"),
        serve = button("serve", "Layani", ""),
        finish = button("finish", "Selesai", ""),
        noshow = button("no-show", "Tidak hadir", "secondary"),
        requeue = button("requeue", "Kembalikan ke antrian", "secondary"),
        id = counter.id,
        meta = meta_csrf(s),
    );
    respond(StatusCode::OK, &counter.name, Some(s), &body)
}

#[derive(Deserialize)]
pub struct CounterForm {
    #[serde(default)]
    service: Option<String>,
}

pub async fn counter_submit(
    State(app): State<AppState>,
    caller: Caller,
    Path((id, op)): Path<(String, String)>,
    form: Result<Form<CounterForm>, FormRejection>,
) -> Response {
    let back = format!("/console/counter/{}", escape(&id));
    let Ok(counter) = id.parse::<u32>() else {
        return with_msg("/console", "err", "Loket tidak dikenal.");
    };
    let service = form.ok().and_then(|Form(f)| f.service);
    let op = if op == "transfer" {
        match service {
            Some(service) => CounterOp::Transfer { service },
            None => return with_msg(&back, "err", "Pilih layanan tujuan."),
        }
    } else {
        match parse_op(&op, b"") {
            Ok(op) => op,
            Err(e) => return with_msg(&back, "err", &e.message),
        }
    };
    match app.store.counter_op(counter, op, caller.who("staff")).await {
        Ok(Some(t)) => with_msg(&back, "ok", &format!("{}: {}", t.label, t.state.label_id())),
        Ok(None) => with_msg(&back, "ok", "Tidak ada antrian yang menunggu."),
        Err(e) => with_msg(&back, "err", &super::error::ApiError::from(e).message),
    }
}

fn password_form(s: &Staff, msg: &str) -> String {
    let notice = if s.user.must_change_password {
        message("err", "Kata sandi Anda harus diganti sebelum melanjutkan.")
    } else {
        String::new()
    };
    format!(
        "{notice}{msg}<form method=\"post\" action=\"/console/password\">{csrf}\
         <label for=\"current\">Kata sandi sekarang</label><input id=\"current\" name=\"current\" type=\"password\" autocomplete=\"current-password\" required>\
         <label for=\"new\">Kata sandi baru (minimal 10 karakter)</label><input id=\"new\" name=\"new\" type=\"password\" autocomplete=\"new-password\" required>\
         <label for=\"confirm\">Ulangi kata sandi baru</label><input id=\"confirm\" name=\"confirm\" type=\"password\" autocomplete=\"new-password\" required>\
         <p><button class=\"big\" type=\"submit\">Simpan</button></p></form>",
        csrf = csrf_field(s)
    )
}

pub async fn password_page(caller: Caller, Query(m): Query<Msg>) -> Response {
    let Some(s) = staff(&caller) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    respond(
        StatusCode::OK,
        "Ganti kata sandi",
        Some(s),
        &password_form(s, &flash(&m)),
    )
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

pub async fn password_submit(
    State(app): State<AppState>,
    caller: Caller,
    form: Result<Form<PasswordForm>, FormRejection>,
) -> Response {
    let Some(s) = staff(&caller) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let fail = |status: StatusCode, text: &str| {
        respond(
            status,
            "Ganti kata sandi",
            Some(s),
            &password_form(s, &message("err", text)),
        )
    };
    let Ok(Form(f)) = form else {
        return fail(StatusCode::BAD_REQUEST, "Isian formulir tidak lengkap.");
    };
    if f.new != f.confirm {
        return fail(
            StatusCode::BAD_REQUEST,
            "Kata sandi baru dan ulangannya tidak sama.",
        );
    }
    if let Some(why) = weakness(&f.new, &s.user.username) {
        return fail(StatusCode::BAD_REQUEST, why);
    }
    let (hash, current, new) = (s.user.password_hash.clone(), f.current, f.new);
    let hashed =
        tokio::task::spawn_blocking(move || verify(&current, &hash).then(|| hash_password(&new)))
            .await
            .ok()
            .flatten();
    let Some(Ok(new_hash)) = hashed else {
        let _ = app
            .store
            .audit(
                caller.who("staff"),
                "password_change_failed",
                &s.user.username,
                "",
            )
            .await;
        return fail(StatusCode::UNAUTHORIZED, "Kata sandi sekarang salah.");
    };
    let mut user = s.user.clone();
    let name = user.username.clone();
    user.password_hash = new_hash;
    user.must_change_password = false;
    match app
        .store
        .put_user(user, caller.who("staff"), "password_changed")
        .await
    {
        Ok(()) => {
            // Any other session (a stolen cookie, a forgotten PC) ends with the old password.
            let _ = app
                .store
                .revoke_sessions(&name, Some(s.key.clone()), caller.who("staff"))
                .await;
            with_msg("/console", "ok", "Kata sandi telah diganti.")
        }
        Err(_) => fail(
            StatusCode::SERVICE_UNAVAILABLE,
            "Penyimpanan data sedang tidak tersedia.",
        ),
    }
}

fn roles_text(u: &User) -> String {
    u.roles
        .iter()
        .map(|r| escape(r.label_id()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn users_page(
    State(app): State<AppState>,
    caller: Caller,
    Query(m): Query<Msg>,
) -> Response {
    let Some(s) = staff(&caller) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let users = app.store.users().await.unwrap_or_default();
    let csrf = csrf_field(s);
    let mut rows = String::new();
    for u in &users {
        let state = if u.disabled {
            "nonaktif"
        } else if u.must_change_password {
            "harus ganti kata sandi"
        } else {
            "aktif"
        };
        rows.push_str(&format!(
            "<tr><td>{name}</td><td>{display}</td><td>{roles}</td><td>{state}</td><td>\
             <form class=\"inline\" method=\"post\" action=\"/console/users/{name}/password\">{csrf}<button>Atur ulang kata sandi</button></form> \
             <form class=\"inline\" method=\"post\" action=\"/console/users/{name}/disable\">{csrf}<button>Nonaktifkan</button></form>\
             <details><summary>Ubah peran</summary><form method=\"post\" action=\"/console/users/{name}/roles\">{csrf}{boxes}<button>Simpan peran</button></form></details></td></tr>",
            name = escape(&u.username),
            display = escape(&u.display_name),
            roles = roles_text(u),
            boxes = role_boxes(&u.roles),
        ));
    }
    let checks = role_boxes(&[]);
    let body = format!(
        "{flash}<table><tr><th>Nama pengguna</th><th>Nama</th><th>Peran</th><th>Status</th><th></th></tr>{rows}</table>\
         <h2>Tambah pengguna</h2><form method=\"post\" action=\"/console/users\">{csrf}\
         <label for=\"username\">Nama pengguna (huruf kecil, angka, . _ -)</label><input id=\"username\" name=\"username\" required>\
         <label for=\"display_name\">Nama lengkap</label><input id=\"display_name\" name=\"display_name\">\
         <fieldset><legend>Peran</legend>{checks}</fieldset>\
         <p><button class=\"big\" type=\"submit\">Tambah</button></p></form>",
        flash = flash(&m),
    );
    respond(StatusCode::OK, "Pengguna", Some(s), &body)
}

fn role_boxes(checked: &[Role]) -> String {
    ALL_ROLES
        .iter()
        .map(|r| {
            format!(
                "<label><input type=\"checkbox\" name=\"role\" value=\"{}\"{}> {}</label>",
                r.as_str(),
                if checked.contains(r) { " checked" } else { "" },
                escape(r.label_id())
            )
        })
        .collect()
}

fn roles_from(pairs: &[(String, String)]) -> Result<Vec<Role>, ()> {
    let mut roles = Vec::new();
    for (k, v) in pairs {
        if k == "role" {
            let r = v.parse::<Role>().map_err(|_| ())?;
            if !roles.contains(&r) {
                roles.push(r);
            }
        }
    }
    Ok(roles)
}

/// Changes an account's roles; an administrator cannot remove their own admin role.
pub async fn user_roles(
    State(app): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    body: String,
) -> Response {
    let Some(s) = staff(&caller) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let Ok(roles) = roles_from(&form_pairs(&body)) else {
        return with_msg("/console/users", "err", "Peran tidak dikenal.");
    };
    if roles.is_empty() {
        return with_msg("/console/users", "err", "Pilih paling sedikit satu peran.");
    }
    if name == s.user.username && !roles.contains(&Role::Admin) {
        return with_msg(
            "/console/users",
            "err",
            "Anda tidak dapat mencabut peran administrator Anda sendiri.",
        );
    }
    if let Err(r) = edit_user(&app, &caller, &name, "roles_changed", |u| u.roles = roles).await {
        return r;
    }
    with_msg(USERS, "ok", "Peran diperbarui.")
}

const USERS: &str = "/console/users";

/// Loads an account, applies `edit` and saves it, audited as `action`; the page to send the
/// admin back to when any of that fails.
async fn edit_user(
    app: &AppState,
    caller: &Caller,
    name: &str,
    action: &str,
    edit: impl FnOnce(&mut User),
) -> Result<(), Response> {
    let Ok(Some(mut user)) = app.store.user(name).await else {
        return Err(with_msg(USERS, "err", "Pengguna tidak ditemukan."));
    };
    edit(&mut user);
    app.store
        .put_user(user, caller.who("staff"), action)
        .await
        .map_err(|_| with_msg(USERS, "err", "Penyimpanan data sedang tidak tersedia."))
}

/// Reads `role=a&role=b` (repeated keys), which a struct form cannot.
fn form_pairs(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'+' {
            out.push(b' ');
        } else if b == b'%'
            && i + 3 <= bytes.len()
            && let Some(v) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 2;
        } else {
            out.push(b);
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Shows a generated password once; it is never shown or logged again.
fn show_password(s: &Staff, username: &str, password: &str, what: &str) -> Response {
    let body = format!(
        "{}<p>Kata sandi sementara untuk <strong>{}</strong>: <code id=\"generated\">{}</code></p>\
         <p>Berikan kepada yang bersangkutan. Ia harus menggantinya saat pertama masuk. Kata sandi ini tidak akan ditampilkan lagi.</p>\
         <p><a href=\"/console/users\">Kembali ke daftar pengguna</a></p>",
        message("ok", what),
        escape(username),
        escape(password)
    );
    respond(StatusCode::OK, "Pengguna", Some(s), &body)
}

pub async fn user_add(State(app): State<AppState>, caller: Caller, body: String) -> Response {
    let Some(s) = staff(&caller) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let pairs = form_pairs(&body);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let username = get("username").to_lowercase();
    let display_name: String = get("display_name")
        .chars()
        .filter(|c| !c.is_control())
        .take(80)
        .collect();
    let Ok(roles) = roles_from(&pairs) else {
        return with_msg("/console/users", "err", "Peran tidak dikenal.");
    };
    if !valid_username(&username) {
        return with_msg(
            "/console/users",
            "err",
            "Nama pengguna harus 3-32 huruf kecil, angka, titik, garis bawah atau tanda hubung, diawali huruf.",
        );
    }
    if roles.is_empty() {
        return with_msg("/console/users", "err", "Pilih paling sedikit satu peran.");
    }
    if matches!(app.store.user(&username).await, Ok(Some(_))) {
        return with_msg("/console/users", "err", "Nama pengguna sudah dipakai.");
    }
    let Ok(password) = crate::auth::generate_password() else {
        return with_msg("/console/users", "err", "Gangguan sistem.");
    };
    let p = password.clone();
    let Ok(Ok(hash)) = tokio::task::spawn_blocking(move || hash_password(&p)).await else {
        return with_msg("/console/users", "err", "Gangguan sistem.");
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
    match app
        .store
        .put_user(user, caller.who("staff"), "user_added")
        .await
    {
        Ok(()) => show_password(s, &username, &password, "Pengguna ditambahkan."),
        Err(_) => with_msg(
            "/console/users",
            "err",
            "Penyimpanan data sedang tidak tersedia.",
        ),
    }
}

pub async fn user_disable(
    State(app): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Response {
    let Some(s) = staff(&caller) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    if name == s.user.username {
        return with_msg(
            "/console/users",
            "err",
            "Anda tidak dapat menonaktifkan akun sendiri.",
        );
    }
    if let Err(r) = edit_user(&app, &caller, &name, "user_disabled", |u| u.disabled = true).await {
        return r;
    }
    // Whoever is logged in as them is out at the next request.
    let _ = app
        .store
        .revoke_sessions(&name, None, caller.who("staff"))
        .await;
    with_msg(USERS, "ok", "Pengguna dinonaktifkan.")
}

pub async fn user_reset_password(
    State(app): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Response {
    let Some(s) = staff(&caller) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let Ok(password) = crate::auth::generate_password() else {
        return with_msg(USERS, "err", "Gangguan sistem.");
    };
    let p = password.clone();
    let Ok(Ok(hash)) = tokio::task::spawn_blocking(move || hash_password(&p)).await else {
        return with_msg(USERS, "err", "Gangguan sistem.");
    };
    let reset = |u: &mut User| {
        u.password_hash = hash;
        u.must_change_password = true;
    };
    if let Err(r) = edit_user(&app, &caller, &name, "password_reset", reset).await {
        return r;
    }
    // Sessions opened with the old password end with it.
    let _ = app
        .store
        .revoke_sessions(&name, None, caller.who("staff"))
        .await;
    show_password(s, &name, &password, "Kata sandi diatur ulang.")
}

pub async fn services_page(State(app): State<AppState>, caller: Caller) -> Response {
    let Some(s) = staff(&caller) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let mut body = String::from(
        "<p>Layanan, loket dan jam layanan diatur di berkas konfigurasi (<code>loket.toml</code>); \
         periksa dengan <code>loket check-config</code> lalu mulai ulang layanan.</p>\
         <h2>Layanan</h2><table><tr><th>Kode</th><th>Awalan</th><th>Nama</th><th>Menit per warga</th><th>Kuota</th></tr>",
    );
    for sv in &app.config.services {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{} <small>{}</small></td><td>{}</td><td>{}</td></tr>",
            escape(&sv.code),
            escape(&sv.prefix),
            escape(&sv.name),
            escape(&sv.name_en),
            sv.default_service_minutes,
            sv.daily_quota.map_or("—".to_string(), |q| q.to_string())
        ));
    }
    body.push_str(
        "</table><h2>Loket</h2><table><tr><th>No.</th><th>Nama</th><th>Layanan</th></tr>",
    );
    for c in &app.config.counters {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            c.id,
            escape(&c.name),
            escape(&c.services.join(", "))
        ));
    }
    body.push_str("</table>");
    respond(StatusCode::OK, "Layanan & loket", Some(s), &body)
}

pub async fn status_page(State(app): State<AppState>, caller: Caller) -> Response {
    let Some(s) = staff(&caller) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let (printer, status) = match &app.printer {
        Some(p) => (p.describe().to_string(), p.status_now().await),
        None => ("—".to_string(), crate::printer::PrinterStatus::Disabled),
    };
    let view = app.store.view().await.ok();
    let health = app.store.health().await.ok();
    let mut unprinted = String::new();
    for t in view.iter().flat_map(|v| v.unprinted.iter()) {
        unprinted.push_str(&format!(
            "<tr><td>{}</td><td><button data-api=\"/api/v1/tickets/{id}/reprint\">Cetak ulang</button> \
             <button data-api=\"/api/v1/tickets/{id}/void\">Batalkan</button></td></tr>",
            escape(&t.number),
            id = t.id
        ));
    }
    let body = format!(
        "<h2>Printer tiket</h2><p>{} — <strong>{}</strong></p>\
         <p><button data-api=\"/api/v1/printer/test\">Cetak uji</button> <span id=\"api-result\"></span></p>\
         <h2>Tiket belum tercetak</h2><table><tr><th>Nomor</th><th></th></tr>{unprinted}</table>\
         <h2>Sistem</h2><p>Versi {} · hari layanan {} · tiket hari ini {}</p>{meta}",
        escape(&printer),
        escape(status.label_id()),
        env!("CARGO_PKG_VERSION"),
        health
            .as_ref()
            .map_or(String::new(), |h| h.service_day.to_string()),
        health.as_ref().map_or(0, |h| h.tickets_today),
        meta = meta_csrf(s),
    );
    respond(StatusCode::OK, "Status", Some(s), &body)
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
    caller: Caller,
) -> Result<Json<super::views::AuditReport>, super::ApiError> {
    let entries = app.store.audit_entries().await?;
    let _ = app
        .store
        .audit(caller.who("staff"), "audit_verified", "", "")
        .await;
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
