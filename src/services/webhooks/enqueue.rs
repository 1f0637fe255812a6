//! A change's messages, written when its write commits, in its transaction: one per event and
//! endpoint that wants it. The endpoints a change writes to are locked until it commits (on
//! PostgreSQL; SQLite writes one at a time anyway), so each endpoint's messages are numbered in
//! the order their changes commit, which is the order they are delivered in.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::domain::webhook::{WebhookActor, WebhookMessage, WebhookMessageData, wants};
use crate::error::CoreError;
use crate::services::activity::Entry;
use crate::services::roles::role_in;
use crate::services::user_for_update;
use crate::store::{Tx, dialect, with_tx};

/// Writes one message to one endpoint; answers its row's id.
pub(crate) async fn insert_delivery(
    tx: &mut Tx,
    endpoint: Uuid,
    event: &str,
    payload: &Value,
    at: DateTime<Utc>,
) -> Result<i64, CoreError> {
    let id = with_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO webhook_deliveries (uuid, endpoint_uuid, event, payload, created, state, \
             attempts, next_attempt) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $5) RETURNING id",
        )
        .bind(Uuid::new_v4())
        .bind(endpoint)
        .bind(event)
        .bind(payload.to_string())
        .bind(at)
        .fetch_one(conn)
        .await
    })?;
    Ok(id)
}

/// The object a change left, as the REST API shows it: the user or role after the change, or
/// `null` (deleted, or another kind of record).
async fn object_after(
    tx: &mut Tx,
    kind: Option<&str>,
    uuid: Option<Uuid>,
) -> Result<Value, CoreError> {
    let Some(uuid) = uuid else {
        return Ok(Value::Null);
    };
    Ok(match kind {
        Some("user") => user_for_update(tx, uuid)
            .await?
            .map_or(Value::Null, |user| json!(user)),
        Some("role") => role_in(tx, uuid)
            .await?
            .map_or(Value::Null, |role| json!(role)),
        _ => Value::Null,
    })
}

/// The message of one logged event: `{type, timestamp, data}`, with the record after the change,
/// the fields it changed (as the activity log keeps them: never a secret) and who made it.
async fn payload(tx: &mut Tx, entry: &Entry) -> Result<Value, CoreError> {
    let object = object_after(tx, entry.target_kind, entry.target_uuid).await?;
    let changes: Value = serde_json::from_str(&entry.changes).unwrap_or(Value::Null);
    let target = match (entry.target_kind, entry.target_uuid) {
        (Some(kind), Some(uuid)) => json!({
            "type": kind,
            "uuid": uuid,
            "label": entry.target_label,
        }),
        _ => Value::Null,
    };
    let message = WebhookMessage {
        kind: entry.event.to_owned(),
        timestamp: entry
            .created
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        data: WebhookMessageData {
            object: Some(object).filter(|o| !o.is_null()),
            changes,
            target: Some(target).filter(|t| !t.is_null()),
            actor: WebhookActor {
                uuid: entry.actor_uuid,
                username: entry.actor_username.clone(),
                credential: entry.credential_kind.map(str::to_owned),
                key: entry.credential_name.clone(),
                impersonator: entry.impersonator_username.clone(),
            },
        },
    };
    serde_json::to_value(message).map_err(CoreError::internal)
}

/// Writes the messages of `emitted` (a write's logged events, in order) for the enabled
/// endpoints that want them. Nothing is read beyond the endpoints when none wants anything.
pub(crate) async fn enqueue(tx: &mut Tx, emitted: &[Entry]) -> Result<(), CoreError> {
    let endpoints = with_tx!(tx, conn => {
        sqlx::query_as::<_, (Uuid, String)>(
            "SELECT uuid, events FROM webhook_endpoints WHERE enabled = TRUE ORDER BY uuid",
        )
        .fetch_all(conn)
        .await
    })?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let endpoints: Vec<(Uuid, Vec<String>)> = endpoints
        .into_iter()
        .map(|(uuid, events)| (uuid, serde_json::from_str(&events).unwrap_or_default()))
        .collect();
    let wanting: Vec<Vec<Uuid>> = emitted
        .iter()
        .map(|entry| {
            endpoints
                .iter()
                .filter(|(_, events)| wants(events, entry.event))
                .map(|(uuid, _)| *uuid)
                .collect()
        })
        .collect();
    // Locked in one order (the endpoints' uuids), so that two changes never wait on each other.
    for (endpoint, _) in &endpoints {
        if wanting.iter().any(|w| w.contains(endpoint)) {
            lock(tx, *endpoint).await?;
        }
    }
    for (entry, wanting) in emitted.iter().zip(wanting) {
        if wanting.is_empty() {
            continue;
        }
        let message = payload(tx, entry).await?;
        for endpoint in wanting {
            insert_delivery(tx, endpoint, entry.event, &message, entry.created).await?;
        }
    }
    Ok(())
}

async fn lock(tx: &mut Tx, endpoint: Uuid) -> Result<(), CoreError> {
    let lock = dialect::lock_row(tx.backend());
    if lock.is_empty() {
        return Ok(());
    }
    let sql = format!("SELECT uuid FROM webhook_endpoints WHERE uuid = $1{lock}");
    with_tx!(tx, conn => {
        sqlx::query(&sql).bind(endpoint).fetch_optional(conn).await.map(|_| ())
    })?;
    Ok(())
}
