//! Mail. A use case that causes a mail writes it to the outbox in its own transaction, so a
//! change and its mail stand or fall together; a background worker delivers the outbox over
//! SMTP, claiming a few rows at a time under a token of its own, retrying with backoff and
//! recording the last error. Before each send the worker renews its claim on that one mail,
//! which succeeds only while the claim is still its own, so a slow batch whose later claims
//! lapsed leaves those mails to whoever claimed them next: however many instances run, no mail
//! goes out twice. A stop mid-send loses nothing: the claim lapses and the mail goes out on the
//! next round.

use chrono::{DateTime, Duration, Utc};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use uuid::Uuid;

use super::{Core, now};
use crate::domain::mail::OutboxMail;
use crate::domain::page::{ListQuery, Page};
use crate::error::CoreError;
use crate::principal::Principal;
use crate::store::{Tx, dialect, with_db, with_tx};

/// Stands for the link in stored bodies until the mail is rendered for sending or reading.
const LINK: &str = "{{link}}";
/// How many mails one worker round claims.
const BATCH: i64 = 10;
/// How long a claim holds before another worker may take the mail over: far longer than one
/// send may take (lettre gives up on a server after a minute).
const CLAIM_SECS: i64 = 120;

/// Where links point and who mail comes from.
#[derive(Clone, Debug)]
pub struct MailSettings {
    /// The public URL links start with, without a trailing slash.
    pub public_url: String,
    pub from: String,
    /// How long a worker's claim on a mail holds (see [`CLAIM_SECS`]).
    pub claim: Duration,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:3000".to_owned(),
            from: "Roster <roster@localhost>".to_owned(),
            claim: Duration::seconds(CLAIM_SECS),
        }
    }
}

/// The mails Roster sends.
pub(crate) enum Template<'a> {
    AccountCreated {
        username: &'a str,
    },
    PasswordReset {
        username: &'a str,
    },
    TwoFactorDisabled {
        username: &'a str,
    },
    /// Sent to whoever made a webhook endpoint that failed until it was turned off.
    WebhookDisabled {
        username: &'a str,
        url: &'a str,
    },
    /// Sent to the old address.
    EmailChanged {
        username: &'a str,
        new_email: &'a str,
    },
}

impl Template<'_> {
    /// Subject, plain text and HTML, with [`LINK`] where the link goes.
    fn render(&self) -> (String, String, String) {
        match self {
            Template::AccountCreated { username } => (
                "Your Roster account".to_owned(),
                format!(
                    "Hello {username},\n\nan account was created for you. Choose your password \
                     here (the link works for 24 hours, once):\n\n{LINK}\n"
                ),
                format!(
                    "<p>Hello {},</p><p>an account was created for you. \
                     <a href=\"{LINK}\">Choose your password</a> (the link works for 24 hours, \
                     once).</p>",
                    html_escape::encode_double_quoted_attribute(username)
                ),
            ),
            Template::PasswordReset { username } => (
                "Reset your Roster password".to_owned(),
                format!(
                    "Hello {username},\n\nsomeone asked to reset your password. If it was you, \
                     choose a new one here (the link works for 20 minutes, once):\n\n{LINK}\n\n\
                     If it was not you, ignore this mail: your password stays as it is.\n"
                ),
                format!(
                    "<p>Hello {},</p><p>someone asked to reset your password. If it was you, \
                     <a href=\"{LINK}\">choose a new one</a> (the link works for 20 minutes, \
                     once).</p><p>If it was not you, ignore this mail: your password stays as it \
                     is.</p>",
                    html_escape::encode_double_quoted_attribute(username)
                ),
            ),
            Template::EmailChanged {
                username,
                new_email,
            } => (
                "The email address of your Roster account was changed".to_owned(),
                format!(
                    "Hello {username},\n\nthe email address of your Roster account was changed \
                     to {new_email}; mail for the account goes there from now on. If neither you \
                     nor an administrator you asked did this, ask an administrator to restore it \
                     at once.\n"
                ),
                format!(
                    "<p>Hello {},</p><p>the email address of your Roster account was changed \
                     to {}; mail for the account goes there from now on. If neither you nor an \
                     administrator you asked did this, ask an administrator to restore it at \
                     once.</p>",
                    html_escape::encode_double_quoted_attribute(username),
                    html_escape::encode_double_quoted_attribute(new_email)
                ),
            ),
            Template::WebhookDisabled { username, url } => (
                "A Roster webhook was turned off".to_owned(),
                format!(
                    "Hello {username},\n\nthe webhook endpoint {url} failed every delivery for \
                     three days, so Roster turned it off. Messages for it wait; turn it on again \
                     from the console's Webhooks page once it answers.\n"
                ),
                format!(
                    "<p>Hello {},</p><p>the webhook endpoint {} failed every delivery for three \
                     days, so Roster turned it off. Messages for it wait; turn it on again from \
                     the console's Webhooks page once it answers.</p>",
                    html_escape::encode_double_quoted_attribute(username),
                    html_escape::encode_double_quoted_attribute(url)
                ),
            ),
            Template::TwoFactorDisabled { username } => (
                "Two-factor sign-in was turned off".to_owned(),
                format!(
                    "Hello {username},\n\ntwo-factor sign-in was turned off for your Roster \
                     account. You can sign in with your password alone now; set it up again from \
                     your account page. If neither you nor an administrator you asked did this, \
                     change your password at once.\n"
                ),
                format!(
                    "<p>Hello {},</p><p>two-factor sign-in was turned off for your Roster \
                     account. You can sign in with your password alone now; set it up again from \
                     your account page. If neither you nor an administrator you asked did this, \
                     change your password at once.</p>",
                    html_escape::encode_double_quoted_attribute(username)
                ),
            ),
        }
    }
}

/// A link that carries a password token, and when the token stops working: the outbox keeps it
/// no longer.
pub(crate) struct Link {
    pub url: String,
    pub expires: DateTime<Utc>,
}

/// How long sent mail stays in the outbox for admins to see.
pub const KEEP_SENT_DAYS: i64 = 7;

/// Writes a mail to the outbox inside the caller's transaction.
pub(crate) async fn queue_mail(
    tx: &mut Tx,
    recipient: &str,
    template: Template<'_>,
    link: Option<Link>,
) -> Result<(), CoreError> {
    let (link, link_expires) = match link {
        Some(link) => (Some(link.url), Some(link.expires)),
        None => (None, None),
    };
    let (subject, text, html) = template.render();
    let created = now();
    with_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO mail_outbox (uuid, recipient, subject, body_text, body_html, link, \
             created, next_attempt, link_expires) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(Uuid::new_v4())
        .bind(recipient)
        .bind(subject)
        .bind(text)
        .bind(html)
        .bind(link)
        .bind(created)
        .bind(created)
        .bind(link_expires)
        .execute(conn)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// An SMTP server to deliver through.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// `smtp://host:25`, `smtp://user:pass@host:587?tls=required` or `smtps://user:pass@host:465`.
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("ROSTER_SMTP_URL: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = from
            .parse()
            .map_err(|e| format!("ROSTER_MAIL_FROM `{from}`: {e}"))?;
        Ok(Self { transport, from })
    }

    async fn send(&self, mail: &DueMail) -> Result<(), String> {
        let link = mail.link.as_deref().unwrap_or_default();
        let message = Message::builder()
            .from(self.from.clone())
            .to(mail
                .recipient
                .parse()
                .map_err(|e| format!("recipient: {e}"))?)
            .subject(mail.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                mail.body_text.replace(LINK, link),
                mail.body_html
                    .replace(LINK, &html_escape::encode_double_quoted_attribute(link)),
            ))
            .map_err(|e| format!("message: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

#[derive(sqlx::FromRow)]
struct DueMail {
    uuid: Uuid,
    recipient: String,
    subject: String,
    body_text: String,
    body_html: String,
    link: Option<String>,
    attempts: i64,
}

#[derive(sqlx::FromRow)]
struct OutboxRow {
    uuid: Uuid,
    recipient: String,
    subject: String,
    body_text: String,
    link: Option<String>,
    created: DateTime<Utc>,
    attempts: i64,
    sent: Option<DateTime<Utc>>,
    last_error: Option<String>,
}

/// Waits 30 s after the first failure, doubling up to an hour.
fn backoff(attempts: i64) -> Duration {
    Duration::seconds(30 * 2_i64.pow(attempts.clamp(0, 7) as u32)).min(Duration::hours(1))
}

impl Core {
    /// Delivers what is due; answers how many mails went out.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn deliver_due_mail(&self, mailer: &Mailer) -> Result<usize, CoreError> {
        let claim = Uuid::new_v4();
        let due = self.claim_due_mail(claim).await?;
        let mut sent = 0;
        for mail in due {
            if !self.renew_claim(claim, mail.uuid).await? {
                tracing::debug!(mail = %mail.uuid, "the claim lapsed and the mail is another's now");
                continue;
            }
            let outcome = mailer.send(&mail).await;
            let recorded = match &outcome {
                Ok(()) => {
                    sent += 1;
                    with_db!(&self.db, pool => {
                        sqlx::query(
                            "UPDATE mail_outbox SET sent = $3, link = NULL, claimed_until = NULL, \
                             claim_token = NULL, attempts = attempts + 1, last_error = NULL \
                             WHERE uuid = $1 AND claim_token = $2",
                        )
                        .bind(mail.uuid)
                        .bind(claim)
                        .bind(now())
                        .execute(pool)
                        .await
                        .map(|r| r.rows_affected())
                    })?
                }
                Err(error) => {
                    tracing::warn!(mail = %mail.uuid, %error, "mail delivery failed; will retry");
                    with_db!(&self.db, pool => {
                        sqlx::query(
                            "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt = $3, \
                             claimed_until = NULL, claim_token = NULL, last_error = $4 \
                             WHERE uuid = $1 AND claim_token = $2",
                        )
                        .bind(mail.uuid)
                        .bind(claim)
                        .bind(now() + backoff(mail.attempts))
                        .bind(error.chars().take(500).collect::<String>())
                        .execute(pool)
                        .await
                        .map(|r| r.rows_affected())
                    })?
                }
            };
            if recorded == 0 {
                tracing::warn!(mail = %mail.uuid, "a mail's claim lapsed while it was being sent");
            }
        }
        Ok(sent)
    }

    /// Extends this worker's claim on one mail just before it is sent; false when the claim is
    /// no longer its own (it lapsed, and another worker took the mail over).
    async fn renew_claim(&self, claim: Uuid, mail: Uuid) -> Result<bool, CoreError> {
        let renewed = with_db!(&self.db, pool => {
            sqlx::query(
                "UPDATE mail_outbox SET claimed_until = $3 \
                 WHERE uuid = $1 AND claim_token = $2 AND sent IS NULL AND claimed_until > $4",
            )
            .bind(mail)
            .bind(claim)
            .bind(now() + self.mail.claim)
            .bind(now())
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(renewed == 1)
    }

    /// Marks up to [`BATCH`] due mails as this worker's (`claim`) for a while and answers them.
    /// On PostgreSQL rows another worker is claiming are skipped, not waited for. A round that
    /// finds nothing due writes nothing.
    async fn claim_due_mail(&self, claim: Uuid) -> Result<Vec<DueMail>, CoreError> {
        let at = now();
        let mut tx = self.upkeep().await?;
        let sql = format!(
            "SELECT uuid, recipient, subject, body_text, body_html, link, attempts \
             FROM mail_outbox WHERE sent IS NULL AND next_attempt <= $1 \
             AND (link_expires IS NULL OR link_expires > $1) \
             AND (claimed_until IS NULL OR claimed_until <= $1) \
             ORDER BY created LIMIT {BATCH}{}",
            dialect::skip_locked(tx.backend())
        );
        let due = with_tx!(&mut tx, conn => {
            sqlx::query_as::<_, DueMail>(&sql).bind(at).fetch_all(conn).await
        })?;
        if due.is_empty() {
            return Ok(due);
        }
        for mail in &due {
            with_tx!(&mut tx, conn => {
                sqlx::query(
                    "UPDATE mail_outbox SET claimed_until = $2, claim_token = $3 WHERE uuid = $1",
                )
                .bind(mail.uuid)
                .bind(at + self.mail.claim)
                .bind(claim)
                .execute(conn)
                .await
                .map(|_| ())
            })?;
        }
        tx.commit().await?;
        Ok(due)
    }

    /// Keeps the outbox small and its secrets short-lived: sent mail goes after
    /// [`KEEP_SENT_DAYS`], and mail whose link stopped working before it could be sent goes
    /// with its link (it would only deliver a dead one). The server runs it periodically.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn purge_mail(&self) -> Result<u64, CoreError> {
        let at = now();
        let dead_links = with_db!(&self.db, pool => {
            sqlx::query("DELETE FROM mail_outbox WHERE link_expires <= $1 AND sent IS NULL")
                .bind(at)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        let sent = self
            .delete_up_to("mail_outbox", "sent", at - Duration::days(KEEP_SENT_DAYS))
            .await?;
        Ok(dead_links + sent)
    }

    /// The outbox, newest first. Waiting mail shows its link, which carries a password token:
    /// only a caller holding every permission reads it.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn list_outbox(
        &self,
        principal: &Principal,
        query: ListQuery,
    ) -> Result<Page<OutboxMail>, CoreError> {
        principal.require_global(crate::error::Guardrail::ReadOutbox)?;
        self.outbox_page(query).await
    }

    async fn outbox_page(&self, query: ListQuery) -> Result<Page<OutboxMail>, CoreError> {
        let total = with_db!(&self.db, pool => {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM mail_outbox")
                .fetch_one(pool)
                .await
        })?;
        let sql = format!(
            "SELECT uuid, recipient, subject, body_text, link, created, attempts, sent, \
             last_error FROM mail_outbox ORDER BY created DESC, uuid LIMIT {} OFFSET {}",
            query.limit(),
            query.offset()
        );
        let rows = with_db!(&self.db, pool => {
            sqlx::query_as::<_, OutboxRow>(&sql).fetch_all(pool).await
        })?;
        Ok(Page {
            total,
            per_page: query.per_page,
            page: query.page,
            data: rows
                .into_iter()
                .map(|row| OutboxMail {
                    body_text: row
                        .body_text
                        .replace(LINK, row.link.as_deref().unwrap_or("(link sent)")),
                    uuid: row.uuid,
                    recipient: row.recipient,
                    subject: row.subject,
                    created: row.created,
                    attempts: row.attempts,
                    sent: row.sent,
                    last_error: row.last_error,
                })
                .collect(),
        })
    }
}
