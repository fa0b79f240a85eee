//! Paper tickets: the layout in ESC/POS, the transports to a real printer, its status, and
//! the printer thread that owns the device. Printing never runs on the async executor.

pub mod cli;
mod code_pages;
pub mod escpos;
mod layout;
pub mod raster;
pub mod sanitize;
mod status;
pub mod transport;

use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::oneshot;
use tracing::{error, info, warn};

pub use layout::{PrintJob, test_page_bytes, ticket_bytes, tracking_url};
pub use status::{PrinterStatus, parse as parse_status};

use crate::clock::Clock;
use crate::config::{Config, FailurePolicy};
use crate::queue::{PrintMode, TicketId};
use transport::{Transport, read_status};

/// What the printer thread tells the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrinterEvent {
    Status(PrinterStatus),
    Printed { id: TicketId, ok: bool },
}

enum Job {
    Ticket(Box<PrintJob>),
    Test(oneshot::Sender<Result<(), String>>),
    Status(oneshot::Sender<PrinterStatus>),
}

/// The async side's handle to the printer thread; cheap to clone.
#[derive(Clone)]
pub struct Printer {
    tx: mpsc::Sender<Job>,
    policy: FailurePolicy,
    describe: Arc<str>,
    live_status: bool,
}

impl Printer {
    /// Starts the printer thread on `transport`. `notify` carries status changes and print
    /// outcomes to the store; it is called from the printer thread.
    pub fn start(
        mut transport: Box<dyn Transport>,
        config: Arc<Config>,
        base_url: Option<String>,
        clock: Arc<dyn Clock>,
        notify: Box<dyn Fn(PrinterEvent) + Send>,
    ) -> std::io::Result<(Self, JoinHandle<()>)> {
        let (tx, rx) = mpsc::channel::<Job>();
        let describe: Arc<str> = transport.describe().into();
        let live_status = transport.reports_status();
        info!(printer = %describe, policy = ?config.printer.on_failure, "ticket printer");
        let interval = Duration::from_secs(config.printer.status_interval_secs);
        let policy = config.printer.on_failure;
        let thread = std::thread::Builder::new()
            .name("loket-printer".to_string())
            .spawn(move || {
                let mut worker = Worker {
                    transport: transport.as_mut(),
                    config,
                    base_url,
                    clock,
                    notify,
                    status: None,
                };
                worker.poll();
                loop {
                    match rx.recv_timeout(interval) {
                        Ok(job) => worker.run(job),
                        Err(RecvTimeoutError::Timeout) => {
                            worker.poll();
                        }
                        // Every handle is gone: the jobs already queued were done above.
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
                info!("printer thread stopped");
            })?;
        Ok((
            Self {
                tx,
                policy,
                describe,
                live_status,
            },
            thread,
        ))
    }

    pub fn describe(&self) -> &str {
        &self.describe
    }

    /// How new tickets relate to paper under the configured policy.
    pub fn mode(&self) -> PrintMode {
        match self.policy {
            FailurePolicy::Refuse => PrintMode::HoldUntilPrinted,
            FailurePolicy::ShowOnScreen => PrintMode::ShowOnScreen,
        }
    }

    pub fn policy(&self) -> FailurePolicy {
        self.policy
    }

    /// Queues a ticket; the outcome comes back through `notify`.
    pub fn print(&self, job: PrintJob) -> bool {
        self.tx.send(Job::Ticket(Box::new(job))).is_ok()
    }

    /// Whether asking the printer can tell anything (a real device, not the spool).
    pub fn reports_status(&self) -> bool {
        self.live_status
    }

    /// Asks the printer now (DLE EOT), not the last poll's answer.
    pub async fn status_now(&self) -> PrinterStatus {
        let (reply, rx) = oneshot::channel();
        if self.tx.send(Job::Status(reply)).is_err() {
            return PrinterStatus::Unreachable;
        }
        rx.await.unwrap_or(PrinterStatus::Unreachable)
    }

    pub async fn test_print(&self) -> Result<(), String> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job::Test(reply))
            .map_err(|_| "printer thread stopped".to_string())?;
        rx.await
            .unwrap_or_else(|_| Err("printer thread stopped".to_string()))
    }
}

struct Worker<'a> {
    transport: &'a mut dyn Transport,
    config: Arc<Config>,
    base_url: Option<String>,
    clock: Arc<dyn Clock>,
    notify: Box<dyn Fn(PrinterEvent) + Send>,
    status: Option<PrinterStatus>,
}

impl Worker<'_> {
    fn poll(&mut self) -> PrinterStatus {
        let status = read_status(self.transport);
        if self.status != Some(status) {
            if status.ready() {
                info!(printer = %self.transport.describe(), ?status, "printer status");
            } else {
                warn!(printer = %self.transport.describe(), ?status, "printer not ready");
            }
            self.status = Some(status);
            (self.notify)(PrinterEvent::Status(status));
        }
        status
    }

    /// Status first, then the whole job; any failure part-way leaves the ticket unprinted.
    fn send(&mut self, name: &str, bytes: &[u8]) -> Result<(), String> {
        let status = self.poll();
        if !status.ready() {
            return Err(status.label_id().to_string());
        }
        self.transport.begin_job(name);
        let r = self
            .transport
            .write_all(bytes)
            .and_then(|()| self.transport.end_job());
        if let Err(e) = r {
            self.transport.disconnect();
            self.poll();
            return Err(e.to_string());
        }
        // Paper can run out during the job, and a connection can die with the job still in
        // a socket buffer: only a printer that answers "ready" afterwards has printed it.
        let after = self.poll();
        if !after.ready() {
            return Err(after.label_id().to_string());
        }
        Ok(())
    }

    fn run(&mut self, job: Job) {
        match job {
            Job::Ticket(job) => {
                let bytes = ticket_bytes(&self.config, self.base_url.as_deref(), &job);
                let name = format!("{:010}", job.ticket.id);
                let r = self.send(&name, &bytes);
                if let Err(e) = &r {
                    error!(ticket = %job.ticket.label, error = %e, "ticket not printed");
                }
                (self.notify)(PrinterEvent::Printed {
                    id: job.ticket.id,
                    ok: r.is_ok(),
                });
            }
            Job::Test(reply) => {
                let now = self.clock.now();
                let bytes = test_page_bytes(&self.config, self.base_url.as_deref(), now);
                let name = format!("test-{}", now.format("%Y%m%dT%H%M%S"));
                let _ = reply.send(self.send(&name, &bytes));
            }
            Job::Status(reply) => {
                let _ = reply.send(self.poll());
            }
        }
    }
}
