//! Complaint steps open now past their due time, per office.
//!
//! [`overdue`] returns an [`Overdue`]: for every office the viewer may see (by name) an
//! [`OfficeOverdue`] with the complaints open (not closed), the steps among them past due at
//! `now` (most late first, as [`LateStep`]s), and how many open complaints the city cannot
//! judge because their latest record came from a build that did not send the open step.
//! An office with nothing open shows zeros.
//!
//! Each complaint's latest action (the highest workflow version) says which step is waiting
//! and when it is due: the office worked the due time out on its own calendar (working
//! hours, holidays) and sent it. How late a step is needs a calendar too: given one (the
//! city's, when its offices keep the same working hours and holidays), lateness is working
//! time, as the office's reports count it (`Terlambat (menit kerja)`); without one it is
//! clock time since the due time, and [`LateStep::working`] says which.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use tokio_postgres::GenericClient;

use super::{Office, allowed_param, from_micros, micros, offices, to_sql};
use crate::calendar::Calendar;
use crate::city::CityError;
use crate::complaint::{Level, minutes_label};

/// One step past its due time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateStep {
    /// The complaint's sequence in its office.
    pub complaint: u64,
    /// The register number: `PGD/2026/12/0007`.
    pub number: String,
    /// The flow's id (`skala_kecil`).
    pub flow: String,
    /// None when no record of the complaint said it.
    pub level: Option<Level>,
    pub step: u32,
    pub round: u32,
    /// The step's *uraian prosedur*, as the flow words it.
    pub step_name: String,
    /// Its time standard as the SOP writes it: `1 hari kerja`.
    pub standard: String,
    pub started_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    /// How late at `now`: working minutes when `working`, else clock minutes.
    pub late_minutes: u64,
    pub working: bool,
    /// As staff read it: `3 jam 30 menit` (working time), `2 hari 4 jam` (clock time).
    pub late_label: String,
}

impl LateStep {
    /// `Skala Kecil`, or "—".
    pub fn level_label(&self) -> &'static str {
        self.level.map_or("—", Level::label_id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeOverdue {
    pub office: Office,
    /// Complaints not closed.
    pub open: u64,
    /// Most late first.
    pub late: Vec<LateStep>,
    /// Open complaints whose latest record does not carry the waiting step (sent by an
    /// older build): neither counted late nor on time.
    pub unknown: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    pub now: DateTime<Utc>,
    pub offices: Vec<OfficeOverdue>,
}

/// Each complaint's latest action, if it leaves the complaint open.
const QUERY: &str = concat!(
    "
WITH latest AS (
    SELECT DISTINCT ON (office_code, complaint)
           office_code, complaint, number, flow, closed, level, open_step, open_round,
           open_due_at, body
    FROM loket.complaint_actions
    WHERE $1::text[] IS NULL OR office_code = ANY($1::text[])
    ORDER BY office_code, complaint, version DESC, seq DESC
)
SELECT l.office_code, l.complaint, l.number, l.flow,
       coalesce(l.level, (SELECT o.level FROM loket.complaint_actions o
                          WHERE o.office_code = l.office_code AND o.complaint = l.complaint
                            AND o.change = 'opened' LIMIT 1)),
       l.open_step, l.open_round,
       coalesce(l.body->'open_step'->>'name', ''),
       coalesce(l.body->'open_step'->>'standard', ''),
       ",
    micros!("(l.body->'open_step'->>'started_at')::timestamptz"),
    ",
       ",
    micros!("l.open_due_at"),
    "
FROM latest l
WHERE NOT l.closed
  -- Past due, or not known.
  AND (l.open_step IS NULL OR l.open_due_at < $2::text::timestamptz)"
);

/// Clock minutes as a lateness reads: `2 hari 4 jam` past a day, else `4 jam 10 menit`.
fn clock_label(minutes: u64) -> String {
    let days = minutes / (24 * 60);
    if days == 0 {
        return minutes_label(minutes);
    }
    match (minutes % (24 * 60)) / 60 {
        0 => format!("{days} hari"),
        h => format!("{days} hari {h} jam"),
    }
}

/// The steps past due at `now` of the offices in `allowed` (all: `None`); lateness in
/// working time on `calendar` when given, else in clock time.
pub async fn overdue(
    client: &(impl GenericClient + Sync),
    now: DateTime<Utc>,
    calendar: Option<&Calendar>,
    allowed: Option<&[String]>,
) -> Result<Overdue, CityError> {
    let list = offices(client, allowed).await?;
    // Open complaints per office, late or not.
    let open_rows = client
        .query(
            "SELECT office_code, count(*) FROM ( \
               SELECT DISTINCT ON (office_code, complaint) office_code, closed \
               FROM loket.complaint_actions \
               WHERE $1::text[] IS NULL OR office_code = ANY($1::text[]) \
               ORDER BY office_code, complaint, version DESC, seq DESC) l \
             WHERE NOT closed GROUP BY office_code",
            &[&allowed_param(allowed)],
        )
        .await?;
    let mut open: BTreeMap<String, u64> = open_rows
        .iter()
        .map(|r| (r.get(0), u64::try_from(r.get::<_, i64>(1)).unwrap_or(0)))
        .collect();
    let rows = client
        .query(QUERY, &[&allowed_param(allowed), &to_sql(now)])
        .await?;
    let mut late: BTreeMap<String, Vec<LateStep>> = BTreeMap::new();
    let mut unknown: BTreeMap<String, u64> = BTreeMap::new();
    for r in rows {
        let office: String = r.get(0);
        let (step, round, due): (Option<i32>, Option<i32>, Option<i64>) =
            (r.get(5), r.get(6), r.get(10));
        let (Some(step), Some(due)) = (step, due) else {
            *unknown.entry(office).or_default() += 1;
            continue;
        };
        let due_at = from_micros(due);
        let (late_minutes, working) = match calendar {
            Some(c) => (c.working_minutes_between(due_at, now), true),
            None => (
                u64::try_from((now - due_at).num_minutes()).unwrap_or(0),
                false,
            ),
        };
        let level: Option<String> = r.get(4);
        late.entry(office).or_default().push(LateStep {
            complaint: u64::try_from(r.get::<_, i64>(1)).unwrap_or(0),
            number: r.get(2),
            flow: r.get(3),
            level: level.and_then(|l| serde_json::from_value(serde_json::Value::String(l)).ok()),
            step: u32::try_from(step).unwrap_or(0),
            round: round.and_then(|r| u32::try_from(r).ok()).unwrap_or(1),
            step_name: r.get(7),
            standard: r.get(8),
            started_at: r.get::<_, Option<i64>>(9).map_or(due_at, from_micros),
            due_at,
            late_minutes,
            working,
            late_label: if working {
                minutes_label(late_minutes)
            } else {
                clock_label(late_minutes)
            },
        });
    }
    let offices = list
        .into_iter()
        .map(|office| {
            let mut steps = late.remove(&office.code).unwrap_or_default();
            // Most late first; the same lateness by due time, then register number.
            steps.sort_by(|a, b| {
                b.late_minutes
                    .cmp(&a.late_minutes)
                    .then(a.due_at.cmp(&b.due_at))
                    .then_with(|| a.number.cmp(&b.number))
            });
            OfficeOverdue {
                open: open.remove(&office.code).unwrap_or(0),
                unknown: unknown.remove(&office.code).unwrap_or(0),
                late: steps,
                office,
            }
        })
        .collect();
    Ok(Overdue { now, offices })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_lateness_reads_in_days_and_hours_past_a_day() {
        assert_eq!(clock_label(45), "45 menit");
        assert_eq!(clock_label(125), "2 jam 5 menit");
        assert_eq!(clock_label(24 * 60), "1 hari");
        assert_eq!(clock_label(2 * 24 * 60 + 4 * 60 + 59), "2 hari 4 jam");
    }
}
