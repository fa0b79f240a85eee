//! Where the bytes go: a USB printer through libusb, a device node, a network printer's raw
//! port, or the spool directory. Every transport answers real-time status where the device
//! can; all of them block, and run only on the printer thread.

mod device;
mod spool;
mod tcp;
mod usb;

use std::io;
use std::path::Path;
use std::time::Duration;

use tracing::warn;

pub use device::DeviceTransport;
pub use spool::SpoolTransport;
pub use tcp::TcpTransport;
pub use usb::{UsbPrinterInfo, UsbTransport, list_usb_printers};

use super::escpos::status_request;
use super::status::{PrinterStatus, parse};
use crate::config::{PrinterConfig, PrinterKind};

pub trait Transport: Send {
    /// How logs and the status page name it, e.g. `usb 0416:5011 (POS58)`.
    fn describe(&self) -> String;

    /// False for a transport with no device behind it to ask (the spool): its status is
    /// always "ready", and nobody needs to wait for a fresh answer.
    fn reports_status(&self) -> bool {
        true
    }

    /// (Re)opens the device if it is not open: after an unplug, a printer switched off…
    fn connect(&mut self) -> io::Result<()> {
        Ok(())
    }

    /// Forgets the connection after an error so the next `connect` starts afresh.
    fn disconnect(&mut self) {}

    /// Names the next job (the spool uses it as the file name).
    fn begin_job(&mut self, _name: &str) {}

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()>;

    /// Sends `DLE EOT n` and reads the one status byte; `Ok(None)` when the transport has
    /// no way back from the device (the spool).
    fn query(&mut self, n: u8) -> io::Result<Option<u8>>;

    /// Ends a job (the spool renames its file into place).
    fn end_job(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Real-time status of the printer behind `t`.
pub fn read_status(t: &mut dyn Transport) -> PrinterStatus {
    if t.connect().is_err() {
        return PrinterStatus::Unreachable;
    }
    let mut answers = [0u8; 3];
    for (slot, n) in answers.iter_mut().zip([1u8, 2, 4]) {
        match t.query(n) {
            Ok(Some(b)) => *slot = b,
            Ok(None) => return PrinterStatus::Online,
            Err(e) => {
                warn!(printer = %t.describe(), error = %e, "no status answer");
                t.disconnect();
                return PrinterStatus::Unreachable;
            }
        }
    }
    parse(answers[0], answers[1], answers[2]).unwrap_or(PrinterStatus::Offline)
}

/// Builds the configured transport. `auto` takes a USB printer if one is plugged in now,
/// else the spool, and says so.
pub fn open(config: &PrinterConfig, spool_dir: &Path) -> io::Result<Option<Box<dyn Transport>>> {
    let timeout = Duration::from_millis(config.timeout_ms);
    Ok(match &config.kind {
        PrinterKind::Auto { usb_id } => match UsbTransport::find(*usb_id, timeout) {
            Some(t) => Some(Box::new(t)),
            None => {
                warn!(
                    spool = %spool_dir.display(),
                    "no USB printer found: tickets are written to the spool directory instead of paper"
                );
                Some(Box::new(SpoolTransport::new(spool_dir)?))
            }
        },
        PrinterKind::Usb { usb_id } => Some(Box::new(UsbTransport::new(*usb_id, timeout))),
        PrinterKind::Device { path } => Some(Box::new(DeviceTransport::new(path, timeout))),
        PrinterKind::Tcp { address } => Some(Box::new(TcpTransport::new(address, timeout))),
        PrinterKind::Spool => Some(Box::new(SpoolTransport::new(spool_dir)?)),
        PrinterKind::None => None,
    })
}

/// How long a status answer may take: a printer answers `DLE EOT` in microseconds, and the
/// kiosk must refuse within 2 s of the paper running out. Separate from `timeout_ms`, which
/// bounds a job's writes (a printer busy printing takes data slowly).
pub const STATUS_TIMEOUT: Duration = Duration::from_millis(500);

/// `DLE EOT n` as bytes, for transports.
pub(super) fn request(n: u8) -> [u8; 3] {
    status_request(n)
}
