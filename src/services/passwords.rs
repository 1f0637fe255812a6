//! Setting a password by link: the account-created mail of `send_email`, a user's "forgot
//! password", an admin's "send password reset". A token is 256 random bits, kept only as its
//! SHA-256, single use, and replaced by the next one; using it ends every session of the user.

use crate::error::Refusal;
use chrono::Duration;
use uuid::Uuid;

use super::account::set_password;
use super::activity::{Actor, Changes, Target};
use super::credentials::Narrowed;
use super::mail::{Link, Template, queue_mail};
use super::throttle::network;
use super::write::Write;
use super::{Core, now, user_for_update};
use crate::domain::activity::Event;
use crate::domain::fields::{Email, Password};
use crate::domain::user::User;
use crate::error::CoreError;
use crate::permission::Permission;
use crate::principal::Principal;
use crate::secret::{random_token, sha256_hex};
use crate::services::ClientInfo;
use crate::store::{Tx, with_db, with_tx};

/// `POST /api/auth/password/forgot` as sent.
#[derive(utoipa::ToSchema, Clone, Debug, Default, serde::Deserialize)]
pub struct ForgotPasswordRequest {
    #[schema(min_length = 3, max_length = 255, format = Email)]
    pub email: String,
}

/// `POST /api/auth/password/reset` as sent.
#[derive(utoipa::ToSchema, Clone, Default, serde::Deserialize)]
pub struct ResetPasswordRequest {
    #[schema(min_length = 1)]
    pub token: String,
    #[schema(min_length = 8, max_length = 512)]
    pub password: String,
}

/// A valid reset: the token as sent, the password by the core's rules.
pub struct PasswordReset {
    pub token: String,
    pub password: Password,
}

impl TryFrom<ResetPasswordRequest> for PasswordReset {
    type Error = CoreError;

    fn try_from(request: ResetPasswordRequest) -> Result<Self, Self::Error> {
        let password = Password::parse(request.password)
            .map_err(|reason| CoreError::invalid_field("password", reason))?;
        Ok(PasswordReset {
            token: request.token,
            password,
        })
    }
}

/// How long a reset link works.
pub const RESET_TOKEN_MINUTES: i64 = 20;
/// How long the link of a new account's first mail works: people read mail later than they
/// ask for resets.
pub const WELCOME_TOKEN_HOURS: i64 = 24;
/// Reset requests one client may make per throttle window, and one address may receive.
const FORGOT_PER_CLIENT: i64 = 20;
const FORGOT_PER_ADDRESS: i64 = 5;

/// Issues a new token for `user`, replacing any earlier one, and answers its link.
pub(crate) async fn issue_token(
    tx: &mut Tx,
    public_url: &str,
    user: Uuid,
    lifetime: Duration,
) -> Result<Link, CoreError> {
    let token = random_token();
    let created = now();
    with_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO password_tokens (user_uuid, token_hash, created, expires) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (user_uuid) DO UPDATE SET \
             token_hash = excluded.token_hash, created = excluded.created, \
             expires = excluded.expires",
        )
        .bind(user)
        .bind(sha256_hex(&token))
        .bind(created)
        .bind(created + lifetime)
        .execute(conn)
        .await
        .map(|_| ())
    })?;
    Ok(Link {
        url: format!("{public_url}/reset-password?token={token}"),
        expires: created + lifetime,
    })
}

/// Queues the account-created mail with a set-password link, inside the creating transaction.
pub(crate) async fn welcome(
    tx: &mut Tx,
    public_url: &str,
    user: Uuid,
    username: &str,
    email: &str,
) -> Result<(), CoreError> {
    let link = issue_token(tx, public_url, user, Duration::hours(WELCOME_TOKEN_HOURS)).await?;
    queue_mail(tx, email, Template::AccountCreated { username }, Some(link)).await
}

impl Core {
    async fn queue_reset(
        &self,
        mut tx: Write<'_>,
        user: &User,
        event: Event,
    ) -> Result<(), CoreError> {
        let link = issue_token(
            &mut tx,
            &self.mail.public_url,
            user.uuid,
            Duration::minutes(RESET_TOKEN_MINUTES),
        )
        .await?;
        let template = Template::PasswordReset {
            username: &user.username,
        };
        queue_mail(&mut tx, &user.email, template, Some(link)).await?;
        tx.record(event, Some(Target::user(user)), Changes::none())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// "Forgot password": mails a reset link when the address belongs to an active user, and
    /// answers the same either way, in the same time: the lookup and the mail are deferred off
    /// the request, so nobody learns which addresses have accounts.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn request_password_reset(
        &self,
        email: &str,
        client: &ClientInfo,
    ) -> Result<(), CoreError> {
        let email = Email::parse(email.to_owned())
            .map_err(|reason| CoreError::invalid_field("email", reason))?;
        let network = network(client.ip.as_deref().unwrap_or("unknown"));
        self.count_request(&format!("forgot-client\n{network}"), FORGOT_PER_CLIENT)
            .await?;
        self.count_request(
            &format!("forgot-address\n{}", email.as_str().to_lowercase()),
            FORGOT_PER_ADDRESS,
        )
        .await?;
        let core = self.clone();
        let ip = client.ip.clone();
        self.deferred.spawn(async move {
            if let Err(error) = core.reset_if_known(&email, ip.as_deref()).await {
                tracing::warn!(%error, "a requested reset link was not queued");
            }
        });
        Ok(())
    }

    async fn reset_if_known(&self, email: &Email, ip: Option<&str>) -> Result<(), CoreError> {
        match self.find_user_by_login(email.as_str()).await {
            Ok(user) if !user.suspended && user.email.eq_ignore_ascii_case(email.as_str()) => {
                let tx = self.write_as(Actor::anonymous(ip)).await?;
                self.queue_reset(tx, &user, Event::PasswordForgot).await
            }
            Ok(_) | Err(CoreError::Refused(Refusal::NotFound(_))) => Ok(()),
            Err(other) => Err(other),
        }
    }

    /// An admin sends a user a reset link (`users.email`, with authority over the user).
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn send_password_reset(
        &self,
        principal: &Principal,
        uuid: Uuid,
    ) -> Result<(), CoreError> {
        let user = self
            .user_under_authority(principal, uuid, Permission::UsersEmail)
            .await?;
        let tx = self.write(principal).await?;
        self.queue_reset(tx, &user, Event::UserPasswordResetSent)
            .await
    }

    /// Sets the password of the token's user; the token is spent, every session of the user
    /// ends.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn reset_password(
        &self,
        reset: PasswordReset,
        client: &ClientInfo,
    ) -> Result<(), CoreError> {
        let PasswordReset { token, password } = reset;
        let digest = sha256_hex(&token);
        let known = with_db!(&self.db, pool => {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM password_tokens WHERE token_hash = $1 AND expires > $2",
            )
            .bind(&digest)
            .bind(now())
            .fetch_one(pool)
            .await
        })?;
        if known == 0 {
            return Err(CoreError::Refused(Refusal::InvalidToken));
        }
        let hash = self.hasher.hash(password).await?;
        // Who acts is known once the token is spent: the user it was issued to.
        let mut tx = self.upkeep().await?;
        // Spending the token and reading its owner is one statement: of two uses, one wins.
        let user = with_tx!(&mut tx, conn => {
            sqlx::query_scalar::<_, Uuid>(
                "DELETE FROM password_tokens WHERE token_hash = $1 AND expires > $2 \
                 RETURNING user_uuid",
            )
            .bind(&digest)
            .bind(now())
            .fetch_optional(conn)
            .await
        })?
        .ok_or(CoreError::Refused(Refusal::InvalidToken))?;
        set_password(&mut tx, user, &hash, None).await?;
        if let Some(user) = user_for_update(&mut tx, user).await? {
            tx.acts_as(Actor::user(&user, client.ip.as_deref()));
            let changes = Changes::none().password_changed();
            tx.record(Event::PasswordReset, Some(Target::user(&user)), changes)
                .await?;
        }
        tx.narrows(Narrowed::User(user));
        tx.commit().await?;
        Ok(())
    }

    /// Deletes tokens past their life; the server runs it periodically.
    pub async fn purge_expired_tokens(&self) -> Result<u64, CoreError> {
        self.delete_up_to("password_tokens", "expires", now()).await
    }
}
