//! `/metrics` in Prometheus text format: today's counts and mean times per service, and the
//! printer's state.

mod common;

use chrono::Duration;
use common::TestApp;

#[tokio::test]
async fn metrics_count_the_day_per_service() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        app.issue("B", false).await;
    }
    app.clock.advance(Duration::minutes(6));
    app.call_next(2).await;
    app.op(2, "serve", None).await;
    app.clock.advance(Duration::minutes(4));
    app.op(2, "finish", None).await;
    let r = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics");
    assert_eq!(r.status(), 200);
    let text = r.text().await.expect("text");
    for line in [
        "loket_tickets_issued_today{service=\"B\"} 3",
        "loket_tickets_waiting{service=\"B\"} 2",
        "loket_tickets_served_today{service=\"B\"} 1",
        "loket_wait_seconds_mean{service=\"B\"} 360.0",
        "loket_service_seconds_mean{service=\"B\"} 240.0",
        "loket_tickets_issued_today{service=\"A\"} 0",
        "loket_printer_status{status=\"online\"} 1",
        "loket_printer_status{status=\"paper_end\"} 0",
        "loket_printer_ready 1",
        "# TYPE loket_tickets_waiting gauge",
    ] {
        assert!(text.contains(line), "missing `{line}` in\n{text}");
    }
    app.stop().await;
}
