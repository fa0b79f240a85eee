//! The reply letter over HTTP against the real daemon: a medium-scale complaint returned once
//! by the Kepala Dinas and signed in round 2, its PDF read back with `pdftotext` (number,
//! subject, addressee, signer, paraf), the same bytes on every download with the SHA-256 the
//! audit log holds, the version locked after signing, the preview and the receipt, and letter
//! numbers that never repeat across letters, a restart and a new year.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use common::{StaffSession, TestApp, wib};
use loket::auth::Role;
use loket::clock::FakeClock;
use loket::config::{Config, Signer};
use reqwest::Method;
use serde_json::{Value, json};

const SIGNER_NAME: &str = "Dr. Hendra Gunawan, S.T., M.Si.";
const SIGNER_NIP: &str = "19750817 200212 1 004";

fn config() -> Config {
    let mut c = common::test_config();
    c.console.idle_timeout_minutes = 100_000_000;
    c.console.absolute_timeout_hours = 1_000_000;
    c.letter.signers.insert(
        Role::KepalaDinas,
        Signer {
            jabatan: "Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu".into(),
            name: SIGNER_NAME.into(),
            pangkat: "Pembina Utama Muda (IV/c)".into(),
            nip: SIGNER_NIP.into(),
            acting: String::new(),
        },
    );
    c
}

struct People {
    officer: StaffSession,
    kasubbag: StaffSession,
    sekretaris: StaffSession,
    kepala: StaffSession,
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    who: &StaffSession,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app.as_staff(method, path, who);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn open(app: &TestApp, officer: &StaffSession, level: &str, name: &str) -> u64 {
    let body = json!({
        "channel": "letter",
        "level": level,
        "identity": {
            "name": name,
            "address": "Jl. Merdeka 17, Bogor",
            "phone": "081234567890",
            "nik": "3271011408850003"
        },
        "service": "A",
        "what_happened": "Antrian KTP terlalu lama",
        "shortfall": "Melebihi standar waktu",
        "remedy": "Perbaikan layanan"
    });
    let (status, body) = send(app, Method::POST, "/api/v1/complaints", officer, Some(body)).await;
    assert_eq!(status, 201, "{body}");
    body["complaint"]["seq"].as_u64().expect("seq")
}

async fn complaint(app: &TestApp, who: &StaffSession, seq: u64) -> Value {
    let (status, body) = send(
        app,
        Method::GET,
        &format!("/api/v1/complaints/{seq}"),
        who,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// One action on the current step at the version just read: its status and answer.
async fn try_act(
    app: &TestApp,
    who: &StaffSession,
    seq: u64,
    kind: &str,
    extra: Value,
) -> (u16, Value) {
    let c = complaint(app, who, seq).await;
    let mut body = json!({"step": c["current_step"], "version": c["version"], "kind": kind});
    for (k, v) in extra.as_object().into_iter().flatten() {
        body[k] = v.clone();
    }
    send(
        app,
        Method::POST,
        &format!("/api/v1/complaints/{seq}/actions"),
        who,
        Some(body),
    )
    .await
}

async fn act(app: &TestApp, who: &StaffSession, seq: u64, kind: &str, extra: Value) -> Value {
    let (status, after) = try_act(app, who, seq, kind, extra).await;
    assert_eq!(status, 200, "{kind}: {after}");
    after
}

/// Steps 3–5 of the small and medium flows: received, directed, drafted.
async fn to_review(app: &TestApp, p: &People, seq: u64, text: &str) {
    act(app, &p.officer, seq, "complete", json!({})).await;
    act(app, &p.kasubbag, seq, "complete", json!({})).await;
    act(app, &p.officer, seq, "save_draft", json!({"text": text})).await;
    act(app, &p.officer, seq, "complete", json!({})).await;
}

struct Download {
    status: u16,
    headers: reqwest::header::HeaderMap,
    bytes: Vec<u8>,
}

async fn download(app: &TestApp, who: &StaffSession, path: &str) -> Download {
    let r = app
        .as_staff(Method::GET, path, who)
        .send()
        .await
        .expect("request");
    Download {
        status: r.status().as_u16(),
        headers: r.headers().clone(),
        bytes: r.bytes().await.expect("body").to_vec(),
    }
}

fn pdf_text(bytes: &[u8], dir: &Path, name: &str) -> String {
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, bytes).expect("write pdf");
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Page 1 at 100 dpi into target/screenshots/letter-NAME.png, for looking at.
fn screenshot(bytes: &[u8], dir: &Path, name: &str) {
    let pdf = dir.join(format!("{name}.pdf"));
    std::fs::write(&pdf, bytes).expect("write pdf");
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshots dir");
    let status = Command::new("pdftoppm")
        .args(["-r", "100", "-png", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&pdf)
        .arg(shots.join(format!("letter-{name}")))
        .status()
        .expect("pdftoppm (poppler-utils) is installed");
    assert!(status.success());
}

fn sha256(bytes: &[u8]) -> String {
    loket::auth::sha256_hex(bytes)
}

async fn audit(app: &TestApp, action: &str) -> Vec<String> {
    app.state()
        .store
        .audit_entries()
        .await
        .expect("audit")
        .into_iter()
        .filter(|e| e.action == action)
        .map(|e| e.detail)
        .collect()
}

async fn spawn(dir: &Path, clock: Arc<FakeClock>) -> TestApp {
    TestApp::spawn_in(dir, clock, config()).await
}

#[tokio::test]
async fn a_medium_complaint_returned_once_is_signed_numbered_and_read_back() {
    let data = tempfile::tempdir().expect("tmp");
    let work = tempfile::tempdir().expect("tmp");
    let clock = Arc::new(FakeClock::new(wib(2026, 11, 30, 8, 0)));
    let app = spawn(data.path(), clock.clone()).await;
    let p = People {
        officer: app.staff("sari", &[Role::ComplaintOfficer]).await,
        kasubbag: app.staff("rina", &[Role::KasubbagUmum]).await,
        sekretaris: app.staff("wati", &[Role::Sekretaris]).await,
        kepala: app.staff("hendra", &[Role::KepalaDinas]).await,
    };
    let seq = open(&app, &p.officer, "menengah", "Désirée Nurhayati").await;
    let number = complaint(&app, &p.officer, seq).await["number"]
        .as_str()
        .expect("number")
        .to_string();

    // No letter before there is one.
    let none = download(
        &app,
        &p.officer,
        &format!("/api/v1/complaints/{seq}/letter"),
    )
    .await;
    assert_eq!(none.status, 404);

    // Round 1: drafted, returned by the Kepala Dinas.
    to_review(&app, &p, seq, "Isi draf pertama yang belum tepat.").await;
    clock.set(wib(2026, 11, 30, 13, 0));
    act(
        &app,
        &p.kepala,
        seq,
        "return_for_revision",
        json!({"note": "Sebutkan tindak lanjutnya."}),
    )
    .await;
    // Round 2: directed by the Kasubbag, redrafted.
    clock.set(wib(2026, 11, 30, 13, 30));
    act(&app, &p.kasubbag, seq, "complete", json!({})).await;
    let body = "Keterlambatan pada tanggal tersebut disebabkan gangguan jaringan ke pusat data \
                kependudukan.\nSebagai tindak lanjut, kami menambah satu loket cadangan.";
    act(&app, &p.officer, seq, "save_draft", json!({"text": body})).await;

    // The preview: marked DRAF, no number; masked for a role that does not see identities.
    let preview_path = format!("/api/v1/complaints/{seq}/letter/preview");
    let preview = download(&app, &p.officer, &preview_path).await;
    assert_eq!(preview.status, 200);
    let text = pdf_text(&preview.bytes, work.path(), "preview");
    assert!(text.contains("DRAF — belum ditandatangani"), "{text}");
    assert!(
        text.contains("nomor diberikan saat ditandatangani"),
        "{text}"
    );
    assert!(text.contains("Désirée Nurhayati"), "{text}");
    assert!(text.contains("menambah satu loket cadangan"), "{text}");
    assert!(!text.contains("000.8.3.3/"), "{text}");
    screenshot(&preview.bytes, work.path(), "preview");
    let masked = download(&app, &p.kasubbag, &preview_path).await;
    assert_eq!(masked.status, 200);
    let masked = pdf_text(&masked.bytes, work.path(), "masked");
    assert!(!masked.contains("Nurhayati"), "{masked}");
    assert!(!masked.contains("Merdeka"), "{masked}");
    assert_eq!(audit(&app, "complaint_letter_previewed").await.len(), 2);

    act(&app, &p.officer, seq, "complete", json!({})).await;
    clock.set(wib(2026, 12, 1, 9, 0));
    let signed = act(&app, &p.kepala, seq, "approve", json!({})).await;
    let letters = signed["letters"].as_array().expect("letters");
    assert_eq!(letters.len(), 1, "{signed}");
    let l = &letters[0];
    assert_eq!(l["number"], "000.8.3.3/1/DPMPTSP/2026");
    assert_eq!(l["round"], 2);
    assert_eq!(l["signed_by"], "hendra");

    let path = format!("/api/v1/complaints/{seq}/letter");
    let first = download(&app, &p.officer, &path).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.headers["content-type"], "application/pdf");
    assert!(
        first.headers["content-disposition"]
            .to_str()
            .expect("ascii")
            .starts_with("attachment;")
    );
    assert_eq!(first.headers["x-content-type-options"], "nosniff");
    assert!(first.bytes.starts_with(b"%PDF-"));
    let digest = sha256(&first.bytes);
    assert_eq!(l["sha256"], digest.as_str());
    let signed_audit = audit(&app, "complaint_letter_signed").await;
    assert_eq!(signed_audit.len(), 1);
    assert!(signed_audit[0].contains(&digest), "{signed_audit:?}");
    // Downloaded again, by the Kepala Dinas: the very same bytes; each download audited.
    let second = download(&app, &p.kepala, &path).await;
    assert_eq!(second.status, 200);
    assert_eq!(second.bytes, first.bytes);
    assert_eq!(audit(&app, "complaint_letter_viewed").await.len(), 2);
    // Not for roles that do not see the complainant's identity.
    for who in [&p.kasubbag, &p.sekretaris] {
        assert_eq!(download(&app, who, &path).await.status, 403);
    }

    let text = pdf_text(&first.bytes, work.path(), "signed");
    for expected in [
        "000.8.3.3/1/DPMPTSP/2026",
        &format!("Tanggapan atas Pengaduan Nomor {number}"),
        "Yth. Sdr. Désirée Nurhayati",
        "Jl. Merdeka 17, Bogor",
        SIGNER_NAME,
        &format!("NIP. {SIGNER_NIP}"),
        "Pembina Utama Muda (IV/c)",
        "1 Desember 2026",
        "menambah satu loket cadangan",
        // The paraf: who returned round 1, who directed round 2.
        "Dikembalikan untuk perbaikan (putaran 1)",
        "Arahan dan petunjuk (putaran 2)",
        "rina",
    ] {
        assert!(text.contains(expected), "`{expected}` not in:\n{text}");
    }
    assert!(!text.contains("DRAF"), "{text}");
    assert!(
        !text.contains("belum tepat"),
        "round 1's text is not the letter"
    );
    screenshot(&first.bytes, work.path(), "signed");

    // The signed version is locked: no draft can be saved any more, and the letter stays.
    let (status, refused) = try_act(
        &app,
        &p.officer,
        seq,
        "save_draft",
        json!({"text": "Diubah setelah ditandatangani"}),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(download(&app, &p.officer, &path).await.bytes, first.bytes);
    // No preview once the round is signed.
    let c = complaint(&app, &p.officer, seq).await;
    assert_eq!(c["letters"].as_array().map(Vec::len), Some(1));

    // Sent (step 7), then the receipt for the complainant (step 8).
    act(&app, &p.officer, seq, "complete", json!({})).await;
    let receipt = download(
        &app,
        &p.officer,
        &format!("/api/v1/complaints/{seq}/letter/receipt"),
    )
    .await;
    assert_eq!(receipt.status, 200);
    let text = pdf_text(&receipt.bytes, work.path(), "receipt");
    for expected in [
        "TANDA TERIMA SURAT",
        "000.8.3.3/1/DPMPTSP/2026",
        "Désirée Nurhayati",
        &number,
    ] {
        assert!(text.contains(expected), "`{expected}` not in:\n{text}");
    }
    assert_eq!(
        audit(&app, "complaint_letter_receipt_viewed").await.len(),
        1
    );
    screenshot(&receipt.bytes, work.path(), "receipt");
    act(&app, &p.officer, seq, "record_on_behalf", json!({})).await;

    // A second letter, of a small-scale complaint: the next number.
    let seq2 = open(&app, &p.officer, "kecil", "Budi Santoso").await;
    to_review(&app, &p, seq2, "Jawaban kedua.").await;
    let c2 = act(&app, &p.kepala, seq2, "approve", json!({})).await;
    assert_eq!(c2["letters"][0]["number"], "000.8.3.3/2/DPMPTSP/2026");

    // After a restart the sequence goes on.
    app.stop().await;
    let app = spawn(data.path(), clock.clone()).await;
    let seq3 = open(&app, &p.officer, "kecil", "Citra Dewi").await;
    to_review(&app, &p, seq3, "Jawaban ketiga.").await;
    let c3 = act(&app, &p.kepala, seq3, "approve", json!({})).await;
    assert_eq!(c3["letters"][0]["number"], "000.8.3.3/3/DPMPTSP/2026");
    // The first letter is still the same bytes.
    assert_eq!(download(&app, &p.officer, &path).await.bytes, first.bytes);

    // A new year starts again at 1.
    clock.set(wib(2027, 1, 4, 9, 0));
    let seq4 = open(&app, &p.officer, "kecil", "Dedi Kurniawan").await;
    to_review(&app, &p, seq4, "Jawaban keempat.").await;
    let c4 = act(&app, &p.kepala, seq4, "approve", json!({})).await;
    assert_eq!(c4["letters"][0]["number"], "000.8.3.3/1/DPMPTSP/2027");
    app.stop().await;
}

/// A signature that cannot commit uses no number: with no signer configured for the role
/// the approval is refused, nothing changes, and once configured the first letter is 1.
#[tokio::test]
async fn a_refused_signature_uses_no_number() {
    let data = tempfile::tempdir().expect("tmp");
    let clock = Arc::new(FakeClock::new(wib(2026, 11, 30, 8, 0)));
    let mut without = config();
    without.letter.signers.clear();
    let app = TestApp::spawn_in(data.path(), clock.clone(), without).await;
    let p = People {
        officer: app.staff("sari", &[Role::ComplaintOfficer]).await,
        kasubbag: app.staff("rina", &[Role::KasubbagUmum]).await,
        sekretaris: app.staff("wati", &[Role::Sekretaris]).await,
        kepala: app.staff("hendra", &[Role::KepalaDinas]).await,
    };
    let seq = open(&app, &p.officer, "kecil", "Eka Putri").await;
    to_review(&app, &p, seq, "Jawaban.").await;
    let before = complaint(&app, &p.officer, seq).await;
    let (status, refused) = try_act(&app, &p.kepala, seq, "approve", json!({})).await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("letter.signers.kepala_dinas"),
        "{refused}"
    );
    assert_eq!(complaint(&app, &p.officer, seq).await, before);
    assert!(audit(&app, "complaint_letter_signed").await.is_empty());
    app.stop().await;

    // Configured now; but a clock far ahead of the service day signs nothing either: the
    // letter's number and date would be wrong for ever.
    let mut lenient = config();
    lenient.console.idle_timeout_minutes = 1_000_000;
    lenient.console.absolute_timeout_hours = 1_000_000;
    let app = TestApp::spawn_in(data.path(), clock.clone(), lenient).await;
    app.issue("A", false).await;
    clock.set(wib(2026, 12, 4, 9, 0));
    let (status, refused) = try_act(&app, &p.kepala, seq, "approve", json!({})).await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Jam sistem tidak wajar"),
        "{refused}"
    );
    assert_eq!(complaint(&app, &p.officer, seq).await, before);
    clock.set(wib(2026, 11, 30, 9, 0));
    let c = act(&app, &p.kepala, seq, "approve", json!({})).await;
    assert_eq!(c["letters"][0]["number"], "000.8.3.3/1/DPMPTSP/2026");
    app.stop().await;
}

/// The signed PDF is in the backup and `verify` checks it; after the retention period the
/// purge deletes it with the identity (it names the complainant), keeps number and SHA-256,
/// and a backup then still verifies.
#[tokio::test]
async fn signed_letters_are_backed_up_and_purged_with_the_identity() {
    let data = tempfile::tempdir().expect("tmp");
    let usb = tempfile::tempdir().expect("tmp");
    let clock = Arc::new(FakeClock::new(wib(2026, 11, 30, 8, 0)));
    let app = spawn(data.path(), clock.clone()).await;
    let p = People {
        officer: app.staff("sari", &[Role::ComplaintOfficer]).await,
        kasubbag: app.staff("rina", &[Role::KasubbagUmum]).await,
        sekretaris: app.staff("wati", &[Role::Sekretaris]).await,
        kepala: app.staff("hendra", &[Role::KepalaDinas]).await,
    };
    let seq = open(&app, &p.officer, "kecil", "Fajar Nugroho").await;
    to_review(&app, &p, seq, "Jawaban.").await;
    let c = act(&app, &p.kepala, seq, "approve", json!({})).await;
    let sha = c["letters"][0]["sha256"].as_str().expect("sha").to_string();
    let store = app.state().store.clone();
    let copy = usb.path().join("copy.redb");
    store.backup(copy.clone()).await.expect("backup");
    loket::store::backup::verify(&copy).expect("the backup verifies");
    // The copy holds the very bytes.
    {
        let db = redb::ReadOnlyDatabase::open(&copy).expect("open copy");
        let txn = redb::ReadableDatabase::begin_read(&db).expect("read");
        let t = txn
            .open_table(redb::TableDefinition::<(u64, u32), &[u8]>::new(
                "complaint_letters",
            ))
            .expect("letters table in the backup");
        let bytes = t.get((seq, 1)).expect("get").expect("row").value().to_vec();
        assert_eq!(sha256(&bytes), sha);
    }

    act(&app, &p.officer, seq, "complete", json!({})).await;
    act(&app, &p.officer, seq, "record_on_behalf", json!({})).await;
    clock.set(wib(2029, 1, 8, 9, 0));
    let purged = store
        .purge_complaints(loket::audit::Who::new("test", ""))
        .await
        .expect("purge");
    assert_eq!(purged.complaints, 1);
    let path = format!("/api/v1/complaints/{seq}/letter");
    assert_eq!(download(&app, &p.officer, &path).await.status, 404);
    let c = complaint(&app, &p.officer, seq).await;
    assert_eq!(c["letters"][0]["sha256"], sha.as_str());
    let after = usb.path().join("after.redb");
    store.backup(after.clone()).await.expect("backup");
    loket::store::backup::verify(&after).expect("verifies after the purge");
    {
        let db = redb::ReadOnlyDatabase::open(&after).expect("open copy");
        let txn = redb::ReadableDatabase::begin_read(&db).expect("read");
        let t = txn
            .open_table(redb::TableDefinition::<(u64, u32), &[u8]>::new(
                "complaint_letters",
            ))
            .expect("letters table");
        assert!(t.get((seq, 1)).expect("get").is_none(), "the PDF is gone");
    }
    app.stop().await;
}

/// In `pengaduan.toml` the Sekretaris initials (paraf) at step 6 and the Kepala Dinas signs
/// by completing step 7: the letter is numbered then, with the Sekretaris' paraf on it.
#[tokio::test]
async fn the_sekretaris_initials_and_the_kepala_dinas_signs_at_step_7() {
    let data = tempfile::tempdir().expect("tmp");
    let work = tempfile::tempdir().expect("tmp");
    let clock = Arc::new(FakeClock::new(wib(2026, 11, 30, 8, 0)));
    let mut cfg = config();
    let sources: Vec<loket::complaint::SopSource> = loket::complaint::SopSource::embedded()
        .into_iter()
        .map(|mut s| {
            if s.name == "levels.toml" {
                s.text = "[levels]\nkecil = \"pengaduan\"\nmenengah = \"pengaduan\"\nbesar = \"pengaduan\"\n".to_string();
            }
            s
        })
        .collect();
    cfg.sop = Arc::new(loket::complaint::Sop::from_sources(sources).expect("flows"));
    let app = TestApp::spawn_in(data.path(), clock, cfg).await;
    let p = People {
        officer: app.staff("sari", &[Role::ComplaintOfficer]).await,
        kasubbag: app.staff("rina", &[Role::KasubbagUmum]).await,
        sekretaris: app.staff("wati", &[Role::Sekretaris]).await,
        kepala: app.staff("hendra", &[Role::KepalaDinas]).await,
    };
    let seq = open(&app, &p.officer, "kecil", "Gita Permata").await;
    to_review(&app, &p, seq, "Jawaban atas pengaduan.").await;
    let c = act(&app, &p.sekretaris, seq, "approve", json!({})).await;
    assert_eq!(
        c["letters"].as_array().map(Vec::len),
        Some(0),
        "a paraf signs nothing"
    );
    let c = act(&app, &p.kepala, seq, "complete", json!({})).await;
    assert_eq!(c["letters"][0]["number"], "000.8.3.3/1/DPMPTSP/2026");
    assert_eq!(c["letters"][0]["signed_by"], "hendra");
    let pdf = download(
        &app,
        &p.officer,
        &format!("/api/v1/complaints/{seq}/letter"),
    )
    .await;
    assert_eq!(pdf.status, 200);
    let text = pdf_text(&pdf.bytes, work.path(), "pengaduan");
    for expected in ["Paraf persetujuan (putaran 1)", "wati", SIGNER_NAME] {
        assert!(text.contains(expected), "`{expected}` not in:\n{text}");
    }
    app.stop().await;
}
