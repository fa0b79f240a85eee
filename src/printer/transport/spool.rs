//! The spool: the exact bytes a printer would receive, one file per job in `DATA/spool/`,
//! named `<job>.escpos`; written under a temporary name and renamed, so a reader never sees
//! half a job.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::Transport;

pub struct SpoolTransport {
    dir: PathBuf,
    job: Option<(String, fs::File)>,
}

impl SpoolTransport {
    pub fn new(dir: &Path) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            job: None,
        })
    }
}

impl Transport for SpoolTransport {
    fn describe(&self) -> String {
        format!("spool {}", self.dir.display())
    }

    fn reports_status(&self) -> bool {
        false
    }

    fn begin_job(&mut self, name: &str) {
        // A reprint gets a file of its own, beside the first print's.
        let mut name = name.to_string();
        let mut n = 1;
        while self.dir.join(format!("{name}.escpos")).exists() {
            n += 1;
            name = format!("{}-{n}", name.split('-').next().unwrap_or(&name));
        }
        let tmp = self.dir.join(format!(".{name}.tmp"));
        self.job = fs::File::create(tmp).ok().map(|f| (name, f));
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.job {
            Some((_, f)) => f.write_all(bytes),
            None => Err(io::Error::other("spool: no job open")),
        }
    }

    fn query(&mut self, _n: u8) -> io::Result<Option<u8>> {
        Ok(None)
    }

    fn end_job(&mut self) -> io::Result<()> {
        let Some((name, f)) = self.job.take() else {
            return Ok(());
        };
        drop(f);
        fs::rename(
            self.dir.join(format!(".{name}.tmp")),
            self.dir.join(format!("{name}.escpos")),
        )
    }
}
