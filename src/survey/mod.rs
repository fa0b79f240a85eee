//! The citizen satisfaction survey (*Survei Kepuasan Masyarakat*, PermenPANRB 14/2017).

pub mod chart;
pub mod index;
pub mod link;
pub mod paper;
pub mod questionnaire;
pub mod report;
pub mod response;
