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

/// Why a new password is refused, in Indonesian; None when it is acceptable.
pub fn weakness(password: &str, username: &str) -> Option<&'static str> {
    if password.chars().count() < MIN_LEN {
        return Some("Kata sandi minimal 10 karakter.");
    }
    if password.eq_ignore_ascii_case(username) {
        return Some("Kata sandi tidak boleh sama dengan nama pengguna.");
    }
    if password
        .chars()
        .all(|c| c == password.chars().next().unwrap_or(c))
    {
        return Some("Kata sandi terlalu mudah ditebak.");
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
        assert!(weakness(&p, "admin").is_none());
        let t = token().expect("token");
        assert_eq!(t.len(), 43);
        assert_ne!(t, token().expect("token"));
        assert!(weakness("pendek", "x").is_some());
        assert!(weakness("aaaaaaaaaaaa", "x").is_some());
        assert!(weakness("operator01", "operator01").is_some());
    }
}
