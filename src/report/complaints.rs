//! The monthly complaint recap (*laporan pengelolaan pengaduan*): the complaints received in
//! the month by channel, level and flow; how many are closed; the steps and complaints within
//! their time standard; the mean working time per step against its standard; the overdue
//! steps. Working time is the engine's own measure (the office calendar), so a step due
//! Friday afternoon and done Monday morning is late by the working hours between.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::table::{Cell, Column, Kind, Table};
use crate::calendar::Calendar;
use crate::complaint::{Deadlines, Intake, overdue_steps};
use crate::store::Complaint;

/// The recap as plain figures, and its tables.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplaintRecap {
    pub received: usize,
    pub closed: usize,
    /// Complaints with no step past its due time, of those received.
    pub complaints_within: usize,
    /// Steps done within their standard, of the steps done that have one.
    pub steps_within: usize,
    pub steps_timed: usize,
    pub tables: Vec<Table>,
}

fn pct(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

struct Calendared<'a>(&'a Calendar);

impl Deadlines for Calendared<'_> {
    fn due(&self, start: DateTime<Utc>, standard: crate::calendar::TimeStandard) -> DateTime<Utc> {
        self.0.due(start, standard)
    }
    fn working_minutes(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> u64 {
        self.0.working_minutes_between(from, to)
    }
}

#[derive(Default)]
struct StepAcc {
    action: String,
    standard: String,
    done: usize,
    within: usize,
    used_minutes: u64,
    standard_minutes: u64,
}

/// The recap of `complaints` (those received in the month), judged at `now`.
pub fn recap(
    complaints: &[Complaint],
    calendar: &Calendar,
    tz: Tz,
    now: DateTime<Utc>,
) -> ComplaintRecap {
    let deadlines = Calendared(calendar);
    let mut by_channel: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_level: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_flow: BTreeMap<String, u64> = BTreeMap::new();
    let mut steps: BTreeMap<(String, u32), StepAcc> = BTreeMap::new();
    let mut overdue_rows = Vec::new();
    let (mut closed, mut complaints_within, mut steps_within, mut steps_timed) = (0, 0, 0, 0);
    for c in complaints {
        let w = &c.workflow;
        let channel = match w.intake() {
            Intake::Ticket(_) => "Loket (nomor antrian)".to_string(),
            Intake::Channel { channel } => channel.label_id().to_string(),
        };
        *by_channel.entry(channel).or_default() += 1;
        *by_level
            .entry(w.level().label_id().to_string())
            .or_default() += 1;
        *by_flow.entry(w.flow().name.clone()).or_default() += 1;
        closed += usize::from(c.closed_at.is_some());
        for r in w.records() {
            let (Some(due), Some(done)) = (r.due_at, r.done_at) else {
                continue;
            };
            let Some(step) = w.flow().step(r.step) else {
                continue;
            };
            let acc = steps
                .entry((w.flow().name.clone(), r.step))
                .or_insert_with(|| StepAcc {
                    action: step.action.clone(),
                    standard: step.time.to_string(),
                    ..StepAcc::default()
                });
            acc.done += 1;
            acc.within += usize::from(done <= due);
            acc.used_minutes += calendar.working_minutes_between(r.started_at, done);
            acc.standard_minutes += calendar.working_minutes_between(r.started_at, due);
            steps_timed += 1;
            steps_within += usize::from(done <= due);
        }
        let late = overdue_steps(w, now, &deadlines);
        complaints_within += usize::from(late.is_empty());
        for o in late {
            overdue_rows.push(vec![
                Cell::Text(c.number.clone()),
                Cell::Text(w.flow().name.clone()),
                Cell::Count(u64::from(o.step)),
                Cell::Text(
                    o.due_at
                        .with_timezone(&tz)
                        .format("%Y-%m-%d %H:%M")
                        .to_string(),
                ),
                Cell::Count(u64::try_from(o.late_minutes).unwrap_or(0)),
                Cell::Text(
                    if o.open {
                        "masih terbuka"
                    } else {
                        "selesai terlambat"
                    }
                    .to_string(),
                ),
            ]);
        }
    }
    let received = complaints.len();
    let count_rows = |label: &str, m: &BTreeMap<String, u64>| {
        m.iter()
            .map(|(k, n)| {
                vec![
                    Cell::Text(label.to_string()),
                    Cell::Text(k.clone()),
                    Cell::Count(*n),
                ]
            })
            .collect::<Vec<_>>()
    };
    let mut received_rows = count_rows("Saluran", &by_channel);
    received_rows.extend(count_rows("Tingkatan", &by_level));
    received_rows.extend(count_rows("Alur", &by_flow));
    let summary = Table {
        title: "Ringkasan".into(),
        columns: vec![
            Column::new("Ukuran", Kind::Text),
            Column::new("Jumlah", Kind::Count),
            Column::new("Persen", Kind::Percent),
        ],
        rows: vec![
            vec![
                Cell::Text("Pengaduan diterima".into()),
                Cell::Count(received as u64),
                Cell::Percent(None),
            ],
            vec![
                Cell::Text("Selesai (ditutup)".into()),
                Cell::Count(closed as u64),
                Cell::Percent(pct(closed, received)),
            ],
            vec![
                Cell::Text("Pengaduan tanpa langkah terlambat".into()),
                Cell::Count(complaints_within as u64),
                Cell::Percent(pct(complaints_within, received)),
            ],
            vec![
                Cell::Text("Langkah selesai sesuai standar waktu".into()),
                Cell::Count(steps_within as u64),
                Cell::Percent(pct(steps_within, steps_timed)),
            ],
        ],
    };
    let received_table = Table {
        title: "Diterima".into(),
        columns: vec![
            Column::new("Menurut", Kind::Text),
            Column::new("Kelompok", Kind::Text),
            Column::new("Jumlah", Kind::Count),
        ],
        rows: received_rows,
    };
    let step_table = Table {
        title: "Per langkah".into(),
        columns: vec![
            Column::new("Alur", Kind::Text),
            Column::new("Langkah", Kind::Count),
            Column::new("Uraian", Kind::Text),
            Column::new("Standar", Kind::Text),
            Column::new("Selesai", Kind::Count),
            Column::new("Sesuai standar", Kind::Percent),
            Column::new("Rata-rata (menit kerja)", Kind::Decimal),
            Column::new("Standar (menit kerja)", Kind::Decimal),
        ],
        rows: steps
            .into_iter()
            .map(|((flow, no), a)| {
                let mean = |m: u64| (a.done > 0).then(|| m as f64 / a.done as f64);
                vec![
                    Cell::Text(flow),
                    Cell::Count(u64::from(no)),
                    Cell::Text(a.action),
                    Cell::Text(a.standard),
                    Cell::Count(a.done as u64),
                    Cell::Percent(pct(a.within, a.done)),
                    Cell::Decimal(mean(a.used_minutes)),
                    Cell::Decimal(mean(a.standard_minutes)),
                ]
            })
            .collect(),
    };
    let overdue_table = Table {
        title: "Terlambat".into(),
        columns: vec![
            Column::new("Nomor", Kind::Text),
            Column::new("Alur", Kind::Text),
            Column::new("Langkah", Kind::Count),
            Column::new("Tenggat", Kind::Text),
            Column::new("Terlambat (menit kerja)", Kind::Count),
            Column::new("Keadaan", Kind::Text),
        ],
        rows: overdue_rows,
    };
    ComplaintRecap {
        received,
        closed,
        complaints_within,
        steps_within,
        steps_timed,
        tables: vec![summary, received_table, step_table, overdue_table],
    }
}
