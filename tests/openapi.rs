//! `GET /api/v1/openapi.json` against the daemon it describes: the document lists exactly
//! the routes of the route table, its schemas are the real shapes, and real answers (success
//! and refusal, from a running daemon over HTTP) fit what it declares for them.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use common::{StaffSession, TestApp, monday_morning, test_config, wib};
use loket::auth::Role;
use loket::clock::FakeClock;
use loket::web::{Access, routes};
use reqwest::Method;
use serde_json::{Value, json};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

async fn fetch_document(app: &TestApp) -> Value {
    let r = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(ct.starts_with("application/json"), "{ct}");
    r.json().await.expect("the document is JSON")
}

/// Every operation of the document as (METHOD, path).
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for m in METHODS {
            if item.get(m).is_some() {
                ops.insert((m.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

fn operation<'a>(doc: &'a Value, method: &str, path: &str) -> &'a Value {
    let op = &doc["paths"][path][method.to_lowercase()];
    assert!(op.is_object(), "{method} {path} is not in the document");
    op
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let target = doc
                .pointer(r.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("dangling $ref {r}"));
            resolve(doc, target)
        }
        None => schema,
    }
}

/// The named examples of one error response: the codes it declares.
fn documented_codes(doc: &Value, method: &str, path: &str, status: u16) -> BTreeSet<String> {
    operation(doc, method, path)["responses"][status.to_string()]["content"]["application/json"]
        ["examples"]
        .as_object()
        .map(|e| e.keys().cloned().collect())
        .unwrap_or_default()
}

/// Checks `value` against `schema` as far as this document uses JSON Schema: `$ref`, `allOf`,
/// `oneOf`, `type` (one or several), `enum`, `required`, `properties`, `items`, `minimum` and
/// the date formats. `closed`: the value may carry no property the schema does not name, so
/// a field added to a response without the document fails here.
fn validate(doc: &Value, schema: &Value, value: &Value, closed: bool) -> Result<(), String> {
    let schema = resolve(doc, schema);
    if let Some(branches) = schema.get("allOf").and_then(Value::as_array) {
        for b in branches {
            validate(doc, b, value, false)?;
        }
        if closed && let Some(obj) = value.as_object() {
            let known = known_keys(doc, schema, value);
            let extra: Vec<&String> = obj.keys().filter(|k| !known.contains(*k)).collect();
            if !extra.is_empty() {
                return Err(format!("undocumented {extra:?} in {value}"));
            }
        }
        return Ok(());
    }
    if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
        let fits = branches
            .iter()
            .filter(|b| validate(doc, b, value, closed).is_ok())
            .count();
        return match fits {
            1 => Ok(()),
            n => Err(format!("{value} fits {n} of the oneOf branches, not one")),
        };
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        return Err(format!("{value} is not one of {allowed:?}"));
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let fits = types.iter().any(|t| match *t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            _ => false,
        });
        if !fits {
            return Err(format!("{value} is not of type {types:?}"));
        }
    }
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
        && value.as_f64().is_some_and(|v| v < min)
    {
        return Err(format!("{value} below {min}"));
    }
    if let Some(s) = value.as_str() {
        match schema.get("format").and_then(Value::as_str) {
            Some("date-time") if chrono::DateTime::parse_from_rfc3339(s).is_err() => {
                return Err(format!("{s:?} is not RFC 3339"));
            }
            Some("date") if s.parse::<chrono::NaiveDate>().is_err() => {
                return Err(format!("{s:?} is not a date"));
            }
            _ => {}
        }
    }
    if let Some(obj) = value.as_object() {
        let props = schema.get("properties").and_then(Value::as_object);
        for r in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let r = r.as_str().unwrap_or_default();
            if !obj.contains_key(r) {
                return Err(format!("required `{r}` missing in {value}"));
            }
        }
        for (k, v) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(s) => validate(doc, s, v, true).map_err(|e| format!("{k}: {e}"))?,
                None if closed && props.is_some() => {
                    return Err(format!("undocumented `{k}` in {value}"));
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), value.as_array()) {
        for (i, v) in arr.iter().enumerate() {
            validate(doc, items, v, true).map_err(|e| format!("[{i}]: {e}"))?;
        }
    }
    Ok(())
}

/// The property names a (composed) schema allows for this value.
fn known_keys(doc: &Value, schema: &Value, value: &Value) -> BTreeSet<String> {
    let schema = resolve(doc, schema);
    let mut keys: BTreeSet<String> = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for b in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        keys.extend(known_keys(doc, b, value));
    }
    for b in schema
        .get("oneOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if validate(doc, b, value, false).is_ok() {
            keys.extend(known_keys(doc, b, value));
        }
    }
    keys
}

/// A real answer fits the document: its status is declared for the operation, a JSON body
/// fits the declared schema, and an error's code is one the operation names for that status.
fn assert_fits(doc: &Value, method: &str, path: &str, status: u16, body: &Value) {
    let op = operation(doc, method, path);
    let response = &op["responses"][status.to_string()];
    assert!(
        response.is_object(),
        "{method} {path} answered {status}, which the document does not declare: {body}"
    );
    let schema = &response["content"]["application/json"]["schema"];
    assert!(
        schema.is_object(),
        "{method} {path} {status}: no JSON schema declared"
    );
    if let Err(e) = validate(doc, schema, body, true) {
        panic!("{method} {path} {status}: {e}");
    }
    if status >= 400 {
        let code = body["error"]["code"].as_str().expect("error code");
        let codes = documented_codes(doc, method, path, status);
        assert!(
            codes.contains(code),
            "{method} {path} {status}: code `{code}` is not among {codes:?}"
        );
    }
}

/// Sends a request and checks the answer against the document; returns status and body.
async fn call(
    app: &TestApp,
    doc: &Value,
    (method, template, path): (Method, &str, &str),
    who: Option<&StaffSession>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = match who {
        Some(s) => app.as_staff(method.clone(), path, s),
        None => app.client.request(method.clone(), app.url(path)),
    };
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    let body: Value = r.json().await.expect("a JSON body");
    assert_fits(doc, method.as_str(), template, status, &body);
    (status, body)
}

#[tokio::test]
async fn the_document_lists_exactly_the_route_table() {
    let app = TestApp::spawn().await;
    let doc = fetch_document(&app).await;
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "{}",
        doc["openapi"]
    );

    let table: BTreeSet<(String, String)> = routes()
        .iter()
        .map(|r| (r.method.as_str().to_string(), r.path.to_string()))
        .collect();
    let documented = operations(&doc);
    let missing: Vec<_> = table.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&table).collect();
    assert!(missing.is_empty(), "routes the document lacks: {missing:?}");
    assert!(
        extra.is_empty(),
        "operations the route table lacks: {extra:?}"
    );
    assert_eq!(documented.len(), routes().len(), "no route listed twice");
    assert!(table.contains(&("GET".to_string(), "/api/v1/openapi.json".to_string())));

    // Who may call what, as the table says; operation ids are unique; every $ref resolves.
    let mut ids = BTreeSet::new();
    for spec in routes() {
        let op = operation(&doc, spec.method.as_str(), spec.path);
        let id = op["operationId"].as_str().expect("operationId").to_string();
        assert!(ids.insert(id.clone()), "operationId {id} twice");
        let changes = spec.method != Method::GET;
        let security = &op["security"];
        let desc = op["description"].as_str().unwrap_or_default();
        match spec.access {
            Access::Public => {
                assert!(security.is_null(), "{} {}", spec.method, spec.path);
                assert!(desc.ends_with("Access: public."), "{desc}");
            }
            Access::SurveyTablet => {
                assert!(security.is_null(), "{} {}", spec.method, spec.path);
                assert!(desc.contains("[survey] tablets"), "{desc}");
                assert!(op["responses"]["403"].is_object());
            }
            Access::Staff | Access::Roles(_) => {
                let req = &security[0];
                assert!(
                    req.get("session").is_some(),
                    "{} {}",
                    spec.method,
                    spec.path
                );
                assert_eq!(
                    req.get("csrf").is_some(),
                    changes,
                    "{} {}",
                    spec.method,
                    spec.path
                );
                let refused = if spec.method == Method::GET && !spec.path.starts_with("/api/") {
                    "303"
                } else {
                    "401"
                };
                assert!(
                    op["responses"][refused].is_object(),
                    "{} {} declares {refused} for callers without a session",
                    spec.method,
                    spec.path
                );
            }
        }
        if let Access::Roles(roles) = spec.access {
            for r in roles {
                assert!(desc.contains(&format!("`{}`", r.as_str())), "{desc}");
            }
            assert!(op["responses"]["403"].is_object());
        }
    }
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["session"]["name"], loket::web::COOKIE_NAME);
    assert_eq!(schemes["csrf"]["in"], "header");
    assert_eq!(schemes["csrf"]["name"], "X-CSRF-Token");
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(refs.len() > 20, "the document uses its components");
    for r in refs {
        assert!(
            doc.pointer(r.trim_start_matches('#')).is_some(),
            "dangling $ref {r}"
        );
    }
    app.stop().await;
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_schemas_are_the_real_shapes() {
    let app = TestApp::spawn().await;
    let doc = fetch_document(&app).await;
    let schemas = &doc["components"]["schemas"];

    let issue = operation(&doc, "POST", "/api/v1/tickets");
    let ticket = resolve(
        &doc,
        &issue["responses"]["201"]["content"]["application/json"]["schema"],
    );
    assert_eq!(ticket, &schemas["Ticket"]);
    for field in ["id", "number", "service", "state", "print", "issued_at"] {
        assert!(ticket["properties"][field].is_object(), "ticket `{field}`");
        assert!(
            ticket["required"]
                .as_array()
                .is_some_and(|r| r.contains(&json!(field))),
            "ticket `{field}` required"
        );
    }
    let print = resolve(&doc, &ticket["properties"]["print"]);
    for state in ["printed", "pending", "failed", "on_screen", "not_required"] {
        assert!(
            print["enum"]
                .as_array()
                .is_some_and(|e| e.contains(&json!(state)))
        );
    }
    let state = resolve(&doc, &ticket["properties"]["state"]);
    assert!(
        state["enum"]
            .as_array()
            .is_some_and(|e| e.contains(&json!("no_show")))
    );

    // The error body: {"error":{"code","message"}}, both required.
    let error = &schemas["ApiError"];
    assert_eq!(error["required"], json!(["error"]));
    let detail = resolve(&doc, &error["properties"]["error"]);
    assert_eq!(detail["required"], json!(["code", "message"]));

    // What the kiosk endpoint can refuse with, as the handler and the queue really do.
    assert!(documented_codes(&doc, "POST", "/api/v1/tickets", 429).contains("rate_limited"));
    let conflicts = documented_codes(&doc, "POST", "/api/v1/tickets", 409);
    for code in ["holiday", "service_closed", "quota_reached"] {
        assert!(conflicts.contains(code), "{code} in {conflicts:?}");
    }
    for (status, code) in [
        (400, "malformed_json"),
        (400, "invalid_body"),
        (413, "body_too_large"),
        (415, "unsupported_media_type"),
        (422, "unknown_service"),
        (503, "store_unavailable"),
        (503, "printer_not_ready"),
        (403, "cross_site"),
    ] {
        assert!(
            documented_codes(&doc, "POST", "/api/v1/tickets", status).contains(code),
            "{status} {code}"
        );
    }

    // Every named example is an error body whose code is its name.
    let mut examples = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                let named = &response["content"]["application/json"]["examples"];
                for (name, example) in named.as_object().into_iter().flatten() {
                    let value = &example["value"];
                    assert_eq!(
                        value["error"]["code"],
                        json!(name),
                        "{method} {path} {status}"
                    );
                    let schema = &response["content"]["application/json"]["schema"];
                    validate(&doc, schema, value, true)
                        .unwrap_or_else(|e| panic!("{method} {path} {status} {name}: {e}"));
                    examples += 1;
                }
            }
        }
    }
    assert!(examples > 50, "{examples} examples");

    // The validator the other test relies on refuses what does not fit.
    let real = app.issue("A", false).await;
    assert!(validate(&doc, ticket, &real, true).is_ok());
    let mut extra = real.clone();
    extra["nik"] = json!("3171");
    assert!(validate(&doc, ticket, &extra, true).is_err());
    let mut wrong = real.clone();
    wrong["number"] = json!(7);
    assert!(validate(&doc, ticket, &wrong, true).is_err());
    let mut missing = real;
    missing.as_object_mut().expect("object").remove("print");
    assert!(validate(&doc, ticket, &missing, true).is_err());
    app.stop().await;
}

#[tokio::test]
async fn real_answers_fit_the_document() {
    let app = TestApp::spawn().await;
    let doc = fetch_document(&app).await;
    let op = &app.operator;
    let admin = app.staff("admin-doc", &[Role::Admin]).await;

    // Successes.
    let (s, t) = call(
        &app,
        &doc,
        (Method::POST, "/api/v1/tickets", "/api/v1/tickets"),
        None,
        Some(json!({"service": "A", "priority": true})),
    )
    .await;
    assert_eq!(s, 201);
    let id = t["id"].as_u64().expect("id");
    app.issue("A", false).await;
    let ticket = format!("/api/v1/tickets/{id}");
    let (s, _) = call(
        &app,
        &doc,
        (Method::GET, "/api/v1/tickets/{id}", &ticket),
        None,
        None,
    )
    .await;
    assert_eq!(s, 200);
    let (s, called) = call(
        &app,
        &doc,
        (
            Method::POST,
            "/api/v1/counters/{id}/{op}",
            "/api/v1/counters/1/call-next",
        ),
        Some(op),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert!(called["ticket"].is_object(), "{called}");
    for (template, path, who) in [
        ("/api/v1/queue", "/api/v1/queue", None),
        ("/api/v1/display", "/api/v1/display", None),
        ("/healthz", "/healthz", None),
        ("/api/v1/printer", "/api/v1/printer", Some(op)),
        ("/api/v1/audit/verify", "/api/v1/audit/verify", Some(&admin)),
    ] {
        let (s, _) = call(&app, &doc, (Method::GET, template, path), who, None).await;
        assert_eq!(s, 200, "{path}");
    }
    // Whatever the printer's state, the answer is a documented one.
    call(
        &app,
        &doc,
        (Method::POST, "/api/v1/printer/test", "/api/v1/printer/test"),
        Some(op),
        None,
    )
    .await;
    call(
        &app,
        &doc,
        (
            Method::POST,
            "/api/v1/tickets/{id}/reprint",
            &format!("{ticket}/reprint"),
        ),
        Some(op),
        None,
    )
    .await;

    // Refusals: each status and code is one the document names for the operation.
    let issue = (Method::POST, "/api/v1/tickets", "/api/v1/tickets");
    let (s, _) = call(
        &app,
        &doc,
        issue.clone(),
        None,
        Some(json!({"service": "Z"})),
    )
    .await;
    assert_eq!(s, 422);
    let (s, _) = call(
        &app,
        &doc,
        issue.clone(),
        None,
        Some(json!({"service": "A", "nik": "3171"})),
    )
    .await;
    assert_eq!(s, 400);
    let raw = |content_type: &str, body: Vec<u8>| {
        app.client
            .post(app.url("/api/v1/tickets"))
            .header("content-type", content_type)
            .body(body)
    };
    for (req, want) in [
        (raw("text/plain", b"{\"service\":\"A\"}".to_vec()), 415),
        (raw("application/json", b"{\"service\":".to_vec()), 400),
        (raw("application/json", vec![b' '; 17 * 1024]), 413),
        (
            raw("application/json", b"{\"service\":\"A\"}".to_vec())
                .header("sec-fetch-site", "cross-site"),
            403,
        ),
    ] {
        let r = req.send().await.expect("request");
        let s = r.status().as_u16();
        let body: Value = r.json().await.expect("json");
        assert_eq!(s, want, "{body}");
        assert_fits(&doc, "POST", "/api/v1/tickets", s, &body);
    }
    let (s, _) = call(
        &app,
        &doc,
        (
            Method::GET,
            "/api/v1/tickets/{id}",
            "/api/v1/tickets/999999",
        ),
        None,
        None,
    )
    .await;
    assert_eq!(s, 404);
    let counter = "/api/v1/counters/{id}/{op}";
    let (s, _) = call(
        &app,
        &doc,
        (Method::POST, counter, "/api/v1/counters/1/call-next"),
        Some(op),
        None,
    )
    .await;
    assert_eq!(s, 409, "the counter still calls a ticket");
    let (s, _) = call(
        &app,
        &doc,
        (Method::POST, counter, "/api/v1/counters/1/dance"),
        Some(op),
        None,
    )
    .await;
    assert_eq!(s, 404);
    let (s, _) = call(
        &app,
        &doc,
        (Method::POST, counter, "/api/v1/counters/1/transfer"),
        Some(op),
        Some(json!({})),
    )
    .await;
    assert_eq!(s, 400);
    let (s, _) = call(
        &app,
        &doc,
        (Method::POST, counter, "/api/v1/counters/1/call-next"),
        None,
        None,
    )
    .await;
    assert_eq!(s, 401);
    let no_token = StaffSession {
        cookie: op.cookie.clone(),
        csrf: "wrong".to_string(),
    };
    let (s, _) = call(
        &app,
        &doc,
        (Method::POST, counter, "/api/v1/counters/1/recall"),
        Some(&no_token),
        None,
    )
    .await;
    assert_eq!(s, 403);
    let (s, _) = call(
        &app,
        &doc,
        (Method::GET, "/api/v1/audit/verify", "/api/v1/audit/verify"),
        Some(op),
        None,
    )
    .await;
    assert_eq!(s, 403);

    // Every operation the document names for a counter is one the daemon knows (and an
    // unknown one really is refused as such, above).
    let ops = &operation(&doc, "POST", counter)["parameters"][1]["schema"]["enum"];
    let ops = ops.as_array().expect("the operations are listed");
    assert!(ops.len() >= 7, "{ops:?}");
    for name in ops {
        let name = name.as_str().expect("name");
        let path = format!("/api/v1/counters/1/{name}");
        let (_, body) = call(&app, &doc, (Method::POST, counter, &path), Some(op), None).await;
        assert_ne!(body["error"]["code"], "not_found", "{name}: {body}");
    }

    // The events of the stream so far (printer status, issues, the call…) fit `Event`.
    let events = events_until(&app, 0, "called").await;
    assert!(events.len() >= 3, "{events:?}");
    let event_schema = json!({"$ref": "#/components/schemas/Event"});
    for e in &events {
        validate(&doc, &event_schema, e, true).unwrap_or_else(|err| panic!("{e}: {err}"));
    }
    let mut wrong = events[events.len() - 1].clone();
    wrong["ticket"]["nik"] = json!("3171");
    assert!(validate(&doc, &event_schema, &wrong, true).is_err());

    // A holiday closes the office: the kiosk's refusal is the documented one. The days
    // between are passed one by one: a clock weeks ahead of the service day is suspect.
    for day in 1..=24 {
        app.clock.set(wib(2026, 12, day, 9, 0));
        app.health().await;
    }
    app.clock.set(wib(2026, 12, 25, 9, 0));
    let (s, b) = call(&app, &doc, issue, None, Some(json!({"service": "B"}))).await;
    assert_eq!((s, b["error"]["code"].as_str()), (409, Some("holiday")));
    app.stop().await;
}

/// The events of the stream after `since`, up to the first of type `until`, as JSON.
async fn events_until(app: &TestApp, since: u64, until: &str) -> Vec<Value> {
    let mut r = app
        .client
        .get(app.url(&format!("/api/v1/events?since={since}")))
        .send()
        .await
        .expect("stream");
    let mut buf = String::new();
    let mut events = Vec::new();
    let read = async {
        while let Some(chunk) = r.chunk().await.expect("chunk") {
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buf.find("\n\n") {
                let frame: String = buf.drain(..end + 2).collect();
                let Some(data) = frame.lines().find_map(|l| l.strip_prefix("data:")) else {
                    continue;
                };
                let event: Value = serde_json::from_str(data.trim()).expect("event JSON");
                let done = event["type"] == until;
                events.push(event);
                if done {
                    return;
                }
            }
        }
        panic!("the stream ended before a `{until}` event");
    };
    tokio::time::timeout(std::time::Duration::from_secs(5), read)
        .await
        .expect("the events within 5 s");
    events
}

#[tokio::test]
async fn the_kiosk_limit_answers_as_documented() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut config = test_config();
    config.kiosk.max_tickets_per_minute = 2;
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let app = TestApp::spawn_in(tmp.path(), clock, config).await;
    let doc = fetch_document(&app).await;
    let mut statuses = BTreeMap::new();
    for _ in 0..3 {
        let (s, b) = call(
            &app,
            &doc,
            (Method::POST, "/api/v1/tickets", "/api/v1/tickets"),
            None,
            Some(json!({"service": "A"})),
        )
        .await;
        statuses.insert(s, b);
    }
    assert!(statuses.contains_key(&201));
    assert_eq!(statuses[&429]["error"]["code"], "rate_limited");
    app.stop().await;
}

#[tokio::test]
async fn complaint_answers_fit_the_document() {
    let app = TestApp::spawn().await;
    let doc = fetch_document(&app).await;
    let officer = app.staff("sari", &[Role::ComplaintOfficer]).await;
    let kasubbag = app.staff("rina", &[Role::KasubbagUmum]).await;
    let kepala = app.staff("hendra", &[Role::KepalaDinas]).await;
    let open = ("/api/v1/complaints", "/api/v1/complaints");
    let body = json!({
        "channel": "phone",
        "level": "menengah",
        "identity": {"name": "Ahmad", "nik": "3271011408850003", "rahasia": true},
        "service": "A",
        "what_happened": "Berkas hilang",
    });
    let (s, opened) = call(
        &app,
        &doc,
        (Method::POST, open.0, open.1),
        Some(&officer),
        Some(body.clone()),
    )
    .await;
    assert_eq!(s, 201, "{opened}");
    assert!(matches!(
        opened["print"].as_str(),
        Some("printed" | "failed" | "not_sent" | "no_printer")
    ));
    let seq = opened["complaint"]["seq"].as_u64().expect("seq");

    let mut bad = body.clone();
    bad["identity"]["nik"] = json!("3271011408850000");
    let (s, e) = call(
        &app,
        &doc,
        (Method::POST, open.0, open.1),
        Some(&officer),
        Some(bad),
    )
    .await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("invalid_nik")));
    let mut both = body.clone();
    both["ticket_id"] = json!(1);
    let (s, e) = call(
        &app,
        &doc,
        (Method::POST, open.0, open.1),
        Some(&officer),
        Some(both),
    )
    .await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("invalid")));
    let (s, _) = call(
        &app,
        &doc,
        (Method::POST, open.0, open.1),
        Some(&kepala),
        Some(body),
    )
    .await;
    assert_eq!(s, 403);

    let one = "/api/v1/complaints/{id}";
    let (s, c) = call(
        &app,
        &doc,
        (Method::GET, one, &format!("/api/v1/complaints/{seq}")),
        Some(&kepala),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(c["current_step"], 3);
    let (s, _) = call(
        &app,
        &doc,
        (Method::GET, one, "/api/v1/complaints/99"),
        Some(&kepala),
        None,
    )
    .await;
    assert_eq!(s, 404);
    let (s, who) = call(
        &app,
        &doc,
        (
            Method::GET,
            "/api/v1/complaints/{id}/identity",
            &format!("/api/v1/complaints/{seq}/identity"),
        ),
        Some(&kepala),
        None,
    )
    .await;
    assert_eq!((s, who["name"].as_str()), (200, Some("Ahmad")));

    let acts = "/api/v1/complaints/{id}/actions";
    let path = format!("/api/v1/complaints/{seq}/actions");
    let v = c["version"].clone();
    let form = |step: u32, version: &Value, kind: &str| json!({"step": step, "version": version, "kind": kind});
    let (s, e) = call(
        &app,
        &doc,
        (Method::POST, acts, &path),
        Some(&kasubbag),
        Some(form(3, &v, "complete")),
    )
    .await;
    assert_eq!((s, e["error"]["code"].as_str()), (403, Some("forbidden")));
    let (s, e) = call(
        &app,
        &doc,
        (Method::POST, acts, &path),
        Some(&kasubbag),
        Some(form(4, &v, "complete")),
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("out_of_order"))
    );
    let (s, e) = call(
        &app,
        &doc,
        (Method::POST, acts, &path),
        Some(&officer),
        Some(form(3, &v, "approve")),
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("wrong_action"))
    );
    let (s, after) = call(
        &app,
        &doc,
        (Method::POST, acts, &path),
        Some(&officer),
        Some(form(3, &v, "complete")),
    )
    .await;
    assert_eq!((s, after["current_step"].as_u64()), (200, Some(4)));
    let (s, e) = call(
        &app,
        &doc,
        (Method::POST, acts, &path),
        Some(&kasubbag),
        Some(form(4, &v, "complete")),
    )
    .await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("conflict")));

    let (s, r) = call(
        &app,
        &doc,
        (
            Method::POST,
            "/api/v1/complaints/{id}/receipt",
            &format!("/api/v1/complaints/{seq}/receipt"),
        ),
        Some(&officer),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert!(r["print"].is_string());
    app.stop().await;
}
