//! The complaint SOP (*Prosedur Tetap Pelayanan Pengaduan*): its flows as data
//! (`config/sop/*.toml`, validated with file and line) and the workflow that walks a complaint
//! through them, as pure functions of (state, action, actor, now). No I/O past loading files.

mod engine;
mod error;
mod flow;
mod ids;
mod load;
mod public;
mod state;
mod timeline;
mod validate;

pub use engine::{
    Action, ActionKind, Change, Overdue, Recorded, apply, is_overdue, overdue_steps, recompute_due,
    start_from_ticket, start_without_ticket,
};
pub use error::{ComplaintError, SopError, SopErrors};
pub use flow::{Approval, Flow, Level, OutsideParty, Performer, Step};
pub use ids::{GlobalId, normalize_code, pattern_problem, register_number, tracking_code};
pub use load::{LEVELS_FILE, SOP_DIR, Sop, SopSource};
pub use public::{PublicStatus, public_status};
pub use state::{
    Actor, Channel, Deadlines, Draft, Intake, Outcome, Review, StepRecord, TicketTimes, Workflow,
};
pub use timeline::{Row as TimelineRow, Timing, minutes_label, timeline};

#[cfg(test)]
mod engine_tests;
