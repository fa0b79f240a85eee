//! The "today" page's chart: one bar per office, stacked by the state its tickets are in
//! (served, being served, waiting, no-show), drawn as the office reports' charts are
//! (plotters' SVG, the same palette and font; every label escaped by the backend).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::today::Line;
use crate::report::charts::PALETTE;

const FONT: &str = "sans-serif";
const WIDTH: u32 = 1240;

type Drawn = Result<(), Box<dyn std::error::Error>>;

/// The chart as an SVG document; empty (logged) when it cannot be drawn.
pub fn offices_today(lines: &[Line]) -> String {
    let mut svg = String::new();
    if let Err(e) = draw(lines, &mut svg) {
        tracing::error!(error = %e, "today chart not drawn");
        return String::new();
    }
    svg
}

fn draw(lines: &[Line], out: &mut String) -> Drawn {
    let n = lines.len().max(1);
    let stacks: Vec<[i64; 4]> = lines
        .iter()
        .map(|l| [l.day.served, l.day.at_counter, l.day.waiting, l.day.no_show])
        .collect();
    let top = stacks
        .iter()
        .map(|s| s.iter().sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let root = SVGBackend::with_string(out, (WIDTH, 320)).into_drawing_area();
    root.fill(&WHITE)?;
    // A plain x axis, office i over [i, i + 1): the names are drawn under the bars below
    // (a segmented axis of one office has no width to draw on). At least three slots, the
    // bars in the middle: one office's bar is not the width of the page.
    let slots = n.max(3);
    let offset = (slots - n) as f64 / 2.0;
    let mut chart = ChartBuilder::on(&root)
        .caption("Tiket hari ini per kantor, menurut keadaan", (FONT, 20))
        .margin(8)
        .x_label_area_size(34)
        .y_label_area_size(48)
        // Headroom above the tallest bar keeps the legend clear of the bars.
        .build_cartesian_2d(0f64..slots as f64, 0i64..top + top / 2 + 1)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .x_labels(0)
        .y_labels(6)
        .label_style((FONT, 14))
        .draw()?;
    let parts = [
        ("Selesai", PALETTE[2]),
        ("Sedang dilayani", PALETTE[0]),
        ("Menunggu", PALETTE[1]),
        ("Tidak hadir", PALETTE[3]),
    ];
    for (p, (label, color)) in parts.into_iter().enumerate() {
        let bars = stacks.iter().enumerate().map(|(i, s)| {
            let below: i64 = s.iter().take(p).sum();
            // Wide gaps: three offices must not look like one wall.
            let x = offset + i as f64;
            Rectangle::new(
                [(x + 0.15, below), (x + 0.85, below + s[p])],
                color.filled(),
            )
        });
        chart
            .draw_series(bars)?
            .label(label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 12, y + 6)], color.filled()));
    }
    let name_style = TextStyle::from((FONT, 14).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
    // A name longer than its slot is cut with an ellipsis (about 8 px a character at 14 px):
    // with many offices the names would run into each other.
    let room = ((WIDTH as usize - 64) / slots / 8).max(4);
    for (i, l) in lines.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(offset + i as f64 + 0.5, 0));
        root.draw(&Text::new(
            fit(&l.day.name, room),
            (x, y + 8),
            name_style.clone(),
        ))?;
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

fn fit(name: &str, room: usize) -> String {
    if name.chars().count() <= room {
        return name.to_string();
    }
    let cut: String = name.chars().take(room - 1).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::super::today::{Line, Link, OfficeDay};

    fn line(code: &str, served: i64) -> Line {
        Line {
            day: OfficeDay {
                code: code.to_string(),
                name: code.to_string(),
                issued: served,
                served,
                ..OfficeDay::default()
            },
            link: Link::Sending,
            last: String::new(),
            ago: String::new(),
        }
    }

    #[test]
    fn long_names_are_cut_to_their_slot() {
        assert_eq!(super::fit("3271-MPP", 10), "3271-MPP");
        assert_eq!(
            super::fit("Dinas Kependudukan dan Pencatatan Sipil", 12),
            "Dinas Kepen…"
        );
    }

    #[test]
    fn no_office_one_office_or_many_draw() {
        for n in [0, 1, 3] {
            let lines: Vec<Line> = (0..n).map(|i| line(&format!("K-{i}<&>"), i + 2)).collect();
            let svg = super::offices_today(&lines);
            assert!(svg.starts_with("<svg"), "{n}: {svg}");
            // Names are escaped by the backend: the SVG goes into the page as it is.
            assert!(!svg.contains("<&>"), "{n}");
            // Each office's served part is drawn (green), however few offices, beside the
            // legend's.
            let green = svg.to_uppercase().matches("2CA02C").count();
            assert_eq!(green, n as usize + 1, "{n}");
        }
    }
}
