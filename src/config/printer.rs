//! The `[printer]` and `[button]` sections: where tickets go, on what paper, what happens
//! when the printer is not ready, and the physical kiosk button.

use std::path::PathBuf;

use serde::Deserialize;

use super::errors::Collector;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrinterKind {
    /// A USB printer found at start (by `usb_id`, else the first printer-class device), or
    /// the spool with a warning when none is plugged in.
    Auto { usb_id: Option<(u16, u16)> },
    /// A USB printer through libusb; waits and reconnects when it is unplugged.
    Usb { usb_id: Option<(u16, u16)> },
    /// A printer device node such as `/dev/usb/lp0` or a udev symlink.
    Device { path: PathBuf },
    /// A network printer's raw port, `host:9100`.
    Tcp { address: String },
    /// The exact bytes, one file per job in `DATA/spool/`.
    Spool,
    /// No output at all: the kiosk shows the number on screen.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    Mm58,
    Mm80,
}

impl Paper {
    /// Printable width in dots at 203 dpi.
    pub fn dots(self) -> u16 {
        match self {
            Paper::Mm58 => 384,
            Paper::Mm80 => 576,
        }
    }

    pub fn mm(self) -> u8 {
        match self {
            Paper::Mm58 => 58,
            Paper::Mm80 => 80,
        }
    }

    /// Characters per line in font A (12 × 24 dots).
    pub fn columns(self) -> usize {
        usize::from(self.dots() / 12)
    }
}

/// The printer's character table, selected with `ESC t n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePage {
    Pc437,
    Pc850,
    Pc858,
    Wpc1252,
}

impl CodePage {
    /// The `n` of `ESC t n` on Epson-compatible printers.
    pub fn escpos_table(self) -> u8 {
        match self {
            CodePage::Pc437 => 0,
            CodePage::Pc850 => 2,
            CodePage::Wpc1252 => 16,
            CodePage::Pc858 => 19,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailurePolicy {
    /// The kiosk issues nothing while the printer is not ready; a ticket whose print failed
    /// is held as unprinted and never called until staff reprint or void it.
    Refuse,
    /// The kiosk shows the number when the paper cannot carry it.
    ShowOnScreen,
}

#[derive(Debug, Clone)]
pub struct PrinterConfig {
    pub kind: PrinterKind,
    pub paper: Paper,
    pub code_page: CodePage,
    pub on_failure: FailurePolicy,
    /// Where a phone reaches the tracking page; found from the LAN address when empty.
    pub base_url: Option<String>,
    pub footer: String,
    pub status_interval_secs: u64,
    pub timeout_ms: u64,
}

impl Default for PrinterConfig {
    fn default() -> Self {
        Self {
            kind: PrinterKind::Auto { usb_id: None },
            paper: Paper::Mm58,
            code_page: CodePage::Pc437,
            on_failure: FailurePolicy::Refuse,
            base_url: None,
            footer: String::new(),
            status_interval_secs: 5,
            timeout_ms: 5000,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ButtonConfig {
    /// `/dev/gpiochip0`, or a chip name such as `gpiochip0`.
    pub chip: PathBuf,
    pub line: u32,
    pub service: String,
    pub priority: bool,
    /// The button pulls the line low when pressed (the usual wiring with a pull-up).
    pub active_low: bool,
    pub debounce_ms: u64,
    /// After a press, further presses are ignored this long: one press, one ticket.
    pub holdoff_ms: u64,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPrinter {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    usb_id: Option<String>,
    #[serde(default)]
    device: Option<String>,
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    paper_mm: Option<u32>,
    #[serde(default)]
    code_page: Option<String>,
    #[serde(default)]
    on_failure: Option<String>,
    #[serde(default)]
    base_url: Option<String>,
    #[serde(default)]
    footer: Option<String>,
    #[serde(default)]
    status_interval_secs: Option<u64>,
    #[serde(default)]
    timeout_ms: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawButton {
    chip: String,
    line: u32,
    service: String,
    #[serde(default)]
    priority: bool,
    #[serde(default = "yes")]
    active_low: bool,
    #[serde(default = "default_debounce")]
    debounce_ms: u64,
    #[serde(default = "default_holdoff")]
    holdoff_ms: u64,
}

fn yes() -> bool {
    true
}

fn default_debounce() -> u64 {
    30
}

fn default_holdoff() -> u64 {
    2000
}

fn parse_usb_id(s: &str) -> Option<(u16, u16)> {
    let (v, p) = s.split_once(':')?;
    if v.len() != 4 || p.len() != 4 {
        return None;
    }
    Some((
        u16::from_str_radix(v, 16).ok()?,
        u16::from_str_radix(p, 16).ok()?,
    ))
}

impl RawPrinter {
    pub(super) fn validate(&self, errs: &mut Collector) -> PrinterConfig {
        let d = PrinterConfig::default();
        let usb_id = match &self.usb_id {
            None => None,
            Some(s) => parse_usb_id(s).or_else(|| {
                errs.push(
                    "printer.usb_id",
                    format!("`{s}` is not vendor:product in hex, e.g. 0416:5011"),
                );
                None
            }),
        };
        let kind = match self.kind.as_deref().unwrap_or("auto") {
            "auto" => PrinterKind::Auto { usb_id },
            "usb" => PrinterKind::Usb { usb_id },
            "device" => match &self.device {
                Some(p) if p.starts_with('/') => PrinterKind::Device {
                    path: PathBuf::from(p),
                },
                _ => {
                    errs.push(
                        "printer.device",
                        "kind = \"device\" needs an absolute path, e.g. /dev/usb/lp0",
                    );
                    PrinterKind::None
                }
            },
            "tcp" => match &self.address {
                Some(a)
                    if a.rsplit_once(':').is_some_and(|(h, p)| {
                        !h.is_empty() && p.parse::<u16>().is_ok_and(|p| p > 0)
                    }) =>
                {
                    PrinterKind::Tcp { address: a.clone() }
                }
                _ => {
                    errs.push(
                        "printer.address",
                        "kind = \"tcp\" needs host:port, e.g. 192.168.1.50:9100",
                    );
                    PrinterKind::None
                }
            },
            "spool" => PrinterKind::Spool,
            "none" => PrinterKind::None,
            other => {
                errs.push(
                    "printer.kind",
                    format!("`{other}`: use auto, usb, device, tcp, spool or none"),
                );
                PrinterKind::None
            }
        };
        let paper = match self.paper_mm.unwrap_or(58) {
            58 => Paper::Mm58,
            80 => Paper::Mm80,
            other => {
                errs.push("printer.paper_mm", format!("{other}: use 58 or 80"));
                d.paper
            }
        };
        let code_page = match self.code_page.as_deref().unwrap_or("pc437") {
            "pc437" => CodePage::Pc437,
            "pc850" => CodePage::Pc850,
            "pc858" => CodePage::Pc858,
            "wpc1252" => CodePage::Wpc1252,
            other => {
                errs.push(
                    "printer.code_page",
                    format!("`{other}`: use pc437, pc850, pc858 or wpc1252"),
                );
                d.code_page
            }
        };
        let on_failure = match self.on_failure.as_deref().unwrap_or("refuse") {
            "refuse" => FailurePolicy::Refuse,
            "show_on_screen" => FailurePolicy::ShowOnScreen,
            other => {
                errs.push(
                    "printer.on_failure",
                    format!("`{other}`: use refuse or show_on_screen"),
                );
                d.on_failure
            }
        };
        let base_url = self
            .base_url
            .as_deref()
            .map(|u| u.trim_end_matches('/').to_string())
            .filter(|u| !u.is_empty());
        if let Some(u) = &base_url
            && !(u.starts_with("http://") || u.starts_with("https://"))
        {
            errs.push(
                "printer.base_url",
                "must start with http:// or https://, e.g. http://192.168.1.10:8080",
            );
        }
        let footer = self.footer.clone().unwrap_or_default();
        if footer.chars().count() > 200 {
            errs.push("printer.footer", "longer than 200 characters");
        }
        let status_interval_secs = self.status_interval_secs.unwrap_or(d.status_interval_secs);
        if !(1..=300).contains(&status_interval_secs) {
            errs.push("printer.status_interval_secs", "must be between 1 and 300");
        }
        let timeout_ms = self.timeout_ms.unwrap_or(d.timeout_ms);
        if !(100..=60_000).contains(&timeout_ms) {
            errs.push("printer.timeout_ms", "must be between 100 and 60000");
        }
        PrinterConfig {
            kind,
            paper,
            code_page,
            on_failure,
            base_url,
            footer,
            status_interval_secs,
            timeout_ms,
        }
    }
}

impl RawButton {
    pub(super) fn validate(&self, errs: &mut Collector, services: &[String]) -> ButtonConfig {
        let chip = if self.chip.starts_with('/') {
            PathBuf::from(&self.chip)
        } else {
            PathBuf::from("/dev").join(&self.chip)
        };
        if !services.contains(&self.service) {
            errs.push(
                "button.service",
                format!("unknown service code `{}`", self.service),
            );
        }
        if self.debounce_ms > 1000 {
            errs.push("button.debounce_ms", "must be at most 1000");
        }
        if !(100..=60_000).contains(&self.holdoff_ms) {
            errs.push("button.holdoff_ms", "must be between 100 and 60000");
        }
        ButtonConfig {
            chip,
            line: self.line,
            service: self.service.clone(),
            priority: self.priority,
            active_low: self.active_low,
            debounce_ms: self.debounce_ms,
            holdoff_ms: self.holdoff_ms,
        }
    }
}
