//! The command line: version, configuration checks (exit code 2 with the field path), and
//! refusals at start (bad config, a database from a newer schema).

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs loket to completion; a command that should refuse to start but serves instead is
/// killed after 20 s and fails the test rather than hanging it.
fn loket(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run loket");
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("loket {args:?} did not exit");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().expect("output")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn version_prints_the_crate_version_and_the_schema() {
    let o = loket(&["--version"]);
    assert!(o.status.success());
    let schema = loket::store::SCHEMA_VERSION;
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        format!(
            "loket {} (skema basis data {schema} / database schema {schema})",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[test]
fn check_config_accepts_the_shipped_file_and_the_embedded_default() {
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/config/loket.toml");
    let o = loket(&["check-config", shipped]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).starts_with("OK"));
    let o = loket(&["check-config"]);
    assert!(o.status.success(), "{}", text(&o));
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/always-open.toml"
    );
    let o = loket(&["check-config", fixture]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn check_config_lists_every_error_with_field_path_and_line() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("bad.toml");
    let src = loket::config::EMBEDDED_DEFAULT
        .replace("digits = 3", "digits = 9")
        .replace("id = 4", "id = 3");
    std::fs::write(&path, &src).expect("write");
    let o = loket(&["check-config", path.to_str().expect("utf-8 path")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let out = text(&o);
    let line_of = |needle: &str| {
        src.lines()
            .enumerate()
            .filter(|(_, l)| l.trim() == needle)
            .map(|(n, _)| n + 1)
            .last()
            .expect("needle")
    };
    assert!(
        out.contains(&format!(
            "numbering.digits (line {}): must be between 1 and 6",
            line_of("digits = 9")
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "counters[3].id (line {}): duplicate counter id 3",
            line_of("id = 3")
        )),
        "{out}"
    );
}

#[test]
fn check_config_reports_unknown_keys_and_syntax_errors() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("typo.toml");
    std::fs::write(
        &path,
        loket::config::EMBEDDED_DEFAULT.replace("[server]\n", "[server]\nlisten_port = 80\n"),
    )
    .expect("write");
    let o = loket(&["check-config", path.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
    let line = std::fs::read_to_string(&path)
        .expect("read")
        .lines()
        .position(|l| l == "listen_port = 80")
        .expect("the typo")
        + 1;
    assert!(
        text(&o).contains(&format!("server.listen_port (line {line})")),
        "{}",
        text(&o)
    );

    std::fs::write(&path, "[office\nname = 1").expect("write");
    let o = loket(&["check-config", path.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("(line 1)"), "{}", text(&o));

    let o = loket(&["check-config", "/nonexistent/loket.toml"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn check_config_reads_the_holiday_files_beside_the_configuration() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("loket.toml");
    std::fs::write(&path, loket::config::EMBEDDED_DEFAULT).expect("write");
    let dir = tmp.path().join("holidays");
    std::fs::create_dir(&dir).expect("dir");
    let entry = "[[holidays]]\ndate = 2027-01-01\nname = \"Tahun Baru 2027 Masehi\"\nkind = \"libur_nasional\"\ndecree = \"SKB 2027\"\n";
    std::fs::write(dir.join("2027.toml"), entry).expect("write");
    std::fs::write(dir.join("README"), "not a holiday file").expect("write");
    let o = loket(&["check-config", path.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{}", text(&o));

    // A duplicate date, a date of another year, an unknown kind: each with file and line.
    let bad = format!(
        "{entry}\n{}\n{}",
        entry.replace("Tahun Baru", "Tahun Baru lagi"),
        entry
            .replace("2027-01-01", "2028-01-01")
            .replace("libur_nasional", "cuti")
    );
    let file = dir.join("2027.toml");
    std::fs::write(&file, &bad).expect("write");
    // A directory where a file should be cannot be read.
    std::fs::create_dir(dir.join("2029.toml")).expect("dir");
    let o = loket(&["check-config", path.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let out = text(&o);
    let f = file.display();
    for want in [
        format!("{f}: holidays[1].date (line 8): 2027-01-01 is listed twice (first on line 2)"),
        format!("{f}: holidays[2].date (line 14): 2028-01-01 is not in 2027"),
        format!("{f}: holidays[2].kind (line 16): unknown kind `cuti`"),
        format!("{}: cannot read", dir.join("2029.toml").display()),
    ] {
        assert!(out.contains(&want), "{want}\n{out}");
    }
}

#[test]
fn check_config_warns_about_the_old_holiday_list() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("loket.toml");
    let src = format!(
        "{}\n[[holidays]]\ndate = 2026-12-31\nname = \"Libur kantor\"\n",
        loket::config::EMBEDDED_DEFAULT
    );
    std::fs::write(&path, &src).expect("write");
    let o = loket(&["check-config", path.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{}", text(&o));
    let line = src.lines().position(|l| l == "[[holidays]]").expect("list") + 1;
    assert!(
        text(&o).contains(&format!(
            "warning: holidays[0] (line {line}): [[holidays]] in loket.toml is the old list"
        )),
        "{}",
        text(&o)
    );
}

#[test]
fn serve_refuses_a_bad_config_with_exit_code_2() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("bad.toml");
    std::fs::write(
        &path,
        loket::config::EMBEDDED_DEFAULT.replace("Asia/Jakarta\"", "Mars/Olympus\""),
    )
    .expect("write");
    let data = tmp.path().join("data");
    let o = loket(&[
        "serve",
        "--config",
        path.to_str().expect("utf-8"),
        "--data",
        data.to_str().expect("utf-8"),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("office.time_zone"), "{}", text(&o));
    assert!(!data.exists(), "nothing was created");
}

/// A copy of the shipped configuration with `sop/skala_besar.toml` beside it, its step 7
/// leading to a step 8 the large flow does not have.
fn config_with_a_broken_flow(tmp: &std::path::Path) -> (std::path::PathBuf, usize) {
    let config = tmp.join("loket.toml");
    std::fs::write(&config, loket::config::EMBEDDED_DEFAULT).expect("write");
    std::fs::create_dir(tmp.join("sop")).expect("mkdir");
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/config/sop/skala_besar.toml"
    ))
    .expect("shipped flow");
    let broken = shipped.replace("next = 9", "next = 8");
    let line = broken
        .lines()
        .position(|l| l == "next = 8")
        .expect("edited line")
        + 1;
    std::fs::write(tmp.join("sop/skala_besar.toml"), broken).expect("write");
    (config, line)
}

#[test]
fn check_config_checks_the_complaint_flows_beside_the_file() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (config, line) = config_with_a_broken_flow(tmp.path());
    let o = loket(&["check-config", config.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let flow_file = tmp.path().join("sop/skala_besar.toml");
    assert!(
        text(&o).contains(&format!(
            "{} (line {line}): `next` menuju langkah 8 yang tidak ada",
            flow_file.display()
        )),
        "{}",
        text(&o)
    );

    std::fs::remove_file(&flow_file).expect("rm");
    let o = loket(&["check-config", config.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("OK: alur skala_besar"), "{}", text(&o));
}

#[test]
fn serve_refuses_a_broken_flow_file_with_exit_code_2() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (config, _) = config_with_a_broken_flow(tmp.path());
    let data = tmp.path().join("data");
    let o = loket(&[
        "serve",
        "--config",
        config.to_str().expect("utf-8"),
        "--data",
        data.to_str().expect("utf-8"),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("skala_besar.toml"), "{}", text(&o));
    assert!(!data.exists(), "nothing was created");
}

#[test]
fn a_database_from_a_newer_schema_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).expect("mkdir");
    {
        let db = redb::Database::create(data.join(loket::app::DB_FILE)).expect("create");
        let txn = db.begin_write().expect("txn");
        {
            let def: redb::TableDefinition<&str, u64> = redb::TableDefinition::new("meta");
            let mut t = txn.open_table(def).expect("table");
            t.insert("schema_version", loket::store::SCHEMA_VERSION + 1)
                .expect("insert");
        }
        txn.commit().expect("commit");
    }
    let o = loket(&[
        "serve",
        "--data",
        data.to_str().expect("utf-8"),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(!o.status.success());
    let out = text(&o);
    assert!(out.contains("written by a newer loket"), "{out}");
    assert!(
        out.contains(&format!("schema {}", loket::store::SCHEMA_VERSION + 1)),
        "{out}"
    );
}

#[test]
fn check_config_goes_on_past_an_unknown_key_to_every_other_mistake() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("typos.toml");
    let src = loket::config::EMBEDDED_DEFAULT
        .replace("[server]\n", "[server]\nlisten_port = 80\n")
        .replace(
            "max_tickets_per_minute = 20",
            "max_tickets_per_minute = \"dua puluh\"",
        )
        .replace("digits = 3", "digits = 9")
        + "\n[tampilan]\nwarna = \"biru\"\n";
    std::fs::write(&path, &src).expect("write");
    let o = loket(&["check-config", path.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
    let out = text(&o);
    for field in [
        "server.listen_port",
        "kiosk.max_tickets_per_minute",
        "numbering.digits",
        "tampilan",
    ] {
        assert!(
            out.contains(&format!("{field} (line ")),
            "{field} missing:\n{out}"
        );
    }
}

/// The office's letter template beside its configuration: read by `check-config`, an unknown
/// placeholder or a missing logo refused with the file, the field and exit 2; a logo that is
/// there is accepted.
#[test]
fn check_config_reads_the_letter_template_beside_the_configuration() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("loket.toml");
    std::fs::write(&path, loket::config::EMBEDDED_DEFAULT).expect("write");
    let dir = tmp.path().join("letter");
    std::fs::create_dir(&dir).expect("dir");
    let file = dir.join("surat-balasan.toml");
    let shipped = loket::letter::EMBEDDED_TEMPLATE;
    std::fs::write(&file, shipped).expect("write");
    let o = loket(&["check-config", path.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{}", text(&o));

    let bad = shipped
        .replace("{tanggal_pengaduan}", "{tgl_pengaduan}")
        .replace("logo = \"\"", "logo = \"letter/lambang.png\"");
    std::fs::write(&file, &bad).expect("write");
    let o = loket(&["check-config", path.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let out = text(&o);
    let line = bad
        .lines()
        .position(|l| l.starts_with("opening ="))
        .map_or(0, |i| i + 1);
    for want in [
        format!(
            "{}: wording.opening (line {line}): isian {{tgl_pengaduan}}",
            file.display()
        ),
        format!("{}: kop.logo", file.display()),
        "lambang.png".to_string(),
    ] {
        assert!(out.contains(&want), "{want}\n{out}");
    }

    // With the logo there (a 1×1 PNG) only the placeholder remains to fix.
    let png = [
        0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 13, b'I', b'H', b'D', b'R', 0,
        0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0, 0x3a, 0x7e, 0x9b, 0x55, 0, 0, 0, 10, b'I', b'D', b'A',
        b'T', 0x78, 0x9c, 0x63, 0x60, 0, 0, 0, 2, 0, 1, 0xe5, 0x27, 0xde, 0xfc, 0, 0, 0, 0, b'I',
        b'E', b'N', b'D', 0xae, 0x42, 0x60, 0x82,
    ];
    std::fs::write(dir.join("lambang.png"), png).expect("write");
    std::fs::write(&file, bad.replace("{tgl_pengaduan}", "{tanggal_pengaduan}")).expect("write");
    let o = loket(&["check-config", path.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{}", text(&o));

    // A template named on purpose must be there.
    let own = loket::config::EMBEDDED_DEFAULT.replace(
        "template = \"letter/surat-balasan.toml\"",
        "template = \"letter/surat-kantor.toml\"",
    );
    assert_ne!(own, loket::config::EMBEDDED_DEFAULT);
    std::fs::write(&path, own).expect("write");
    let o = loket(&["check-config", path.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("surat-kantor.toml"), "{}", text(&o));
}

#[test]
fn check_config_reads_the_survey_questionnaire_beside_the_configuration() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("loket.toml");
    std::fs::write(&path, loket::config::EMBEDDED_DEFAULT).expect("write");
    let file = tmp.path().join("survey.toml");
    let shipped = include_str!("../config/survey.toml");
    std::fs::write(&file, shipped).expect("write");
    let o = loket(&["check-config", path.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{}", text(&o));

    // An element with two answers and a profile question with one option: both named by
    // file and field, and nothing starts.
    let bad = shipped
        .replacen(
            "answers = [\"Tidak mudah\", \"Kurang mudah\", \"Mudah\", \"Sangat mudah\"]",
            "answers = [\"Tidak mudah\", \"Mudah\"]",
            1,
        )
        .replacen(
            "options = [\"Laki-laki\", \"Perempuan\"]",
            "options = [\"Laki-laki\"]",
            1,
        );
    assert_ne!(bad, shipped);
    std::fs::write(&file, &bad).expect("write");
    let o = loket(&["check-config", path.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let out = text(&o);
    for want in [
        format!("{}: elements[1].answers", file.display()),
        format!("{}: profile[0].options", file.display()),
    ] {
        assert!(out.contains(&want), "{want}\n{out}");
    }

    // The office's own settings in loket.toml are checked with the rest.
    std::fs::write(&file, shipped).expect("write");
    let days = loket::config::EMBEDDED_DEFAULT.replace("answer_days = 2", "answer_days = 0");
    assert_ne!(days, loket::config::EMBEDDED_DEFAULT);
    std::fs::write(&path, days).expect("write");
    let o = loket(&["check-config", path.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("survey.answer_days"), "{}", text(&o));

    // A survey tablet that is not an address: refused with its field path.
    let tablets = loket::config::EMBEDDED_DEFAULT.replace(
        "tablets = [\"127.0.0.1\", \"::1\"]",
        "tablets = [\"tablet-pintu-keluar\"]",
    );
    assert_ne!(tablets, loket::config::EMBEDDED_DEFAULT);
    std::fs::write(&path, tablets).expect("write");
    let o = loket(&["check-config", path.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("survey.tablets[0]"), "{}", text(&o));
    assert!(text(&o).contains("tablet-pintu-keluar"), "{}", text(&o));
}

/// root migrating the service's data directory would leave the database root's, unreadable
/// to the daemon: refused with exit code 2 and the command to use instead. Only root can
/// hand a directory to another user, so elsewhere the test says it was skipped.
#[test]
fn migrate_as_root_on_another_users_directory_is_refused() {
    use std::os::unix::fs::MetadataExt;
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).expect("mkdir");
    if std::fs::metadata(&data).expect("meta").uid() != 0 {
        eprintln!("skipped: not run as root");
        return;
    }
    // nobody's uid on Debian.
    std::os::unix::fs::chown(&data, Some(65534), Some(65534)).expect("chown");
    let o = loket(&["migrate", "--data", data.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("sudo -u loket loket migrate --data"), "{out}");
    assert!(
        std::fs::read_dir(&data).expect("dir").next().is_none(),
        "nothing written"
    );
    // Its owner may.
    std::os::unix::fs::chown(&data, Some(0), Some(0)).expect("chown");
    let o = loket(&["migrate", "--data", data.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{}", text(&o));
}
