//! Drawing the board: an RGB canvas embedded-graphics draws on, u8g2 fonts, and PNG out.

use embedded_graphics::Pixel;
use embedded_graphics::draw_target::DrawTarget;
use embedded_graphics::geometry::{OriginDimensions, Point, Size};
use embedded_graphics::pixelcolor::{Rgb888, RgbColor};
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{PrimitiveStyle, Rectangle, RoundedRectangle};
use u8g2_fonts::FontRenderer;
use u8g2_fonts::fonts::{
    u8g2_font_helvB18_tf, u8g2_font_helvB24_tf, u8g2_font_helvR14_tf, u8g2_font_helvR18_tf,
    u8g2_font_logisoso58_tr,
};
use u8g2_fonts::types::{FontColor, HorizontalAlignment, VerticalPosition};

use super::Board;

const NAVY: Rgb888 = Rgb888::new(0x06, 0x24, 0x3f);
const BLUE: Rgb888 = Rgb888::new(0x0b, 0x4f, 0x8a);
const CARD: Rgb888 = Rgb888::new(0x0f, 0x3a, 0x63);
const SKY: Rgb888 = Rgb888::new(0x9f, 0xd0, 0xff);
const PALE: Rgb888 = Rgb888::new(0xcf, 0xe6, 0xff);
const YELLOW: Rgb888 = Rgb888::new(0xf2, 0xc1, 0x2e);
const LINE: Rgb888 = Rgb888::new(0x1d, 0x4d, 0x7a);

/// An RGB888 image embedded-graphics draws on.
pub struct Canvas {
    pub width: u32,
    pub height: u32,
    /// RGB, row by row.
    pub rgb: Vec<u8>,
}

impl Canvas {
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            rgb: vec![0; (width * height * 3) as usize],
        }
    }

    pub fn pixel(&self, x: u32, y: u32) -> (u8, u8, u8) {
        let i = ((y * self.width + x) * 3) as usize;
        (self.rgb[i], self.rgb[i + 1], self.rgb[i + 2])
    }
}

impl OriginDimensions for Canvas {
    fn size(&self) -> Size {
        Size::new(self.width, self.height)
    }
}

impl DrawTarget for Canvas {
    type Color = Rgb888;
    type Error = core::convert::Infallible;

    fn draw_iter<I: IntoIterator<Item = Pixel<Rgb888>>>(
        &mut self,
        pixels: I,
    ) -> Result<(), Self::Error> {
        for Pixel(p, c) in pixels {
            if p.x >= 0 && p.y >= 0 && (p.x as u32) < self.width && (p.y as u32) < self.height {
                let i = ((p.y as u32 * self.width + p.x as u32) * 3) as usize;
                self.rgb[i] = c.r();
                self.rgb[i + 1] = c.g();
                self.rgb[i + 2] = c.b();
            }
        }
        Ok(())
    }
}

/// Each font pixel as a `scale` × `scale` block, for numbers readable from across the hall.
struct Scaled<'a> {
    target: &'a mut Canvas,
    scale: i32,
    origin: Point,
}

impl OriginDimensions for Scaled<'_> {
    fn size(&self) -> Size {
        self.target.size()
    }
}

impl DrawTarget for Scaled<'_> {
    type Color = Rgb888;
    type Error = core::convert::Infallible;

    fn draw_iter<I: IntoIterator<Item = Pixel<Rgb888>>>(
        &mut self,
        pixels: I,
    ) -> Result<(), Self::Error> {
        let (s, o) = (self.scale, self.origin);
        let blocks = pixels.into_iter().flat_map(move |Pixel(p, c)| {
            (0..s * s)
                .map(move |k| Pixel(Point::new(o.x + p.x * s + k % s, o.y + p.y * s + k / s), c))
        });
        self.target.draw_iter(blocks)
    }
}

/// The fonts cover Latin-1: anything else is shown as `?`, never dropped silently.
fn latin1(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '—' | '–' => '-',
            '·' => '\u{b7}',
            c if (c as u32) < 0x100 && !c.is_control() => c,
            _ => '?',
        })
        .collect()
}

fn text<F: u8g2_fonts::Font>(
    c: &mut Canvas,
    s: &str,
    at: Point,
    align: HorizontalAlignment,
    color: Rgb888,
) {
    let _ = FontRenderer::new::<F>().render_aligned(
        latin1(s).as_str(),
        at,
        VerticalPosition::Center,
        align,
        FontColor::Transparent(color),
        c,
    );
}

fn fill(c: &mut Canvas, x: i32, y: i32, w: u32, h: u32, color: Rgb888) {
    let _ = Rectangle::new(Point::new(x, y), Size::new(w, h))
        .into_styled(PrimitiveStyle::with_fill(color))
        .draw(c);
}

/// A number as big as fits `w` × `h`, centred on `(cx, cy)`.
fn big_number(c: &mut Canvas, s: &str, cx: i32, cy: i32, w: u32, h: u32) {
    let font = FontRenderer::new::<u8g2_font_logisoso58_tr>();
    let s = latin1(s).replace('\u{b7}', "-");
    let Some(bbox) = font
        .get_rendered_dimensions(s.as_str(), Point::zero(), VerticalPosition::Top)
        .ok()
        .and_then(|d| d.bounding_box)
    else {
        return;
    };
    let scale = (1..=4u32)
        .rev()
        .find(|k| bbox.size.width * k <= w && bbox.size.height * k <= h)
        .unwrap_or(1) as i32;
    let origin = Point::new(
        cx - (bbox.size.width as i32 * scale) / 2 - bbox.top_left.x * scale,
        cy - (bbox.size.height as i32 * scale) / 2 - bbox.top_left.y * scale,
    );
    let mut target = Scaled {
        target: c,
        scale,
        origin,
    };
    let _ = font.render_aligned(
        s.as_str(),
        Point::zero(),
        VerticalPosition::Top,
        HorizontalAlignment::Left,
        FontColor::Transparent(Rgb888::WHITE),
        &mut target,
    );
}

/// The board at `width` × `height` (1280 × 720 and up).
pub fn render(board: &Board, width: u32, height: u32) -> Canvas {
    let mut c = Canvas::new(width, height);
    let (w, h) = (width as i32, height as i32);
    fill(&mut c, 0, 0, width, height, NAVY);

    let header = h * 9 / 100;
    fill(&mut c, 0, 0, width, header as u32, BLUE);
    let m = w * 2 / 100;
    text::<u8g2_font_helvB24_tf>(
        &mut c,
        &board.office,
        Point::new(m, header / 2),
        HorizontalAlignment::Left,
        Rgb888::WHITE,
    );
    text::<u8g2_font_helvB24_tf>(
        &mut c,
        &board.time,
        Point::new(w - m, header / 3),
        HorizontalAlignment::Right,
        Rgb888::WHITE,
    );
    text::<u8g2_font_helvR14_tf>(
        &mut c,
        &board.date,
        Point::new(w - m, header * 3 / 4),
        HorizontalAlignment::Right,
        Rgb888::WHITE,
    );

    let footer = h * 7 / 100;
    fill(&mut c, 0, h - footer, width, footer as u32, YELLOW);
    text::<u8g2_font_helvB18_tf>(
        &mut c,
        &board.running_text,
        Point::new(m, h - footer / 2),
        HorizontalAlignment::Left,
        NAVY,
    );

    // Now serving: a grid of counters on the left two thirds.
    let top = header + h * 3 / 100;
    let left_w = (w - 3 * m) * 2 / 3;
    text::<u8g2_font_helvB18_tf>(
        &mut c,
        "Sedang dilayani",
        Point::new(m, top),
        HorizontalAlignment::Left,
        SKY,
    );
    let cols = 3;
    let gap = m;
    let card_w = (left_w - gap * (cols - 1)) / cols;
    let card_h = h * 24 / 100;
    for (i, (name, number)) in board.counters.iter().enumerate() {
        let (col, row) = (i as i32 % cols, i as i32 / cols);
        let x = m + col * (card_w + gap);
        let y = top + h * 4 / 100 + row * (card_h + gap);
        let _ = RoundedRectangle::with_equal_corners(
            Rectangle::new(Point::new(x, y), Size::new(card_w as u32, card_h as u32)),
            Size::new(10, 10),
        )
        .into_styled(PrimitiveStyle::with_fill(CARD))
        .draw(&mut c);
        text::<u8g2_font_helvR18_tf>(
            &mut c,
            name,
            Point::new(x + card_w / 2, y + card_h / 6),
            HorizontalAlignment::Center,
            PALE,
        );
        big_number(
            &mut c,
            number,
            x + card_w / 2,
            y + card_h * 3 / 5,
            (card_w * 9 / 10) as u32,
            (card_h * 6 / 10) as u32,
        );
    }

    // Last calls and waiting counts on the right.
    let rx = m * 2 + left_w;
    let rw = w - rx - m;
    text::<u8g2_font_helvB18_tf>(
        &mut c,
        "Panggilan terakhir",
        Point::new(rx, top),
        HorizontalAlignment::Left,
        SKY,
    );
    let row_h = h * 6 / 100;
    let mut y = top + h * 6 / 100;
    for (number, counter) in &board.calls {
        text::<u8g2_font_helvB24_tf>(
            &mut c,
            number,
            Point::new(rx, y),
            HorizontalAlignment::Left,
            Rgb888::WHITE,
        );
        text::<u8g2_font_helvR18_tf>(
            &mut c,
            counter,
            Point::new(rx + rw, y),
            HorizontalAlignment::Right,
            Rgb888::WHITE,
        );
        fill(&mut c, rx, y + row_h / 2, rw as u32, 1, LINE);
        y += row_h;
    }
    y += h * 3 / 100;
    text::<u8g2_font_helvB18_tf>(
        &mut c,
        "Menunggu",
        Point::new(rx, y),
        HorizontalAlignment::Left,
        SKY,
    );
    y += h * 5 / 100;
    for (service, waiting) in &board.waiting {
        text::<u8g2_font_helvR18_tf>(
            &mut c,
            service,
            Point::new(rx, y),
            HorizontalAlignment::Left,
            Rgb888::WHITE,
        );
        text::<u8g2_font_helvR18_tf>(
            &mut c,
            &waiting.to_string(),
            Point::new(rx + rw, y),
            HorizontalAlignment::Right,
            Rgb888::WHITE,
        );
        y += h * 45 / 1000;
    }
    c
}

pub fn to_png(c: &Canvas) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, c.width, c.height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header()?;
        w.write_image_data(&c.rgb)?;
    }
    Ok(out)
}
