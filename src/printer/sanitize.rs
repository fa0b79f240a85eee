//! The one text sanitiser for everything printed. Output bytes are printable characters of
//! the configured code page only: control bytes (ESC, GS, DLE, …) are dropped, so no text
//! from configuration or data can become a printer command; characters outside the code page
//! are transliterated (é → e where the page lacks é, curly quotes → straight), or printed as
//! `?`, never sent raw.

use super::code_pages::{self, Table};
use crate::config::CodePage;

#[derive(Debug, Clone, Copy)]
pub struct Sanitizer {
    table: &'static Table,
}

impl Sanitizer {
    pub fn new(page: CodePage) -> Self {
        let table = match page {
            CodePage::Pc437 => &code_pages::PC437,
            CodePage::Pc850 => &code_pages::PC850,
            CodePage::Pc858 => &code_pages::PC858,
            CodePage::Wpc1252 => &code_pages::WPC1252,
        };
        Self { table }
    }

    /// One line of text as printer bytes. Line breaks and tabs become spaces.
    pub fn encode(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len());
        for c in text.chars() {
            self.push_char(c, &mut out);
        }
        out
    }

    fn push_char(&self, c: char, out: &mut Vec<u8>) {
        match c {
            '\n' | '\r' | '\t' => out.push(b' '),
            ' '..='~' => out.push(c as u8),
            c if c.is_control() => {}
            c => {
                if let Some(b) = self.byte_of(c) {
                    out.push(b);
                } else if let Some(s) = transliterate(c) {
                    for t in s.chars() {
                        match t {
                            ' '..='~' => out.push(t as u8),
                            t => out.push(self.byte_of(t).unwrap_or(b'?')),
                        }
                    }
                } else {
                    out.push(b'?');
                }
            }
        }
    }

    fn byte_of(&self, c: char) -> Option<u8> {
        if c == '\0' {
            return None;
        }
        let i = self.table.iter().position(|t| *t == c)?;
        // Bytes 0x80–0xFF are glyphs under `ESC t`; only 0x00–0x1F and 0x7F are commands.
        Some(0x80 + i as u8)
    }
}

/// Plain-letter and punctuation stand-ins for characters a code page may lack.
fn transliterate(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' | '`' | '\u{b4}' => "'",
        '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' | '\u{ab}' | '\u{bb}' => {
            "\""
        }
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => "-",
        '\u{2026}' => "...",
        '\u{2022}' | '\u{b7}' => "*",
        '\u{a0}' | '\u{2002}' | '\u{2003}' | '\u{2009}' | '\u{202f}' => " ",
        '\u{20ac}' => "EUR",
        '\u{2122}' => "TM",
        '\u{a9}' => "(c)",
        '\u{ae}' => "(R)",
        '\u{b0}' => "o",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => "A",
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'Ç' | 'Ć' | 'Č' | 'Ĉ' | 'Ċ' => "C",
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => "c",
        'Ď' | 'Đ' => "D",
        'ď' | 'đ' => "d",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ĕ' | 'Ė' | 'Ę' | 'Ě' => "E",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'Ĝ' | 'Ğ' | 'Ġ' | 'Ģ' => "G",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'Ĭ' | 'Į' | 'İ' => "I",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'Ķ' => "K",
        'ķ' => "k",
        'Ĺ' | 'Ļ' | 'Ľ' | 'Ł' => "L",
        'ĺ' | 'ļ' | 'ľ' | 'ł' => "l",
        'Ñ' | 'Ń' | 'Ņ' | 'Ň' => "N",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ŏ' | 'Ő' => "O",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'Œ' => "OE",
        'œ' => "oe",
        'Ŕ' | 'Ř' => "R",
        'ŕ' | 'ř' => "r",
        'Ś' | 'Ŝ' | 'Ş' | 'Š' => "S",
        'ś' | 'ŝ' | 'ş' | 'š' => "s",
        'ß' => "ss",
        'Ţ' | 'Ť' => "T",
        'ţ' | 'ť' => "t",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ŭ' | 'Ů' | 'Ű' | 'Ų' => "U",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'Ý' | 'Ÿ' => "Y",
        'ý' | 'ÿ' => "y",
        'Ź' | 'Ż' | 'Ž' => "Z",
        'ź' | 'ż' | 'ž' => "z",
        'Æ' => "AE",
        'æ' => "ae",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_bytes_never_pass() {
        let s = Sanitizer::new(CodePage::Pc437);
        let out = s.encode("A\u{1b}@B\u{1d}V\u{0}C\u{10}\u{4}\u{1}D\u{7f}\u{9b}E");
        assert_eq!(out, b"A@BVCDE");
        assert!(out.iter().all(|b| *b >= 0x20 && *b != 0x7f));
    }

    #[test]
    fn code_page_characters_and_transliteration() {
        let pc437 = Sanitizer::new(CodePage::Pc437);
        assert_eq!(pc437.encode("é"), [0x82]);
        assert_eq!(
            pc437.encode("‘Kartu’ “Keluarga” — Ā"),
            b"'Kartu' \"Keluarga\" - A"
        );
        assert_eq!(pc437.encode("Õ"), b"O", "PC437 has no O-tilde");
        assert_eq!(pc437.encode("日本"), b"??");
        let pc858 = Sanitizer::new(CodePage::Pc858);
        assert_eq!(pc858.encode("€"), [0xd5]);
        assert_eq!(pc858.encode("Õ"), [0xe5]);
        let w1252 = Sanitizer::new(CodePage::Wpc1252);
        assert_eq!(w1252.encode("é"), [0xe9]);
        assert_eq!(w1252.encode("“x”"), [0x93, b'x', 0x94]);
    }
}
