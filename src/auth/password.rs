//! Passwords: argon2id hashes (PHC strings), random passwords for new accounts, and the
//! rules a new password must meet. Hashing is slow on purpose: never on the async executor.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

/// Shortest password accepted.
pub const MIN_LEN: usize = 10;

/// argon2id with RFC 9106's second recommended setting scaled to a Raspberry Pi: 19 MiB,
/// 2 passes (about 0.1 s there).
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn random_bytes<const N: usize>() -> Result<[u8; N], String> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| format!("no randomness: {e}"))?;
    Ok(b)
}

pub fn hash(password: &str) -> Result<String, String> {
    let salt = random_bytes::<16>()?;
    hasher()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verify(password: &str, phc: &str) -> bool {
    hasher().verify_password(password.as_bytes(), phc).is_ok()
}

/// A password for a new account: 16 characters without look-alikes (0/O, 1/l/I).
pub fn generate() -> Result<String, String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes = random_bytes::<16>()?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect())
}

/// The lowest zxcvbn score a new password may have: 3 of 4, "safely unguessable" (about
/// 10^8 guesses), what an attacker on the LAN with a copy of the hashes cannot reach at
/// argon2's cost.
const MIN_SCORE: zxcvbn::Score = zxcvbn::Score::Three;

/// Words an office's passwords are made of and an attacker tries first: the product, the
/// office, the Indonesian for "password" and "secret".
const LOCAL_WORDS: [&str; 12] = [
    "loket",
    "antrian",
    "pengaduan",
    "dukcapil",
    "disdukcapil",
    "dinas",
    "kantor",
    "katasandi",
    "sandi",
    "rahasia",
    "admin",
    "indonesia",
];

/// Why a new password is refused, in Indonesian; None when it is acceptable. `context`: the
/// account's name, display name, the office's name: what a guesser tries first.
pub fn weakness(password: &str, context: &[&str]) -> Option<&'static str> {
    if password.chars().count() < MIN_LEN {
        return Some("Kata sandi minimal 10 karakter.");
    }
    let lower = password.to_lowercase();
    if context
        .iter()
        .any(|c| !c.trim().is_empty() && lower == c.trim().to_lowercase())
    {
        return Some("Kata sandi tidak boleh sama dengan nama pengguna atau nama kantor.");
    }
    // zxcvbn works on the first 100 characters; longer ones are long enough.
    let head: String = password.chars().take(100).collect();
    // zxcvbn matches its dictionaries in lower case: the names must be too.
    // Each word, and each name run together (`budisantoso`): zxcvbn scores two known words
    // side by side as far harder than the one name they make.
    let mut words: Vec<String> = context
        .iter()
        .flat_map(|c| c.split(|ch: char| !ch.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.extend(context.iter().map(|c| {
        c.chars()
            .filter(|ch| ch.is_alphanumeric())
            .collect::<String>()
            .to_lowercase()
    }));
    let mut inputs: Vec<&str> = LOCAL_WORDS.to_vec();
    inputs.extend(words.iter().map(String::as_str));
    if zxcvbn::zxcvbn(&head, &inputs).score() < MIN_SCORE {
        return Some(
            "Kata sandi terlalu mudah ditebak. Gunakan beberapa kata yang tidak berhubungan \
             dengan angka atau tanda baca, misalnya sepeda-hujan-kopi-42.",
        );
    }
    None
}

/// A random token (session id, CSRF token) as 43 URL-safe characters (32 bytes).
pub fn token() -> Result<String, String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = random_bytes::<32>()?;
    // 6 bits per character from a 256-bit value: 43 characters.
    let mut out = String::with_capacity(43);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 6 {
            bits -= 6;
            out.push(ALPHABET[((acc >> bits) & 0x3f) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (6 - bits)) & 0x3f) as usize] as char);
    }
    Ok(out)
}

/// A valid argon2id hash of a random password nobody knows, for unknown usernames.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4QpGDsNVnMgn/jnbqo3LGRL5XyNDyvW4GbXqNgI6f8M";

/// Checks a login's password off the async threads, doing the same work whether or not the
/// account exists (`hash` is `None` for an unknown name), so timing tells nothing.
pub async fn verify_login(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify(&password, &h),
        None => {
            let _ = verify(&password, DUMMY_HASH);
            false
        }
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash("rahasia-sekali-123").expect("hash");
        let b = hash("rahasia-sekali-123").expect("hash");
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b, "salted");
        assert!(verify("rahasia-sekali-123", &a));
        assert!(!verify("rahasia-sekali-124", &a));
        assert!(!verify("x", "not a hash"));
    }

    #[test]
    fn generated_secrets() {
        let p = generate().expect("password");
        assert_eq!(p.len(), 16);
        assert!(weakness(&p, &["admin"]).is_none());
        let t = token().expect("token");
        assert_eq!(t.len(), 43);
        assert_ne!(t, token().expect("token"));
        assert!(weakness("pendek", &["x"]).is_some());
        assert!(weakness("aaaaaaaaaaaa", &["x"]).is_some());
        assert!(weakness("operator01", &["operator01"]).is_some());
    }

    #[test]
    fn guessable_passwords_are_refused_and_passphrases_pass() {
        for weak in [
            "1234567890",
            "password12",
            "qwertyuiop",
            "admin12345",
            "Dukcapil2026",
            "loketloket1",
            "budisantoso1",
        ] {
            assert!(
                weakness(weak, &["budi", "Budi Santoso", "Disdukcapil Kota Contoh"]).is_some(),
                "{weak}"
            );
        }
        for strong in [
            "sepeda-hujan-kopi-42",
            "Tr4ktor!Hijau#Sawah",
            "rahasia-sekali-123",
        ] {
            assert_eq!(weakness(strong, &["budi"]), None, "{strong}");
        }
    }
}
