//! PNG decoding, and comparison for images our own code renders (the framebuffer board): a
//! region compared with a tolerance. Browser screenshots differ between Chromium builds and are
//! checked by `layout` instead.

use std::path::{Path, PathBuf};

pub struct Image {
    pub width: u32,
    pub height: u32,
    /// RGBA.
    pub pixels: Vec<u8>,
}

pub fn decode(png_bytes: &[u8]) -> Image {
    let mut dec = png::Decoder::new(std::io::Cursor::new(png_bytes));
    dec.set_transformations(png::Transformations::EXPAND);
    let mut reader = dec.read_info().expect("png");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("frame");
    let buf = &buf[..info.buffer_size()];
    let pixels = match info.color_type {
        png::ColorType::Rgba => buf.to_vec(),
        png::ColorType::Rgb => buf
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        png::ColorType::Grayscale => buf.iter().flat_map(|g| [*g, *g, *g, 255]).collect(),
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    Image {
        width: info.width,
        height: info.height,
        pixels,
    }
}

pub fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

/// Compares `actual` (PNG bytes) with the reference PNG `name` over the rows above
/// `compare_rows`: fewer than `max_share` of the pixels may differ by more than 48 in any
/// channel. `LOKET_UPDATE_GOLDEN=1` writes the reference instead.
pub fn assert_matches(name: &str, actual: &[u8], compare_rows: u32, max_share: f64) {
    let path = golden(name);
    if std::env::var_os("LOKET_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).expect("write reference");
    }
    let want =
        decode(&std::fs::read(&path).unwrap_or_else(|e| {
            panic!("{}: {e} (LOKET_UPDATE_GOLDEN=1 writes it)", path.display())
        }));
    let got = decode(actual);
    assert_eq!(
        (got.width, got.height),
        (want.width, want.height),
        "{name}: size"
    );
    let rows = compare_rows.min(got.height) as usize;
    let w = got.width as usize;
    let mut differing = 0usize;
    for i in 0..rows * w {
        let (a, b) = (
            &got.pixels[i * 4..i * 4 + 3],
            &want.pixels[i * 4..i * 4 + 3],
        );
        if a.iter().zip(b).any(|(x, y)| x.abs_diff(*y) > 48) {
            differing += 1;
        }
    }
    let share = differing as f64 / (rows * w) as f64;
    if share > max_share {
        let out = std::env::temp_dir().join(format!("actual-{name}"));
        let _ = std::fs::write(&out, actual);
        panic!(
            "{name}: {:.2}% of pixels differ (at most {:.2}%); actual saved to {}",
            share * 100.0,
            max_share * 100.0,
            out.display()
        );
    }
}
