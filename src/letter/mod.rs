//! The reply letter (*surat balasan*) and its receipt (*tanda terima surat*) as documents for
//! `pdf`: the office's template (`template`), the facts of one complaint, the signer block
//! from `[letter]`, and the initials block (*paraf*) drawn from the workflow's records.
//! Composition only: numbering, storing and auditing are the store's.

mod compose;
mod paraf;
mod template;

pub use compose::{
    LetterFacts, SIGN_COLUMN, compose_letter, compose_receipt, kop, signature, tanggal,
};
pub use paraf::{Paraf, paraf_rows, signing_role};
pub use template::{EMBEDDED_TEMPLATE, PLACEHOLDERS, Template, fill, unknown_placeholder};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::Signer;

/// A signed letter as the complaint keeps it: its number, who signed as whom, and the
/// SHA-256 of the PDF stored under (complaint, round).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedLetter {
    /// The draft round the letter is the text of.
    pub round: u32,
    /// `000.8.3.3/7/DPMPTSP/2026`.
    pub number: String,
    /// The year's sequence the number was given from.
    pub year: i32,
    pub seq: u64,
    pub signed_at: DateTime<Utc>,
    /// The account that signed.
    pub signed_by: String,
    /// The signature block as printed (a later change of `[letter]` does not change it).
    pub signer: Signer,
    pub sha256: String,
    pub size: u64,
}
