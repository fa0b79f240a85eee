//! The key that lets a ticket's own holder answer the survey for it. Ticket ids are
//! sequential, so `/t/{id}` alone would let anyone on the LAN answer for other people's
//! visits. The QR code on the printed ticket therefore carries a tag: HMAC-SHA256 of the
//! ticket id under a random secret kept in the data directory (`survey-link.key`), cut to
//! 64 bits. Only the paper in the citizen's hand (and the tablet, for the number typed into
//! it) knows a ticket's tag; the tag says nothing about the ticket or the person.
//!
//! HMAC is written out over `sha2` (RFC 2104, checked against RFC 4231's vectors below)
//! rather than taken from the `hmac` crate: the crate's releases for `sha2` 0.11's `digest`
//! are not yet stable, and the construction is a dozen lines.

use std::fmt;
use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

/// The file, in the data directory, holding the 32 secret bytes.
pub const FILE: &str = "survey-link.key";
/// Bytes of the HMAC kept in the link: 64 bits, 16 hex digits in the URL.
const TAG_BYTES: usize = 8;
const BLOCK: usize = 64;

/// What a tag is for: the same ticket gets unrelated tags on paper and at the tablet, so the
/// tablet's hidden fields never reveal the tag printed on the ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The QR code on the printed ticket (`/t/{id}?k=…`).
    Ticket,
    /// The survey tablet's hidden field, once a number was typed and found.
    Tablet,
}

#[derive(Clone)]
pub struct LinkKey([u8; 32]);

/// Never printed: a key in a log would let its reader answer for every ticket.
impl fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkKey(..)")
    }
}

impl LinkKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The key in `data_dir`, made (random, readable by the daemon's user only) at the first
    /// start. A file of another length is refused rather than replaced: replacing it would
    /// silently void the QR codes of tickets already printed.
    pub fn load_or_create(data_dir: &Path) -> std::io::Result<Self> {
        let path = data_dir.join(FILE);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let bytes: [u8; 32] = bytes.try_into().map_err(|_| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("{} must hold exactly 32 bytes", path.display()),
                    )
                })?;
                return Ok(Self(bytes));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
        let tmp = data_dir.join(format!("{FILE}.new"));
        {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut f = options.open(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &path)?;
        if let Ok(d) = std::fs::File::open(data_dir) {
            let _ = d.sync_all();
        }
        Ok(Self(bytes))
    }

    /// The tag of `ticket` for `purpose`: 16 lowercase hex digits.
    pub fn tag(&self, purpose: Purpose, ticket: u64) -> String {
        let label: &[u8] = match purpose {
            Purpose::Ticket => b"loket survey ticket ",
            Purpose::Tablet => b"loket survey tablet ",
        };
        let mut msg = label.to_vec();
        msg.extend_from_slice(ticket.to_string().as_bytes());
        hmac_sha256(&self.0, &msg)[..TAG_BYTES]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Whether `given` is the tag of `ticket` for `purpose`; compared in constant time, so
    /// the answer's timing does not tell how many leading digits were right.
    pub fn verify(&self, purpose: Purpose, ticket: u64, given: &str) -> bool {
        let want = self.tag(purpose, ticket);
        let given = given.trim().to_ascii_lowercase();
        if given.len() != want.len() {
            return false;
        }
        want.bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

/// HMAC-SHA256 (RFC 2104): H((K ^ opad) || H((K ^ ipad) || m)).
fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| k.map(|b| b ^ byte);
    let mut inner = Sha256::new();
    inner.update(pad(0x36));
    inner.update(msg);
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(pad(0x5c));
    outer.update(inner);
    outer.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 1.
        assert_eq!(
            hex(&hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        // Test case 2.
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block is hashed first.
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn tags_verify_only_for_their_ticket_and_purpose() {
        let k = LinkKey::from_bytes([7; 32]);
        let t = k.tag(Purpose::Ticket, 42);
        assert_eq!(t.len(), 16);
        assert!(k.verify(Purpose::Ticket, 42, &t));
        assert!(k.verify(Purpose::Ticket, 42, &t.to_uppercase()));
        assert!(!k.verify(Purpose::Ticket, 43, &t));
        assert!(!k.verify(Purpose::Tablet, 42, &t));
        assert!(!k.verify(Purpose::Ticket, 42, &t[..15]));
        assert!(!k.verify(Purpose::Ticket, 42, ""));
        let other = LinkKey::from_bytes([8; 32]);
        assert!(!other.verify(Purpose::Ticket, 42, &t));
        assert_eq!(format!("{k:?}"), "LinkKey(..)");
    }

    #[test]
    fn the_key_is_made_once_and_kept() {
        let dir = tempfile::tempdir().expect("dir");
        let a = LinkKey::load_or_create(dir.path()).expect("made");
        let b = LinkKey::load_or_create(dir.path()).expect("read");
        assert_eq!(a.tag(Purpose::Ticket, 1), b.tag(Purpose::Ticket, 1));
        std::fs::write(dir.path().join(FILE), b"short").expect("write");
        assert!(LinkKey::load_or_create(dir.path()).is_err());
    }
}
