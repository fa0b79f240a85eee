//! The city database's schema: migrations shipped in the binary, applied in order in one
//! transaction by `loket city init`, and the office roles (`loket city add-office`).

use tokio_postgres::Client;

use super::CityError;

/// `(version, SQL)`, in order. A release that changes the schema adds a file; a file once
/// shipped is never edited (a city database has already run it).
pub const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("schema/001_records.sql")),
    (2, include_str!("schema/002_view.sql")),
    (3, include_str!("schema/003_viewers.sql")),
];

/// The four tables, in the order their rows are inserted.
pub const TABLES: &[&str] = &[
    "ticket_events",
    "complaint_actions",
    "survey_responses",
    "audit_hashes",
];

/// Applies the migrations the database has not run yet, all in one transaction; returns
/// their versions (empty when it was up to date). A database with a `loket` schema that is
/// not ours is refused, never altered.
pub async fn init(client: &mut Client) -> Result<Vec<i32>, CityError> {
    let txn = client.transaction().await?;
    // One `init` at a time: a second waits, then finds the work done.
    txn.execute("SELECT pg_advisory_xact_lock(7310001)", &[])
        .await?;
    let row = txn
        .query_one(
            "SELECT to_regnamespace('loket') IS NOT NULL, \
                    to_regclass('loket.schema_migrations') IS NOT NULL",
            &[],
        )
        .await?;
    let (schema, tracked): (bool, bool) = (row.get(0), row.get(1));
    let done: i32 = match (schema, tracked) {
        (false, _) => 0,
        (true, true) => txn
            .query_one(
                "SELECT coalesce(max(version), 0) FROM loket.schema_migrations",
                &[],
            )
            .await?
            .get(0),
        (true, false) => {
            return Err(CityError::Schema(
                "basis data ini sudah punya skema `loket` yang bukan buatan loket; pakai basis data kosong / \
                 this database already has a `loket` schema that loket did not make: use an empty database"
                    .to_string(),
            ));
        }
    };
    let latest = MIGRATIONS.last().map_or(0, |m| m.0);
    if done > latest {
        return Err(CityError::Schema(format!(
            "skema kota versi {done} lebih baru dari versi ini ({latest}) / the city schema is at version {done}, newer than this build's {latest}"
        )));
    }
    let mut applied = Vec::new();
    for (version, sql) in MIGRATIONS.iter().filter(|m| m.0 > done) {
        txn.batch_execute(sql).await?;
        txn.execute(
            "INSERT INTO loket.schema_migrations (version) VALUES ($1)",
            &[version],
        )
        .await?;
        applied.push(*version);
    }
    txn.commit().await?;
    Ok(applied)
}

/// A login role for one office, member of `loket_office`: it may insert and read only rows
/// whose office code is `code`. `name` is how the city's pages name the office. Role names are identifiers we quote ourselves, so they are
/// restricted to letters, digits and `_`.
pub async fn add_office(
    client: &mut Client,
    code: &str,
    name: Option<&str>,
    role: &str,
    password: &str,
) -> Result<(), CityError> {
    if role.is_empty()
        || role.len() > 63
        || !role
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(CityError::Config(format!(
            "--role `{role}`: hanya a-z, 0-9 dan _, paling panjang 63 / only a-z, 0-9 and _, at most 63 long"
        )));
    }
    if code.trim().is_empty() {
        return Err(CityError::Config("--code: kosong / empty".to_string()));
    }
    let name = name.map(str::trim);
    if name.is_some_and(|n| n.is_empty() || n.chars().count() > 200) {
        return Err(CityError::Config(
            "--name: kosong atau lebih dari 200 karakter / empty or longer than 200 characters"
                .to_string(),
        ));
    }
    let txn = client.transaction().await?;
    // CREATE ROLE takes no parameters: the password goes in as a quoted literal, quoted by
    // the server itself.
    let literal: String = txn
        .query_one("SELECT quote_literal($1::text)", &[&password])
        .await?
        .get(0);
    txn.batch_execute(&format!(
        "CREATE ROLE \"{role}\" LOGIN PASSWORD {literal} IN ROLE loket_office"
    ))
    .await?;
    txn.execute(
        "INSERT INTO loket.offices (office_code, role_name, name) VALUES ($1, $2, $3)",
        &[&code, &role, &name],
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
