//! Complaint attachments end to end over real HTTP against the daemon: the API upload (size
//! limit, type by content, role), the console's multipart form, the audited download with its
//! headers, a refused upload that changes nothing; the files in a backup and back after a
//! restore into a fresh data directory; a backup whose bytes do not match their hash refused;
//! files nothing names removed when the store opens.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use common::{StaffSession, TestApp};
use loket::audit::Who;
use loket::auth::Role;
use loket::clock::FakeClock;
use loket::complaint::{Channel, Level};
use loket::config::Config;
use loket::store::{Identity, NewComplaint, Source};
use reqwest::Method;
use serde_json::Value;

/// A small limit, so the over-limit body is cheap to send.
const MAX_KIB: u64 = 64;

fn config() -> Config {
    let mut c = common::test_config();
    c.complaints.max_attachment_kib = MAX_KIB;
    c
}

async fn spawn_in(dir: &Path) -> TestApp {
    let clock = Arc::new(FakeClock::new(common::monday_morning()));
    TestApp::spawn_in(dir, clock, config()).await
}

fn pdf(fill: usize) -> Vec<u8> {
    let mut b = b"%PDF-1.7\n% surat pengaduan\n".to_vec();
    b.extend((0..fill).map(|i| b'a' + (i % 26) as u8));
    b
}

fn png() -> Vec<u8> {
    let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    b.extend_from_slice(&[0, 0, 0, 13, b'I', b'H', b'D', b'R', 1, 2, 3]);
    b
}

async fn open_complaint(app: &TestApp, officer: &str) -> u64 {
    let new = NewComplaint {
        source: Source::Channel(Channel::Letter),
        level: Level::Kecil,
        identity: Identity {
            name: "Siti Aminah".to_string(),
            address: String::new(),
            phone: String::new(),
            email: String::new(),
            nik: None,
            rahasia: false,
        },
        service: "KTP-el".to_string(),
        what_happened: "KTP-el belum jadi setelah tiga bulan.".to_string(),
        happened_on: NaiveDate::from_ymd_opt(2026, 11, 2),
        shortfall: String::new(),
        remedy: String::new(),
    };
    app.state()
        .store
        .open_complaint(new, Who::new(officer, "127.0.0.1"))
        .await
        .expect("opened")
        .seq()
}

async fn upload(app: &TestApp, who: &StaffSession, seq: u64, body: Vec<u8>) -> (u16, Value) {
    let r = app
        .as_staff(
            Method::POST,
            &format!("/api/v1/complaints/{seq}/attachments"),
            who,
        )
        .header("content-type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .expect("upload");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_in(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

async fn audit_actions(app: &TestApp, action: &str) -> usize {
    app.state()
        .store
        .audit_entries()
        .await
        .expect("audit")
        .iter()
        .filter(|e| e.action == action)
        .count()
}

#[tokio::test]
async fn the_api_keeps_scans_and_photos_within_the_limit_and_refuses_the_rest_unchanged() {
    let tmp = tempfile::tempdir().expect("tmp");
    let app = spawn_in(tmp.path()).await;
    let officer = app.staff("petugas", &[Role::ComplaintOfficer]).await;
    let kasubbag = app.staff("kasubbag", &[Role::KasubbagUmum]).await;
    let kepala = app.staff("kepala", &[Role::KepalaDinas]).await;
    let seq = open_complaint(&app, "petugas").await;
    // Above the API's 16 KiB default for JSON bodies: the route has its own limit.
    let letter = pdf(40_000);

    let (status, c) = upload(&app, &officer, seq, letter.clone()).await;
    assert_eq!(status, 201, "{c}");
    let list = c["attachments"].as_array().expect("list").clone();
    assert_eq!(list.len(), 1, "{c}");
    assert_eq!(list[0]["kind"], "pdf");
    assert_eq!(list[0]["content_type"], "application/pdf");
    assert_eq!(list[0]["size"], letter.len());
    assert_eq!(list[0]["added_by"], "petugas");
    assert!(list[0]["added_at"].is_string(), "{c}");
    let sha = list[0]["sha256"].as_str().expect("sha").to_string();
    let attachments_dir = tmp.path().join("attachments");
    let files_before = files_in(&attachments_dir);
    assert_eq!(files_before.len(), 1);
    let added = audit_actions(&app, "complaint_attachment_added").await;

    // Refusals: over the limit, not a scan or photo (whatever the client claims), empty,
    // a role that does not take documents in. None changes anything.
    let (status, e) = upload(&app, &officer, seq, pdf(MAX_KIB as usize * 1024 + 1)).await;
    assert_eq!(status, 413, "{e}");
    assert_eq!(e["error"]["code"], "attachment_too_large");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("64 KiB"),
        "{e}"
    );
    let r = app
        .as_staff(
            Method::POST,
            &format!("/api/v1/complaints/{seq}/attachments"),
            &officer,
        )
        .header("content-type", "application/pdf")
        .body(b"<html><script>alert(1)</script>".to_vec())
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 415);
    let e: Value = r.json().await.expect("json");
    assert_eq!(e["error"]["code"], "unsupported_attachment");
    assert_eq!(
        e["error"]["message"],
        "Lampiran harus berupa PDF, JPEG atau PNG."
    );
    let (status, e) = upload(&app, &officer, seq, Vec::new()).await;
    assert_eq!(status, 422, "{e}");
    let (status, e) = upload(&app, &kasubbag, seq, png()).await;
    assert_eq!(status, 403, "{e}");
    let (status, e) = upload(&app, &officer, 999, png()).await;
    assert_eq!(status, 404, "{e}");
    let c = app.state().store.complaint(seq).await.expect("complaint");
    assert_eq!(c.attachments.len(), 1);
    assert_eq!(files_in(&attachments_dir), files_before);
    assert_eq!(
        audit_actions(&app, "complaint_attachment_added").await,
        added
    );

    // The same bytes again are kept once; a photo is a second attachment.
    let (status, c) = upload(&app, &officer, seq, letter.clone()).await;
    assert_eq!(status, 201, "{c}");
    assert_eq!(c["attachments"].as_array().map(Vec::len), Some(1));
    let (status, c) = upload(&app, &officer, seq, png()).await;
    assert_eq!(status, 201, "{c}");
    assert_eq!(c["attachments"][1]["kind"], "png");

    // Download: who may see the identity, audited each time, never rendered inline.
    let path = format!("/api/v1/complaints/{seq}/attachments/{sha}");
    let viewed = audit_actions(&app, "complaint_attachment_viewed").await;
    let r = app
        .as_staff(Method::GET, &path, &kepala)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 200);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap_or_default()
            .starts_with("attachment; filename=\"pengaduan-"),
        "{h:?}"
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(r.bytes().await.expect("bytes").to_vec(), letter);
    assert_eq!(
        audit_actions(&app, "complaint_attachment_viewed").await,
        viewed + 1
    );
    let r = app
        .as_staff(Method::GET, &path, &kasubbag)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 403);
    let r = app
        .as_staff(
            Method::GET,
            &format!("/api/v1/complaints/{seq}/attachments/{}", "0".repeat(64)),
            &officer,
        )
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 404);
    assert_eq!(
        audit_actions(&app, "complaint_attachment_viewed").await,
        viewed + 1,
        "refused downloads are not views"
    );
    app.stop().await;
}

/// A `multipart/form-data` body as a browser sends the upload form.
fn multipart(csrf: &str, file: &[u8], filename: &str) -> (String, Vec<u8>) {
    let boundary = "----loketTestBoundary7MA4YWxkTrZu0gW";
    let mut b = Vec::new();
    b.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    b.extend_from_slice(file);
    b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), b)
}

async fn console_upload(
    app: &TestApp,
    who: &StaffSession,
    seq: u64,
    file: &[u8],
    name: &str,
) -> (u16, String, String) {
    let (ct, body) = multipart(&who.csrf, file, name);
    let r = app
        .as_staff(
            Method::POST,
            &format!("/console/pengaduan/{seq}/lampiran"),
            who,
        )
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .expect("post");
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, location, r.text().await.expect("body"))
}

#[tokio::test]
async fn the_console_form_uploads_lists_and_refuses_with_the_page_again() {
    let tmp = tempfile::tempdir().expect("tmp");
    let app = spawn_in(tmp.path()).await;
    let officer = app.staff("petugas", &[Role::ComplaintOfficer]).await;
    let kasi = app.staff("kasi", &[Role::Kasi]).await;
    let seq = open_complaint(&app, "petugas").await;
    let page = format!("/console/pengaduan/{seq}");

    let (status, location, html) =
        console_upload(&app, &officer, seq, &pdf(2000), "surat.pdf").await;
    assert_eq!(status, 303, "{html}");
    assert_eq!(location, page);
    let r = app
        .as_staff(Method::GET, &page, &officer)
        .send()
        .await
        .expect("page");
    let html = r.text().await.expect("html");
    assert!(html.contains("Lampiran ditambahkan."), "{html}");
    let table = &html[html.find("table class=\"attachments\"").expect("list")..];
    let table = &table[..table.find("</table>").expect("end")];
    assert!(table.contains("<td>PDF</td>"), "{table}");
    assert!(table.contains("2 KiB"), "{table}");
    assert!(table.contains("<td>petugas</td>"), "{table}");
    assert!(table.contains("30-11-2026 09:00"), "{table}");
    assert!(table.contains("Unduh"), "{table}");
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");

    // A file that is no scan, a file over the limit: the page again, with the reason.
    let (status, _, html) =
        console_upload(&app, &officer, seq, b"MZ\x90\x00 program", "foto.jpg").await;
    assert_eq!(status, 415, "{html}");
    assert!(
        html.contains("Lampiran harus berupa PDF, JPEG atau PNG."),
        "{html}"
    );
    let (status, _, html) = console_upload(
        &app,
        &officer,
        seq,
        &pdf(MAX_KIB as usize * 1024 + 10),
        "besar.pdf",
    )
    .await;
    assert_eq!(status, 413, "{html}");
    assert!(html.contains("Lampiran terlalu besar"), "{html}");
    let (status, _, html) = console_upload(&app, &officer, seq, b"", "").await;
    assert_eq!(status, 422, "{html}");
    let c = app.state().store.complaint(seq).await.expect("complaint");
    assert_eq!(c.attachments.len(), 1);
    assert_eq!(files_in(&tmp.path().join("attachments")).len(), 1);

    // Another role sees the list, no upload form and no download link; its post is refused.
    let r = app
        .as_staff(Method::GET, &page, &kasi)
        .send()
        .await
        .expect("page");
    let html = r.text().await.expect("html");
    assert!(html.contains("<td>PDF</td>"), "{html}");
    assert!(!html.contains("multipart/form-data"), "{html}");
    assert!(!html.contains("Unduh"), "{html}");
    let (status, _, _) = console_upload(&app, &kasi, seq, &png(), "foto.png").await;
    assert_eq!(status, 403);
    app.stop().await;
}

#[tokio::test]
async fn a_backup_carries_the_files_and_a_restore_into_a_fresh_box_serves_them_byte_identical() {
    let tmp = tempfile::tempdir().expect("tmp");
    let app = spawn_in(tmp.path()).await;
    let officer = app.staff("petugas", &[Role::ComplaintOfficer]).await;
    let seq = open_complaint(&app, "petugas").await;
    let letter = pdf(5000);
    let (status, c) = upload(&app, &officer, seq, letter.clone()).await;
    assert_eq!(status, 201, "{c}");
    let sha = c["attachments"][0]["sha256"]
        .as_str()
        .expect("sha")
        .to_string();
    let (status, _) = upload(&app, &officer, seq, png()).await;
    assert_eq!(status, 201);
    app.stop().await;
    let data = &tmp;

    let copies = tempfile::tempdir().expect("copies");
    let file = copies.path().join("loket-backup.redb");
    let said = loket::backup_cli::backup(&file, data.path()).expect("backup");
    assert!(said.contains("2 attachment files"), "{said}");
    let summary = loket::store::backup::verify(&file).expect("verify");
    assert_eq!(summary.attachments, 2);

    // A fresh box: nothing but the backup.
    let fresh = tempfile::tempdir().expect("fresh");
    let said = loket::backup_cli::restore(&file, fresh.path()).expect("restore");
    assert!(said.contains("2 attachment files"), "{said}");
    assert_eq!(files_in(&fresh.path().join("attachments")).len(), 2);
    let app = spawn_in(fresh.path()).await;
    let officer = app.staff("petugas2", &[Role::ComplaintOfficer]).await;
    let r = app
        .as_staff(
            Method::GET,
            &format!("/api/v1/complaints/{seq}/attachments/{sha}"),
            &officer,
        )
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.bytes().await.expect("bytes").to_vec(), letter);
    app.stop().await;
    // The restored database does not keep a second copy of the scans.
    {
        let db =
            redb::ReadOnlyDatabase::open(fresh.path().join(loket::app::DB_FILE)).expect("open");
        let txn = redb::ReadableDatabase::begin_read(&db).expect("read");
        assert!(
            txn.open_table(loket::store::backup::BACKUP_ATTACHMENTS)
                .is_err()
        );
    }

    // A backup made by an earlier release carries no files: restoring it on this box leaves
    // the scans here where they are, not moved aside out of reach.
    let old = copies.path().join("v2.redb");
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/db/v2.redb"),
        &old,
    )
    .expect("fixture");
    loket::backup_cli::restore(&old, fresh.path()).expect("restore the old backup");
    assert_eq!(
        files_in(&fresh.path().join("attachments")).len(),
        2,
        "the box's scans stay in place"
    );
}

#[tokio::test]
async fn a_backup_whose_bytes_do_not_match_their_hash_fails_verify_and_is_not_restored() {
    let tmp = tempfile::tempdir().expect("tmp");
    let app = spawn_in(tmp.path()).await;
    let officer = app.staff("petugas", &[Role::ComplaintOfficer]).await;
    let seq = open_complaint(&app, "petugas").await;
    let (status, c) = upload(&app, &officer, seq, pdf(100)).await;
    assert_eq!(status, 201, "{c}");
    let sha = c["attachments"][0]["sha256"]
        .as_str()
        .expect("sha")
        .to_string();
    app.stop().await;
    let data = &tmp;
    let copies = tempfile::tempdir().expect("copies");
    let file = copies.path().join("loket-backup.redb");
    loket::backup_cli::backup(&file, data.path()).expect("backup");

    // One byte of the scan changed inside the backup.
    {
        let db = redb::Database::open(&file).expect("open");
        let txn = db.begin_write().expect("write");
        {
            let mut t = txn
                .open_table(loket::store::backup::BACKUP_ATTACHMENTS)
                .expect("table");
            let mut forged = pdf(100);
            forged[20] ^= 1;
            t.insert(sha.as_str(), forged.as_slice()).expect("insert");
        }
        txn.commit().expect("commit");
    }
    let e = loket::store::backup::verify(&file).expect_err("refused");
    assert!(e.to_string().contains(&sha), "{e}");
    let fresh = tempfile::tempdir().expect("fresh");
    loket::backup_cli::restore(&file, fresh.path()).expect_err("not restored");
    assert!(!fresh.path().join(loket::app::DB_FILE).exists());
    assert!(files_in(&fresh.path().join("attachments")).is_empty());
}

#[tokio::test]
async fn files_nothing_names_are_removed_when_the_store_opens() {
    let tmp = tempfile::tempdir().expect("tmp");
    let app = spawn_in(tmp.path()).await;
    let officer = app.staff("petugas", &[Role::ComplaintOfficer]).await;
    let seq = open_complaint(&app, "petugas").await;
    let (status, c) = upload(&app, &officer, seq, pdf(100)).await;
    assert_eq!(status, 201, "{c}");
    app.stop().await;

    // What a crash leaves: a purged file not yet deleted, a file stored for an upload that
    // never committed, a partial write.
    let dir = tmp.path().join("attachments");
    let kept = files_in(&dir);
    assert_eq!(kept.len(), 1);
    let orphan_hash = "ab".repeat(32);
    std::fs::create_dir_all(dir.join("ab")).expect("shard");
    std::fs::write(dir.join("ab").join(format!("{orphan_hash}.pdf")), pdf(7)).expect("orphan");
    let shard = kept[0].parent().expect("shard").to_path_buf();
    std::fs::write(shard.join(".0123.0.partial"), b"%PDF-").expect("partial");
    assert_eq!(files_in(&dir).len(), 3);

    let app = spawn_in(tmp.path()).await;
    assert_eq!(files_in(&dir), kept, "only the named file is left");
    let officer = app.staff("petugas2", &[Role::ComplaintOfficer]).await;
    let sha = c["attachments"][0]["sha256"].as_str().expect("sha");
    let r = app
        .as_staff(
            Method::GET,
            &format!("/api/v1/complaints/{seq}/attachments/{sha}"),
            &officer,
        )
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 200);
    app.stop().await;
}
