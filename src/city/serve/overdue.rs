//! "Pengaduan terlambat": per office the complaints open and the steps past their due time
//! now (`city::view::overdue`), most late first, with the chart of the counts. The records
//! carry register numbers, flows, levels, steps and times, never a name: the page shows
//! what they carry. How late is clock time since the due time (the offices' calendars are
//! their own; the due time itself was worked out on the office's calendar).

use askama::Template;
use axum::extract::State as Axum;
use axum::http::StatusCode;
use axum::response::Response;

use super::State;
use super::page::{Shell, Visitor, db_error, refusal, render};
use crate::city::view::{charts, overdue};

pub const HREF: &str = "/pengaduan-terlambat";

pub struct Step {
    pub number: String,
    pub flow: String,
    pub level: &'static str,
    /// `4. Menyampaikan …`
    pub step: String,
    pub round: u32,
    pub standard: String,
    /// `23/11/2026 11.00` in the city's time zone.
    pub due: String,
    pub late: String,
}

pub struct OfficeBlock {
    pub code: String,
    pub name: String,
    pub open: u64,
    pub unknown: u64,
    pub steps: Vec<Step>,
}

#[derive(Template)]
#[template(path = "city/overdue.html")]
struct OverduePage {
    shell: Shell,
    heading: String,
    offices: Vec<OfficeBlock>,
    total_open: u64,
    total_late: usize,
    chart: String,
}

pub async fn page(Axum(app): Axum<State>, v: Visitor) -> Response {
    if let Some(refused) = refusal(&app, &v, HREF) {
        return refused;
    }
    let now = app.clock.now();
    let tz = app.config.time_zone;
    let offices = v.viewer.offices.clone();
    let o = match app
        .db
        .run(move |c| {
            Box::pin(async move { overdue::overdue(&*c, now, None, offices.as_deref()).await })
        })
        .await
    {
        Ok(o) => o,
        Err(e) => return db_error(&app, &e),
    };
    let chart = charts::overdue_counts(&o);
    let offices: Vec<OfficeBlock> = o
        .offices
        .iter()
        .map(|x| OfficeBlock {
            code: x.office.code.clone(),
            name: x.office.name.clone(),
            open: x.open,
            unknown: x.unknown,
            steps: x
                .late
                .iter()
                .map(|s| Step {
                    number: s.number.clone(),
                    flow: s.flow.replace('_', " "),
                    level: s.level_label(),
                    step: if s.step_name.is_empty() {
                        s.step.to_string()
                    } else {
                        format!("{}. {}", s.step, s.step_name)
                    },
                    round: s.round,
                    standard: if s.standard.is_empty() {
                        "—".to_string()
                    } else {
                        s.standard.clone()
                    },
                    due: s
                        .due_at
                        .with_timezone(&tz)
                        .format("%d/%m/%Y %H.%M")
                        .to_string(),
                    late: s.late_label.clone(),
                })
                .collect(),
        })
        .collect();
    render(
        StatusCode::OK,
        &OverduePage {
            shell: Shell::visitor(
                &app,
                &v,
                "Pengaduan terlambat",
                "Overdue complaint steps",
                HREF,
            ),
            heading: super::today::heading(tz, now),
            total_open: offices.iter().map(|o| o.open).sum(),
            total_late: offices.iter().map(|o| o.steps.len()).sum(),
            offices,
            chart,
        },
    )
}
