//! What the public tracking page may say of a complaint: where it stands, in plain Indonesian
//! (English second), and nothing of the person or the letter's content.

use super::flow::{OutsideParty, Performer};
use super::state::Workflow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicStatus {
    /// `Diproses` or `Selesai`.
    pub status_id: &'static str,
    pub status_en: &'static str,
    /// Where it stands now, in a sentence.
    pub stage_id: String,
    pub stage_en: String,
}

/// Where a complaint stands, as a citizen reads it.
pub fn public_status(state: &Workflow) -> PublicStatus {
    let Some(step) = state.current_step() else {
        return PublicStatus {
            status_id: "Selesai",
            status_en: "Closed",
            stage_id: "Pengaduan telah selesai ditangani dan surat balasan telah diterima."
                .to_string(),
            stage_en: "The complaint has been handled and the reply received.".to_string(),
        };
    };
    let who = step.actor.label_id();
    let (stage_id, stage_en) = match step.actor {
        Performer::Outside(OutsideParty::Pengadu) if step.is_final() => (
            "Surat balasan telah dikirim ke alamat Anda; menunggu tanda terima.".to_string(),
            "The reply has been sent to your address; awaiting your receipt.".to_string(),
        ),
        Performer::Outside(OutsideParty::Pengadu) => (
            "Menunggu kelengkapan dari Anda.".to_string(),
            "Waiting for you.".to_string(),
        ),
        Performer::Outside(OutsideParty::WalikotaSekda) => (
            "Dibahas dalam rapat bersama Walikota/Sekretaris Daerah.".to_string(),
            "Under discussion with the Mayor / City Secretary.".to_string(),
        ),
        Performer::Staff(_) if step.drafts_reply => (
            "Surat balasan sedang disusun.".to_string(),
            "The reply is being drafted.".to_string(),
        ),
        Performer::Staff(_) if step.is_review() => (
            format!("Surat balasan sedang diperiksa oleh {who}."),
            format!("The reply is being reviewed ({who})."),
        ),
        Performer::Staff(_) if step.from_ticket => (
            "Pengaduan sedang diterima di loket.".to_string(),
            "The complaint is being received at the counter.".to_string(),
        ),
        Performer::Staff(_) => (
            format!("Sedang ditangani oleh {who}."),
            format!("Being handled ({who})."),
        ),
    };
    PublicStatus {
        status_id: "Diproses",
        status_en: "In progress",
        stage_id,
        stage_en,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};

    use super::*;
    use crate::auth::Role;
    use crate::complaint::{
        Action, ActionKind, Actor, Channel, Level, Sop, apply, start_without_ticket,
    };
    use crate::config::Config;

    fn at(h: u32) -> DateTime<Utc> {
        chrono_tz::Asia::Jakarta
            .with_ymd_and_hms(2026, 11, 30, h, 0, 0)
            .single()
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn a_complaint_by_letter_reads_plainly_at_each_stage_and_names_no_one() {
        let config = Config::embedded().expect("config");
        let sop = Sop::embedded().expect("flows");
        let flow = sop.flow_for(Level::Kecil);
        let officer = Actor {
            username: "sari".to_string(),
            roles: vec![Role::ComplaintOfficer],
        };
        let (state, _) = start_without_ticket(
            flow,
            Level::Kecil,
            Channel::Letter,
            &officer,
            at(8),
            &config.calendar,
        )
        .expect("opened");
        let s = public_status(&state);
        assert_eq!(s.status_id, "Diproses");
        assert_eq!(s.stage_id, "Sedang ditangani oleh Petugas Pengaduan.");
        let (state, _) = apply(
            &state,
            &Action {
                step: 3,
                version: state.version(),
                kind: ActionKind::Complete {
                    note: Some("Bapak Ahmad, NIK 3271011408850003".to_string()),
                    documents: Vec::new(),
                },
            },
            &officer,
            at(9),
            &config.calendar,
        )
        .expect("step 3");
        let s = public_status(&state);
        assert_eq!(
            s.stage_id,
            "Sedang ditangani oleh Kasubbag Umum dan Kepegawaian."
        );
        // Staff notes never reach the public text.
        assert!(!format!("{s:?}").contains("Ahmad"));
        assert!(!format!("{s:?}").contains("3271"));
    }
}
