//! "Akun" (the `admin` role only): who may open the city view, with which role and offices,
//! whether the account is enabled, when it last logged in and how many wrong passwords it
//! met in the last seven days. Read only: accounts are changed from the command line
//! (`loket city add-viewer`, `disable-viewer`, `enable-viewer`) by the database's owner.

use askama::Template;
use axum::extract::State as Axum;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use tokio_postgres::Client;

use super::State;
use super::page::{Shell, Visitor, db_error, refusal, render};
use crate::city::CityError;
use crate::city::viewers::ViewerRole;

pub const HREF: &str = "/akun";

pub struct Account {
    pub username: String,
    pub role: &'static str,
    /// `Semua kantor`, or the codes.
    pub offices: String,
    pub disabled: bool,
    /// `30/11/2026 10.12`, or `—`.
    pub last_login: String,
    pub failures: i64,
}

#[derive(Template)]
#[template(path = "city/accounts.html")]
struct AccountsPage {
    shell: Shell,
    accounts: Vec<Account>,
}

async fn load(c: &Client, now: DateTime<Utc>) -> Result<Vec<(Account, Option<i64>)>, CityError> {
    let rows = c
        .query(
            "SELECT v.username, v.role, v.offices, v.disabled, \
               (SELECT (extract(epoch FROM max(l.at)) * 1000)::bigint FROM loket.viewer_logins l \
                WHERE l.username = v.username AND l.outcome = 'ok'), \
               (SELECT count(*) FROM loket.viewer_logins l WHERE l.username = v.username \
                AND l.outcome = 'wrong_password' \
                AND l.at > $1::text::timestamptz - interval '7 days') \
             FROM loket.viewers v ORDER BY v.username",
            &[&now.to_rfc3339()],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let role: String = r.get(1);
            let offices: Option<Vec<String>> = r.get(2);
            (
                Account {
                    username: r.get(0),
                    role: ViewerRole::parse(&role).map_or("?", ViewerRole::label),
                    offices: offices.map_or("Semua kantor".to_string(), |o| o.join(", ")),
                    disabled: r.get(3),
                    last_login: String::new(),
                    failures: r.get(5),
                },
                r.get(4),
            )
        })
        .collect())
}

pub async fn page(Axum(app): Axum<State>, v: Visitor) -> Response {
    if let Some(refused) = refusal(&app, &v, HREF) {
        return refused;
    }
    let now = app.clock.now();
    let rows = match app
        .db
        .run(move |c| Box::pin(async move { load(c, now).await }))
        .await
    {
        Ok(r) => r,
        Err(e) => return db_error(&app, &e),
    };
    let tz = app.config.time_zone;
    let accounts = rows
        .into_iter()
        .map(|(mut a, last)| {
            a.last_login = last
                .and_then(DateTime::<Utc>::from_timestamp_millis)
                .map_or("—".to_string(), |t| {
                    t.with_timezone(&tz).format("%d/%m/%Y %H.%M").to_string()
                });
            a
        })
        .collect();
    render(
        StatusCode::OK,
        &AccountsPage {
            shell: Shell::visitor(&app, &v, "Akun", "Accounts", HREF),
            accounts,
        },
    )
}
