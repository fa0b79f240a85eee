//! Printer status from ESC/POS real-time status (`DLE EOT 1, 2, 4`), as the kiosk and the
//! console show it.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrinterStatus {
    Online,
    PaperNearEnd,
    PaperEnd,
    CoverOpen,
    /// Offline or in error for another reason (cutter jam, overheating…).
    Offline,
    /// No answer: unplugged, switched off, or the cable is loose.
    Unreachable,
    /// No printer by configuration (`kind = "none"`).
    Disabled,
}

impl PrinterStatus {
    /// Can a ticket be printed now?
    pub fn ready(self) -> bool {
        matches!(self, PrinterStatus::Online | PrinterStatus::PaperNearEnd)
    }

    pub fn label_id(self) -> &'static str {
        match self {
            PrinterStatus::Online => "Printer siap",
            PrinterStatus::PaperNearEnd => "Kertas hampir habis",
            PrinterStatus::PaperEnd => "Kertas habis",
            PrinterStatus::CoverOpen => "Penutup printer terbuka",
            PrinterStatus::Offline => "Printer bermasalah (offline)",
            PrinterStatus::Unreachable => "Printer tidak terhubung",
            PrinterStatus::Disabled => "Tanpa printer",
        }
    }
}

/// A real-time status byte always has bits 1 and 4 set and bits 0 and 7 clear.
fn valid(b: u8) -> bool {
    b & 0x93 == 0x12
}

/// Interprets the answers to `DLE EOT 1`, `2` and `4`.
pub fn parse(printer: u8, offline_cause: u8, paper: u8) -> Option<PrinterStatus> {
    if !(valid(printer) && valid(offline_cause) && valid(paper)) {
        return None;
    }
    let offline = printer & 0x08 != 0;
    Some(if offline_cause & 0x04 != 0 {
        PrinterStatus::CoverOpen
    } else if paper & 0x60 != 0 || offline_cause & 0x20 != 0 {
        PrinterStatus::PaperEnd
    } else if offline || offline_cause & 0x40 != 0 {
        PrinterStatus::Offline
    } else if paper & 0x0c != 0 {
        PrinterStatus::PaperNearEnd
    } else {
        PrinterStatus::Online
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_bytes() {
        assert_eq!(parse(0x12, 0x12, 0x12), Some(PrinterStatus::Online));
        assert_eq!(parse(0x12, 0x12, 0x1e), Some(PrinterStatus::PaperNearEnd));
        assert_eq!(parse(0x1a, 0x32, 0x72), Some(PrinterStatus::PaperEnd));
        assert_eq!(parse(0x1a, 0x16, 0x12), Some(PrinterStatus::CoverOpen));
        assert_eq!(parse(0x1a, 0x52, 0x12), Some(PrinterStatus::Offline));
        assert_eq!(parse(0x00, 0x12, 0x12), None, "not a status byte");
    }
}
