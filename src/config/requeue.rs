//! `queue.requeue` and `queue.requeue_after`: where a ticket goes when staff put it back in
//! the queue (a no-show whose citizen came back, or the counter's own ticket). The office
//! decides; staff are told the rule where they bring someone back.

use super::errors::Collector;

/// The largest `requeue_after`: beyond this the rule stops meaning "a few people".
const MAX_AFTER: u32 = 50;
const DEFAULT_AFTER: u32 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RequeuePolicy {
    /// Back at its place by issue time: ahead of everyone issued after it.
    #[default]
    IssueTime,
    /// Behind this many of the people waiting now (of its service), or last when fewer wait.
    AfterWaiting(u32),
}

impl RequeuePolicy {
    /// The rule as staff read it where they bring someone back.
    pub fn describe(self) -> String {
        match self {
            RequeuePolicy::IssueTime => {
                "Dikembalikan ke urutan semula menurut waktu ambil nomor.".to_string()
            }
            RequeuePolicy::AfterWaiting(n) => {
                format!("Dikembalikan setelah {n} orang yang menunggu.")
            }
        }
    }

    /// Reads the two keys; an unknown value or a count that cannot apply is an error with
    /// its field path.
    pub(super) fn from_raw(
        requeue: Option<&str>,
        after: Option<u32>,
        errs: &mut Collector,
    ) -> RequeuePolicy {
        match requeue.unwrap_or("issue_time") {
            "issue_time" => {
                if after.is_some() {
                    errs.push(
                        "queue.requeue_after",
                        "applies only with requeue = \"after_waiting\"",
                    );
                }
                RequeuePolicy::IssueTime
            }
            "after_waiting" => {
                let n = after.unwrap_or(DEFAULT_AFTER);
                if !(1..=MAX_AFTER).contains(&n) {
                    errs.push(
                        "queue.requeue_after",
                        format!("must be between 1 and {MAX_AFTER}"),
                    );
                }
                RequeuePolicy::AfterWaiting(n.clamp(1, MAX_AFTER))
            }
            other => {
                errs.push(
                    "queue.requeue",
                    format!("unknown policy `{other}`: issue_time or after_waiting"),
                );
                RequeuePolicy::IssueTime
            }
        }
    }
}
