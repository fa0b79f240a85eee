//! The ticket number drawn big as a 1-bit raster: rows packed MSB-first, exactly the layout
//! of ESC/POS `GS v 0`, so the bitmap goes to paper as it is.

use embedded_graphics::Pixel;
use embedded_graphics::draw_target::DrawTarget;
use embedded_graphics::geometry::{OriginDimensions, Point, Size};
use embedded_graphics::pixelcolor::BinaryColor;
use u8g2_fonts::FontRenderer;
use u8g2_fonts::fonts::u8g2_font_logisoso58_tr;
use u8g2_fonts::types::{FontColor, HorizontalAlignment, VerticalPosition};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raster {
    pub width: u16,
    pub height: u16,
    /// `width / 8` bytes per row, 1 = black dot.
    pub bits: Vec<u8>,
}

impl Raster {
    pub fn new(width: u16, height: u16) -> Self {
        let width = width.div_ceil(8) * 8;
        Self {
            width,
            height,
            bits: vec![0; usize::from(width / 8) * usize::from(height)],
        }
    }

    pub fn width_bytes(&self) -> u16 {
        self.width / 8
    }

    pub fn get(&self, x: u16, y: u16) -> bool {
        let i = usize::from(y) * usize::from(self.width_bytes()) + usize::from(x / 8);
        self.bits[i] & (0x80 >> (x % 8)) != 0
    }

    fn set(&mut self, x: i32, y: i32) {
        if x < 0 || y < 0 || x >= i32::from(self.width) || y >= i32::from(self.height) {
            return;
        }
        let (x, y) = (x as usize, y as usize);
        let i = y * usize::from(self.width_bytes()) + x / 8;
        self.bits[i] |= 0x80 >> (x % 8);
    }
}

/// Draws every font pixel as a `scale` × `scale` block: u8g2's largest font with letters is
/// 58 px, and a ticket number should read from arm's length.
struct Scaled<'a> {
    target: &'a mut Raster,
    scale: i32,
    origin: Point,
}

impl OriginDimensions for Scaled<'_> {
    fn size(&self) -> Size {
        Size::new(
            u32::from(self.target.width) / self.scale as u32,
            u32::from(self.target.height) / self.scale as u32,
        )
    }
}

impl DrawTarget for Scaled<'_> {
    type Color = BinaryColor;
    type Error = core::convert::Infallible;

    fn draw_iter<I: IntoIterator<Item = Pixel<BinaryColor>>>(
        &mut self,
        pixels: I,
    ) -> Result<(), Self::Error> {
        for Pixel(p, c) in pixels {
            if c == BinaryColor::On {
                let (x0, y0) = (
                    self.origin.x + p.x * self.scale,
                    self.origin.y + p.y * self.scale,
                );
                for dy in 0..self.scale {
                    for dx in 0..self.scale {
                        self.target.set(x0 + dx, y0 + dy);
                    }
                }
            }
        }
        Ok(())
    }
}

/// The number (`A-007`) centred on a strip as wide as the paper, at the largest whole
/// scale (up to 3×) that fits with a margin.
pub fn render_number(label: &str, paper_dots: u16) -> Raster {
    let font = FontRenderer::new::<u8g2_font_logisoso58_tr>();
    let bbox = font
        .get_rendered_dimensions(label, Point::zero(), VerticalPosition::Top)
        .ok()
        .and_then(|d| d.bounding_box);
    let (top_left, dims) = bbox.map_or((Point::zero(), Size::new(1, 1)), |b| (b.top_left, b.size));
    let margin = 16u32;
    let scale = (1..=3u32)
        .rev()
        .find(|s| dims.width * s + margin <= u32::from(paper_dots))
        .unwrap_or(1);
    let height = u16::try_from(dims.height * scale + 2 * margin).unwrap_or(u16::MAX);
    let mut raster = Raster::new(paper_dots, height);
    let (w, h) = (i32::from(raster.width), i32::from(raster.height));
    let scale = scale as i32;
    let mut target = Scaled {
        target: &mut raster,
        scale,
        origin: Point::new(
            (w - dims.width as i32 * scale) / 2 - top_left.x * scale,
            (h - dims.height as i32 * scale) / 2 - top_left.y * scale,
        ),
    };
    // The origin already centres the glyphs' bounding box.
    let _ = font.render_aligned(
        label,
        Point::zero(),
        VerticalPosition::Top,
        HorizontalAlignment::Left,
        FontColor::Transparent(BinaryColor::On),
        &mut target,
    );
    defuse_realtime(&mut raster.bits);
    raster
}

/// Printers act on real-time commands (`DLE EOT`, `DLE ENQ`, `DLE DC4`) wherever they appear
/// in the byte stream, image data included: `DLE DC4 2` can even switch a printer off. Where
/// the image happens to contain such a pair, one more dot is inked beside an inked dot
/// (0x10 → 0x18), invisible on paper.
pub fn defuse_realtime(bits: &mut [u8]) {
    for i in 0..bits.len().saturating_sub(1) {
        if bits[i] == 0x10 && matches!(bits[i + 1], 0x04 | 0x05 | 0x14) {
            bits[i] = 0x18;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_real_time_command_hides_in_image_data() {
        let mut bits = vec![0x00, 0x10, 0x04, 0x10, 0x14, 0x10, 0x05, 0x10, 0x06, 0x10];
        defuse_realtime(&mut bits);
        assert_eq!(
            bits,
            [0x00, 0x18, 0x04, 0x18, 0x14, 0x18, 0x05, 0x10, 0x06, 0x10]
        );
        for label in ["A-001", "B-104", "C-410", "D-999", "AB-1004"] {
            for dots in [384, 576] {
                let r = render_number(label, dots);
                assert!(
                    !r.bits
                        .windows(2)
                        .any(|w| w[0] == 0x10 && matches!(w[1], 0x04 | 0x05 | 0x14)),
                    "{label}"
                );
            }
        }
    }
}
