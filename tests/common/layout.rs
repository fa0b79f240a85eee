//! What a page shows, compared with a tolerance instead of pixel for pixel: screenshots of two
//! Chromium builds differ (font rasterisation, rounding), what matters does not.
//!
//! A [`Snapshot`] holds, for each element a list of selectors matches, its box
//! (`getBoundingClientRect`), whether it is shown, its text, its computed text colour, its
//! background (its own or the nearest ancestor's) and its font. [`differences`] compares one
//! with a committed reference (JSON in `tests/golden/`): boxes within [`Tolerance::px`], the
//! rest exactly or within [`Tolerance::colour`]. [`paint_problems`] checks the screenshot
//! against the snapshot itself: the exact viewport size, nothing shown outside it, and in each
//! element the background it should have and, for text, ink of its text colour (pixels within
//! [`Tolerance::pixel`]), so a page whose styles are right but which paints something else (an
//! overlay, a blank frame) fails.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::browser::Browser;
use super::images::{self, Image};

#[derive(Clone, Copy, Debug)]
pub struct Tolerance {
    /// How far an edge of a box may move, in CSS pixels.
    pub px: f64,
    /// How far a computed colour may be from the reference's, per channel (0–255).
    pub colour: u8,
    /// How far a screenshot pixel may be from the colour it should show, per channel.
    pub pixel: u8,
}

/// Chromium builds lay text out within a pixel or two of each other; a broken layout moves
/// boxes much further.
/// Computed colours come from the style sheet and do not vary; pixels are blended a little.
pub const TOLERANCE: Tolerance = Tolerance {
    px: 4.0,
    colour: 8,
    pixel: 24,
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// `innerWidth`, `innerHeight`.
    pub viewport: [u32; 2],
    pub elements: Vec<Element>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Element {
    /// The selector, and which of its matches (1-based): `"#calls li @2"`.
    pub key: String,
    pub shown: bool,
    /// x, y, width, height in CSS pixels (= screenshot pixels), to 0.1.
    pub rect: [f64; 4],
    /// `innerText`, white space collapsed.
    pub text: String,
    /// `#rrggbb`, or `#rrggbbaa` when not opaque.
    pub color: String,
    /// The element's background colour, or its nearest ancestor's that has one.
    pub background: String,
    /// Computed weight and size: `"700 96px"`.
    pub font: String,
    /// No element children: its text is its own, drawn in its `color`.
    pub leaf: bool,
    /// No descendant paints a background of its own: its background shows.
    pub plain: bool,
}

const SNAPSHOT_JS: &str = r##"
var selectors = arguments[0];
function hex(c) {
  var m = c.match(/[\d.]+/g);
  if (!m || m.length < 3) return c;
  var h = "#" + m.slice(0, 3).map(function (v) { return ("0" + Math.round(+v).toString(16)).slice(-2); }).join("");
  if (m.length > 3 && +m[3] < 1) h += ("0" + Math.round(+m[3] * 255).toString(16)).slice(-2);
  return h;
}
function painted(e) {
  var m = getComputedStyle(e).backgroundColor.match(/[\d.]+/g);
  return !!m && (m.length < 4 || +m[3] > 0);
}
function background(e) {
  for (var a = e; a; a = a.parentElement) if (painted(a)) return hex(getComputedStyle(a).backgroundColor);
  return "#ffffff";
}
function r1(v) { return Math.round(v * 10) / 10; }
var out = [];
selectors.forEach(function (s) {
  document.querySelectorAll(s).forEach(function (e, i) {
    var r = e.getBoundingClientRect();
    var cs = getComputedStyle(e);
    var plain = Array.prototype.every.call(e.querySelectorAll("*"), function (d) { return !painted(d); });
    out.push({
      key: s + " @" + (i + 1),
      shown: e.checkVisibility({ visibilityProperty: true, opacityProperty: true }),
      rect: [r1(r.left), r1(r.top), r1(r.width), r1(r.height)],
      text: (e.innerText || "").replace(/\s+/g, " ").trim(),
      color: hex(cs.color),
      background: background(e),
      font: cs.fontWeight + " " + cs.fontSize,
      leaf: e.children.length === 0,
      plain: plain
    });
  });
});
return { viewport: [window.innerWidth, window.innerHeight], elements: out };
"##;

async fn dom(b: &Browser, selectors: &[&str]) -> Snapshot {
    let v = b.script_with(SNAPSHOT_JS, json!([selectors])).await;
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("snapshot {v}: {e}"))
}

/// The elements `selectors` match and a screenshot taken between two identical readings, so
/// the picture shows what the snapshot describes.
pub async fn capture(b: &Browser, selectors: &[&str]) -> (Snapshot, Vec<u8>) {
    let mut before = dom(b, selectors).await;
    for _ in 0..50 {
        let png = b.screenshot().await;
        let after = dom(b, selectors).await;
        if after == before {
            return (after, png);
        }
        before = after;
    }
    panic!("the page kept changing");
}

pub fn reference_path(name: &str) -> PathBuf {
    images::golden(&format!("{name}.json"))
}

/// One element per line, so a changed reference reads well in a diff.
pub fn to_json(s: &Snapshot) -> String {
    let lines: Vec<String> = s
        .elements
        .iter()
        .map(|e| format!("    {}", serde_json::to_string(e).expect("json")))
        .collect();
    format!(
        "{{\n  \"viewport\": {},\n  \"elements\": [\n{}\n  ]\n}}\n",
        serde_json::to_string(&s.viewport).expect("json"),
        lines.join(",\n")
    )
}

pub fn read_reference(name: &str) -> Snapshot {
    let path = reference_path(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (LOKET_UPDATE_GOLDEN=1 writes it)", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn rgba(c: &str) -> Option<[u8; 4]> {
    let h = c.strip_prefix('#')?;
    let byte = |i: usize| u8::from_str_radix(h.get(i..i + 2)?, 16).ok();
    match h.len() {
        6 => Some([byte(0)?, byte(2)?, byte(4)?, 255]),
        8 => Some([byte(0)?, byte(2)?, byte(4)?, byte(6)?]),
        _ => None,
    }
}

/// The largest per-channel difference (alpha included); 255 when unreadable.
fn colour_distance(a: &str, b: &str) -> u8 {
    match (rgba(a), rgba(b)) {
        (Some(a), Some(b)) => a
            .iter()
            .zip(b)
            .map(|(x, y)| x.abs_diff(y))
            .max()
            .unwrap_or(0),
        _ => 255,
    }
}

/// How `got` differs from the reference `want`, one line per difference.
pub fn differences(want: &Snapshot, got: &Snapshot, tol: Tolerance) -> Vec<String> {
    let mut out = Vec::new();
    if want.viewport != got.viewport {
        out.push(format!(
            "viewport {:?}, reference {:?}",
            got.viewport, want.viewport
        ));
    }
    for w in &want.elements {
        let Some(g) = got.elements.iter().find(|g| g.key == w.key) else {
            out.push(format!("{}: missing", w.key));
            continue;
        };
        let k = &w.key;
        if g.shown != w.shown {
            out.push(format!("{k}: shown {}, reference {}", g.shown, w.shown));
        }
        let edges = ["x", "y", "width", "height"];
        for (i, edge) in edges.iter().enumerate() {
            if (g.rect[i] - w.rect[i]).abs() > tol.px {
                out.push(format!(
                    "{k}: {edge} {}, reference {} (±{} px)",
                    g.rect[i], w.rect[i], tol.px
                ));
            }
        }
        if g.text != w.text {
            out.push(format!("{k}: text {:?}, reference {:?}", g.text, w.text));
        }
        for (what, gc, wc) in [
            ("colour", &g.color, &w.color),
            ("background", &g.background, &w.background),
        ] {
            if colour_distance(gc, wc) > tol.colour {
                out.push(format!("{k}: {what} {gc}, reference {wc}"));
            }
        }
        if g.font != w.font {
            out.push(format!("{k}: font {}, reference {}", g.font, w.font));
        }
        if (g.leaf, g.plain) != (w.leaf, w.plain) {
            out.push(format!("{k}: children differ from the reference"));
        }
    }
    for g in &got.elements {
        if !want.elements.iter().any(|w| w.key == g.key) {
            out.push(format!("{}: not in the reference", g.key));
        }
    }
    out
}

/// At least this share of a plain element's pixels show its background.
const MIN_BACKGROUND_SHARE: f64 = 0.25;
/// At least this many pixels of a text element show its text colour.
const MIN_INK: usize = 6;

/// How the screenshot disagrees with the snapshot it was taken with.
pub fn paint_problems(s: &Snapshot, img: &Image, tol: Tolerance) -> Vec<String> {
    let [vw, vh] = s.viewport;
    if (img.width, img.height) != (vw, vh) {
        return vec![format!(
            "screenshot {}×{}, viewport {vw}×{vh}",
            img.width, img.height
        )];
    }
    let mut out = Vec::new();
    for e in s.elements.iter().filter(|e| e.shown) {
        let [x, y, w, h] = e.rect;
        if x < -0.5 || y < -0.5 || x + w > vw as f64 + 0.5 || y + h > vh as f64 + 0.5 {
            out.push(format!(
                "{}: {:?} reaches outside the viewport",
                e.key, e.rect
            ));
            continue;
        }
        // Whole pixels inside the box, one in from each edge (edges are anti-aliased).
        let (x0, y0) = (x.ceil() as u32 + 1, y.ceil() as u32 + 1);
        let (x1, y1) = (
            ((x + w).floor() as u32).saturating_sub(1).min(vw),
            ((y + h).floor() as u32).saturating_sub(1).min(vh),
        );
        if x1 <= x0 || y1 <= y0 {
            continue;
        }
        let near = |want: &str| {
            let Some(c) = rgba(want) else { return 0 };
            let mut n = 0usize;
            for py in y0..y1 {
                for px in x0..x1 {
                    let i = ((py * vw + px) * 4) as usize;
                    let p = &img.pixels[i..i + 3];
                    if p.iter().zip(c).all(|(a, b)| a.abs_diff(b) <= tol.pixel) {
                        n += 1;
                    }
                }
            }
            n
        };
        let area = ((x1 - x0) * (y1 - y0)) as f64;
        let opaque = rgba(&e.background).is_some_and(|c| c[3] == 255);
        if e.plain && opaque {
            let share = near(&e.background) as f64 / area;
            if share < MIN_BACKGROUND_SHARE {
                out.push(format!(
                    "{}: {:.0}% of its pixels show its background {} (at least {:.0}%)",
                    e.key,
                    share * 100.0,
                    e.background,
                    MIN_BACKGROUND_SHARE * 100.0
                ));
            }
        }
        let visible_ink = colour_distance(&e.color, &e.background) > tol.pixel;
        if e.leaf && !e.text.is_empty() && visible_ink {
            let ink = near(&e.color);
            if ink < MIN_INK {
                out.push(format!(
                    "{}: {ink} pixels show its text colour {} (at least {MIN_INK})",
                    e.key, e.color
                ));
            }
        }
    }
    out
}

/// Captures the page and checks it against the reference `name` (`tests/golden/NAME.json`)
/// and against its own screenshot. On failure the screenshot and the snapshot are saved in
/// the temporary directory for a person to look at. `LOKET_UPDATE_GOLDEN=1` rewrites the
/// reference (the screenshot must still agree with it).
pub async fn assert_page(b: &Browser, name: &str, selectors: &[&str]) -> Snapshot {
    let (got, png) = capture(b, selectors).await;
    let update = std::env::var_os("LOKET_UPDATE_GOLDEN").is_some();
    if update {
        std::fs::write(reference_path(name), to_json(&got)).expect("write reference");
    }
    let mut problems = differences(&read_reference(name), &got, TOLERANCE);
    problems.extend(paint_problems(&got, &images::decode(&png), TOLERANCE));
    if update || !problems.is_empty() {
        let dir = std::env::temp_dir();
        let (shot, snap) = (
            dir.join(format!("loket-{name}.png")),
            dir.join(format!("loket-{name}.json")),
        );
        let _ = std::fs::write(&shot, &png);
        let _ = std::fs::write(&snap, to_json(&got));
        eprintln!("{name}: screenshot {}", shot.display());
        assert!(
            problems.is_empty(),
            "{name} differs from {}:\n  {}\nscreenshot: {}\nsnapshot: {}",
            reference_path(name).display(),
            problems.join("\n  "),
            shot.display(),
            snap.display()
        );
    }
    got
}
