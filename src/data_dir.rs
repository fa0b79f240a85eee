//! The data directory at start. A database that is missing or empty beside signs of earlier
//! use (a lost or truncated `loket.redb`) is refused: starting afresh would give `A-001`
//! again on the same service day and a new administrator. `loket serve --init` is the
//! deliberate fresh start; `loket restore FILE` the usual way back.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::app::DB_FILE;

/// Written at the first start, beside the database: this directory has been used.
pub const MARKER: &str = ".loket-initialised";

/// What the database file is, seen before anything opens it for writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbFile {
    Absent,
    /// Zero bytes: a file truncated by a full disk or a bad copy.
    Empty,
    /// A redb file nothing was ever committed to (no schema version).
    NoSchema,
    /// A database with its schema: the normal case.
    InUse,
}

pub fn db_file(data: &Path) -> DbFile {
    let path = data.join(DB_FILE);
    match std::fs::metadata(&path) {
        Err(_) => DbFile::Absent,
        Ok(m) if m.len() == 0 => DbFile::Empty,
        // A file that cannot be read is not judged here: the store's open says what is wrong.
        Ok(_) => match crate::store::migrate::schema_version(&path) {
            Ok(None) => DbFile::NoSchema,
            _ => DbFile::InUse,
        },
    }
}

/// The signs in `data` that loket ran there before: the names found.
pub fn earlier_use(data: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(data) else {
        return Vec::new();
    };
    let mut found: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| is_sign(data, name))
        .collect();
    found.sort();
    found
}

fn is_sign(data: &Path, name: &str) -> bool {
    let non_empty_dir =
        |n: &str| std::fs::read_dir(data.join(n)).is_ok_and(|mut d| d.next().is_some());
    match name {
        MARKER | crate::app::INITIAL_PASSWORD_FILE => true,
        // Created empty at start; only what is in them shows use.
        "spool" | "attachments" => non_empty_dir(name),
        // Copies of the database: a migration's backup, a restore's keep.
        n => n.starts_with(&format!("{DB_FILE}.")) && !n.ends_with(".restoring"),
    }
}

/// Why the daemon does not start, for the log and the terminal: Indonesian, then English.
pub fn refusal(data: &Path, file: DbFile, signs: &[String]) -> String {
    let (id, en) = match file {
        DbFile::Absent => ("tidak ada", "is missing"),
        DbFile::Empty => ("kosong (0 bita)", "is empty (0 bytes)"),
        DbFile::NoSchema => ("tidak berisi data loket", "holds no loket data"),
        DbFile::InUse => ("dipakai", "is in use"),
    };
    let db = data.join(DB_FILE);
    let signs = signs.join(", ");
    format!(
        "basis data {db} {id}, padahal direktori data ini pernah dipakai ({signs}). \
         loket tidak memulai basis data baru dengan sendirinya: nomor antrean akan mulai \
         lagi dari A-001. Pulihkan cadangan: `loket restore FILE --data {data}`; atau, bila \
         memang ingin mulai baru, `loket serve --init` (berkas lama disimpan di samping).\n\
         database {db} {en}, but this data directory was used before ({signs}). loket does \
         not start a new database by itself: queue numbers would start again at A-001. \
         Restore a backup: `loket restore FILE --data {data}`; or, for a deliberate fresh \
         start, `loket serve --init` (the old files are kept aside).",
        db = db.display(),
        data = data.display(),
    )
}

/// What `--init` moved aside: recorded in the new database's audit log.
#[derive(Debug, Clone)]
pub struct SetAside {
    pub dir: PathBuf,
    pub names: Vec<String>,
}

/// Checks the data directory before the store opens it. `Ok(None)`: start as usual (a
/// database in use, or a directory never used). `Ok(Some(_))`: `init` moved the earlier
/// files aside for a fresh start. `Err`: refused, with the message to show.
pub fn check(data: &Path, init: bool, now: DateTime<Utc>) -> Result<Option<SetAside>, String> {
    let file = db_file(data);
    if file == DbFile::InUse {
        if init {
            return Err(format!(
                "--init: basis data {db} berisi data; mulai baru hanya bila basis data tidak \
                 ada atau kosong / --init: database {db} holds data; a fresh start is only \
                 for a missing or empty database (restore or move it first)",
                db = data.join(DB_FILE).display()
            ));
        }
        return Ok(None);
    }
    let signs = earlier_use(data);
    if signs.is_empty() {
        return Ok(None);
    }
    if !init {
        return Err(refusal(data, file, &signs));
    }
    let dir = data.join(format!("before-init-{}", now.format("%Y%m%dT%H%M%SZ")));
    std::fs::create_dir(&dir).map_err(|e| format!("--init: {}: {e}", dir.display()))?;
    let mut names = signs;
    if file != DbFile::Absent {
        names.push(DB_FILE.to_string());
    }
    // A fresh start numbers tickets from 1 again: a new survey key keeps the QR codes of
    // earlier tickets from answering for new ones with the same id.
    if data.join(crate::survey::link::FILE).exists() {
        names.push(crate::survey::link::FILE.to_string());
    }
    for name in &names {
        let (from, to) = (data.join(name), dir.join(name));
        std::fs::rename(&from, &to)
            .map_err(|e| format!("--init: cannot move {} aside: {e}", from.display()))?;
    }
    for d in [&dir, &data.to_path_buf()] {
        if let Ok(f) = std::fs::File::open(d) {
            let _ = f.sync_all();
        }
    }
    Ok(Some(SetAside { dir, names }))
}

/// Writes the marker once, after the store opened: when the database was made, and its
/// identity (the hash of its first audit entry), so a technician can tell a replaced file.
pub fn write_marker(data: &Path, now: DateTime<Utc>, identity: &str) -> std::io::Result<()> {
    let path = data.join(MARKER);
    if path.exists() {
        return Ok(());
    }
    let text = format!(
        "# loket ran in this directory; a missing or empty loket.redb beside this file is refused at start\ncreated = \"{}\"\ndatabase_first_audit_hash = \"{identity}\"\n",
        now.to_rfc3339()
    );
    crate::app::write_private(&path, &text)?;
    if let Ok(d) = std::fs::File::open(data) {
        let _ = d.sync_all();
    }
    Ok(())
}
