//! The exporter: a task of its own that empties the outbox into the city's PostgreSQL.
//!
//! It reads a batch after the last acknowledged number (through the store, like any read),
//! sends it in ONE server transaction (`INSERT … ON CONFLICT DO NOTHING`, so a batch sent
//! again after a lost answer or a crash changes nothing), and only after the server's COMMIT
//! records the batch's last number as acknowledged. Nothing here holds the store: a request
//! never waits on the city, and a server that is down only grows the backlog. While it is
//! down the attempts back off, doubling up to `[city] retry_max_secs`.

use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;
use tokio_postgres::Client;
use tracing::{info, warn};

use super::connect::{Target, connect};
use crate::config::CityConfig;
use crate::store::{OutboxRecord, StoreHandle};

/// How often an empty outbox is looked at again.
const IDLE: Duration = Duration::from_secs(2);
/// The first wait after a failure.
const FIRST_RETRY: Duration = Duration::from_secs(1);

/// What one round did.
#[derive(Debug, PartialEq, Eq)]
pub enum Round {
    /// Nothing was waiting.
    Empty,
    /// Sent and acknowledged up to this number; `full`: the batch was as large as allowed,
    /// so more is probably waiting.
    Sent { last: u64, rows: usize, full: bool },
}

/// Runs until `closing` turns true.
pub async fn run(
    store: StoreHandle,
    city: CityConfig,
    office: String,
    mut closing: watch::Receiver<bool>,
) {
    let max_wait = Duration::from_secs(u64::from(city.retry_max_secs));
    // The longest a round may take (`[city] round_timeout_secs`: connect, send, commit). A
    // connection whose network went away without a reset would otherwise hold the exporter
    // forever; a round cut off here is sent again, which the server ignores where it already
    // has the rows.
    let round_within = Duration::from_secs(u64::from(city.round_timeout_secs));
    let mut client: Option<Client> = None;
    let mut wait = FIRST_RETRY;
    let mut failures = 0u32;
    loop {
        if *closing.borrow() {
            return;
        }
        // A stop does not wait for the round: one cut off is sent again at the next start.
        let this_round =
            tokio::time::timeout(round_within, round(&store, &city, &office, &mut client));
        let outcome = tokio::select! {
            r = this_round => r.unwrap_or_else(|_| Err(anyhow::anyhow!("no answer within {} s", round_within.as_secs()))),
            _ = closing.wait_for(|c| *c) => return,
        };
        let pause = match outcome {
            Ok(Round::Sent { full: true, .. }) => {
                (failures, wait) = (0, FIRST_RETRY);
                continue;
            }
            Ok(r) => {
                if failures > 0 {
                    info!(after_failures = failures, "city server reachable again");
                }
                if let Round::Sent { last, rows, .. } = r {
                    tracing::debug!(last, rows, "records sent to the city server");
                }
                (failures, wait) = (0, FIRST_RETRY);
                IDLE
            }
            Err(e) => {
                // A connection that failed once is not trusted again: the next round opens
                // a new one.
                client = None;
                failures += 1;
                warn!(error = %e, attempt = failures, retry_in_secs = wait.as_secs(), "records not sent to the city server; the office works on");
                let this = wait;
                wait = (wait * 2).min(max_wait);
                this
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = closing.wait_for(|c| *c) => return,
        }
    }
}

/// One batch: read, send, acknowledge.
pub async fn round(
    store: &StoreHandle,
    city: &CityConfig,
    office: &str,
    client: &mut Option<Client>,
) -> anyhow::Result<Round> {
    let acked = store.outbox_state().await?.acked;
    let limit = city.batch_size as usize;
    let rows = store.outbox_after(acked, limit).await?;
    let Some(last) = rows.last().map(|r| r.0) else {
        return Ok(Round::Empty);
    };
    if client.as_ref().is_none_or(Client::is_closed) {
        // The whole attempt is bounded, not only the TCP connect: a server whose network
        // vanished mid-handshake (TLS, login) would otherwise hold it until the round's end.
        let within = Duration::from_secs(u64::from(city.connect_timeout_secs));
        let target = Target::from(city);
        let attempt = tokio::time::timeout(within, connect(&target));
        *client = Some(
            attempt
                .await
                .map_err(|_| anyhow::anyhow!("no connection within {} s", within.as_secs()))??,
        );
    }
    let Some(c) = client.as_mut() else {
        anyhow::bail!("no connection to the city server");
    };
    send(c, office, &rows).await?;
    store.outbox_ack(last).await?;
    Ok(Round::Sent {
        last,
        rows: rows.len(),
        full: rows.len() == limit,
    })
}

/// The rows of one kind as a JSON array, each with its `seq`.
fn array(rows: &[(u64, OutboxRecord)], kind: &str) -> anyhow::Result<Option<String>> {
    let mut out = Vec::new();
    for (seq, r) in rows.iter().filter(|(_, r)| r.kind() == kind) {
        let mut v = serde_json::to_value(r)?;
        if let Value::Object(m) = &mut v {
            m.insert("seq".to_string(), Value::from(*seq));
        }
        out.push(v);
    }
    Ok((!out.is_empty()).then(|| Value::Array(out).to_string()))
}

/// One INSERT per kind, from a JSON array: one round trip per kind, whatever the batch size.
const INSERTS: &[(&str, &str)] = &[
    (
        "ticket_event",
        "INSERT INTO loket.ticket_events \
           (office_code, seq, at, event_seq, type, ticket_id, number, service, counter, body) \
         SELECT $1, (r->>'seq')::bigint, (r->>'at')::timestamptz, (r->>'event_seq')::bigint, \
                r->'change'->>'type', (r->'change'->'ticket'->>'id')::bigint, \
                r->'change'->'ticket'->>'number', r->'change'->'ticket'->>'service', \
                coalesce((r->'change'->>'counter')::integer, (r->'change'->'ticket'->>'counter')::integer), r \
         FROM jsonb_array_elements(($2::text)::jsonb) AS r ON CONFLICT DO NOTHING",
    ),
    (
        "complaint_action",
        "INSERT INTO loket.complaint_actions \
           (office_code, seq, at, complaint, number, version, flow, change, closed, \
            level, open_step, open_round, open_due_at, body) \
         SELECT $1, (r->>'seq')::bigint, (r->>'at')::timestamptz, (r->>'complaint')::bigint, \
                r->>'number', (r->>'version')::bigint, r->>'flow', r->'change'->>'change', \
                (r->>'closed')::boolean, coalesce(r->>'level', r->'change'->>'level'), \
                (r->'open_step'->>'step')::integer, (r->'open_step'->>'round')::integer, \
                (r->'open_step'->>'due_at')::timestamptz, r \
         FROM jsonb_array_elements(($2::text)::jsonb) AS r ON CONFLICT DO NOTHING",
    ),
    (
        "survey_response",
        "INSERT INTO loket.survey_responses (office_code, seq, month, service, counter, body) \
         SELECT $1, (r->>'seq')::bigint, (r->>'month')::date, r->>'service', \
                (r->>'counter')::integer, r \
         FROM jsonb_array_elements(($2::text)::jsonb) AS r ON CONFLICT DO NOTHING",
    ),
    (
        "audit_hash",
        "INSERT INTO loket.audit_hashes \
           (office_code, seq, at, audit_seq, action, prev_hash, hash, body) \
         SELECT $1, (r->>'seq')::bigint, (r->>'at')::timestamptz, (r->>'audit_seq')::bigint, \
                r->>'action', r->>'prev_hash', r->>'hash', r \
         FROM jsonb_array_elements(($2::text)::jsonb) AS r ON CONFLICT DO NOTHING",
    ),
];

/// Sends `rows` in one transaction; returns once the server has committed it.
pub async fn send(
    client: &mut Client,
    office: &str,
    rows: &[(u64, OutboxRecord)],
) -> anyhow::Result<()> {
    let txn = client.transaction().await?;
    for (kind, sql) in INSERTS {
        if let Some(json) = array(rows, kind)? {
            txn.execute(*sql, &[&office, &json]).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}
