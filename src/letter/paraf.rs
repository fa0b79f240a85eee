//! Who handled the reply before it was signed: the initials block (*paraf*) printed at the
//! foot of the signed letter, one row per staff step that wrote, directed or reviewed a draft,
//! in the order they happened. The exact form under Permendagri 1/2023 is unconfirmed
//! (REGULATIONS.md); docs/letters.md says what was chosen.

use chrono::{DateTime, Utc};

use crate::auth::Role;
use crate::complaint::{Approval, Outcome, Performer, Step, Workflow};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paraf {
    pub jabatan: String,
    pub name: String,
    pub at: DateTime<Utc>,
    pub what: String,
}

/// The role whose signature this action puts on the letter, if it signs: approving at a step
/// with `approval = "tanda_tangan"` (the step's own role signs), or completing a step whose
/// `signed_by` is its own actor (the Kepala Dinas signing after the Sekretaris' paraf).
pub fn signing_role(step: &Step, approving: bool) -> Option<Role> {
    let Performer::Staff(actor) = step.actor else {
        return None;
    };
    if approving && step.approval == Some(Approval::TandaTangan) {
        return Some(actor);
    }
    if !approving && !step.is_review() && step.signed_by == Some(actor) {
        return Some(actor);
    }
    None
}

/// The rows up to (not including) the signature: every done staff step from the first step a
/// review sends a draft back to, through drafting and review, in every round. `name_of`
/// turns a username into the name to print.
pub fn paraf_rows(workflow: &Workflow, name_of: &dyn Fn(&str) -> String) -> Vec<Paraf> {
    let flow = workflow.flow();
    let Some(first) = flow
        .steps
        .iter()
        .filter_map(|s| s.revise)
        .chain(flow.steps.iter().filter(|s| s.drafts_reply).map(|s| s.no))
        .filter_map(|no| flow.steps.iter().position(|s| s.no == no))
        .min()
    else {
        return Vec::new();
    };
    let position = |no: u32| flow.steps.iter().position(|s| s.no == no);
    workflow
        .records()
        .iter()
        .filter(|r| r.done_at.is_some() && position(r.step).is_some_and(|p| p >= first))
        .filter_map(|r| {
            let step = flow.step(r.step)?;
            let Performer::Staff(role) = step.actor else {
                return None;
            };
            let what = match r.outcome? {
                Outcome::Returned => format!("Dikembalikan untuk perbaikan (putaran {})", r.round),
                Outcome::Approved => match step.approval {
                    // The signature itself is the signature block, not a paraf.
                    Some(Approval::TandaTangan) => return None,
                    _ => format!("Paraf persetujuan (putaran {})", r.round),
                },
                Outcome::Done if step.drafts_reply => format!("Konsep surat (putaran {})", r.round),
                Outcome::Done if signing_role(step, false).is_some() => return None,
                Outcome::Done => format!("Arahan dan petunjuk (putaran {})", r.round),
                _ => return None,
            };
            let by = r.done_by.as_deref().unwrap_or("-");
            Some(Paraf {
                jabatan: role.label_id().to_string(),
                name: name_of(by),
                at: r.done_at?,
                what,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::complaint::Sop;

    /// Who signs in each shipped flow, and by which action.
    #[test]
    fn the_shipped_flows_are_signed_by_the_kepala_dinas_once() {
        let sop = Sop::embedded().expect("flows");
        for flow in sop.flows() {
            let signing: Vec<(u32, bool)> = flow
                .steps
                .iter()
                .flat_map(|s| {
                    [true, false]
                        .into_iter()
                        .filter(|a| signing_role(s, *a) == Some(Role::KepalaDinas))
                        .map(|a| (s.no, a))
                })
                .collect();
            let expected: &[(u32, bool)] = match flow.id.as_str() {
                "skala_kecil" | "skala_menengah" => &[(6, true)],
                "pengaduan" => &[(7, false)],
                // The large flow has no review step: its reply is not signed in loket.
                _ => &[],
            };
            assert_eq!(signing, expected, "{}", flow.id);
        }
    }
}
