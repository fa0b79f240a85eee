//! A step's time standard (*waktu proses* in the SOP's *Mutu Baku*), exactly as the source
//! writes it: `5 menit`, `15 menit`, `1 jam`, `3 jam`, `1 hari kerja`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeStandard {
    /// `N menit`: working minutes.
    Minutes(u32),
    /// `N jam`: working hours.
    Hours(u32),
    /// `N hari kerja`: the same clock time N working days later.
    WorkingDays(u32),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "waktu proses `{0}` tidak dikenali: tulis seperti `15 menit`, `3 jam` atau `1 hari kerja` / time standard `{0}` not understood: write e.g. `15 menit`, `3 jam` or `1 hari kerja`"
)]
pub struct BadStandard(pub String);

impl FromStr for TimeStandard {
    type Err = BadStandard;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadStandard(s.to_string());
        let words: Vec<String> = s.split_whitespace().map(str::to_lowercase).collect();
        let (n, unit) = words.split_first().ok_or_else(bad)?;
        let n: u32 = n.parse().map_err(|_| bad())?;
        if n == 0 {
            return Err(bad());
        }
        match unit.join(" ").as_str() {
            "menit" => Ok(Self::Minutes(n)),
            "jam" => Ok(Self::Hours(n)),
            "hari kerja" => Ok(Self::WorkingDays(n)),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for TimeStandard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Minutes(n) => write!(f, "{n} menit"),
            Self::Hours(n) => write!(f, "{n} jam"),
            Self::WorkingDays(n) => write!(f, "{n} hari kerja"),
        }
    }
}

impl Serialize for TimeStandard {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeStandard {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sources_standards_read_and_print_as_written() {
        for (text, want) in [
            ("5 menit", TimeStandard::Minutes(5)),
            ("15 menit", TimeStandard::Minutes(15)),
            ("1 jam", TimeStandard::Hours(1)),
            ("3 jam", TimeStandard::Hours(3)),
            ("1 hari kerja", TimeStandard::WorkingDays(1)),
        ] {
            assert_eq!(text.parse::<TimeStandard>(), Ok(want));
            assert_eq!(want.to_string(), text);
        }
        assert_eq!(
            "  2   Hari  Kerja ".parse::<TimeStandard>(),
            Ok(TimeStandard::WorkingDays(2))
        );
    }

    #[test]
    fn anything_else_is_refused_with_the_text() {
        for text in [
            "",
            "menit",
            "0 menit",
            "-1 jam",
            "1 hari",
            "3 jam kerja",
            "1.5 jam",
            "5 min",
        ] {
            let e = text.parse::<TimeStandard>().expect_err(text);
            assert_eq!(e.0, text);
        }
    }
}
