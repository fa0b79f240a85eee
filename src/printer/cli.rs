//! `loket printer list | status | test`: for the technician at the box, without the daemon.

use std::path::Path;
use std::sync::Arc;

use super::transport::{self, list_usb_printers, read_status};
use super::{PrinterStatus, test_page_bytes};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;

/// Printer-class USB devices as `vid:pid  bus-address  interface  manufacturer product`.
pub fn list() -> Result<String, String> {
    let printers = list_usb_printers()
        .map_err(|e| format!("cannot read the USB bus ({e}): is /dev/bus/usb present?"))?;
    if printers.is_empty() {
        return Ok("no USB printer found (printer-class interface)".to_string());
    }
    Ok(printers
        .iter()
        .map(|p| {
            format!(
                "{:04x}:{:04x}  bus {:03} device {:03}  interface {}  {} {}",
                p.vendor_id, p.product_id, p.bus, p.address, p.interface, p.manufacturer, p.product
            )
            .trim_end()
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n"))
}

fn open(config: &Config, data_dir: &Path) -> Result<Box<dyn transport::Transport>, String> {
    transport::open(&config.printer, &data_dir.join("spool"))
        .map_err(|e| format!("cannot open the printer: {e}"))?
        .ok_or_else(|| "printer.kind = \"none\": no printer configured".to_string())
}

pub fn status(config: &Config, data_dir: &Path) -> Result<(String, PrinterStatus), String> {
    let mut t = open(config, data_dir)?;
    let status = read_status(t.as_mut());
    Ok((t.describe(), status))
}

pub fn test(config: &Config, data_dir: &Path) -> Result<String, String> {
    let mut t = open(config, data_dir)?;
    let status = read_status(t.as_mut());
    if !status.ready() {
        return Err(format!("{}: {}", t.describe(), status.label_id()));
    }
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let now = clock.now();
    let bytes = test_page_bytes(config, config.printer.base_url.as_deref(), now);
    t.begin_job(&format!("test-{}", now.format("%Y%m%dT%H%M%S")));
    t.write_all(&bytes)
        .and_then(|()| t.end_job())
        .map_err(|e| format!("{}: {e}", t.describe()))?;
    Ok(format!(
        "{}: test page sent ({} bytes)",
        t.describe(),
        bytes.len()
    ))
}
