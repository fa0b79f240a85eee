//! How a complaint is named: its number in the register (`PGD/2026/11/0042`, in the office's
//! pattern), a tracking code for the citizen that cannot be guessed, and an id unique across a
//! city's offices (the office's code and a sequence) for records collected centrally.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The register number from the office's pattern: `{year}`, `{month}` (two digits) and
/// `{seq}` (at least four digits, the month's sequence) are filled; the rest is kept.
pub fn register_number(pattern: &str, day: NaiveDate, seq: u32) -> String {
    pattern
        .replace("{year}", &day.year().to_string())
        .replace("{month}", &format!("{:02}", day.month()))
        .replace("{seq}", &format!("{seq:04}"))
}

/// Whether a pattern can number a register: it must hold `{seq}` (else two complaints of a
/// month would share a number) and nothing but the known slots.
pub fn pattern_problem(pattern: &str) -> Option<&'static str> {
    if !pattern.contains("{seq}") {
        return Some("pola nomor harus memuat {seq} / the pattern must contain {seq}");
    }
    let rest = pattern
        .replace("{year}", "")
        .replace("{month}", "")
        .replace("{seq}", "");
    if rest.contains('{') || rest.contains('}') {
        return Some(
            "pola nomor hanya mengenal {year}, {month} dan {seq} / only {year}, {month} and {seq} are known",
        );
    }
    if rest.chars().any(char::is_control) || pattern.len() > 60 {
        return Some(
            "pola nomor terlalu panjang atau memuat karakter kendali / too long or holds control characters",
        );
    }
    None
}

/// Symbols a citizen can read off paper and type on a phone without doubt: no 0/O, 1/I/L.
const ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const CODE_LEN: usize = 12;

/// A fresh tracking code, `K7QM-2XHD-9RTA`: 12 symbols of 31, about 59 bits, so guessing
/// one is hopeless even without the tracking page's rate limit.
pub fn tracking_code() -> Result<String, getrandom::Error> {
    let mut out = String::with_capacity(CODE_LEN + 2);
    let mut filled = 0;
    while filled < CODE_LEN {
        let mut buf = [0u8; 16];
        getrandom::fill(&mut buf)?;
        // Rejection sampling: only bytes below 248 (8 × 31), so every symbol is equally likely.
        for b in buf {
            if filled == CODE_LEN {
                break;
            }
            if b < 248 {
                if filled > 0 && filled % 4 == 0 {
                    out.push('-');
                }
                out.push(ALPHABET[usize::from(b % 31)] as char);
                filled += 1;
            }
        }
    }
    Ok(out)
}

/// A code as typed or read from a QR (any case, spaces or dashes anywhere) in its canonical
/// form; None when it cannot be one of ours.
pub fn normalize_code(typed: &str) -> Option<String> {
    let symbols: Vec<u8> = typed
        .bytes()
        .filter(|b| !matches!(b, b'-' | b' '))
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if symbols.len() != CODE_LEN || !symbols.iter().all(|b| ALPHABET.contains(b)) {
        return None;
    }
    let mut out = String::with_capacity(CODE_LEN + 2);
    for (i, b) in symbols.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(*b as char);
    }
    Some(out)
}

/// An id no other office's records share: the office's code and its own sequence.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GlobalId {
    pub office: String,
    pub seq: u64,
}

impl fmt::Display for GlobalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.office, self.seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_numbers_follow_the_pattern() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
        assert_eq!(
            register_number("PGD/{year}/{month}/{seq}", day, 42),
            "PGD/2026/11/0042"
        );
        assert_eq!(
            register_number("{seq}/PGD/DUKCAPIL/{year}", day, 12345),
            "12345/PGD/DUKCAPIL/2026"
        );
        assert_eq!(pattern_problem("PGD/{year}/{month}/{seq}"), None);
        assert!(pattern_problem("PGD/{year}/{month}").is_some());
        assert!(pattern_problem("PGD/{tahun}/{seq}").is_some());
        assert!(pattern_problem("PGD/{seq}\n").is_some());
    }

    #[test]
    fn tracking_codes_are_readable_distinct_and_read_back_however_typed() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..2000 {
            let c = tracking_code().expect("randomness");
            assert_eq!(c.len(), 14, "{c}");
            assert_eq!(c.matches('-').count(), 2, "{c}");
            assert!(c.bytes().all(|b| b == b'-' || ALPHABET.contains(&b)), "{c}");
            assert_eq!(
                normalize_code(&c.to_lowercase().replace('-', " ")),
                Some(c.clone())
            );
            assert!(seen.insert(c), "a repeat in 2000 draws of 59 bits");
        }
        assert_eq!(
            normalize_code("K7QM2XHD9RTA"),
            Some("K7QM-2XHD-9RTA".to_string())
        );
        assert_eq!(
            normalize_code("K7QM-2XHD-9RT0"),
            None,
            "no zero in the alphabet"
        );
        assert_eq!(normalize_code("K7QM-2XHD"), None);
        assert_eq!(normalize_code("../../etc/passwd"), None);
    }

    #[test]
    fn every_symbol_is_drawn() {
        let mut counts = [0u32; 31];
        for _ in 0..400 {
            for b in tracking_code()
                .expect("randomness")
                .bytes()
                .filter(|b| *b != b'-')
            {
                if let Some(i) = ALPHABET.iter().position(|a| *a == b) {
                    counts[i] += 1;
                }
            }
        }
        // 4,800 symbols: about 155 each; a symbol never drawn would mean a broken mapping.
        assert!(counts.iter().all(|c| *c > 80), "{counts:?}");
    }

    #[test]
    fn global_ids_name_the_office() {
        let id = GlobalId {
            office: "3271-DUKCAPIL".to_string(),
            seq: 42,
        };
        assert_eq!(id.to_string(), "3271-DUKCAPIL-42");
    }
}
