//! Masks for lists, registers and anything printed where the whole value is not needed. The
//! masks keep a fixed number of stars, so they do not give away a value's length either.

/// `Ahmad Sutrisno` → `A*** S***`: each word's first letter.
pub fn mask_name(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .map(|c| format!("{c}***"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `3271011408850003` → `3271********0003`: the region's first four digits and the serial.
pub fn mask_nik(nik: &str) -> String {
    let digits: Vec<char> = nik.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 8 {
        return "****".to_string();
    }
    let head: String = digits[..4].iter().collect();
    let tail: String = digits[digits.len() - 4..].iter().collect();
    format!("{head}********{tail}")
}

/// `0812-3456-7890` → `0812****890`: the operator prefix and the last three digits.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    if digits.len() < 8 {
        return "****".to_string();
    }
    let head: String = digits[..4].iter().collect();
    let tail: String = digits[digits.len() - 3..].iter().collect();
    format!("{head}****{tail}")
}

/// `budi.santoso@example.go.id` → `b***@example.go.id`: where to, not who.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        _ => "***".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_only_what_identifies_nobody() {
        assert_eq!(mask_name("Ahmad Sutrisno"), "A*** S***");
        assert_eq!(
            mask_name("  siti   nurhaliza binti ahmad "),
            "s*** n*** b*** a***"
        );
        assert_eq!(mask_name("Ñoman"), "Ñ***");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_nik("3271011408850003"), "3271********0003");
        assert_eq!(mask_nik("3271 0114 0885 0003"), "3271********0003");
        assert_eq!(mask_nik("123"), "****");
        assert_eq!(mask_phone("0812-3456-7890"), "0812****890");
        assert_eq!(mask_phone("+62 812 3456 7890"), "+628****890");
        assert_eq!(mask_phone("112"), "****");
        assert_eq!(
            mask_email("budi.santoso@example.go.id"),
            "b***@example.go.id"
        );
        assert_eq!(mask_email("nonsense"), "***");
    }
}
