//! The complaint pages of the staff console: intake (the SOP's step 3), a complaint's page
//! (its flow as a timeline, the reply drafts, the identity masked or — audited — whole, and
//! the forms of the actions the viewer may take at the current step), and the register.
//!
//! Who may see a complainant's identity whole: the complaint officer (who took it down and
//! answers the complainant) and the Kepala Dinas (who signs the reply). Every such view goes
//! through `complaint_with_identity` and is written to the audit log; a confidential
//! (*rahasia*) complaint is shown whole to those two roles only, like any other.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Deserialize;

use super::AppState;
use super::auth::Staff;
use super::error::ApiError;
use super::extract::{PagePath, PageQuery};
use super::flash::Flash;
use super::page::{HtmlForm, Shell, error, redirect, render};
use crate::auth::Role;
use crate::complaint::{
    Action, ActionKind, Channel, Level, TimelineRow, Timing, minutes_label, timeline,
};
use crate::privacy::Nik;
use crate::store::{
    Complaint, Identity, NewComplaint, OpError, RegisterQuery, Source, Status, WORK_LIMIT,
};

/// Everyone the complaint SOP names.
pub const COMPLAINT_ROLES: &[Role] = &[
    Role::ComplaintOfficer,
    Role::KasubbagUmum,
    Role::Kasi,
    Role::Sekretaris,
    Role::KepalaDinas,
];
/// Who opens a complaint (the SOP's step 3).
pub const INTAKE_ROLES: &[Role] = &[Role::ComplaintOfficer];
/// Who may see the complainant's identity whole (audited).
pub const IDENTITY_ROLES: &[Role] = &[Role::ComplaintOfficer, Role::KepalaDinas];

pub const REGISTER: &str = "/console/pengaduan";
pub const NEW: &str = "/console/pengaduan/baru";
const STORE_DOWN: &str = "Penyimpanan data sedang tidak tersedia.";
const PAGE_SIZE: usize = 50;

fn local(app: &AppState, t: DateTime<Utc>) -> String {
    t.with_timezone(&app.config.office.time_zone)
        .format("%d-%m-%Y %H:%M")
        .to_string()
}

fn opt_local(app: &AppState, t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(|| "—".to_string(), |t| local(app, t))
}

fn may(staff: &Staff, roles: &[Role]) -> bool {
    staff.user.roles.iter().any(|r| roles.contains(r))
}

/// A store refusal as (status, message): the engine's meaning, or the store being down.
fn refusal(e: OpError) -> (StatusCode, String) {
    match e {
        OpError::Store(_) => (StatusCode::SERVICE_UNAVAILABLE, STORE_DOWN.to_string()),
        other => {
            let e = ApiError::from(other);
            (e.status, e.message)
        }
    }
}

// ---------------------------------------------------------------------------------------
// Intake.

const CHANNELS: [(&str, Channel); 5] = [
    ("surat", Channel::Letter),
    ("telepon", Channel::Phone),
    ("surel", Channel::Email),
    ("datang_langsung", Channel::InPerson),
    ("lainnya", Channel::Other),
];

/// The intake form as typed: kept whole when it is sent back with an error.
#[derive(Debug, Default, Deserialize)]
pub struct IntakeForm {
    /// `tiket` or one of `CHANNELS`.
    #[serde(default)]
    source: String,
    /// A ticket chosen from today's list (its id); empty when typed or scanned instead.
    #[serde(default)]
    pick: String,
    /// The queue ticket's id, as the tracking link and the console show it.
    #[serde(default)]
    ticket: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    nik: String,
    #[serde(default)]
    rahasia: Option<String>,
    #[serde(default)]
    service: String,
    #[serde(default)]
    what_happened: String,
    #[serde(default)]
    happened_on: String,
    #[serde(default)]
    shortfall: String,
    #[serde(default)]
    remedy: String,
    #[serde(default)]
    level: String,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// One of today's finished tickets offered on the intake form.
struct TicketLine {
    id: String,
    label: String,
    service: String,
    counter: String,
    finished: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "console/complaint_new.html")]
struct IntakePage {
    shell: Shell,
    form: IntakeForm,
    tickets: Vec<TicketLine>,
    /// The list could not be read (the store is down): the typed field still works.
    tickets_unavailable: bool,
    sources: Vec<Choice>,
    services: Vec<Choice>,
    levels: Vec<Choice>,
    /// Field name → message, shown beside the field.
    errors: Vec<(&'static str, String)>,
}

impl IntakePage {
    fn error_of(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    fn rahasia(&self) -> bool {
        self.form.rahasia.is_some()
    }

    /// "Not in the list" is chosen unless a listed ticket is.
    fn none_picked(&self) -> bool {
        !self.tickets.iter().any(|t| t.checked)
    }
}

/// How many of today's tickets the form lists; older ones are typed or scanned.
const INTAKE_LIST: usize = 30;

async fn intake_page(
    app: &AppState,
    staff: &Staff,
    form: IntakeForm,
    errors: Vec<(&'static str, String)>,
) -> Response {
    let (listed, tickets_unavailable) = match app.store.intake_tickets(INTAKE_LIST).await {
        Ok(t) => (t, false),
        Err(e) => {
            tracing::warn!(error = %e, "intake ticket list not read");
            (Vec::new(), true)
        }
    };
    let tz = app.config.office.time_zone;
    let tickets = listed
        .into_iter()
        .map(|t| TicketLine {
            id: t.id.to_string(),
            checked: form.pick.trim() == t.id.to_string(),
            service: app
                .config
                .service(&t.service)
                .map_or_else(|| t.service.clone(), |s| s.name.clone()),
            counter: app
                .config
                .counter(t.counter)
                .map_or_else(|| format!("Loket {}", t.counter), |c| c.name.clone()),
            finished: t.finished_at.with_timezone(&tz).format("%H:%M").to_string(),
            label: t.label,
        })
        .collect();
    let source = if form.source.is_empty() {
        "tiket"
    } else {
        form.source.as_str()
    };
    let mut sources = vec![Choice {
        value: "tiket".to_string(),
        label: "Nomor antrian hari ini (sudah selesai dilayani)".to_string(),
        selected: source == "tiket",
    }];
    sources.extend(CHANNELS.iter().map(|(v, c)| Choice {
        value: (*v).to_string(),
        label: c.label_id().to_string(),
        selected: source == *v,
    }));
    let services = app
        .config
        .services
        .iter()
        .map(|sv| Choice {
            value: sv.name.clone(),
            label: sv.name.clone(),
            selected: form.service == sv.name,
        })
        .collect();
    let levels = Level::ALL
        .iter()
        .map(|l| {
            let flow = app.config.sop.flow_for(*l);
            Choice {
                value: l.as_str().to_string(),
                label: format!("{} — alur: {}", l.label_id(), flow.name),
                selected: form.level == l.as_str(),
            }
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut shell = Shell::staff(app, staff, "Pengaduan baru", NEW);
    if !errors.is_empty() {
        shell = shell.with(Flash::err(
            "Pengaduan belum dicatat: periksa isian yang ditandai.",
        ));
    }
    render(
        status,
        &IntakePage {
            shell,
            form,
            tickets,
            tickets_unavailable,
            sources,
            services,
            levels,
            errors,
        },
    )
}

pub async fn intake(State(app): State<AppState>, staff: Staff) -> Response {
    intake_page(&app, &staff, IntakeForm::default(), Vec::new()).await
}

/// The ticket's id as typed, or as a QR scanner types the ticket's tracking link
/// (`https://…/t/42?k=…`: the survey key after `?` is not the officer's business).
fn ticket_id(typed: &str) -> Option<u64> {
    let typed = typed.trim();
    let id = typed.rsplit_once("/t/").map_or(typed, |(_, id)| id);
    let id = id.split(['?', '#']).next().unwrap_or(id);
    super::extract::digits(id.trim_end_matches('/'))
}

/// Reads the form into a new complaint, or the fields that are wrong.
fn read_intake(form: &IntakeForm) -> Result<NewComplaint, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    let source = if form.source == "tiket" || form.source.is_empty() {
        let picked = form.pick.trim();
        let typed = form.ticket.trim();
        match (picked.parse::<u64>().ok(), ticket_id(typed)) {
            _ if !picked.is_empty() && picked.parse::<u64>().is_err() => {
                errors.push(("pick", "Pilihan nomor antrian tidak valid.".to_string()));
                None
            }
            (Some(p), Some(t)) if p != t => {
                errors.push((
                    "pick",
                    "Pilih nomor antrian dari daftar atau ketik/pindai ID tiketnya, tidak keduanya."
                        .to_string(),
                ));
                None
            }
            (Some(id), _) => Some(Source::Ticket(id)),
            (None, Some(id)) => Some(Source::Ticket(id)),
            (None, None) => {
                errors.push((
                    "ticket",
                    "Pilih nomor antrian dari daftar, pindai kode QR tiketnya atau ketik ID tiketnya (angka), atau pilih saluran lain.".to_string(),
                ));
                None
            }
        }
    } else {
        match CHANNELS.iter().find(|(v, _)| *v == form.source) {
            Some((_, c)) => Some(Source::Channel(*c)),
            None => {
                errors.push(("source", "Pilih asal pengaduan.".to_string()));
                None
            }
        }
    };
    let nik = match form.nik.trim() {
        "" => None,
        typed => match Nik::parse(typed) {
            Ok(n) => Some(n),
            Err(e) => {
                errors.push(("nik", e.to_string()));
                None
            }
        },
    };
    let level = Level::ALL.into_iter().find(|l| l.as_str() == form.level);
    if level.is_none() {
        errors.push(("level", "Pilih tingkatan masalah.".to_string()));
    }
    let happened_on = match form.happened_on.trim() {
        "" => None,
        d => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(("happened_on", "Tanggal kejadian tidak valid.".to_string()));
                None
            }
        },
    };
    for (field, value, label) in [
        ("name", &form.name, "Nama pengadu"),
        ("service", &form.service, "Layanan yang diadukan"),
        ("what_happened", &form.what_happened, "Uraian kejadian"),
    ] {
        if value.trim().is_empty() {
            errors.push((field, format!("{label} wajib diisi.")));
        }
    }
    match (source, level, errors.is_empty()) {
        (Some(source), Some(level), true) => Ok(NewComplaint {
            source,
            level,
            identity: Identity {
                name: form.name.trim().to_string(),
                address: form.address.trim().to_string(),
                phone: form.phone.trim().to_string(),
                email: form.email.trim().to_string(),
                nik,
                rahasia: form.rahasia.is_some(),
            },
            service: form.service.trim().to_string(),
            what_happened: form.what_happened.trim().to_string(),
            happened_on,
            shortfall: form.shortfall.trim().to_string(),
            remedy: form.remedy.trim().to_string(),
        }),
        _ => Err(errors),
    }
}

pub async fn intake_submit(
    State(app): State<AppState>,
    staff: Staff,
    HtmlForm(form): HtmlForm<IntakeForm>,
) -> Response {
    let new = match read_intake(&form) {
        Ok(n) => n,
        Err(errors) => return intake_page(&app, &staff, form, errors).await,
    };
    match app.store.open_complaint(new, staff.who()).await {
        Ok(c) => redirect(
            &app,
            &staff,
            &format!("{REGISTER}/{}", c.seq()),
            Flash::ok(format!(
                "Pengaduan {} dicatat. Kode lacak untuk pengadu: {}",
                c.number, c.tracking_code
            )),
        ),
        Err(OpError::Store(_)) => error(
            &app,
            StatusCode::SERVICE_UNAVAILABLE,
            "Penyimpanan data sedang tidak tersedia: pengaduan belum dicatat.",
        ),
        Err(e) => {
            let (_, message) = refusal(e);
            // A ticket's refusal (gone, not finished, already named by a complaint opened
            // meanwhile) is said where it was chosen: at the list or at the typed field.
            let field = if !(message.contains("antrian") || message.contains("Tiket")) {
                "form"
            } else if form.pick.trim().is_empty() {
                "ticket"
            } else {
                "pick"
            };
            intake_page(&app, &staff, form, vec![(field, message)]).await
        }
    }
}

// ---------------------------------------------------------------------------------------
// A complaint's page.

struct StepLine {
    step: u32,
    round: u32,
    action: String,
    actor: &'static str,
    standard: String,
    started: String,
    due: String,
    done: String,
    by: String,
    outcome: String,
    note: String,
    elapsed: String,
    /// `terlambat 2 jam` / `sisa 3 jam` / ``.
    timing: String,
    overdue: bool,
    late: bool,
    current: bool,
    planned: bool,
}

struct DraftLine {
    round: u32,
    text: String,
    written: String,
    review: String,
}

struct IdentityView {
    name: String,
    nik: String,
    address: String,
    phone: String,
    email: String,
    rahasia: bool,
    whole: bool,
}

/// The forms of the current step the viewer may use.
#[derive(Default)]
struct Forms {
    step: u32,
    version: u64,
    complete: bool,
    on_behalf: Option<&'static str>,
    draft: Option<String>,
    approve: Option<&'static str>,
    requirements: Vec<String>,
}

/// One attachment as the complaint's page lists it.
struct AttachmentLine {
    sha256: String,
    kind: &'static str,
    size: String,
    added: String,
    by: String,
}

/// `512 B`, `37 KiB`, `2,4 MiB` (Indonesian decimal comma).
fn size_label(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{} KiB", b.div_ceil(1024)),
        b => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)).replace('.', ","),
    }
}

/// A signed letter as the complaint's page shows it.
struct LetterLine {
    number: String,
    signed: String,
    signer: String,
    sha256: String,
}

#[derive(Template)]
#[template(path = "console/complaint.html")]
struct ComplaintPage {
    shell: Shell,
    seq: u64,
    attachments: Vec<AttachmentLine>,
    /// The upload form: for the complaint officer while the complaint is open.
    may_attach: bool,
    /// Download links: for who may see the identity, until the retention purge.
    may_download: bool,
    max_attachment_kib: u64,
    c: Complaint,
    created: String,
    level: &'static str,
    flow_name: String,
    flow_version: String,
    status: String,
    source: String,
    happened_on: String,
    steps: Vec<StepLine>,
    drafts: Vec<DraftLine>,
    /// The signed reply letter (the latest), if any.
    letter: Option<LetterLine>,
    /// The signed letter's download: for who may see the identity (it names the
    /// complainant), until the retention purge.
    may_download_letter: bool,
    /// The receipt: once the letter is signed, at the flow's last step (the complainant
    /// receives it) or after.
    may_receipt: bool,
    /// A draft not yet signed can be previewed as a letter.
    may_preview: bool,
    identity: IdentityView,
    may_view_identity: bool,
    forms: Option<Forms>,
    /// Who acts at the current step, for a viewer who may not.
    waiting_for: String,
    /// The staff stream's newest event before the complaint was read: the page follows the
    /// stream from there and says when this complaint changed after it.
    events_since: u64,
}

impl ComplaintPage {
    /// The waiting step's line, for the header.
    fn now_step(&self) -> Option<&StepLine> {
        self.steps.iter().find(|s| s.current)
    }
}

impl StepLine {
    /// The row's classes: the current step, overdue, not reached yet.
    fn class(&self) -> String {
        [
            (self.current, "now"),
            (self.overdue, "overdue"),
            (self.planned, "planned"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, c)| *c)
        .collect::<Vec<_>>()
        .join(" ")
    }
}

fn step_line(app: &AppState, r: TimelineRow) -> StepLine {
    let (timing, overdue, late) = match r.timing {
        Timing::Overdue { by_minutes } => (
            format!("terlambat {}", minutes_label(by_minutes)),
            true,
            false,
        ),
        Timing::DoneLate { by_minutes } => (
            format!("selesai terlambat {}", minutes_label(by_minutes)),
            false,
            true,
        ),
        Timing::Running { left_minutes } if r.due_at.is_some() => (
            format!("sisa {}", minutes_label(left_minutes)),
            false,
            false,
        ),
        Timing::NotApplicable => ("tidak berlaku".to_string(), false, false),
        _ => (String::new(), false, false),
    };
    let by = match (r.done_by, r.on_behalf_of) {
        (Some(by), Some(party)) => format!("{by} (atas nama {party})"),
        (Some(by), None) => by,
        (None, _) => String::new(),
    };
    StepLine {
        step: r.step,
        round: r.round,
        action: r.action,
        actor: r.actor,
        standard: r.standard,
        started: opt_local(app, r.started_at),
        due: opt_local(app, r.due_at),
        done: opt_local(app, r.done_at),
        by,
        outcome: r.outcome.unwrap_or_default().to_string(),
        // The ticket steps' note only repeats their outcome.
        note: r
            .note
            .filter(|n| !n.starts_with("Dari riwayat nomor antrian"))
            .unwrap_or_default(),
        elapsed: r.elapsed_minutes.map(minutes_label).unwrap_or_default(),
        timing,
        overdue,
        late,
        current: r.current,
        planned: r.started_at.is_none(),
    }
}

fn identity_view(i: Option<&Identity>, masked: Option<(String, Option<String>)>) -> IdentityView {
    match (i, masked) {
        (Some(i), _) => IdentityView {
            name: i.name.clone(),
            nik: i
                .nik
                .as_ref()
                .map_or("—".to_string(), |n| n.as_str().to_string()),
            address: i.address.clone(),
            phone: i.phone.clone(),
            email: i.email.clone(),
            rahasia: i.rahasia,
            whole: true,
        },
        (None, Some((name, nik))) => IdentityView {
            rahasia: name == "(dirahasiakan)",
            name,
            nik: nik.unwrap_or_else(|| "—".to_string()),
            address: "***".to_string(),
            phone: "***".to_string(),
            email: "***".to_string(),
            whole: false,
        },
        (None, None) => IdentityView {
            name: "(dihapus)".to_string(),
            nik: "—".to_string(),
            address: String::new(),
            phone: String::new(),
            email: String::new(),
            rahasia: false,
            whole: false,
        },
    }
}

/// The complaint's masked name and NIK, as its register line has them.
async fn masked_of(app: &AppState, c: &Complaint) -> Option<(String, Option<String>)> {
    let q = RegisterQuery {
        number: Some(c.number.clone()),
        limit: 200,
        ..RegisterQuery::default()
    };
    let page = app.store.complaint_register(q).await.ok()?;
    page.rows
        .into_iter()
        .find(|r| r.seq == c.seq())
        .map(|r| (r.name, r.nik))
}

fn forms_for(staff: &Staff, c: &Complaint) -> Option<Forms> {
    let wf = &c.workflow;
    let step = wf.current_step()?;
    if !may(staff, &step.allowed_roles()) {
        return None;
    }
    let mut f = Forms {
        step: step.no,
        version: wf.version(),
        requirements: step.requirements.clone(),
        ..Forms::default()
    };
    if let Some(party) = step.outside_party() {
        f.on_behalf = Some(party.label_id());
    } else if let Some(approval) = step.approval {
        f.approve = Some(approval.label_id());
    } else {
        f.complete = true;
    }
    if step.drafts_reply {
        f.draft = Some(
            wf.current_draft()
                .map(|d| d.text.clone())
                .unwrap_or_default(),
        );
    }
    Some(f)
}

async fn complaint_response(
    app: &AppState,
    staff: &Staff,
    seq: u64,
    status: StatusCode,
    extra: Option<Flash>,
    with_identity: bool,
) -> Response {
    // Before the read: a change committed in between shows as "updated", never goes unseen.
    let events_since = app.staff_events.newest();
    let got = if with_identity {
        app.store
            .complaint_with_identity(seq, staff.who())
            .await
            .map(|(c, i)| (c, Some(i)))
    } else {
        app.store.complaint(seq).await.map(|c| (c, None))
    };
    let (c, identity) = match got {
        Ok(x) => x,
        Err(e) => {
            let (status, message) = refusal(e);
            return error(app, status, message);
        }
    };
    let identity = match identity {
        Some(i) => identity_view(i.as_ref(), None),
        None => identity_view(None, masked_of(app, &c).await),
    };
    let now = app.clock.now();
    let wf = &c.workflow;
    let steps = timeline(wf, now, &app.config.calendar)
        .into_iter()
        .map(|r| step_line(app, r))
        .collect();
    let drafts = wf
        .drafts()
        .iter()
        .map(|d| DraftLine {
            round: d.round,
            text: d.text.clone(),
            written: format!("{} oleh {}", local(app, d.written_at), d.written_by),
            review: d.review.as_ref().map_or(String::new(), |r| {
                format!(
                    "{} oleh {} pada {}{}",
                    if r.approved {
                        "Disetujui"
                    } else {
                        "Dikembalikan"
                    },
                    r.by,
                    local(app, r.at),
                    r.note
                        .as_deref()
                        .map_or(String::new(), |n| format!(": {n}"))
                )
            }),
        })
        .collect();
    let status_text = match (c.closed_at, wf.current_step()) {
        (Some(t), _) => format!("Selesai {}", local(app, t)),
        (None, Some(s)) => format!("Menunggu langkah {} — {}", s.no, s.actor.label_id()),
        (None, None) => "Selesai".to_string(),
    };
    let source = match (&c.channel, wf.intake()) {
        (_, crate::complaint::Intake::Ticket(t)) => format!("Nomor antrian {}", t.label),
        (Some(ch), _) => ch.label_id().to_string(),
        (None, _) => "—".to_string(),
    };
    let forms = forms_for(staff, &c);
    let waiting_for = wf
        .current_step()
        .map(|s| {
            s.allowed_roles()
                .iter()
                .map(|r| r.label_id())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let title = format!("Pengaduan {}", c.number);
    let mut shell = Shell::staff(app, staff, title, REGISTER);
    if let Some(f) = extra {
        shell = shell.with(f);
    }
    let attachments = c
        .attachments
        .iter()
        .map(|a| AttachmentLine {
            sha256: a.sha256.clone(),
            kind: a.kind.label(),
            size: size_label(a.size),
            added: opt_local(app, a.added_at),
            by: a.added_by.clone().unwrap_or_else(|| "—".to_string()),
        })
        .collect();
    let letter = c.letters.last().map(|l| LetterLine {
        number: l.number.clone(),
        signed: local(app, l.signed_at),
        signer: format!("{} ({})", l.signer.name, l.signer.jabatan_line()),
        sha256: l.sha256.clone(),
    });
    let at_last_step = wf.current_step().is_none_or(|s| s.is_final());
    let round_signed = c.letters.iter().any(|l| l.round == wf.round());
    let page = ComplaintPage {
        shell,
        seq,
        may_download_letter: letter.is_some()
            && may(staff, IDENTITY_ROLES)
            && c.purged_at.is_none(),
        may_receipt: letter.is_some()
            && at_last_step
            && may(staff, IDENTITY_ROLES)
            && c.purged_at.is_none(),
        may_preview: !wf.drafts().is_empty() && !round_signed && c.purged_at.is_none(),
        letter,
        attachments,
        may_attach: may(staff, INTAKE_ROLES) && c.closed_at.is_none() && c.purged_at.is_none(),
        may_download: may(staff, IDENTITY_ROLES) && c.purged_at.is_none(),
        max_attachment_kib: app.config.complaints.max_attachment_kib,
        events_since,
        created: local(app, c.created_at),
        level: wf.level().label_id(),
        flow_name: wf.flow().name.clone(),
        flow_version: wf.flow().short_version().to_string(),
        status: status_text,
        source,
        happened_on: c
            .happened_on
            .map_or("—".to_string(), |d| d.format("%d-%m-%Y").to_string()),
        steps,
        drafts,
        identity,
        may_view_identity: may(staff, IDENTITY_ROLES),
        forms,
        waiting_for,
        c,
    };
    render(status, &page)
}

fn parse_seq(id: &str) -> Option<u64> {
    super::extract::digits(id)
}

pub async fn complaint_page(
    State(app): State<AppState>,
    staff: Staff,
    PagePath(id): PagePath<String>,
) -> Response {
    let Some(seq) = parse_seq(&id) else {
        return error(&app, StatusCode::NOT_FOUND, "Pengaduan tidak ditemukan.");
    };
    complaint_response(&app, &staff, seq, StatusCode::OK, None, false).await
}

/// "Lihat identitas": the page with the identity whole, audited.
pub async fn complaint_identity(
    State(app): State<AppState>,
    staff: Staff,
    PagePath(id): PagePath<String>,
) -> Response {
    let Some(seq) = parse_seq(&id) else {
        return error(&app, StatusCode::NOT_FOUND, "Pengaduan tidak ditemukan.");
    };
    complaint_response(&app, &staff, seq, StatusCode::OK, None, true).await
}

/// The upload form of a complaint's page (`multipart/form-data`, one field `file`). The
/// route's body limit has already bounded what can arrive; a refusal shows the page again
/// with its status and stores nothing.
pub async fn complaint_attach(
    State(app): State<AppState>,
    staff: Staff,
    PagePath(id): PagePath<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let Some(seq) = parse_seq(&id) else {
        return error(&app, StatusCode::NOT_FOUND, "Pengaduan tidak ditemukan.");
    };
    let refused = |status: StatusCode, message: String| {
        let app = app.clone();
        let staff = staff.clone();
        async move {
            complaint_response(&app, &staff, seq, status, Some(Flash::err(message)), false).await
        }
    };
    let too_large = || {
        let e = super::complaints::attachment_too_large(&app);
        (e.status, e.message)
    };
    let mut multipart = match multipart {
        Ok(m) => m,
        Err(_) => {
            return refused(
                StatusCode::BAD_REQUEST,
                "Formulir lampiran tidak dapat dibaca.".to_string(),
            )
            .await;
        }
    };
    let mut file = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => match field.bytes().await {
                Ok(b) => file = Some(b),
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    let (status, message) = too_large();
                    return refused(status, message).await;
                }
                Err(_) => {
                    return refused(
                        StatusCode::BAD_REQUEST,
                        "Berkas tidak terkirim utuh; coba lagi.".to_string(),
                    )
                    .await;
                }
            },
            // The token field and anything else a browser adds: read past.
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                let (status, message) = too_large();
                return refused(status, message).await;
            }
            Err(_) => {
                return refused(
                    StatusCode::BAD_REQUEST,
                    "Formulir lampiran tidak dapat dibaca.".to_string(),
                )
                .await;
            }
        }
    }
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        return refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Pilih berkas yang akan dilampirkan (PDF, JPEG atau PNG).".to_string(),
        )
        .await;
    };
    let staged = super::complaints::stage_attachment(&app, bytes).await;
    let attached = match staged {
        Ok(staged) => {
            app.store
                .attach_to_complaint(seq, staged, staff.who())
                .await
        }
        Err(e) => Err(e),
    };
    match attached {
        Ok(c) => redirect(
            &app,
            &staff,
            &format!("{REGISTER}/{}", c.seq()),
            Flash::ok("Lampiran ditambahkan."),
        ),
        Err(OpError::Store(_)) => error(
            &app,
            StatusCode::SERVICE_UNAVAILABLE,
            "Penyimpanan data sedang tidak tersedia: lampiran belum disimpan.",
        ),
        Err(e) => {
            let (status, message) = refusal(e);
            refused(status, message).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    step: u32,
    version: u64,
    /// `complete`, `on_behalf`, `draft`, `approve`, `return`.
    kind: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    document: Vec<String>,
    /// `datetime-local`, office time: when an outside party's step happened.
    #[serde(default)]
    happened_at: String,
    #[serde(default)]
    text: String,
}

fn read_action(app: &AppState, f: ActionForm) -> Result<Action, String> {
    let note = Some(f.note.trim().to_string()).filter(|n| !n.is_empty());
    let kind = match f.kind.as_str() {
        "complete" => ActionKind::Complete {
            note,
            documents: f.document,
        },
        "on_behalf" => {
            let happened_at = match f.happened_at.trim() {
                "" => None,
                t => {
                    let naive = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
                        .map_err(|_| "Waktu kejadian tidak valid.".to_string())?;
                    let local = naive
                        .and_local_timezone(app.config.office.time_zone)
                        .single()
                        .ok_or_else(|| "Waktu kejadian tidak valid.".to_string())?;
                    Some(local.with_timezone(&Utc))
                }
            };
            ActionKind::RecordOnBehalf {
                note,
                documents: f.document,
                happened_at,
            }
        }
        "draft" => ActionKind::SaveDraft { text: f.text },
        "approve" => ActionKind::Approve { note },
        "return" => match note {
            Some(note) => ActionKind::ReturnForRevision { note },
            None => return Err("Tuliskan apa yang harus diperbaiki.".to_string()),
        },
        _ => return Err("Tindakan tidak dikenal.".to_string()),
    };
    Ok(Action {
        step: f.step,
        version: f.version,
        kind,
    })
}

fn done_message(kind: &ActionKind, step: u32) -> String {
    match kind {
        ActionKind::Complete { .. } => format!("Langkah {step} selesai."),
        ActionKind::RecordOnBehalf { .. } => format!("Langkah {step} dicatat."),
        ActionKind::SaveDraft { .. } => "Draf jawaban disimpan.".to_string(),
        ActionKind::Approve { .. } => "Jawaban disetujui.".to_string(),
        ActionKind::ReturnForRevision { .. } => "Jawaban dikembalikan untuk perbaikan.".to_string(),
    }
}

/// One action at the current step. Done: back to the page with a message. Refused: the page
/// again, with the refusal and its status (403, 409 or 422), and nothing changed.
pub async fn complaint_act(
    State(app): State<AppState>,
    staff: Staff,
    PagePath(id): PagePath<String>,
    HtmlForm(form): HtmlForm<ActionForm>,
) -> Response {
    let Some(seq) = parse_seq(&id) else {
        return error(&app, StatusCode::NOT_FOUND, "Pengaduan tidak ditemukan.");
    };
    let action = match read_action(&app, form) {
        Ok(a) => a,
        Err(m) => {
            let f = Flash::err(m);
            return complaint_response(
                &app,
                &staff,
                seq,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(f),
                false,
            )
            .await;
        }
    };
    let message = done_message(&action.kind, action.step);
    match app.store.act_on_complaint(seq, action, staff.who()).await {
        Ok(_) => redirect(
            &app,
            &staff,
            &format!("{REGISTER}/{seq}"),
            Flash::ok(message),
        ),
        Err(e) => {
            let (status, message) = refusal(e);
            if status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::NOT_FOUND {
                return error(&app, status, message);
            }
            complaint_response(&app, &staff, seq, status, Some(Flash::err(message)), false).await
        }
    }
}

// ---------------------------------------------------------------------------------------
// The register.

/// The register's filters as the query string has them; empty fields mean "any".
#[derive(Debug, Default, Deserialize)]
pub struct RegisterFilter {
    #[serde(default)]
    number: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    flow: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    overdue: Option<String>,
    #[serde(default)]
    page: Option<usize>,
}

impl RegisterFilter {
    fn query(&self, limit: usize) -> RegisterQuery {
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        let page = self.page.unwrap_or(1).max(1);
        RegisterQuery {
            number: text(&self.number),
            from: date(&self.from),
            to: date(&self.to),
            name: text(&self.name),
            level: Level::ALL.into_iter().find(|l| l.as_str() == self.level),
            flow: text(&self.flow),
            step: self.step.trim().parse().ok(),
            status: match self.status.as_str() {
                "terbuka" => Some(Status::Open),
                "selesai" => Some(Status::Closed),
                _ => None,
            },
            overdue: self.overdue.is_some(),
            offset: (page - 1) * limit,
            limit,
        }
    }

    /// The filters as a query string, without the page (for the paging links and the CSV).
    fn query_string(&self) -> String {
        let mut pairs: Vec<(&str, &str)> = [
            ("number", self.number.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
            ("name", self.name.as_str()),
            ("level", self.level.as_str()),
            ("flow", self.flow.as_str()),
            ("step", self.step.as_str()),
            ("status", self.status.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        if self.overdue.is_some() {
            pairs.push(("overdue", "1"));
        }
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", percent(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// A query-string value: everything but unreserved characters percent-encoded.
fn percent(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

struct RegisterLine {
    seq: u64,
    number: String,
    created_on: String,
    level: &'static str,
    flow: String,
    step: String,
    due: String,
    overdue: bool,
    name: String,
    nik: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "console/complaints.html")]
struct RegisterPageView {
    shell: Shell,
    filter: RegisterFilter,
    levels: Vec<Choice>,
    flows: Vec<Choice>,
    statuses: Vec<Choice>,
    rows: Vec<RegisterLine>,
    total: usize,
    page: usize,
    pages: usize,
    query: String,
}

fn register_line(app: &AppState, r: crate::store::RegisterRow) -> RegisterLine {
    RegisterLine {
        seq: r.seq,
        number: r.number,
        created_on: r.created_on.format("%d-%m-%Y").to_string(),
        level: r.level.label_id(),
        flow: app
            .config
            .sop
            .flow(&r.flow)
            .map_or_else(|| r.flow.clone(), |f| f.name.clone()),
        // The step's number and who does it: what a reader of the register asks next.
        step: r.step.map_or("—".to_string(), |no| {
            match app.config.sop.flow(&r.flow).and_then(|f| f.step(no)) {
                Some(st) => format!("{no} · {}", st.actor.label_id()),
                None => no.to_string(),
            }
        }),
        due: opt_local(app, r.due_at),
        overdue: r.overdue,
        name: r.name,
        nik: r.nik.unwrap_or_else(|| "—".to_string()),
        status: if r.purged {
            "Selesai (data pribadi dihapus)"
        } else if r.closed {
            "Selesai"
        } else {
            "Terbuka"
        },
    }
}

pub async fn register(
    State(app): State<AppState>,
    staff: Staff,
    PageQuery(filter): PageQuery<RegisterFilter>,
) -> Response {
    let page = filter.page.unwrap_or(1).max(1);
    let found = match app.store.complaint_register(filter.query(PAGE_SIZE)).await {
        Ok(p) => p,
        Err(e) => {
            let (status, message) = refusal(e);
            return error(&app, status, message);
        }
    };
    let levels = Level::ALL
        .iter()
        .map(|l| Choice {
            value: l.as_str().to_string(),
            label: l.label_id().to_string(),
            selected: filter.level == l.as_str(),
        })
        .collect();
    let flows = app
        .config
        .sop
        .flows()
        .map(|f| Choice {
            value: f.id.clone(),
            label: f.name.clone(),
            selected: filter.flow == f.id,
        })
        .collect();
    let statuses = [("terbuka", "Terbuka"), ("selesai", "Selesai")]
        .iter()
        .map(|(v, l)| Choice {
            value: (*v).to_string(),
            label: (*l).to_string(),
            selected: filter.status == *v,
        })
        .collect();
    let pages = found.total.div_ceil(PAGE_SIZE).max(1);
    let rows = found
        .rows
        .into_iter()
        .map(|r| register_line(&app, r))
        .collect();
    render(
        StatusCode::OK,
        &RegisterPageView {
            shell: Shell::staff(&app, &staff, "Register pengaduan", REGISTER),
            query: filter.query_string(),
            filter,
            levels,
            flows,
            statuses,
            rows,
            total: found.total,
            page,
            pages,
        },
    )
}

/// The register as CSV (RFC 4180), every page, masked as on screen.
pub async fn register_csv(
    State(app): State<AppState>,
    PageQuery(filter): PageQuery<RegisterFilter>,
) -> Response {
    const CHUNK: usize = 200;
    let mut lines = Vec::new();
    let mut page = 1;
    loop {
        let mut f = filter.query(CHUNK);
        f.offset = (page - 1) * CHUNK;
        let found = match app.store.complaint_register(f).await {
            Ok(p) => p,
            Err(e) => {
                let (status, message) = refusal(e);
                return error(&app, status, message);
            }
        };
        let n = found.rows.len();
        lines.extend(found.rows.into_iter().map(|r| register_line(&app, r)));
        if n < CHUNK || lines.len() >= found.total {
            break;
        }
        page += 1;
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "Nomor",
        "Tanggal",
        "Tingkatan",
        "Alur",
        "Langkah",
        "Tenggat",
        "Terlambat",
        "Nama",
        "NIK",
        "Status",
    ];
    let mut ok = w.write_record(header).is_ok();
    for l in &lines {
        let step = l.step.as_str();
        let overdue = if l.overdue { "ya" } else { "tidak" };
        ok &= w
            .write_record([
                l.number.as_str(),
                l.created_on.as_str(),
                l.level,
                l.flow.as_str(),
                step,
                l.due.as_str(),
                overdue,
                l.name.as_str(),
                l.nik.as_str(),
                l.status,
            ])
            .is_ok();
    }
    let body = match w.into_inner() {
        Ok(b) if ok => b,
        _ => {
            return error(
                &app,
                StatusCode::INTERNAL_SERVER_ERROR,
                "Gangguan sistem: CSV tidak dapat disusun.",
            );
        }
    };
    (
        StatusCode::OK,
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                CONTENT_DISPOSITION,
                "attachment; filename=\"register-pengaduan.csv\"",
            ),
            (CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

// ---------------------------------------------------------------------------------------
// The console home's part: "Langkah saya".

/// The first `max` characters of a long text, cut at a word, with an ellipsis.
fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

pub struct MyStep {
    pub seq: u64,
    pub number: String,
    pub step: u32,
    pub action: String,
    pub due: String,
    pub overdue: bool,
}

pub struct MyWork {
    /// The staff stream's newest event before the list was read (see `ComplaintPage`).
    pub events_since: u64,
    pub steps: Vec<MyStep>,
    /// How many wait on the user; more than `steps` holds when the list is cut.
    pub total: usize,
    /// Office-wide overdue steps, for the Kepala Dinas.
    pub overdue_total: Option<usize>,
    /// The store did not answer: the list is not "nothing to do".
    pub unavailable: bool,
}

impl MyWork {
    pub fn any_overdue(&self) -> bool {
        self.overdue_total.is_some_and(|n| n > 0)
    }

    /// The list shows the first rows only.
    pub fn cut(&self) -> bool {
        self.total > self.steps.len()
    }
}

/// The open complaints whose waiting step the user's roles may act on, overdue first, then
/// by due time; none for a user without complaint roles. One store request, answered from
/// the register in memory by each complaint's own flow version.
pub async fn my_work(app: &AppState, staff: &Staff) -> Option<MyWork> {
    if !may(staff, COMPLAINT_ROLES) {
        return None;
    }
    let events_since = app.staff_events.newest();
    let (steps, total, unavailable) = match app
        .store
        .complaint_work(staff.user.roles.clone(), WORK_LIMIT)
        .await
    {
        Ok(list) => (
            list.rows
                .into_iter()
                .map(|r| MyStep {
                    seq: r.seq,
                    number: r.number,
                    step: r.step,
                    action: short(&r.action, 90),
                    due: opt_local(app, r.due_at),
                    overdue: r.overdue,
                })
                .collect(),
            list.total,
            false,
        ),
        Err(_) => (Vec::new(), 0, true),
    };
    let overdue_total = if staff.user.roles.contains(&Role::KepalaDinas) {
        app.store
            .complaint_counts()
            .await
            .ok()
            .map(|c| c.overdue.iter().map(|o| o.count).sum())
    } else {
        None
    };
    Some(MyWork {
        events_since,
        steps,
        total,
        overdue_total,
        unavailable,
    })
}

/// "Langkah saya" alone, the same partial the home page includes.
#[derive(Template)]
#[template(path = "console/my_work.html")]
struct MyWorkFragment {
    w: MyWork,
}

/// `GET /console/langkah`: the list as an HTML fragment, which the home page swaps in when a
/// complaint event arrives.
pub async fn my_work_fragment(State(app): State<AppState>, staff: Staff) -> Response {
    match my_work(&app, &staff).await {
        Some(w) => render(StatusCode::OK, &MyWorkFragment { w }),
        // The route table admits only complaint roles; nothing to list for anyone else.
        None => error(
            &app,
            StatusCode::FORBIDDEN,
            "Anda tidak memiliki hak untuk halaman atau tindakan ini.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_is_read_from_its_id_or_its_scanned_link() {
        assert_eq!(ticket_id(" 42 "), Some(42));
        assert_eq!(ticket_id("http://192.168.1.10:8080/t/42"), Some(42));
        assert_eq!(
            ticket_id("http://192.168.1.10:8080/t/42?k=3b27a2f332b1c9a1"),
            Some(42)
        );
        assert_eq!(ticket_id("A-001"), None);
        assert_eq!(ticket_id(""), None);
    }

    #[test]
    fn long_texts_are_cut_at_a_word() {
        assert_eq!(
            short("Petugas Pengaduan menerima laporan", 20),
            "Petugas Pengaduan…"
        );
        assert_eq!(short("pendek", 20), "pendek");
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(percent("PGD/2026 ä&x"), "PGD%2F2026%20%C3%A4%26x");
    }
}
