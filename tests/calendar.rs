//! Working time as an office gets it: the shipped `[working_hours]` and holiday files, read
//! through the configuration, with the office's own holiday files beside it.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use loket::calendar::TimeStandard;
use loket::config::{Config, EMBEDDED_DEFAULT};

fn at(tz: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    tz.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("local time")
        .with_timezone(&Utc)
}

fn wib(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    at(Tz::Asia__Jakarta, y, m, d, h, min)
}

fn standard(s: &str) -> TimeStandard {
    s.parse().expect("standard")
}

#[test]
fn the_shipped_configuration_counts_each_sop_standard_in_working_time() {
    let c = Config::embedded().expect("config").calendar;
    // A ticket printed on Monday 30 November 2026 at 15.50 WIB, ten minutes before closing.
    let start = wib(2026, 11, 30, 15, 50);
    for (text, due) in [
        ("5 menit", wib(2026, 11, 30, 15, 55)),
        ("15 menit", wib(2026, 12, 1, 7, 35)),
        ("1 jam", wib(2026, 12, 1, 8, 20)),
        ("3 jam", wib(2026, 12, 1, 10, 20)),
        ("1 hari kerja", wib(2026, 12, 1, 15, 50)),
    ] {
        assert_eq!(c.due(start, standard(text)), due, "{text}");
    }
}

#[test]
fn flow_1_run_step_after_step_across_the_idul_fitri_holidays() {
    let c = Config::embedded().expect("config").calendar;
    // Pengaduan Skala Kecil, each step starting when the one before is due, from a ticket
    // printed on Tuesday 17 March 2026 at 10.00 WIB: step 3's working day jumps over Nyepi,
    // Idul Fitri and their cuti bersama (18 to 24 March).
    let steps = [
        ("5 menit", wib(2026, 3, 17, 10, 5)),
        ("15 menit", wib(2026, 3, 17, 10, 20)),
        ("1 hari kerja", wib(2026, 3, 25, 10, 20)),
        ("1 jam", wib(2026, 3, 25, 11, 20)),
        ("3 jam", wib(2026, 3, 25, 15, 20)),
        ("1 hari kerja", wib(2026, 3, 26, 15, 20)),
        ("15 menit", wib(2026, 3, 26, 15, 35)),
        ("15 menit", wib(2026, 3, 26, 15, 50)),
    ];
    let mut at = wib(2026, 3, 17, 10, 0);
    for (i, (text, due)) in steps.into_iter().enumerate() {
        at = c.due(at, standard(text));
        assert_eq!(at, due, "step {} ({text})", i + 1);
    }
    assert_eq!(
        c.working_minutes_between(wib(2026, 3, 17, 10, 0), at),
        5 + 15 + 450 + 60 + 180 + 450 + 15 + 15
    );
}

#[test]
fn an_office_in_wita_or_wit_works_the_same_local_hours() {
    for (zone, tz) in [
        ("Asia/Makassar", Tz::Asia__Makassar),
        ("Asia/Jayapura", Tz::Asia__Jayapura),
    ] {
        let src = EMBEDDED_DEFAULT.replace("\"Asia/Jakarta\"", &format!("\"{zone}\""));
        let c = Config::from_toml_str(&src).expect("config").calendar;
        assert_eq!(c.time_zone(), tz);
        assert_eq!(
            c.due(at(tz, 2026, 12, 4, 11, 0), standard("1 jam")),
            at(tz, 2026, 12, 4, 13, 30),
            "{zone}: the Friday prayer break, local time"
        );
        assert!(!c.is_working(at(tz, 2026, 12, 25, 9, 0)), "{zone}");
    }
}

#[test]
fn the_cuti_bersama_setting_in_loket_toml_decides_whether_those_days_count() {
    let start = wib(2026, 3, 17, 10, 0);
    let off = Config::embedded().expect("config").calendar;
    let worked = Config::from_toml_str(&EMBEDDED_DEFAULT.replace(
        "cuti_bersama_is_working_day = false",
        "cuti_bersama_is_working_day = true",
    ))
    .expect("config")
    .calendar;
    assert_eq!(
        off.due(start, standard("1 hari kerja")),
        wib(2026, 3, 25, 10, 0)
    );
    assert_eq!(
        worked.due(start, standard("1 hari kerja")),
        wib(2026, 3, 18, 10, 0)
    );
}

#[test]
fn an_office_holiday_file_beside_the_configuration_replaces_or_adds_a_year() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("loket.toml");
    std::fs::write(&path, EMBEDDED_DEFAULT).expect("write");
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");

    let shipped = Config::load(&path).expect("config").calendar;
    assert_eq!(shipped.covered_until(), Some(date(2026, 12, 31)));
    assert!(shipped.runs_out_within(date(2026, 11, 30), 60));

    let dir = tmp.path().join("holidays");
    std::fs::create_dir(&dir).expect("dir");
    // A revision moving one date: the office's 2026 file is all of 2026.
    let entry = |d: &str, name: &str, kind: &str| {
        format!(
            "[[holidays]]\ndate = {d}\nname = \"{name}\"\nkind = \"{kind}\"\ndecree = \"SKB (perubahan)\"\n\n"
        )
    };
    std::fs::write(
        dir.join("2026.toml"),
        entry("2026-12-25", "Kelahiran Yesus Kristus", "libur_nasional")
            + &entry(
                "2026-12-28",
                "Cuti Bersama Kelahiran Yesus Kristus",
                "cuti_bersama",
            ),
    )
    .expect("write");
    std::fs::write(
        dir.join("2027.toml"),
        entry("2027-01-01", "Tahun Baru 2027 Masehi", "libur_nasional"),
    )
    .expect("write");
    let config = Config::load(&path).expect("config");
    let c = &config.calendar;
    assert_eq!(c.covered_until(), Some(date(2027, 12, 31)));
    assert!(!c.runs_out_within(date(2026, 11, 30), 60));
    assert!(
        c.holiday(date(2026, 12, 24)).is_none(),
        "replaced, not merged"
    );
    assert!(
        c.holiday(date(2026, 3, 21)).is_none(),
        "replaced, not merged"
    );
    // Thursday 24 December is worked now; 25 to 28 December and 1 January are not.
    assert_eq!(
        c.due(wib(2026, 12, 23, 10, 0), standard("1 hari kerja")),
        wib(2026, 12, 24, 10, 0)
    );
    assert_eq!(
        c.due(wib(2026, 12, 24, 10, 0), standard("1 hari kerja")),
        wib(2026, 12, 29, 10, 0)
    );
    assert_eq!(
        c.due(wib(2026, 12, 31, 10, 0), standard("1 hari kerja")),
        wib(2027, 1, 4, 10, 0)
    );
    // The queue closes on the same days.
    assert!(config.holiday(date(2026, 12, 28)).is_some());
    assert!(config.holiday(date(2026, 12, 24)).is_none());
}

#[test]
fn the_always_open_fixture_is_open_on_every_built_in_holiday() {
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/always-open.toml");
    let config = Config::load(&fixture).expect("fixture");
    let holidays: Vec<NaiveDate> = config.calendar.holidays().iter().map(|h| h.date).collect();
    assert!(holidays.len() >= 25, "{holidays:?}");
    for date in holidays {
        assert!(config.holiday(date).is_none(), "{date}");
    }
}
