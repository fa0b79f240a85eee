//! From a parsed flow file to a `Flow`, or every problem in it with its line: unknown roles,
//! repeated step numbers, transitions to missing steps, unreachable steps, loops the final
//! step cannot be reached from, time standards that do not read.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::error::SopError;
use super::flow::{Approval, Flow, Performer, Step};
use crate::auth::{ALL_ROLES, Role};
use crate::calendar::TimeStandard;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFlow {
    name: Spanned<String>,
    steps: Vec<Spanned<RawStep>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    no: Spanned<u32>,
    actor: Spanned<String>,
    #[serde(default)]
    also_by: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    recorded_by: Option<Spanned<Vec<Spanned<String>>>>,
    action: Spanned<String>,
    requirements: Vec<String>,
    time: Spanned<String>,
    output: Spanned<String>,
    #[serde(default)]
    next: Option<Spanned<u32>>,
    #[serde(default)]
    revise: Option<Spanned<u32>>,
    #[serde(default)]
    approval: Option<Spanned<Approval>>,
    #[serde(default)]
    drafts_reply: Option<Spanned<bool>>,
    #[serde(default)]
    from_ticket: Option<Spanned<bool>>,
    #[serde(default)]
    signed_by: Option<Spanned<String>>,
    #[serde(default)]
    note: Option<String>,
}

/// The queue ticket covers at most two steps: taking the number (issued → called) and the
/// customer-service talk (called → finished).
const MAX_TICKET_STEPS: usize = 2;

struct Ctx<'a> {
    file: &'a str,
    src: &'a str,
    errors: Vec<SopError>,
}

impl Ctx<'_> {
    fn at(&mut self, span: Range<usize>, message: String) {
        self.errors.push(SopError {
            file: self.file.to_string(),
            line: Some(super::load::line_of(self.src, span.start)),
            message,
        });
    }

    fn line(&self, span: &Range<usize>) -> usize {
        super::load::line_of(self.src, span.start)
    }

    fn role(&mut self, value: &Spanned<String>) -> Option<Role> {
        match value.get_ref().parse::<Role>() {
            Ok(r) => Some(r),
            Err(_) => {
                self.at(
                    value.span(),
                    format!(
                        "peran `{v}` tidak dikenal; peran yang ada: {all} / unknown role `{v}`",
                        v = value.get_ref(),
                        all = ALL_ROLES.map(Role::as_str).join(", ")
                    ),
                );
                None
            }
        }
    }

    fn text(&mut self, value: &Spanned<String>, key: &str) {
        if value.get_ref().trim().is_empty() {
            self.at(
                value.span(),
                format!("`{key}` tidak boleh kosong / `{key}` must not be empty"),
            );
        }
    }
}

/// Checks one flow; `id` is its file's name without `.toml`.
pub(super) fn flow(file: &str, src: &str, id: &str, raw: RawFlow) -> Result<Flow, Vec<SopError>> {
    let mut cx = Ctx {
        file,
        src,
        errors: Vec::new(),
    };
    cx.text(&raw.name, "name");
    if raw.steps.is_empty() {
        cx.at(
            raw.name.span(),
            "alur belum punya langkah ([[steps]]) / the flow has no steps".to_string(),
        );
    }

    let mut steps = Vec::new();
    let mut first_seen: HashMap<u32, usize> = HashMap::new();
    let mut duplicate = false;
    let mut ticket_prefix = true;
    let mut ticket_steps = 0usize;
    for spanned in &raw.steps {
        let raw = spanned.get_ref();
        let no = *raw.no.get_ref();
        if no == 0 {
            cx.at(
                raw.no.span(),
                "nomor langkah dimulai dari 1 / step numbers start at 1".to_string(),
            );
        }
        if let Some(line) = first_seen.get(&no) {
            duplicate = true;
            cx.at(
                raw.no.span(),
                format!(
                    "nomor langkah {no} sudah dipakai di baris {line} / step number {no} is already used on line {line}"
                ),
            );
        } else {
            first_seen.insert(no, cx.line(&raw.no.span()));
        }

        let actor = match raw.actor.get_ref().parse::<Performer>() {
            Ok(a) => Some(a),
            Err(_) => {
                cx.at(
                    raw.actor.span(),
                    format!(
                        "pelaksana `{v}` tidak dikenal; yang dikenal: pengadu, walikota_sekda, {all} / unknown actor `{v}`",
                        v = raw.actor.get_ref(),
                        all = ALL_ROLES.map(Role::as_str).join(", ")
                    ),
                );
                None
            }
        };
        let also_by: Vec<Role> = raw
            .also_by
            .iter()
            .flat_map(|list| list.get_ref().iter())
            .filter_map(|r| cx.role(r))
            .collect();
        let recorded_by: Vec<Role> = raw
            .recorded_by
            .iter()
            .flat_map(|list| list.get_ref().iter())
            .filter_map(|r| cx.role(r))
            .collect();
        match actor {
            Some(Performer::Outside(p)) => {
                if raw
                    .recorded_by
                    .as_ref()
                    .is_none_or(|l| l.get_ref().is_empty())
                {
                    cx.at(
                        raw.actor.span(),
                        format!(
                            "langkah {no} milik {p} yang tidak masuk aplikasi: sebutkan `recorded_by`, peran yang mencatatnya / step {no} belongs to `{a}`, who never logs in: name the roles that record it in `recorded_by`",
                            p = p.label_id(),
                            a = p.as_str()
                        ),
                    );
                }
                if let Some(list) = &raw.also_by {
                    cx.at(
                        list.span(),
                        format!(
                            "`also_by` hanya untuk langkah petugas; langkah {no} dicatat lewat `recorded_by` / `also_by` is for staff steps; step {no} is recorded through `recorded_by`"
                        ),
                    );
                }
            }
            Some(Performer::Staff(_)) => {
                if let Some(list) = &raw.recorded_by {
                    cx.at(
                        list.span(),
                        format!(
                            "`recorded_by` hanya untuk langkah pengadu atau walikota_sekda; langkah {no} dilakukan sendiri oleh petugasnya / `recorded_by` is only for steps of pengadu or walikota_sekda"
                        ),
                    );
                }
            }
            None => {}
        }
        cx.text(&raw.action, "action");
        cx.text(&raw.output, "output");
        let time = match raw.time.get_ref().parse::<TimeStandard>() {
            Ok(t) => Some(t),
            Err(e) => {
                cx.at(raw.time.span(), e.to_string());
                None
            }
        };
        if let (Some(a), None) = (&raw.approval, &raw.revise) {
            cx.at(
                a.span(),
                "`approval` hanya untuk langkah pemeriksaan (yang punya `revise`) / `approval` is only for review steps (with `revise`)".to_string(),
            );
        }
        if let (Some(r), None) = (&raw.revise, &raw.next) {
            cx.at(
                r.span(),
                format!(
                    "langkah pemeriksaan {no} perlu `next`, langkah sesudah disetujui / review step {no} needs `next`, the step after approval"
                ),
            );
        }
        let drafts_reply = raw.drafts_reply.as_ref().is_some_and(|d| *d.get_ref());
        if drafts_reply && matches!(actor, Some(Performer::Outside(_))) {
            cx.at(
                raw.actor.span(),
                format!(
                    "surat balasan (`drafts_reply`) ditulis petugas, bukan {} / the reply is drafted by staff",
                    raw.actor.get_ref()
                ),
            );
        }
        let from_ticket = raw.from_ticket.as_ref().is_some_and(|f| *f.get_ref());
        if from_ticket {
            ticket_steps += 1;
            if let Some(f) = raw
                .from_ticket
                .as_ref()
                .filter(|_| !ticket_prefix || ticket_steps > MAX_TICKET_STEPS)
            {
                cx.at(
                    f.span(),
                    format!(
                        "`from_ticket` hanya untuk paling banyak {MAX_TICKET_STEPS} langkah pertama (nomor antrian, customer service) / `from_ticket` is only for the first {MAX_TICKET_STEPS} steps at most"
                    ),
                );
            }
        } else if ticket_prefix {
            ticket_prefix = false;
            // The first step after the ticket's is where staff open the complaint.
            if matches!(actor, Some(Performer::Outside(_))) {
                cx.at(
                    raw.actor.span(),
                    format!(
                        "langkah {no} membuka pengaduan dan harus dilakukan petugas / step {no} opens the complaint and must be a staff step"
                    ),
                );
            }
        }
        let signed_by = raw.signed_by.as_ref().and_then(|s| cx.role(s));

        if let (Some(actor), Some(time)) = (actor, time) {
            steps.push(Step {
                no,
                actor,
                also_by,
                recorded_by,
                action: raw.action.get_ref().clone(),
                requirements: raw.requirements.clone(),
                time,
                output: raw.output.get_ref().clone(),
                next: raw.next.as_ref().map(|n| *n.get_ref()),
                revise: raw.revise.as_ref().map(|n| *n.get_ref()),
                approval: raw.approval.as_ref().map(|a| *a.get_ref()),
                drafts_reply,
                from_ticket,
                signed_by,
                note: raw.note.clone().filter(|n| !n.trim().is_empty()),
            });
        }
    }

    let sound_graph = !duplicate && check_targets(&mut cx, &raw) && !raw.steps.is_empty();
    if sound_graph {
        check_reviews(&mut cx, &raw);
        check_paths(&mut cx, &raw);
    }

    if cx.errors.is_empty() {
        Ok(Flow::new(id.to_string(), raw.name.get_ref().clone(), steps))
    } else {
        Err(cx.errors)
    }
}

/// Every `next` and `revise` names a step of this flow. False when one does not, so the path
/// checks do not pile follow-on errors onto it.
fn check_targets(cx: &mut Ctx<'_>, raw: &RawFlow) -> bool {
    let numbers: BTreeSet<u32> = raw
        .steps
        .iter()
        .map(|s| *s.get_ref().no.get_ref())
        .collect();
    let mut ok = true;
    for s in &raw.steps {
        let s = s.get_ref();
        for (key, target) in [("next", &s.next), ("revise", &s.revise)] {
            if let Some(t) = target
                && !numbers.contains(t.get_ref())
            {
                ok = false;
                let have = numbers
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                cx.at(
                    t.span(),
                    format!(
                        "`{key}` menuju langkah {t} yang tidak ada di alur ini (langkah: {have}) / `{key}` leads to step {t}, which this flow does not have",
                        t = t.get_ref()
                    ),
                );
            }
        }
    }
    ok
}

/// A review step reviews a reply letter: some step between where a revision starts again and
/// the review itself must write it.
fn check_reviews(cx: &mut Ctx<'_>, raw: &RawFlow) {
    let position = |no: u32| {
        raw.steps
            .iter()
            .position(|s| *s.get_ref().no.get_ref() == no)
    };
    for (i, s) in raw.steps.iter().enumerate() {
        let s = s.get_ref();
        let Some(revise) = &s.revise else { continue };
        let Some(from) = position(*revise.get_ref()) else {
            continue;
        };
        let drafted = from < i
            && raw.steps[from..i].iter().any(|d| {
                d.get_ref()
                    .drafts_reply
                    .as_ref()
                    .is_some_and(|f| *f.get_ref())
            });
        if !drafted {
            cx.at(
                revise.span(),
                format!(
                    "`revise` harus kembali ke langkah sebelum langkah yang menulis surat balasan (`drafts_reply`); dari langkah {r} sampai {n} tidak ada / `revise` must go back to before the step that drafts the reply (`drafts_reply`); none lies between step {r} and step {n}",
                    r = revise.get_ref(),
                    n = s.no.get_ref()
                ),
            );
        }
    }
}

/// One final step; every step reachable from the first; the final step reachable from every
/// step (else a loop has no exit).
fn check_paths(cx: &mut Ctx<'_>, raw: &RawFlow) {
    let steps: Vec<&RawStep> = raw.steps.iter().map(Spanned::get_ref).collect();
    let no = |s: &RawStep| *s.no.get_ref();
    let edges = |s: &RawStep| -> Vec<u32> {
        s.next
            .iter()
            .chain(s.revise.iter())
            .map(|t| *t.get_ref())
            .collect()
    };

    let finals: Vec<usize> = (0..steps.len())
        .filter(|&i| steps[i].next.is_none())
        .collect();
    let final_no = match finals.as_slice() {
        [] => {
            cx.at(
                raw.name.span(),
                "alur tidak punya langkah akhir (langkah tanpa `next`) / the flow has no final step (one without `next`)".to_string(),
            );
            None
        }
        [only] => Some(no(steps[*only])),
        [first, rest @ ..] => {
            for &i in rest {
                cx.at(
                    raw.steps[i].span(),
                    format!(
                        "langkah {n} juga tanpa `next`; langkah akhir alur ini sudah langkah {f} / step {n} has no `next` either; the final step is already step {f}",
                        n = no(steps[i]),
                        f = no(steps[*first])
                    ),
                );
            }
            None
        }
    };

    let successors = |n: u32| {
        steps
            .iter()
            .find(|s| no(s) == n)
            .map(|s| edges(s))
            .unwrap_or_default()
    };
    let start = no(steps[0]);
    let reached = walk(start, successors);
    for (i, s) in steps.iter().enumerate() {
        if !reached.contains(&no(s)) {
            cx.at(
                raw.steps[i].span(),
                format!(
                    "langkah {n} tidak pernah dicapai dari langkah pertama ({start}) / step {n} is never reached from the first step ({start})",
                    n = no(s)
                ),
            );
        }
    }

    let Some(final_no) = final_no else { return };
    // Walking the edges backwards from the final step finds every step it can be reached from.
    let exits = walk(final_no, |n| {
        steps
            .iter()
            .filter(|s| edges(s).contains(&n))
            .map(|s| no(s))
            .collect()
    });
    // Steps that only lead into the loop are not part of it: name those that go round.
    let trapped: Vec<usize> = (0..steps.len())
        .filter(|&i| {
            let n = no(steps[i]);
            reached.contains(&n)
                && !exits.contains(&n)
                && successors(n)
                    .into_iter()
                    .any(|m| walk(m, successors).contains(&n))
        })
        .collect();
    if let Some(&first) = trapped.first() {
        let names = trapped
            .iter()
            .map(|&i| no(steps[i]).to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let span = steps[first]
            .next
            .as_ref()
            .map_or_else(|| raw.steps[first].span(), Spanned::span);
        cx.at(
            span,
            format!(
                "langkah {names} berputar tanpa jalan keluar: langkah akhir {final_no} tidak pernah tercapai dari sana / steps {names} loop with no exit: the final step {final_no} cannot be reached from them"
            ),
        );
    }
}

fn walk(from: u32, neighbours: impl Fn(u32) -> Vec<u32>) -> BTreeSet<u32> {
    let mut seen = BTreeSet::from([from]);
    let mut todo = vec![from];
    while let Some(n) = todo.pop() {
        for m in neighbours(n) {
            if seen.insert(m) {
                todo.push(m);
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::super::error::SopError;
    use super::super::load::{Sop, SopSource};

    const FILE: &str = "/etc/loket/sop/skala_besar.toml";

    /// Loads the compiled-in flows with `name` replaced by `text` (as an office override at
    /// `/etc/loket/sop/`), expecting errors.
    fn errors_with(name: &str, text: &str) -> Vec<SopError> {
        let mut sources = SopSource::embedded();
        for s in &mut sources {
            if s.name == name {
                s.file = format!("/etc/loket/sop/{name}");
                s.text = text.to_string();
            }
        }
        Sop::from_sources(sources).expect_err("must be refused").0
    }

    fn embedded(name: &str) -> String {
        SopSource::embedded()
            .into_iter()
            .find(|s| s.name == name)
            .map(|s| s.text)
            .expect("embedded flow")
    }

    /// The 1-based line of the `nth` (0-based) line equal to `needle` after trimming.
    fn line(text: &str, needle: &str, nth: usize) -> usize {
        text.lines()
            .enumerate()
            .filter(|(_, l)| l.trim() == needle)
            .nth(nth)
            .map(|(n, _)| n + 1)
            .unwrap_or_else(|| panic!("`{needle}` #{nth} not in the text"))
    }

    /// Replaces the `nth` line equal to `from` (trimmed) with `to`.
    fn replace_line(text: &str, from: &str, nth: usize, to: &str) -> String {
        let at = line(text, from, nth) - 1;
        text.lines()
            .enumerate()
            .map(|(i, l)| if i == at { to } else { l })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    }

    fn one(errors: &[SopError]) -> &SopError {
        assert_eq!(errors.len(), 1, "{errors:#?}");
        &errors[0]
    }

    #[test]
    fn an_unknown_role_is_named_with_its_file_and_line() {
        let text = replace_line(
            &embedded("skala_besar.toml"),
            "actor = \"kepala_dinas\"",
            0,
            "actor = \"kepala_kantor\"",
        );
        let e = one(&errors_with("skala_besar.toml", &text)).clone();
        assert_eq!(e.file, FILE);
        assert_eq!(e.line, Some(line(&text, "actor = \"kepala_kantor\"", 0)));
        assert!(e.message.contains("`kepala_kantor`"), "{e}");

        let text = replace_line(
            &embedded("skala_besar.toml"),
            "also_by = [\"kasi\"]",
            0,
            "also_by = [\"kasie\"]",
        );
        let e = one(&errors_with("skala_besar.toml", &text)).clone();
        assert_eq!(e.line, Some(line(&text, "also_by = [\"kasie\"]", 0)));
        assert!(e.message.contains("peran `kasie` tidak dikenal"), "{e}");
    }

    #[test]
    fn a_repeated_step_number_points_at_the_second_one() {
        let text = replace_line(&embedded("skala_besar.toml"), "no = 9", 0, "no = 7");
        let e = one(&errors_with("skala_besar.toml", &text)).clone();
        assert_eq!(e.file, FILE);
        assert_eq!(e.line, Some(line(&text, "no = 7", 1)));
        let first = line(&text, "no = 7", 0);
        assert!(
            e.message
                .contains(&format!("nomor langkah 7 sudah dipakai di baris {first}")),
            "{e}"
        );
    }

    #[test]
    fn a_transition_to_a_missing_step_is_refused() {
        // The large flow goes from 7 to 9: a "corrected" 8 leads nowhere.
        let text = replace_line(&embedded("skala_besar.toml"), "next = 9", 0, "next = 8");
        let e = one(&errors_with("skala_besar.toml", &text)).clone();
        assert_eq!(e.line, Some(line(&text, "next = 8", 0)));
        assert!(e.message.contains("langkah 8 yang tidak ada"), "{e}");
        assert!(e.message.contains("1, 2, 3, 4, 5, 6, 7, 9"), "{e}");

        let text = replace_line(
            &embedded("skala_kecil.toml"),
            "revise = 4",
            0,
            "revise = 40",
        );
        let e = one(&errors_with("skala_kecil.toml", &text)).clone();
        assert_eq!(e.line, Some(line(&text, "revise = 40", 0)));
        assert!(e.message.contains("`revise`"), "{e}");
    }

    #[test]
    fn an_unreachable_step_is_named_at_its_header() {
        let text = replace_line(&embedded("skala_menengah.toml"), "next = 3", 0, "next = 4");
        let e = one(&errors_with("skala_menengah.toml", &text)).clone();
        // The third [[steps]] table is step 3.
        assert_eq!(e.line, Some(line(&text, "[[steps]]", 2)));
        assert!(
            e.message
                .contains("langkah 3 tidak pernah dicapai dari langkah pertama (1)"),
            "{e}"
        );
    }

    #[test]
    fn a_loop_with_no_exit_is_refused() {
        let text = replace_line(&embedded("skala_besar.toml"), "next = 9", 0, "next = 5");
        let errors = errors_with("skala_besar.toml", &text);
        assert_eq!(errors.len(), 2, "{errors:#?}");
        // Step 9 can no longer be reached at all…
        assert_eq!(errors[0].line, Some(line(&text, "[[steps]]", 7)));
        assert!(errors[0].message.contains("langkah 9 tidak pernah dicapai"));
        // …and 5 → 6 → 7 → 5 goes round for ever; the error points at the loop's first step.
        assert_eq!(errors[1].line, Some(line(&text, "next = 6", 0)));
        assert!(
            errors[1]
                .message
                .contains("langkah 5, 6, 7 berputar tanpa jalan keluar"),
            "{}",
            errors[1]
        );
    }

    #[test]
    fn a_time_standard_that_does_not_read_is_refused() {
        let text = replace_line(
            &embedded("pengaduan.toml"),
            "time = \"3 jam\"",
            0,
            "time = \"3 jam kerja\"",
        );
        let e = one(&errors_with("pengaduan.toml", &text)).clone();
        assert_eq!(e.file, "/etc/loket/sop/pengaduan.toml");
        assert_eq!(e.line, Some(line(&text, "time = \"3 jam kerja\"", 0)));
        assert!(
            e.message
                .starts_with("waktu proses `3 jam kerja` tidak dikenali"),
            "{e}"
        );
    }

    #[test]
    fn a_missing_field_points_at_its_step() {
        let base = embedded("skala_kecil.toml");
        let action = base
            .lines()
            .find(|l| l.starts_with("action = \"Customer Service"))
            .expect("step 2's action");
        let text = base.replace(&format!("{action}\n"), "");
        let e = one(&errors_with("skala_kecil.toml", &text)).clone();
        assert_eq!(e.line, Some(line(&text, "[[steps]]", 1)));
        assert!(e.message.starts_with("kolom `action` wajib diisi"), "{e}");
    }

    #[test]
    fn an_unknown_key_and_a_syntax_error_name_their_line() {
        let text = replace_line(&embedded("skala_kecil.toml"), "next = 3", 0, "nxt = 3");
        let e = one(&errors_with("skala_kecil.toml", &text)).clone();
        assert_eq!(e.line, Some(line(&text, "nxt = 3", 0)));
        assert!(e.message.starts_with("kolom `nxt` tidak dikenal"), "{e}");

        let text = replace_line(&embedded("skala_kecil.toml"), "no = 4", 0, "no = ");
        let e = one(&errors_with("skala_kecil.toml", &text)).clone();
        assert_eq!(e.line, Some(line(&text, "no =", 0)));
    }

    #[test]
    fn an_outside_party_step_must_say_who_records_it() {
        let base = embedded("skala_kecil.toml");
        let text = replace_line(&base, "recorded_by = [\"complaint_officer\"]", 0, "");
        let e = one(&errors_with("skala_kecil.toml", &text)).clone();
        assert_eq!(e.line, Some(line(&text, "actor = \"pengadu\"", 1)));
        assert!(e.message.contains("`recorded_by`"), "{e}");

        // And a staff step may not have one: staff act for themselves.
        let text = base.replace(
            "actor = \"kasubbag_umum\"\n",
            "actor = \"kasubbag_umum\"\nrecorded_by = [\"complaint_officer\"]\n",
        );
        let e = one(&errors_with("skala_kecil.toml", &text)).clone();
        assert_eq!(
            e.line,
            Some(line(&text, "recorded_by = [\"complaint_officer\"]", 0))
        );
    }

    #[test]
    fn a_review_needs_a_drafting_step_to_return_to() {
        // Returning to step 6 itself would skip the redraft at step 5.
        let text = replace_line(&embedded("pengaduan.toml"), "revise = 4", 0, "revise = 6");
        let e = one(&errors_with("pengaduan.toml", &text)).clone();
        assert_eq!(e.line, Some(line(&text, "revise = 6", 0)));
        assert!(e.message.contains("`drafts_reply`"), "{e}");
    }

    #[test]
    fn every_problem_of_every_file_is_reported() {
        let mut sources = SopSource::embedded();
        for s in &mut sources {
            match s.name.as_str() {
                "skala_kecil.toml" => s.text = s.text.replace("\"1 jam\"", "\"1 jm\""),
                "pengaduan.toml" => s.text = s.text.replace("\"sekretaris\"", "\"sekda\""),
                _ => {}
            }
        }
        let errors = Sop::from_sources(sources).expect_err("refused").0;
        let files: Vec<&str> = errors.iter().map(|e| e.file.as_str()).collect();
        assert_eq!(
            files,
            ["config/sop/pengaduan.toml", "config/sop/skala_kecil.toml"],
            "{errors:#?}"
        );
    }

    #[test]
    fn a_level_naming_a_missing_flow_is_refused_at_its_line() {
        let text = "[levels]\nkecil = \"skala_kecil\"\nmenengah = \"skala_menengah\"\nbesar = \"skala_raksasa\"\n";
        let e = one(&errors_with("levels.toml", text)).clone();
        assert_eq!(e.file, "/etc/loket/sop/levels.toml");
        assert_eq!(e.line, Some(4));
        assert!(
            e.message.contains("alur `skala_raksasa` yang tidak ada"),
            "{e}"
        );

        let e = one(&errors_with(
            "levels.toml",
            "[levels]\nkecil = \"pengaduan\"\nmenengah = \"pengaduan\"\n",
        ))
        .clone();
        assert_eq!(e.line, Some(1));
        assert!(e.message.starts_with("kolom `besar` wajib diisi"), "{e}");
    }
}
