//! Paper tickets and complaint receipts: the layouts in ESC/POS, the transports to a real
//! printer, its status, and the printer thread that owns the device. Printing never runs on
//! the async executor.

pub mod cli;
mod code_pages;
pub mod escpos;
mod layout;
pub mod raster;
mod receipt;
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
pub use receipt::{
    COMPLAINT_TRACKING_PATH, ComplaintReceipt, complaint_tracking_url, receipt_bytes,
};
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

/// Called once with a receipt's outcome.
pub type ReceiptDone = Box<dyn FnOnce(PrintOutcome) + Send>;

/// A receipt's `done`, answered exactly once: a job dropped unprinted (queued behind `Stop`,
/// or sent after the thread ended) answers `NotSent` as it is dropped, so no caller waits
/// for an outcome that never comes.
struct Reply(Option<ReceiptDone>);

impl Reply {
    fn send(mut self, outcome: PrintOutcome) {
        if let Some(done) = self.0.take() {
            done(outcome);
        }
    }
}

impl Drop for Reply {
    fn drop(&mut self) {
        if let Some(done) = self.0.take() {
            done(PrintOutcome::NotSent("printer thread stopped".to_string()));
        }
    }
}

enum Job {
    Ticket(Box<PrintJob>),
    Receipt(Box<ComplaintReceipt>, Reply),
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

    /// Queues a complaint receipt, printed like a ticket (status before, the whole job, status
    /// after). `done` gets the outcome exactly once: also when the thread has stopped
    /// (`NotSent`) or the job failed inside (`Failed`). It runs on the printer thread, or on
    /// the caller's when the printer thread has already ended; it must not block. For callers
    /// off the async executor (the store's thread).
    pub fn print_receipt_then(&self, receipt: ComplaintReceipt, done: ReceiptDone) {
        // A send that fails drops the job, and with it `Reply`, which answers `NotSent`.
        let _ = self
            .tx
            .send(Job::Receipt(Box::new(receipt), Reply(Some(done))));
    }

    /// Prints a complaint receipt and waits for the outcome. A receipt that did not print
    /// (`NotSent`, or `Failed`: it may or may not have come out) is printed again by calling
    /// this once more, with `reprinted_at` set so the slip says it is a reprint.
    pub async fn print_receipt(&self, receipt: ComplaintReceipt) -> PrintOutcome {
        let (reply, rx) = oneshot::channel();
        self.print_receipt_then(
            receipt,
            Box::new(move |outcome| {
                let _ = reply.send(outcome);
            }),
        );
        rx.await
            .unwrap_or_else(|_| PrintOutcome::NotSent("printer thread stopped".to_string()))
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
        if let Job::Receipt(receipt, reply) = job {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.print_receipt(&receipt)
            }));
            let outcome = r.unwrap_or_else(|_| {
                error!("printer job panicked");
                self.resync_needed = true;
                PrintOutcome::Failed("internal error".to_string())
            });
            // The caller's callback runs here too; its panic is not the printer's.
            let sent = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                reply.send(outcome);
            }));
            if sent.is_err() {
                error!("receipt outcome callback panicked");
            }
            return;
        }
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

    fn print_receipt(&mut self, receipt: &ComplaintReceipt) -> PrintOutcome {
        let bytes = receipt_bytes(&self.config, self.base_url.as_deref(), receipt);
        let outcome = self.send(&receipt_job_name(&receipt.number), &bytes);
        // The number only: the tracking code is the complainant's secret, not the log's.
        if outcome == PrintOutcome::Printed {
            info!(complaint = %receipt.number, "complaint receipt printed");
        } else {
            error!(complaint = %receipt.number, ?outcome, "complaint receipt not printed");
        }
        outcome
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
            Job::Receipt(receipt, reply) => reply.send(self.print_receipt(&receipt)),
            Job::Status(reply) => {
                let _ = reply.send(self.poll());
            }
            Job::Stop => {}
        }
    }
}

/// The job's name (the spool's file name): the register number with everything but letters
/// and digits as `_`, so a number's `/` cannot reach outside the spool directory, and no `-`,
/// which the spool uses to number a reprint's file.
fn receipt_job_name(number: &str) -> String {
    let safe: String = number
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("pengaduan_{safe}")
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
                place: None,
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

    fn receipt() -> ComplaintReceipt {
        let config = Config::embedded().expect("config");
        ComplaintReceipt {
            office: config.office.clone(),
            number: "PGD/2026/11/0042".into(),
            received_at: Utc
                .with_ymd_and_hms(2026, 11, 30, 3, 15, 0)
                .single()
                .expect("t"),
            service: "Pengaduan".into(),
            channel: "Datang langsung".into(),
            tracking_code: "K7QM-2XHD-9RTA".into(),
            officer: Some("Budi Santoso".into()),
            reprinted_at: None,
        }
    }

    fn worker<'a>(t: &'a mut dyn Transport, events: Arc<Mutex<Vec<PrinterEvent>>>) -> Worker<'a> {
        Worker {
            transport: t,
            config: Arc::new(Config::embedded().expect("config")),
            base_url: Some("http://192.168.1.10:8080".into()),
            clock: Arc::new(SystemClock),
            notify: Box::new(move |e| events.lock().expect("lock").push(e)),
            status: Some(PrinterStatus::Online),
            resync_needed: false,
        }
    }

    /// Runs receipts on a worker; the outcomes each `done` received, in order.
    fn run_receipts(w: &mut Worker<'_>, receipts: Vec<ComplaintReceipt>) -> Vec<PrintOutcome> {
        let got = Arc::new(Mutex::new(Vec::new()));
        for r in receipts {
            let sink = got.clone();
            w.run_guarded(Job::Receipt(
                Box::new(r),
                Reply(Some(Box::new(move |o| sink.lock().expect("lock").push(o)))),
            ));
        }
        got.lock().expect("lock").clone()
    }

    #[test]
    fn a_receipt_is_sent_whole_and_its_outcome_reported_once() {
        let mut t = Scripted {
            status: ONLINE,
            answers: true,
            fail_after: None,
            written: Vec::new(),
        };
        let events = Arc::new(Mutex::new(Vec::new()));
        let outcomes = run_receipts(&mut worker(&mut t, events.clone()), vec![receipt()]);
        assert_eq!(outcomes, [PrintOutcome::Printed]);
        let expected = receipt_bytes(
            &Config::embedded().expect("config"),
            Some("http://192.168.1.10:8080"),
            &receipt(),
        );
        assert_eq!(t.written, expected);
        // A receipt is no ticket: the store hears nothing about ticket prints.
        assert!(
            !events
                .lock()
                .expect("lock")
                .iter()
                .any(|e| matches!(e, PrinterEvent::Printed { .. }))
        );
    }

    #[test]
    fn a_receipt_the_printer_is_not_ready_for_gets_no_byte() {
        let mut t = Scripted {
            status: [0x1a, 0x16, 0x12],
            answers: true,
            fail_after: None,
            written: Vec::new(),
        };
        let outcomes = run_receipts(
            &mut worker(&mut t, Arc::new(Mutex::new(Vec::new()))),
            vec![receipt()],
        );
        assert_eq!(
            outcomes,
            [PrintOutcome::NotSent("Penutup printer terbuka".into())]
        );
        assert!(t.written.is_empty());
    }

    #[test]
    fn a_receipt_broken_off_part_way_fails_and_the_next_job_resyncs_first() {
        let mut t = Scripted {
            status: ONLINE,
            answers: true,
            fail_after: Some((100, io::ErrorKind::BrokenPipe)),
            written: Vec::new(),
        };
        let mut again = receipt();
        again.reprinted_at = Some(Utc::now());
        let expected = receipt_bytes(
            &Config::embedded().expect("config"),
            Some("http://192.168.1.10:8080"),
            &again,
        );
        let outcomes = run_receipts(
            &mut worker(&mut t, Arc::new(Mutex::new(Vec::new()))),
            vec![receipt(), again],
        );
        assert_eq!(
            outcomes,
            [
                PrintOutcome::Failed("scripted failure".into()),
                PrintOutcome::Printed
            ]
        );
        let rest = &t.written[100..];
        assert!(rest[..RESYNC_BYTES].iter().all(|b| *b == 0));
        assert_eq!(&rest[RESYNC_BYTES..RESYNC_BYTES + 2], &[0x1b, b'@']);
        assert_eq!(&rest[RESYNC_BYTES + 2..], &expected[..]);
    }

    #[test]
    fn receipts_spool_under_a_name_that_stays_in_the_spool_and_reprints_beside() {
        let dir = tempfile::tempdir().expect("tempdir");
        let spool = dir.path().join("spool");
        let mut t = transport::SpoolTransport::new(&spool).expect("spool");
        let mut hostile = receipt();
        hostile.number = "../../PGD/2026-11/0042".into();
        let outcomes = run_receipts(
            &mut worker(&mut t, Arc::new(Mutex::new(Vec::new()))),
            vec![receipt(), receipt(), hostile],
        );
        assert_eq!(outcomes, vec![PrintOutcome::Printed; 3]);
        let mut names: Vec<String> = std::fs::read_dir(&spool)
            .expect("read spool")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "pengaduan_PGD_2026_11_0042-2.escpos",
                "pengaduan_PGD_2026_11_0042.escpos",
                "pengaduan_______PGD_2026_11_0042.escpos",
            ]
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("read dir").count(),
            1,
            "nothing written beside the spool"
        );
    }

    /// A transport the test can read after the printer thread took it.
    struct Shared(Arc<Mutex<Scripted>>);

    impl Transport for Shared {
        fn describe(&self) -> String {
            "shared".to_string()
        }

        fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
            self.0.lock().expect("lock").write_all(bytes)
        }

        fn query(&mut self, n: u8) -> io::Result<Option<u8>> {
            self.0.lock().expect("lock").query(n)
        }
    }

    #[tokio::test]
    async fn print_receipt_answers_through_the_printer_thread_and_after_it_stopped() {
        let device = Arc::new(Mutex::new(Scripted {
            status: ONLINE,
            answers: true,
            fail_after: None,
            written: Vec::new(),
        }));
        let config = Arc::new(Config::embedded().expect("config"));
        let (printer, thread) = Printer::start(
            Box::new(Shared(device.clone())),
            config.clone(),
            None,
            Arc::new(SystemClock),
            Box::new(|_| {}),
        )
        .expect("start");
        assert_eq!(
            printer.print_receipt(receipt()).await,
            PrintOutcome::Printed
        );
        assert_eq!(
            device.lock().expect("lock").written,
            receipt_bytes(&config, None, &receipt())
        );
        printer.stop();
        tokio::task::spawn_blocking(move || thread.join().expect("join"))
            .await
            .expect("joined");
        assert_eq!(
            printer.print_receipt(receipt()).await,
            PrintOutcome::NotSent("printer thread stopped".into())
        );
    }

    #[test]
    fn a_receipt_queued_behind_stop_is_answered_not_sent() {
        let device = Arc::new(Mutex::new(Scripted {
            status: ONLINE,
            answers: true,
            fail_after: None,
            written: Vec::new(),
        }));
        let (printer, thread) = Printer::start(
            Box::new(Shared(device.clone())),
            Arc::new(Config::embedded().expect("config")),
            None,
            Arc::new(SystemClock),
            Box::new(|_| {}),
        )
        .expect("start");
        let got = Arc::new(Mutex::new(Vec::new()));
        printer.stop();
        let sink = got.clone();
        printer.print_receipt_then(
            receipt(),
            Box::new(move |o| sink.lock().expect("lock").push(o)),
        );
        thread.join().expect("join");
        assert_eq!(
            *got.lock().expect("lock"),
            [PrintOutcome::NotSent("printer thread stopped".into())]
        );
        assert!(device.lock().expect("lock").written.is_empty());
    }

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
