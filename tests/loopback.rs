//! Until staff accounts exist, counter operations answer only requests from loopback: the
//! same router the daemon serves, driven with a LAN peer address.

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use common::TestApp;
use tower::ServiceExt;

async fn counter_call(app: &TestApp, peer: &str) -> (StatusCode, serde_json::Value) {
    let router = loket::web::router(app.state());
    let mut req = Request::post("/api/v1/counters/1/call-next")
        .header("x-forwarded-for", "127.0.0.1")
        .body(Body::empty())
        .expect("request");
    let addr: SocketAddr = peer.parse().expect("addr");
    req.extensions_mut().insert(ConnectInfo(addr));
    let resp = router.oneshot(req).await.expect("response");
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 64 * 1024)
        .await
        .expect("body");
    (status, serde_json::from_slice(&bytes).expect("json"))
}

#[tokio::test]
async fn counter_operations_refuse_the_lan_and_accept_loopback() {
    let app = TestApp::spawn().await;
    app.issue("A", false).await;

    for peer in ["192.168.1.50:51000", "10.0.0.7:40000", "[fe80::1]:40000"] {
        let (status, body) = counter_call(&app, peer).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{peer}");
        assert_eq!(body["error"]["code"], "forbidden");
    }
    assert_eq!(
        app.queue().await["services"][0]["waiting"],
        1,
        "nothing called"
    );

    let (status, body) = counter_call(&app, "[::ffff:127.0.0.1]:40000").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["ticket"]["number"], "A-001");
    app.stop().await;
}

#[tokio::test]
async fn the_public_api_stays_open_to_the_lan() {
    let app = TestApp::spawn().await;
    let router = loket::web::router(app.state());
    let mut req = Request::get("/api/v1/queue")
        .body(Body::empty())
        .expect("request");
    let addr: SocketAddr = "192.168.1.50:51000".parse().expect("addr");
    req.extensions_mut().insert(ConnectInfo(addr));
    let resp = router.oneshot(req).await.expect("response");
    assert_eq!(resp.status(), StatusCode::OK);
    app.stop().await;
}
