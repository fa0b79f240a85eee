//! "IKM": the survey index per office over a range of months (`?dari=2026-01&sampai=…`,
//! the year so far by default): respondents, the IKM with its grade band, each element's
//! NRR, and the IKM month by month, by the offices' own survey code (`city::view::ikm`),
//! with the chart. Below the privacy floor (`[survey] min_group_respondents` of the view's
//! configuration, the offices' default 5) a figure is "—" with the reason: too few answers
//! to compare, and few enough to point at who gave them.

use askama::Template;
use axum::extract::Query;
use axum::extract::State as Axum;
use axum::extract::rejection::QueryRejection;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;

use super::State;
use super::page::{Shell, Visitor, db_error, refusal, render};
use super::range::{self, MonthsQuery};
use crate::city::view::{charts, ikm};
use crate::report::table::Cell;
use crate::survey::report::Summary;

pub const HREF: &str = "/ikm";

/// An element's heading: `U1`, its name in the legend.
pub struct Element {
    pub short: String,
    pub name: String,
}

/// A figure as the page shows it: `87,41` and `B` (`Baik`), or "—" and why.
pub struct Figure {
    pub shown: bool,
    pub ikm: String,
    pub grade: String,
    pub label: String,
    pub band: usize,
    /// Below the floor: `3 responden (< 5)`.
    pub reason: String,
}

pub struct OfficeLine {
    pub code: String,
    pub name: String,
    pub respondents: u64,
    pub figure: Figure,
    /// Each element's NRR, `3,500`, or "—".
    pub nrr: Vec<String>,
    /// One per month of the range, in order.
    pub months: Vec<(u64, Figure)>,
}

#[derive(Template)]
#[template(path = "city/ikm.html")]
struct IkmPage {
    shell: Shell,
    dari: String,
    sampai: String,
    period: String,
    shown: bool,
    elements: Vec<Element>,
    /// `Nov 2026`
    months: Vec<String>,
    offices: Vec<OfficeLine>,
    chart: String,
    min_group: u64,
    bands: String,
}

fn figure(summary: Option<&Summary>, respondents: u64, view: &ikm::IkmView) -> Figure {
    let ikm = summary.and_then(|s| s.ikm.as_ref());
    match ikm {
        Some(i) => {
            let band = view.bands.get(i.band);
            Figure {
                shown: true,
                ikm: i.display_id(),
                grade: band.map_or(String::new(), |b| b.grade.clone()),
                label: band.map_or(String::new(), |b| b.label.clone()),
                band: i.band.min(3),
                reason: String::new(),
            }
        }
        None => Figure {
            shown: false,
            ikm: "—".to_string(),
            grade: String::new(),
            label: String::new(),
            band: 3,
            reason: if respondents == 0 {
                "belum ada responden".to_string()
            } else if respondents < view.min_group {
                format!("{respondents} responden, kurang dari {}", view.min_group)
            } else {
                // Enough respondents, but an element nobody answered: no index, as in the
                // office's report.
                "ada unsur tanpa jawaban".to_string()
            },
        },
    }
}

fn month_list(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut m = from;
    while m <= to {
        out.push(m);
        match m.checked_add_months(chrono::Months::new(1)) {
            Some(next) => m = next,
            None => break,
        }
    }
    out
}

pub async fn page(
    Axum(app): Axum<State>,
    v: Visitor,
    q: Result<Query<MonthsQuery>, QueryRejection>,
) -> Response {
    if let Some(refused) = refusal(&app, &v, HREF) {
        return refused;
    }
    let tz = app.config.time_zone;
    let today = app.clock.now().with_timezone(&tz).date_naive();
    let (from, to, refused) = range::months(q, today);
    let q = app.config.questionnaire.clone();
    let mut page = IkmPage {
        shell: Shell::visitor(&app, &v, "IKM", "Satisfaction index", HREF),
        dari: from.format("%Y-%m").to_string(),
        sampai: to.format("%Y-%m").to_string(),
        period: String::new(),
        shown: false,
        elements: q
            .elements
            .iter()
            .enumerate()
            .map(|(i, e)| Element {
                short: format!("U{}", i + 1),
                name: e.name.clone(),
            })
            .collect(),
        months: Vec::new(),
        offices: Vec::new(),
        chart: String::new(),
        min_group: app.config.min_group_respondents,
        bands: q
            .bands
            .iter()
            .map(|b| {
                format!(
                    "{} {} (≥ {},{:02})",
                    b.grade,
                    b.label,
                    b.min / 100,
                    b.min % 100
                )
            })
            .collect::<Vec<_>>()
            .join(" · "),
    };
    if let Some(r) = refused {
        page.shell.error = Some(format!("{} / {}", r.id, r.en));
        return render(StatusCode::BAD_REQUEST, &page);
    }
    let offices = v.viewer.offices.clone();
    let min_group = app.config.min_group_respondents;
    let questionnaire = q.clone();
    let view = match app
        .db
        .run(move |c| {
            Box::pin(async move {
                ikm::ikm(&*c, &questionnaire, from, to, min_group, offices.as_deref()).await
            })
        })
        .await
    {
        Ok(view) => view,
        Err(e) => return db_error(&app, &e),
    };
    let months = month_list(view.from, to);
    page.offices = view
        .offices
        .iter()
        .map(|o| OfficeLine {
            code: o.office.code.clone(),
            name: o.office.name.clone(),
            respondents: o.respondents,
            figure: figure(o.summary.as_ref(), o.respondents, &view),
            nrr: (0..q.elements.len())
                .map(|i| {
                    let nrr = o
                        .summary
                        .as_ref()
                        .and_then(|s| s.elements.get(i))
                        .and_then(|e| e.nrr);
                    Cell::Fixed(nrr, 3).display()
                })
                .collect(),
            months: months
                .iter()
                .map(|m| {
                    let found = o.months.iter().find(|x| x.month == *m);
                    let n = found.map_or(0, |x| x.respondents);
                    (n, figure(found.and_then(|x| x.summary.as_ref()), n, &view))
                })
                .collect(),
        })
        .collect();
    page.months = months
        .iter()
        .map(|m| {
            let name = crate::clock::MONTHS_ID[chrono::Datelike::month0(m) as usize];
            format!(
                "{} {}",
                name.chars().take(3).collect::<String>(),
                chrono::Datelike::year(m)
            )
        })
        .collect();
    page.period = if view.from.format("%Y-%m").to_string() == page.sampai {
        range::long_month(view.from)
    } else {
        format!(
            "{} – {}",
            range::long_month(view.from),
            range::long_month(to)
        )
    };
    page.chart = charts::ikm_by_office(&view);
    page.shown = true;
    render(StatusCode::OK, &page)
}
