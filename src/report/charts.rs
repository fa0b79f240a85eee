//! The queue report's charts, drawn on the server as SVG with plotters: tickets per day
//! (bars stacked by service), the wait p90 per day (line), arrivals per weekday and hour
//! (heat map). No font is loaded: plotters' SVG backend writes `<text>` and the browser sets
//! it. Every label goes through the backend, which escapes `<`, `>`, `&` and quotes, so the
//! SVG can be put into the page as it is.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::queue::QueueReport;

pub(crate) const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];
const FONT: &str = "sans-serif";
const WIDTH: u32 = 1240;
const WEEKDAYS: [&str; 7] = ["Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"];

type Drawn = Result<(), Box<dyn std::error::Error>>;

/// The three charts as SVG documents; a chart that fails to draw is left out (logged).
pub struct Charts {
    pub tickets: String,
    pub wait_p90: String,
    pub arrivals: String,
}

pub fn draw(report: &QueueReport) -> Charts {
    let run = |what: &str, f: &dyn Fn(&mut String) -> Drawn| {
        let mut svg = String::new();
        match f(&mut svg) {
            Ok(()) => svg,
            Err(e) => {
                tracing::error!(chart = what, error = %e, "chart not drawn");
                String::new()
            }
        }
    };
    Charts {
        tickets: run("tickets", &|s| tickets(report, s)),
        wait_p90: run("wait_p90", &|s| wait_p90(report, s)),
        arrivals: run("arrivals", &|s| arrivals(report, s)),
    }
}

/// The label under day `i`: every day up to a month, else every k-th so labels do not touch.
fn day_label(report: &QueueReport, v: &SegmentValue<usize>) -> String {
    let SegmentValue::CenterOf(i) = v else {
        return String::new();
    };
    let n = report.tickets_by_day.len();
    let step = n.div_ceil(31).max(1);
    if i % step != 0 {
        return String::new();
    }
    report
        .tickets_by_day
        .get(*i)
        .map_or(String::new(), |(d, _)| d.format("%d/%m").to_string())
}

fn tickets(report: &QueueReport, out: &mut String) -> Drawn {
    let n = report.tickets_by_day.len().max(1);
    let top = report
        .tickets_by_day
        .iter()
        .map(|(_, v)| v.iter().sum::<u32>())
        .max()
        .unwrap_or(0)
        .max(1);
    let root = SVGBackend::with_string(out, (WIDTH, 300)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption("Tiket per hari, per layanan", (FONT, 20))
        .margin(8)
        .x_label_area_size(30)
        .y_label_area_size(48)
        // Headroom above the tallest bar keeps the legend clear of the bars.
        .build_cartesian_2d((0..n).into_segmented(), 0u32..top + top / 2 + 1)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .x_labels(n + 1)
        .x_label_formatter(&|x| day_label(report, x))
        .y_labels(6)
        .label_style((FONT, 14))
        .draw()?;
    for (s, name) in report.services.iter().enumerate() {
        let color = PALETTE[s % PALETTE.len()];
        let bars = report.tickets_by_day.iter().enumerate().map(|(i, (_, v))| {
            let below: u32 = v.iter().take(s).sum();
            let here = v.get(s).copied().unwrap_or(0);
            let mut bar = Rectangle::new(
                [
                    (SegmentValue::Exact(i), below),
                    (SegmentValue::Exact(i + 1), below + here),
                ],
                color.filled(),
            );
            bar.set_margin(0, 0, 3, 3);
            bar
        });
        chart
            .draw_series(bars)?
            .label(name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 12, y + 6)], color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font((FONT, 14))
        .draw()?;
    root.present()?;
    Ok(())
}

fn wait_p90(report: &QueueReport, out: &mut String) -> Drawn {
    let n = report.wait_p90_by_day.len().max(1);
    let minutes: Vec<(SegmentValue<usize>, f64)> = report
        .wait_p90_by_day
        .iter()
        .enumerate()
        .filter_map(|(i, (_, p))| p.map(|s| (SegmentValue::CenterOf(i), f64::from(s) / 60.0)))
        .collect();
    let top = minutes.iter().map(|(_, m)| *m).fold(1.0, f64::max);
    let root = SVGBackend::with_string(out, (WIDTH, 260)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption("Waktu tunggu p90 per hari (menit)", (FONT, 20))
        .margin(8)
        .x_label_area_size(30)
        .y_label_area_size(48)
        .build_cartesian_2d((0..n).into_segmented(), 0f64..top * 1.15)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .x_labels(n + 1)
        .x_label_formatter(&|x| day_label(report, x))
        .y_labels(6)
        .y_label_formatter(&|y| format!("{y:.0}"))
        .label_style((FONT, 14))
        .draw()?;
    // Days without a call (weekends) break the line rather than bridge it.
    let mut runs: Vec<Vec<(SegmentValue<usize>, f64)>> = Vec::new();
    let mut last: Option<usize> = None;
    for (x, m) in &minutes {
        let SegmentValue::CenterOf(i) = x else {
            continue;
        };
        if last.is_none_or(|l| l + 1 != *i) {
            runs.push(Vec::new());
        }
        if let Some(r) = runs.last_mut() {
            r.push((x.clone(), *m));
        }
        last = Some(*i);
    }
    for run in runs {
        chart.draw_series(LineSeries::new(run, PALETTE[3].stroke_width(2)))?;
    }
    chart.draw_series(
        minutes
            .iter()
            .map(|p| Circle::new(p.clone(), 4, PALETTE[3].filled())),
    )?;
    root.present()?;
    Ok(())
}

fn arrivals(report: &QueueReport, out: &mut String) -> Drawn {
    // Only the hours anyone came in, so the cells stay wide enough to read.
    let used: Vec<usize> = (0..24)
        .filter(|h| report.arrivals.iter().any(|d| d[*h] > 0))
        .collect();
    let (first, last) = match (used.first(), used.last()) {
        (Some(f), Some(l)) => (*f, *l + 1),
        _ => (8, 16),
    };
    let top = report
        .arrivals
        .iter()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let root = SVGBackend::with_string(out, (WIDTH, 280)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption("Kedatangan per hari dan jam (tiket)", (FONT, 20))
        .margin(8)
        .x_label_area_size(30)
        .y_label_area_size(48)
        .build_cartesian_2d(first as f64 - 0.5..last as f64 - 0.5, -0.5f64..6.5f64)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(last - first)
        .x_label_formatter(&|x| format!("{:02}", x.round() as i64))
        .y_labels(7)
        .y_label_formatter(&|y| {
            // Monday at the top.
            let row = 6 - (y.round() as i64).clamp(0, 6);
            WEEKDAYS[row as usize].to_string()
        })
        .label_style((FONT, 14))
        .draw()?;
    let cells = (0..7).flat_map(|wd| {
        (first..last).map(move |h| {
            let n = report.arrivals[wd][h];
            let y = (6 - wd) as f64;
            let shade = f64::from(n) / f64::from(top);
            let color = RGBColor(
                (255.0 - 224.0 * shade) as u8,
                (255.0 - 136.0 * shade) as u8,
                (255.0 - 75.0 * shade) as u8,
            );
            Rectangle::new(
                [(h as f64 - 0.46, y - 0.44), (h as f64 + 0.46, y + 0.44)],
                color.filled(),
            )
        })
    });
    chart.draw_series(cells)?;
    let numbers = (0..7).flat_map(|wd| {
        (first..last).filter_map(move |h| {
            let n = report.arrivals[wd][h];
            (n > 0).then(|| {
                let dark = f64::from(n) / f64::from(top) > 0.6;
                let color = if dark { WHITE } else { BLACK };
                Text::new(
                    n.to_string(),
                    (h as f64, (6 - wd) as f64),
                    (FONT, 14)
                        .into_font()
                        .color(&color)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                )
            })
        })
    });
    chart.draw_series(numbers)?;
    root.present()?;
    Ok(())
}
