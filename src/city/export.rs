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
/// After a full batch the exporter rests this many times as long as the round took before
/// the next: draining a large backlog (a year's records, or after weeks offline) then takes
/// at most a quarter of the box's time. Run back to back, the rounds (the read, the JSON,
/// the acknowledging write, and the local PostgreSQL's share of 2 cores in a test) pushed
/// the kiosk's issue p99 to 2.4-2.7x its idle figure; see docs/performance.md, *City
/// export*. A year still drains in about a minute and a half.
const REST_PER_ROUND: u32 = 3;
/// The rest is bounded: a slow server makes slow rounds, and a backlog must still drain.
const MAX_REST: Duration = Duration::from_secs(2);

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
        let started = tokio::time::Instant::now();
        let this_round =
            tokio::time::timeout(round_within, round(&store, &city, &office, &mut client));
        let outcome = tokio::select! {
            r = this_round => r.unwrap_or_else(|_| Err(anyhow::anyhow!("no answer within {} s", round_within.as_secs()))),
            _ = closing.wait_for(|c| *c) => return,
        };
        let pause = match outcome {
            Ok(Round::Sent {
                full: true, rows, ..
            }) => {
                (failures, wait) = (0, FIRST_RETRY);
                if rows == 0 {
                    // A resync step: nothing was sent, the next round follows at once.
                    continue;
                }
                (started.elapsed() * REST_PER_ROUND).min(MAX_REST)
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

/// The open connection, opened when there is none.
async fn connected<'a>(
    client: &'a mut Option<Client>,
    city: &CityConfig,
) -> anyhow::Result<&'a mut Client> {
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
    client
        .as_mut()
        .ok_or_else(|| anyhow::anyhow!("no connection to the city server"))
}

/// One batch: read, send, acknowledge.
pub async fn round(
    store: &StoreHandle,
    city: &CityConfig,
    office: &str,
    client: &mut Option<Client>,
) -> anyhow::Result<Round> {
    let state = store.outbox_state().await?;
    let limit = city.batch_size as usize;
    if let Some(after) = state.resync_after {
        return resync(store, city, office, client, after, state.acked).await;
    }
    // Nothing numbered past the acknowledged: no read (each costs the store a thread).
    if state.backlog() == 0 {
        return Ok(Round::Empty);
    }
    let rows = store.outbox_after(state.acked, limit).await?;
    let Some(last) = rows.last().map(|r| r.0) else {
        return Ok(Round::Empty);
    };
    let (count, full) = (rows.len(), rows.len() == limit);
    let c = connected(client, city).await?;
    insert(c, office, encode(rows).await?).await?;
    store.outbox_ack(last).await?;
    Ok(Round::Sent {
        last,
        rows: count,
        full,
    })
}

/// The first rounds after `loket restore`: the copy's numbers run to `after`, and the
/// server may hold more of this office's from the timeline the restore undid. Nothing past
/// `after` is sent before the server's highest number is known. At or below `after` the
/// mark goes and the export goes on as before. Above it, the rows up to `after` go first
/// (the same records the server may have: that timeline and the copy's agree up to there),
/// then the store moves every later row past the server's numbers in one write
/// (`outbox::resync`), so the city keeps both timelines and the office's series stays
/// gap-free.
async fn resync(
    store: &StoreHandle,
    city: &CityConfig,
    office: &str,
    client: &mut Option<Client>,
    after: u64,
    acked: u64,
) -> anyhow::Result<Round> {
    let c = connected(client, city).await?;
    let server_last = server_last(c, office).await?;
    if server_last > after && acked < after {
        let limit = city.batch_size as usize;
        let mut rows = store.outbox_after(acked, limit).await?;
        rows.retain(|(seq, _)| *seq <= after);
        let Some(last) = rows.last().map(|r| r.0) else {
            anyhow::bail!("outbox rows up to {after} missing after {acked}");
        };
        send(c, office, &rows).await?;
        store.outbox_ack(last).await?;
        return Ok(Round::Sent {
            last,
            rows: rows.len(),
            full: true,
        });
    }
    let moved = store.outbox_resync(after, server_last).await?;
    info!(
        copy_last = after,
        server_last, moved, "outbox compared with the city server after a restore"
    );
    // Nothing sent: the next round goes on at once from the (new) acknowledged number.
    Ok(Round::Sent {
        last: if moved > 0 { server_last } else { acked },
        rows: 0,
        full: true,
    })
}

/// This office's highest number on the server, over every kind (0 when it has none). The
/// office's role reads only its own rows (row-level security); the filter says so too.
pub async fn server_last(client: &Client, office: &str) -> anyhow::Result<u64> {
    let row = client
        .query_one(
            "SELECT coalesce(greatest( \
               (SELECT max(seq) FROM loket.ticket_events WHERE office_code = $1), \
               (SELECT max(seq) FROM loket.complaint_actions WHERE office_code = $1), \
               (SELECT max(seq) FROM loket.survey_responses WHERE office_code = $1), \
               (SELECT max(seq) FROM loket.audit_hashes WHERE office_code = $1)), 0)",
            &[&office],
        )
        .await?;
    let last: i64 = row.try_get(0)?;
    Ok(u64::try_from(last)?)
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
    insert(client, office, encode(rows.to_vec()).await?).await
}

/// Each kind's rows as one JSON array (`INSERTS`' order), made on a blocking thread: a
/// batch's JSON takes milliseconds of CPU, which on the runtime's threads would hold the
/// HTTP requests behind it.
async fn encode(rows: Vec<(u64, OutboxRecord)>) -> anyhow::Result<Vec<Option<String>>> {
    tokio::task::spawn_blocking(move || {
        INSERTS
            .iter()
            .map(|(kind, _)| array(&rows, kind))
            .collect::<anyhow::Result<Vec<_>>>()
    })
    .await?
}

/// Sends the arrays `encode` made in one transaction; returns once the server committed.
async fn insert(
    client: &mut Client,
    office: &str,
    arrays: Vec<Option<String>>,
) -> anyhow::Result<()> {
    let txn = client.transaction().await?;
    for ((_, sql), json) in INSERTS.iter().zip(arrays) {
        if let Some(json) = json {
            txn.execute(*sql, &[&office, &json]).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}
