//! The queue domain: tickets, numbering per service day, counters and their operations,
//! wait estimates. Plain Rust over plain data: no I/O, no clock reads (`now` comes in).

mod counter_ops;
mod error;
mod estimate;
mod issue;
mod metrics;
mod print;
mod requeue;
mod state;
mod ticket;

pub use counter_ops::CounterOp;
pub use error::QueueError;
pub use estimate::Estimate;
pub use issue::{Issued, PrintMode};
pub use metrics::ServiceMetrics;
pub use state::{
    Change, CounterView, DayMeta, Dirty, NoShowView, PrinterView, QueueState, QueueView,
    RecentCall, ServiceView, TicketSummary,
};
pub use ticket::{PrintState, QueuePlace, Step, Ticket, TicketId, TicketState};
