//! When the kiosk opens again, and how citizens read it: Bahasa Indonesia first, English
//! second. Computed from the services' hours and the holiday calendar at an injected `now`.

use chrono::{Datelike, NaiveDateTime, Timelike};

use crate::clock::MONTHS_ID;
use crate::config::{Config, DAY_NAMES_ID, format_minute};

const DAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The same sentence in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bilingual {
    pub id: String,
    pub en: String,
}

/// The first moment after `local` (office-local) at which any service takes tickets: the
/// earliest of the services' own next openings, holidays skipped.
pub fn kiosk_opens(config: &Config, local: NaiveDateTime) -> Option<NaiveDateTime> {
    config
        .services
        .iter()
        .filter_map(|s| config.next_opening_of(config.hours_of(s), local))
        .min()
}

/// "Buka kembali besok, Selasa 1 Desember 2026, pukul 08.00." and its English.
pub fn opens_again(at: NaiveDateTime, now: NaiveDateTime) -> Bilingual {
    let time = format_minute((at.hour() * 60 + at.minute()) as u16);
    let days = (at.date() - now.date()).num_days();
    let weekday = at.weekday().num_days_from_monday() as usize;
    let date_id = format!(
        "{} {} {} {}",
        DAY_NAMES_ID[weekday],
        at.day(),
        MONTHS_ID[at.month0() as usize],
        at.year()
    );
    let date_en = format!(
        "{} {} {} {}",
        DAYS_EN[weekday],
        at.day(),
        MONTHS_EN[at.month0() as usize],
        at.year()
    );
    match days {
        0 => Bilingual {
            id: format!("Buka kembali hari ini pukul {time}."),
            en: format!("Opens again today at {time}."),
        },
        1 => Bilingual {
            id: format!("Buka kembali besok, {date_id}, pukul {time}."),
            en: format!("Opens again tomorrow, {date_en}, at {time}."),
        },
        _ => Bilingual {
            id: format!("Buka kembali {date_id} pukul {time}."),
            en: format!("Opens again {date_en} at {time}."),
        },
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .expect("valid")
    }

    fn config() -> Config {
        Config::embedded().expect("config")
    }

    #[test]
    fn over_lunch_it_opens_again_the_same_afternoon() {
        let c = config();
        let now = at(2026, 11, 30, 12, 10);
        let opens = kiosk_opens(&c, now).expect("opens");
        assert_eq!(opens, at(2026, 11, 30, 13, 0));
        assert_eq!(
            opens_again(opens, now),
            Bilingual {
                id: "Buka kembali hari ini pukul 13.00.".into(),
                en: "Opens again today at 13.00.".into(),
            }
        );
    }

    #[test]
    fn after_hours_on_a_weekday_it_is_tomorrow_morning() {
        let c = config();
        let now = at(2026, 11, 30, 16, 0);
        let opens = kiosk_opens(&c, now).expect("opens");
        assert_eq!(opens, at(2026, 12, 1, 8, 0));
        assert_eq!(
            opens_again(opens, now).id,
            "Buka kembali besok, Selasa 1 Desember 2026, pukul 08.00."
        );
        assert_eq!(
            opens_again(opens, now).en,
            "Opens again tomorrow, Tuesday 1 December 2026, at 08.00."
        );
    }

    #[test]
    fn over_a_weekend_it_is_monday() {
        let c = config();
        for now in [
            at(2026, 12, 4, 15, 30),
            at(2026, 12, 5, 9, 0),
            at(2026, 12, 6, 23, 59),
        ] {
            assert_eq!(kiosk_opens(&c, now), Some(at(2026, 12, 7, 8, 0)), "{now}");
        }
        let now = at(2026, 12, 5, 9, 0);
        assert_eq!(
            opens_again(at(2026, 12, 7, 8, 0), now).id,
            "Buka kembali Senin 7 Desember 2026 pukul 08.00."
        );
    }

    #[test]
    fn christmas_and_its_cuti_bersama_then_the_weekend_reopen_on_monday() {
        let c = config();
        // Thursday 24 December is cuti bersama, Friday 25 Christmas, then the weekend.
        for now in [
            at(2026, 12, 23, 16, 0),
            at(2026, 12, 24, 7, 0),
            at(2026, 12, 25, 9, 0),
        ] {
            assert_eq!(kiosk_opens(&c, now), Some(at(2026, 12, 28, 8, 0)), "{now}");
        }
        assert_eq!(
            opens_again(at(2026, 12, 28, 8, 0), at(2026, 12, 25, 9, 0)),
            Bilingual {
                id: "Buka kembali Senin 28 Desember 2026 pukul 08.00.".into(),
                en: "Opens again Monday 28 December 2026 at 08.00.".into(),
            }
        );
    }

    #[test]
    fn a_service_with_later_hours_of_its_own_sets_the_opening_when_it_is_first() {
        let src = crate::config::EMBEDDED_DEFAULT.replace(
            "name_en = \"Birth certificate\"",
            "name_en = \"Birth certificate\"\nhours = { monday = [\"07:00-09:00\"] }",
        );
        let c = Config::from_toml_str(&src).expect("config");
        // Sunday evening: service D opens at 07.00 on Monday, before the others.
        assert_eq!(
            kiosk_opens(&c, at(2026, 12, 6, 20, 0)),
            Some(at(2026, 12, 7, 7, 0))
        );
    }
}
