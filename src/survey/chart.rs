//! The survey report's chart, drawn on the server as SVG with plotters like the queue
//! report's: one horizontal bar per element, weakest at the top, its length the element's
//! converted figure (NRR × 25, the index's scale), coloured by its grade, with the bands'
//! lower edges drawn across. Labels go through plotters' SVG backend, which escapes them.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::report::SurveyReport;

const FONT: &str = "sans-serif";
const WIDTH: u32 = 1240;
/// The grades' colours, best first: green, blue, amber, red (each with dark text readable).
pub(crate) const GRADE: [RGBColor; 4] = [
    RGBColor(46, 125, 50),
    RGBColor(25, 118, 210),
    RGBColor(237, 160, 0),
    RGBColor(198, 40, 40),
];

/// The chart, or "" when it fails to draw (logged) or there is nothing to draw.
pub fn elements(report: &SurveyReport) -> String {
    let mut svg = String::new();
    match draw(report, &mut svg) {
        Ok(()) => svg,
        Err(e) => {
            tracing::error!(chart = "survey_elements", error = %e, "chart not drawn");
            String::new()
        }
    }
}

fn draw(report: &SurveyReport, out: &mut String) -> Result<(), Box<dyn std::error::Error>> {
    let rows = report.overall.weakest_first();
    let n = rows.len().max(1);
    let height = 70 + 34 * n as u32 + 40;
    let root = SVGBackend::with_string(out, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let name = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(i) => rows.get(*i).map_or(String::new(), |e| e.name.clone()),
        _ => String::new(),
    };
    let mut chart = ChartBuilder::on(&root)
        .caption("Nilai per unsur (NRR × 25), terendah di atas", (FONT, 20))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(330)
        .build_cartesian_2d(25f64..100f64, (0..n).into_segmented())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(WHITE)
        .x_labels(16)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_labels(n + 1)
        .y_label_formatter(&|y| {
            // Segment i is drawn from the bottom: the weakest (row 0) goes at the top.
            match y {
                SegmentValue::CenterOf(i) => n
                    .checked_sub(1 + i)
                    .map_or(String::new(), |row| name(&SegmentValue::CenterOf(row))),
                _ => String::new(),
            }
        })
        .label_style((FONT, 15))
        .draw()?;
    // The bands' lower edges, except the lowest (the axis starts there): drawn first, so
    // the bars cover them and the figures on the bars stay readable.
    for b in report.bands.iter().filter(|b| b.min > 2500) {
        let x = f64::from(b.min) / 100.0;
        chart.draw_series(DashedLineSeries::new(
            [(x, SegmentValue::Exact(0)), (x, SegmentValue::Exact(n))],
            6,
            4,
            BLACK.stroke_width(2),
        ))?;
        chart.draw_series(std::iter::once(Text::new(
            format!("{} ≥ {},{:02}", b.grade, b.min / 100, b.min % 100),
            (x, SegmentValue::Exact(n)),
            (FONT, 14)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Bottom)),
        )))?;
    }
    let bars = rows.iter().enumerate().filter_map(|(i, e)| {
        let value = f64::from(e.converted?) / 100.0;
        let color = GRADE[e.band.unwrap_or(3).min(3)];
        let y = n - 1 - i;
        let mut bar = Rectangle::new(
            [
                (25.0, SegmentValue::Exact(y)),
                (value, SegmentValue::Exact(y + 1)),
            ],
            color.filled(),
        );
        bar.set_margin(5, 5, 0, 0);
        Some(bar)
    });
    chart.draw_series(bars)?;
    let values = rows.iter().enumerate().filter_map(|(i, e)| {
        let c = e.converted?;
        let grade = e
            .band
            .and_then(|b| report.bands.get(b))
            .map_or("", |b| b.grade.as_str());
        let text = format!("{},{:02} {grade}", c / 100, c % 100);
        // Inside the bar's end, white on its colour; a short bar has it outside, dark.
        let value = f64::from(c) / 100.0;
        let (x, color, h) = if value > 40.0 {
            (value - 0.6, WHITE, HPos::Right)
        } else {
            (value + 0.6, BLACK, HPos::Left)
        };
        Some(Text::new(
            text,
            (x, SegmentValue::CenterOf(n - 1 - i)),
            (FONT, 15)
                .into_font()
                .style(FontStyle::Bold)
                .color(&color)
                .pos(Pos::new(h, VPos::Center)),
        ))
    });
    chart.draw_series(values)?;
    root.present()?;
    Ok(())
}
