//! The citizen satisfaction survey (*Survei Kepuasan Masyarakat*, PermenPANRB 14/2017).

pub mod index;
pub mod questionnaire;
pub mod response;
pub mod report;
