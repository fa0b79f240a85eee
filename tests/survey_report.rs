//! The survey report against responses whose figures are worked out by hand: the real daemon
//! with its fake clock, six visits issued, called, served and finished over HTTP, four of
//! them answered through the store's `survey_submit` (the call the phone and tablet pages
//! make), then the page, the CSV, the XLSX (read back with calamine) and the PDF (read back
//! with pdftotext) fetched as the office head would; the lobby display with the option off
//! (the default) and on.
//!
//! The answers (U1–U9 in the questionnaire's order; the regulation's weight 0.111, so
//! IKM = Σ NRR × 2.775):
//!
//! ```text
//!          U1 U2 U3 U4 U5 U6 U7 U8 U9   Σ   service          counter
//! R1        4  4  3  4  4  3  4  4  3   33  B KTP-el         2
//! R2        4  3  3  4  4  3  4  3  3   31  B KTP-el         2
//! R3        3  3  3  4  4  3  3  3  3   29  C Kartu Keluarga 2
//! R4        3  3  3  3  4  2  3  3  3   27  C Kartu Keluarga 3
//! total    14 13 12 15 16 11 14 13 12  120
//! NRR    3.50 3.25 3.00 3.75 4.00 2.75 3.50 3.25 3.00  Σ 30 → 83.25, B (Baik)
//! ```
//!
//! KTP-el: 64/2 = 32 → 88.80 A; Kartu Keluarga: 56/2 = 28 → 77.70 B. Counter 2 (R1–R3):
//! 93/3 = 31 → 86.025 → 86.03 B; counter 3 (R4): 27 → 74.925 → 74.93 C. Visits served: six
//! (KTP-el 3, Kartu Keluarga 2, Akta Kelahiran 1); Krejcie & Morgan for 6: 3.841 × 6 × 0.25 /
//! (0.0025 × 5 + 0.96025) = 5.92 → 6, so four respondents are two short.

mod common;

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use common::{StaffSession, TestApp, test_config, wib};
use loket::auth::Role;
use loket::survey::response::{Answers, Channel};

const ELEMENTS: [&str; 9] = [
    "persyaratan",
    "prosedur",
    "waktu",
    "biaya",
    "produk",
    "kompetensi",
    "perilaku",
    "pengaduan",
    "sarana",
];

/// A suggestion with markup: shown as text on the page, never as markup.
const MARKUP: &str = "<script>alert(1)</script> Antrean rapi & \"cepat\"";

/// Issue a ticket in `service`, call it at `counter`, serve and finish it; its id.
async fn visit(app: &TestApp, minute: u32, service: &str, counter: u32) -> u64 {
    app.clock.set(wib(2026, 11, 30, 9, minute));
    let t = app.issue(service, false).await;
    let id = t["id"].as_u64().expect("id");
    app.clock.set(wib(2026, 11, 30, 9, minute + 1));
    assert_eq!(
        app.call_next(counter).await,
        t["number"].as_str().map(String::from)
    );
    for op in ["serve", "finish"] {
        let (status, body) = app.op(counter, op, None).await;
        assert_eq!(status, 200, "{op}: {body}");
    }
    id
}

async fn answer(app: &TestApp, id: u64, scores: [u8; 9], sex: Option<&str>, suggestion: &str) {
    let answers = Answers {
        profile: sex
            .map(|s| BTreeMap::from([("jenis_kelamin".to_string(), s.to_string())]))
            .unwrap_or_default(),
        scores: ELEMENTS
            .iter()
            .zip(scores)
            .map(|(e, s)| (e.to_string(), s))
            .collect(),
        suggestion: suggestion.to_string(),
    };
    app.state()
        .store
        .survey_submit(id, answers, Channel::Phone)
        .await
        .expect("response recorded");
}

async fn seed(app: &TestApp) {
    let r1 = visit(app, 0, "B", 2).await;
    let r2 = visit(app, 5, "B", 2).await;
    let r3 = visit(app, 10, "C", 2).await;
    let r4 = visit(app, 15, "C", 3).await;
    visit(app, 20, "B", 3).await;
    visit(app, 25, "D", 4).await;
    answer(
        app,
        r1,
        [4, 4, 3, 4, 4, 3, 4, 4, 3],
        Some("Perempuan"),
        "Ruang tunggu panas.",
    )
    .await;
    answer(app, r2, [4, 3, 3, 4, 4, 3, 4, 3, 3], Some("Laki-laki"), "").await;
    answer(
        app,
        r3,
        [3, 3, 3, 4, 4, 3, 3, 3, 3],
        Some("Perempuan"),
        MARKUP,
    )
    .await;
    answer(app, r4, [3, 3, 3, 3, 4, 2, 3, 3, 3], None, "").await;
}

async fn fetch(app: &TestApp, who: &StaffSession, path: &str) -> (u16, String, Vec<u8>) {
    let r = app
        .as_staff(reqwest::Method::GET, path, who)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    let kind = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, kind, r.bytes().await.expect("body").to_vec())
}

/// A sheet's rows as text; numbers as Rust prints the f64 (2.75, 88.8).
fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("an XLSX workbook");
    let range = book.worksheet_range(name).expect("sheet");
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => i.to_string(),
                    Data::Empty => String::new(),
                    other => format!("{other:?}"),
                })
                .collect()
        })
        .collect()
}

fn pdf_text(bytes: &[u8], dir: &std::path::Path) -> String {
    let path = dir.join("survei.pdf");
    std::fs::write(&path, bytes).expect("write pdf");
    let out = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The daemon with every service's and counter's figure shown: the hand-worked groups have
/// one to three respondents (the shipped rule hides those under five; its own test below).
async fn spawn_showing_every_group() -> (TestApp, tempfile::TempDir) {
    let tmp = tempfile::tempdir().expect("dir");
    let clock = std::sync::Arc::new(loket::clock::FakeClock::new(wib(2026, 11, 30, 9, 0)));
    let mut config = test_config();
    config.survey.min_group_respondents = 1;
    (TestApp::spawn_in(tmp.path(), clock, config).await, tmp)
}

#[tokio::test]
async fn the_report_shows_the_hand_worked_index_in_the_page_and_every_file() {
    let (app, _tmp) = spawn_showing_every_group().await;
    seed(&app).await;
    let head = app.staff("kepala", &[Role::KepalaDinas]).await;

    // The page: this quarter by default (today is 30 November 2026).
    let (status, _, html) = fetch(&app, &head, "/console/survei").await;
    assert_eq!(status, 200);
    let html = String::from_utf8(html).expect("utf-8");
    assert!(html.contains("IKM Triwulan IV 2026"), "{html}");
    assert!(html.contains("83,25 — B (Baik)"), "{html}");
    assert!(html.contains("<dt>Responden</dt><dd>4</dd>"), "{html}");
    assert!(
        html.contains("<dd>6 <small>dari 6 kunjungan dilayani"),
        "{html}"
    );
    assert!(html.contains("kurang 2"), "{html}");
    assert!(html.contains("<svg"), "the chart");
    // Weakest first: U6 Kompetensi (2,750, 68,75 C) heads the elements' table, U5 ends it.
    let table = &html[html
        .find("<h2>Nilai per unsur (terendah di atas)</h2>")
        .expect("elements")..];
    let body = &table[table.find("<tbody>").expect("body")..];
    let first = &body[..body.find("</tr>").expect("row")];
    assert!(
        first.contains(
            "<td>U6</td><td>Kompetensi Pelaksana</td><td class=\"n\">4</td><td class=\"n\">11</td>\
             <td class=\"n\">2,750</td><td class=\"n\">0,305</td><td class=\"n\">68,75</td><td>C</td>"
        ),
        "{first}"
    );
    let u5 = table.find("<td>U5</td>").expect("U5");
    let u3 = table.find("<td>U3</td>").expect("U3");
    assert!(u3 < u5, "weaker U3 (3,000) before U5 (4,000)");
    assert!(table.contains("<td class=\"n\">2,750</td>"), "{table}");
    assert!(table.contains("<td class=\"n\">68,75</td>"), "{table}");
    // Per service and per counter.
    assert!(html.contains("<td>KTP-el</td><td class=\"n\">3</td><td class=\"n\">2</td>"));
    assert!(html.contains("<td class=\"n\">88,80</td><td>A (Sangat Baik)</td>"));
    assert!(html.contains("<td class=\"n\">77,70</td><td>B (Baik)</td>"));
    assert!(html.contains(
        "<td>Loket 2</td><td>KTP-el, Kartu Keluarga</td><td class=\"n\">3</td><td class=\"n\">86,03</td><td>B (Baik)</td>"
    ));
    assert!(html.contains("<td class=\"n\">74,93</td><td>C (Kurang Baik)</td>"));
    assert!(!html.contains("id=\"few-respondents\""), "nothing hidden");
    // Profile counts; suggestions escaped, anonymous, newest first.
    let sex = &html[html
        .find("<caption>Jenis kelamin</caption>")
        .expect("profile")..];
    let sex = &sex[..sex.find("</table>").expect("table end")];
    assert!(sex.contains("<td>Perempuan</td><td class=\"n\">2</td><td class=\"n\">50,0%</td>"));
    assert!(sex.contains("<td>Tidak diisi</td><td class=\"n\">1</td><td class=\"n\">25,0%</td>"));
    assert!(!html.contains("<script>alert(1)"), "markup escaped");
    assert!(
        html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{html}"
    );
    assert!(html.contains("tanpa nama"));
    assert!(html.contains("Laporan antrean</a>"), "{html}");
    assert!(!html.contains("antrian"), "{html}");
    // A suggestion carries its month, not its day.
    assert!(
        html.contains("<span class=\"meta\">November 2026 · Kartu Keluarga</span>"),
        "{html}"
    );
    assert!(!html.contains("30/11/2026"), "no day: {html}");
    // The same figures for the month; none in October.
    let (_, _, nov) = fetch(&app, &head, "/console/survei?periode=2026-11").await;
    assert!(
        String::from_utf8(nov)
            .expect("utf-8")
            .contains("83,25 — B (Baik)")
    );
    let (_, _, oct) = fetch(&app, &head, "/console/survei?periode=2026-10").await;
    let oct = String::from_utf8(oct).expect("utf-8");
    assert!(oct.contains("Belum ada jawaban survei"), "{oct}");
    assert!(!oct.contains("<svg"));

    // CSV: the tables one under another, decimals with a point.
    let (status, kind, csv) =
        fetch(&app, &head, "/console/survei?periode=2026-T4&format=csv").await;
    assert_eq!((status, kind.as_str()), (200, "text/csv; charset=utf-8"));
    let csv = String::from_utf8(csv).expect("utf-8");
    assert!(csv.contains("IKM,\"83,25\""), "{csv}");
    assert!(
        csv.contains("U6,Kompetensi Pelaksana,4,11,2.750,0.305,68.75,C"),
        "{csv}"
    );

    // XLSX, read back.
    let (status, _, xlsx) = fetch(&app, &head, "/console/survei?periode=2026-T4&format=xlsx").await;
    assert_eq!(status, 200);
    let summary = sheet(&xlsx, "Ringkasan");
    assert!(summary.contains(&vec!["IKM".to_string(), "83,25".to_string()]));
    assert!(summary.contains(&vec![
        "Sampel minimal (Krejcie-Morgan)".to_string(),
        "6".to_string()
    ]));
    let elements = sheet(&xlsx, "Nilai per unsur");
    assert_eq!(
        elements[6],
        [
            "U6",
            "Kompetensi Pelaksana",
            "4",
            "11",
            "2.75",
            "0.305",
            "68.75",
            "C"
        ]
    );
    assert_eq!(
        elements[1],
        ["U1", "Persyaratan", "4", "14", "3.5", "0.389", "87.5", "B"]
    );
    let services = sheet(&xlsx, "Per layanan");
    assert_eq!(
        services[2],
        ["Kartu Keluarga", "2", "2", "2", "77.7", "B (Baik)"]
    );
    let suggestions = sheet(&xlsx, "Saran");
    assert_eq!(suggestions.len(), 3, "{suggestions:?}");
    assert!(suggestions.iter().any(|r| r[2] == MARKUP));
    assert_eq!(suggestions[0][0], "Bulan");
    assert!(
        suggestions[1..].iter().all(|r| r[0] == "November 2026"),
        "{suggestions:?}"
    );

    // The PDF, as offices publish it.
    let (status, kind, pdf) =
        fetch(&app, &head, "/console/survei?periode=2026-T4&format=pdf").await;
    assert_eq!((status, kind.as_str()), (200, "application/pdf"));
    let tmp = tempfile::tempdir().expect("dir");
    let text = pdf_text(&pdf, tmp.path());
    for want in [
        "LAPORAN HASIL SURVEI KEPUASAN MASYARAKAT",
        "Periode Triwulan IV 2026",
        "Peraturan Menteri PANRB Nomor 14 Tahun 2017",
        "Kompetensi Pelaksana",
        "2,750",
        "0,305",
        "83,25",
        "mutu pelayanan B, kinerja unit",
        "88,31 – 100,00",
        "Tercatat 2 saran tertulis",
        "NAMA KEPALA DINAS",
    ] {
        assert!(text.contains(want), "{want} missing:\n{text}");
    }
    // The suggestions' text is not published: free text may hold a name, a phone number or
    // a NIK. (pdftotext keeps words; a line break may fall anywhere in a sentence.)
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("melalui konsol loket"), "{text}");
    assert!(words.contains("kode QR pada tiket antrean"), "{text}");
    // Under the rounded weighted NRRs (adding up to 3,331) the exact sum, then the index.
    assert!(words.contains("Jumlah NRR tertimbang 3,3300"), "{text}");
    for never in ["Ruang tunggu panas", "alert(1)", "Antrean rapi", "cepat\""] {
        assert!(!words.contains(never), "{never} published:\n{text}");
    }
    app.stop().await;
}

/// With the shipped rule (five), the seeded services and counters (one to three
/// respondents each) show their respondents but no index or grade, and the page, the
/// workbook and the PDF say why; the office's index is shown as ever.
#[tokio::test]
async fn services_and_counters_under_five_respondents_show_no_index() {
    let app = TestApp::spawn().await;
    assert_eq!(app.state().config.survey.min_group_respondents, 5);
    seed(&app).await;
    let head = app.staff("kepala", &[Role::KepalaDinas]).await;
    let (_, _, html) = fetch(&app, &head, "/console/survei").await;
    let html = String::from_utf8(html).expect("utf-8");
    assert!(html.contains("83,25 — B (Baik)"), "{html}");
    assert!(
        html.contains("<td>KTP-el</td><td class=\"n\">3</td><td class=\"n\">2</td><td class=\"n\">3</td><td class=\"n\">—</td><td>—</td>"),
        "{html}"
    );
    assert!(
        html.contains("<td>Loket 2</td><td>KTP-el, Kartu Keluarga</td><td class=\"n\">3</td><td class=\"n\">—</td><td>—</td>"),
        "{html}"
    );
    for hidden in ["88,80", "77,70", "86,03", "74,93"] {
        assert!(!html.contains(hidden), "{hidden} shown: {html}");
    }
    assert!(html.contains("id=\"few-respondents\""), "{html}");
    assert!(html.contains("paling sedikit 5"), "{html}");
    let (_, _, xlsx) = fetch(&app, &head, "/console/survei?periode=2026-T4&format=xlsx").await;
    let services = sheet(&xlsx, "Per layanan");
    assert_eq!(services[1][0], "KTP-el");
    assert_eq!(services[1][4], "", "{services:?}");
    let summary = sheet(&xlsx, "Ringkasan");
    assert!(summary.contains(&vec![
        "IKM per layanan dan per loket".to_string(),
        "bila responden paling sedikit 5".to_string()
    ]));
    let (_, _, pdf) = fetch(&app, &head, "/console/survei?periode=2026-T4&format=pdf").await;
    let tmp = tempfile::tempdir().expect("dir");
    let text = pdf_text(&pdf, tmp.path());
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("respondennya paling sedikit 5"), "{text}");
    assert!(!words.contains("88,80"), "{text}");
    app.stop().await;
}

#[tokio::test]
async fn bad_periods_are_refused_and_only_the_office_head_and_admin_read() {
    let app = TestApp::spawn().await;
    let head = app.staff("kepala", &[Role::KepalaDinas]).await;
    for (query, says) in [
        ("periode=2026-T5", "tidak dikenal"),
        ("periode=2026-13", "tidak dikenal"),
        ("periode=kemarin", "tidak dikenal"),
        ("format=doc", "pilih csv, xlsx atau pdf"),
    ] {
        let (status, _, body) = fetch(&app, &head, &format!("/console/survei?{query}")).await;
        assert_eq!(status, 400, "{query}");
        let body = String::from_utf8(body).expect("utf-8");
        assert!(body.contains(says), "{query}: {body}");
    }
    let operator = app.operator.clone();
    let (status, _, _) = fetch(&app, &operator, "/console/survei").await;
    assert_eq!(status, 403);
    let officer = app.staff("petugas", &[Role::ComplaintOfficer]).await;
    let (status, _, _) = fetch(&app, &officer, "/console/survei").await;
    assert_eq!(status, 403);
    let admin = app.staff("admin", &[Role::Admin]).await;
    let (status, _, _) = fetch(&app, &admin, "/console/survei").await;
    assert_eq!(status, 200);
    app.stop().await;
}

#[tokio::test]
async fn the_display_shows_the_index_only_when_the_office_turns_it_on() {
    let tmp = tempfile::tempdir().expect("dir");
    let clock = std::sync::Arc::new(loket::clock::FakeClock::new(wib(2026, 11, 30, 9, 0)));
    let app = TestApp::spawn_in(tmp.path(), clock.clone(), test_config()).await;
    seed(&app).await;
    let page = |app: &TestApp| {
        let url = app.url("/display");
        let client = app.client.clone();
        async move {
            let r = client.get(url).send().await.expect("request");
            assert_eq!(r.status().as_u16(), 200);
            r.text().await.expect("body")
        }
    };
    let off = page(&app).await;
    assert!(!off.contains("Indeks Kepuasan"), "off by default");
    app.stop().await;

    // On, with the shipped minimum of 30 respondents: four are too few to show.
    let mut on = test_config();
    on.survey.show_on_display = true;
    assert_eq!(on.survey.display_min_respondents, 30);
    let app = TestApp::spawn_in(tmp.path(), clock.clone(), on.clone()).await;
    let few = page(&app).await;
    assert!(!few.contains("Indeks Kepuasan"), "{few}");
    app.stop().await;

    on.survey.display_min_respondents = 4;
    let app = TestApp::spawn_in(tmp.path(), clock.clone(), on).await;
    let shown = page(&app).await;
    assert!(
        shown.contains("<span>Indeks Kepuasan Masyarakat</span><strong>83,25 · B (Baik)</strong>"),
        "{shown}"
    );
    // This month and the two before.
    assert!(shown.contains("sejak Sep 2026"), "{shown}");
    assert!(shown.contains("since Sep 2026"), "{shown}");
    // On the last day of January November is still in; on the first of February it has
    // left the window (December to February): nothing is shown.
    app.walk_clock_to(wib(2027, 1, 31, 9, 0)).await;
    assert!(page(&app).await.contains("sejak Nov 2026"));
    app.walk_clock_to(wib(2027, 2, 1, 9, 0)).await;
    let later = page(&app).await;
    assert!(!later.contains("Indeks Kepuasan"), "{later}");
    app.stop().await;
}

/// `/display` is public and the index is read from three months of responses: it is computed
/// at most every ten minutes (the app's clock), so a client looping on the page makes one
/// read. A response sent meanwhile shows at the next computation, not before.
#[tokio::test]
async fn the_display_reuses_its_index_for_ten_minutes() {
    let tmp = tempfile::tempdir().expect("dir");
    let clock = std::sync::Arc::new(loket::clock::FakeClock::new(wib(2026, 11, 30, 9, 0)));
    let mut on = test_config();
    on.survey.show_on_display = true;
    on.survey.display_min_respondents = 1;
    let app = TestApp::spawn_in(tmp.path(), clock.clone(), on).await;
    let first = visit(&app, 0, "B", 2).await;
    let second = visit(&app, 5, "B", 2).await;
    answer(&app, first, [4; 9], None, "").await;
    let page = || async {
        let r = app
            .client
            .get(app.url("/display"))
            .send()
            .await
            .expect("request");
        assert_eq!(r.status().as_u16(), 200);
        r.text().await.expect("body")
    };
    let all_fours = "<strong>99,90 · A (Sangat Baik)</strong>";
    assert!(page().await.contains(all_fours));
    // All ones now: the index would fall to (4 + 1) / 2 = 2.5 → 62,44 D.
    answer(&app, second, [1; 9], None, "").await;
    for _ in 0..20 {
        assert!(page().await.contains(all_fours), "the cached index");
    }
    app.clock.advance(chrono::Duration::minutes(9));
    assert!(page().await.contains(all_fours), "nine minutes on");
    app.clock.advance(chrono::Duration::minutes(1));
    let fresh = page().await;
    assert!(
        fresh.contains("<strong>62,44 · D (Tidak Baik)</strong>"),
        "{fresh}"
    );
    app.stop().await;
}
