//! `loket user add | list | passwd | disable | enable` and `loket audit verify`: account care at the
//! box, on the database directly (the daemon stopped).

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::Utc;

use crate::auth::{Role, User, generate_password, hash_password, valid_username, weakness};
use crate::store::offline::Offline;

pub enum UserCommand {
    Add {
        name: String,
        roles: Vec<String>,
        password_stdin: bool,
        data: PathBuf,
    },
    List {
        data: PathBuf,
    },
    Passwd {
        name: String,
        data: PathBuf,
    },
    Disable {
        name: String,
        data: PathBuf,
    },
    Enable {
        name: String,
        data: PathBuf,
    },
}

type Outcome = Result<String, (u8, String)>;

fn fail(e: impl std::fmt::Display) -> (u8, String) {
    (1, e.to_string())
}

/// Bad input is exit code 2, like a bad configuration.
fn usage(e: impl Into<String>) -> (u8, String) {
    (2, e.into())
}

fn read_password(name: &str) -> Result<String, (u8, String)> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .map_err(|e| fail(format!("cannot read standard input: {e}")))?;
    let p = s.trim_end_matches(['\n', '\r']).to_string();
    if let Some(why) = weakness(&p, &[name]) {
        return Err(usage(format!("password refused: {why}")));
    }
    Ok(p)
}

pub fn user(cmd: UserCommand) -> Outcome {
    match cmd {
        UserCommand::Add {
            name,
            roles,
            password_stdin,
            data,
        } => {
            if !valid_username(&name) {
                return Err(usage("name: 3-32 of a-z 0-9 . _ -, starting with a letter"));
            }
            let mut parsed: Vec<Role> = Vec::new();
            for r in &roles {
                let role = r.parse::<Role>().map_err(usage)?;
                if !parsed.contains(&role) {
                    parsed.push(role);
                }
            }
            let (password, generated) = if password_stdin {
                (read_password(&name)?, false)
            } else {
                (generate_password().map_err(fail)?, true)
            };
            let store = Offline::open(&data).map_err(fail)?;
            if store.user(&name).map_err(fail)?.is_some() {
                return Err(usage(format!("user `{name}` exists already")));
            }
            let user = User {
                username: name.clone(),
                display_name: String::new(),
                roles: parsed,
                password_hash: hash_password(&password).map_err(fail)?,
                disabled: false,
                must_change_password: generated,
                created_at: Utc::now(),
            };
            store.put_user(user, "user_added", false).map_err(fail)?;
            Ok(if generated {
                format!(
                    "user `{name}` added; password (shown once, change at first login): {password}"
                )
            } else {
                format!("user `{name}` added")
            })
        }
        UserCommand::List { data } => {
            let store = Offline::open(&data).map_err(fail)?;
            let users = store.users().map_err(fail)?;
            Ok(users
                .iter()
                .map(|u| {
                    let roles: Vec<&str> = u.roles.iter().map(|r| r.as_str()).collect();
                    let state = if u.disabled {
                        "disabled"
                    } else if u.must_change_password {
                        "must change password"
                    } else {
                        "active"
                    };
                    format!("{:<20} {:<40} {state}", u.username, roles.join(","))
                })
                .collect::<Vec<_>>()
                .join("\n"))
        }
        UserCommand::Passwd { name, data } => {
            let password = read_password(&name)?;
            let store = Offline::open(&data).map_err(fail)?;
            let mut user = store
                .user(&name)
                .map_err(fail)?
                .ok_or_else(|| usage(format!("no user `{name}`")))?;
            user.password_hash = hash_password(&password).map_err(fail)?;
            user.must_change_password = false;
            store
                .put_user(user, "password_changed", true)
                .map_err(fail)?;
            if name == crate::app::FIRST_ADMIN {
                crate::app::forget_initial_password(&data);
            }
            Ok(format!("password of `{name}` changed"))
        }
        UserCommand::Disable { name, data } => {
            let store = Offline::open(&data).map_err(fail)?;
            let mut user = store
                .user(&name)
                .map_err(fail)?
                .ok_or_else(|| usage(format!("no user `{name}`")))?;
            if user.is_active_admin()
                && !store
                    .users()
                    .map_err(fail)?
                    .iter()
                    .any(|u| u.username != name && u.is_active_admin())
            {
                return Err(usage(format!(
                    "`{name}` is the last active administrator: add or enable another first"
                )));
            }
            user.disabled = true;
            store.put_user(user, "user_disabled", true).map_err(fail)?;
            Ok(format!("user `{name}` disabled"))
        }
        UserCommand::Enable { name, data } => {
            let store = Offline::open(&data).map_err(fail)?;
            let mut user = store
                .user(&name)
                .map_err(fail)?
                .ok_or_else(|| usage(format!("no user `{name}`")))?;
            if !user.disabled {
                return Ok(format!("user `{name}` is already enabled"));
            }
            user.disabled = false;
            store.put_user(user, "user_enabled", false).map_err(fail)?;
            Ok(format!("user `{name}` enabled"))
        }
    }
}

/// A damaged database is an error (exit 1) naming what could not be read, never a panic.
pub fn audit_verify(data: &Path) -> Outcome {
    std::panic::catch_unwind(|| audit_verify_inner(data)).unwrap_or_else(|panic| {
        Err(fail(format!(
            "database DAMAGED: reading it failed ({}); run `loket check` and restore the last backup",
            crate::store::check::panic_message(&panic)
        )))
    })
}

fn audit_verify_inner(data: &Path) -> Outcome {
    let store = Offline::open(data).map_err(fail)?;
    match store.verify_audit().map_err(fail)? {
        Ok(n) => Ok(format!("audit log OK: {n} entries, chain intact")),
        Err(b) => Err(fail(format!(
            "audit log BROKEN at entry {}: {}",
            b.seq, b.why
        ))),
    }
}
