//! A USB printer through libusb (rusb): found by `vid:pid` or as the first printer-class
//! device; the kernel's `usblp` driver is detached so the interface can be claimed; after an
//! unplug the next job or status poll finds the printer again by itself.

use std::io;
use std::time::Duration;

use rusb::{Context, Device, DeviceHandle, Direction, TransferType, UsbContext};
use tracing::{info, warn};

use super::{STATUS_TIMEOUT, Transport, request};

/// USB interface class of printers.
const PRINTER_CLASS: u8 = 7;

struct Open {
    handle: DeviceHandle<Context>,
    interface: u8,
    out_ep: u8,
    in_ep: Option<u8>,
    in_packet: usize,
    name: String,
}

pub struct UsbTransport {
    usb_id: Option<(u16, u16)>,
    timeout: Duration,
    open: Option<Open>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsbPrinterInfo {
    pub vendor_id: u16,
    pub product_id: u16,
    pub bus: u8,
    pub address: u8,
    pub product: String,
    pub manufacturer: String,
    pub interface: u8,
}

struct Endpoints {
    interface: u8,
    setting: u8,
    out_ep: u8,
    in_ep: Option<(u8, usize)>,
}

/// The printer-class interface with a bulk OUT endpoint (and bulk IN, for status). With
/// `any_class`, a vendor-specific interface will do too: some POS printers named by their
/// `vid:pid` do not declare the printer class.
fn printer_endpoints(device: &Device<Context>, any_class: bool) -> Option<Endpoints> {
    let config = device.active_config_descriptor().ok()?;
    for interface in config.interfaces() {
        for d in interface.descriptors() {
            if d.class_code() != PRINTER_CLASS && !any_class {
                continue;
            }
            let bulk = |dir: Direction| {
                d.endpoint_descriptors()
                    .find(|e| e.transfer_type() == TransferType::Bulk && e.direction() == dir)
                    .map(|e| (e.address(), usize::from(e.max_packet_size()).max(1)))
            };
            if let Some((out_ep, _)) = bulk(Direction::Out) {
                return Some(Endpoints {
                    interface: d.interface_number(),
                    setting: d.setting_number(),
                    out_ep,
                    in_ep: bulk(Direction::In),
                });
            }
        }
    }
    None
}

fn usb_err(e: rusb::Error) -> io::Error {
    let kind = match e {
        rusb::Error::Timeout => io::ErrorKind::TimedOut,
        rusb::Error::NoDevice | rusb::Error::NotFound => io::ErrorKind::NotConnected,
        rusb::Error::Access => io::ErrorKind::PermissionDenied,
        rusb::Error::Busy => io::ErrorKind::ResourceBusy,
        _ => io::ErrorKind::Other,
    };
    io::Error::new(kind, format!("usb: {e}"))
}

/// Every printer-class USB device: `loket printer list`.
pub fn list_usb_printers() -> io::Result<Vec<UsbPrinterInfo>> {
    let ctx = Context::new().map_err(usb_err)?;
    let mut out = Vec::new();
    for device in ctx.devices().map_err(usb_err)?.iter() {
        let Ok(desc) = device.device_descriptor() else {
            continue;
        };
        let Some(ep) = printer_endpoints(&device, false) else {
            continue;
        };
        let (mut product, mut manufacturer) = (String::new(), String::new());
        if let Ok(h) = device.open() {
            product = h.read_product_string_ascii(&desc).unwrap_or_default();
            manufacturer = h.read_manufacturer_string_ascii(&desc).unwrap_or_default();
        }
        out.push(UsbPrinterInfo {
            vendor_id: desc.vendor_id(),
            product_id: desc.product_id(),
            bus: device.bus_number(),
            address: device.address(),
            product,
            manufacturer,
            interface: ep.interface,
        });
    }
    Ok(out)
}

fn claim(device: &Device<Context>, ep: &Endpoints) -> io::Result<DeviceHandle<Context>> {
    let handle = device.open().map_err(usb_err)?;
    // usblp binds printers as /dev/usb/lp*; it must let go before we can claim.
    if handle.kernel_driver_active(ep.interface).unwrap_or(false) {
        handle.detach_kernel_driver(ep.interface).map_err(usb_err)?;
    }
    handle.claim_interface(ep.interface).map_err(usb_err)?;
    if ep.setting != 0 {
        handle
            .set_alternate_setting(ep.interface, ep.setting)
            .map_err(usb_err)?;
    }
    Ok(handle)
}

impl UsbTransport {
    pub fn new(usb_id: Option<(u16, u16)>, timeout: Duration) -> Self {
        Self {
            usb_id,
            timeout,
            open: None,
        }
    }

    /// A transport only when such a printer is plugged in now (`kind = "auto"`).
    pub fn find(usb_id: Option<(u16, u16)>, timeout: Duration) -> Option<Self> {
        let mut t = Self::new(usb_id, timeout);
        t.connect().ok()?;
        Some(t)
    }

    fn open_device(&self) -> io::Result<Open> {
        let ctx = Context::new().map_err(usb_err)?;
        let mut last_err = None;
        for device in ctx.devices().map_err(usb_err)?.iter() {
            let Ok(desc) = device.device_descriptor() else {
                continue;
            };
            if let Some((v, p)) = self.usb_id
                && (desc.vendor_id(), desc.product_id()) != (v, p)
            {
                continue;
            }
            let Some(ep) = printer_endpoints(&device, self.usb_id.is_some()) else {
                continue;
            };
            // One device that cannot be opened (permissions, busy) must not hide the next.
            let handle = match claim(&device, &ep) {
                Ok(h) => h,
                Err(e) => {
                    last_err = Some(e);
                    continue;
                }
            };
            let product = handle.read_product_string_ascii(&desc).unwrap_or_default();
            let name = format!(
                "usb {:04x}:{:04x} {}",
                desc.vendor_id(),
                desc.product_id(),
                product
            );
            if ep.in_ep.is_none() {
                warn!(printer = %name, "printer has no way back: its status cannot be read");
            }
            info!(printer = %name, "USB printer connected");
            return Ok(Open {
                handle,
                interface: ep.interface,
                out_ep: ep.out_ep,
                in_ep: ep.in_ep.map(|(a, _)| a),
                in_packet: ep.in_ep.map_or(64, |(_, p)| p),
                name,
            });
        }
        Err(last_err
            .unwrap_or_else(|| io::Error::new(io::ErrorKind::NotConnected, "no USB printer found")))
    }

    fn with_open<T>(&mut self, f: impl FnOnce(&Open, Duration) -> io::Result<T>) -> io::Result<T> {
        self.connect()?;
        let timeout = self.timeout;
        let open = self
            .open
            .as_ref()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotConnected, "not open"))?;
        let r = f(open, timeout);
        if r.is_err() {
            self.disconnect();
        }
        r
    }
}

impl Transport for UsbTransport {
    fn describe(&self) -> String {
        match (&self.open, self.usb_id) {
            (Some(o), _) => o.name.clone(),
            (None, Some((v, p))) => format!("usb {v:04x}:{p:04x} (not connected)"),
            (None, None) => "usb (first printer-class device, not connected)".to_string(),
        }
    }

    fn connect(&mut self) -> io::Result<()> {
        if self.open.is_none() {
            self.open = Some(self.open_device()?);
        }
        Ok(())
    }

    fn disconnect(&mut self) {
        if let Some(o) = self.open.take() {
            let _ = o.handle.release_interface(o.interface);
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.with_open(|o, timeout| {
            let mut rest = bytes;
            while !rest.is_empty() {
                let chunk = &rest[..rest.len().min(4096)];
                let n = o
                    .handle
                    .write_bulk(o.out_ep, chunk, timeout)
                    .map_err(usb_err)?;
                if n == 0 {
                    return Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        "printer took nothing",
                    ));
                }
                rest = &rest[n..];
            }
            Ok(())
        })
    }

    fn query(&mut self, n: u8) -> io::Result<Option<u8>> {
        self.with_open(|o, timeout| {
            let Some(in_ep) = o.in_ep else {
                // A printer without a way back: it can print, but not say how it is.
                return Ok(None);
            };
            // Reads are whole packets; a smaller buffer would overflow.
            let mut buf = vec![0u8; o.in_packet];
            // A late answer to an earlier question would be read as this one's: drop it.
            while matches!(
                o.handle.read_bulk(in_ep, &mut buf, Duration::from_millis(1)),
                Ok(n) if n > 0
            ) {}
            o.handle
                .write_bulk(o.out_ep, &request(n), timeout)
                .map_err(usb_err)?;
            let got = o
                .handle
                .read_bulk(in_ep, &mut buf, STATUS_TIMEOUT)
                .map_err(usb_err)?;
            if got == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "empty status"));
            }
            Ok(Some(buf[got - 1]))
        })
    }
}
