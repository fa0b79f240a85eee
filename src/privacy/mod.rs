//! Personal data as the law (UU 27/2022) and the office want it handled: a NIK checked for
//! plausibility only (no register is consulted, so nothing here tells whether a NIK exists),
//! and names, NIKs, phone numbers and e-mail addresses masked wherever a role does not need
//! them whole.

mod mask;
mod nik;

pub use mask::{mask_email, mask_name, mask_nik, mask_phone};
pub use nik::{BadNik, Nik};
