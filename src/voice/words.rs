//! Indonesian number words, 0–9999, with the *se-* forms (sepuluh, sebelas, seratus,
//! seribu). Each word is also the name of its clip in a voice pack.

const UNITS: [&str; 10] = [
    "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
];

/// The words of `n` (0–9999), e.g. 2024 → `dua ribu dua puluh empat`.
pub fn number_words(n: u32) -> Vec<&'static str> {
    if n == 0 {
        return vec!["nol"];
    }
    let mut out = Vec::new();
    let n = n.min(9999);
    let (thousands, rest) = (n / 1000, n % 1000);
    match thousands {
        0 => {}
        1 => out.push("seribu"),
        t => out.extend([UNITS[t as usize], "ribu"]),
    }
    let (hundreds, rest) = (rest / 100, rest % 100);
    match hundreds {
        0 => {}
        1 => out.push("seratus"),
        h => out.extend([UNITS[h as usize], "ratus"]),
    }
    match rest {
        0 => {}
        10 => out.push("sepuluh"),
        11 => out.push("sebelas"),
        12..=19 => out.extend([UNITS[(rest - 10) as usize], "belas"]),
        1..=9 => out.push(UNITS[rest as usize]),
        _ => {
            out.extend([UNITS[(rest / 10) as usize], "puluh"]);
            if rest % 10 != 0 {
                out.push(UNITS[(rest % 10) as usize]);
            }
        }
    }
    out
}

/// How a prefix letter is read aloud in Indonesian (A → a, B → be, …), as clip names.
pub fn letter_clip(c: char) -> Option<&'static str> {
    const LETTERS: [&str; 26] = [
        "huruf_a", "huruf_b", "huruf_c", "huruf_d", "huruf_e", "huruf_f", "huruf_g", "huruf_h",
        "huruf_i", "huruf_j", "huruf_k", "huruf_l", "huruf_m", "huruf_n", "huruf_o", "huruf_p",
        "huruf_q", "huruf_r", "huruf_s", "huruf_t", "huruf_u", "huruf_v", "huruf_w", "huruf_x",
        "huruf_y", "huruf_z",
    ];
    let c = c.to_ascii_uppercase();
    c.is_ascii_uppercase()
        .then(|| LETTERS[(c as u8 - b'A') as usize])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_words_with_se_forms() {
        let cases: [(u32, &str); 19] = [
            (0, "nol"),
            (1, "satu"),
            (10, "sepuluh"),
            (11, "sebelas"),
            (12, "dua belas"),
            (19, "sembilan belas"),
            (20, "dua puluh"),
            (21, "dua puluh satu"),
            (99, "sembilan puluh sembilan"),
            (100, "seratus"),
            (101, "seratus satu"),
            (110, "seratus sepuluh"),
            (111, "seratus sebelas"),
            (999, "sembilan ratus sembilan puluh sembilan"),
            (1000, "seribu"),
            (1001, "seribu satu"),
            (1100, "seribu seratus"),
            (2024, "dua ribu dua puluh empat"),
            (9999, "sembilan ribu sembilan ratus sembilan puluh sembilan"),
        ];
        for (n, want) in cases {
            assert_eq!(number_words(n).join(" "), want, "{n}");
        }
    }

    #[test]
    fn letters() {
        assert_eq!(letter_clip('a'), Some("huruf_a"));
        assert_eq!(letter_clip('Z'), Some("huruf_z"));
        assert_eq!(letter_clip('-'), None);
    }
}
