//! Upgrades keep every record: a database written by an earlier release (a fixture kept per
//! release in `tests/fixtures/db/`) opens with this build with every ticket, account,
//! session and audit entry; a migration runs once, after a byte-identical copy is written
//! beside the database; a failing one leaves the file untouched and the store refuses to
//! open; a database from a later release is refused.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use common::{TestApp, test_config, wib};
use loket::audit::Who;
use loket::auth::Role;
use loket::clock::FakeClock;
use loket::complaint::{Action, ActionKind, Channel, Level};
use loket::queue::{CounterOp, PrintState, TicketState};
use loket::store::migrate::{self, Migrated, Step};
use loket::store::offline::Offline;
use loket::store::{Identity, NewComplaint, RegisterQuery, Source, StoreError};
use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};

const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const SESSIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("sessions");
/// What a later release might add: a table of its own (not one of this build's names).
const COMPLAINTS: TableDefinition<u64, &str> = TableDefinition::new("test_later_release");

fn fixture(version: u64) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/db/v{version}.redb"))
}

/// A data directory holding a copy of the fixture; the fixture itself is never opened.
fn copy_of_fixture(version: u64) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).expect("data dir");
    let db = data.join(loket::app::DB_FILE);
    std::fs::copy(fixture(version), &db).expect("copy the fixture");
    (tmp, db)
}

fn set_schema(db: &Path, version: u64) {
    let db = redb::Database::open(db).expect("open");
    let txn = db.begin_write().expect("txn");
    txn.open_table(META)
        .expect("meta")
        .insert("schema_version", version)
        .expect("insert");
    txn.commit().expect("commit");
}

/// Thursday 3 December 2026, 09:00 WIB: the day after the fixture's last.
fn thursday() -> DateTime<Utc> {
    wib(2026, 12, 3, 9, 0)
}

/// Runs loket to completion; one that serves instead of refusing is killed after 20 s and
/// fails the test rather than hanging it.
fn loket(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run loket");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("loket {args:?} did not exit");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let out = child.wait_with_output().expect("output");
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The database and anything made beside it (copies, working files); not the spool.
fn db_files(dir: &Path) -> Vec<String> {
    let mut names = files_in(dir);
    names.retain(|n| n.starts_with(loket::app::DB_FILE));
    names
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}

/// The tickets of the v1 fixture: id, service day, number, queue, state, priority.
const V1_TICKETS: [(u64, &str, &str, &str, TicketState, bool); 13] = [
    (1, "2026-11-30", "A-001", "A", TicketState::NoShow, false),
    // Transferred from B to D, then served there.
    (2, "2026-11-30", "B-001", "D", TicketState::Done, false),
    (3, "2026-11-30", "B-002", "B", TicketState::Done, true),
    // Left waiting at the end of the day, then closed by the next day's start.
    (4, "2026-11-30", "C-001", "C", TicketState::Cancelled, false),
    (5, "2026-11-30", "D-001", "D", TicketState::Cancelled, false),
    // Voided.
    (6, "2026-11-30", "B-003", "B", TicketState::Cancelled, false),
    // Reprinted, served.
    (7, "2026-12-01", "B-001", "B", TicketState::Done, false),
    (8, "2026-12-01", "B-002", "B", TicketState::Cancelled, false),
    (9, "2026-12-01", "C-001", "C", TicketState::Cancelled, false),
    (
        10,
        "2026-12-01",
        "A-001",
        "A",
        TicketState::Cancelled,
        false,
    ),
    (
        11,
        "2026-12-02",
        "C-001",
        "B",
        TicketState::Transferred,
        false,
    ),
    (12, "2026-12-02", "D-001", "D", TicketState::Called, false),
    (13, "2026-12-02", "B-001", "B", TicketState::Waiting, false),
];
const V1_AUDIT_ENTRIES: u64 = 65;
/// The last entry's hash: the whole chain up to it, as the v1 build wrote it.
const V1_AUDIT_HEAD: &str = "877521eb0553f6c4db3a1ad39d6a31a0fdaff2c00b1c42c1863b6943ff541a06";

#[tokio::test]
async fn the_v1_fixture_opens_with_every_record() {
    let (_tmp, db) = copy_of_fixture(1);
    let data = db.parent().expect("data dir").to_path_buf();
    // The sessions as stored (their keys are not known otherwise): budi's was revoked by
    // his password reset, sari's and loket-op's logins stand.
    let sessions: Vec<(String, String)> = {
        let db = redb::ReadOnlyDatabase::open(&db).expect("open");
        let txn = db.begin_read().expect("read");
        let t = txn.open_table(SESSIONS).expect("sessions");
        let mut out: Vec<(String, String)> = t
            .iter()
            .expect("iter")
            .map(|row| {
                let (k, v) = row.expect("row");
                let s: loket::auth::Session = serde_json::from_slice(v.value()).expect("json");
                (s.username, k.value().to_string())
            })
            .collect();
        out.sort();
        out
    };
    let users: Vec<&str> = sessions.iter().map(|(u, _)| u.as_str()).collect();
    assert_eq!(users, ["loket-op", "sari"]);

    // The technician's tools read it: the audit chain holds.
    let fixture_audit = {
        let offline = Offline::open(&data).expect("open offline");
        assert_eq!(offline.verify_audit().expect("read"), Ok(V1_AUDIT_ENTRIES));
        assert_eq!(offline.users().expect("users").len(), 5);
        drop(offline);
        // Read again through the daemon below; kept to compare.
        loket::store::backup::verify(&db).expect("a sound database")
    };
    assert_eq!(fixture_audit.tickets, 13);

    // The daemon starts on it later the same day: Wednesday's queue is as it was left.
    let clock = Arc::new(FakeClock::new(wib(2026, 12, 2, 11, 0)));
    let running = loket::app::start(loket::app::Options {
        config: test_config(),
        data_dir: data.clone(),
        listen: "127.0.0.1:0".parse().expect("addr"),
        clock: clock.clone(),
        open_db: None,
    })
    .await
    .expect("start on the v1 database");
    let store = running.store.clone();
    for (id, day, number, queue, state, priority) in V1_TICKETS {
        let t = store
            .ticket(id)
            .await
            .expect("read")
            .unwrap_or_else(|| panic!("ticket {id} kept"))
            .ticket;
        assert_eq!(
            (
                t.service_day.to_string().as_str(),
                t.label.as_str(),
                t.service.as_str(),
                t.state,
                t.priority,
                t.print,
            ),
            (day, number, queue, state, priority, PrintState::Printed),
            "ticket {id}"
        );
    }
    assert!(store.ticket(14).await.expect("read").is_none());

    let mut users: Vec<(String, Vec<Role>, bool, bool)> = store
        .users()
        .await
        .expect("users")
        .into_iter()
        .map(|u| (u.username, u.roles, u.disabled, u.must_change_password))
        .collect();
    users.sort();
    assert_eq!(
        users,
        [
            ("admin".to_string(), vec![Role::Admin], false, true),
            ("budi".to_string(), vec![Role::Operator], false, true),
            (
                "kepala".to_string(),
                vec![Role::KepalaDinas, Role::Kasi],
                true,
                false
            ),
            ("loket-op".to_string(), vec![Role::Operator], false, false),
            (
                "sari".to_string(),
                vec![Role::CustomerService],
                false,
                false
            ),
        ]
    );
    for (username, key) in &sessions {
        let s = store
            .session(key)
            .await
            .expect("read")
            .expect("session kept");
        assert_eq!(&s.username, username);
    }

    let audit = store.audit_entries().await.expect("audit");
    assert!(
        audit.len() as u64 > V1_AUDIT_ENTRIES,
        "today's start is logged on"
    );
    assert_eq!(loket::audit::verify(&audit), Ok(audit.len() as u64));
    let revoked = &audit[52];
    assert_eq!(
        (
            revoked.actor.as_str(),
            revoked.action.as_str(),
            revoked.target.as_str(),
            revoked.detail.as_str()
        ),
        ("admin", "sessions_revoked", "budi", "1")
    );
    let head = &audit[V1_AUDIT_ENTRIES as usize - 1];
    assert_eq!(
        (head.seq, head.action.as_str()),
        (V1_AUDIT_ENTRIES, "user_disabled")
    );
    assert_eq!(head.hash, V1_AUDIT_HEAD);

    // Thursday: the day turns over on the old records, numbering goes on with the next id.
    wait_for_printer(&store).await;
    clock.set(thursday());
    let issued = store
        .issue("A".to_string(), false, Who::new("kiosk", "192.168.1.30"))
        .await
        .expect("issue");
    assert_eq!(
        (
            issued.ticket.id,
            issued.ticket.label.as_str(),
            issued.ticket.service_day.to_string()
        ),
        (14, "A-001", "2026-12-03".to_string())
    );
    for id in 11..=13 {
        let t = store.ticket(id).await.expect("read").expect("kept").ticket;
        assert_eq!(
            t.state,
            TicketState::Cancelled,
            "closed with its day: {}",
            t.label
        );
    }
    assert_eq!(store.health().await.expect("health").schema_version, 2);
    // …and says so over HTTP, for monitoring and the installer.
    let health: serde_json::Value = reqwest::get(format!("http://{}/healthz", running.addr))
        .await
        .expect("GET /healthz")
        .json()
        .await
        .expect("json");
    assert_eq!(
        health["store"]["schema_version"],
        serde_json::json!(loket::store::SCHEMA_VERSION),
        "{health}"
    );
    // The real steps ran (1 → 2, the complaint tables) after a copy of the v1 file beside it.
    let copies: Vec<String> = db_files(&data)
        .into_iter()
        .filter(|n| n.starts_with("loket.redb.v1-backup-"))
        .collect();
    assert_eq!(copies.len(), 1, "{:?}", db_files(&data));
    let copy = loket::store::backup::verify(&data.join(&copies[0])).expect("the v1 copy");
    assert_eq!(
        (
            copy.tickets,
            copy.users,
            copy.audit_entries,
            copy.complaints
        ),
        (13, 5, V1_AUDIT_ENTRIES, 0)
    );
    // …and the complaint register works on the migrated file.
    store
        .put_user(
            loket::auth::User {
                username: "petugas".to_string(),
                display_name: String::new(),
                roles: vec![Role::ComplaintOfficer],
                password_hash: "x".to_string(),
                disabled: false,
                must_change_password: false,
                created_at: thursday(),
            },
            Who::new("admin", ""),
            "user_added",
        )
        .await
        .expect("user");
    let c = store
        .open_complaint(
            loket::store::NewComplaint {
                source: loket::store::Source::Channel(loket::complaint::Channel::Letter),
                level: loket::complaint::Level::Kecil,
                identity: loket::store::Identity {
                    name: "Budi".to_string(),
                    address: String::new(),
                    phone: String::new(),
                    email: String::new(),
                    nik: None,
                    rahasia: false,
                },
                service: "KTP-el".to_string(),
                what_happened: "Antrian terlalu lama.".to_string(),
                happened_on: None,
                shortfall: String::new(),
                remedy: String::new(),
            },
            Who::new("petugas", ""),
        )
        .await
        .expect("a complaint on the migrated database");
    assert_eq!(c.seq(), 1);
    running.stop().await;
    let after = loket::store::backup::verify(&db).expect("sound after migration");
    assert_eq!((after.tickets, after.complaints), (14, 1));
}

/// The complaints of the v2 fixture: number, flow, waiting step (none: closed), masked name.
const V2_COMPLAINTS: [(&str, &str, Option<u32>, &str); 4] = [
    ("PGD/2026/12/0004", "skala_kecil", Some(3), "E*** P***"),
    ("PGD/2026/12/0003", "skala_besar", Some(3), "(dirahasiakan)"),
    ("PGD/2026/12/0002", "skala_menengah", None, "D*** L***"),
    ("PGD/2026/12/0001", "skala_kecil", Some(4), "A*** S***"),
];

#[tokio::test]
async fn the_v2_fixture_opens_with_every_complaint() {
    let (_tmp, db) = copy_of_fixture(2);
    let data = db.parent().expect("data dir").to_path_buf();
    let copy = loket::store::backup::verify(&db).expect("a sound database");
    assert_eq!(copy.complaints, 4);
    let clock = Arc::new(FakeClock::new(wib(2026, 12, 2, 11, 0)));
    let running = loket::app::start(loket::app::Options {
        config: test_config(),
        data_dir: data.clone(),
        listen: "127.0.0.1:0".parse().expect("addr"),
        clock: clock.clone(),
        open_db: None,
    })
    .await
    .expect("start on the v2 database");
    let store = running.store.clone();
    let page = store
        .complaint_register(RegisterQuery::default())
        .await
        .expect("register");
    let rows: Vec<(&str, &str, Option<u32>, &str)> = page
        .rows
        .iter()
        .map(|r| (r.number.as_str(), r.flow.as_str(), r.step, r.name.as_str()))
        .collect();
    assert_eq!(rows, V2_COMPLAINTS);
    let closed = store.complaint(2).await.expect("closed one");
    assert_eq!(
        (closed.workflow.round(), closed.workflow.drafts().len()),
        (2, 2)
    );
    assert_eq!(store.complaint_actions(2).await.expect("actions").len(), 12);
    let from_ticket = store.complaint(1).await.expect("from a ticket");
    assert_eq!(from_ticket.ticket_id, Some(7));
    assert_eq!(
        store
            .complaint(4)
            .await
            .expect("attached")
            .attachments
            .len(),
        1
    );
    // No migration for a file already at this build's schema: nothing copied beside it.
    assert_eq!(db_files(&data), ["loket.redb"]);
    let audit = store.audit_entries().await.expect("audit");
    assert_eq!(loket::audit::verify(&audit), Ok(audit.len() as u64));
    running.stop().await;
}

/// The printer thread reports its first status right after start; a kiosk refuses until then.
async fn wait_for_printer(store: &loket::store::StoreHandle) {
    for _ in 0..500 {
        let h = store.health().await.expect("health");
        if h.printer != loket::printer::PrinterStatus::Unreachable {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    panic!("the printer never reported a status");
}

// ---------------------------------------------------------------------------------------
// Migrations, driven with test steps on copies of the fixture.

/// A step as the complaint release might write: a new table with a record.
fn add_complaints(txn: &redb::WriteTransaction) -> Result<(), StoreError> {
    let mut t = txn.open_table(COMPLAINTS)?;
    t.insert(1, "antrian terlalu lama")?;
    Ok(())
}

fn add_more_complaints(txn: &redb::WriteTransaction) -> Result<(), StoreError> {
    let mut t = txn.open_table(COMPLAINTS)?;
    t.insert(2, "ruang tunggu panas")?;
    Ok(())
}

/// Writes, then fails: nothing it wrote may stay.
fn failing_step(txn: &redb::WriteTransaction) -> Result<(), StoreError> {
    let mut t = txn.open_table(COMPLAINTS)?;
    t.insert(99, "half done")?;
    Err(StoreError::Corrupt {
        what: "complaint 99".to_string(),
        why: "the step fails on purpose".to_string(),
    })
}

fn complaints(db: &Path) -> Option<Vec<(u64, String)>> {
    let db = redb::ReadOnlyDatabase::open(db).expect("open");
    let txn = db.begin_read().expect("read");
    let t = match txn.open_table(COMPLAINTS) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return None,
        Err(e) => panic!("{e}"),
    };
    Some(
        t.iter()
            .expect("iter")
            .map(|r| {
                let (k, v) = r.expect("row");
                (k.value(), v.value().to_string())
            })
            .collect(),
    )
}

#[test]
fn a_migration_runs_once_after_a_byte_identical_copy_beside_the_database() {
    let (_tmp, db) = copy_of_fixture(1);
    let dir = db.parent().expect("dir").to_path_buf();
    let before = std::fs::read(&db).expect("read");
    let steps = [Step {
        from: 1,
        to: 2,
        apply: add_complaints,
    }];
    let done = migrate::migrate_with(&db, &steps, 2, thursday()).expect("migrated");
    let backup = dir.join("loket.redb.v1-backup-20261203T020000Z");
    assert_eq!(
        done,
        Migrated::Upgraded {
            from: 1,
            to: 2,
            backup: backup.clone(),
        }
    );
    assert_eq!(
        std::fs::read(&backup).expect("backup"),
        before,
        "byte-identical"
    );
    assert_eq!(
        files_in(&dir),
        [
            "loket.redb",
            "loket.redb.migrate-lock",
            "loket.redb.v1-backup-20261203T020000Z"
        ],
        "no working copy left behind"
    );
    assert_eq!(migrate::schema_version(&db).expect("version"), Some(2));
    assert_eq!(
        complaints(&db),
        Some(vec![(1, "antrian terlalu lama".to_string())])
    );
    // The old records came along, and the copy is the old release's database, whole.
    let copy = loket::store::backup::verify(&backup).expect("backup sound");
    assert_eq!(
        (copy.tickets, copy.users, copy.audit_entries),
        (13, 5, V1_AUDIT_ENTRIES)
    );
    let db_r = redb::ReadOnlyDatabase::open(&db).expect("open");
    let tickets: TableDefinition<u64, &[u8]> = TableDefinition::new("tickets");
    let n = db_r
        .begin_read()
        .expect("read")
        .open_table(tickets)
        .expect("tickets")
        .len()
        .expect("len");
    assert_eq!(n, 13);
    drop(db_r);

    // Once: the next start finds it current and writes nothing.
    let after = std::fs::read(&db).expect("read");
    assert_eq!(
        migrate::migrate_with(&db, &steps, 2, thursday()).expect("open again"),
        Migrated::Current
    );
    assert_eq!(std::fs::read(&db).expect("read"), after);
    assert_eq!(files_in(&dir).len(), 3, "database, lock, one copy");

    // A build that reads up to schema 1 refuses what the later release wrote.
    let err = migrate::migrate_with(&db, &[], 1, thursday()).expect_err("newer refused");
    assert!(
        matches!(
            err,
            StoreError::NewerSchema {
                found: 2,
                supported: 1,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn steps_are_chained_by_version_and_a_missing_step_touches_nothing() {
    let (_tmp, db) = copy_of_fixture(1);
    let dir = db.parent().expect("dir").to_path_buf();
    let before = std::fs::read(&db).expect("read");
    // Listed out of order; found by version.
    let steps = [
        Step {
            from: 2,
            to: 3,
            apply: add_more_complaints,
        },
        Step {
            from: 1,
            to: 2,
            apply: add_complaints,
        },
    ];
    let err = migrate::migrate_with(&db, &steps, 4, thursday()).expect_err("no step from 3");
    assert!(
        matches!(
            err,
            StoreError::NoMigration {
                found: 1,
                from: 3,
                target: 4,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(std::fs::read(&db).expect("read"), before);
    assert_eq!(files_in(&dir), ["loket.redb"], "no copy made for nothing");

    let done = migrate::migrate_with(&db, &steps, 3, thursday()).expect("migrated");
    assert!(
        matches!(done, Migrated::Upgraded { from: 1, to: 3, .. }),
        "{done:?}"
    );
    assert_eq!(migrate::schema_version(&db).expect("version"), Some(3));
    assert_eq!(
        complaints(&db),
        Some(vec![
            (1, "antrian terlalu lama".to_string()),
            (2, "ruang tunggu panas".to_string())
        ])
    );
}

#[test]
fn a_failing_migration_leaves_the_database_untouched_and_is_refused() {
    let (_tmp, db) = copy_of_fixture(1);
    let dir = db.parent().expect("dir").to_path_buf();
    let before = std::fs::read(&db).expect("read");
    // The first step succeeds inside the transaction; the second fails: neither stays.
    let steps = [
        Step {
            from: 1,
            to: 2,
            apply: add_complaints,
        },
        Step {
            from: 2,
            to: 3,
            apply: failing_step,
        },
    ];
    for attempt in [thursday(), wib(2026, 12, 3, 9, 5)] {
        let err = migrate::migrate_with(&db, &steps, 3, attempt).expect_err("refused");
        assert!(
            matches!(err, StoreError::MigrationFailed { from: 1, to: 3, .. }),
            "{err}"
        );
        let msg = err.to_string();
        assert!(msg.contains("gagal; berkas tidak diubah"), "{msg}");
        assert!(msg.contains("the file is unchanged"), "{msg}");
        assert!(msg.contains("the step fails on purpose"), "{msg}");
        assert_eq!(std::fs::read(&db).expect("read"), before, "byte-identical");
        assert_eq!(migrate::schema_version(&db).expect("version"), Some(1));
        assert_eq!(complaints(&db), None);
    }
    // The copy taken before the first attempt stays (the old release's file) and serves
    // the second too: a migration failing at every restart does not fill the disk.
    assert_eq!(
        files_in(&dir),
        [
            "loket.redb",
            "loket.redb.migrate-lock",
            "loket.redb.v1-backup-20261203T020000Z",
        ]
    );
    // The database is still the v1 one, and a schema-1 build opens it as it is.
    assert_eq!(
        migrate::migrate_with(&db, &[], 1, thursday()).expect("current"),
        Migrated::Current
    );
}

#[test]
fn the_daemon_and_the_tools_refuse_a_newer_database_and_leave_it_as_it_is() {
    let (_tmp, db) = copy_of_fixture(1);
    let data = db.parent().expect("dir").to_path_buf();
    set_schema(&db, 99);
    let before = std::fs::read(&db).expect("read");
    let data_s = data.to_str().expect("utf-8");
    let (code, out) = loket(&["serve", "--data", data_s, "--listen", "127.0.0.1:0"]);
    // Exit code 2: the unit's RestartPreventExitStatus, no restart loop.
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("dibuat oleh loket yang lebih baru (skema 99"),
        "{out}"
    );
    assert!(out.contains("written by a newer loket (schema 99"), "{out}");
    assert!(out.contains("Copies beside the database: none."), "{out}");
    // `loket user add` must not write into it either.
    let (code, out) = loket(&["user", "list", "--data", data_s]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("written by a newer loket"), "{out}");
    assert_eq!(std::fs::read(&db).expect("read"), before);
    assert_eq!(db_files(&data), ["loket.redb"]);
}

/// `loket migrate`, as the package runs it after an upgrade: the v1 fixture is brought to
/// this build's schema with a copy beside it and says so; run again, nothing changes. Then
/// a downgrade: a database newer than the build is refused by `migrate` and `serve` alike
/// (exit 2), naming the copy to restore and the command.
#[test]
fn loket_migrate_upgrades_once_and_a_downgrade_names_the_way_back() {
    let (_tmp, db) = copy_of_fixture(1);
    let data = db.parent().expect("dir").to_path_buf();
    let data_s = data.to_str().expect("utf-8");
    let (code, out) = loket(&["migrate", "--data", data_s]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("dimigrasikan dari skema 1 ke 2"), "{out}");
    assert!(out.contains("migrated from schema 1 to 2"), "{out}");
    let copies: Vec<String> = db_files(&data)
        .into_iter()
        .filter(|n| n.starts_with("loket.redb.v1-backup-"))
        .collect();
    assert_eq!(copies.len(), 1, "{:?}", db_files(&data));
    assert!(out.contains(&copies[0]), "{out}");
    assert_eq!(migrate::schema_version(&db).expect("version"), Some(2));
    let copy = loket::store::backup::verify(&data.join(&copies[0])).expect("the v1 copy");
    let migrated = loket::store::backup::verify(&db).expect("the migrated database");
    assert_eq!(
        (copy.tickets, copy.users, copy.audit_entries),
        (migrated.tickets, migrated.users, migrated.audit_entries)
    );
    assert_eq!(copy.tickets, 13);
    let (code, out) = loket(&["migrate", "--data", data_s]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("sudah pada skema 2"), "{out}");
    assert_eq!(
        db_files(&data).len(),
        3,
        "no second copy: {:?}",
        db_files(&data)
    );

    // A later release migrated it on (schema 3), then the package was downgraded.
    set_schema(&db, loket::store::SCHEMA_VERSION + 1);
    let before = std::fs::read(&db).expect("read");
    let restore = format!(
        "sudo -u loket loket restore {} --data {data_s}",
        data.join(&copies[0]).display()
    );
    for args in [
        vec!["migrate", "--data", data_s],
        vec!["serve", "--data", data_s, "--listen", "127.0.0.1:0"],
    ] {
        let (code, out) = loket(&args);
        assert_eq!(code, Some(2), "{args:?}: {out}");
        assert!(
            out.contains("dibuat oleh loket yang lebih baru (skema 3"),
            "{out}"
        );
        assert!(out.contains("written by a newer loket (schema 3"), "{out}");
        assert!(out.contains(&restore), "{out}");
        assert!(
            out.contains(&format!("Copies beside the database: {}.", copies[0])),
            "{out}"
        );
        assert_eq!(std::fs::read(&db).expect("read"), before, "{args:?}");
    }
}

#[test]
fn the_daemon_refuses_a_database_it_has_no_migration_for() {
    let (_tmp, db) = copy_of_fixture(1);
    let data = db.parent().expect("dir").to_path_buf();
    set_schema(&db, 0);
    let before = std::fs::read(&db).expect("read");
    let (code, out) = loket(&[
        "serve",
        "--data",
        data.to_str().expect("utf-8"),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("tidak dapat dimigrasikan"), "{out}");
    assert!(out.contains("cannot be migrated to schema 2"), "{out}");
    assert_eq!(std::fs::read(&db).expect("read"), before);
    assert_eq!(db_files(&data), ["loket.redb"]);
}

// ---------------------------------------------------------------------------------------
// The fixture of schema 1.

/// Remakes `tests/fixtures/db/v1.redb` with this build: three service days of tickets in
/// every state, staff accounts, logins and the audit log. Run by hand, once per release that
/// changes the tables (with that release's number): `cargo test --test upgrade -- --ignored`.
#[tokio::test]
#[ignore = "writes the fixture of this release; run by hand"]
async fn make_fixture() {
    let version = loket::store::SCHEMA_VERSION;
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("data");
    let clock = Arc::new(FakeClock::new(wib(2026, 11, 30, 8, 5)));
    // Starts with the first admin and the operator `loket-op` logged in.
    let app = TestApp::spawn_in(&dir, clock.clone(), test_config()).await;
    let store = app.state().store;
    let staff = |name: &str| Who::new(name, "192.168.1.20");
    app.staff("sari", &[Role::CustomerService]).await;
    app.staff("budi", &[Role::Operator]).await;
    app.create_user("kepala", &[Role::KepalaDinas, Role::Kasi])
        .await;
    let (status, _) = app.login("sari", "salah-kata-sandi").await;
    assert_eq!(status, 401, "a failed login");

    // Monday: a priority ticket served first, a no-show, a transfer, a void.
    clock.set(wib(2026, 11, 30, 8, 10));
    for (service, priority) in [
        ("A", false),
        ("B", false),
        ("B", true),
        ("C", false),
        ("D", false),
        ("B", false),
    ] {
        app.issue(service, priority).await;
    }
    clock.set(wib(2026, 11, 30, 8, 20));
    let op = |counter: u32, op: CounterOp| {
        let store = store.clone();
        async move {
            store
                .counter_op(counter, op, staff("loket-op"))
                .await
                .expect("counter op")
        }
    };
    assert_eq!(label(op(2, CounterOp::CallNext).await), "B-002");
    op(2, CounterOp::Serve).await;
    clock.set(wib(2026, 11, 30, 8, 35));
    op(2, CounterOp::Finish).await;
    assert_eq!(label(op(1, CounterOp::CallNext).await), "A-001");
    clock.set(wib(2026, 11, 30, 8, 45));
    op(1, CounterOp::NoShow).await;
    assert_eq!(label(op(3, CounterOp::CallNext).await), "B-001");
    op(3, CounterOp::Serve).await;
    op(
        3,
        CounterOp::Transfer {
            service: "D".to_string(),
        },
    )
    .await;
    clock.set(wib(2026, 11, 30, 9, 0));
    assert_eq!(label(op(4, CounterOp::CallNext).await), "B-001");
    op(4, CounterOp::Serve).await;
    clock.set(wib(2026, 11, 30, 9, 20));
    op(4, CounterOp::Finish).await;
    store.void(6, staff("sari")).await.expect("void B-003");

    // Tuesday: a reprint, finished and open tickets; budi's password reset ends his session.
    clock.set(wib(2026, 12, 1, 8, 30));
    for service in ["B", "B", "C", "A"] {
        app.issue(service, false).await;
    }
    store
        .reprint(7, staff("sari"))
        .await
        .expect("reprint B-001");
    clock.set(wib(2026, 12, 1, 8, 40));
    assert_eq!(label(op(2, CounterOp::CallNext).await), "B-001");
    op(2, CounterOp::Serve).await;
    clock.set(wib(2026, 12, 1, 8, 55));
    op(2, CounterOp::Finish).await;
    assert_eq!(label(op(3, CounterOp::CallNext).await), "B-002");
    op(3, CounterOp::Recall).await;
    op(3, CounterOp::Serve).await;
    // Schema 2: a complaint from the finished B-001, its step 3 done.
    app.create_user("petugas", &[Role::ComplaintOfficer]).await;
    app.create_user("kasubbag", &[Role::KasubbagUmum]).await;
    clock.set(wib(2026, 12, 1, 9, 0));
    let from_ticket = store
        .open_complaint(
            complaint(Source::Ticket(7), Level::Kecil, "Ahmad Sutrisno", false),
            staff("petugas"),
        )
        .await
        .expect("complaint from B-001");
    step(&store, from_ticket.seq(), "petugas", done()).await;
    let mut budi = store.user("budi").await.expect("read").expect("budi");
    budi.must_change_password = true;
    store
        .put_user(budi, staff("admin"), "password_reset")
        .await
        .expect("reset");
    store
        .revoke_sessions("budi", None, staff("admin"))
        .await
        .expect("revoke");

    // Wednesday, left open: one transferred and waiting in its new queue, one called, one
    // waiting; kepala disabled.
    clock.set(wib(2026, 12, 2, 10, 15));
    for service in ["C", "D", "B"] {
        app.issue(service, false).await;
    }
    assert_eq!(label(op(4, CounterOp::CallNext).await), "C-001");
    op(4, CounterOp::Serve).await;
    op(
        4,
        CounterOp::Transfer {
            service: "B".to_string(),
        },
    )
    .await;
    clock.set(wib(2026, 12, 2, 10, 25));
    assert_eq!(label(op(4, CounterOp::CallNext).await), "D-001");
    // Complaints in several states: one closed (returned once for revision), one open at the
    // Kasubbag, a confidential one just opened, one with an attachment.
    let closed = store
        .open_complaint(
            complaint(
                Source::Channel(Channel::Phone),
                Level::Menengah,
                "Dewi Lestari",
                false,
            ),
            staff("petugas"),
        )
        .await
        .expect("complaint by phone");
    let seq = closed.seq();
    step(&store, seq, "petugas", done()).await;
    step(&store, seq, "kasubbag", done()).await;
    step(&store, seq, "petugas", draft("Draf pertama.")).await;
    step(&store, seq, "petugas", done()).await;
    step(
        &store,
        seq,
        "kepala",
        ActionKind::ReturnForRevision {
            note: "Lengkapi dasar hukum.".to_string(),
        },
    )
    .await;
    step(&store, seq, "kasubbag", done()).await;
    step(
        &store,
        seq,
        "petugas",
        draft("Draf kedua, dengan dasar hukum."),
    )
    .await;
    step(&store, seq, "petugas", done()).await;
    step(&store, seq, "kepala", ActionKind::Approve { note: None }).await;
    step(&store, seq, "petugas", done()).await;
    let closed = step(
        &store,
        seq,
        "petugas",
        ActionKind::RecordOnBehalf {
            note: None,
            documents: Vec::new(),
            happened_at: None,
        },
    )
    .await;
    assert!(closed.workflow.is_closed());
    let mut secret = complaint(
        Source::Channel(Channel::Letter),
        Level::Besar,
        "Rahasia Sekali",
        true,
    );
    secret.identity.nik = Some(loket::privacy::Nik::parse("3271011408850003").expect("nik"));
    store
        .open_complaint(secret, staff("petugas"))
        .await
        .expect("confidential");
    let attached = store
        .open_complaint(
            complaint(
                Source::Channel(Channel::Email),
                Level::Kecil,
                "Eka Putri",
                false,
            ),
            staff("petugas"),
        )
        .await
        .expect("by e-mail");
    store
        .attach_to_complaint(
            attached.seq(),
            common::staged(&app.data_dir, b"%PDF-1.7\nsurat\n"),
            staff("petugas"),
        )
        .await
        .expect("attachment");
    let mut kepala = store.user("kepala").await.expect("read").expect("kepala");
    kepala.disabled = true;
    store
        .put_user(kepala, staff("admin"), "user_disabled")
        .await
        .expect("disable");
    app.stop().await;

    let db = dir.join(loket::app::DB_FILE);
    {
        let mut db = redb::Database::open(&db).expect("open");
        while db.compact().expect("compact") {}
    }
    let out = fixture(version);
    // A release's fixture is what that release wrote: never remade by a later build.
    assert!(
        !out.exists(),
        "{} exists: fixtures of earlier releases are kept as they are",
        out.display()
    );
    std::fs::create_dir_all(out.parent().expect("dir")).expect("fixtures dir");
    std::fs::copy(&db, &out).expect("write the fixture");
    println!(
        "{}: {} bytes",
        out.display(),
        std::fs::metadata(&out).expect("size").len()
    );
}

fn complaint(source: Source, level: Level, name: &str, rahasia: bool) -> NewComplaint {
    NewComplaint {
        source,
        level,
        identity: Identity {
            name: name.to_string(),
            address: "Jl. Merdeka No. 2".to_string(),
            phone: "0812-1111-2222".to_string(),
            email: String::new(),
            nik: None,
            rahasia,
        },
        service: "KTP-el".to_string(),
        what_happened: "Pelayanan melewati standar waktu.".to_string(),
        happened_on: None,
        shortfall: String::new(),
        remedy: "Segera diselesaikan.".to_string(),
    }
}

fn done() -> ActionKind {
    ActionKind::Complete {
        note: None,
        documents: Vec::new(),
    }
}

fn draft(text: &str) -> ActionKind {
    ActionKind::SaveDraft {
        text: text.to_string(),
    }
}

/// The complaint's current step, done by `user` with `kind`.
async fn step(
    store: &loket::store::StoreHandle,
    seq: u64,
    user: &str,
    kind: ActionKind,
) -> loket::store::Complaint {
    let c = store.complaint(seq).await.expect("read");
    let action = Action {
        step: c.workflow.current_step().map_or(0, |s| s.no),
        version: c.workflow.version(),
        kind,
    };
    store
        .act_on_complaint(seq, action, Who::new(user, "192.168.1.20"))
        .await
        .expect("step")
}

fn label(t: Option<loket::queue::Ticket>) -> String {
    t.expect("a ticket at the counter").label
}
