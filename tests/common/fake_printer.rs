//! A network ESC/POS printer on loopback for fault tests: it parses what it receives command
//! by command, answers `DLE EOT` at command boundaries as a real printer does, and can be
//! told to run out of paper, open its cover, fall silent, or drop the connection mid-job.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::escpos::{Cmd, parse_one};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    None,
    /// Reads, never answers status.
    Silent,
    /// Closes the connection after this many more job bytes.
    DropAfter(usize),
}

struct State {
    /// Time taken before each status answer (a printer busy printing a long ticket).
    delay: std::time::Duration,
    status: [u8; 3],
    fault: Fault,
    /// Every job command received, status requests left out.
    jobs: Vec<Cmd>,
    job_bytes: usize,
}

#[derive(Clone)]
pub struct FakePrinter {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

pub const ONLINE: [u8; 3] = [0x12, 0x12, 0x12];
pub const PAPER_END: [u8; 3] = [0x1a, 0x32, 0x72];
pub const COVER_OPEN: [u8; 3] = [0x1a, 0x16, 0x12];

impl FakePrinter {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let state = Arc::new(Mutex::new(State {
            delay: Duration::ZERO,
            status: ONLINE,
            fault: Fault::None,
            jobs: Vec::new(),
            job_bytes: 0,
        }));
        let shared = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let state = shared.clone();
                std::thread::spawn(move || serve(conn, &state));
            }
        });
        Self { addr, state }
    }

    pub fn set_status(&self, status: [u8; 3]) {
        self.state.lock().expect("lock").status = status;
    }

    pub fn set_delay(&self, delay: Duration) {
        self.state.lock().expect("lock").delay = delay;
    }

    pub fn set_fault(&self, fault: Fault) {
        let mut s = self.state.lock().expect("lock");
        s.fault = fault;
        s.job_bytes = 0;
    }

    /// The job commands received so far; clears the log.
    pub fn take_jobs(&self) -> Vec<Cmd> {
        std::mem::take(&mut self.state.lock().expect("lock").jobs)
    }
}

fn serve(mut conn: TcpStream, state: &Mutex<State>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = match conn.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        pending.extend_from_slice(&buf[..n]);
        while let Some((cmd, len)) = parse_one(&pending) {
            pending.drain(..len);
            let mut s = state.lock().expect("lock");
            match cmd {
                Cmd::StatusRequest(n) => {
                    if s.fault == Fault::Silent {
                        continue;
                    }
                    let b = match n {
                        1 => s.status[0],
                        2 => s.status[1],
                        _ => s.status[2],
                    };
                    let delay = s.delay;
                    drop(s);
                    std::thread::sleep(delay);
                    if conn.write_all(&[b]).is_err() {
                        return;
                    }
                }
                cmd => {
                    s.job_bytes += len;
                    if let Fault::DropAfter(limit) = s.fault
                        && s.job_bytes >= limit
                    {
                        s.fault = Fault::None;
                        s.job_bytes = 0;
                        return;
                    }
                    s.jobs.push(cmd);
                }
            }
        }
    }
}
