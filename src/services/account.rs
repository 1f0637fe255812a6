//! A user's own credentials, changed in person: from a signed-in session, with the current
//! password, each check counted by the guess throttle. No key, whatever it may do, changes its
//! owner's password, email or two-factor. And the one rule of what a credential change ends.

use crate::error::Refusal;
use serde::Deserialize;
use uuid::Uuid;

use super::activity::{Changes, Target};
use super::credentials::Narrowed;
use super::mail::{Template, queue_mail};
use super::sessions::end_sessions_except;
use super::throttle::{Attempt, Step};
use super::{Core, user_for_update};
use crate::domain::activity::Event;
use crate::domain::fields::{Email, Password};
use crate::domain::user::User;
use crate::error::{CoreError, Entity, FieldErrors};
use crate::principal::Principal;
use crate::store::{Tx, with_db, with_tx};

/// `PUT /api/client/account/password` as sent.
#[derive(utoipa::ToSchema, Clone, Default, Deserialize)]
pub struct PasswordChangeRequest {
    /// The current password.
    #[schema(max_length = 512)]
    pub password: String,
    #[schema(min_length = 8, max_length = 512)]
    pub new_password: String,
}

/// `PUT /api/client/account/email` as sent.
#[derive(utoipa::ToSchema, Clone, Default, Deserialize)]
pub struct EmailChangeRequest {
    #[schema(min_length = 3, max_length = 255, format = Email)]
    pub email: String,
    /// The current password.
    #[schema(max_length = 512)]
    pub password: String,
}

/// The longest current password checked: no hash is spent on more.
const PASSWORD_MAX_CHARS: usize = 512;

/// What every change of a user's credentials (password, email, two-factor) ends, inside its
/// transaction: a sign-in waiting for its code, a password link, and every session but `keep` —
/// the one the user made the change from, when they made it themselves. Whoever held the old
/// credentials is left with nothing that still works.
pub(crate) async fn end_after_credential_change(
    tx: &mut Tx,
    user: Uuid,
    keep: Option<Uuid>,
) -> Result<(), CoreError> {
    for table in ["sign_in_challenges", "password_tokens"] {
        let sql = format!("DELETE FROM {table} WHERE user_uuid = $1");
        with_tx!(tx, conn => {
            sqlx::query(&sql).bind(user).execute(conn).await.map(|_| ())
        })?;
    }
    end_sessions_except(tx, user, keep).await?;
    Ok(())
}

/// Tells the old address that the account's email changed, inside the changing transaction.
pub(crate) async fn tell_old_address(
    tx: &mut Tx,
    before: &User,
    new_email: &str,
) -> Result<(), CoreError> {
    let template = Template::EmailChanged {
        username: &before.username,
        new_email,
    };
    queue_mail(tx, &before.email, template, None).await
}

/// Sets `user`'s password (as its hash) and ends what the old one left open, keeping `keep`.
pub(crate) async fn set_password(
    tx: &mut Tx,
    user: Uuid,
    hash: &str,
    keep: Option<Uuid>,
) -> Result<(), CoreError> {
    with_tx!(tx, conn => {
        sqlx::query("UPDATE users SET password_hash = $2 WHERE uuid = $1")
            .bind(user)
            .bind(hash)
            .execute(conn)
            .await
            .map(|_| ())
    })?;
    end_after_credential_change(tx, user, keep).await
}

impl Core {
    async fn password_hash_of(&self, user: Uuid) -> Result<Option<String>, CoreError> {
        with_db!(&self.db, pool => {
            sqlx::query_scalar::<_, Option<String>>("SELECT password_hash FROM users WHERE uuid = $1")
                .bind(user)
                .fetch_optional(pool)
                .await
        })?
        .ok_or(CoreError::Refused(Refusal::NotFound(Entity::User)))
    }

    /// The caller proves in person that they know their password: from a session (a key never
    /// may), the check counted as a guess of its own step. A user without a password sets one
    /// by link first.
    async fn confirm_password(
        &self,
        principal: &Principal,
        password: String,
    ) -> Result<(), CoreError> {
        principal.require_session()?;
        if password.chars().count() > PASSWORD_MAX_CHARS {
            return Err(CoreError::Refused(Refusal::InvalidPassword));
        }
        let hash = self.password_hash_of(principal.user.uuid).await?;
        match self
            .judge_confirming_password(principal, hash, password)
            .await?
        {
            Some(attempt) => self.guess_succeeded(attempt).await,
            None => Err(CoreError::Refused(Refusal::InvalidPassword)),
        }
    }

    /// Counts a confirming password as a guess and judges it against `hash`: the attempt when
    /// the password is right, for the caller to settle once all it confirms holds; `None` when
    /// it is wrong (the guess stays counted). A guess the hasher could not judge is not counted.
    pub(super) async fn judge_confirming_password(
        &self,
        principal: &Principal,
        hash: Option<String>,
        password: String,
    ) -> Result<Option<Attempt>, CoreError> {
        let account = principal.user.uuid.to_string();
        let attempt = self
            .count_guess(Step::Confirm, &account, principal.ip.as_deref())
            .await?;
        match self.hasher.verify_for(&account, hash, password).await {
            Ok(true) => Ok(Some(attempt)),
            Ok(false) => Ok(None),
            Err(error) => {
                self.guess_not_judged(attempt).await?;
                Err(error)
            }
        }
    }

    /// Changes the caller's own password, confirmed by the current one. Every other session,
    /// any password link and any sign-in waiting for its code end with the old password.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn change_own_password(
        &self,
        principal: &Principal,
        request: PasswordChangeRequest,
    ) -> Result<(), CoreError> {
        let session = principal.require_session()?;
        principal.require_own_name()?;
        principal.require_unfrozen()?;
        let new_password = Password::parse(request.new_password)
            .map_err(|reason| CoreError::invalid_field("new_password", reason))?;
        self.confirm_password(principal, request.password).await?;
        let hash = self.hasher.hash(new_password).await?;
        let user = principal.user.uuid;
        let mut tx = self.write(principal).await?;
        let current = user_for_update(&mut tx, user)
            .await?
            .ok_or(CoreError::Refused(Refusal::NotFound(Entity::User)))?;
        set_password(&mut tx, user, &hash, Some(session)).await?;
        tx.record(
            Event::AccountPasswordChange,
            Some(Target::user(&current)),
            Changes::none().password_changed(),
        )
        .await?;
        tx.narrows(Narrowed::User(user));
        tx.commit().await?;
        Ok(())
    }

    /// Changes the caller's own email address, confirmed by their password; the same address
    /// again changes nothing. Like a password change, it ends every other session and any
    /// password link (which went to the old address).
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn change_own_email(
        &self,
        principal: &Principal,
        request: EmailChangeRequest,
    ) -> Result<(), CoreError> {
        let session = principal.require_session()?;
        principal.require_own_name()?;
        principal.require_unfrozen()?;
        let mut errors = FieldErrors::new();
        let email = errors.check("email", Email::parse(request.email));
        errors.into_result()?;
        let Some(email) = email else {
            return Err(CoreError::internal("BUG: a checked email is missing"));
        };
        self.confirm_password(principal, request.password).await?;
        let user = principal.user.uuid;
        let mut tx = self.write(principal).await?;
        let current = user_for_update(&mut tx, user)
            .await?
            .ok_or(CoreError::Refused(Refusal::NotFound(Entity::User)))?;
        if current.email == email.as_str() {
            return Ok(());
        }
        let taken = with_tx!(&mut tx, conn => {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM users WHERE uuid <> $1 AND lower(email) = lower($2)",
            )
            .bind(user)
            .bind(email.as_str())
            .fetch_one(conn)
            .await
        })?;
        if taken > 0 {
            return Err(CoreError::Refused(Refusal::EmailInUse));
        }
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE users SET email = $2, updated = $3 WHERE uuid = $1")
                .bind(user)
                .bind(email.as_str())
                .bind(super::now())
                .execute(conn)
                .await
                .map(|_| ())
        })
        .map_err(|error| match crate::store::violation(&error) {
            Some(crate::store::Violation::Unique(_)) => CoreError::Refused(Refusal::EmailInUse),
            _ => error.into(),
        })?;
        end_after_credential_change(&mut tx, user, Some(session)).await?;
        tell_old_address(&mut tx, &current, email.as_str()).await?;
        let changes = Changes::between(
            serde_json::json!({ "email": current.email }),
            serde_json::json!({ "email": email.as_str() }),
        );
        tx.record(
            Event::AccountEmailChange,
            Some(Target::user(&current)),
            changes,
        )
        .await?;
        tx.narrows(Narrowed::User(user));
        tx.commit().await?;
        Ok(())
    }
}
