//! The survey report (*laporan hasil SKM*): from the period's responses, the questionnaire and
//! the period's served visits, the figures an office publishes — per element the sums, NRR,
//! weighted NRR, converted figure and grade; the index and its grade; the same per service and
//! per counter; the respondents beside the sample the visits call for; the profile counts and
//! the suggestions. Pure: the store reads, the web renders. The index itself is
//! `index::ikm`, exact; the decimals shown here are rounded half up from exact fractions too,
//! so a page, a workbook and a PDF never disagree in the last digit.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Months, NaiveDate};

use super::index::{self, Band, Ikm, Tally, Weighting};
use super::questionnaire::Questionnaire;
use super::response::Response;
use crate::report::DayAggregate;
use crate::report::table::{Cell, Column, Kind, Table};

/// The stretch of time a report covers: a calendar month, quarter (*triwulan*), half year
/// (*semester*) or year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Month { year: i32, month: u32 },
    Quarter { year: i32, quarter: u32 },
    Semester { year: i32, half: u32 },
    Year(i32),
}

// The Indonesian month names, shared with every date the software writes out.
use crate::clock::MONTHS_ID as MONTHS;
const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];

/// `November 2026`: how a response's month is shown (the day is not kept).
pub fn month_label(month: NaiveDate) -> String {
    Period::Month {
        year: month.year(),
        month: month.month(),
    }
    .label()
}

impl Period {
    /// `2026-11` (month), `2026-T4` (quarter), `2026-S2` (semester), `2026` (year).
    pub fn parse(s: &str) -> Result<Period, String> {
        let s = s.trim();
        let bad = || {
            format!(
                "Periode \"{s}\" tidak dikenal: gunakan misalnya 2026-11 (bulan), 2026-T4 \
                 (triwulan), 2026-S2 (semester) atau 2026 (tahun)."
            )
        };
        let (year, rest) = s.split_once('-').unwrap_or((s, ""));
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) {
            return Err(bad());
        }
        let number = |t: &str, max: u32| {
            t.parse::<u32>()
                .ok()
                .filter(|n| (1..=max).contains(n) && !t.starts_with('+'))
                .ok_or_else(bad)
        };
        let upper = rest.to_ascii_uppercase();
        if rest.is_empty() {
            Ok(Period::Year(year))
        } else if let Some(q) = upper.strip_prefix('T') {
            Ok(Period::Quarter {
                year,
                quarter: number(q, 4)?,
            })
        } else if let Some(h) = upper.strip_prefix('S') {
            Ok(Period::Semester {
                year,
                half: number(h, 2)?,
            })
        } else if rest.len() == 2 {
            Ok(Period::Month {
                year,
                month: number(rest, 12)?,
            })
        } else {
            Err(bad())
        }
    }

    /// The key `parse` reads.
    pub fn key(&self) -> String {
        match *self {
            Period::Month { year, month } => format!("{year}-{month:02}"),
            Period::Quarter { year, quarter } => format!("{year}-T{quarter}"),
            Period::Semester { year, half } => format!("{year}-S{half}"),
            Period::Year(year) => year.to_string(),
        }
    }

    /// `Triwulan IV 2026`, as the report's title names it.
    pub fn label(&self) -> String {
        match *self {
            Period::Month { year, month } => {
                format!("{} {year}", MONTHS[(month.clamp(1, 12) - 1) as usize])
            }
            Period::Quarter { year, quarter } => {
                format!(
                    "Triwulan {} {year}",
                    ROMAN[(quarter.clamp(1, 4) - 1) as usize]
                )
            }
            Period::Semester { year, half } => {
                format!("Semester {} {year}", ROMAN[(half.clamp(1, 2) - 1) as usize])
            }
            Period::Year(year) => format!("Tahun {year}"),
        }
    }

    /// The first and last day.
    pub fn bounds(&self) -> (NaiveDate, NaiveDate) {
        let (year, first_month, months) = match *self {
            Period::Month { year, month } => (year, month, 1),
            Period::Quarter { year, quarter } => (year, 3 * quarter - 2, 3),
            Period::Semester { year, half } => (year, 6 * half - 5, 6),
            Period::Year(year) => (year, 1, 12),
        };
        let first = NaiveDate::from_ymd_opt(year, first_month, 1).unwrap_or(NaiveDate::MIN);
        let last = first
            .checked_add_months(Months::new(months))
            .and_then(|d| d.pred_opt())
            .unwrap_or(first);
        (first, last)
    }

    /// The quarter `day` falls in: the page's default.
    pub fn quarter_of(day: NaiveDate) -> Period {
        Period::Quarter {
            year: day.year(),
            quarter: day.month0() / 3 + 1,
        }
    }

    /// What the period picker offers, newest first within each kind: the last 13 months, 8
    /// quarters, 4 semesters and 3 years up to `today`.
    pub fn choices(today: NaiveDate) -> Vec<(&'static str, Vec<Period>)> {
        let (y, m) = (today.year(), today.month());
        let months = (0..13)
            .map(|i| {
                let k = y * 12 + m as i32 - 1 - i;
                Period::Month {
                    year: k.div_euclid(12),
                    month: k.rem_euclid(12) as u32 + 1,
                }
            })
            .collect();
        let q = (m - 1) / 3;
        let quarters = (0..8)
            .map(|i| {
                let k = y * 4 + q as i32 - i;
                Period::Quarter {
                    year: k.div_euclid(4),
                    quarter: k.rem_euclid(4) as u32 + 1,
                }
            })
            .collect();
        let h = (m - 1) / 6;
        let halves = (0..4)
            .map(|i| {
                let k = y * 2 + h as i32 - i;
                Period::Semester {
                    year: k.div_euclid(2),
                    half: k.rem_euclid(2) as u32 + 1,
                }
            })
            .collect();
        let years = (0..3).map(|i| Period::Year(y - i)).collect();
        vec![
            ("Triwulan", quarters),
            ("Semester", halves),
            ("Tahun", years),
            ("Bulan", months),
        ]
    }
}

/// One element's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct ElementScore {
    pub id: String,
    pub name: String,
    pub tally: Tally,
    /// NRR to three decimals, rounded half up (3,250).
    pub nrr: Option<f64>,
    /// NRR × the weight, to three decimals (*NRR tertimbang*).
    pub weighted: Option<f64>,
    /// NRR × 25 in hundredths (*nilai konversi*), graded with the same bands.
    pub converted: Option<u32>,
    pub band: Option<usize>,
}

/// The figures over one set of responses (the office, a service, a counter).
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub respondents: u64,
    /// In the questionnaire's order.
    pub elements: Vec<ElementScore>,
    /// None without responses.
    pub ikm: Option<Ikm>,
}

/// Running sums over one set of responses.
#[derive(Clone)]
struct Acc {
    tallies: Vec<Tally>,
    respondents: u64,
}

impl Acc {
    fn new(k: usize) -> Acc {
        Acc {
            tallies: vec![Tally::default(); k],
            respondents: 0,
        }
    }

    /// One response's scores in the questionnaire's order. An element added to the
    /// questionnaire mid-period is missing from older responses: it counts where answered
    /// (`index::ikm` sums unequal counts).
    fn add(&mut self, scores: &[Option<u8>]) {
        self.respondents += 1;
        for (t, s) in self.tallies.iter_mut().zip(scores) {
            if let Some(s) = s {
                t.add(u32::from(*s));
            }
        }
    }
}

impl Summary {
    fn build(acc: Acc, q: &Questionnaire) -> Summary {
        let Acc {
            tallies,
            respondents,
        } = acc;
        let elements = q
            .elements
            .iter()
            .zip(&tallies)
            .map(|(e, t)| {
                let converted = t.converted();
                ElementScore {
                    id: e.id.clone(),
                    name: e.name.clone(),
                    tally: *t,
                    nrr: fixed(u128::from(t.total), u128::from(t.responses), 3),
                    weighted: weighted(t, q.elements.len(), q.weighting),
                    converted,
                    band: converted.map(|c| index::band_of(c, &q.bands)),
                }
            })
            .collect();
        let ikm = if respondents == 0 {
            None
        } else {
            index::ikm(&tallies, q.weighting, &q.bands)
        };
        Summary {
            respondents,
            elements,
            ikm,
        }
    }

    /// The figures from sums made elsewhere (the city's server adds up the offices'
    /// responses): `tallies` in the questionnaire's order. The same figures as a report
    /// built from those responses.
    pub fn from_tallies(respondents: u64, tallies: Vec<Tally>, q: &Questionnaire) -> Summary {
        Summary::build(
            Acc {
                tallies,
                respondents,
            },
            q,
        )
    }

    /// The elements from the weakest (lowest NRR) up; ties keep the questionnaire's order.
    /// Compared as exact fractions: 13/4 and 26/8 are the same score.
    pub fn weakest_first(&self) -> Vec<&ElementScore> {
        let mut v: Vec<&ElementScore> = self.elements.iter().collect();
        v.sort_by(|a, b| {
            let (ta, tb) = (&a.tally, &b.tally);
            match (ta.responses, tb.responses) {
                (0, 0) => std::cmp::Ordering::Equal,
                (0, _) => std::cmp::Ordering::Greater,
                (_, 0) => std::cmp::Ordering::Less,
                _ => (u128::from(ta.total) * u128::from(tb.responses))
                    .cmp(&(u128::from(tb.total) * u128::from(ta.responses))),
            }
        });
        v
    }
}

/// `num / den` to `places` decimals, rounded half up, as an f64 that prints back the same.
fn fixed(num: u128, den: u128, places: u32) -> Option<f64> {
    (den > 0).then(|| {
        let scale = 10u128.pow(places);
        let n = (2 * num * scale + den) / (2 * den);
        n as f64 / scale as f64
    })
}

/// NRR × weight to three decimals: 0.111 × NRR by the regulation, NRR / k exactly.
fn weighted(t: &Tally, k: usize, w: Weighting) -> Option<f64> {
    let k = u128::try_from(k).ok().filter(|k| *k > 0)?;
    let (total, n) = (u128::from(t.total), u128::from(t.responses));
    match w {
        Weighting::Regulation => fixed(total * (1000 / k), n * 1000, 3),
        Weighting::Exact => fixed(total, n * k, 3),
    }
}

/// The figures of one service.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRow {
    pub service: String,
    /// Tickets served in the service in the period.
    pub visits: u64,
    pub summary: Summary,
}

/// The figures of one counter: the responses of the visits it finished.
#[derive(Debug, Clone, PartialEq)]
pub struct CounterRow {
    /// None: finished without a counter on record.
    pub counter: Option<u32>,
    /// The services of those visits, by id, sorted.
    pub services: Vec<String>,
    pub summary: Summary,
}

/// How many respondents chose each option of one profile question.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileCount {
    pub id: String,
    pub question: String,
    pub options: Vec<(String, u64)>,
    /// Responses that left the question out.
    pub unanswered: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The first day of the visit's month: all a response keeps of its date.
    pub month: NaiveDate,
    pub service: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SurveyReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub weighting: Weighting,
    pub bands: Vec<Band>,
    pub overall: Summary,
    /// Tickets served in the period: the survey's population.
    pub visits: u64,
    /// The sample those visits call for (Krejcie & Morgan).
    pub sample: u64,
    pub services: Vec<ServiceRow>,
    pub counters: Vec<CounterRow>,
    pub profile: Vec<ProfileCount>,
    /// Newest month first.
    pub suggestions: Vec<Suggestion>,
    /// A service's or counter's index and grade are shown only over at least this many
    /// respondents (`[survey] min_group_respondents`); the figures are computed all the same.
    pub min_group: u64,
}

/// The small-cell rule unless the office sets its own (`hide_groups_below`).
pub const MIN_GROUP: u64 = 5;

/// The names the tables show for the ids the responses carry.
pub struct Names<'a> {
    pub service: &'a dyn Fn(&str) -> String,
    pub counter: &'a dyn Fn(u32) -> String,
}

impl SurveyReport {
    /// The report over `responses` (the period's, as the store returns them) and `days` (the
    /// period's queue aggregates, for the served visits).
    pub fn build(
        from: NaiveDate,
        to: NaiveDate,
        responses: &[Response],
        q: &Questionnaire,
        days: &[DayAggregate],
    ) -> SurveyReport {
        // A response knows its visit's month only: a month counts when it starts in range
        // (periods are whole months; the display's window is too).
        let first = super::response::month_of(from);
        let in_range = |r: &&Response| r.month >= first && r.month <= to;
        let mut served: BTreeMap<String, u64> = BTreeMap::new();
        for d in days.iter().filter(|d| d.day >= from && d.day <= to) {
            for g in &d.groups {
                *served.entry(g.service.clone()).or_default() += u64::from(g.served);
            }
        }
        let visits = served.values().sum();
        // One pass: each response's scores looked up once, added to the office's sums, its
        // service's and its counter's (a year is tens of thousands of responses).
        let k = q.elements.len();
        let mut overall = Acc::new(k);
        let mut by_service: BTreeMap<&str, Acc> = BTreeMap::new();
        let mut by_counter: BTreeMap<Option<u32>, (Acc, BTreeSet<&str>)> = BTreeMap::new();
        let mut scores: Vec<Option<u8>> = vec![None; k];
        for r in responses.iter().filter(in_range) {
            for (s, e) in scores.iter_mut().zip(&q.elements) {
                *s = r.scores.get(&e.id).copied();
            }
            overall.add(&scores);
            by_service
                .entry(r.service.as_str())
                .or_insert_with(|| Acc::new(k))
                .add(&scores);
            let (acc, services) = by_counter
                .entry(r.counter)
                .or_insert_with(|| (Acc::new(k), BTreeSet::new()));
            acc.add(&scores);
            services.insert(r.service.as_str());
        }
        let overall = Summary::build(overall, q);

        let mut service_ids: BTreeSet<&str> = served
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(s, _)| s.as_str())
            .collect();
        service_ids.extend(by_service.keys().copied());
        let services = service_ids
            .into_iter()
            .map(|s| ServiceRow {
                service: s.to_string(),
                visits: served.get(s).copied().unwrap_or(0),
                summary: Summary::build(
                    by_service.get(s).cloned().unwrap_or_else(|| Acc::new(k)),
                    q,
                ),
            })
            .collect();

        let counters = by_counter
            .into_iter()
            .map(|(c, (acc, services))| CounterRow {
                counter: c,
                services: services.into_iter().map(str::to_string).collect(),
                summary: Summary::build(acc, q),
            })
            .collect();

        let profile = q
            .profile
            .iter()
            .map(|p| {
                let mut options: Vec<(String, u64)> =
                    p.options.iter().map(|o| (o.clone(), 0)).collect();
                let mut unanswered = 0;
                for r in responses.iter().filter(in_range) {
                    match r.profile.get(&p.id) {
                        Some(chosen) => match options.iter_mut().find(|(o, _)| o == chosen) {
                            Some((_, n)) => *n += 1,
                            // An option since removed from the questionnaire: still counted.
                            None => options.push((chosen.clone(), 1)),
                        },
                        None => unanswered += 1,
                    }
                }
                ProfileCount {
                    id: p.id.clone(),
                    question: p.question.clone(),
                    options,
                    unanswered,
                }
            })
            .collect();

        let mut suggestions: Vec<Suggestion> = responses
            .iter()
            .filter(in_range)
            .filter(|r| !r.suggestion.trim().is_empty())
            .map(|r| Suggestion {
                month: r.month,
                service: r.service.clone(),
                text: r.suggestion.trim().to_string(),
            })
            .collect();
        // Newest month first; within a month the store's order is random (its keys are), so
        // a fixed order by service and text keeps the page and the files alike.
        suggestions.sort_by(|a, b| {
            b.month
                .cmp(&a.month)
                .then_with(|| a.service.cmp(&b.service))
                .then_with(|| a.text.cmp(&b.text))
        });

        SurveyReport {
            from,
            to,
            weighting: q.weighting,
            bands: q.bands.clone(),
            overall,
            visits,
            sample: index::krejcie_morgan(visits),
            services,
            counters,
            profile,
            suggestions,
            min_group: MIN_GROUP,
        }
    }

    /// Shows a service's or counter's index and grade only over at least `n` respondents.
    pub fn hide_groups_below(mut self, n: u64) -> SurveyReport {
        self.min_group = n.max(1);
        self
    }

    /// Whether a service's or counter's figures are shown: enough respondents.
    fn shown(&self, s: &Summary) -> bool {
        s.respondents >= self.min_group
    }

    /// Whether some service or counter with respondents has its figures hidden.
    pub fn groups_hidden(&self) -> bool {
        self.services_hidden() || self.counters.iter().any(|r| self.few(&r.summary))
    }

    /// Whether some service with respondents has its figures hidden.
    pub fn services_hidden(&self) -> bool {
        self.services.iter().any(|r| self.few(&r.summary))
    }

    fn few(&self, s: &Summary) -> bool {
        s.respondents > 0 && !self.shown(s)
    }

    /// Why some rows show "—", for under the tables.
    pub fn groups_hidden_note(&self) -> String {
        format!(
            "IKM dan mutu per layanan dan per loket ditampilkan bila respondennya paling sedikit \
             {}; di bawah itu \"—\": terlalu sedikit untuk dibandingkan, dan dapat menunjuk \
             orang yang menjawab.",
            self.min_group
        )
    }

    /// A group's index cell: "—" below the small-cell rule.
    fn group_ikm(&self, s: &Summary) -> Cell {
        if self.shown(s) {
            Self::ikm_cell(s.ikm.as_ref())
        } else {
            Cell::Fixed(None, 2)
        }
    }

    fn group_grade(&self, s: &Summary) -> Cell {
        Cell::Text(if self.shown(s) {
            self.grade_of(s.ikm.as_ref())
        } else {
            "—".to_string()
        })
    }

    /// The band of an index, if any.
    pub fn band(&self, ikm: Option<&Ikm>) -> Option<&Band> {
        ikm.and_then(|i| self.bands.get(i.band))
    }

    /// `82,45 — B (Baik)`, or a dash without responses.
    pub fn headline(&self, ikm: Option<&Ikm>) -> String {
        match (ikm, self.band(ikm)) {
            (Some(i), Some(b)) => format!("{} — {} ({})", i.display_id(), b.grade, b.label),
            _ => "—".to_string(),
        }
    }

    fn grade_of(&self, ikm: Option<&Ikm>) -> String {
        self.band(ikm)
            .map_or_else(|| "—".to_string(), |b| format!("{} ({})", b.grade, b.label))
    }

    /// The weight as the tables print it: `0,111` (nine elements, the regulation's cut),
    /// `1/9` (exact); a questionnaire of one element weighs `1,000` or `1`.
    pub fn weight_text(&self) -> String {
        let k = self.overall.elements.len().max(1);
        match self.weighting {
            Weighting::Regulation => {
                let w = 1000 / k;
                format!("{},{:03}", w / 1000, w % 1000)
            }
            Weighting::Exact if k == 1 => "1".to_string(),
            Weighting::Exact => format!("1/{k}"),
        }
    }

    /// The per-element table: in the questionnaire's order (as the published form numbers
    /// the elements), or weakest first (the page, where what to improve comes first).
    pub fn elements_table(&self, weakest_first: bool) -> Table {
        let mut order: Vec<(usize, &ElementScore)> =
            self.overall.elements.iter().enumerate().collect();
        if weakest_first {
            let weak = self.overall.weakest_first();
            order.sort_by_key(|(_, e)| weak.iter().position(|w| std::ptr::eq(*w, *e)));
        }
        let rows = order
            .into_iter()
            .map(|(i, e)| {
                vec![
                    Cell::Text(format!("U{}", i + 1)),
                    Cell::Text(e.name.clone()),
                    Cell::Count(e.tally.responses),
                    Cell::Count(e.tally.total),
                    Cell::Fixed(e.nrr, 3),
                    Cell::Fixed(e.weighted, 3),
                    Cell::Fixed(e.converted.map(|c| f64::from(c) / 100.0), 2),
                    Cell::Text(
                        e.band
                            .and_then(|b| self.bands.get(b))
                            .map_or_else(|| "—".to_string(), |b| b.grade.clone()),
                    ),
                ]
            })
            .collect();
        Table {
            title: if weakest_first {
                "Nilai per unsur (terendah di atas)".into()
            } else {
                "Nilai per unsur".into()
            },
            columns: vec![
                Column::new("No", Kind::Text),
                Column::new("Unsur pelayanan", Kind::Text),
                Column::new("Responden", Kind::Count),
                Column::new("Jumlah nilai", Kind::Count),
                Column::new("NRR", Kind::Fixed(3)),
                Column::new("NRR tertimbang", Kind::Fixed(3)),
                Column::new("Nilai konversi", Kind::Fixed(2)),
                Column::new("Mutu", Kind::Text),
            ],
            rows,
        }
    }

    fn ikm_cell(ikm: Option<&Ikm>) -> Cell {
        Cell::Fixed(ikm.map(|i| f64::from(i.hundredths) / 100.0), 2)
    }

    pub fn services_table(&self, names: &Names) -> Table {
        let rows = self
            .services
            .iter()
            .map(|s| {
                vec![
                    Cell::Text((names.service)(&s.service)),
                    Cell::Count(s.visits),
                    Cell::Count(s.summary.respondents),
                    Cell::Count(index::krejcie_morgan(s.visits)),
                    self.group_ikm(&s.summary),
                    self.group_grade(&s.summary),
                ]
            })
            .collect();
        Table {
            title: "Per layanan".into(),
            columns: vec![
                Column::new("Layanan", Kind::Text),
                Column::new("Dilayani", Kind::Count),
                Column::new("Responden", Kind::Count),
                Column::new("Sampel minimal", Kind::Count),
                Column::new("IKM", Kind::Fixed(2)),
                Column::new("Mutu", Kind::Text),
            ],
            rows,
        }
    }

    pub fn counters_table(&self, names: &Names) -> Table {
        let rows = self
            .counters
            .iter()
            .map(|c| {
                let services: Vec<String> = c.services.iter().map(|s| (names.service)(s)).collect();
                vec![
                    Cell::Text(
                        c.counter
                            .map_or_else(|| "(tanpa loket)".to_string(), |id| (names.counter)(id)),
                    ),
                    Cell::Text(services.join(", ")),
                    Cell::Count(c.summary.respondents),
                    self.group_ikm(&c.summary),
                    self.group_grade(&c.summary),
                ]
            })
            .collect();
        Table {
            title: "Per loket".into(),
            columns: vec![
                Column::new("Loket", Kind::Text),
                Column::new("Layanan yang dilayani", Kind::Text),
                Column::new("Responden", Kind::Count),
                Column::new("IKM", Kind::Fixed(2)),
                Column::new("Mutu", Kind::Text),
            ],
            rows,
        }
    }

    pub fn profile_table(&self) -> Table {
        let rows = self
            .profile
            .iter()
            .flat_map(|p| {
                p.options
                    .iter()
                    .map(|(o, n)| (o.clone(), *n))
                    .chain(std::iter::once(("Tidak diisi".to_string(), p.unanswered)))
                    .map(|(o, n)| {
                        vec![
                            Cell::Text(p.question.clone()),
                            Cell::Text(o),
                            Cell::Count(n),
                            Cell::Percent(
                                (self.overall.respondents > 0)
                                    .then(|| n as f64 * 100.0 / self.overall.respondents as f64),
                            ),
                        ]
                    })
            })
            .collect();
        Table {
            title: "Profil responden".into(),
            columns: vec![
                Column::new("Data", Kind::Text),
                Column::new("Pilihan", Kind::Text),
                Column::new("Responden", Kind::Count),
                Column::new("Bagian", Kind::Percent),
            ],
            rows,
        }
    }

    pub fn suggestions_table(&self, names: &Names) -> Table {
        Table {
            title: "Saran".into(),
            columns: vec![
                Column::new("Bulan", Kind::Text),
                Column::new("Layanan", Kind::Text),
                Column::new("Saran", Kind::Text),
            ],
            rows: self
                .suggestions
                .iter()
                .map(|s| {
                    vec![
                        Cell::Text(month_label(s.month)),
                        Cell::Text((names.service)(&s.service)),
                        Cell::Text(s.text.clone()),
                    ]
                })
                .collect(),
        }
    }

    /// The summary as a two-column table: the first sheet of the workbook.
    pub fn summary_table(&self, period: &str) -> Table {
        let ikm = self.overall.ikm.as_ref();
        let text = |k: &str, v: String| vec![Cell::Text(k.into()), Cell::Text(v)];
        Table {
            title: "Ringkasan".into(),
            columns: vec![
                Column::new("Keterangan", Kind::Text),
                Column::new("Nilai", Kind::Text),
            ],
            rows: vec![
                text("Periode", period.to_string()),
                text("Dari", self.from.to_string()),
                text("Sampai", self.to.to_string()),
                text("IKM", ikm.map_or_else(|| "—".into(), |i| i.display_id())),
                text("Mutu pelayanan", self.grade_of(ikm)),
                text("Responden", self.overall.respondents.to_string()),
                text("Kunjungan dilayani", self.visits.to_string()),
                text("Sampel minimal (Krejcie-Morgan)", self.sample.to_string()),
                text("Bobot per unsur", self.weight_text()),
                text(
                    "IKM per layanan dan per loket",
                    format!("bila responden paling sedikit {}", self.min_group),
                ),
            ],
        }
    }

    /// Every table of the page, in its order: the CSV and the workbook.
    pub fn tables(&self, period: &str, names: &Names) -> Vec<Table> {
        vec![
            self.summary_table(period),
            self.elements_table(false),
            self.services_table(names),
            self.counters_table(names),
            self.profile_table(),
            self.suggestions_table(names),
        ]
    }
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
