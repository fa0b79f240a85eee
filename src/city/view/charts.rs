//! The city view's charts, drawn on the server as SVG with plotters like the office's
//! reports (`report::charts`, `survey::chart`): one horizontal bar per office, offices in the
//! answer's order from the top, the figure written at the bar's end. An office without a
//! figure (no tickets, below the survey's privacy floor) keeps its row with "—", so the
//! offices line up with the table beside the chart. Labels go through plotters' SVG backend,
//! which escapes them: the SVG can be put into the page as it is. Each function returns ""
//! when the chart fails to draw (logged).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ikm::IkmView;
use super::overdue::Overdue;
use super::waits::Waits;

const FONT: &str = "sans-serif";
const WIDTH: u32 = 1240;
/// The queue report's first colour, and its red for what is late.
const BLUE: RGBColor = RGBColor(31, 119, 180);
const RED: RGBColor = RGBColor(214, 39, 40);

/// One office's bar.
struct Bar {
    label: String,
    value: Option<f64>,
    text: String,
    color: RGBColor,
}

/// The median wait per office, in minutes (the p90 written beside it).
pub fn median_waits(w: &Waits) -> String {
    let bars = w
        .offices
        .iter()
        .map(|o| Bar {
            label: o.office.name.clone(),
            value: o.total.wait_median.map(|s| f64::from(s) / 60.0),
            text: match (o.total.wait_median, o.total.wait_p90) {
                (Some(m), Some(p)) => format!("{} (p90 {})", minutes(m), minutes(p)),
                _ => "—".to_string(),
            },
            color: BLUE,
        })
        .collect::<Vec<_>>();
    draw(
        "median_waits",
        "Waktu tunggu median per kantor (menit)",
        &bars,
        0.0,
        &[],
    )
}

/// The complaint steps past due per office.
pub fn overdue_counts(o: &Overdue) -> String {
    let bars = o
        .offices
        .iter()
        .map(|x| Bar {
            label: x.office.name.clone(),
            value: Some(x.late.len() as f64),
            text: x.late.len().to_string(),
            color: RED,
        })
        .collect::<Vec<_>>();
    draw(
        "overdue_counts",
        "Langkah pengaduan melewati tenggat, per kantor",
        &bars,
        0.0,
        &[],
    )
}

/// The IKM per office, coloured by grade, with the bands' lower edges across; an office
/// below the privacy floor has no bar.
pub fn ikm_by_office(v: &IkmView) -> String {
    let bars = v
        .offices
        .iter()
        .map(|o| {
            let ikm = o.summary.as_ref().and_then(|s| s.ikm.as_ref());
            Bar {
                label: o.office.name.clone(),
                value: ikm.map(|i| f64::from(i.hundredths) / 100.0),
                text: match (ikm, o.band(&v.bands)) {
                    (Some(i), Some(b)) => format!("{} {}", i.display_id(), b.grade),
                    _ => format!("— ({} responden)", o.respondents),
                },
                color: crate::survey::chart::GRADE[ikm.map_or(3, |i| i.band).min(3)],
            }
        })
        .collect::<Vec<_>>();
    let edges: Vec<(f64, String)> = v
        .bands
        .iter()
        .filter(|b| b.min > 2500)
        .map(|b| {
            (
                f64::from(b.min) / 100.0,
                format!("{} ≥ {},{:02}", b.grade, b.min / 100, b.min % 100),
            )
        })
        .collect();
    draw("ikm_by_office", "IKM per kantor", &bars, 25.0, &edges)
}

/// `12,5`: seconds as minutes with one decimal, the Indonesian way.
fn minutes(seconds: u32) -> String {
    let tenths = (u64::from(seconds) + 3) / 6;
    format!("{},{}", tenths / 10, tenths % 10)
}

fn draw(what: &str, caption: &str, bars: &[Bar], origin: f64, edges: &[(f64, String)]) -> String {
    let mut svg = String::new();
    match bars_svg(caption, bars, origin, edges, &mut svg) {
        Ok(()) => svg,
        Err(e) => {
            tracing::error!(chart = what, error = %e, "chart not drawn");
            String::new()
        }
    }
}

fn bars_svg(
    caption: &str,
    bars: &[Bar],
    origin: f64,
    edges: &[(f64, String)],
    out: &mut String,
) -> Result<(), Box<dyn std::error::Error>> {
    let n = bars.len().max(1);
    let height = 70 + 34 * n as u32 + 40;
    // Room past the longest bar for its figure.
    let top = bars
        .iter()
        .filter_map(|b| b.value)
        .fold(origin + 1.0, f64::max);
    let top = if edges.is_empty() { top * 1.3 } else { 100.0 };
    let root = SVGBackend::with_string(out, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, (FONT, 20))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(330)
        .build_cartesian_2d(origin..top, (0..n).into_segmented())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(WHITE)
        .x_labels(10)
        // Whole numbers only: a count's axis over 0..3 would otherwise read 0, 0, 1, 1 ….
        .x_label_formatter(&|x| {
            if (x - x.round()).abs() < 1e-9 {
                format!("{x:.0}")
            } else {
                String::new()
            }
        })
        .y_labels(n + 1)
        .y_label_formatter(&|y| match y {
            // Segment i is drawn from the bottom: the first office goes at the top.
            SegmentValue::CenterOf(i) => n
                .checked_sub(1 + i)
                .and_then(|row| bars.get(row))
                .map_or(String::new(), |b| b.label.clone()),
            _ => String::new(),
        })
        .label_style((FONT, 15))
        .draw()?;
    for (x, label) in edges {
        chart.draw_series(DashedLineSeries::new(
            [(*x, SegmentValue::Exact(0)), (*x, SegmentValue::Exact(n))],
            6,
            4,
            BLACK.stroke_width(2),
        ))?;
        chart.draw_series(std::iter::once(Text::new(
            label.clone(),
            (*x, SegmentValue::Exact(n)),
            (FONT, 14)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Bottom)),
        )))?;
    }
    chart.draw_series(bars.iter().enumerate().filter_map(|(i, b)| {
        let value = b.value?;
        let y = n - 1 - i;
        let mut bar = Rectangle::new(
            [
                (origin, SegmentValue::Exact(y)),
                (value.max(origin), SegmentValue::Exact(y + 1)),
            ],
            b.color.filled(),
        );
        bar.set_margin(5, 5, 0, 0);
        Some(bar)
    }))?;
    // A white ground under each figure: a band's edge line must not run through "87,41 B".
    // About 9 px a character at 15 px bold.
    for (i, b) in bars.iter().enumerate() {
        let at = b.value.unwrap_or(origin).max(origin) + (top - origin) * 0.006;
        let (x, y) = chart.backend_coord(&(at, SegmentValue::CenterOf(n - 1 - i)));
        let width = 9 * b.text.chars().count() as i32 + 4;
        root.draw(&Rectangle::new(
            [(x - 2, y - 10), (x + width, y + 10)],
            WHITE.filled(),
        ))?;
    }
    chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
        Text::new(
            b.text.clone(),
            (
                b.value.unwrap_or(origin).max(origin) + (top - origin) * 0.006,
                SegmentValue::CenterOf(n - 1 - i),
            ),
            (FONT, 15)
                .into_font()
                .style(FontStyle::Bold)
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        )
    }))?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_read_as_minutes_with_a_decimal_comma() {
        assert_eq!(minutes(0), "0,0");
        assert_eq!(minutes(90), "1,5");
        assert_eq!(minutes(754), "12,6");
    }
}
