//! Acting as another user. Over the API, a holder of `users.impersonate` sends `Calagopus-User`
//! on a request ([`Core::identify`]); in the console, "Sign in as" turns the admin's own session
//! into one acting as the user for [`ACTING_MINUTES`], and returning restores it. Either way the
//! rules are the same ([`Principal::may_impersonate`]), are checked again on every request, and
//! every activity row names the impersonator.

use chrono::Duration;
use uuid::Uuid;

use super::activity::{Changes, Target};
use super::{Core, now};
use crate::domain::activity::Event;
use crate::domain::user::User;
use crate::error::{CoreError, Refusal};
use crate::principal::Principal;
use crate::store::with_tx;
use crate::{Entity, Permission};

/// How long a console session acts as another user before it is the admin's own again.
pub const ACTING_MINUTES: i64 = 30;

impl Core {
    /// The caller's session acts as `uuid` from now on, for [`ACTING_MINUTES`]; answers the user
    /// acted as.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn sign_in_as(&self, principal: &Principal, uuid: Uuid) -> Result<User, CoreError> {
        principal.require(Permission::UsersImpersonate)?;
        principal.require_own_name()?;
        let session = principal.require_session()?;
        let target = self
            .find_user(uuid)
            .await?
            .ok_or(CoreError::Refused(Refusal::NotFound(Entity::User)))?;
        principal.may_impersonate(&target)?;
        if target.uuid == principal.user.uuid {
            return Err(CoreError::invalid_field("uuid", "is your own account"));
        }
        if target.suspended {
            return Err(CoreError::Refused(Refusal::Suspended));
        }
        let mut tx = self.write(principal).await?;
        let updated = with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE sessions SET acting_as = $2, acting_until = $3 WHERE uuid = $1")
                .bind(session)
                .bind(target.uuid)
                .bind(now() + Duration::minutes(ACTING_MINUTES))
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        if updated == 0 {
            return Err(CoreError::Refused(Refusal::InvalidSession));
        }
        tx.record(
            Event::UserImpersonate,
            Some(Target::user(&target)),
            Changes::none(),
        )
        .await?;
        tx.commit().await?;
        Ok(target)
    }

    /// The caller's session, acting as another user, is their own again.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn return_to_own_account(&self, principal: &Principal) -> Result<(), CoreError> {
        let session = principal.require_session()?;
        let mut tx = self.write(principal).await?;
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE sessions SET acting_as = NULL, acting_until = NULL WHERE uuid = $1")
                .bind(session)
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        tx.commit().await?;
        Ok(())
    }

    /// A session's principal while it acts as `acting_as`: the rules are checked again, and a
    /// session whose user may no longer act so is its own user's again.
    pub(crate) async fn session_acting_as(
        &self,
        principal: Principal,
        acting_as: Uuid,
    ) -> Result<Principal, CoreError> {
        let Some(target) = self.find_user(acting_as).await? else {
            return Ok(principal);
        };
        if principal.user.suspended || principal.may_impersonate(&target).is_err() {
            return Ok(principal);
        }
        Ok(principal.acting_as(target))
    }
}
