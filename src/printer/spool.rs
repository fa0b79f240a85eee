//! The spool printer: each ticket becomes one file in `DATA/spool/`, so the daemon runs
//! with no printer attached and the output can be inspected.

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use super::{PrintJob, TicketPrinter, render_text};
use crate::config::Config;

pub struct SpoolPrinter {
    dir: PathBuf,
}

impl SpoolPrinter {
    pub fn new(dir: PathBuf) -> std::io::Result<Self> {
        fs::create_dir_all(&dir)?;
        Ok(Self { dir })
    }
}

impl TicketPrinter for SpoolPrinter {
    fn describe(&self) -> String {
        format!("spool {}", self.dir.display())
    }

    fn print(&mut self, config: &Config, job: &PrintJob) -> std::io::Result<()> {
        let name = format!("{:010}.txt", job.ticket.id);
        let tmp = self.dir.join(format!(".{name}.tmp"));
        {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(render_text(config, job).as_bytes())?;
        }
        // Rename so a reader never sees half a ticket.
        fs::rename(&tmp, self.dir.join(name))
    }
}
