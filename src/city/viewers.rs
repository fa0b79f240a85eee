//! The city view's accounts (`loket.viewers`, migration 003): their roles, which offices
//! each may see, and the login role its server connects as.

use tokio_postgres::{Client, GenericClient};

use super::CityError;

/// Who uses the city view (docs/city.md, "City view: server").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewerRole {
    /// The Walikota's staff, the Sekda: every office, every page.
    Pimpinan,
    /// The Inspektorat, the Ombudsman: every office, every page, the overdue complaint
    /// steps included.
    Pengawas,
    /// The head of an office: only the offices listed on the account.
    KepalaKantor,
    /// The city's technician: keeps the accounts (from the command line) and watches that
    /// every office is sending; sees the "today" page only.
    Admin,
}

pub const ROLE_NAMES: &str = "pimpinan, pengawas, kepala_kantor, admin";

impl ViewerRole {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pimpinan" => Some(Self::Pimpinan),
            "pengawas" => Some(Self::Pengawas),
            "kepala_kantor" => Some(Self::KepalaKantor),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pimpinan => "pimpinan",
            Self::Pengawas => "pengawas",
            Self::KepalaKantor => "kepala_kantor",
            Self::Admin => "admin",
        }
    }

    /// As shown in the view's top bar.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pimpinan => "Pimpinan",
            Self::Pengawas => "Pengawas",
            Self::KepalaKantor => "Kepala kantor",
            Self::Admin => "Admin",
        }
    }
}

/// One account as the server reads it at each request (a disabled account's sessions end
/// at their next request).
#[derive(Debug, Clone)]
pub struct Viewer {
    pub username: String,
    pub role: ViewerRole,
    /// `None`: every office.
    pub offices: Option<Vec<String>>,
    pub password_hash: String,
    pub disabled: bool,
}

impl Viewer {
    pub fn may_see(&self, office: &str) -> bool {
        self.offices
            .as_ref()
            .is_none_or(|list| list.iter().any(|o| o == office))
    }
}

pub async fn load(c: &impl GenericClient, username: &str) -> Result<Option<Viewer>, CityError> {
    let row = c
        .query_opt(
            "SELECT username, role, offices, password_hash, disabled FROM loket.viewers \
             WHERE username = $1",
            &[&username],
        )
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let role: String = row.get(1);
    let role = ViewerRole::parse(&role)
        .ok_or_else(|| CityError::Schema(format!("loket.viewers: unknown role `{role}`")))?;
    Ok(Some(Viewer {
        username: row.get(0),
        role,
        offices: row.get(2),
        password_hash: row.get(3),
        disabled: row.get(4),
    }))
}

/// One line of `loket.viewer_logins`, at the view's clock (`at`).
pub async fn record_login(
    c: &impl GenericClient,
    at: chrono::DateTime<chrono::Utc>,
    username: &str,
    address: &str,
    outcome: &str,
) -> Result<(), CityError> {
    c.execute(
        "INSERT INTO loket.viewer_logins (at, username, address, outcome) \
         VALUES ($1::text::timestamptz, $2, $3, $4)",
        &[&at.to_rfc3339(), &username, &address, &outcome],
    )
    .await?;
    Ok(())
}

/// A new account. `offices` must be given for a kepala kantor and only then, and every
/// code must be an office the city has (`loket.offices`).
pub async fn add(
    client: &mut Client,
    username: &str,
    role: ViewerRole,
    offices: Option<&[String]>,
    password_hash: &str,
) -> Result<(), CityError> {
    if !crate::auth::valid_username(username) {
        return Err(CityError::Config(format!(
            "--username `{username}`: 3–32 huruf kecil, angka, . _ -, diawali huruf / \
             3–32 lower-case letters, digits, . _ -, starting with a letter"
        )));
    }
    match (role, offices) {
        (ViewerRole::KepalaKantor, None) => {
            return Err(CityError::Config(
                "--offices: wajib untuk kepala_kantor / required for kepala_kantor".to_string(),
            ));
        }
        (ViewerRole::KepalaKantor, Some(_)) | (_, None) => {}
        (_, Some(_)) => {
            return Err(CityError::Config(format!(
                "--offices: hanya untuk kepala_kantor; {} melihat semua kantor / \
                 only for kepala_kantor; {} sees every office",
                role.as_str(),
                role.as_str()
            )));
        }
    }
    let txn = client.transaction().await?;
    if let Some(list) = offices {
        let known: Vec<String> = txn
            .query(
                "SELECT office_code FROM loket.offices WHERE office_code = ANY($1)",
                &[&list],
            )
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        if let Some(unknown) = list.iter().find(|o| !known.contains(o)) {
            return Err(CityError::Config(format!(
                "--offices: kantor `{unknown}` tidak dikenal (loket city add-office) / \
                 unknown office `{unknown}` (loket city add-office)"
            )));
        }
    }
    let exists = txn
        .query_opt(
            "SELECT 1 FROM loket.viewers WHERE username = $1",
            &[&username],
        )
        .await?
        .is_some();
    if exists {
        return Err(CityError::Config(format!(
            "--username `{username}`: sudah ada / already exists"
        )));
    }
    txn.execute(
        "INSERT INTO loket.viewers (username, role, offices, password_hash) VALUES ($1, $2, $3, $4)",
        &[&username, &role.as_str(), &offices, &password_hash],
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The login role the view's server connects as: a member of `loket_viewer`, so it reads
/// every record and writes only the login record.
pub async fn add_view_role(
    client: &mut Client,
    role: &str,
    password: &str,
) -> Result<(), CityError> {
    check_role_name(role)?;
    let txn = client.transaction().await?;
    let literal: String = txn
        .query_one("SELECT quote_literal($1::text)", &[&password])
        .await?
        .get(0);
    txn.batch_execute(&format!(
        "CREATE ROLE \"{role}\" LOGIN PASSWORD {literal} IN ROLE loket_viewer"
    ))
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Disables (or enables again) an account; its sessions end at their next request.
pub async fn set_disabled(
    client: &Client,
    username: &str,
    disabled: bool,
) -> Result<(), CityError> {
    let n = client
        .execute(
            "UPDATE loket.viewers SET disabled = $2 WHERE username = $1",
            &[&username, &disabled],
        )
        .await?;
    if n == 0 {
        return Err(CityError::Config(format!(
            "--username `{username}`: tidak ada / no such account"
        )));
    }
    Ok(())
}

/// Role names are identifiers we quote ourselves: letters, digits and `_` only (the rule of
/// `schema::add_office`).
fn check_role_name(role: &str) -> Result<(), CityError> {
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
    Ok(())
}
