//! The *Nomor Induk Kependudukan*: 16 digits, `PPKKCC DDMMYY SSSS` — the region where it was
//! issued (province, regency or city, district), the birth date (women's day + 40) and a
//! serial. Only its form is checked: whether such a person exists is the civil registry's
//! business, and a check that answered it would let anyone probe for NIKs.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Province codes in use (Kemendagri), the four Papua provinces of 2022 included.
const PROVINCES: [u8; 38] = [
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65,
    71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96,
];

/// `Debug` shows it masked: a NIK must not reach a log by way of `{:?}`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Nik(String);

impl fmt::Debug for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nik({})", super::mask_nik(&self.0))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadNik {
    #[error("NIK harus 16 angka.")]
    Length,
    #[error("Kode provinsi pada NIK (dua angka pertama) tidak dikenal.")]
    Province,
    #[error("Kode kabupaten/kota atau kecamatan pada NIK tidak mungkin (00).")]
    Region,
    #[error("Tanggal lahir pada NIK (angka ke-7 sampai ke-12) bukan tanggal yang mungkin.")]
    BirthDate,
    #[error("Nomor urut pada NIK (empat angka terakhir) tidak mungkin 0000.")]
    Serial,
}

impl Nik {
    /// Reads a NIK as typed (spaces, dots and dashes between digit groups are allowed).
    pub fn parse(text: &str) -> Result<Self, BadNik> {
        let digits: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .collect();
        if digits.len() != 16 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BadNik::Length);
        }
        let two = |i: usize| -> u32 {
            let b = digits.as_bytes();
            u32::from(b[i] - b'0') * 10 + u32::from(b[i + 1] - b'0')
        };
        let province = two(0) as u8;
        if !PROVINCES.contains(&province) {
            return Err(BadNik::Province);
        }
        if two(2) == 0 || two(4) == 0 {
            return Err(BadNik::Region);
        }
        let (day, month, year) = (two(6), two(8), two(10));
        // Women's birth day is written plus 40.
        let day = if day > 40 { day - 40 } else { day };
        // The two-digit year may be of either century: some date must exist.
        let exists = [1900, 2000]
            .iter()
            .any(|century| NaiveDate::from_ymd_opt((century + year) as i32, month, day).is_some());
        if !exists {
            return Err(BadNik::BirthDate);
        }
        if &digits[12..] == "0000" {
            return Err(BadNik::Serial);
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Nik {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Read back from the store as it was stored: the plausibility rules (a new province code)
/// apply to what staff type, never to records kept under earlier rules.
impl<'de> Deserialize<'de> for Nik {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.len() == 16 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s))
        } else {
            Err(serde::de::Error::custom("a stored NIK is 16 digits"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plausible_nik_is_read_with_separators_or_without() {
        // Kota Bogor (32 71), a district, born 14-08-1985, serial 0003.
        assert_eq!(
            Nik::parse("3271011408850003").map(|n| n.to_string()),
            Ok("3271011408850003".to_string())
        );
        assert_eq!(
            Nik::parse("3271 0114 0885 0003").map(|n| n.to_string()),
            Ok("3271011408850003".to_string())
        );
        // A woman born on the 14th: 54.
        assert!(Nik::parse("3271015408850003").is_ok());
        // Papua Pegunungan (95), born 29-02-2000.
        assert!(Nik::parse("9501012902000001").is_ok());
    }

    #[test]
    fn debug_output_is_masked_and_stored_niks_read_back_as_stored() {
        let nik = Nik::parse("3271011408850003").expect("nik");
        assert_eq!(format!("{nik:?}"), "Nik(3271********0003)");
        // A code the rules no longer know (here: province 99) still reads back from a record.
        let old: Nik = serde_json::from_str("\"9901011408850003\"").expect("stored");
        assert_eq!(old.as_str(), "9901011408850003");
        assert!(serde_json::from_str::<Nik>("\"12345\"").is_err());
    }

    #[test]
    fn each_implausible_part_is_named() {
        for (nik, why) in [
            ("327101140885000", BadNik::Length),
            ("32710114088500031", BadNik::Length),
            ("32710114O8850003", BadNik::Length),
            ("2071011408850003", BadNik::Province),
            ("9901011408850003", BadNik::Province),
            ("3200011408850003", BadNik::Region),
            ("3271001408850003", BadNik::Region),
            ("3271013208850003", BadNik::BirthDate),
            ("3271017208850003", BadNik::BirthDate),
            ("3271011413850003", BadNik::BirthDate),
            ("3271013002850003", BadNik::BirthDate),
            ("3271011408850000", BadNik::Serial),
        ] {
            assert_eq!(Nik::parse(nik), Err(why), "{nik}");
        }
    }
}
