//! The complaint SOP (*Prosedur Tetap Pelayanan Pengaduan*): its flows as data
//! (`config/sop/*.toml`, validated with file and line) and the workflow that walks a complaint
//! through them, as pure functions of (state, action, actor, now). No I/O past loading files.

mod error;
mod flow;
mod load;
mod validate;

pub use error::{ComplaintError, SopError, SopErrors};
pub use flow::{Approval, Flow, Level, OutsideParty, Performer, Step};
pub use load::{LEVELS_FILE, SOP_DIR, Sop, SopSource};
