//! Sessions that were ended stay ended: a request already under way when a password reset
//! (or logout) ends its session cannot bring it back by recording its use.

mod common;

use common::TestApp;
use loket::audit::Who;
use loket::auth::Role;
use loket::clock::Clock;
use reqwest::Method;

#[tokio::test]
async fn recording_a_session_s_use_after_its_revocation_does_not_revive_it() {
    let app = TestApp::spawn().await;
    let budi = app.staff("budi", &[Role::Operator]).await;
    let id = budi
        .cookie
        .split_once('=')
        .map(|(_, v)| v)
        .unwrap_or_default();
    let key = loket::auth::sha256_hex(id.as_bytes());
    let store = app.state().store;
    assert!(store.session(&key).await.expect("read").is_some());

    // The request loaded the session, then the reset ended it, then the request's refresh
    // arrives.
    store
        .revoke_sessions("budi", None, Who::new("kepala", ""))
        .await
        .expect("revoke");
    let later = app.clock.now() + chrono::Duration::minutes(5);
    store
        .touch_session(key.clone(), later)
        .await
        .expect("touch");
    assert!(store.session(&key).await.expect("read").is_none());
    let r = app
        .as_staff(Method::GET, "/console", &budi)
        .send()
        .await
        .expect("console");
    assert_eq!(r.status(), 303, "sent to the login page");

    // A live session's use is recorded and nothing else of it changes.
    let sari = app.staff("sari", &[Role::Operator]).await;
    let id = sari
        .cookie
        .split_once('=')
        .map(|(_, v)| v)
        .unwrap_or_default();
    let key = loket::auth::sha256_hex(id.as_bytes());
    let before = store.session(&key).await.expect("read").expect("live");
    store
        .touch_session(key.clone(), later)
        .await
        .expect("touch");
    let after = store.session(&key).await.expect("read").expect("live");
    assert_eq!(after.last_seen, later);
    assert_eq!(after.csrf, before.csrf);
    assert_eq!(after.created_at, before.created_at);
    app.stop().await;
}
