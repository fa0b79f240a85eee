//! The device side of the emulated USB printer, run inside the test VM: reads what the host
//! prints from the printer gadget (`/dev/g_printer0`), answers `DLE EOT n` at command
//! boundaries with the status named in a control file (`online`, `paper_end`,
//! `cover_open`), and appends every job command's bytes to an output file. After an unplug
//! it reopens the gadget.
//!
//! Usage: usb_printer_device DEVICE STATUS_FILE OUTPUT_FILE

#[allow(dead_code)]
#[path = "../common/escpos.rs"]
mod escpos;

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::time::Duration;

use escpos::{Cmd, parse_one};

const O_NONBLOCK: i32 = 0o4000;

fn status_byte(status_file: &str, n: u8) -> u8 {
    let status = std::fs::read_to_string(status_file).unwrap_or_default();
    let [printer, cause, paper] = match status.trim() {
        "paper_end" => [0x1a, 0x32, 0x72],
        "cover_open" => [0x1a, 0x16, 0x12],
        _ => [0x12, 0x12, 0x12],
    };
    match n {
        1 => printer,
        2 => cause,
        _ => paper,
    }
}

/// The gadget's state as the host sees it (`configured` while plugged in and set up).
fn udc_state() -> String {
    std::fs::read_dir("/sys/class/udc")
        .ok()
        .and_then(|mut d| d.next())
        .and_then(|e| e.ok())
        .and_then(|e| std::fs::read_to_string(e.path().join("state")).ok())
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn serve(dev: &mut File, status_file: &str, out: &mut File) -> std::io::Result<()> {
    let mut pending = Vec::new();
    let mut buf = [0u8; 4096];
    let mut idle = 0u32;
    loop {
        // Non-blocking, so an unplug is noticed: a read blocked across an unplug and replug
        // of the gadget never returns.
        let n = match dev.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                idle += 1;
                if idle.is_multiple_of(20) && udc_state() != "configured" {
                    return Ok(());
                }
                std::thread::sleep(Duration::from_millis(2));
                continue;
            }
            Err(e) => return Err(e),
        };
        idle = 0;
        pending.extend_from_slice(&buf[..n]);
        while let Some((cmd, len)) = parse_one(&pending) {
            let raw: Vec<u8> = pending.drain(..len).collect();
            match cmd {
                Cmd::StatusRequest(n) => {
                    dev.write_all(&[status_byte(status_file, n)])?;
                    dev.flush()?;
                }
                _ => {
                    out.write_all(&raw)?;
                    out.flush()?;
                }
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, device, status_file, output] = args.as_slice() else {
        eprintln!("usage: usb_printer_device DEVICE STATUS_FILE OUTPUT_FILE");
        std::process::exit(2);
    };
    let mut out = OpenOptions::new()
        .create(true)
        .append(true)
        .open(output)
        .expect("output file");
    loop {
        // Reopen once the host has configured the gadget again after an unplug.
        if udc_state() != "configured" {
            std::thread::sleep(Duration::from_millis(50));
            continue;
        }
        if let Ok(mut dev) = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(O_NONBLOCK)
            .open(device)
            && let Err(e) = serve(&mut dev, status_file, &mut out)
        {
            eprintln!("device: {e}; reopening");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
