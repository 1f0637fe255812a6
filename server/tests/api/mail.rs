//! Mail through a real SMTP conversation: `send_email`, password reset by link, the admin's
//! trigger, and an outbox that survives restarts and is delivered once by many workers.

use crate::common;

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use common::{Auth, PASSWORD, TestApp, on_each_backend};
use roster::Core;
use roster::services::mail::{MailSettings, Mailer};
use roster::store::Database;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A small SMTP server that keeps every message it receives.
struct SmtpInbox {
    address: std::net::SocketAddr,
    messages: Arc<Mutex<Vec<String>>>,
}

impl SmtpInbox {
    async fn start() -> Self {
        Self::start_slow(std::time::Duration::ZERO).await
    }

    /// A server that takes `delay` to accept each message, as a loaded one does.
    async fn start_slow(delay: std::time::Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let address = listener.local_addr().expect("address");
        let messages = Arc::new(Mutex::new(Vec::new()));
        let store = messages.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 inbox.test ESMTP\r\n").await;
                    while let Ok(Some(line)) = lines.next_line().await {
                        let verb = line
                            .split_whitespace()
                            .next()
                            .unwrap_or("")
                            .to_ascii_uppercase();
                        let reply: &[u8] = match verb.as_str() {
                            "EHLO" => b"250-inbox.test\r\n250 8BITMIME\r\n",
                            "DATA" => {
                                let _ = write.write_all(b"354 go ahead\r\n").await;
                                let mut message = String::new();
                                while let Ok(Some(data)) = lines.next_line().await {
                                    if data == "." {
                                        break;
                                    }
                                    message.push_str(&data);
                                    message.push('\n');
                                }
                                tokio::time::sleep(delay).await;
                                store.lock().expect("inbox").push(message);
                                b"250 queued\r\n"
                            }
                            "QUIT" => {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                break;
                            }
                            _ => b"250 ok\r\n",
                        };
                        let _ = write.write_all(reply).await;
                    }
                });
            }
        });
        Self { address, messages }
    }

    fn mailer(&self) -> Mailer {
        Mailer::new(
            &format!("smtp://{}", self.address),
            "Roster <roster@example.com>",
        )
        .expect("valid SMTP settings")
    }

    fn received(&self) -> Vec<String> {
        self.messages.lock().expect("inbox").clone()
    }
}

/// The reset link in a received message (quoted-printable decoded).
fn link_in(message: &str) -> String {
    let decoded = message.replace("=\n", "").replace("=3D", "=");
    let start = decoded.find("http://").expect("a link");
    decoded[start..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .next()
        .expect("link text")
        .to_owned()
}

fn token_of(link: &str) -> String {
    link.split_once("token=").expect("a token").1.to_owned()
}

async fn reset(app: &TestApp, token: &str, password: &str) -> common::Reply {
    let body = json!({ "token": token, "password": password }).to_string();
    app.post("/api/auth/password/reset", &Auth::None, &body)
        .await
}

async fn sign_in(app: &TestApp, user: &str, password: &str) -> StatusCode {
    let body = json!({ "user": user, "password": password }).to_string();
    app.post("/api/auth/login", &Auth::None, &body).await.status
}

#[tokio::test]
async fn send_email_on_create_mails_a_link_that_sets_the_password_once() {
    on_each_backend(|app| async move {
        let inbox = SmtpInbox::start().await;
        let admin = app.admin_key().await;
        let customer = json!({
            "username": "customer", "email": "customer@example.com", "name_first": "Cu",
            "name_last": "Stomer", "send_email": true,
        });
        let reply = app
            .post("/api/admin/users", &admin, &customer.to_string())
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["user"]["has_password"], false);

        assert_eq!(app.core.deliver_due_mail(&inbox.mailer()).await.unwrap(), 1);
        assert_eq!(app.core.deliver_due_mail(&inbox.mailer()).await.unwrap(), 0);
        let received = inbox.received();
        assert_eq!(received.len(), 1);
        assert!(
            received[0].contains("To: customer@example.com"),
            "{}",
            received[0]
        );
        assert!(
            received[0].contains("Subject: Your Roster account"),
            "{}",
            received[0]
        );
        let link = link_in(&received[0]);
        assert!(
            link.starts_with("http://127.0.0.1:3000/reset-password?token="),
            "{link}"
        );

        let token = token_of(&link);
        let reply = reset(&app, &token, "my chosen password").await;
        assert_eq!((reply.status, reply.body), (StatusCode::OK, json!({})));
        assert_eq!(
            sign_in(&app, "customer", "my chosen password").await,
            StatusCode::OK
        );
        reset(&app, &token, "another password")
            .await
            .assert_error(400, &["invalid or expired token"]);
        reset(&app, &token, "short")
            .await
            .assert_error(400, &["password: length is lower than 8"]);

        let outbox = app
            .core
            .list_outbox(
                &roster::Principal::operator(),
                roster::domain::page::ListQuery::default(),
            )
            .await
            .unwrap();
        assert_eq!(outbox.total, 1);
        assert!(outbox.data[0].sent.is_some());
        assert!(
            !outbox.data[0].body_text.contains(&token),
            "a sent mail keeps no link"
        );
        app
    })
    .await;
}

#[tokio::test]
async fn forgot_password_answers_alike_and_the_newest_link_wins() {
    on_each_backend(|app| async move {
        let inbox = SmtpInbox::start().await;
        app.user("forgetful", false, None).await;
        let session = app.session("forgetful").await;
        for email in [
            "forgetful@example.com",
            "nobody@example.com",
            "FORGETFUL@example.com",
        ] {
            let body = json!({ "email": email }).to_string();
            let reply = app
                .post("/api/auth/password/forgot", &Auth::None, &body)
                .await;
            assert_eq!(
                (reply.status, reply.body),
                (StatusCode::OK, json!({})),
                "{email}"
            );
        }
        app.core.settle().await;
        assert_eq!(app.core.deliver_due_mail(&inbox.mailer()).await.unwrap(), 2);
        let links: Vec<String> = inbox.received().iter().map(|m| link_in(m)).collect();
        assert_eq!(links.len(), 2, "no mail for an address without an account");
        reset(&app, &token_of(&links[0]), "replaced link")
            .await
            .assert_error(400, &["invalid or expired token"]);
        let reply = reset(&app, &token_of(&links[1]), "the newest link").await;
        assert_eq!(reply.status, StatusCode::OK);
        app.get("/api/client/account", &session)
            .await
            .assert_error(401, &["invalid session"]);
        assert_eq!(
            sign_in(&app, "forgetful", "the newest link").await,
            StatusCode::OK
        );
        assert_eq!(
            sign_in(&app, "forgetful", PASSWORD).await,
            StatusCode::UNAUTHORIZED
        );
        app
    })
    .await;
}

#[tokio::test]
async fn forgot_password_is_throttled_per_address() {
    on_each_backend(|app| async move {
        let body = json!({ "email": "target@example.com" }).to_string();
        for _ in 0..5 {
            let reply = app
                .post("/api/auth/password/forgot", &Auth::None, &body)
                .await;
            assert_eq!(reply.status, StatusCode::OK);
        }
        let reply = app
            .post("/api/auth/password/forgot", &Auth::None, &body)
            .await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
        app.post(
            "/api/auth/password/forgot",
            &Auth::None,
            r#"{"email": "not an address"}"#,
        )
        .await
        .assert_error(400, &["email: invalid email address"]);
        app
    })
    .await;
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    on_each_backend(|app| async move {
        app.user("late", false, None).await;
        let body = json!({ "email": "late@example.com" }).to_string();
        app.post("/api/auth/password/forgot", &Auth::None, &body)
            .await;
        app.core.settle().await;
        let page = app
            .core
            .list_outbox(
                &roster::Principal::operator(),
                roster::domain::page::ListQuery::default(),
            )
            .await
            .unwrap();
        let token = token_of(&link_in(&page.data[0].body_text));
        let past = chrono::Utc::now() - chrono::Duration::minutes(1);
        let sql = "UPDATE password_tokens SET expires = $1";
        match app.core.database() {
            Database::Sqlite(pool) => sqlx::query(sql).bind(past).execute(pool).await.map(|_| ()),
            Database::Postgres(pool) => sqlx::query(sql).bind(past).execute(pool).await.map(|_| ()),
        }
        .expect("expiry moved back");
        reset(&app, &token, "too late now")
            .await
            .assert_error(400, &["invalid or expired token"]);
        assert_eq!(app.core.purge_expired_tokens().await.unwrap(), 1);
        app
    })
    .await;
}

#[tokio::test]
async fn an_admin_sends_a_reset_with_users_email_and_authority_over_the_user() {
    on_each_backend(|app| async move {
        let root = app.admin_principal().await.user;
        let plain = app.user("plain", false, None).await;
        let chief = app.user("chief", true, None).await;
        let path = |uuid: uuid::Uuid| format!("/api/admin/users/{uuid}/email/reset-password");
        let reader = Auth::Key(app.key_for(&root, &["users.read"]).await);
        app.post(&path(plain.uuid), &reader, "{}")
            .await
            .assert_error(
                403,
                &["you do not have permission to perform this action: users.email"],
            );
        let mailer = Auth::Key(app.key_for(&root, &["users.read", "users.email"]).await);
        let reply = app.post(&path(plain.uuid), &mailer, "{}").await;
        assert_eq!(
            (reply.status, reply.body),
            (StatusCode::ACCEPTED, json!({}))
        );
        app.post(&path(chief.uuid), &mailer, "{}")
            .await
            .assert_error(
                403,
                &["you do not have permission to perform this action: users.create"],
            );
        app.post(&path(uuid::Uuid::new_v4()), &mailer, "{}")
            .await
            .assert_error(404, &["user not found"]);
        let outbox = app
            .core
            .list_outbox(
                &roster::Principal::operator(),
                roster::domain::page::ListQuery::default(),
            )
            .await
            .unwrap();
        assert_eq!(outbox.total, 1);
        assert_eq!(outbox.data[0].recipient, "plain@example.com");
        let listed = app.get("/api/admin/mail", &mailer).await;
        listed.assert_error(
            403,
            &["you do not have permission to perform this action: users.create"],
        );
        app
    })
    .await;
}

#[tokio::test]
async fn the_outbox_survives_a_restart_and_two_workers_deliver_each_mail_once() {
    on_each_backend(|app| async move {
        let inbox = SmtpInbox::start().await;
        for i in 0..12 {
            app.user(&format!("queued{i}"), false, None).await;
            let body = json!({ "email": format!("queued{i}@example.com") }).to_string();
            app.post("/api/auth/password/forgot", &Auth::None, &body)
                .await;
            app.core.settle().await;
        }
        let restarted = app.another_instance().await;
        let other = app.another_instance().await;
        let mailer = inbox.mailer();
        let mut sent = 0;
        loop {
            let (a, b) = tokio::join!(
                restarted.core.deliver_due_mail(&mailer),
                other.core.deliver_due_mail(&mailer)
            );
            let round = a.unwrap() + b.unwrap();
            if round == 0 {
                break;
            }
            sent += round;
        }
        assert_eq!(sent, 12);
        let mut recipients: Vec<String> = inbox
            .received()
            .iter()
            .filter_map(|m| {
                m.lines()
                    .find_map(|l| l.strip_prefix("To: ").map(str::to_owned))
            })
            .collect();
        recipients.sort();
        recipients.dedup();
        assert_eq!((inbox.received().len(), recipients.len()), (12, 12));
        for instance in [restarted, other] {
            instance.core.database().close().await;
        }
        app
    })
    .await;
}

#[tokio::test]
async fn a_failed_delivery_is_recorded_and_retried_later() {
    on_each_backend(|app| async move {
        app.user("unlucky", false, None).await;
        let body = json!({ "email": "unlucky@example.com" }).to_string();
        app.post("/api/auth/password/forgot", &Auth::None, &body)
            .await;
        app.core.settle().await;
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let nowhere = Mailer::new(&format!("smtp://{closed}"), "roster@example.com").unwrap();
        assert_eq!(app.core.deliver_due_mail(&nowhere).await.unwrap(), 0);
        let page = app
            .core
            .list_outbox(
                &roster::Principal::operator(),
                roster::domain::page::ListQuery::default(),
            )
            .await
            .unwrap();
        assert_eq!((page.data[0].attempts, page.data[0].sent), (1, None));
        assert!(page.data[0].last_error.is_some());
        let inbox = SmtpInbox::start().await;
        assert_eq!(
            app.core.deliver_due_mail(&inbox.mailer()).await.unwrap(),
            0,
            "backing off"
        );
        app
    })
    .await;
}

#[tokio::test]
async fn two_workers_on_a_slow_server_never_send_a_mail_twice() {
    on_each_backend(|app| async move {
        let inbox = SmtpInbox::start_slow(std::time::Duration::from_millis(400)).await;
        let count = 6;
        for i in 0..count {
            app.user(&format!("patient{i}"), false, None).await;
            let body = json!({ "email": format!("patient{i}@example.com") }).to_string();
            app.post("/api/auth/password/forgot", &Auth::None, &body)
                .await;
        }
        app.core.settle().await;
        // One batch takes longer than a claim holds: the later claims lapse mid-batch.
        let short_claims = |core: Core| {
            core.with_mail_settings(MailSettings {
                claim: chrono::Duration::seconds(1),
                ..MailSettings::default()
            })
        };
        let other = app.another_instance().await;
        let mailer = inbox.mailer();
        let worker = |core: Core| {
            let mailer = mailer.clone();
            async move {
                for _ in 0..100 {
                    core.deliver_due_mail(&mailer).await.expect("a round");
                    let outbox = core
                        .list_outbox(
                            &roster::Principal::operator(),
                            roster::domain::page::ListQuery::default(),
                        )
                        .await
                        .expect("the outbox");
                    if outbox.data.iter().all(|mail| mail.sent.is_some()) {
                        return;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                panic!("the outbox was never delivered");
            }
        };
        futures::future::join(
            worker(short_claims(app.core.clone())),
            worker(short_claims(other.core.clone())),
        )
        .await;
        let mut recipients: Vec<String> = inbox
            .received()
            .iter()
            .map(|message| {
                message
                    .lines()
                    .find_map(|line| line.strip_prefix("To: "))
                    .expect("a recipient")
                    .to_owned()
            })
            .collect();
        assert_eq!(recipients.len(), count, "{recipients:?}");
        recipients.sort();
        recipients.dedup();
        assert_eq!(recipients.len(), count, "each mail once");
        other.core.database().close().await;
        app
    })
    .await;
}
