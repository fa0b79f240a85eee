//! What a queue operation can refuse, with the Indonesian message staff and citizens see.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QueueError {
    #[error("Layanan `{0}` tidak dikenal.")]
    UnknownService(String),
    #[error("Layanan {service} sedang tutup. Jam layanan hari ini: {hours}.")]
    Closed { service: String, hours: String },
    #[error("Kantor tutup hari ini ({0}). Silakan datang kembali pada hari kerja.")]
    Holiday(String),
    #[error(
        "Kuota antrian {service} hari ini ({quota}) sudah habis. Silakan datang kembali besok."
    )]
    QuotaReached { service: String, quota: u32 },
    #[error("Loket {0} tidak dikenal.")]
    UnknownCounter(u32),
    #[error(
        "{counter} masih menangani {ticket}. Selesaikan atau tandai tidak hadir terlebih dahulu."
    )]
    CounterBusy { counter: String, ticket: String },
    #[error("{0} tidak sedang menangani nomor antrian.")]
    CounterIdle(String),
    #[error("Nomor {ticket} berstatus {state}; tindakan ini tidak dapat dilakukan.")]
    WrongState { ticket: String, state: String },
    #[error("Nomor {ticket} sudah berada di layanan {service}.")]
    SameService { ticket: String, service: String },
    #[error("Tiket {0} tidak ditemukan pada hari layanan ini.")]
    UnknownTicket(u64),
    #[error("Mohon maaf, printer tiket sedang tidak siap ({0}). Silakan hubungi petugas.")]
    PrinterNotReady(String),
    #[error(
        "Tiket {0} gagal dicetak. Nomor ini ditahan dan tidak akan dipanggil; silakan hubungi petugas."
    )]
    PrintFailed(String),
    /// The clock shows a day far ahead of the last service day (see
    /// `queue::state::latest_plausible_day`): no new day starts until an administrator
    /// confirms it or the clock agrees with the last day again.
    #[error(
        "Jam sistem tidak wajar (menunjukkan {clock}, hari layanan terakhir {last}). Tiket belum dapat diambil; silakan hubungi petugas."
    )]
    ClockSuspect { clock: String, last: String },
}

impl QueueError {
    /// Stable machine-readable code for the API's error body.
    pub fn code(&self) -> &'static str {
        match self {
            QueueError::UnknownService(_) => "unknown_service",
            QueueError::Closed { .. } => "service_closed",
            QueueError::Holiday(_) => "holiday",
            QueueError::QuotaReached { .. } => "quota_reached",
            QueueError::UnknownCounter(_) => "unknown_counter",
            QueueError::CounterBusy { .. } => "counter_busy",
            QueueError::CounterIdle(_) => "counter_idle",
            QueueError::WrongState { .. } => "wrong_state",
            QueueError::SameService { .. } => "same_service",
            QueueError::UnknownTicket(_) => "unknown_ticket",
            QueueError::PrinterNotReady(_) => "printer_not_ready",
            QueueError::PrintFailed(_) => "print_failed",
            QueueError::ClockSuspect { .. } => "clock_suspect",
        }
    }
}
