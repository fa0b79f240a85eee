//! A complaint's attachments (a scanned letter, a photo): checked by their content, not by
//! the name or type a browser claims, and kept in the data directory under their SHA-256, so
//! the same scan sent twice is stored once and a name cannot point outside the directory.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// What an office accepts: scans and photos.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Pdf,
    Jpeg,
    Png,
}

impl Kind {
    /// Read from the first bytes: the file's own signature.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(Self::Png)
        } else {
            None
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Jpeg => "jpg",
            Self::Png => "png",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }
}

/// A stored attachment: enough to find, serve and account for it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stored {
    /// SHA-256, lowercase hex: the file's name in the store.
    pub sha256: String,
    pub kind: Kind,
    pub size: u64,
    /// When and by whom it was attached (set by the store; absent on records from before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_by: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AttachmentError {
    #[error("Lampiran kosong.")]
    Empty,
    #[error("Lampiran terlalu besar: paling besar {max_kib} KiB.")]
    TooLarge { max_kib: u64 },
    #[error("Lampiran harus berupa PDF, JPEG atau PNG.")]
    Unsupported,
    #[error("Lampiran tidak ditemukan.")]
    NotFound,
    #[error("Lampiran tidak dapat disimpan: {0}")]
    Io(#[from] std::io::Error),
}

/// Bytes checked and written under a temporary name, waiting for `Attachments::keep`.
#[derive(Debug)]
pub struct Staged {
    pub stored: Stored,
    /// None when the same bytes are kept already.
    tmp: Option<PathBuf>,
}

/// A staged file nobody kept goes with its `Staged`: an upload refused by a degraded or
/// stopping store, or a request cancelled mid-way, leaves no partial file behind.
impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// The attachments of one data directory.
pub struct Attachments {
    dir: PathBuf,
    max_bytes: u64,
}

impl Attachments {
    pub fn new(data_dir: &Path, max_bytes: u64) -> Self {
        Self {
            dir: data_dir.join("attachments"),
            max_bytes,
        }
    }

    /// Checks and keeps `bytes`; durable (file and directory synced) before it returns, so a
    /// complaint that names it never names a file lost in a power cut.
    pub fn store(&self, bytes: &[u8]) -> Result<Stored, AttachmentError> {
        let staged = self.stage(bytes)?;
        self.keep(staged)
    }

    /// Checks `bytes` and writes them, synced, under a temporary name: the slow part of
    /// storing (megabytes to an SD card), done off the store's thread; `keep` then only
    /// renames. A staged file nobody keeps is removed by `discard`, or at the next start.
    pub fn stage(&self, bytes: &[u8]) -> Result<Staged, AttachmentError> {
        if bytes.is_empty() {
            return Err(AttachmentError::Empty);
        }
        if bytes.len() as u64 > self.max_bytes {
            return Err(AttachmentError::TooLarge {
                max_kib: self.max_bytes / 1024,
            });
        }
        let kind = Kind::sniff(bytes).ok_or(AttachmentError::Unsupported)?;
        let sha256 = hex(&Sha256::digest(bytes));
        let stored = Stored {
            sha256,
            kind,
            size: bytes.len() as u64,
            added_at: None,
            added_by: None,
        };
        // Always a copy of its own, even when the same bytes are kept already: the store's
        // thread decides at `keep` (a purge may delete the kept file before then).
        let path = self.path_of(&stored);
        let parent = path.parent().unwrap_or(&self.dir).to_path_buf();
        let new_shard = !parent.exists();
        std::fs::create_dir_all(&parent)?;
        if new_shard {
            // The shard's own entry must survive a power cut too.
            std::fs::File::open(&self.dir)?.sync_all()?;
            if let Some(data) = self.dir.parent() {
                std::fs::File::open(data)?.sync_all()?;
            }
        }
        // A name of its own (created exclusively): two uploads of the same scan at once each
        // write their own copy, and the rename of either leaves the same bytes.
        let (mut f, tmp) = exclusive_temp(&parent, &stored.sha256)?;
        let written = (|| {
            f.write_all(bytes)?;
            f.sync_all()
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.into());
        }
        Ok(Staged {
            stored,
            tmp: Some(tmp),
        })
    }

    /// Puts a staged file under its name (a rename, and the directory synced); the same
    /// bytes kept already make the staged copy go.
    pub fn keep(&self, mut staged: Staged) -> Result<Stored, AttachmentError> {
        let Some(tmp) = staged.tmp.take() else {
            return Ok(staged.stored.clone());
        };
        let path = self.path_of(&staged.stored);
        let parent = path.parent().unwrap_or(&self.dir).to_path_buf();
        let kept = if path.exists() {
            std::fs::remove_file(&tmp)
        } else {
            std::fs::rename(&tmp, &path).and_then(|()| std::fs::File::open(&parent)?.sync_all())
        };
        if let Err(e) = kept {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.into());
        }
        Ok(staged.stored.clone())
    }

    /// Removes a staged file that will not be kept (the upload was refused).
    pub fn discard(&self, staged: Staged) {
        drop(staged);
    }

    /// The bytes stored under `sha256`, whatever their kind (a backup copies by hash).
    pub fn read_by_hash(&self, sha256: &str) -> Result<Vec<u8>, AttachmentError> {
        for kind in [Kind::Pdf, Kind::Jpeg, Kind::Png] {
            let stored = Stored {
                sha256: sha256.to_string(),
                kind,
                size: 0,
                added_at: None,
                added_by: None,
            };
            match self.read(&stored) {
                Err(AttachmentError::NotFound) => continue,
                other => return other,
            }
        }
        Err(AttachmentError::NotFound)
    }

    pub fn read(&self, stored: &Stored) -> Result<Vec<u8>, AttachmentError> {
        match std::fs::read(self.path_of(stored)) {
            Ok(b) => Ok(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(AttachmentError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes the file (a purge under the retention rule); one already gone is no error.
    /// Files are shared by content: the caller removes one only when no other complaint it
    /// keeps names the same hash.
    pub fn remove(&self, stored: &Stored) -> Result<(), AttachmentError> {
        match std::fs::remove_file(self.path_of(stored)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes every file whose hash `keep` does not name, and every partial write left by
    /// a crash; returns how many files went. For the store's start: a purge deletes files
    /// after its commit and an upload stores its file before the commit that names it, so a
    /// crash between the two leaves a file that nothing names.
    pub fn remove_unnamed(
        &self,
        keep: &std::collections::HashSet<String>,
    ) -> Result<usize, AttachmentError> {
        let shards = match std::fs::read_dir(&self.dir) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e.into()),
        };
        let mut removed = 0;
        for shard in shards {
            let shard = shard?.path();
            if !shard.is_dir() {
                continue;
            }
            let mut changed = false;
            for file in std::fs::read_dir(&shard)? {
                let path = file?.path();
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                let named = !name.starts_with('.')
                    && name
                        .split_once('.')
                        .is_some_and(|(hash, _)| keep.contains(hash));
                if !named && path.is_file() {
                    std::fs::remove_file(&path)?;
                    removed += 1;
                    changed = true;
                }
            }
            if changed {
                std::fs::File::open(&shard)?.sync_all()?;
            }
        }
        Ok(removed)
    }

    /// `attachments/ab/abcdef….pdf`: a hash is only ever hex, so the path stays inside.
    fn path_of(&self, stored: &Stored) -> PathBuf {
        let safe: String = stored
            .sha256
            .chars()
            .filter(char::is_ascii_hexdigit)
            .collect();
        let shard = safe.get(..2).unwrap_or("00");
        self.dir
            .join(shard)
            .join(format!("{safe}.{}", stored.kind.extension()))
    }
}

/// `.{hash}.{n}.partial`, created with `O_EXCL`.
fn exclusive_temp(dir: &Path, hash: &str) -> std::io::Result<(std::fs::File, PathBuf)> {
    let mut n = 0u32;
    loop {
        let tmp = dir.join(format!(".{hash}.{n}.partial"));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => return Ok((f, tmp)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 64 => n += 1,
            Err(e) => return Err(e),
        }
    }
}

/// SHA-256 of `bytes`, lowercase hex: an attachment's name.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

    #[test]
    fn kept_by_content_once_and_read_back() {
        let tmp = tempfile::tempdir().expect("tmp");
        let a = Attachments::new(tmp.path(), 1024);
        let pdf = b"%PDF-1.7\n1 0 obj\n".to_vec();
        let s = a.store(&pdf).expect("stored");
        assert_eq!((s.kind, s.size), (Kind::Pdf, pdf.len() as u64));
        assert_eq!(a.store(&pdf).expect("again"), s, "the same file once");
        assert_eq!(a.read(&s).expect("read"), pdf);
        let png = a.store(PNG).expect("png");
        assert_eq!(png.kind, Kind::Png);
        let files: Vec<_> = walk(&tmp.path().join("attachments"));
        assert_eq!(files.len(), 2, "{files:?}");
        a.remove(&s).expect("removed");
        assert!(matches!(a.read(&s), Err(AttachmentError::NotFound)));
        a.remove(&s).expect("twice is fine");
    }

    #[test]
    fn what_is_not_a_scan_or_photo_is_refused_and_nothing_is_written() {
        let tmp = tempfile::tempdir().expect("tmp");
        let a = Attachments::new(tmp.path(), 16);
        assert!(matches!(a.store(b""), Err(AttachmentError::Empty)));
        assert!(matches!(
            a.store(b"<html><script>"),
            Err(AttachmentError::Unsupported)
        ));
        assert!(matches!(
            a.store(b"MZ\x90\x00 an executable, too long"),
            Err(AttachmentError::TooLarge { max_kib: 0 })
        ));
        assert!(matches!(
            a.store(b"MZ\x90\x00"),
            Err(AttachmentError::Unsupported)
        ));
        assert!(!tmp.path().join("attachments").exists());
    }

    #[test]
    fn a_staged_file_nobody_keeps_is_gone_with_it() {
        let tmp = tempfile::tempdir().expect("tmp");
        let a = Attachments::new(tmp.path(), 1024);
        let staged = a.stage(PNG).expect("staged");
        assert_eq!(walk(&tmp.path().join("attachments")).len(), 1);
        // Refused by a stopping store, or its request cancelled: dropped, never kept.
        drop(staged);
        assert!(walk(&tmp.path().join("attachments")).is_empty());
        let kept = a.keep(a.stage(PNG).expect("staged")).expect("kept");
        assert_eq!(walk(&tmp.path().join("attachments")).len(), 1);
        assert_eq!(a.read(&kept).expect("read"), PNG);
    }

    #[test]
    fn a_forged_hash_stays_inside_the_directory() {
        let tmp = tempfile::tempdir().expect("tmp");
        let a = Attachments::new(tmp.path(), 1024);
        let forged = Stored {
            sha256: "../../etc/passwd".to_string(),
            kind: Kind::Pdf,
            size: 1,
            added_at: None,
            added_by: None,
        };
        let p = a.path_of(&forged);
        assert!(p.starts_with(tmp.path().join("attachments")), "{p:?}");
        assert!(!p.to_string_lossy().contains(".."));
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }
}
