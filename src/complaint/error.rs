//! What the complaint workflow can refuse (with the Indonesian message staff see), and what is
//! wrong with a flow file (with the file and line a technician opens).

use std::fmt;

use thiserror::Error;

/// A refused workflow action. Nothing changed when one is returned.
///
/// HTTP mapping for the web layer: `forbidden` → 403; `not_found` → 404; `out_of_order` and
/// `conflict` → 409; `wrong_action` and `invalid` → 422.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ComplaintError {
    /// The caller holds none of the roles the step needs.
    #[error("Anda tidak berwenang untuk langkah {step}: langkah ini dilakukan oleh {allowed}.")]
    Forbidden { step: u32, allowed: String },
    /// A step of someone who never logs in, recorded by a role the caller does not hold.
    #[error(
        "Anda tidak berwenang mencatat langkah {step} atas nama {party}: pencatatan dilakukan oleh {allowed}."
    )]
    ForbiddenOnBehalf {
        step: u32,
        party: String,
        allowed: String,
    },
    #[error(
        "Pengaduan sedang berada di langkah {current}; langkah {step} tidak dapat dilakukan sekarang."
    )]
    OutOfOrder { step: u32, current: u32 },
    #[error("Pengaduan ini sudah selesai; tidak ada langkah yang dapat dilakukan lagi.")]
    Closed,
    /// The form was read at an older version: someone else acted in between.
    #[error(
        "Pengaduan ini baru saja diubah oleh pengguna lain (versi {actual}, formulir versi {expected}). Muat ulang halaman lalu periksa kembali."
    )]
    Conflict { expected: u64, actual: u64 },
    /// The step exists and is current, but takes another kind of action.
    #[error("Langkah {step} tidak menerima tindakan ini: {hint}")]
    WrongAction { step: u32, hint: String },
    #[error("{0}")]
    Invalid(String),
    /// No complaint (or no ticket to open one from) by that id or code.
    #[error("{0}")]
    NotFound(String),
}

impl ComplaintError {
    /// Stable machine-readable code for the API's error body.
    pub fn code(&self) -> &'static str {
        match self {
            ComplaintError::Forbidden { .. } | ComplaintError::ForbiddenOnBehalf { .. } => {
                "forbidden"
            }
            ComplaintError::OutOfOrder { .. } | ComplaintError::Closed => "out_of_order",
            ComplaintError::Conflict { .. } => "conflict",
            ComplaintError::WrongAction { .. } => "wrong_action",
            ComplaintError::Invalid(_) => "invalid",
            ComplaintError::NotFound(_) => "not_found",
        }
    }
}

/// One problem in a flow file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SopError {
    /// The file as the office knows it: `/etc/loket/sop/skala_kecil.toml`, or
    /// `config/sop/skala_kecil.toml` for a compiled-in one.
    pub file: String,
    /// 1-based line, where the problem has one.
    pub line: Option<usize>,
    /// Indonesian first, then English.
    pub message: String,
}

impl fmt::Display for SopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{} (line {line}): {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Every problem found in the flow files, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SopErrors(pub Vec<SopError>);

impl fmt::Display for SopErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SopErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_http_meaning() {
        let cases = [
            (
                ComplaintError::Forbidden {
                    step: 6,
                    allowed: "Kepala Dinas".into(),
                },
                "forbidden",
            ),
            (
                ComplaintError::ForbiddenOnBehalf {
                    step: 8,
                    party: "Pengadu".into(),
                    allowed: "Petugas Pengaduan".into(),
                },
                "forbidden",
            ),
            (
                ComplaintError::OutOfOrder {
                    step: 7,
                    current: 5,
                },
                "out_of_order",
            ),
            (ComplaintError::Closed, "out_of_order"),
            (
                ComplaintError::Conflict {
                    expected: 3,
                    actual: 4,
                },
                "conflict",
            ),
        ];
        for (e, code) in cases {
            assert_eq!(e.code(), code, "{e}");
        }
    }

    #[test]
    fn sop_errors_name_file_and_line() {
        let e = SopError {
            file: "sop/skala_besar.toml".into(),
            line: Some(58),
            message: "langkah 8 tidak ada".into(),
        };
        assert_eq!(
            e.to_string(),
            "sop/skala_besar.toml (line 58): langkah 8 tidak ada"
        );
    }
}
