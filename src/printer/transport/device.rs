//! A printer device node: `/dev/usb/lp0` (the kernel's usblp driver) or a udev symlink to it.
//! Opened non-blocking so a status read that gets no answer times out instead of hanging.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{STATUS_TIMEOUT, Transport, request};

/// `O_NONBLOCK` on Linux (x86_64 and aarch64 alike).
const O_NONBLOCK: i32 = 0o4000;

pub struct DeviceTransport {
    path: PathBuf,
    timeout: Duration,
    file: Option<File>,
}

impl DeviceTransport {
    pub fn new(path: &Path, timeout: Duration) -> Self {
        Self {
            path: path.to_path_buf(),
            timeout,
            file: None,
        }
    }

    fn file(&mut self) -> io::Result<&mut File> {
        self.connect()?;
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotConnected, "not open"))
    }
}

impl Transport for DeviceTransport {
    fn describe(&self) -> String {
        format!("device {}", self.path.display())
    }

    fn connect(&mut self) -> io::Result<()> {
        if self.file.is_none() {
            self.file = Some(
                OpenOptions::new()
                    .read(true)
                    .write(true)
                    .custom_flags(O_NONBLOCK)
                    .open(&self.path)?,
            );
        }
        Ok(())
    }

    fn disconnect(&mut self) {
        self.file = None;
    }

    fn write_all(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        let timeout = self.timeout;
        let deadline = Instant::now() + timeout;
        let r = (|| {
            let f = self.file()?;
            while !bytes.is_empty() {
                match f.write(bytes) {
                    Ok(0) => {
                        return Err(io::Error::new(
                            io::ErrorKind::WriteZero,
                            "printer took nothing",
                        ));
                    }
                    Ok(n) => bytes = &bytes[n..],
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        if Instant::now() > deadline {
                            return Err(io::Error::new(
                                io::ErrorKind::TimedOut,
                                "printer does not take data",
                            ));
                        }
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            f.flush()
        })();
        if r.is_err() {
            self.disconnect();
        }
        r
    }

    fn query(&mut self, n: u8) -> io::Result<Option<u8>> {
        // A late answer to an earlier question would be read as this one's: drop it.
        {
            let f = self.file()?;
            let mut junk = [0u8; 64];
            while matches!(f.read(&mut junk), Ok(n) if n > 0) {}
        }
        self.write_all(&request(n))?;
        let deadline = Instant::now() + STATUS_TIMEOUT;
        let f = self.file()?;
        let mut b = [0u8; 1];
        loop {
            match f.read(&mut b) {
                Ok(1) => return Ok(Some(b[0])),
                Ok(_) | Err(_) if Instant::now() > deadline => {
                    self.disconnect();
                    return Err(io::Error::new(io::ErrorKind::TimedOut, "no status answer"));
                }
                Ok(_) => std::thread::sleep(Duration::from_millis(5)),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                Err(e) => {
                    self.disconnect();
                    return Err(e);
                }
            }
        }
    }
}
