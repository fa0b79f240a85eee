//! The complaint JSON API beside the staff pages: open a complaint (and print its receipt),
//! read it, read its complainant's identity (audited by the store), act on its current step,
//! reprint the receipt. The route table keeps out roles that never take part; the engine and
//! the store decide per step who may do what.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::auth::Staff;
use super::error::{ApiError, ErrorBody};
use super::extract::ApiPath;
use super::json::ApiJson;
use crate::attachments::{AttachmentError, Kind, Stored};
use crate::complaint::{Action, ActionKind, Channel, Intake, Level, Outcome, StepRecord};
use crate::config::Config;
use crate::printer::{ComplaintReceipt, PrintOutcome};
use crate::privacy::Nik;
use crate::store::{Complaint, Identity, NewComplaint, Source};

/// How a complaint came in without a queue ticket.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChannelJson {
    Letter,
    Phone,
    Email,
    InPerson,
    Other,
}

impl From<ChannelJson> for Channel {
    fn from(c: ChannelJson) -> Self {
        match c {
            ChannelJson::Letter => Channel::Letter,
            ChannelJson::Phone => Channel::Phone,
            ChannelJson::Email => Channel::Email,
            ChannelJson::InPerson => Channel::InPerson,
            ChannelJson::Other => Channel::Other,
        }
    }
}

impl From<Channel> for ChannelJson {
    fn from(c: Channel) -> Self {
        match c {
            Channel::Letter => ChannelJson::Letter,
            Channel::Phone => ChannelJson::Phone,
            Channel::Email => ChannelJson::Email,
            Channel::InPerson => ChannelJson::InPerson,
            Channel::Other => ChannelJson::Other,
        }
    }
}

/// The problem level (*tingkatan masalah*); `levels.toml` maps it to a flow.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LevelJson {
    Kecil,
    Menengah,
    Besar,
}

impl From<LevelJson> for Level {
    fn from(l: LevelJson) -> Self {
        match l {
            LevelJson::Kecil => Level::Kecil,
            LevelJson::Menengah => Level::Menengah,
            LevelJson::Besar => Level::Besar,
        }
    }
}

impl From<Level> for LevelJson {
    fn from(l: Level) -> Self {
        match l {
            Level::Kecil => LevelJson::Kecil,
            Level::Menengah => LevelJson::Menengah,
            Level::Besar => LevelJson::Besar,
        }
    }
}

/// Who complained, as the officer records it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityRequest {
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    /// 16 digits; spaces, dots and dashes between groups are allowed. Checked (province,
    /// region, birth date, serial): a wrong one is refused with 422 `invalid_nik`.
    #[serde(default)]
    pub nik: Option<String>,
    /// The complainant asks that their identity be kept secret.
    #[serde(default)]
    pub rahasia: bool,
}

/// Open a complaint (the SOP's step 3): from a finished queue ticket of today, or from a
/// channel. Exactly one of `ticket_id` and `channel`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenRequest {
    #[serde(default)]
    pub ticket_id: Option<u64>,
    #[serde(default)]
    pub channel: Option<ChannelJson>,
    pub level: LevelJson,
    pub identity: IdentityRequest,
    /// The service the complaint is about: a service code of the configuration, or its name.
    pub service: String,
    pub what_happened: String,
    #[serde(default)]
    pub happened_on: Option<NaiveDate>,
    #[serde(default)]
    pub shortfall: String,
    #[serde(default)]
    pub remedy: String,
}

/// One step of one round, as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepJson {
    pub step: u32,
    pub round: u32,
    pub started_at: DateTime<Utc>,
    /// None for a step that did not apply (steps 1–2 without a ticket).
    pub due_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<String>,
    pub recorded_at: Option<DateTime<Utc>>,
    /// `done`, `approved`, `returned`, `from_ticket`, `not_applicable`.
    pub outcome: Option<String>,
    pub note: Option<String>,
    pub documents_checked: Vec<String>,
}

impl From<&StepRecord> for StepJson {
    fn from(r: &StepRecord) -> Self {
        StepJson {
            step: r.step,
            round: r.round,
            started_at: r.started_at,
            due_at: r.due_at,
            done_at: r.done_at,
            done_by: r.done_by.clone(),
            recorded_at: r.recorded_at,
            outcome: r.outcome.map(|o| {
                match o {
                    Outcome::Done => "done",
                    Outcome::Approved => "approved",
                    Outcome::Returned => "returned",
                    Outcome::FromTicket => "from_ticket",
                    Outcome::NotApplicable => "not_applicable",
                }
                .to_string()
            }),
            note: r.note.clone(),
            documents_checked: r.documents_checked.clone(),
        }
    }
}

/// A complaint without its complainant's identity.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Complaint)]
pub struct ComplaintJson {
    /// The office's own sequence: the `{id}` of the complaint routes.
    pub seq: u64,
    /// The global id, `office.code` and sequence.
    pub id: String,
    pub number: String,
    pub tracking_code: String,
    pub created_at: DateTime<Utc>,
    pub ticket_id: Option<u64>,
    pub channel: Option<ChannelJson>,
    pub service: String,
    pub what_happened: String,
    pub happened_on: Option<NaiveDate>,
    pub shortfall: String,
    pub remedy: String,
    pub level: LevelJson,
    /// The flow's id (`skala_kecil`…) and the version of its snapshot.
    pub flow: String,
    pub flow_version: String,
    /// What an action must carry as `version`.
    pub version: u64,
    pub round: u32,
    /// The step now waiting; none once closed.
    pub current_step: Option<u32>,
    pub steps: Vec<StepJson>,
    /// Scans and photos, oldest first; their bytes are read one by one (audited).
    pub attachments: Vec<AttachmentJson>,
    /// Reply letters signed: their numbers and the SHA-256 of each PDF.
    pub letters: Vec<LetterJson>,
    pub closed_at: Option<DateTime<Utc>>,
    pub purged_at: Option<DateTime<Utc>>,
}

/// A signed reply letter: its number, who signed it and the fingerprint of the PDF kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct LetterJson {
    /// The draft round whose text was signed.
    pub round: u32,
    /// `000.8.3.3/7/DPMPTSP/2026`.
    pub number: String,
    pub signed_at: DateTime<Utc>,
    /// The account that signed.
    pub signed_by: String,
    /// The printed signature block's name and jabatan.
    pub signer_name: String,
    pub signer_jabatan: String,
    /// Lowercase hex SHA-256 of the PDF; also in the audit log (`complaint_letter_signed`).
    pub sha256: String,
    pub size: u64,
}

impl From<&crate::letter::SignedLetter> for LetterJson {
    fn from(l: &crate::letter::SignedLetter) -> Self {
        LetterJson {
            round: l.round,
            number: l.number.clone(),
            signed_at: l.signed_at,
            signed_by: l.signed_by.clone(),
            signer_name: l.signer.name.clone(),
            signer_jabatan: l.signer.jabatan_line(),
            sha256: l.sha256.clone(),
            size: l.size,
        }
    }
}

impl From<&Complaint> for ComplaintJson {
    fn from(c: &Complaint) -> Self {
        let w = &c.workflow;
        ComplaintJson {
            seq: c.seq(),
            id: c.id.to_string(),
            number: c.number.clone(),
            tracking_code: c.tracking_code.clone(),
            created_at: c.created_at,
            ticket_id: c.ticket_id,
            channel: c.channel.map(ChannelJson::from),
            service: c.service.clone(),
            what_happened: c.what_happened.clone(),
            happened_on: c.happened_on,
            shortfall: c.shortfall.clone(),
            remedy: c.remedy.clone(),
            level: w.level().into(),
            flow: w.flow().id.clone(),
            flow_version: w.flow().version.clone(),
            version: w.version(),
            round: w.round(),
            current_step: w.current_step().map(|s| s.no),
            steps: w.records().iter().map(StepJson::from).collect(),
            attachments: c.attachments.iter().map(AttachmentJson::from).collect(),
            letters: c.letters.iter().map(LetterJson::from).collect(),
            closed_at: c.closed_at,
            purged_at: c.purged_at,
        }
    }
}

/// One attachment of a complaint: what it is, not what it says.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentJson {
    /// Lowercase hex: the `{sha256}` of its download route.
    pub sha256: String,
    /// `pdf`, `jpeg` or `png`: read from the file's own signature, never from a name.
    pub kind: Kind,
    pub content_type: String,
    /// Bytes.
    pub size: u64,
    /// When and by whom it was attached (absent on attachments from older releases).
    pub added_at: Option<DateTime<Utc>>,
    pub added_by: Option<String>,
}

impl From<&Stored> for AttachmentJson {
    fn from(a: &Stored) -> Self {
        AttachmentJson {
            sha256: a.sha256.clone(),
            kind: a.kind,
            content_type: a.kind.mime().to_string(),
            size: a.size,
            added_at: a.added_at,
            added_by: a.added_by.clone(),
        }
    }
}

/// What became of the receipt's print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptPrint {
    Printed,
    /// Sent and not confirmed: the slip may or may not have come out.
    Failed,
    /// Not a byte was sent (the printer was not ready).
    NotSent,
    /// `printer.kind = "none"`.
    NoPrinter,
}

/// A complaint opened, and its receipt's print.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenedJson {
    pub complaint: ComplaintJson,
    pub print: ReceiptPrint,
}

/// A receipt printed again.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptJson {
    pub print: ReceiptPrint,
}

/// The complainant's identity; all fields empty and `purged` once the retention ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdentityJson {
    pub seq: u64,
    pub purged: bool,
    pub name: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub nik: Option<String>,
    pub rahasia: bool,
}

/// What an action does.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionKindJson {
    /// A staff step done by the caller.
    Complete,
    /// An outside party's step (pengadu, walikota_sekda), recorded by staff.
    RecordOnBehalf,
    /// Writes this round's reply draft (`text`) at the drafting step.
    SaveDraft,
    /// A review step agrees.
    Approve,
    /// A review step returns the reply; `note` says what to change.
    ReturnForRevision,
}

/// A form's action on the complaint's current step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// The step the form was shown for.
    pub step: u32,
    /// The complaint's `version` when the form was read: an older one is refused (409
    /// `conflict`).
    pub version: u64,
    pub kind: ActionKindJson,
    #[serde(default)]
    pub note: Option<String>,
    /// The step's requirements that were checked.
    #[serde(default)]
    pub documents: Vec<String>,
    /// `record_on_behalf`: when it happened, if earlier than now.
    #[serde(default)]
    pub happened_at: Option<DateTime<Utc>>,
    /// `save_draft`: the reply's text.
    #[serde(default)]
    pub text: Option<String>,
}

pub(super) fn parse_seq(id: &str) -> Result<u64, ApiError> {
    super::extract::digits(id)
        .ok_or_else(|| ApiError::not_found(format!("Pengaduan {id} tidak ditemukan.")))
}

fn invalid(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

/// The service's name for the receipt: the configuration's name for a code, else as given.
fn service_name(config: &Config, service: &str) -> String {
    config
        .service(service)
        .map_or_else(|| service.to_string(), |s| s.name.clone())
}

fn channel_label(c: &Complaint) -> String {
    match (&c.workflow.intake(), c.channel) {
        (Intake::Ticket(t), _) => format!("Datang langsung (nomor antrian {})", t.label),
        (_, Some(ch)) => ch.label_id().to_string(),
        (Intake::Channel { channel }, None) => channel.label_id().to_string(),
    }
}

/// Prints the receipt of `c`; never fails the request: the outcome says what happened.
async fn print_receipt(
    app: &AppState,
    c: &Complaint,
    officer: &Staff,
    reprinted_at: Option<DateTime<Utc>>,
) -> ReceiptPrint {
    let Some(printer) = app.printer.as_ref() else {
        return ReceiptPrint::NoPrinter;
    };
    let officer_name = if officer.user.display_name.trim().is_empty() {
        officer.user.username.clone()
    } else {
        officer.user.display_name.clone()
    };
    let receipt = ComplaintReceipt {
        office: app.config.office.clone(),
        number: c.number.clone(),
        received_at: c.created_at,
        service: service_name(&app.config, &c.service),
        channel: channel_label(c),
        tracking_code: c.tracking_code.clone(),
        officer: Some(officer_name),
        reprinted_at,
    };
    match printer.print_receipt(receipt).await {
        PrintOutcome::Printed => ReceiptPrint::Printed,
        PrintOutcome::NotSent(why) => {
            tracing::warn!(number = %c.number, reason = %why, "complaint receipt not sent");
            ReceiptPrint::NotSent
        }
        PrintOutcome::Failed(why) => {
            tracing::warn!(number = %c.number, reason = %why, "complaint receipt failed");
            ReceiptPrint::Failed
        }
    }
}

/// Open a complaint
///
/// The complaint officer records a complaint (the SOP's step 3) from a finished queue ticket
/// of today or from a channel (letter, phone, e-mail, in person without a number), with the
/// complainant's identity and the problem level, which picks the flow. The complaint is
/// committed first; then its receipt (*Tanda Terima Pengaduan*) is printed, and `print` says
/// how that went: paper never refuses a complaint.
#[utoipa::path(
    post,
    path = "/api/v1/complaints",
    operation_id = "open_complaint",
    tag = "complaints",
    request_body = OpenRequest,
    responses(
        (status = 201, description = "Opened (and the receipt's print outcome)", body = OpenedJson),
        (status = 400, description = "Not JSON, or not an open request", body = ErrorBody, examples(
            ("malformed_json" = (value = json!({"error": {"code": "malformed_json", "message": "Isi permintaan bukan JSON yang sah: …"}}))),
            ("invalid_body" = (value = json!({"error": {"code": "invalid_body", "message": "Isi permintaan tidak sesuai: …"}}))),
        )),
        (status = 403, description = "The account may not open complaints", body = ErrorBody, examples(
            ("forbidden" = (value = json!({"error": {"code": "forbidden", "message": "Langkah 3 hanya dapat dilakukan oleh Petugas Pengaduan."}}))),
        )),
        (status = 404, description = "No such ticket today", body = ErrorBody, examples(
            ("not_found" = (value = json!({"error": {"code": "not_found", "message": "Tiket 99 tidak ditemukan pada hari layanan ini; pengaduan dari nomor antrian dibuka pada hari yang sama."}}))),
        )),
        (status = 422, description = "A wrong NIK, both or neither of ticket and channel, a ticket not finished or already used by a complaint, or missing fields", body = ErrorBody, examples(
            ("invalid_nik" = (value = json!({"error": {"code": "invalid_nik", "message": "NIK harus 16 angka."}}))),
            ("invalid" = (value = json!({"error": {"code": "invalid", "message": "Isi salah satu: nomor antrian atau saluran pengaduan."}}))),
        )),
        (status = 503, description = "The store does not answer; nothing changed", body = ErrorBody, examples(
            ("store_unavailable" = (value = json!({"error": {"code": "store_unavailable", "message": "Penyimpanan data sedang tidak tersedia; tidak ada yang diubah. Silakan coba lagi."}}))),
        )),
    )
)]
pub async fn open(
    State(app): State<AppState>,
    staff: Staff,
    ApiJson(req): ApiJson<OpenRequest>,
) -> Result<(StatusCode, Json<OpenedJson>), ApiError> {
    let source = match (req.ticket_id, req.channel) {
        (Some(id), None) => Source::Ticket(id),
        (None, Some(ch)) => Source::Channel(ch.into()),
        _ => {
            return Err(invalid(
                "invalid",
                "Isi salah satu: nomor antrian (ticket_id) atau saluran pengaduan (channel).",
            ));
        }
    };
    let nik = match req.identity.nik.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(Nik::parse(text).map_err(|e| invalid("invalid_nik", e.to_string()))?),
    };
    let new = NewComplaint {
        source,
        level: req.level.into(),
        identity: Identity {
            name: req.identity.name,
            address: req.identity.address,
            phone: req.identity.phone,
            email: req.identity.email,
            nik,
            rahasia: req.identity.rahasia,
        },
        service: req.service,
        what_happened: req.what_happened,
        happened_on: req.happened_on,
        shortfall: req.shortfall,
        remedy: req.remedy,
    };
    let c = app.store.open_complaint(new, staff.who()).await?;
    let print = print_receipt(&app, &c, &staff, None).await;
    Ok((
        StatusCode::CREATED,
        Json(OpenedJson {
            complaint: ComplaintJson::from(&c),
            print,
        }),
    ))
}

/// One complaint
///
/// Its record and every step taken, without the complainant's identity (not audited).
#[utoipa::path(
    get,
    path = "/api/v1/complaints/{id}",
    operation_id = "get_complaint",
    tag = "complaints",
    params(("id" = u64, Path, description = "The complaint's `seq`")),
    responses(
        (status = 200, description = "The complaint", body = ComplaintJson),
        (status = 404, description = "No such complaint", body = ErrorBody, examples(
            ("not_found" = (value = json!({"error": {"code": "not_found", "message": "Pengaduan 99 tidak ditemukan."}}))),
        )),
        (status = 503, description = "The store does not answer", body = ErrorBody, examples(
            ("store_unavailable" = (value = json!({"error": {"code": "store_unavailable", "message": "Penyimpanan data sedang tidak tersedia; tidak ada yang diubah. Silakan coba lagi."}}))),
        )),
    )
)]
pub async fn get(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ComplaintJson>, ApiError> {
    let c = app.store.complaint(parse_seq(&id)?).await?;
    Ok(Json(ComplaintJson::from(&c)))
}

/// A complainant's identity
///
/// Name, address, phone, e-mail, NIK in full: every read is written to the audit log
/// (`complaint_identity_viewed`) in the same commit as the answer.
#[utoipa::path(
    get,
    path = "/api/v1/complaints/{id}/identity",
    operation_id = "get_complaint_identity",
    tag = "complaints",
    params(("id" = u64, Path, description = "The complaint's `seq`")),
    responses(
        (status = 200, description = "The identity (empty and `purged` after the retention)", body = IdentityJson),
        (status = 404, description = "No such complaint", body = ErrorBody, examples(
            ("not_found" = (value = json!({"error": {"code": "not_found", "message": "Pengaduan 99 tidak ditemukan."}}))),
        )),
        (status = 503, description = "The store does not answer", body = ErrorBody, examples(
            ("store_unavailable" = (value = json!({"error": {"code": "store_unavailable", "message": "Penyimpanan data sedang tidak tersedia; tidak ada yang diubah. Silakan coba lagi."}}))),
        )),
    )
)]
pub async fn identity(
    State(app): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<IdentityJson>, ApiError> {
    let seq = parse_seq(&id)?;
    let (_, identity) = app.store.complaint_with_identity(seq, staff.who()).await?;
    Ok(Json(match identity {
        Some(i) => IdentityJson {
            seq,
            purged: false,
            name: i.name,
            address: i.address,
            phone: i.phone,
            email: i.email,
            nik: i.nik.map(|n| n.as_str().to_string()),
            rahasia: i.rahasia,
        },
        None => IdentityJson {
            seq,
            purged: true,
            name: String::new(),
            address: String::new(),
            phone: String::new(),
            email: String::new(),
            nik: None,
            rahasia: false,
        },
    }))
}

/// Act on a complaint's current step
///
/// Complete a staff step, record an outside party's step on their behalf, save the reply's
/// draft, approve or return it at a review step. The form's `step` and `version` must be the
/// complaint's: of two posts read at the same version, the first wins.
#[utoipa::path(
    post,
    path = "/api/v1/complaints/{id}/actions",
    operation_id = "act_on_complaint",
    tag = "complaints",
    params(("id" = u64, Path, description = "The complaint's `seq`")),
    request_body = ActionRequest,
    responses(
        (status = 200, description = "Done: the complaint as it now stands", body = ComplaintJson),
        (status = 400, description = "Not JSON, or not an action", body = ErrorBody, examples(
            ("malformed_json" = (value = json!({"error": {"code": "malformed_json", "message": "Isi permintaan bukan JSON yang sah: …"}}))),
            ("invalid_body" = (value = json!({"error": {"code": "invalid_body", "message": "Isi permintaan tidak sesuai: …"}}))),
        )),
        (status = 403, description = "The account holds none of the step's roles", body = ErrorBody, examples(
            ("forbidden" = (value = json!({"error": {"code": "forbidden", "message": "Langkah 6 hanya dapat dilakukan oleh Kepala Dinas."}}))),
        )),
        (status = 404, description = "No such complaint", body = ErrorBody, examples(
            ("not_found" = (value = json!({"error": {"code": "not_found", "message": "Pengaduan 99 tidak ditemukan."}}))),
        )),
        (status = 409, description = "Not the current step, closed, or changed meanwhile", body = ErrorBody, examples(
            ("out_of_order" = (value = json!({"error": {"code": "out_of_order", "message": "…"}}))),
            ("conflict" = (value = json!({"error": {"code": "conflict", "message": "…"}}))),
        )),
        (status = 422, description = "An action the step does not take, or bad input", body = ErrorBody, examples(
            ("wrong_action" = (value = json!({"error": {"code": "wrong_action", "message": "…"}}))),
            ("invalid" = (value = json!({"error": {"code": "invalid", "message": "…"}}))),
        )),
        (status = 503, description = "The store does not answer; nothing changed", body = ErrorBody, examples(
            ("store_unavailable" = (value = json!({"error": {"code": "store_unavailable", "message": "Penyimpanan data sedang tidak tersedia; tidak ada yang diubah. Silakan coba lagi."}}))),
        )),
    )
)]
pub async fn act(
    State(app): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ActionRequest>,
) -> Result<Json<ComplaintJson>, ApiError> {
    let seq = parse_seq(&id)?;
    let kind = match req.kind {
        ActionKindJson::Complete => ActionKind::Complete {
            note: req.note,
            documents: req.documents,
        },
        ActionKindJson::RecordOnBehalf => ActionKind::RecordOnBehalf {
            note: req.note,
            documents: req.documents,
            happened_at: req.happened_at,
        },
        ActionKindJson::SaveDraft => ActionKind::SaveDraft {
            text: req.text.or(req.note).unwrap_or_default(),
        },
        ActionKindJson::Approve => ActionKind::Approve { note: req.note },
        ActionKindJson::ReturnForRevision => ActionKind::ReturnForRevision {
            note: req.note.unwrap_or_default(),
        },
    };
    let action = Action {
        step: req.step,
        version: req.version,
        kind,
    };
    let c = app.store.act_on_complaint(seq, action, staff.who()).await?;
    Ok(Json(ComplaintJson::from(&c)))
}

/// Print a complaint's receipt again
///
/// The slip says it is a reprint, with this print's time.
#[utoipa::path(
    post,
    path = "/api/v1/complaints/{id}/receipt",
    operation_id = "reprint_complaint_receipt",
    tag = "complaints",
    params(("id" = u64, Path, description = "The complaint's `seq`")),
    responses(
        (status = 200, description = "The print's outcome", body = ReceiptJson),
        (status = 404, description = "No such complaint", body = ErrorBody, examples(
            ("not_found" = (value = json!({"error": {"code": "not_found", "message": "Pengaduan 99 tidak ditemukan."}}))),
        )),
        (status = 503, description = "The store does not answer", body = ErrorBody, examples(
            ("store_unavailable" = (value = json!({"error": {"code": "store_unavailable", "message": "Penyimpanan data sedang tidak tersedia; tidak ada yang diubah. Silakan coba lagi."}}))),
        )),
    )
)]
pub async fn reprint(
    State(app): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ReceiptJson>, ApiError> {
    let c = app.store.complaint(parse_seq(&id)?).await?;
    let print = print_receipt(&app, &c, &staff, Some(app.clock.now())).await;
    Ok(Json(ReceiptJson { print }))
}

/// The body of an upload above the configured limit, in the API's words.
pub fn attachment_too_large(app: &AppState) -> ApiError {
    AttachmentError::TooLarge {
        max_kib: app.config.complaints.max_attachment_kib,
    }
    .into()
}

/// Attach a scan or photo to a complaint
///
/// The request's body is the file itself, any `Content-Type`: the type is read from the
/// file's own signature, and only PDF, JPEG and PNG are kept (anything else 415). At most
/// `complaints.max_attachment_kib` KiB (5 MiB by default): a larger body is refused with 413
/// as soon as it passes the limit, before it is read whole. For the complaint officer, while
/// the complaint is open. The file is on disk (synced) before the commit that names it; the
/// same bytes attached twice are kept once. Audited as `complaint_attachment_added`.
#[utoipa::path(
    post,
    path = "/api/v1/complaints/{id}/attachments",
    operation_id = "attach_to_complaint",
    tag = "complaints",
    params(("id" = u64, Path, description = "The complaint's `seq`")),
    request_body(content_type = "application/octet-stream", content = String, description = "The file's bytes: PDF, JPEG or PNG"),
    responses(
        (status = 201, description = "Attached: the complaint as it now stands", body = ComplaintJson),
        (status = 404, description = "No such complaint", body = ErrorBody, examples(
            ("not_found" = (value = json!({"error": {"code": "not_found", "message": "Pengaduan 99 tidak ditemukan."}}))),
        )),
        (status = 409, description = "The complaint is closed", body = ErrorBody, examples(
            ("out_of_order" = (value = json!({"error": {"code": "out_of_order", "message": "Pengaduan ini sudah selesai; tidak ada langkah yang dapat dilakukan lagi."}}))),
        )),
        (status = 413, description = "Larger than the limit; nothing stored", body = ErrorBody, examples(
            ("attachment_too_large" = (value = json!({"error": {"code": "attachment_too_large", "message": "Lampiran terlalu besar: paling besar 5120 KiB."}}))),
        )),
        (status = 415, description = "Not a PDF, JPEG or PNG by its content; nothing stored", body = ErrorBody, examples(
            ("unsupported_attachment" = (value = json!({"error": {"code": "unsupported_attachment", "message": "Lampiran harus berupa PDF, JPEG atau PNG."}}))),
        )),
        (status = 422, description = "An empty body", body = ErrorBody, examples(
            ("invalid_attachment" = (value = json!({"error": {"code": "invalid_attachment", "message": "Lampiran kosong."}}))),
        )),
        (status = 503, description = "The store does not answer; nothing changed", body = ErrorBody, examples(
            ("store_unavailable" = (value = json!({"error": {"code": "store_unavailable", "message": "Penyimpanan data sedang tidak tersedia; tidak ada yang diubah. Silakan coba lagi."}}))),
        )),
    )
)]
pub async fn attach(
    State(app): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ComplaintJson>), ApiError> {
    let seq = parse_seq(&id)?;
    let bytes = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            attachment_too_large(&app)
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                "Isi permintaan tidak dapat dibaca.",
            )
        }
    })?;
    let staged = stage_attachment(&app, bytes).await?;
    let c = app
        .store
        .attach_to_complaint(seq, staged, staff.who())
        .await?;
    Ok((StatusCode::CREATED, Json(ComplaintJson::from(&c))))
}

/// Checks an upload and writes it, synced, under a temporary name, on a blocking thread: the
/// store's thread, which every kiosk ticket waits on, only renames it into place.
pub(super) async fn stage_attachment(
    app: &AppState,
    bytes: Bytes,
) -> Result<crate::attachments::Staged, crate::store::OpError> {
    let files = crate::attachments::Attachments::new(
        &app.data_dir,
        app.config.complaints.max_attachment_bytes(),
    );
    tokio::task::spawn_blocking(move || files.stage(&bytes))
        .await
        .map_err(|_| crate::store::OpError::Store(crate::store::StoreError::Stopped))?
        .map_err(crate::store::OpError::Attachment)
}

/// A SHA-256 as the routes carry it: 64 lowercase hex digits.
fn parse_sha256(s: &str) -> Option<String> {
    (s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    .then(|| s.to_string())
}

/// The file's bytes as a download that no browser renders in the console's origin.
pub fn attachment_download(seq: u64, stored: &Stored, bytes: Vec<u8>) -> Response {
    let name = format!(
        "pengaduan-{seq}-{}.{}",
        stored.sha256.get(..12).unwrap_or(""),
        stored.kind.extension()
    );
    (
        [
            (CONTENT_TYPE, stored.kind.mime().to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// Download one attachment
///
/// Scans carry personal data (a letter with a name and NIK), so this is for those who may
/// see the complainant's identity (the complaint officer, the Kepala Dinas), and every
/// download is written to the audit log (`complaint_attachment_viewed`) in the same commit
/// as the answer. Sent as `Content-Disposition: attachment` with the type read from the
/// file, `X-Content-Type-Options: nosniff` and `Cache-Control: no-store`.
#[utoipa::path(
    get,
    path = "/api/v1/complaints/{id}/attachments/{sha256}",
    operation_id = "get_complaint_attachment",
    tag = "complaints",
    params(
        ("id" = u64, Path, description = "The complaint's `seq`"),
        ("sha256" = String, Path, description = "The attachment's SHA-256 (lowercase hex), as the complaint lists it"),
    ),
    responses(
        (status = 200, description = "The file: `application/pdf`, `image/jpeg` or `image/png`", content_type = "application/octet-stream", body = String),
        (status = 404, description = "No such complaint or attachment, or deleted under the retention rule", body = ErrorBody, examples(
            ("not_found" = (value = json!({"error": {"code": "not_found", "message": "Lampiran tidak ditemukan."}}))),
        )),
        (status = 503, description = "The store does not answer", body = ErrorBody, examples(
            ("store_unavailable" = (value = json!({"error": {"code": "store_unavailable", "message": "Penyimpanan data sedang tidak tersedia; tidak ada yang diubah. Silakan coba lagi."}}))),
        )),
    )
)]
pub async fn attachment(
    State(app): State<AppState>,
    staff: Staff,
    ApiPath((id, sha256)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let seq = parse_seq(&id)?;
    let sha256 = parse_sha256(&sha256).ok_or(AttachmentError::NotFound)?;
    let (stored, bytes) = app
        .store
        .complaint_attachment(seq, sha256, staff.who())
        .await?;
    Ok(attachment_download(seq, &stored, bytes))
}
