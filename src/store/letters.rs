//! Reply letters in the store: the signing (a number from the year's sequence and the PDF,
//! written in the transaction that records the signature), the signed PDFs' table, and the
//! audited reads: a signed letter again, a draft's preview, the receipt.
//!
//! Rendering runs here, on the store's thread: one letter takes a few milliseconds
//! (docs/performance.md), less than the commit that follows it, and it keeps the number, the
//! PDF and the signature in one transaction without a second round trip.

use chrono::{DateTime, Datelike, Utc};
use redb::{ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};

use super::actor::{Actor, OpError};
use super::complaints::{Complaint, Identity};
use super::tables::{META, StoreError};
use crate::audit::Who;
use crate::auth::Role;
use crate::complaint::{Action, ActionKind, ComplaintError, Workflow};
use crate::config::Signer;
use crate::letter::{LetterFacts, Paraf, SignedLetter, compose_letter, compose_receipt};
use crate::privacy::mask_name;

/// The signed letters' PDFs by (complaint, round): what was signed, byte for byte.
pub(super) const LETTERS: TableDefinition<(u64, u32), &[u8]> =
    TableDefinition::new("complaint_letters");

/// Who sees the complainant's name and address on a draft's preview; others (a reviewer
/// such as the Sekretaris) get it masked. The same roles as the console's "Lihat identitas".
const NAME_ROLES: [Role; 2] = [Role::ComplaintOfficer, Role::KepalaDinas];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LetterKind {
    /// The signed letter of that round, or the latest.
    Signed { round: Option<u32> },
    /// The current draft, marked DRAF, without a number.
    Preview,
    /// The receipt for the latest signed letter.
    Receipt,
}

/// A PDF for download.
#[derive(Debug, Clone)]
pub struct LetterPdf {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub sha256: String,
}

/// A signature to write with the action that made it.
pub(super) struct Signing {
    pub letter: SignedLetter,
    pdf: Vec<u8>,
    year_key: String,
}

impl Signing {
    pub(super) fn write(&self, txn: &WriteTransaction, complaint: u64) -> Result<(), StoreError> {
        txn.open_table(META)?
            .insert(self.year_key.as_str(), self.letter.seq)?;
        txn.open_table(LETTERS)?
            .insert((complaint, self.letter.round), self.pdf.as_slice())?;
        Ok(())
    }
}

/// The PDF of a signed letter, read from the file (none when the table or row is absent).
fn read_pdf(txn: &impl ReadTxn, complaint: u64, round: u32) -> Result<Option<Vec<u8>>, StoreError> {
    txn.pdf(complaint, round)
}

trait ReadTxn {
    fn pdf(&self, complaint: u64, round: u32) -> Result<Option<Vec<u8>>, StoreError>;
}

impl ReadTxn for WriteTransaction {
    fn pdf(&self, complaint: u64, round: u32) -> Result<Option<Vec<u8>>, StoreError> {
        let t = self.open_table(LETTERS)?;
        let found = t.get((complaint, round))?;
        Ok(found.map(|v| v.value().to_vec()))
    }
}

impl ReadTxn for redb::ReadTransaction {
    fn pdf(&self, complaint: u64, round: u32) -> Result<Option<Vec<u8>>, StoreError> {
        let t = match self.open_table(LETTERS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let found = t.get((complaint, round))?;
        Ok(found.map(|v| v.value().to_vec()))
    }
}

/// The role whose signature a flow's letter carries (for a preview's signature block).
fn flow_signing_role(workflow: &Workflow) -> Option<Role> {
    workflow.flow().steps.iter().find_map(|s| {
        crate::letter::signing_role(s, true).or_else(|| crate::letter::signing_role(s, false))
    })
}

/// The PDF of `doc`; a panic in the layout or the PDF writer fails this request only, and
/// is not taken for a damaged database.
fn render_isolated(doc: &crate::pdf::Document) -> Result<Vec<u8>, OpError> {
    match super::actor::isolated(|| crate::pdf::render(doc)) {
        Ok(r) => r.map_err(render_error),
        Err(_) => {
            tracing::error!("letter rendering panicked");
            Err(ComplaintError::Invalid("Surat tidak dapat dibuat.".to_string()).into())
        }
    }
}

fn render_error(e: crate::pdf::RenderError) -> OpError {
    tracing::error!(error = %e, "letter rendering failed");
    ComplaintError::Invalid(format!("Surat tidak dapat dibuat: {e}.")).into()
}

impl Actor {
    /// When `action` signs the reply (see `letter::signing_role`), the letter of that round
    /// with the next number of the office-local year, rendered and pushed onto `c.letters`;
    /// the caller writes it in the action's transaction. A round already signed is not
    /// signed again.
    pub(super) fn sign_if_signing(
        &mut self,
        before: &Workflow,
        action: &Action,
        c: &mut Complaint,
        identity: Option<&Identity>,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<Option<Signing>, OpError> {
        let Some(step) = before.current_step() else {
            return Ok(None);
        };
        let role = match action.kind {
            ActionKind::Approve { .. } => crate::letter::signing_role(step, true),
            ActionKind::Complete { .. } => crate::letter::signing_role(step, false),
            _ => None,
        };
        let Some(role) = role else {
            return Ok(None);
        };
        let round = before.round();
        if c.letters.iter().any(|l| l.round == round) {
            return Ok(None);
        }
        let draft = c
            .workflow
            .drafts()
            .iter()
            .rev()
            .find(|d| d.round == round)
            .cloned()
            .ok_or_else(|| {
                ComplaintError::Invalid(
                    "Belum ada draf surat balasan untuk ditandatangani.".to_string(),
                )
            })?;
        let signer = self.config.letter.signers.get(&role).cloned().ok_or_else(|| {
            ComplaintError::Invalid(format!(
                "Blok tanda tangan {} belum diatur ([letter.signers.{}] di loket.toml); surat belum dapat ditandatangani.",
                role.label_id(),
                role.as_str()
            ))
        })?;
        // A letter's number and date are for ever: not from a clock far ahead of the
        // service day (see `QueueState::clock_ahead`).
        if let Some(day) = self.clock_suspect {
            return Err(ComplaintError::Invalid(format!(
                "Jam sistem tidak wajar (menunjukkan {day}); surat belum dapat ditandatangani. Periksa jam atau minta administrator mengonfirmasi hari layanan."
            ))
            .into());
        }
        let local = now.with_timezone(&self.config.office.time_zone);
        let year = local.year();
        let year_key = format!("letter_seq_{year}");
        let last = self.in_txn(|txn, _| {
            Ok(txn
                .open_table(META)?
                .get(year_key.as_str())?
                .map_or(0, |v| v.value()))
        })?;
        let seq = last + 1;
        let number = self.config.letter.number(seq, year, local.month());
        let paraf = self.paraf_of(&c.workflow)?;
        let pdf = self.render_letter(
            c,
            identity,
            &draft.text,
            Some(&number),
            now,
            Some(&signer),
            &paraf,
        )?;
        let letter = SignedLetter {
            round,
            number,
            year,
            seq,
            signed_at: now,
            signed_by: who.actor.clone(),
            signer,
            sha256: crate::auth::sha256_hex(&pdf),
            size: pdf.len() as u64,
        };
        c.letters.push(letter.clone());
        Ok(Some(Signing {
            letter,
            pdf,
            year_key,
        }))
    }

    /// Who handled the drafts, with the names their accounts carry.
    fn paraf_of(&mut self, workflow: &Workflow) -> Result<Vec<Paraf>, OpError> {
        let mut names = std::collections::HashMap::new();
        for r in workflow.records() {
            if let Some(by) = &r.done_by
                && !names.contains_key(by)
            {
                let name = match self.live_user(by)? {
                    Some(u) if !u.display_name.trim().is_empty() => u.display_name,
                    _ => by.clone(),
                };
                names.insert(by.clone(), name);
            }
        }
        Ok(crate::letter::paraf_rows(workflow, &|u: &str| {
            names.get(u).cloned().unwrap_or_else(|| u.to_string())
        }))
    }

    #[allow(clippy::too_many_arguments)]
    fn render_letter(
        &self,
        c: &Complaint,
        identity: Option<&Identity>,
        body: &str,
        number: Option<&str>,
        at: DateTime<Utc>,
        signer: Option<&Signer>,
        paraf: &[Paraf],
    ) -> Result<Vec<u8>, OpError> {
        let doc = compose_letter(
            &self.config.letter,
            &self.facts(c, identity, body, number, at, signer, paraf),
        );
        render_isolated(&doc)
    }

    #[allow(clippy::too_many_arguments)]
    fn facts<'a>(
        &'a self,
        c: &'a Complaint,
        identity: Option<&'a Identity>,
        body: &'a str,
        number: Option<&'a str>,
        at: DateTime<Utc>,
        signer: Option<&'a Signer>,
        paraf: &'a [Paraf],
    ) -> LetterFacts<'a> {
        let tz = self.config.office.time_zone;
        LetterFacts {
            complaint_number: &c.number,
            complaint_date: c.created_at.with_timezone(&tz).date_naive(),
            service: self
                .config
                .service(&c.service)
                .map_or(c.service.as_str(), |s| s.name.as_str()),
            addressee_name: identity.map_or("-", |i| i.name.as_str()),
            addressee_address: identity.map_or("", |i| i.address.as_str()),
            body,
            number,
            date: at,
            tz,
            signer,
            paraf,
            lampiran: "-",
        }
    }

    /// A letter PDF for `who`, audited in the same commit as the answer: each names the
    /// complainant.
    pub(super) fn letter_pdf(
        &mut self,
        seq: u64,
        kind: LetterKind,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<LetterPdf, OpError> {
        let c = self
            .read_complaint(seq)?
            .ok_or_else(|| ComplaintError::NotFound(format!("Pengaduan {seq} tidak ditemukan.")))?;
        let actor = self.complaint_actor(who)?;
        let none = |what: &str| -> OpError { ComplaintError::NotFound(what.to_string()).into() };
        if c.purged_at.is_some() {
            return Err(none(
                "Data pribadi pengaduan ini sudah dihapus sesuai masa retensi; suratnya tidak dapat dibuat lagi.",
            ));
        }
        let id = c.id.to_string();
        let slug = c.number.replace('/', "-");
        match kind {
            LetterKind::Signed { round } => {
                let letter = match round {
                    Some(r) => c.letters.iter().find(|l| l.round == r),
                    None => c.letters.last(),
                }
                .cloned()
                .ok_or_else(|| none("Surat balasan yang ditandatangani tidak ditemukan."))?;
                let bytes = match &self.txn {
                    Some(txn) => read_pdf(txn, seq, letter.round)?,
                    None => {
                        let txn = self.db()?.begin_read().map_err(StoreError::from)?;
                        read_pdf(&txn, seq, letter.round)?
                    }
                }
                .ok_or_else(|| none("Berkas surat balasan tidak ditemukan."))?;
                let sha256 = crate::auth::sha256_hex(&bytes);
                if sha256 != letter.sha256 {
                    return Err(StoreError::Corrupt {
                        what: format!("signed letter of complaint {seq} round {}", letter.round),
                        why: "its bytes do not match the SHA-256 recorded at signing".into(),
                    }
                    .into());
                }
                self.audit(
                    now,
                    who,
                    "complaint_letter_viewed",
                    &id,
                    &format!("{} surat {} sha256 {}", c.number, letter.number, sha256),
                );
                Ok(LetterPdf {
                    file_name: format!("surat-balasan-{slug}.pdf"),
                    bytes,
                    sha256,
                })
            }
            LetterKind::Preview => {
                let draft = c
                    .workflow
                    .current_draft()
                    .or_else(|| c.workflow.drafts().last())
                    .cloned()
                    .ok_or_else(|| none("Belum ada draf surat balasan."))?;
                let identity = self.read_identity(seq)?;
                let identity = if actor.holds_any(&NAME_ROLES) {
                    identity
                } else {
                    identity.map(|i| Identity {
                        name: mask_name(&i.name),
                        address: String::new(),
                        ..i
                    })
                };
                let signer = flow_signing_role(&c.workflow)
                    .and_then(|r| self.config.letter.signers.get(&r))
                    .cloned();
                let paraf = self.paraf_of(&c.workflow)?;
                let bytes = self.render_letter(
                    &c,
                    identity.as_ref(),
                    &draft.text,
                    None,
                    now,
                    signer.as_ref(),
                    &paraf,
                )?;
                let sha256 = crate::auth::sha256_hex(&bytes);
                self.audit(
                    now,
                    who,
                    "complaint_letter_previewed",
                    &id,
                    &format!("{} draf putaran {}", c.number, draft.round),
                );
                Ok(LetterPdf {
                    file_name: format!("draf-surat-balasan-{slug}-putaran-{}.pdf", draft.round),
                    bytes,
                    sha256,
                })
            }
            LetterKind::Receipt => {
                let letter = c
                    .letters
                    .last()
                    .cloned()
                    .ok_or_else(|| none("Belum ada surat balasan yang ditandatangani."))?;
                let identity = self.read_identity(seq)?;
                let facts = self.facts(
                    &c,
                    identity.as_ref(),
                    "",
                    Some(&letter.number),
                    now,
                    None,
                    &[],
                );
                let letter_date = letter
                    .signed_at
                    .with_timezone(&self.config.office.time_zone)
                    .date_naive();
                let doc = compose_receipt(&self.config.letter, &facts, letter_date);
                let bytes = render_isolated(&doc)?;
                let sha256 = crate::auth::sha256_hex(&bytes);
                // The receipt prints the complainant's name: an identity view.
                self.audit(
                    now,
                    who,
                    "complaint_letter_receipt_viewed",
                    &id,
                    &format!("{} surat {}", c.number, letter.number),
                );
                Ok(LetterPdf {
                    file_name: format!("tanda-terima-{slug}.pdf"),
                    bytes,
                    sha256,
                })
            }
        }
    }
}

/// Every letter a complaint record names has its PDF, with the recorded SHA-256 (`verify`
/// of a backup).
pub(super) fn check_letters(
    txn: &redb::ReadTransaction,
    seq: u64,
    complaint: &serde_json::Value,
) -> Result<(), String> {
    let Some(letters) = complaint.get("letters").and_then(|l| l.as_array()) else {
        return Ok(());
    };
    // The PDFs of a purged complaint were deleted with its identity.
    if complaint.get("purged_at").is_some_and(|p| !p.is_null()) {
        return Ok(());
    }
    for l in letters {
        let round = l
            .get("round")
            .and_then(serde_json::Value::as_u64)
            .and_then(|r| u32::try_from(r).ok())
            .ok_or("a signed letter without its round")?;
        let sha = l.get("sha256").and_then(|s| s.as_str()).unwrap_or_default();
        match txn.pdf(seq, round).map_err(|e| e.to_string())? {
            Some(b) if crate::auth::sha256_hex(&b) == sha => {}
            Some(_) => {
                return Err(format!(
                    "signed letter of round {round} does not match its SHA-256"
                ));
            }
            None => return Err(format!("signed letter of round {round} missing")),
        }
    }
    Ok(())
}
