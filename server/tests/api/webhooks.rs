//! Webhooks, on every backend, delivered to a receiver that verifies each message with the
//! published Standard Webhooks library (`end2end/webhooks/receiver.mjs`): changes arrive once,
//! signed, in order; failures are retried; rotation signs with both secrets; a change that rolls
//! back sends nothing; two instances never send the same attempt; inner addresses are refused.

use crate::common;

use axum::http::{Method, StatusCode};
use common::receiver::Receiver;
use common::{Auth, TestApp, encode, on_each_backend, on_each_backend_with, test_webhook_settings};
use roster::services::webhooks::{WebhookSender, WebhookSettings};
use serde_json::{Value, json};

/// Runs `$body` on the app's pool, whichever database it is.
macro_rules! on_pool {
    ($app:expr, $pool:ident => $body:expr) => {
        match $app.core.database() {
            roster::store::Database::Sqlite($pool) => $body,
            roster::store::Database::Postgres($pool) => $body,
        }
    };
}

fn sender(settings: WebhookSettings) -> WebhookSender {
    WebhookSender::new(settings).expect("the sender builds")
}

/// Runs the worker until nothing is left to send now (at most `rounds` rounds).
async fn deliver(app: &TestApp, sender: &WebhookSender, rounds: usize) {
    for _ in 0..rounds {
        let pending = pending(app).await;
        if pending == 0 {
            return;
        }
        app.core
            .deliver_due_webhooks(sender)
            .await
            .expect("a round runs");
    }
}

async fn pending(app: &TestApp) -> i64 {
    on_pool!(app, pool => {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM webhook_deliveries d JOIN webhook_endpoints e \
             ON e.uuid = d.endpoint_uuid WHERE d.state = 'pending' AND e.enabled = TRUE",
        )
        .fetch_one(pool)
        .await
    })
    .expect("the outbox counts")
}

async fn endpoint(app: &TestApp, admin: &Auth, url: &str, events: Value) -> (String, String) {
    let body = json!({"url": url, "description": "billing", "events": events}).to_string();
    let reply = app.post("/api/admin/webhooks", admin, &body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let secret = reply.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    (
        reply.body["webhook"]["uuid"].as_str().unwrap().to_owned(),
        secret,
    )
}

fn types(deliveries: &[Value]) -> Vec<String> {
    deliveries
        .iter()
        .map(|d| d["payload"]["type"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_create_a_console_edit_and_a_suspension_arrive_once_signed_and_in_order() {
    on_each_backend(|app| async move {
        let receiver = Receiver::start();
        let admin = app.admin_key().await;
        app.user("chief", true, None).await;
        let (hook, secret) = endpoint(&app, &admin, &receiver.url(), json!(["user:*"])).await;
        receiver.expect(&[&secret], 0, false).await;
        let listed = app.get(&format!("/api/admin/webhooks/{hook}"), &admin).await;
        assert_eq!(listed.body["webhook"].get("secret"), None, "a secret is shown once");

        let created = app
            .post(
                "/api/admin/users",
                &admin,
                &json!({"username": "hooked", "email": "hooked@example.com", "name_first": "Hoo", "name_last": "Ked"}).to_string(),
            )
            .await;
        let uuid = created.body["user"]["uuid"].as_str().unwrap().to_owned();
        let session = app.session("chief").await;
        let form = [
            ("uuid", uuid.as_str()),
            ("form[username]", "hooked"),
            ("form[email]", "hooked@example.com"),
            ("form[name_first]", "Renamed"),
            ("form[name_last]", "Ked"),
            ("form[language]", "en"),
        ];
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let edited = app
            .request_with(
                Method::POST,
                "/_roster/users/update",
                &session,
                Some(&body),
                &[("content-type", "application/x-www-form-urlencoded"), ("accept", "application/json")],
            )
            .await;
        assert!(edited.status.is_success(), "{}", edited.body);
        app.patch(&format!("/api/admin/users/{uuid}"), &admin, r#"{"suspended": true}"#)
            .await;
        // A role is not a user: the endpoint did not ask for it.
        app.role("Not wanted", &[]).await;

        deliver(&app, &sender(test_webhook_settings()), 10).await;
        let got = receiver.deliveries().await;
        assert_eq!(types(&got), ["user:create", "user:update", "user:update"], "{got:?}");
        for delivery in &got {
            assert_eq!(delivery["verifiedWith"], json!([0]), "{delivery}");
            assert_eq!(delivery["payload"]["data"]["target"]["uuid"], json!(uuid));
        }
        let ids: std::collections::HashSet<&str> = got.iter().map(|d| d["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 3, "each message once");
        assert_eq!(got[0]["payload"]["data"]["object"]["username"], "hooked");
        assert_eq!(got[1]["payload"]["data"]["changes"]["name_first"], json!({"before": "Hoo", "after": "Renamed"}));
        assert_eq!(got[1]["payload"]["data"]["actor"]["username"], "chief");
        assert_eq!(got[2]["payload"]["data"]["object"]["suspended"], true);
        assert_eq!(got[2]["payload"]["data"]["actor"]["credential"], "api_key");

        let log = app.get(&format!("/api/admin/webhooks/{hook}/deliveries"), &admin).await;
        let first = &log.body["deliveries"]["data"][0];
        assert_eq!(first["state"], "delivered");
        assert_eq!(first["attempts"][0]["status"], 200);
        assert_eq!(first["attempts"][0]["response"], "ok");
        app
    })
    .await;
}

#[tokio::test]
async fn a_receiver_failing_three_times_gets_the_message_on_the_fourth_attempt() {
    on_each_backend(|app| async move {
        let receiver = Receiver::start();
        let admin = app.admin_key().await;
        let (hook, secret) = endpoint(&app, &admin, &receiver.url(), json!(["webhook:test"])).await;
        receiver.expect(&[&secret], 3, false).await;
        let test = app
            .post(&format!("/api/admin/webhooks/{hook}/test"), &admin, "")
            .await;
        assert_eq!(test.status, StatusCode::OK, "{}", test.body);
        assert_eq!(test.body["delivery"]["event"], "webhook:test");
        deliver(&app, &sender(test_webhook_settings()), 10).await;
        let got = receiver.deliveries().await;
        let answered: Vec<i64> = got
            .iter()
            .map(|d| d["answered"].as_i64().unwrap())
            .collect();
        assert_eq!(answered, [500, 500, 500, 200]);
        assert!(
            got.iter().all(|d| d["id"] == got[0]["id"]),
            "one message, tried four times"
        );
        let log = app
            .get(&format!("/api/admin/webhooks/{hook}/deliveries"), &admin)
            .await;
        let delivery = &log.body["deliveries"]["data"][0];
        assert_eq!(delivery["state"], "delivered");
        let statuses: Vec<i64> = delivery["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["status"].as_i64().unwrap())
            .collect();
        assert_eq!(statuses, [200, 500, 500, 500], "newest first");
        assert_eq!(delivery["attempts"][1]["response"], "try again");

        // Resend queues the same body again, as a new message.
        let again = app
            .post(
                &format!(
                    "/api/admin/webhooks/{hook}/deliveries/{}/resend",
                    delivery["uuid"].as_str().unwrap()
                ),
                &admin,
                "",
            )
            .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        assert_ne!(again.body["delivery"]["uuid"], delivery["uuid"]);
        assert_eq!(again.body["delivery"]["payload"], delivery["payload"]);
        app
    })
    .await;
}

#[tokio::test]
async fn after_a_rotation_both_secrets_sign_for_a_day() {
    on_each_backend(|app| async move {
        let receiver = Receiver::start();
        let admin = app.admin_key().await;
        let (hook, old) = endpoint(&app, &admin, &receiver.url(), json!(["webhook:test"])).await;
        let rotated = app
            .post(
                &format!("/api/admin/webhooks/{hook}/rotate-secret"),
                &admin,
                "",
            )
            .await;
        assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
        let new = rotated.body["secret"].as_str().unwrap().to_owned();
        assert_ne!(new, old);
        assert!(rotated.body["webhook"]["previous_secret_until"].is_string());
        receiver.expect(&[&old, &new], 0, false).await;
        app.post(&format!("/api/admin/webhooks/{hook}/test"), &admin, "")
            .await;
        deliver(&app, &sender(test_webhook_settings()), 5).await;
        let got = receiver.deliveries().await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0]["verifiedWith"], json!([0, 1]));
        let log = app
            .get("/api/admin/activity?event=webhook:update", &admin)
            .await;
        let row = &log.body["activities"]["data"][0];
        assert!(
            !row.to_string().contains(&new) && !row.to_string().contains(&old),
            "no secret in the log"
        );
        app
    })
    .await;
}

#[tokio::test]
async fn a_change_that_rolls_back_sends_nothing() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let receiver = Receiver::start();
        endpoint(&app, &admin, &receiver.url(), json!(["user:*"])).await;
        let victim = app.user("kept", false, None).await;
        // The database refuses the deletion's message, as it might refuse anything in the
        // transaction: the deletion must not land without it.
        let refuse = match app.backend {
            "sqlite" => vec![
                "CREATE TRIGGER refuse_delete BEFORE INSERT ON webhook_deliveries \
                 WHEN NEW.event = 'user:delete' BEGIN SELECT RAISE(ABORT, 'refused'); END",
            ],
            _ => vec![
                "CREATE FUNCTION refuse_delete() RETURNS trigger AS $$ BEGIN \
                 IF NEW.event = 'user:delete' THEN RAISE EXCEPTION 'refused'; END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql",
                "CREATE TRIGGER refuse_delete BEFORE INSERT ON webhook_deliveries \
                 FOR EACH ROW EXECUTE FUNCTION refuse_delete()",
            ],
        };
        for statement in refuse {
            on_pool!(app, pool => {
                sqlx::query(statement).execute(pool).await.map(|_| ())
            })
            .expect("the trigger is made");
        }
        let refused = app.delete(&format!("/api/admin/users/{}", victim.uuid), &admin).await;
        assert_eq!(refused.status, StatusCode::INTERNAL_SERVER_ERROR);
        let still = app.get(&format!("/api/admin/users/{}", victim.uuid), &admin).await;
        assert_eq!(still.status, StatusCode::OK, "the user stays");
        let log = app.get("/api/admin/activity?event=user:delete", &admin).await;
        assert_eq!(log.body["activities"]["total"], 0, "nor is the deletion logged");
        let waiting = on_pool!(app, pool => {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM webhook_deliveries WHERE event = 'user:delete'")
                .fetch_one(pool)
                .await
        })
        .unwrap();
        assert_eq!(waiting, 0);
        app
    })
    .await;
}

#[tokio::test]
async fn two_instances_never_send_the_same_attempt() {
    on_each_backend(|app| async move {
        let receiver = Receiver::start();
        let admin = app.admin_key().await;
        let mut hooks = Vec::new();
        for _ in 0..4 {
            let (hook, secret) =
                endpoint(&app, &admin, &receiver.url(), json!(["webhook:test"])).await;
            hooks.push((hook, secret));
        }
        let secrets: Vec<&str> = hooks.iter().map(|(_, s)| s.as_str()).collect();
        receiver.expect(&secrets, 0, false).await;
        for (hook, _) in &hooks {
            for _ in 0..5 {
                app.post(&format!("/api/admin/webhooks/{hook}/test"), &admin, "")
                    .await;
            }
        }
        let other = app.another_instance().await;
        let one = sender(test_webhook_settings());
        let two = sender(test_webhook_settings());
        for _ in 0..12 {
            let (a, b) = tokio::join!(
                app.core.deliver_due_webhooks(&one),
                other.core.deliver_due_webhooks(&two)
            );
            // A round may lose a race for the database on SQLite; the next one goes on.
            let _ = (a, b);
            if pending(&app).await == 0 {
                break;
            }
        }
        let got = receiver.deliveries().await;
        assert_eq!(got.len(), 20, "{got:?}");
        let ids: std::collections::HashSet<&str> =
            got.iter().map(|d| d["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 20, "no message twice");
        assert!(
            got.iter()
                .all(|d| d["verifiedWith"].as_array().unwrap().len() == 1)
        );
        other.finish().await;
        app
    })
    .await;
}

#[tokio::test]
async fn inner_addresses_are_refused_unless_listed() {
    let mut options = common::TestOptions::default();
    options.webhooks.allow_http = false;
    on_each_backend_with(options, |app| async move {
        let receiver = Receiver::start();
        let admin = app.admin_key().await;
        let plain = json!({"url": receiver.url(), "events": ["*"]}).to_string();
        app.post("/api/admin/webhooks", &admin, &plain)
            .await
            .assert_error(400, &["url: must start with https:// (plain http needs ROSTER_WEBHOOK_ALLOW_HTTP=true)"]);
        let private = WebhookSettings {
            allow_http: true,
            allow_hosts: Vec::new(),
            ..test_webhook_settings()
        };
        // Made where plain http is allowed, then sent by a worker with no allow-list.
        let made = on_pool!(app, pool => {
            sqlx::query(
                "INSERT INTO webhook_endpoints (uuid, url, description, events, enabled, secret, created) \
                 VALUES ($1, $2, '', '[\"*\"]', TRUE, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', $3), \
                 ($4, $5, '', '[\"*\"]', TRUE, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', $3)",
            )
            .bind(uuid::Uuid::new_v4())
            .bind(receiver.url())
            .bind(chrono::Utc::now())
            .bind(uuid::Uuid::new_v4())
            .bind(format!("http://localhost:{}/hook", receiver.port))
            .execute(pool)
            .await
            .map(|_| ())
        });
        made.expect("endpoints are made");
        receiver.expect(&["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"], 0, false).await;
        app.role("Announced", &[]).await;
        app.core.deliver_due_webhooks(&sender(private)).await.unwrap();
        assert_eq!(receiver.deliveries().await, Vec::<Value>::new(), "nothing reached the receiver");
        let responses = on_pool!(app, pool => {
            sqlx::query_as::<_, (Option<i32>, String)>("SELECT status, response FROM webhook_attempts ORDER BY response")
                .fetch_all(pool)
                .await
        })
        .unwrap();
        assert_eq!(
            responses,
            [
                (None, "127.0.0.1 is an address webhooks may not reach".to_owned()),
                (None, "error sending request: client error (Connect): dns error: localhost resolves only to addresses webhooks may not reach".to_owned()),
            ]
        );
        app
    })
    .await;
}

#[tokio::test]
async fn webhooks_need_their_permissions() {
    on_each_backend(|app| async move {
        let admin = app.admin_principal().await;
        let reader = Auth::Key(app.key_for(&admin.user, &["users.read"]).await);
        app.get("/api/admin/webhooks", &reader).await.assert_error(
            403,
            &["you do not have permission to perform this action: webhooks.read"],
        );
        let read_only = Auth::Key(app.key_for(&admin.user, &["webhooks.read"]).await);
        let body =
            json!({"url": "https://hooks.example.com/roster", "events": ["user:*"]}).to_string();
        app.post("/api/admin/webhooks", &read_only, &body)
            .await
            .assert_error(
                403,
                &["you do not have permission to perform this action: webhooks.create"],
            );
        let all = app.admin_key().await;
        let bad = json!({"url": "https://hooks.example.com", "events": ["users:*"]}).to_string();
        app.post("/api/admin/webhooks", &all, &bad)
            .await
            .assert_error(400, &["events: unknown event `users:*`"]);
        app
    })
    .await;
}

#[tokio::test]
async fn an_endpoint_failing_past_its_time_is_turned_off_and_its_maker_told() {
    on_each_backend(|app| async move {
        let receiver = Receiver::start();
        let admin = app.admin_key().await;
        let (hook, secret) = endpoint(&app, &admin, &receiver.url(), json!(["webhook:test"])).await;
        receiver.expect(&[&secret], 1, false).await;
        app.post(&format!("/api/admin/webhooks/{hook}/test"), &admin, "")
            .await;
        let impatient = WebhookSettings {
            give_up_after: chrono::Duration::zero(),
            ..test_webhook_settings()
        };
        app.core
            .deliver_due_webhooks(&sender(impatient))
            .await
            .unwrap();
        let webhook = app
            .get(&format!("/api/admin/webhooks/{hook}"), &admin)
            .await;
        assert_eq!(webhook.body["webhook"]["enabled"], false);
        assert!(webhook.body["webhook"]["failing_since"].is_string());
        let log = app
            .get(&format!("/api/admin/webhooks/{hook}/deliveries"), &admin)
            .await;
        assert_eq!(log.body["deliveries"]["data"][0]["state"], "failed");
        let mail = on_pool!(app, pool => {
            sqlx::query_as::<_, (String, String)>("SELECT recipient, subject FROM mail_outbox")
                .fetch_all(pool)
                .await
        })
        .unwrap();
        assert_eq!(
            mail,
            [(
                "root@example.com".to_owned(),
                "A Roster webhook was turned off".to_owned()
            )]
        );
        // On again, its failing streak starts over.
        let on = app
            .patch(
                &format!("/api/admin/webhooks/{hook}"),
                &admin,
                r#"{"enabled": true}"#,
            )
            .await;
        assert_eq!(on.body["webhook"]["enabled"], true);
        assert_eq!(on.body["webhook"]["failing_since"], Value::Null);
        app
    })
    .await;
}
