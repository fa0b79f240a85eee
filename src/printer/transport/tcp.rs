//! A network printer's raw port (9100): bytes out, status bytes back on the same socket.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::{STATUS_TIMEOUT, Transport, request};

pub struct TcpTransport {
    address: String,
    timeout: Duration,
    stream: Option<TcpStream>,
}

impl TcpTransport {
    pub fn new(address: &str, timeout: Duration) -> Self {
        Self {
            address: address.to_string(),
            timeout,
            stream: None,
        }
    }

    fn stream(&mut self) -> io::Result<&mut TcpStream> {
        self.connect()?;
        self.stream
            .as_mut()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotConnected, "not connected"))
    }
}

impl Transport for TcpTransport {
    fn describe(&self) -> String {
        format!("tcp {}", self.address)
    }

    fn connect(&mut self) -> io::Result<()> {
        if self.stream.is_some() {
            return Ok(());
        }
        let addr = self
            .address
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address"))?;
        // Connecting is part of every status check: bounded like one.
        let s = TcpStream::connect_timeout(&addr, STATUS_TIMEOUT.max(Duration::from_secs(1)))?;
        s.set_read_timeout(Some(STATUS_TIMEOUT))?;
        s.set_write_timeout(Some(self.timeout))?;
        s.set_nodelay(true)?;
        self.stream = Some(s);
        Ok(())
    }

    fn disconnect(&mut self) {
        self.stream = None;
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        let r = self.stream()?.write_all(bytes);
        if r.is_err() {
            self.disconnect();
        }
        r
    }

    fn query(&mut self, n: u8) -> io::Result<Option<u8>> {
        let s = self.stream()?;
        // A late answer to an earlier question would be read as this one's: drop it.
        s.set_nonblocking(true)?;
        let mut junk = [0u8; 64];
        while matches!(s.read(&mut junk), Ok(n) if n > 0) {}
        s.set_nonblocking(false)?;
        s.write_all(&request(n))?;
        let mut b = [0u8; 1];
        match s.read(&mut b) {
            Ok(1) => Ok(Some(b[0])),
            Ok(_) => {
                self.disconnect();
                Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "printer closed the connection",
                ))
            }
            Err(e) => {
                self.disconnect();
                Err(e)
            }
        }
    }
}
