//! ESC/POS command encoding: the small subset a queue ticket needs, byte for byte as the
//! Epson reference defines it. All text goes through the sanitiser.

use super::sanitize::Sanitizer;

const ESC: u8 = 0x1b;
const GS: u8 = 0x1d;
const LF: u8 = 0x0a;
pub const DLE: u8 = 0x10;
pub const EOT: u8 = 0x04;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left = 0,
    Center = 1,
    Right = 2,
}

pub struct EscPos {
    buf: Vec<u8>,
    text: Sanitizer,
}

impl EscPos {
    pub fn new(text: Sanitizer) -> Self {
        Self {
            buf: Vec::with_capacity(4096),
            text,
        }
    }

    /// `ESC @`: reset modes left by whatever printed before.
    pub fn init(&mut self) -> &mut Self {
        self.raw(&[ESC, b'@'])
    }

    /// `ESC t n`: character table.
    pub fn code_page(&mut self, n: u8) -> &mut Self {
        self.raw(&[ESC, b't', n])
    }

    /// `ESC a n`
    pub fn align(&mut self, a: Align) -> &mut Self {
        self.raw(&[ESC, b'a', a as u8])
    }

    /// `ESC E n`
    pub fn bold(&mut self, on: bool) -> &mut Self {
        self.raw(&[ESC, b'E', u8::from(on)])
    }

    /// `GS ! n`: character width and height multipliers, 1–8 each.
    pub fn size(&mut self, width: u8, height: u8) -> &mut Self {
        let w = width.clamp(1, 8) - 1;
        let h = height.clamp(1, 8) - 1;
        self.raw(&[GS, b'!', (w << 4) | h])
    }

    /// One line of sanitised text and `LF`.
    pub fn line(&mut self, text: &str) -> &mut Self {
        let bytes = self.text.encode(text);
        self.buf.extend_from_slice(&bytes);
        self.buf.push(LF);
        self
    }

    /// How many characters `text` prints as: its length once sanitised (one byte, one glyph).
    pub fn width(&self, text: &str) -> usize {
        self.text.encode(text).len()
    }

    /// `GS v 0 m xL xH yL yH d…`: a raster bit image, rows MSB-first, `width_bytes` per row.
    pub fn raster(&mut self, width_bytes: u16, height: u16, data: &[u8]) -> &mut Self {
        let [xl, xh] = width_bytes.to_le_bytes();
        let [yl, yh] = height.to_le_bytes();
        self.raw(&[GS, b'v', b'0', 0, xl, xh, yl, yh]);
        self.buf.extend_from_slice(data);
        self
    }

    /// A QR code drawn by the printer itself (`GS ( k`, model 2, error correction M).
    pub fn qr(&mut self, data: &str, module_dots: u8) -> &mut Self {
        // A URL is ASCII; the sanitiser keeps it so and strips anything else.
        let payload = self.text.encode(data);
        self.raw(&[GS, b'(', b'k', 4, 0, 0x31, 0x41, 0x32, 0x00]);
        self.raw(&[GS, b'(', b'k', 3, 0, 0x31, 0x43, module_dots.clamp(1, 16)]);
        self.raw(&[GS, b'(', b'k', 3, 0, 0x31, 0x45, 0x31]);
        let [pl, ph] = u16::try_from(payload.len() + 3)
            .unwrap_or(u16::MAX)
            .to_le_bytes();
        self.raw(&[GS, b'(', b'k', pl, ph, 0x31, 0x50, 0x30]);
        self.buf.extend_from_slice(&payload);
        self.raw(&[GS, b'(', b'k', 3, 0, 0x31, 0x51, 0x30])
    }

    /// `ESC d n`: print and feed n lines.
    pub fn feed(&mut self, lines: u8) -> &mut Self {
        self.raw(&[ESC, b'd', lines])
    }

    /// `GS V 66 n`: feed to the cutter plus n dots, then a partial cut (the ticket stays on
    /// a hinge instead of falling to the floor).
    pub fn cut(&mut self) -> &mut Self {
        self.raw(&[GS, b'V', 66, 0])
    }

    fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(bytes);
        self
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

/// `DLE EOT n`: real-time status request (1 printer, 2 offline cause, 4 roll paper sensor).
pub fn status_request(n: u8) -> [u8; 3] {
    [DLE, EOT, n]
}
