//! The edges of the API and the pages a hostile or careless client finds: every refusal in
//! the caller's language and shape (JSON on the API, an Indonesian page on pages), nothing
//! taken as JSON that is not plain UTF-8 JSON, no refusal eating the kiosk's allowance, no
//! server detail on the public health check, no template text smuggled in by configuration.

mod common;

use std::sync::Arc;

use common::{TestApp, monday_morning, test_config};
use loket::clock::FakeClock;
use serde_json::{Value, json};

async fn get_raw(app: &TestApp, path: &str) -> (u16, String, String) {
    let r = app.client.get(app.url(path)).send().await.expect("request");
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, ct, r.text().await.expect("body"))
}

fn api_error(body: &str, code: &str) {
    let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(v["error"]["code"], code, "{body}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

#[tokio::test]
async fn bad_paths_and_queries_are_answered_in_the_api_shape() {
    let app = TestApp::spawn().await;
    let (s, ct, body) = get_raw(&app, "/api/v1/tickets/%ff").await;
    assert_eq!((s, ct.as_str()), (400, "application/json"), "{body}");
    api_error(&body, "invalid_path");

    // `since` is a sequence number: a negative one is refused at once, not streamed.
    let (s, ct, body) = get_raw(&app, "/api/v1/events?since=-1").await;
    assert_eq!((s, ct.as_str()), (400, "application/json"), "{body}");
    api_error(&body, "invalid_query");

    // `+1` and ` 1` are not ticket 1 (u64's parser takes a leading `+`).
    let t = app.issue("A", false).await;
    assert_eq!(t["id"], 1, "{t}");
    for path in [
        "/api/v1/tickets/+1",
        "/api/v1/tickets/%201",
        "/api/v1/tickets/1.0",
    ] {
        let (s, _, body) = get_raw(&app, path).await;
        assert_eq!(s, 404, "{path}: {body}");
        api_error(&body, "not_found");
    }
    let (s, _, _) = get_raw(&app, "/api/v1/tickets/1").await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn bad_paths_on_pages_get_an_indonesian_page() {
    let app = TestApp::spawn().await;
    for path in ["/t/%ff", "/lacak/%ff"] {
        let (s, ct, body) = get_raw(&app, path).await;
        assert!(s == 400 || s == 404, "{path}: {s}");
        assert!(ct.starts_with("text/html"), "{path}: {ct}");
        assert!(
            body.contains("tidak valid") || body.contains("tidak ditemukan"),
            "{path}: {body}"
        );
    }
}

#[tokio::test]
async fn only_plain_utf8_json_is_read_as_json() {
    let app = TestApp::spawn().await;
    let before = app.health().await["store"]["event_seq"].clone();
    for ct in [
        "application/problem+json",
        "application/json; charset=utf-16",
        "application/vnd.api+json",
        "text/json",
    ] {
        let r = app
            .client
            .post(app.url("/api/v1/tickets"))
            .header("content-type", ct)
            .body(r#"{"service":"A"}"#)
            .send()
            .await
            .expect("request");
        assert_eq!(r.status().as_u16(), 415, "{ct}");
        api_error(&r.text().await.expect("body"), "unsupported_media_type");
    }
    assert_eq!(app.health().await["store"]["event_seq"], before);
    for ct in ["application/json", "application/json; charset=UTF-8"] {
        let r = app
            .client
            .post(app.url("/api/v1/tickets"))
            .header("content-type", ct)
            .body(r#"{"service":"A"}"#)
            .send()
            .await
            .expect("request");
        assert_eq!(r.status().as_u16(), 201, "{ct}");
    }
}

#[tokio::test]
async fn a_request_for_no_service_uses_none_of_the_kiosk_allowance() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut config = test_config();
    config.kiosk.max_tickets_per_minute = 3;
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let app = TestApp::spawn_in(tmp.path(), clock, config).await;
    for _ in 0..10 {
        let (s, b) = app.issue_raw(json!({"service": "Z"})).await;
        assert_eq!(s, 422, "{b}");
    }
    let (s, b) = app.issue_raw(json!({"service": "A"})).await;
    assert_eq!(s, 201, "a mistyped request took the allowance: {b}");
    // The limit itself still holds for real tickets: a burst of two (half a minute's three).
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(app.issue_raw(json!({"service": "A"})).await.0);
    }
    assert_eq!(statuses, [201, 429, 429]);
}

#[tokio::test]
async fn the_public_health_check_shows_no_file_paths() {
    let app = TestApp::spawn().await;
    let (s, _, body) = get_raw(&app, "/healthz").await;
    assert_eq!(s, 200);
    let data_dir = app.data_dir.display().to_string();
    assert!(!body.contains(&data_dir), "{body}");
    assert!(!body.contains("loket.redb"), "{body}");
    let v: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["store"]["status"], "ok");
}

#[tokio::test]
async fn an_office_name_is_text_not_template() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut config = test_config();
    config.office.name = "Kantor {{js}} {{ css|safe }} <script>alert(1)</script>".to_string();
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let app = TestApp::spawn_in(tmp.path(), clock, config).await;
    for path in ["/display", "/kiosk", "/lacak", "/login"] {
        let (s, _, body) = get_raw(&app, path).await;
        assert_eq!(s, 200, "{path}");
        assert!(
            body.contains("Kantor {{js}} {{ css|safe }} &#60;script&#62;alert(1)&#60;/script&#62;")
                || body
                    .contains("Kantor {{js}} {{ css|safe }} &lt;script&gt;alert(1)&lt;/script&gt;"),
            "{path}: the office name is not shown as typed"
        );
        assert!(!body.contains("<script>alert(1)"), "{path}");
    }
    // The display's own script appears once: the name did not pull it in again.
    let (_, _, body) = get_raw(&app, "/display").await;
    assert_eq!(body.matches("<script>").count(), 1, "{body}");
}
