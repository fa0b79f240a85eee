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
    Printed { id: TicketId, outcome: PrintOutcome },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintOutcome {
    Printed,
    /// Not a byte was sent: the printer was not ready when the job's turn came.
    NotSent(String),
    /// Sent, at least in part, and not confirmed: the paper may or may not have come out.
    Failed(String),
}

enum Job {
    Ticket(Box<PrintJob>),
    Test(oneshot::Sender<Result<(), String>>),
    Status(oneshot::Sender<PrinterStatus>),
    /// Finish what is queued before it, then end the thread, whoever still holds a handle.
    Stop,
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
                    resync_needed: false,
                };
                worker.poll();
                loop {
                    match rx.recv_timeout(interval) {
                        Ok(Job::Stop) => break,
                        Ok(job) => worker.run_guarded(job),
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

    /// Ends the printer thread after the jobs already queued.
    pub fn stop(&self) {
        let _ = self.tx.send(Job::Stop);
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
    resync_needed: bool,
}

/// Larger than any raster a ticket sends (80 mm: 72 bytes × a few hundred rows).
const RESYNC_BYTES: usize = 32 * 1024;

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
    fn send(&mut self, name: &str, bytes: &[u8]) -> PrintOutcome {
        let status = self.poll();
        if !status.ready() {
            return PrintOutcome::NotSent(status.label_id().to_string());
        }
        if self.resync_needed {
            // The last job broke off part-way, perhaps inside a raster image whose remaining
            // bytes the printer still expects: fill it with blank rows and reset, so this job
            // is not read as image data.
            let mut fill = vec![0u8; RESYNC_BYTES];
            fill.extend_from_slice(&[0x1b, b'@']);
            if let Err(e) = self.transport.write_all(&fill) {
                self.transport.disconnect();
                self.poll();
                return PrintOutcome::NotSent(e.to_string());
            }
            self.resync_needed = false;
        }
        self.transport.begin_job(name);
        let r = self
            .transport
            .write_all(bytes)
            .and_then(|()| self.transport.end_job());
        if let Err(e) = r {
            self.resync_needed = true;
            self.transport.disconnect();
            self.poll();
            return PrintOutcome::Failed(e.to_string());
        }
        // Paper can run out during the job, and a connection can die with the job still in
        // a socket buffer: only a printer that answers "ready" afterwards has printed it.
        let after = self.poll();
        if !after.ready() {
            return PrintOutcome::Failed(after.label_id().to_string());
        }
        PrintOutcome::Printed
    }

    /// A panic in one job must not take the printer thread (and every waiting kiosk) down.
    fn run_guarded(&mut self, job: Job) {
        let id = match &job {
            Job::Ticket(j) => Some(j.ticket.id),
            _ => None,
        };
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run(job)));
        if r.is_err() {
            error!("printer job panicked");
            self.resync_needed = true;
            if let Some(id) = id {
                (self.notify)(PrinterEvent::Printed {
                    id,
                    outcome: PrintOutcome::Failed("internal error".to_string()),
                });
            }
        }
    }

    fn run(&mut self, job: Job) {
        match job {
            Job::Ticket(job) => {
                let bytes = ticket_bytes(&self.config, self.base_url.as_deref(), &job);
                let name = format!("{:010}", job.ticket.id);
                let outcome = self.send(&name, &bytes);
                if outcome != PrintOutcome::Printed {
                    error!(ticket = %job.ticket.label, ?outcome, "ticket not printed");
                }
                (self.notify)(PrinterEvent::Printed {
                    id: job.ticket.id,
                    outcome,
                });
            }
            Job::Test(reply) => {
                let now = self.clock.now();
                let bytes = test_page_bytes(&self.config, self.base_url.as_deref(), now);
                let name = format!("test-{}", now.format("%Y%m%dT%H%M%S"));
                let r = match self.send(&name, &bytes) {
                    PrintOutcome::Printed => Ok(()),
                    PrintOutcome::NotSent(why) | PrintOutcome::Failed(why) => Err(why),
                };
                let _ = reply.send(r);
            }
            Job::Status(reply) => {
                let _ = reply.send(self.poll());
            }
            Job::Stop => {}
        }
    }
}

#[cfg(test)]
mod tests {
    //! The printer thread's job handling against a scripted device: the edge a test cannot
    //! reach with a real printer (a write failing or stalling part-way).

    use std::io;
    use std::sync::Mutex;

    use chrono::{NaiveDate, TimeZone, Utc};

    use super::*;
    use crate::clock::SystemClock;
    use crate::queue::{Estimate, PrintState, Ticket, TicketState};

    struct Scripted {
        status: [u8; 3],
        answers: bool,
        /// Accept this many bytes of the next job, then fail with this error.
        fail_after: Option<(usize, io::ErrorKind)>,
        written: Vec<u8>,
    }

    impl Transport for Scripted {
        fn describe(&self) -> String {
            "scripted".to_string()
        }

        fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
            if let Some((n, kind)) = self.fail_after.take() {
                self.written.extend_from_slice(&bytes[..n.min(bytes.len())]);
                return Err(io::Error::new(kind, "scripted failure"));
            }
            self.written.extend_from_slice(bytes);
            Ok(())
        }

        fn query(&mut self, n: u8) -> io::Result<Option<u8>> {
            if !self.answers {
                return Err(io::Error::new(io::ErrorKind::TimedOut, "no answer"));
            }
            Ok(Some(
                self.status[match n {
                    1 => 0,
                    2 => 1,
                    _ => 2,
                }],
            ))
        }
    }

    fn job() -> PrintJob {
        PrintJob {
            ticket: Ticket {
                id: 1,
                service_day: NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"),
                issued_service: "A".into(),
                service: "A".into(),
                prefix: "A".into(),
                number: 1,
                label: "A-001".into(),
                priority: false,
                state: TicketState::Waiting,
                issued_at: Utc
                    .with_ymd_and_hms(2026, 11, 30, 2, 0, 0)
                    .single()
                    .expect("t"),
                counter: None,
                called_at: None,
                serving_at: None,
                finished_at: None,
                calls: 0,
                call_order: 0,
                print: PrintState::Pending,
                history: Vec::new(),
            },
            estimate: Estimate {
                people_ahead: 0,
                minutes: 0,
            },
        }
    }

    fn run_jobs(t: &mut Scripted, jobs: usize) -> Vec<PrinterEvent> {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let mut w = Worker {
            transport: t,
            config: Arc::new(Config::embedded().expect("config")),
            base_url: None,
            clock: Arc::new(SystemClock),
            notify: Box::new(move |e| sink.lock().expect("lock").push(e)),
            status: Some(PrinterStatus::Online),
            resync_needed: false,
        };
        for _ in 0..jobs {
            w.run_guarded(Job::Ticket(Box::new(job())));
        }
        events.lock().expect("lock").clone()
    }

    fn outcomes(events: &[PrinterEvent]) -> Vec<PrintOutcome> {
        events
            .iter()
            .filter_map(|e| match e {
                PrinterEvent::Printed { outcome, .. } => Some(outcome.clone()),
                PrinterEvent::Status(_) => None,
            })
            .collect()
    }

    const ONLINE: [u8; 3] = [0x12, 0x12, 0x12];

    #[test]
    fn a_write_failing_part_way_is_a_failed_print_and_the_next_job_resyncs_first() {
        let mut t = Scripted {
            status: ONLINE,
            answers: true,
            fail_after: Some((300, io::ErrorKind::BrokenPipe)),
            written: Vec::new(),
        };
        let events = run_jobs(&mut t, 2);
        assert_eq!(
            outcomes(&events),
            [
                PrintOutcome::Failed("scripted failure".into()),
                PrintOutcome::Printed
            ]
        );
        let expected = ticket_bytes(&Config::embedded().expect("config"), None, &job());
        assert_eq!(&t.written[..300], &expected[..300]);
        let rest = &t.written[300..];
        assert!(rest[..RESYNC_BYTES].iter().all(|b| *b == 0));
        assert_eq!(&rest[RESYNC_BYTES..RESYNC_BYTES + 2], &[0x1b, b'@']);
        assert_eq!(&rest[RESYNC_BYTES + 2..], &expected[..]);
    }

    #[test]
    fn a_write_that_times_out_is_a_failed_print() {
        let mut t = Scripted {
            status: ONLINE,
            answers: true,
            fail_after: Some((0, io::ErrorKind::TimedOut)),
            written: Vec::new(),
        };
        assert!(matches!(
            outcomes(&run_jobs(&mut t, 1))[..],
            [PrintOutcome::Failed(_)]
        ));
    }

    #[test]
    fn a_printer_not_ready_gets_no_byte() {
        let mut t = Scripted {
            status: [0x1a, 0x32, 0x72],
            answers: true,
            fail_after: None,
            written: Vec::new(),
        };
        let events = run_jobs(&mut t, 1);
        assert_eq!(
            outcomes(&events),
            [PrintOutcome::NotSent("Kertas habis".into())]
        );
        assert!(t.written.is_empty());
        assert!(events.contains(&PrinterEvent::Status(PrinterStatus::PaperEnd)));

        let mut silent = Scripted {
            status: ONLINE,
            answers: false,
            fail_after: None,
            written: Vec::new(),
        };
        let events = run_jobs(&mut silent, 1);
        assert_eq!(
            outcomes(&events),
            [PrintOutcome::NotSent("Printer tidak terhubung".into())]
        );
        assert!(silent.written.is_empty());
    }
}
