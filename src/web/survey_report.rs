//! The survey report (`/console/survei`): the office's index (IKM) for a month, quarter,
//! semester or year, its elements weakest first, per service and per counter, the
//! respondents' profile and their suggestions; as a page, a CSV file, an XLSX workbook from
//! the same tables, and the published report as a PDF.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::auth::Staff;
use super::page::{Shell, render, staff_error};
use super::reports::{Format, ShownTable, download, parse_format, shown};
use crate::survey::report::{Names, Period, SurveyReport};

pub const PAGE: &str = "/console/survei";

#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    #[serde(default)]
    periode: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

pub struct Choice {
    pub key: String,
    pub label: String,
    pub selected: bool,
}

/// One profile question as a small table of its own.
pub struct ShownProfile {
    pub question: String,
    /// Option, respondents, share.
    pub rows: Vec<(String, u64, String)>,
}

pub struct ShownSuggestion {
    /// `November 2026`: a response keeps its visit's month, not the day.
    pub month: String,
    pub service: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "console/survei.html")]
struct SurveyPage {
    shell: Shell,
    key: String,
    label: String,
    from: String,
    to: String,
    groups: Vec<(&'static str, Vec<Choice>)>,
    /// `82,45`, or "—".
    ikm: String,
    grade: String,
    grade_label: String,
    /// `a`..`d` for the colour; "" without an index.
    grade_class: String,
    respondents: u64,
    visits: u64,
    sample: u64,
    weight: String,
    chart: String,
    tables: Vec<ShownTable>,
    profile: Vec<ShownProfile>,
    suggestions: Vec<ShownSuggestion>,
    /// Why some services' or counters' figures read "—"; empty when none do.
    groups_note: String,
}

/// The services' and counters' names from the configuration (an id no longer configured
/// shows as itself).
fn names_of(app: &AppState) -> (impl Fn(&str) -> String + '_, impl Fn(u32) -> String + '_) {
    let config = &app.config;
    (
        move |code: &str| {
            config
                .service(code)
                .map_or_else(|| code.to_string(), |s| s.name.clone())
        },
        move |id: u32| {
            config
                .counter(id)
                .map_or_else(|| format!("Loket {id}"), |c| c.name.clone())
        },
    )
}

pub async fn page(
    State(app): State<AppState>,
    staff: Staff,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let now = app.clock.now();
    let tz = app.config.office.time_zone;
    let today = crate::clock::local_date(now, tz);
    let pdf = q.format.as_deref().map(str::trim) == Some("pdf");
    let format = if pdf {
        Ok(Format::Page)
    } else {
        parse_format(q.format.as_deref())
            .map_err(|_| "Format tidak dikenal: pilih csv, xlsx atau pdf.".to_string())
    };
    let period = match q
        .periode
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => Period::parse(s),
        None => Ok(Period::quarter_of(today)),
    };
    let (format, period) = match format.and_then(|f| period.map(|p| (f, p))) {
        Ok(p) => p,
        Err(message) => return staff_error(&app, &staff, StatusCode::BAD_REQUEST, message),
    };
    let (from, to) = period.bounds();
    let read = async {
        let responses = app.store.survey_responses(from, to).await?;
        let days = app.store.day_aggregates(from, to).await?;
        Ok::<_, crate::store::OpError>((responses, days))
    };
    let (responses, days) = match read.await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "survey report not read");
            return staff_error(
                &app,
                &staff,
                StatusCode::SERVICE_UNAVAILABLE,
                "Penyimpanan data sedang tidak tersedia.",
            );
        }
    };
    let questionnaire = app.config.survey.questionnaire.clone();
    let report = SurveyReport::build(from, to, &responses, &questionnaire, &days)
        .hide_groups_below(app.config.survey.min_group_respondents);
    let label = period.label();
    let key = period.key();
    let (service, counter) = names_of(&app);
    let names = Names {
        service: &service,
        counter: &counter,
    };
    if pdf {
        return pdf_response(&app, &staff, &label, &key, report, now, tz).await;
    }
    if format != Format::Page {
        let tables = report.tables(&label, &names);
        return download(&tables, format, &format!("survei-kepuasan-{key}"));
    }
    let ikm = report.overall.ikm.as_ref();
    let band = report.band(ikm);
    let tables = [
        report.elements_table(true),
        report.services_table(&names),
        report.counters_table(&names),
    ]
    .iter()
    .map(shown)
    .collect();
    let all = report.overall.respondents;
    let profile = report
        .profile
        .iter()
        .map(|p| ShownProfile {
            question: p.question.clone(),
            rows: p
                .options
                .iter()
                .cloned()
                .chain(std::iter::once(("Tidak diisi".to_string(), p.unanswered)))
                .map(|(o, n)| {
                    let share = crate::report::table::Cell::Percent(
                        (all > 0).then(|| n as f64 * 100.0 / all as f64),
                    );
                    (o, n, share.display())
                })
                .collect(),
        })
        .collect();
    let suggestions = report
        .suggestions
        .iter()
        .map(|s| ShownSuggestion {
            month: crate::survey::report::month_label(s.month),
            service: service(&s.service),
            text: s.text.clone(),
        })
        .collect();
    let mut groups: Vec<(&'static str, Vec<Choice>)> = Period::choices(today)
        .into_iter()
        .map(|(name, periods)| {
            let choices = periods
                .into_iter()
                .map(|p| Choice {
                    key: p.key(),
                    label: p.label(),
                    selected: p == period,
                })
                .collect();
            (name, choices)
        })
        .collect();
    // A period typed into the address, outside the list, is still shown as the one chosen.
    if !groups.iter().any(|(_, cs)| cs.iter().any(|c| c.selected)) {
        groups.insert(
            0,
            (
                "Dipilih",
                vec![Choice {
                    key: key.clone(),
                    label: label.clone(),
                    selected: true,
                }],
            ),
        );
    }
    render(
        StatusCode::OK,
        &SurveyPage {
            shell: Shell::staff(&app, &staff, "Survei kepuasan masyarakat", PAGE),
            key: key.clone(),
            label,
            from: crate::letter::tanggal(from),
            to: crate::letter::tanggal(to),
            groups,
            ikm: ikm.map_or_else(|| "—".to_string(), |i| i.display_id()),
            grade: band.map_or_else(String::new, |b| b.grade.clone()),
            grade_label: band.map_or_else(String::new, |b| b.label.clone()),
            grade_class: ikm.map_or_else(String::new, |i| {
                ["a", "b", "c", "d"][i.band.min(3)].to_string()
            }),
            respondents: report.overall.respondents,
            visits: report.visits,
            sample: report.sample,
            weight: report.weight_text(),
            chart: crate::survey::chart::elements(&report),
            tables,
            profile,
            suggestions,
            groups_note: if report.groups_hidden() {
                report.groups_hidden_note()
            } else {
                String::new()
            },
        },
    )
}

async fn pdf_response(
    app: &AppState,
    staff: &Staff,
    label: &str,
    key: &str,
    report: SurveyReport,
    now: chrono::DateTime<chrono::Utc>,
    tz: chrono_tz::Tz,
) -> Response {
    let letter = app.config.letter.clone();
    let config = app.config.clone();
    let label = label.to_string();
    // Pages of tables: laid out off the async workers.
    let rendered = tokio::task::spawn_blocking(move || {
        let service = |code: &str| {
            config
                .service(code)
                .map_or_else(|| code.to_string(), |s| s.name.clone())
        };
        let counter = |id: u32| {
            config
                .counter(id)
                .map_or_else(|| format!("Loket {id}"), |c| c.name.clone())
        };
        let names = Names {
            service: &service,
            counter: &counter,
        };
        let doc = crate::survey::paper::compose(&letter, &label, &report, &names, now, tz);
        crate::pdf::render(&doc).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|r| r);
    match rendered {
        Ok(bytes) => (
            [
                (CONTENT_TYPE, "application/pdf".to_string()),
                (
                    CONTENT_DISPOSITION,
                    format!("attachment; filename=\"laporan-survei-kepuasan-{key}.pdf\""),
                ),
                (CACHE_CONTROL, "no-store".to_string()),
                (
                    axum::http::header::X_CONTENT_TYPE_OPTIONS,
                    "nosniff".to_string(),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "survey report PDF not made");
            staff_error(
                app,
                staff,
                StatusCode::INTERNAL_SERVER_ERROR,
                "Berkas laporan gagal dibuat.",
            )
        }
    }
}
