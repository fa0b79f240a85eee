//! `loket city …`: set up the city's PostgreSQL from the command line (the city's
//! technician runs it, not the office's daemon). Refusals of what was typed exit 2.

use std::path::{Path, PathBuf};

use crate::city::CityError;
use crate::city::connect::{Target, connect};
use crate::city::schema;

/// Where the command connects: an administrator's connection string, its password file and
/// the server's certificate.
pub struct Server {
    pub url: String,
    pub password_file: Option<PathBuf>,
    pub server_certificate: Option<PathBuf>,
}

impl Server {
    fn target(&self) -> Target<'_> {
        Target {
            url: &self.url,
            password_file: self.password_file.as_deref(),
            server_certificate: self.server_certificate.as_deref(),
        }
    }
}

fn fail(e: CityError) -> (u8, String) {
    match e {
        CityError::Config(m) => (2, m),
        other => (1, other.to_string()),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, (u8, String)> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| (1, format!("no runtime: {e}")))
}

/// Creates the schema in an empty database, or brings it to this build's version.
pub fn init(server: &Server) -> Result<String, (u8, String)> {
    runtime()?.block_on(async {
        let mut client = connect(&server.target()).await.map_err(fail)?;
        let applied = schema::init(&mut client).await.map_err(fail)?;
        Ok(if applied.is_empty() {
            "skema kota sudah terbaru / the city schema is up to date".to_string()
        } else {
            format!(
                "skema kota dibuat: versi {applied:?} / city schema migrated: versions {applied:?}"
            )
        })
    })
}

/// A login role for one office, with its password read from `password_file`; `name` is how
/// the city's pages name the office (its code when none).
pub fn add_office(
    server: &Server,
    code: &str,
    name: Option<&str>,
    role: &str,
    office_password_file: &Path,
) -> Result<String, (u8, String)> {
    let password = std::fs::read_to_string(office_password_file)
        .map_err(|e| (2, format!("{}: {e}", office_password_file.display())))?;
    let password = password.trim_end_matches(['\r', '\n']);
    if password.len() < 16 {
        return Err((
            2,
            "kata sandi kantor minimal 16 karakter / the office password must have at least 16 characters"
                .to_string(),
        ));
    }
    runtime()?.block_on(async {
        let mut client = connect(&server.target()).await.map_err(fail)?;
        schema::add_office(&mut client, code, name, role, password)
            .await
            .map_err(fail)?;
        Ok(format!(
            "kantor {code} ditambahkan dengan peran {role} / office {code} added with role {role}"
        ))
    })
}

fn read_password(file: &Path, what: &str) -> Result<String, (u8, String)> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| (2, format!("{what} {}: {e}", file.display())))?;
    Ok(text.trim_end_matches(['\r', '\n']).to_string())
}

/// An account of the city view; its password read from a file and checked as the office
/// checks a new password.
pub fn add_viewer(
    server: &Server,
    username: &str,
    role: &str,
    offices: Option<&[String]>,
    password_file: &Path,
) -> Result<String, (u8, String)> {
    use crate::city::viewers::{self, ROLE_NAMES, ViewerRole};
    let Some(role) = ViewerRole::parse(role) else {
        return Err((
            2,
            format!("--role `{role}`: salah satu dari {ROLE_NAMES} / one of {ROLE_NAMES}"),
        ));
    };
    let offices: Option<Vec<String>> = offices.map(|list| {
        list.iter()
            .map(|o| o.trim().to_string())
            .filter(|o| !o.is_empty())
            .collect()
    });
    if offices.as_ref().is_some_and(Vec::is_empty) {
        return Err((2, "--offices: kosong / empty".to_string()));
    }
    let password = read_password(password_file, "--viewer-password-file")?;
    if let Some(why) = crate::auth::weakness(&password, &[username]) {
        return Err((2, format!("--viewer-password-file: {why}")));
    }
    let hash = crate::auth::hash_password(&password).map_err(|e| (1, e))?;
    runtime()?.block_on(async {
        let mut client = connect(&server.target()).await.map_err(fail)?;
        viewers::add(&mut client, username, role, offices.as_deref(), &hash)
            .await
            .map_err(fail)?;
        Ok(format!(
            "akun {username} ({}) ditambahkan / account {username} ({}) added",
            role.as_str(),
            role.as_str()
        ))
    })
}

/// The login role the city view's server connects as.
pub fn add_view_role(
    server: &Server,
    role: &str,
    password_file: &Path,
) -> Result<String, (u8, String)> {
    let password = read_password(password_file, "--role-password-file")?;
    if password.len() < 16 {
        return Err((
            2,
            "kata sandi peran minimal 16 karakter / the role password must have at least 16 characters"
                .to_string(),
        ));
    }
    runtime()?.block_on(async {
        let mut client = connect(&server.target()).await.map_err(fail)?;
        crate::city::viewers::add_view_role(&mut client, role, &password)
            .await
            .map_err(fail)?;
        Ok(format!(
            "peran {role} untuk tampilan kota ditambahkan / city view role {role} added"
        ))
    })
}

/// Disables or enables a city view account.
pub fn set_viewer_disabled(
    server: &Server,
    username: &str,
    disabled: bool,
) -> Result<String, (u8, String)> {
    runtime()?.block_on(async {
        let client = connect(&server.target()).await.map_err(fail)?;
        crate::city::viewers::set_disabled(&client, username, disabled)
            .await
            .map_err(fail)?;
        Ok(if disabled {
            format!("akun {username} dinonaktifkan / account {username} disabled")
        } else {
            format!("akun {username} diaktifkan / account {username} enabled")
        })
    })
}
