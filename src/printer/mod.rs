//! The ticket output seam: the issue path hands each committed ticket to a printer, on a
//! thread of its own so paper never holds up the queue. This build ships the spool printer.

mod spool;
mod text;

use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;

use tracing::{error, info};

pub use spool::SpoolPrinter;
pub use text::render_text;

use crate::config::Config;
use crate::queue::{Estimate, Issued, Ticket};

/// Everything a printed ticket shows.
#[derive(Debug, Clone)]
pub struct PrintJob {
    pub ticket: Ticket,
    pub estimate: Estimate,
}

pub trait TicketPrinter: Send {
    /// How the log and health page name it, e.g. `spool /var/lib/loket/spool`.
    fn describe(&self) -> String;
    fn print(&mut self, config: &Config, job: &PrintJob) -> std::io::Result<()>;
}

/// Sender side of the printer thread. Dropping it lets the thread finish the jobs already
/// queued and stop.
pub struct PrintQueue {
    tx: Option<mpsc::Sender<PrintJob>>,
}

impl PrintQueue {
    pub fn start(
        mut printer: Box<dyn TicketPrinter>,
        config: Arc<Config>,
    ) -> std::io::Result<(Self, JoinHandle<()>)> {
        let (tx, rx) = mpsc::channel::<PrintJob>();
        info!(printer = %printer.describe(), "ticket output");
        let thread = std::thread::Builder::new()
            .name("loket-printer".to_string())
            .spawn(move || {
                for job in rx {
                    if let Err(e) = printer.print(&config, &job) {
                        error!(ticket = %job.ticket.label, error = %e, "ticket not printed");
                    }
                }
            })?;
        Ok((Self { tx: Some(tx) }, thread))
    }

    /// A queue that discards (`printer.kind = "none"` and tests of other parts).
    pub fn none() -> Self {
        Self { tx: None }
    }

    pub fn submit(&self, issued: &Issued) {
        if let Some(tx) = &self.tx {
            let job = PrintJob {
                ticket: issued.ticket.clone(),
                estimate: issued.estimate,
            };
            if tx.send(job).is_err() {
                error!(ticket = %issued.ticket.label, "printer thread has stopped");
            }
        }
    }
}
