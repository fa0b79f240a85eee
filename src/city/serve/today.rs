//! "Hari ini": today in the city's time zone, office by office: tickets issued, waiting, at
//! a counter, served, no-show (from `loket.ticket_events`, each ticket counted in the state
//! of its latest event of the day), when the office's last record arrived, and whether it
//! looks offline (nothing received for `offline_after` during opening hours).

use askama::Template;
use axum::extract::State as Axum;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use tokio_postgres::Client;

use super::State;
use super::page::{Shell, Visitor, db_error, refusal, render};
use crate::city::CityError;
use crate::config::CityViewConfig;

pub const HREF: &str = "/hari-ini";

/// One office's day as the database holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OfficeDay {
    pub code: String,
    pub name: String,
    pub issued: i64,
    pub waiting: i64,
    pub at_counter: i64,
    pub served: i64,
    pub no_show: i64,
    /// When the city last received a record of this office (any kind).
    pub last_received: Option<DateTime<Utc>>,
}

/// Whether the office is sending, as the page says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// A record within `offline_after`, or outside opening hours.
    Sending,
    /// Opening hours and nothing received for `offline_after`.
    Offline,
    /// Nothing ever received.
    Never,
}

impl Link {
    pub fn of(config: &CityViewConfig, now: DateTime<Utc>, last: Option<DateTime<Utc>>) -> Self {
        let Some(last) = last else {
            return Link::Never;
        };
        let local = now.with_timezone(&config.time_zone).naive_local();
        if config.open_at(local) && now - last > config.offline_after {
            Link::Offline
        } else {
            Link::Sending
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            Link::Sending => "ok",
            Link::Offline => "offline",
            Link::Never => "never",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Link::Sending => "Terhubung",
            Link::Offline => "Tampaknya luring",
            Link::Never => "Belum pernah mengirim",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Link::Sending => "Sending",
            Link::Offline => "Looks offline",
            Link::Never => "Never sent",
        }
    }
}

/// `[start, end)` of the local day `date`, in UTC (a zone without midnight that day takes
/// the earliest instant after it).
pub fn day_bounds(tz: Tz, date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = |d: NaiveDate| {
        let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
        tz.from_local_datetime(&midnight)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
    };
    (start(date), start(date.succ_opt().unwrap_or(date)))
}

/// The figures for the offices in `offices` (`None`: every office), ordered by name.
pub async fn load(
    c: &Client,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    offices: Option<&[String]>,
) -> Result<Vec<OfficeDay>, CityError> {
    // The office's display name comes with migration 002 (`loket.offices.name`); read
    // through jsonb so a database without it still answers, with the code.
    let rows = c
        .query(
            "WITH o AS ( \
               SELECT office_code, coalesce(nullif(to_jsonb(x)->>'name', ''), office_code) AS name \
               FROM loket.offices x WHERE $3::text[] IS NULL OR office_code = ANY($3)), \
             ev AS ( \
               SELECT e.office_code, e.ticket_id, e.type, e.seq, \
                      e.body->'change'->'ticket'->>'state' AS state \
               FROM loket.ticket_events e JOIN o USING (office_code) \
               WHERE e.at >= $1::text::timestamptz AND e.at < $2::text::timestamptz AND e.ticket_id IS NOT NULL), \
             last AS ( \
               SELECT DISTINCT ON (office_code, ticket_id) office_code, state \
               FROM ev ORDER BY office_code, ticket_id, seq DESC) \
             SELECT o.office_code, o.name, \
               (SELECT count(*) FROM ev WHERE ev.office_code = o.office_code AND ev.type = 'issued'), \
               (SELECT count(*) FROM last l WHERE l.office_code = o.office_code AND l.state IN ('waiting', 'transferred')), \
               (SELECT count(*) FROM last l WHERE l.office_code = o.office_code AND l.state IN ('called', 'serving')), \
               (SELECT count(*) FROM last l WHERE l.office_code = o.office_code AND l.state = 'done'), \
               (SELECT count(*) FROM last l WHERE l.office_code = o.office_code AND l.state = 'no_show'), \
               (extract(epoch FROM greatest( \
                 (SELECT received_at FROM loket.ticket_events t WHERE t.office_code = o.office_code ORDER BY seq DESC LIMIT 1), \
                 (SELECT received_at FROM loket.complaint_actions t WHERE t.office_code = o.office_code ORDER BY seq DESC LIMIT 1), \
                 (SELECT received_at FROM loket.survey_responses t WHERE t.office_code = o.office_code ORDER BY seq DESC LIMIT 1), \
                 (SELECT received_at FROM loket.audit_hashes t WHERE t.office_code = o.office_code ORDER BY seq DESC LIMIT 1))) * 1000)::bigint \
             FROM o ORDER BY o.name, o.office_code",
            &[&start.to_rfc3339(), &end.to_rfc3339(), &offices],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| OfficeDay {
            code: r.get(0),
            name: r.get(1),
            issued: r.get(2),
            waiting: r.get(3),
            at_counter: r.get(4),
            served: r.get(5),
            no_show: r.get(6),
            // Milliseconds since the epoch: the driver is built without chrono.
            last_received: r
                .get::<_, Option<i64>>(7)
                .and_then(DateTime::<Utc>::from_timestamp_millis),
        })
        .collect())
}

/// One line of the page's table.
pub struct Line {
    pub day: OfficeDay,
    pub link: Link,
    /// `10.25` today, `28/11 16.02` before, `—` never.
    pub last: String,
    /// `12 menit lalu`, `3 jam lalu`.
    pub ago: String,
}

#[derive(Template)]
#[template(path = "city/today.html")]
struct TodayPage {
    shell: Shell,
    /// `Senin, 30 November 2026, pukul 10.30 WIB`.
    heading: String,
    lines: Vec<Line>,
    total: OfficeDay,
    offline: usize,
    chart: String,
    offline_after: i64,
}

fn zone_abbrev(tz: Tz, now: DateTime<Utc>) -> String {
    now.with_timezone(&tz).format("%Z").to_string()
}

pub fn heading(tz: Tz, now: DateTime<Utc>) -> String {
    let local = now.with_timezone(&tz);
    let day = crate::config::DAY_NAMES_ID[local.weekday().num_days_from_monday() as usize];
    let month = crate::clock::MONTHS_ID[local.month0() as usize];
    format!(
        "{day}, {} {month} {}, pukul {} {}",
        local.day(),
        local.year(),
        local.format("%H.%M"),
        zone_abbrev(tz, now)
    )
}

fn ago(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let m = (now - then).num_minutes().max(0);
    match m {
        0 => "baru saja".to_string(),
        1..=59 => format!("{m} menit lalu"),
        60..=2879 => format!("{} jam lalu", m / 60),
        _ => format!("{} hari lalu", m / 1440),
    }
}

pub fn lines(config: &CityViewConfig, now: DateTime<Utc>, days: Vec<OfficeDay>) -> Vec<Line> {
    let tz = config.time_zone;
    let today = now.with_timezone(&tz).date_naive();
    days.into_iter()
        .map(|day| {
            let link = Link::of(config, now, day.last_received);
            let (last, ago) = match day.last_received {
                None => ("—".to_string(), String::new()),
                Some(t) => {
                    let local = t.with_timezone(&tz);
                    let shown = if local.date_naive() == today {
                        local.format("%H.%M").to_string()
                    } else {
                        local.format("%d/%m/%Y %H.%M").to_string()
                    };
                    (shown, ago(now, t))
                }
            };
            Line {
                day,
                link,
                last,
                ago,
            }
        })
        .collect()
}

pub async fn page(Axum(app): Axum<State>, v: Visitor) -> Response {
    if let Some(refused) = refusal(&app, &v, HREF) {
        return refused;
    }
    let now = app.clock.now();
    let tz = app.config.time_zone;
    let (start, end) = day_bounds(tz, now.with_timezone(&tz).date_naive());
    let offices = v.viewer.offices.clone();
    let days = match app
        .db
        .run(move |c| Box::pin(async move { load(c, start, end, offices.as_deref()).await }))
        .await
    {
        Ok(d) => d,
        Err(e) => return db_error(&app, &e),
    };
    let lines = lines(&app.config, now, days);
    let mut total = OfficeDay::default();
    for l in &lines {
        total.issued += l.day.issued;
        total.waiting += l.day.waiting;
        total.at_counter += l.day.at_counter;
        total.served += l.day.served;
        total.no_show += l.day.no_show;
    }
    let offline = lines.iter().filter(|l| l.link == Link::Offline).count();
    let chart = super::chart::offices_today(&lines);
    render(
        StatusCode::OK,
        &TodayPage {
            shell: Shell::visitor(&app, &v, "Hari ini", "Today", HREF),
            heading: heading(tz, now),
            lines,
            total,
            offline,
            chart,
            offline_after: app.config.offline_after.num_minutes(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CityViewConfig;

    fn config() -> CityViewConfig {
        CityViewConfig::from_toml_str(
            "listen = [\"127.0.0.1:0\"]\n[database]\nurl = \"host=/run/postgresql dbname=k\"\n",
        )
        .expect("valid")
    }

    fn wib(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Tz::Asia__Jakarta
            .with_ymd_and_hms(2026, 11, d, h, m, 0)
            .single()
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn an_office_is_offline_only_when_silent_in_opening_hours() {
        let c = config();
        // Monday 30 November 2026, 10.30 WIB.
        let now = wib(30, 10, 30);
        assert_eq!(Link::of(&c, now, Some(wib(30, 10, 10))), Link::Sending);
        assert_eq!(Link::of(&c, now, Some(wib(30, 9, 40))), Link::Offline);
        assert_eq!(Link::of(&c, now, None), Link::Never);
        // Evening, and Sunday: silence is expected.
        assert_eq!(
            Link::of(&c, wib(30, 19, 0), Some(wib(30, 15, 0))),
            Link::Sending
        );
        assert_eq!(
            Link::of(&c, wib(29, 10, 30), Some(wib(27, 15, 0))),
            Link::Sending
        );
    }

    #[test]
    fn the_day_is_the_city_s_day() {
        let (start, end) = day_bounds(
            Tz::Asia__Jakarta,
            NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"),
        );
        assert_eq!(start, wib(30, 0, 0));
        assert_eq!(end - start, chrono::Duration::hours(24));
        assert_eq!(start.to_rfc3339(), "2026-11-29T17:00:00+00:00");
        assert_eq!(
            heading(Tz::Asia__Jakarta, wib(30, 10, 30)),
            "Senin, 30 November 2026, pukul 10.30 WIB"
        );
    }
}
