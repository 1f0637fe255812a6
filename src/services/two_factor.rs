//! Two-factor sign-in with TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps). A user enrols
//! from their own signed-in session, confirming with a current code and their password, and
//! gets ten single-use recovery codes. Sign-in then takes two steps: the password answers a
//! short-lived challenge token, the code (or a recovery code) opens the session. No code is
//! accepted twice: the step of the last accepted code is kept.

use crate::error::Refusal;
use chrono::{Duration, Utc};
use rand::Rng;
use rand::rngs::OsRng;
use totp_rs::{Algorithm, TOTP};
use uuid::Uuid;

use super::account::end_after_credential_change;
use super::activity::{Changes, Target};
use super::auth::{ClientInfo, Session};
use super::credentials::Narrowed;
use super::mail::{Template, queue_mail};
use super::throttle::Step;
use super::{Core, now};
use crate::domain::activity::Event;
use crate::domain::two_factor::TwoFactorSetup;
use crate::domain::user::User;
use crate::error::{CoreError, Entity, Guardrail};
use crate::permission::Permission;
use crate::principal::Principal;
use crate::secret::{digests_match, random_token, sha256_hex};
use crate::store::{with_db, with_tx};

/// How long the token between the password and the code step lives.
pub const CHALLENGE_MINUTES: i64 = 5;
const RECOVERY_CODES: usize = 10;
const RECOVERY_CODE_LEN: usize = 10;
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

fn totp(secret: Vec<u8>, account: &str) -> TOTP {
    TOTP::new_unchecked(
        Algorithm::SHA1,
        6,
        1,
        30,
        secret,
        Some("Roster".to_owned()),
        account.to_owned(),
    )
}

fn decode_secret(base32: &str) -> Result<Vec<u8>, CoreError> {
    totp_rs::Secret::Encoded(base32.to_owned())
        .to_bytes()
        .map_err(|_| CoreError::internal("BUG: a stored TOTP secret is not base32"))
}

/// The time step `code` belongs to, when it is right within one step of now.
fn matching_step(secret: &[u8], code: &str) -> Option<i64> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret.to_vec(), "check");
    let now = Utc::now().timestamp();
    [-1_i64, 0, 1].into_iter().find_map(|delta| {
        let time = now + delta * 30;
        digests_match(&totp.generate(time as u64), code).then_some(time / 30)
    })
}

fn new_recovery_code() -> String {
    let mut rng = OsRng;
    (0..RECOVERY_CODE_LEN)
        .map(|_| RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())] as char)
        .collect()
}

fn totp_change(before: bool, after: bool) -> Changes {
    Changes::between(
        serde_json::json!({ "totp_enabled": before }),
        serde_json::json!({ "totp_enabled": after }),
    )
}

#[derive(sqlx::FromRow)]
struct SecretRow {
    totp_secret: Option<String>,
    totp_enabled: bool,
    password_hash: Option<String>,
}

impl Core {
    async fn secret_row(&self, user: Uuid) -> Result<SecretRow, CoreError> {
        with_db!(&self.db, pool => {
            sqlx::query_as::<_, SecretRow>(
                "SELECT totp_secret, totp_enabled, password_hash FROM users WHERE uuid = $1",
            )
            .bind(user)
            .fetch_optional(pool)
            .await
        })?
        .ok_or(CoreError::Refused(Refusal::NotFound(Entity::User)))
    }

    /// Accepts a TOTP code of `user` at most once, or spends one of their recovery codes.
    async fn accept_code(&self, user: Uuid, secret: &[u8], code: &str) -> Result<bool, CoreError> {
        let code = code.trim();
        if let Some(step) = matching_step(secret, code) {
            let accepted = with_db!(&self.db, pool => {
                sqlx::query(
                    "UPDATE users SET totp_last_step = $2 WHERE uuid = $1 \
                     AND (totp_last_step IS NULL OR totp_last_step < $2)",
                )
                .bind(user)
                .bind(step)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
            })?;
            return Ok(accepted == 1);
        }
        if code.len() != RECOVERY_CODE_LEN {
            return Ok(false);
        }
        let spent = with_db!(&self.db, pool => {
            sqlx::query("DELETE FROM recovery_codes WHERE user_uuid = $1 AND code_hash = $2")
                .bind(user)
                .bind(sha256_hex(&code.to_lowercase()))
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(spent == 1)
    }

    /// A change to two-factor sign-in, confirmed in person by the password and a code of the
    /// secret: from a session, the pair counted as one guess of the confirming step.
    async fn confirm(
        &self,
        principal: &Principal,
        row: &SecretRow,
        code: &str,
        password: String,
    ) -> Result<(), CoreError> {
        principal.require_session()?;
        let user = principal.user.uuid;
        let secret = row
            .totp_secret
            .as_deref()
            .ok_or(CoreError::Refused(Refusal::TwoFactorNotStarted))?;
        let judged = self
            .judge_confirming_password(principal, row.password_hash.clone(), password)
            .await?;
        let Some(attempt) = judged else {
            return Err(CoreError::invalid_field("password", "incorrect"));
        };
        if !self
            .accept_code(user, &decode_secret(secret)?, code)
            .await?
        {
            return Err(CoreError::invalid_field("code", "incorrect"));
        }
        self.guess_succeeded(attempt).await
    }

    /// Starts enrolment: a new secret for the signed-in user, not yet in force.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn begin_two_factor(
        &self,
        principal: &Principal,
    ) -> Result<TwoFactorSetup, CoreError> {
        principal.require_session()?;
        principal.require_own_name()?;
        if principal.user.totp_enabled {
            return Err(CoreError::Refused(Refusal::TwoFactorEnabled));
        }
        principal.require_unfrozen()?;
        // 160 bits, as RFC 4226 recommends.
        let mut bytes = vec![0u8; 20];
        rand::RngCore::fill_bytes(&mut OsRng, &mut bytes);
        let totp = totp(bytes, &principal.user.username);
        let base32 = totp.get_secret_base32();
        with_db!(&self.db, pool => {
            sqlx::query("UPDATE users SET totp_secret = $2 WHERE uuid = $1 AND totp_enabled = FALSE")
                .bind(principal.user.uuid)
                .bind(&base32)
                .execute(pool)
                .await
                .map(|_| ())
        })?;
        Ok(TwoFactorSetup {
            otp_url: totp.get_url(),
            secret: base32,
        })
    }

    /// Puts two-factor sign-in in force once a current code and the password confirm it;
    /// answers the recovery codes, shown this once.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn enable_two_factor(
        &self,
        principal: &Principal,
        code: &str,
        password: String,
    ) -> Result<Vec<String>, CoreError> {
        principal.require_session()?;
        principal.require_own_name()?;
        let user = principal.user.uuid;
        let row = self.secret_row(user).await?;
        if row.totp_enabled {
            return Err(CoreError::Refused(Refusal::TwoFactorEnabled));
        }
        principal.require_unfrozen()?;
        self.confirm(principal, &row, code, password).await?;
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
        let mut tx = self.write(principal).await?;
        with_tx!(&mut tx, conn => {
            sqlx::query("DELETE FROM recovery_codes WHERE user_uuid = $1")
                .bind(user)
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        for code in &codes {
            with_tx!(&mut tx, conn => {
                sqlx::query("INSERT INTO recovery_codes (user_uuid, code_hash) VALUES ($1, $2)")
                    .bind(user)
                    .bind(sha256_hex(code))
                    .execute(conn)
                    .await
                    .map(|_| ())
            })?;
        }
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE users SET totp_enabled = TRUE WHERE uuid = $1")
                .bind(user)
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        end_after_credential_change(&mut tx, user, principal.session_uuid()).await?;
        let target = Some(Target::user(&principal.user));
        let changes = totp_change(false, true);
        tx.record(Event::TwoFactorEnable, target, changes).await?;
        tx.narrows(Narrowed::User(user));
        tx.commit().await?;
        Ok(codes)
    }

    /// The user turns two-factor sign-in off, with a code and their password.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn disable_two_factor(
        &self,
        principal: &Principal,
        code: &str,
        password: String,
    ) -> Result<(), CoreError> {
        principal.require_session()?;
        principal.require_own_name()?;
        let user = principal.user.uuid;
        let row = self.secret_row(user).await?;
        if !row.totp_enabled {
            return Err(CoreError::Refused(Refusal::TwoFactorNotStarted));
        }
        principal.require_unfrozen()?;
        self.confirm(principal, &row, code, password).await?;
        self.clear_two_factor(principal, &principal.user, Event::TwoFactorDisable)
            .await
    }

    /// An admin turns a user's two-factor sign-in off (`users.disable-two-factor`, with
    /// authority over the user); the user is told by mail. Nobody turns off their own this way:
    /// that is done in person, with a code and the password.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn reset_two_factor(
        &self,
        principal: &Principal,
        uuid: Uuid,
    ) -> Result<(), CoreError> {
        let user = self
            .user_under_authority(principal, uuid, Permission::UsersDisableTwoFactor)
            .await?;
        if user.uuid == principal.user.uuid {
            return Err(CoreError::Refused(Refusal::Guardrail(
                Guardrail::OwnCredentials,
            )));
        }
        self.clear_two_factor(principal, &user, Event::UserTwoFactorReset)
            .await
    }

    /// Turns two-factor sign-in off and tells the user by mail, whoever did it: a user who did
    /// not learns of it, the one who did has a record. It is a credential change. An admin's
    /// reset removes the user's security keys too: whoever lost their authenticator starts over.
    async fn clear_two_factor(
        &self,
        principal: &Principal,
        user: &User,
        event: Event,
    ) -> Result<(), CoreError> {
        let uuid = user.uuid;
        let mut tx = self.write(principal).await?;
        let keys_removed = if event == Event::UserTwoFactorReset {
            with_tx!(&mut tx, conn => {
                sqlx::query("DELETE FROM user_security_keys WHERE user_uuid = $1")
                    .bind(uuid)
                    .execute(conn)
                    .await
                    .map(|r| r.rows_affected())
            })?
        } else {
            0
        };
        with_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE users SET totp_enabled = FALSE, totp_secret = NULL, totp_last_step = NULL \
                 WHERE uuid = $1",
            )
            .bind(uuid)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        with_tx!(&mut tx, conn => {
            sqlx::query("DELETE FROM recovery_codes WHERE user_uuid = $1")
                .bind(uuid)
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        let keep = principal
            .session_uuid()
            .filter(|_| principal.user.uuid == uuid);
        end_after_credential_change(&mut tx, uuid, keep).await?;
        let template = Template::TwoFactorDisabled {
            username: &user.username,
        };
        queue_mail(&mut tx, &user.email, template, None).await?;
        let mut changes = totp_change(user.totp_enabled, false);
        if keys_removed > 0 {
            changes = changes.with_detail("security_keys_removed", serde_json::json!(keys_removed));
        }
        let target = Some(Target::user(user));
        tx.record(event, target, changes).await?;
        tx.narrows(Narrowed::User(uuid));
        tx.commit().await?;
        Ok(())
    }

    /// The token a sign-in gets when its password was right and a code must follow.
    pub(crate) async fn challenge(&self, user: Uuid) -> Result<String, CoreError> {
        let token = random_token();
        with_db!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO sign_in_challenges (token_hash, user_uuid, expires) VALUES ($1, $2, $3)",
            )
            .bind(sha256_hex(&token))
            .bind(user)
            .bind(now() + Duration::minutes(CHALLENGE_MINUTES))
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        Ok(token)
    }

    /// The second step of a sign-in: the challenge token and a code open a session. Counted by
    /// the sign-in throttle like a password.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn complete_sign_in(
        &self,
        token: &str,
        code: &str,
        client: ClientInfo,
    ) -> Result<Session, CoreError> {
        let user = self.challenged_user(token).await?;
        let attempt = self
            .count_guess(Step::Code, &user.to_string(), client.ip.as_deref())
            .await?;
        let row = self.secret_row(user).await?;
        let secret = row
            .totp_secret
            .as_deref()
            .filter(|_| row.totp_enabled)
            .ok_or(CoreError::Refused(Refusal::InvalidTwoFactor))?;
        if !self
            .accept_code(user, &decode_secret(secret)?, code)
            .await?
        {
            self.record_failed_sign_in(Event::TwoFactorFailed, Some(user), &client)
                .await?;
            return Err(CoreError::Refused(Refusal::InvalidTwoFactor));
        }
        self.spend_challenge(token).await?;
        self.guess_succeeded(attempt).await?;
        let user = self.load_user(user).await?;
        if user.suspended {
            return Err(CoreError::Refused(Refusal::Suspended));
        }
        self.open_session(user, client).await
    }

    /// The user whose password step gave `token`, while it lasts.
    pub(crate) async fn challenged_user(&self, token: &str) -> Result<Uuid, CoreError> {
        with_db!(&self.db, pool => {
            sqlx::query_scalar::<_, Uuid>(
                "SELECT user_uuid FROM sign_in_challenges WHERE token_hash = $1 AND expires > $2",
            )
            .bind(sha256_hex(token))
            .bind(now())
            .fetch_optional(pool)
            .await
        })?
        .ok_or(CoreError::Refused(Refusal::InvalidTwoFactor))
    }

    /// Spends the password step's token: it opens one session at most.
    pub(crate) async fn spend_challenge(&self, token: &str) -> Result<(), CoreError> {
        let spent = with_db!(&self.db, pool => {
            sqlx::query("DELETE FROM sign_in_challenges WHERE token_hash = $1")
                .bind(sha256_hex(token))
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        if spent == 0 {
            return Err(CoreError::Refused(Refusal::InvalidTwoFactor));
        }
        Ok(())
    }

    /// Deletes challenges past their life; the server runs it periodically.
    pub async fn purge_expired_challenges(&self) -> Result<u64, CoreError> {
        self.delete_up_to("sign_in_challenges", "expires", now())
            .await
    }
}
