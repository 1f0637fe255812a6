use crate::error::Refusal;
use serde::{Deserialize, Serialize};

use crate::domain::user::User;
use crate::error::{CoreError, Guardrail};
use crate::permission::Permission;

/// How the acting user proved who they are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Credential {
    /// A signed-in session, named so that it can be kept or ended on its own.
    Session { session_uuid: uuid::Uuid },
    /// An API key, which narrows the user's permissions to its scope.
    ApiKey {
        key_uuid: uuid::Uuid,
        name: String,
        scope: Vec<Permission>,
    },
    /// The operator at the command line. No request ever carries it: only the `roster` command
    /// and the first start make one ([`Principal::operator`], [`Principal::operator_for`]).
    Operator,
}

/// The `Idempotency-Key` a request holds while it runs: the write it commits marks the key as
/// used in its own transaction, so the request can never run twice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyHold {
    /// The SHA-256 of the credential that presented the key: keys belong to their caller.
    pub caller: String,
    pub key: String,
}

/// The authenticated caller of a service. Every service takes one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub user: User,
    pub credential: Credential,
    /// The client's address, as the edge worked it out: what the activity log records.
    pub ip: Option<String>,
    /// The idempotency key this request holds, if it sent one.
    #[serde(skip)]
    pub idempotency: Option<IdempotencyHold>,
    /// Who is acting as `user`: a holder of `users.impersonate` who sent `Calagopus-User`, or
    /// whose console session signed in as `user`. The activity log names them on every row.
    pub impersonator: Option<Impersonator>,
}

/// The user behind an impersonated request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Impersonator {
    pub uuid: uuid::Uuid,
    pub username: String,
}

impl Principal {
    /// The operator creating users (`roster users create`, the first admin on an empty
    /// database): a global admin that is no user, recorded as `operator` in the log.
    pub fn operator() -> Self {
        Self::operator_for(User::operator())
    }

    /// The operator acting for `owner` (`roster api-keys create`): the owner's authority, never
    /// more, recorded as `operator` in the log.
    pub fn operator_for(owner: User) -> Self {
        Self {
            user: owner,
            credential: Credential::Operator,
            ip: None,
            idempotency: None,
            impersonator: None,
        }
    }

    pub fn is_global_admin(&self) -> bool {
        self.user.admin
    }

    fn role_grants(&self, permission: Permission) -> bool {
        self.user
            .role
            .as_ref()
            .is_some_and(|role| role.admin_permissions.contains(&permission))
    }

    /// Whether the user stands in the admin area at all: a global admin, or a role with any
    /// admin permission Roster has a function for (an inert one grants nothing).
    pub fn has_admin_access(&self) -> bool {
        self.user.admin
            || self.user.role.as_ref().is_some_and(|role| {
                role.admin_permissions
                    .iter()
                    .any(|permission| permission.is_active())
            })
    }

    /// The contract's rule: `(admin || role ∋ p) && (not via key || key ∋ p)`.
    pub fn can(&self, permission: Permission) -> bool {
        let user_holds = self.user.admin || self.role_grants(permission);
        let key_allows = match &self.credential {
            Credential::Session { .. } | Credential::Operator => true,
            Credential::ApiKey { scope, .. } => scope.contains(&permission),
        };
        user_holds && key_allows
    }

    /// The first line of every admin service.
    pub fn require(&self, permission: Permission) -> Result<(), CoreError> {
        if !self.has_admin_access() {
            return Err(CoreError::Refused(Refusal::Unauthorized));
        }
        if self
            .user
            .role
            .as_ref()
            .is_some_and(|role| role.require_two_factor)
            && !self.user.totp_enabled
        {
            return Err(CoreError::Refused(Refusal::TwoFactorRequired));
        }
        if !self.can(permission) {
            return Err(CoreError::Refused(Refusal::MissingPermission(permission)));
        }
        Ok(())
    }

    /// Authority over `permissions`: every one of them must be usable by this caller right now;
    /// the first that is not is the error.
    pub fn require_all(&self, permissions: &[Permission]) -> Result<(), CoreError> {
        match permissions.iter().find(|p| !self.can(**p)) {
            Some(missing) => Err(CoreError::Refused(Refusal::MissingPermission(*missing))),
            None => Ok(()),
        }
    }

    /// Authority a global admin holds: all of it. A role admin meets the contract's `guardrail`,
    /// a global admin acting through a narrower key the first permission the key lacks.
    pub fn require_global(&self, guardrail: Guardrail) -> Result<(), CoreError> {
        if !self.is_global_admin() {
            return Err(CoreError::Refused(Refusal::Guardrail(guardrail)));
        }
        self.require_all(Permission::ALL)
    }

    /// The session this request came with, if it came with one.
    pub fn session_uuid(&self) -> Option<uuid::Uuid> {
        match self.credential {
            Credential::Session { session_uuid } => Some(session_uuid),
            Credential::ApiKey { .. } | Credential::Operator => None,
        }
    }

    /// Managing credentials (API keys, sessions) needs a signed-in session: a key cannot mint,
    /// revoke or end the credentials of its owner.
    pub fn require_session(&self) -> Result<uuid::Uuid, CoreError> {
        self.session_uuid()
            .ok_or(CoreError::Refused(Refusal::SessionRequired))
    }

    /// A frozen user changes none of their own credentials (password, email, two-factor sign-in);
    /// an admin still may, through the admin routes.
    pub fn require_unfrozen(&self) -> Result<(), CoreError> {
        if self.user.frozen {
            return Err(CoreError::Refused(Refusal::Frozen));
        }
        Ok(())
    }

    /// Acting as another user reaches none of their credentials: their password, email,
    /// two-factor sign-in, keys and sessions stay theirs.
    pub fn require_own_name(&self) -> Result<(), CoreError> {
        match self.impersonator {
            Some(_) => Err(CoreError::Refused(Refusal::Impersonating)),
            None => Ok(()),
        }
    }

    /// Whether this caller may act as `target`: a global admin as anyone; anyone else as a
    /// user who is no global admin and whose role holds nothing this caller may not use.
    pub fn may_impersonate(&self, target: &User) -> Result<(), CoreError> {
        self.require(Permission::UsersImpersonate)?;
        if self.is_global_admin() {
            return Ok(());
        }
        let holds_more = target.admin
            || target.role.as_ref().is_some_and(|role| {
                role.admin_permissions
                    .iter()
                    .any(|permission| !self.can(*permission))
            });
        if holds_more {
            return Err(CoreError::Refused(Refusal::ImpersonatedHoldsMore));
        }
        Ok(())
    }

    /// This caller acting as `target`: `target`'s authority, still narrowed by this caller's
    /// credential (a key's scope), and this caller named as the impersonator.
    pub fn acting_as(self, target: User) -> Self {
        let impersonator = Impersonator {
            uuid: self.user.uuid,
            username: self.user.username,
        };
        Self {
            user: target,
            impersonator: Some(impersonator),
            ..self
        }
    }

    /// Minting a credential needs the person, not a key: a signed-in session or the operator.
    pub fn require_in_person(&self) -> Result<(), CoreError> {
        match self.credential {
            Credential::Session { .. } | Credential::Operator => Ok(()),
            Credential::ApiKey { .. } => Err(CoreError::Refused(Refusal::SessionRequired)),
        }
    }

    /// Every permission this caller may use right now, in catalogue order.
    pub fn effective_permissions(&self) -> Vec<Permission> {
        Permission::ALL
            .iter()
            .copied()
            .filter(|p| self.can(*p))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::role::Role;
    use crate::domain::user::tests::sample_user;

    fn with_role(permissions: Vec<Permission>) -> User {
        let mut user = sample_user();
        user.role = Some(Role {
            uuid: uuid::Uuid::new_v4(),
            name: "support".into(),
            description: None,
            admin_permissions: permissions,
            require_two_factor: false,
            created: user.created,
        });
        user
    }

    #[test]
    fn a_role_that_requires_two_factor_keeps_members_without_it_out() {
        let mut user = with_role(vec![Permission::UsersRead]);
        if let Some(role) = user.role.as_mut() {
            role.require_two_factor = true;
        }
        let mut principal = Principal {
            user,
            credential: Credential::Session {
                session_uuid: uuid::Uuid::new_v4(),
            },
            ip: None,
            idempotency: None,
            impersonator: None,
        };
        assert_eq!(
            principal.require(Permission::UsersRead),
            Err(CoreError::Refused(Refusal::TwoFactorRequired))
        );
        principal.user.totp_enabled = true;
        assert_eq!(principal.require(Permission::UsersRead), Ok(()));
    }

    #[test]
    fn a_plain_user_is_unauthorized_for_admin_actions() {
        let principal = Principal {
            user: sample_user(),
            credential: Credential::Session {
                session_uuid: uuid::Uuid::new_v4(),
            },
            ip: None,
            idempotency: None,
            impersonator: None,
        };
        assert_eq!(
            principal.require(Permission::UsersRead),
            Err(CoreError::Refused(Refusal::Unauthorized))
        );
    }

    #[test]
    fn a_role_grants_only_its_permissions() {
        let principal = Principal {
            user: with_role(vec![Permission::UsersRead]),
            credential: Credential::Session {
                session_uuid: uuid::Uuid::new_v4(),
            },
            ip: None,
            idempotency: None,
            impersonator: None,
        };
        assert_eq!(principal.require(Permission::UsersRead), Ok(()));
        assert_eq!(
            principal.require(Permission::UsersDelete),
            Err(CoreError::Refused(Refusal::MissingPermission(
                Permission::UsersDelete
            )))
        );
    }

    #[test]
    fn an_api_key_narrows_a_global_admin_to_its_scope() {
        let mut user = sample_user();
        user.admin = true;
        let principal = Principal {
            user,
            credential: Credential::ApiKey {
                key_uuid: uuid::Uuid::new_v4(),
                name: "billing".into(),
                scope: vec![Permission::UsersRead],
            },
            ip: None,
            idempotency: None,
            impersonator: None,
        };
        assert!(principal.can(Permission::UsersRead));
        assert!(!principal.can(Permission::UsersCreate));
    }

    #[test]
    fn an_api_key_never_widens_what_the_user_holds() {
        let principal = Principal {
            user: with_role(vec![Permission::UsersRead]),
            credential: Credential::ApiKey {
                key_uuid: uuid::Uuid::new_v4(),
                name: "billing".into(),
                scope: Permission::ALL.to_vec(),
            },
            ip: None,
            idempotency: None,
            impersonator: None,
        };
        assert_eq!(
            principal.effective_permissions(),
            vec![Permission::UsersRead]
        );
    }

    fn global_admin_key(scope: Vec<Permission>) -> Principal {
        let mut user = sample_user();
        user.admin = true;
        Principal {
            user,
            credential: Credential::ApiKey {
                key_uuid: uuid::Uuid::new_v4(),
                name: "billing".into(),
                scope,
            },
            ip: None,
            idempotency: None,
            impersonator: None,
        }
    }

    #[test]
    fn global_authority_needs_every_permission_of_the_key() {
        let narrow = global_admin_key(vec![Permission::UsersCreate]);
        assert_eq!(
            narrow.require_global(Guardrail::GrantAdmin),
            Err(CoreError::Refused(Refusal::MissingPermission(
                Permission::UsersRead
            )))
        );
        let full = global_admin_key(Permission::ALL.to_vec());
        assert_eq!(full.require_global(Guardrail::GrantAdmin), Ok(()));
    }

    #[test]
    fn a_role_admin_meets_the_guardrail_for_global_authority() {
        let principal = Principal {
            user: with_role(Permission::ALL.to_vec()),
            credential: Credential::Session {
                session_uuid: uuid::Uuid::new_v4(),
            },
            ip: None,
            idempotency: None,
            impersonator: None,
        };
        assert_eq!(
            principal.require_global(Guardrail::ModifyAdmin),
            Err(CoreError::Refused(Refusal::Guardrail(
                Guardrail::ModifyAdmin
            )))
        );
    }

    #[test]
    fn require_all_names_the_first_permission_missing() {
        let principal = global_admin_key(vec![Permission::UsersRead, Permission::RolesRead]);
        assert_eq!(
            principal.require_all(&[
                Permission::UsersRead,
                Permission::UsersUpdate,
                Permission::RolesDelete
            ]),
            Err(CoreError::Refused(Refusal::MissingPermission(
                Permission::UsersUpdate
            )))
        );
        assert_eq!(principal.require_all(&[Permission::RolesRead]), Ok(()));
    }

    #[test]
    fn only_a_session_may_manage_credentials() {
        assert_eq!(
            global_admin_key(Permission::ALL.to_vec()).require_session(),
            Err(CoreError::Refused(Refusal::SessionRequired))
        );
    }
}
