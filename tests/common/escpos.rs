//! Decodes an ESC/POS byte stream back into commands, so tests check what a printer would
//! do with every byte. Any byte sequence it does not know fails the test.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmd {
    Init,
    CodePage(u8),
    Align(u8),
    Bold(bool),
    Size(u8),
    /// Printable bytes up to a line feed.
    Text(Vec<u8>),
    Raster {
        width_bytes: u16,
        height: u16,
        data: Vec<u8>,
    },
    QrModel(u8),
    QrModuleSize(u8),
    QrErrorCorrection(u8),
    QrStore(Vec<u8>),
    QrPrint,
    Feed(u8),
    Cut(u8, u8),
    StatusRequest(u8),
}

impl Cmd {
    pub fn text(&self) -> Option<String> {
        match self {
            Cmd::Text(b) => Some(b.iter().map(|&c| c as char).collect()),
            _ => None,
        }
    }
}

/// Decodes a whole stream; panics on anything unknown or truncated.
pub fn decode(bytes: &[u8]) -> Vec<Cmd> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match parse_one(&bytes[i..]) {
            Some((cmd, n)) => {
                out.push(cmd);
                i += n;
            }
            None => panic!("truncated command at byte {i}"),
        }
    }
    out
}

/// One command from the start of `bytes` and its length; None when more bytes are needed.
/// Panics on a byte sequence no ESC/POS printer would accept from loket.
pub fn parse_one(bytes: &[u8]) -> Option<(Cmd, usize)> {
    let b = |i: usize| bytes.get(i).copied();
    Some(match b(0)? {
        0x1b => match b(1)? {
            b'@' => (Cmd::Init, 2),
            c @ (b't' | b'a' | b'E' | b'd') => {
                let n = b(2)?;
                let cmd = match c {
                    b't' => Cmd::CodePage(n),
                    b'a' => Cmd::Align(n),
                    b'E' => Cmd::Bold(n != 0),
                    _ => Cmd::Feed(n),
                };
                (cmd, 3)
            }
            other => panic!("unknown ESC {other:#04x}"),
        },
        0x1d => match b(1)? {
            b'!' => (Cmd::Size(b(2)?), 3),
            b'V' => (Cmd::Cut(b(2)?, b(3)?), 4),
            b'v' => {
                let head = bytes.get(..8)?;
                assert_eq!(head[2], b'0', "GS v 0");
                assert_eq!(head[3], 0, "normal density");
                let w = u16::from_le_bytes([head[4], head[5]]);
                let h = u16::from_le_bytes([head[6], head[7]]);
                let len = usize::from(w) * usize::from(h);
                let data = bytes.get(8..8 + len)?.to_vec();
                (
                    Cmd::Raster {
                        width_bytes: w,
                        height: h,
                        data,
                    },
                    8 + len,
                )
            }
            b'(' => {
                let head = bytes.get(..5)?;
                assert_eq!(head[2], b'k', "GS ( k");
                let len = usize::from(u16::from_le_bytes([head[3], head[4]]));
                let body = bytes.get(5..5 + len)?;
                assert_eq!(body[0], 0x31, "cn = 49 (QR)");
                let cmd = match (body[1], len) {
                    (0x41, 4) => Cmd::QrModel(body[2]),
                    (0x43, 3) => Cmd::QrModuleSize(body[2]),
                    (0x45, 3) => Cmd::QrErrorCorrection(body[2]),
                    (0x50, _) => {
                        assert_eq!(body[2], 0x30);
                        Cmd::QrStore(body[3..].to_vec())
                    }
                    (0x51, 3) => Cmd::QrPrint,
                    (f, _) => panic!("unknown QR function {f:#04x}"),
                };
                (cmd, 5 + len)
            }
            other => panic!("unknown GS {other:#04x}"),
        },
        0x10 => {
            assert_eq!(b(1)?, 0x04, "DLE EOT");
            (Cmd::StatusRequest(b(2)?), 3)
        }
        0x0a => (Cmd::Text(Vec::new()), 1),
        c if c < 0x20 || c == 0x7f => panic!("stray control byte {c:#04x}"),
        _ => {
            let end = bytes.iter().position(|&c| c < 0x20 || c == 0x7f)?;
            assert_eq!(bytes[end], 0x0a, "text not ended by LF");
            (Cmd::Text(bytes[..end].to_vec()), end + 1)
        }
    })
}
