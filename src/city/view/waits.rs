//! Waits over a date range, per office and service, from the queue events the offices sent.
//!
//! [`waits`] returns a [`Waits`]: for every office the viewer may see (by name), a total row
//! and one row per service code that had tickets in the range. A row ([`WaitRow`]) holds
//! tickets issued, served and not shown up, and in seconds the wait (issued → first call)
//! and the service time (the last call, or the start of service after it, → finished), each
//! as median and p90 (`None` when no ticket gave one). An office without tickets has a total
//! of zeros and no service rows.
//!
//! The figures follow the office's own queue report (`report::day`): a ticket is counted on
//! the day it was issued (in the city's time zone), its wait under the service it was issued
//! in, its end (served, not shown up) and service time under the service it ended in (after
//! a transfer, the second); a wait over 12 hours or a service time over 4 hours is a clock
//! jump and left out. Percentiles are the office's nearest rank (`report::percentile`,
//! rank ⌈p·n/100⌉ in integers). PostgreSQL's `percentile_disc` is the same definition
//! (rank ⌈p·n⌉, worked out in floating point; for p = 0.5 and 0.9 the same rank as the
//! integers for every n up to two million, checked), but it is not used: the server returns
//! each group's durations sorted and the ranks are taken here by the office's own function,
//! the same by construction, and an office's total is the percentile of its services' lists
//! merged (`percentile::merge`), as the office's report merges its days.
//!
//! A ticket id repeats within an office after a backup is restored (the restored box issues
//! the numbers its copy had not seen): an event belongs to the visit opened by the latest
//! `issued` event of its ticket id before it in the office's sequence, never to every
//! ticket of that id.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use tokio_postgres::GenericClient;

use super::{Office, allowed_param, day_range, offices, to_sql};
use crate::city::CityError;
use crate::report::percentile::{merge, nearest_rank};

/// One line: an office's service, or the office's total (`service` empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WaitRow {
    /// The service code the tickets carried (`A`); empty in a total.
    pub service: String,
    pub issued: u64,
    pub served: u64,
    pub no_show: u64,
    /// Seconds from issue to the first call.
    pub wait_median: Option<u32>,
    pub wait_p90: Option<u32>,
    /// Seconds at the counter of the tickets finished.
    pub service_median: Option<u32>,
    pub service_p90: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeWaits {
    pub office: Office,
    pub total: WaitRow,
    /// By service code.
    pub services: Vec<WaitRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waits {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub offices: Vec<OfficeWaits>,
}

/// Per (office, service): counts and the sorted durations in seconds.
const QUERY: &str = "
WITH ev AS (
    SELECT office_code, seq, at, type, service,
           body->'change'->'ticket'->>'state' AS state,
           max(seq) FILTER (WHERE type = 'issued')
               OVER (PARTITION BY office_code, ticket_id ORDER BY seq) AS visit
    FROM loket.ticket_events
    WHERE ticket_id IS NOT NULL
      AND at >= $1::text::timestamptz
      -- A ticket issued late in the range may end the next day.
      AND at < $2::text::timestamptz + interval '1 day'
      AND ($3::text[] IS NULL OR office_code = ANY($3::text[]))
), visits AS (
    SELECT office_code,
           min(service) FILTER (WHERE seq = visit) AS issued_service,
           min(at) FILTER (WHERE seq = visit) AS issued_at,
           min(at) FILTER (WHERE type = 'called') AS first_call,
           (array_agg(state ORDER BY seq DESC))[1] AS final_state,
           (array_agg(service ORDER BY seq DESC))[1] AS final_service,
           (array_agg(at ORDER BY seq DESC))[1] AS last_at,
           -- A call sets the ticket's start, starting service moves it on, a recall does not.
           (array_agg(at ORDER BY seq DESC) FILTER (WHERE type IN ('called', 'serving')))[1]
               AS started
    FROM ev
    WHERE visit IS NOT NULL
    GROUP BY office_code, visit
), timed AS (
    SELECT office_code, issued_service, final_service, final_state,
           floor(extract(epoch FROM first_call - issued_at))::bigint AS wait,
           CASE WHEN final_state = 'done'
                THEN floor(extract(epoch FROM last_at - started))::bigint END AS service_time
    FROM visits
    WHERE issued_at < $2::text::timestamptz
), parts AS (
    SELECT office_code, issued_service AS service, 1 AS issued, 0 AS served, 0 AS no_show,
           wait, NULL::bigint AS service_time
    FROM timed
    UNION ALL
    SELECT office_code, final_service, 0, (final_state = 'done')::int,
           (final_state = 'no_show')::int, NULL, service_time
    FROM timed
)
SELECT office_code, coalesce(service, ''),
       sum(issued)::bigint, sum(served)::bigint, sum(no_show)::bigint,
       coalesce(array_agg(wait::integer ORDER BY wait)
                    FILTER (WHERE wait BETWEEN 0 AND 43200), '{}'),
       coalesce(array_agg(service_time::integer ORDER BY service_time)
                    FILTER (WHERE service_time BETWEEN 0 AND 14400), '{}')
FROM parts
GROUP BY 1, 2
ORDER BY 1, 2";

/// Counts and sorted durations of one group, before the percentiles.
#[derive(Default)]
struct Sums {
    issued: u64,
    served: u64,
    no_show: u64,
    waits: Vec<u32>,
    service_times: Vec<u32>,
}

impl Sums {
    fn row(&self, service: String) -> WaitRow {
        WaitRow {
            service,
            issued: self.issued,
            served: self.served,
            no_show: self.no_show,
            wait_median: nearest_rank(&self.waits, 50),
            wait_p90: nearest_rank(&self.waits, 90),
            service_median: nearest_rank(&self.service_times, 50),
            service_p90: nearest_rank(&self.service_times, 90),
        }
    }
}

fn seconds(v: Vec<i32>) -> Vec<u32> {
    // The query keeps 0..=43200 only; the server sorted them.
    v.into_iter()
        .filter_map(|s| u32::try_from(s).ok())
        .collect()
}

/// The waits of the days `from..=to` (in `tz`) of the offices in `allowed` (all: `None`).
pub async fn waits(
    client: &(impl GenericClient + Sync),
    tz: Tz,
    from: NaiveDate,
    to: NaiveDate,
    allowed: Option<&[String]>,
) -> Result<Waits, CityError> {
    let list = offices(client, allowed).await?;
    let (start, end) = day_range(tz, from, to);
    let rows = client
        .query(
            QUERY,
            &[&to_sql(start), &to_sql(end), &allowed_param(allowed)],
        )
        .await?;
    let mut by_office: BTreeMap<String, Vec<(String, Sums)>> = BTreeMap::new();
    for r in rows {
        let count = |i: usize| u64::try_from(r.get::<_, i64>(i)).unwrap_or(0);
        let sums = Sums {
            issued: count(2),
            served: count(3),
            no_show: count(4),
            waits: seconds(r.get(5)),
            service_times: seconds(r.get(6)),
        };
        by_office
            .entry(r.get(0))
            .or_default()
            .push((r.get(1), sums));
    }
    let offices = list
        .into_iter()
        .map(|office| {
            let services = by_office.remove(&office.code).unwrap_or_default();
            let total = Sums {
                issued: services.iter().map(|(_, s)| s.issued).sum(),
                served: services.iter().map(|(_, s)| s.served).sum(),
                no_show: services.iter().map(|(_, s)| s.no_show).sum(),
                waits: merge(
                    &services
                        .iter()
                        .map(|(_, s)| s.waits.as_slice())
                        .collect::<Vec<_>>(),
                ),
                service_times: merge(
                    &services
                        .iter()
                        .map(|(_, s)| s.service_times.as_slice())
                        .collect::<Vec<_>>(),
                ),
            };
            OfficeWaits {
                office,
                total: total.row(String::new()),
                services: services.into_iter().map(|(code, s)| s.row(code)).collect(),
            }
        })
        .collect();
    Ok(Waits { from, to, offices })
}
