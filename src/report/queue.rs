//! The queue report over a date range: the day aggregates merged per day, service, counter
//! and staff member, and the series the charts draw. Percentiles are nearest-rank over the
//! merged lists, so a month's p90 is the p90 of the month's tickets.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::day::{DayAggregate, GroupAggregate, UNRECORDED_STAFF};
use super::percentile::{merge, nearest_rank};
use super::table::{Cell, Column, Kind, Table};

/// Names for the codes in the aggregates (from the configuration; a code no longer
/// configured shows as itself).
pub struct Names<'a> {
    pub service: &'a dyn Fn(&str) -> String,
    pub counter: &'a dyn Fn(u32) -> String,
}

/// One line of a report table.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub label: String,
    /// Stays: tickets issued in the group plus those transferred into it.
    pub tickets: u32,
    pub served: u32,
    pub no_show: u32,
    pub cancelled: u32,
    pub transferred_out: u32,
    pub wait_median: Option<u32>,
    pub wait_p90: Option<u32>,
    pub service_median: Option<u32>,
    pub service_p90: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QueueReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub total: ReportRow,
    pub per_day: Vec<ReportRow>,
    pub per_service: Vec<ReportRow>,
    pub per_counter: Vec<ReportRow>,
    pub per_staff: Vec<ReportRow>,
    /// Service names in chart order, and per day the tickets of each.
    pub services: Vec<String>,
    pub tickets_by_day: Vec<(NaiveDate, Vec<u32>)>,
    pub wait_p90_by_day: Vec<(NaiveDate, Option<u32>)>,
    /// Tickets issued per weekday (Monday first) and office-local hour.
    pub arrivals: [[u32; 24]; 7],
}

#[derive(Default)]
struct Acc<'a> {
    tickets: u32,
    served: u32,
    no_show: u32,
    cancelled: u32,
    transferred_out: u32,
    waits: Vec<&'a [u32]>,
    service_times: Vec<&'a [u32]>,
}

impl<'a> Acc<'a> {
    fn add(&mut self, g: &'a GroupAggregate) {
        self.tickets += g.tickets();
        self.served += g.served;
        self.no_show += g.no_show;
        self.cancelled += g.cancelled;
        self.transferred_out += g.transferred_out;
        self.waits.push(&g.waits);
        self.service_times.push(&g.service_times);
    }

    fn row(&self, label: String) -> ReportRow {
        let waits = merge(&self.waits);
        let services = merge(&self.service_times);
        ReportRow {
            label,
            tickets: self.tickets,
            served: self.served,
            no_show: self.no_show,
            cancelled: self.cancelled,
            transferred_out: self.transferred_out,
            wait_median: nearest_rank(&waits, 50),
            wait_p90: nearest_rank(&waits, 90),
            service_median: nearest_rank(&services, 50),
            service_p90: nearest_rank(&services, 90),
        }
    }
}

fn rows<'a, K: Ord>(
    days: &'a [DayAggregate],
    key: impl Fn(&DayAggregate, &GroupAggregate) -> K,
    label: impl Fn(&K) -> String,
) -> Vec<ReportRow> {
    let mut accs: BTreeMap<K, Acc<'a>> = BTreeMap::new();
    for d in days {
        for g in &d.groups {
            accs.entry(key(d, g)).or_default().add(g);
        }
    }
    accs.iter().map(|(k, a)| a.row(label(k))).collect()
}

/// The counter's label in the per-staff and per-counter tables for tickets that never
/// reached a counter (cancelled while waiting).
pub const NEVER_CALLED: &str = "(belum dipanggil)";

impl QueueReport {
    /// The report over `days` (the range's aggregates, today's live one included, in date
    /// order), for the range `from..=to`.
    pub fn build(from: NaiveDate, to: NaiveDate, days: &[DayAggregate], names: &Names) -> Self {
        let per_day = rows(days, |d, _| d.day, |d| d.format("%Y-%m-%d").to_string());
        let per_service = rows(days, |_, g| g.service.clone(), |s| (names.service)(s));
        let per_counter = rows(
            days,
            |_, g| g.counter,
            |c| c.map_or(NEVER_CALLED.to_string(), |c| (names.counter)(c)),
        );
        let per_staff = rows(
            days,
            |_, g| match (g.counter, &g.staff) {
                (None, _) => NEVER_CALLED.to_string(),
                (Some(_), Some(u)) => u.clone(),
                (Some(_), None) => UNRECORDED_STAFF.to_string(),
            },
            String::clone,
        );
        let total = rows(days, |_, _| (), |_| "Jumlah".to_string())
            .pop()
            .unwrap_or_else(|| Acc::default().row("Jumlah".to_string()));

        let mut codes: Vec<String> = days
            .iter()
            .flat_map(|d| d.groups.iter().map(|g| g.service.clone()))
            .collect();
        codes.sort();
        codes.dedup();
        // Every date of the range, a day without tickets (a weekend, a holiday) as zero, so
        // the charts' x axis is the calendar.
        let by_date: BTreeMap<NaiveDate, &DayAggregate> = days.iter().map(|d| (d.day, d)).collect();
        let dates: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).collect();
        let tickets_by_day = dates
            .iter()
            .map(|date| {
                let per = codes
                    .iter()
                    .map(|c| {
                        by_date.get(date).map_or(0, |d| {
                            d.groups
                                .iter()
                                .filter(|g| &g.service == c)
                                .map(GroupAggregate::tickets)
                                .sum()
                        })
                    })
                    .collect();
                (*date, per)
            })
            .collect();
        let wait_p90_by_day = dates
            .iter()
            .map(|date| {
                let p90 = by_date.get(date).and_then(|d| {
                    let lists: Vec<&[u32]> = d.groups.iter().map(|g| g.waits.as_slice()).collect();
                    nearest_rank(&merge(&lists), 90)
                });
                (*date, p90)
            })
            .collect();
        let mut arrivals = [[0u32; 24]; 7];
        for d in days {
            let wd = d.day.weekday().num_days_from_monday() as usize;
            for g in &d.groups {
                for (h, n) in g.arrivals.iter().enumerate().take(24) {
                    arrivals[wd][h] += n;
                }
            }
        }
        QueueReport {
            from,
            to,
            total,
            per_day,
            per_service,
            per_counter,
            per_staff,
            services: codes.iter().map(|c| (names.service)(c)).collect(),
            tickets_by_day,
            wait_p90_by_day,
            arrivals,
        }
    }

    /// The report's tables, in page order; each is also a CSV and an XLSX sheet.
    pub fn tables(&self) -> Vec<Table> {
        let mut day_rows = self.per_day.clone();
        day_rows.push(self.total.clone());
        vec![
            table("Per hari", "Tanggal", &day_rows, true),
            table("Per layanan", "Layanan", &self.per_service, false),
            table("Per loket", "Loket", &self.per_counter, false),
            table("Per petugas", "Petugas", &self.per_staff, false),
        ]
    }
}

fn table(title: &str, first: &str, rows: &[ReportRow], dates: bool) -> Table {
    let columns = vec![
        Column::new(first, if dates { Kind::Date } else { Kind::Text }),
        Column::new("Tiket", Kind::Count),
        Column::new("Dilayani", Kind::Count),
        Column::new("Tidak hadir", Kind::Count),
        Column::new("Dialihkan", Kind::Count),
        Column::new("Batal", Kind::Count),
        Column::new("Tunggu median", Kind::Seconds),
        Column::new("Tunggu p90", Kind::Seconds),
        Column::new("Layanan median", Kind::Seconds),
        Column::new("Layanan p90", Kind::Seconds),
    ];
    let rows = rows
        .iter()
        .map(|r| {
            let first = match NaiveDate::parse_from_str(&r.label, "%Y-%m-%d") {
                Ok(d) if dates => Cell::Date(d),
                _ => Cell::Text(r.label.clone()),
            };
            vec![
                first,
                Cell::Count(u64::from(r.tickets)),
                Cell::Count(u64::from(r.served)),
                Cell::Count(u64::from(r.no_show)),
                Cell::Count(u64::from(r.transferred_out)),
                Cell::Count(u64::from(r.cancelled)),
                Cell::Seconds(r.wait_median),
                Cell::Seconds(r.wait_p90),
                Cell::Seconds(r.service_median),
                Cell::Seconds(r.service_p90),
            ]
        })
        .collect();
    Table {
        title: title.to_string(),
        columns,
        rows,
    }
}
