//! The shell every console page shares: Indonesian, light, no external assets.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::auth::Staff;
use super::html::escape;

const CSS: &str = include_str!("../../kiosk-ui/console.css");

/// A full page around `body` (already escaped HTML). `staff` adds the top bar.
pub fn render(title: &str, staff: Option<&Staff>, body: &str) -> String {
    let bar = staff.map_or(String::new(), |s| {
        let admin = if s.user.roles.contains(&crate::auth::Role::Admin) {
            "<a href=\"/console/users\">Pengguna</a><a href=\"/console/services\">Layanan &amp; loket</a>"
        } else {
            ""
        };
        format!(
            "<nav><a href=\"/console\">Konsol</a><a href=\"/console/status\">Status</a>{admin}\
             <a href=\"/console/password\">Kata sandi</a>\
             <form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <button>Keluar ({user})</button></form></nav>",
            csrf = escape(&s.session.csrf),
            user = escape(&s.user.username),
        )
    });
    format!(
        "<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — loket</title><style>{CSS}</style></head>\
         <body>{bar}<main><h1>{title}</h1>{body}</main></body></html>",
        title = escape(title),
    )
}

pub fn respond(status: StatusCode, title: &str, staff: Option<&Staff>, body: &str) -> Response {
    (
        status,
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Html(render(title, staff, body)),
    )
        .into_response()
}

pub fn message(kind: &str, text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    format!(
        "<p class=\"msg {kind}\" role=\"status\">{}</p>",
        escape(text)
    )
}
