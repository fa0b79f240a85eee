//! The *Indeks Kepuasan Masyarakat* (IKM) of PermenPANRB 14/2017: per element (*unsur*) the
//! mean score over the responses (*nilai rata-rata*, NRR, on the 1–4 scale); the index is the
//! weighted sum of the NRRs times 25, so it reads on a 25–100 scale; a grade from bands.
//!
//! The regulation writes each of the nine weights as 0.111 (1/9 cut to three decimals), so a
//! survey answered "4" throughout scores 99.90, not 100; offices publish that figure.
//! `Weighting::Regulation` follows it; `Weighting::Exact` uses 1/k for the offices told to.
//! Figures are kept as exact fractions and rounded half up to hundredths once, at the end:
//! a band edge (88.30 B, 88.31 A) must not depend on floating-point accident.

use serde::{Deserialize, Serialize};

/// The score of one answer: 1 (worst) to 4 (best).
pub const SCALE_MAX: u32 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Weighting {
    /// Each weight 1/k cut to three decimals, as the regulation prints it (0.111 for nine).
    #[default]
    Regulation,
    /// Each weight exactly 1/k.
    Exact,
}

/// A grade band: the index (in hundredths) from `min` up, down to the next band's `min`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    /// The lowest index in this band, in hundredths (88.31 is 8831).
    pub min: u32,
    /// *Mutu pelayanan*: A, B, C, D.
    pub grade: String,
    /// *Kinerja unit pelayanan*, e.g. "Sangat Baik".
    pub label: String,
}

/// The regulation's bands: A Sangat Baik 88.31–100.00, B Baik 76.61–88.30, C Kurang Baik
/// 65.00–76.60, D Tidak Baik 25.00–64.99.
pub fn regulation_bands() -> Vec<Band> {
    [
        (8831, "A", "Sangat Baik"),
        (7661, "B", "Baik"),
        (6500, "C", "Kurang Baik"),
        (2500, "D", "Tidak Baik"),
    ]
    .into_iter()
    .map(|(min, grade, label)| Band {
        min,
        grade: grade.to_string(),
        label: label.to_string(),
    })
    .collect()
}

/// Sums of one element's answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// Responses that answered the element.
    pub responses: u64,
    /// The sum of their scores.
    pub total: u64,
}

impl Tally {
    pub fn add(&mut self, score: u32) {
        self.responses += 1;
        self.total += u64::from(score);
    }

    /// The element's NRR, for display; None without responses.
    pub fn nrr(&self) -> Option<f64> {
        (self.responses > 0).then(|| self.total as f64 / self.responses as f64)
    }

    /// The element's own figure on the index's scale (NRR × 25), in hundredths, rounded half
    /// up; it is graded with the same bands (the regulation's *nilai interval konversi*).
    pub fn converted(&self) -> Option<u32> {
        (self.responses > 0)
            .then(|| round_half_up(2500 * u128::from(self.total), u128::from(self.responses)))
    }
}

/// The index over a set of responses.
#[derive(Debug, Clone, PartialEq)]
pub struct Ikm {
    /// In hundredths: 8830 is 88.30.
    pub hundredths: u32,
    /// Index into the bands given.
    pub band: usize,
    /// Σ (NRR × weight), exact, then rounded half up to ten-thousandths: 33300 is 3.3300.
    /// The index is this sum × 25; the rounded weighted NRRs printed per element need not
    /// add up to it, so the paper prints it as a row of its own.
    pub weighted_sum: u32,
}

impl Ikm {
    /// `82,45`: as Indonesian reports write it.
    pub fn display_id(&self) -> String {
        format!("{},{:02}", self.hundredths / 100, self.hundredths % 100)
    }

    /// `3,3300`: the weighted sum, four decimals.
    pub fn weighted_sum_id(&self) -> String {
        format!(
            "{},{:04}",
            self.weighted_sum / 10_000,
            self.weighted_sum % 10_000
        )
    }
}

/// The index of `tallies` (one per element, in the questionnaire's order), or None when an
/// element has no response. `bands` run from the best grade down; an index below the last
/// band's minimum (all "1" under the regulation's weights gives 24.98) takes the last band.
pub fn ikm(tallies: &[Tally], weighting: Weighting, bands: &[Band]) -> Option<Ikm> {
    let k = u128::try_from(tallies.len()).ok().filter(|k| *k > 0)?;
    if tallies.iter().any(|t| t.responses == 0) {
        return None;
    }
    // Σ NRR as one fraction. With every element answered by every response (the survey
    // forms ask all of them) the denominators are equal and this stays small.
    let mut num: u128 = 0;
    let mut den: u128 = 1;
    for t in tallies {
        let (tn, td) = (u128::from(t.total), u128::from(t.responses));
        let g = gcd(den, td);
        let lcm = den.checked_mul(td / g)?;
        num = num
            .checked_mul(lcm / den)?
            .checked_add(tn.checked_mul(lcm / td)?)?;
        den = lcm;
        let g = gcd(num, den);
        (num, den) = (num / g, den / g);
    }
    // IKM × 100 = 25 × w × Σ NRR × 100; the weighted sum × 10000 = w × Σ NRR × 10000.
    let (hundredths, weighted_sum) = match weighting {
        // w = ⌊1000 / k⌋ / 1000 (cut, as 1/9 is printed 0.111): 2500 × w / 1000 = 5w / 2.
        Weighting::Regulation => {
            let w = 1000 / k;
            (
                round_half_up(num.checked_mul(5 * w)?, den.checked_mul(2)?),
                round_half_up(num.checked_mul(10 * w)?, den),
            )
        }
        Weighting::Exact => (
            round_half_up(num.checked_mul(2500)?, den.checked_mul(k)?),
            round_half_up(num.checked_mul(10_000)?, den.checked_mul(k)?),
        ),
    };
    Some(Ikm {
        hundredths,
        band: band_of(hundredths, bands),
        weighted_sum,
    })
}

/// The band an index (or an element's converted figure) falls in.
pub fn band_of(hundredths: u32, bands: &[Band]) -> usize {
    bands
        .iter()
        .position(|b| hundredths >= b.min)
        .unwrap_or(bands.len().saturating_sub(1))
}

/// The sample an office should reach for `population` visits in the period: Krejcie &
/// Morgan (1970), 95% confidence, 5% margin, P = 0.5. Up to 75,000 the formula their table is
/// made from: it gives every row of the table, and a population between two rows its own
/// figure. Above 75,000 the table has one row left, 1,000,000 → 384, while the formula
/// creeps from 382 to 384 (383 at 100,000): an office reads the next row up, so 384 it is.
pub fn krejcie_morgan(population: u64) -> u64 {
    if population == 0 {
        return 0;
    }
    if population > LAST_DENSE_ROW {
        return LARGEST_SAMPLE;
    }
    let n = population as f64;
    let chi2 = 3.841;
    let s = chi2 * n * 0.25 / (0.0025 * (n - 1.0) + chi2 * 0.25);
    s.round() as u64
}

/// The table's row before its last (75,000 → 382), and the last row's sample (1,000,000 →
/// 384, which every larger population takes too).
const LAST_DENSE_ROW: u64 = 75_000;
const LARGEST_SAMPLE: u64 = 384;

fn round_half_up(num: u128, den: u128) -> u32 {
    u32::try_from((2 * num + den) / (2 * den)).unwrap_or(u32::MAX)
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nine elements answered by `n` respondents whose scores add up to `sum` in all: spread
    /// as evenly as possible (what matters to the index is Σ NRR = sum / n).
    fn spread(n: u64, sum: u64) -> Vec<Tally> {
        (0..9)
            .map(|i| Tally {
                responses: n,
                total: sum / 9 + u64::from(i < sum % 9),
            })
            .collect()
    }

    fn grade(t: &[Tally], w: Weighting) -> (u32, String) {
        let bands = regulation_bands();
        let i = ikm(t, w, &bands).expect("index");
        (i.hundredths, bands[i.band].grade.clone())
    }

    #[test]
    fn a_hand_worked_survey() {
        // Four respondents; the elements' totals and NRRs:
        // 14 3.50 | 13 3.25 | 12 3.00 | 15 3.75 | 16 4.00 | 11 2.75 | 14 3.50 | 13 3.25 | 12 3.00
        // Σ NRR = 30.00; × 0.111 = 3.33; × 25 = 83.25 (B). With 1/9: 30 / 9 × 25 = 83.33.
        let totals = [14, 13, 12, 15, 16, 11, 14, 13, 12];
        let t: Vec<Tally> = totals
            .iter()
            .map(|&total| Tally {
                responses: 4,
                total,
            })
            .collect();
        assert_eq!(t[5].nrr(), Some(2.75));
        assert_eq!(grade(&t, Weighting::Regulation), (8325, "B".into()));
        assert_eq!(grade(&t, Weighting::Exact), (8333, "B".into()));
        let i = ikm(&t, Weighting::Regulation, &regulation_bands()).expect("index");
        assert_eq!(i.display_id(), "83,25");
        // The weighted sum the index is 25 times: 30 × 0.111 = 3.33 exactly, though the
        // elements' weighted NRRs rounded to three decimals add up to 3.331.
        assert_eq!(i.weighted_sum_id(), "3,3300");
        let exact = ikm(&t, Weighting::Exact, &regulation_bands()).expect("index");
        assert_eq!(exact.weighted_sum_id(), "3,3333");
        // Element 5 alone: 4.00 × 25 = 100.00 (A); element 6: 2.75 × 25 = 68.75 (C).
        assert_eq!(t[4].converted(), Some(10_000));
        assert_eq!(t[5].converted(), Some(6875));
        assert_eq!(
            regulation_bands()[band_of(6875, &regulation_bands())].grade,
            "C"
        );
    }

    #[test]
    fn all_fours_score_99_90_by_the_regulation_and_all_ones_fall_in_d() {
        assert_eq!(
            grade(&spread(10, 360), Weighting::Regulation),
            (9990, "A".into())
        );
        assert_eq!(
            grade(&spread(10, 360), Weighting::Exact),
            (10_000, "A".into())
        );
        // 9 × 1 × 0.111 × 25 = 24.975 → 24.98: below D's 25.00, still D.
        assert_eq!(
            grade(&spread(10, 90), Weighting::Regulation),
            (2498, "D".into())
        );
        assert_eq!(grade(&spread(10, 90), Weighting::Exact), (2500, "D".into()));
    }

    #[test]
    fn the_band_edges_fall_where_the_regulation_puts_them() {
        // 11 respondents, 350 points: Σ NRR = 31.818…; × 2.775 = 88.2954… → 88.30, B.
        assert_eq!(
            grade(&spread(11, 350), Weighting::Regulation),
            (8830, "B".into())
        );
        // 17 respondents, 541 points: Σ NRR = 31.8235…; → 88.3102… → 88.31, A.
        assert_eq!(
            grade(&spread(17, 541), Weighting::Regulation),
            (8831, "A".into())
        );
        // 213 respondents, 6778 points: 88.304929… rounds down to 88.30, B.
        assert_eq!(
            grade(&spread(213, 6778), Weighting::Regulation),
            (8830, "B".into())
        );
        // 38 respondents, 1049: 76.6046… → 76.60, C; 23 respondents, 635: 76.6141… → 76.61, B.
        assert_eq!(
            grade(&spread(38, 1049), Weighting::Regulation),
            (7660, "C".into())
        );
        assert_eq!(
            grade(&spread(23, 635), Weighting::Regulation),
            (7661, "B".into())
        );
        // 26 respondents, 609: 64.9903… rounds to 65.00 first, and is graded C; 19
        // respondents, 445: 64.9934… → 64.99, D.
        assert_eq!(
            grade(&spread(26, 609), Weighting::Regulation),
            (6500, "C".into())
        );
        assert_eq!(
            grade(&spread(19, 445), Weighting::Regulation),
            (6499, "D".into())
        );
        // Exactly on an edge: 65.00 is C.
        assert_eq!(band_of(6500, &regulation_bands()), 2);
    }

    #[test]
    fn no_index_while_an_element_has_no_answer() {
        let mut t = spread(5, 150);
        t[3] = Tally::default();
        assert!(ikm(&t, Weighting::Regulation, &regulation_bands()).is_none());
        assert!(ikm(&[], Weighting::Regulation, &regulation_bands()).is_none());
    }

    #[test]
    fn unequal_answer_counts_are_summed_exactly() {
        // An element added mid-period: 3/1 + 8 × 14/4 = 3 + 28 = 31; × 2.775 = 86.025 → 86.03.
        let mut t = vec![
            Tally {
                responses: 4,
                total: 14
            };
            8
        ];
        t.push(Tally {
            responses: 1,
            total: 3,
        });
        assert_eq!(grade(&t, Weighting::Regulation), (8603, "B".into()));
    }

    #[test]
    fn the_sample_size_is_krejcie_and_morgan_s_table() {
        // Every row of the published table (Krejcie & Morgan 1970, Table 1).
        let table = [
            (10, 10),
            (15, 14),
            (20, 19),
            (25, 24),
            (30, 28),
            (35, 32),
            (40, 36),
            (45, 40),
            (50, 44),
            (55, 48),
            (60, 52),
            (65, 56),
            (70, 59),
            (75, 63),
            (80, 66),
            (85, 70),
            (90, 73),
            (95, 76),
            (100, 80),
            (110, 86),
            (120, 92),
            (130, 97),
            (140, 103),
            (150, 108),
            (160, 113),
            (170, 118),
            (180, 123),
            (190, 127),
            (200, 132),
            (210, 136),
            (220, 140),
            (230, 144),
            (240, 148),
            (250, 152),
            (260, 155),
            (270, 159),
            (280, 162),
            (290, 165),
            (300, 169),
            (320, 175),
            (340, 181),
            (360, 186),
            (380, 191),
            (400, 196),
            (420, 201),
            (440, 205),
            (460, 210),
            (480, 214),
            (500, 217),
            (550, 226),
            (600, 234),
            (650, 242),
            (700, 248),
            (750, 254),
            (800, 260),
            (850, 265),
            (900, 269),
            (950, 274),
            (1000, 278),
            (1100, 285),
            (1200, 291),
            (1300, 297),
            (1400, 302),
            (1500, 306),
            (1600, 310),
            (1700, 313),
            (1800, 317),
            (1900, 320),
            (2000, 322),
            (2200, 327),
            (2400, 331),
            (2600, 335),
            (2800, 338),
            (3000, 341),
            (3500, 346),
            (4000, 351),
            (4500, 354),
            (5000, 357),
            (6000, 361),
            (7000, 364),
            (8000, 367),
            (9000, 368),
            (10_000, 370),
            (15_000, 375),
            (20_000, 377),
            (30_000, 379),
            (40_000, 380),
            (50_000, 381),
            (75_000, 382),
            (1_000_000, 384),
        ];
        for (population, sample) in table {
            assert_eq!(krejcie_morgan(population), sample, "N = {population}");
        }
        // Between the last two rows the table's next row up, not the formula's 383.
        assert_eq!(krejcie_morgan(75_001), 384);
        assert_eq!(krejcie_morgan(100_000), 384);
        assert_eq!(krejcie_morgan(5_000_000), 384);
        // Between denser rows the formula's own figure; below the first row, everyone.
        assert_eq!(krejcie_morgan(105), 83);
        assert_eq!(krejcie_morgan(0), 0);
        assert_eq!(krejcie_morgan(1), 1);
        assert_eq!(krejcie_morgan(6), 6);
    }
}
