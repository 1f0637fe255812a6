use crate::error::Refusal;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::activity::{Actor, Changes, Target};
use super::api_keys::API_KEY_SELECT;
use super::throttle::Step;
use super::{Core, now, user_for_update};
use crate::domain::activity::Event;
use crate::domain::user::User;
use crate::error::CoreError;
use crate::permission::Permission;
use crate::principal::{Credential, Principal};
use crate::secret::{api_key_start, digests_match, random_token, sha256_hex};
use crate::store::rows::ApiKeyRow;
use crate::store::{with_db, with_tx};

pub const SESSION_LIFETIME_DAYS: i64 = 7;

/// What a request presented: the `Authorization` header and the session cookie, unparsed.
#[derive(Clone, Default)]
pub struct Credentials {
    pub authorization: Option<String>,
    pub session_token: Option<String>,
    /// Where the request came from, carried into the principal for the activity log.
    pub ip: Option<String>,
    /// The `Calagopus-User` header: the uuid of the user the caller acts as.
    pub act_as: Option<String>,
}

/// `POST /api/auth/login` as sent: `user` is a username or an email address.
#[derive(utoipa::ToSchema, Clone, Default, Serialize, Deserialize)]
pub struct LoginRequest {
    #[schema(min_length = 1, max_length = 255)]
    pub user: String,
    #[schema(min_length = 1)]
    pub password: String,
}

/// Where a sign-in came from, kept with the session so that its owner can recognise it.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// The longest name a sign-in may try: longer than any username or email can be.
const LOGIN_NAME_MAX_BYTES: usize = 255;

/// The longest user agent kept with a session; browsers send far less.
const USER_AGENT_MAX_CHARS: usize = 256;

/// How stale `last_seen` may get before a request writes it again: a session in use costs a
/// write a minute, not one per request.
const LAST_SEEN_RESOLUTION_SECS: i64 = 60;

/// How a correct password ends: in a session, or in a challenge a code must answer.
pub enum SignIn {
    Done(Box<Session>),
    /// Nothing of the user is told before the second factor.
    TwoFactorRequired {
        token: String,
    },
}

/// A new session: the token goes into the cookie and nowhere else.
pub struct Session {
    pub token: String,
    pub expires: DateTime<Utc>,
    pub user: User,
}

#[derive(sqlx::FromRow)]
struct LoginRow {
    uuid: Uuid,
    password_hash: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    uuid: Uuid,
    user_uuid: Uuid,
    last_seen: DateTime<Utc>,
    expires: DateTime<Utc>,
    acting_as: Option<Uuid>,
    acting_until: Option<DateTime<Utc>>,
}

impl Core {
    /// Turns presented credentials into a principal. An `Authorization` header wins over a
    /// cookie; a bearer key costs one SHA-256, and one indexed lookup when it is not remembered. A suspended user's
    /// credentials are refused here, once for every route.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn authenticate(&self, credentials: &Credentials) -> Result<Principal, CoreError> {
        let principal = self.identify(credentials).await?;
        if principal.user.suspended {
            return Err(CoreError::Refused(Refusal::Suspended));
        }
        Ok(principal)
    }

    /// Who presented these credentials, suspended or not: only for showing a user their own
    /// account (which tells them they are suspended).
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn identify(&self, credentials: &Credentials) -> Result<Principal, CoreError> {
        let mut principal = match (&credentials.authorization, &credentials.session_token) {
            (Some(header), _) => self.authenticate_key(header).await,
            (None, Some(token)) => self.authenticate_session(token).await,
            (None, None) => Err(CoreError::Refused(Refusal::MissingAuthorization)),
        }?;
        principal.ip = credentials.ip.clone();
        match &credentials.act_as {
            Some(named) => self.impersonate(principal, named).await,
            None => Ok(principal),
        }
    }

    /// The caller acting as the user `named` (`Calagopus-User`), with Calagopus' rules and
    /// words: `users.impersonate`, then a user who exists, then one who holds no more than the
    /// caller (anyone, for a global admin).
    async fn impersonate(&self, principal: Principal, named: &str) -> Result<Principal, CoreError> {
        if principal.user.suspended {
            return Err(CoreError::Refused(Refusal::Suspended));
        }
        principal.require_own_name()?;
        principal.require(Permission::UsersImpersonate)?;
        let unknown = CoreError::Refused(Refusal::ImpersonatedUnknown);
        let Ok(uuid) = Uuid::parse_str(named.trim()) else {
            return Err(unknown);
        };
        let target = self.find_user(uuid).await?.ok_or(unknown)?;
        principal.may_impersonate(&target)?;
        Ok(principal.acting_as(target))
    }

    /// The principal that started long-running work (a job), as the database holds it now: the
    /// same credential still good (the session not ended, the key not revoked or expired) and
    /// its user as they stand, not suspended, with the key's scope as it stands. Work that
    /// outlives its credential stops.
    pub(crate) async fn principal_again(&self, kept: &Principal) -> Result<Principal, CoreError> {
        let gone = || CoreError::Refused(Refusal::InvalidApiKey);
        let credential = match &kept.credential {
            Credential::Session { session_uuid } => {
                let owner = with_db!(&self.db, pool => {
                    sqlx::query_scalar::<_, Uuid>(
                        "SELECT user_uuid FROM sessions WHERE uuid = $1 AND expires > $2",
                    )
                    .bind(session_uuid)
                    .bind(now())
                    .fetch_optional(pool)
                    .await
                })?;
                if owner != Some(kept.user.uuid) {
                    return Err(CoreError::Refused(Refusal::InvalidSession));
                }
                kept.credential.clone()
            }
            Credential::ApiKey { key_uuid, .. } => {
                let sql = format!("{API_KEY_SELECT} WHERE uuid = $1");
                let row = with_db!(&self.db, pool => {
                    sqlx::query_as::<_, ApiKeyRow>(&sql).bind(key_uuid).fetch_optional(pool).await
                })?
                .filter(|row| row.user_uuid == kept.user.uuid)
                .filter(|row| row.expires.is_none_or(|expires| expires > Utc::now()))
                .ok_or_else(gone)?;
                let scope = row.scope();
                Credential::ApiKey {
                    key_uuid: row.uuid,
                    name: row.name,
                    scope,
                }
            }
            Credential::Operator => Credential::Operator,
        };
        let user = self.find_user(kept.user.uuid).await?.ok_or_else(gone)?;
        if user.suspended {
            return Err(CoreError::Refused(Refusal::Suspended));
        }
        Ok(Principal {
            user,
            credential,
            ip: kept.ip.clone(),
            idempotency: None,
            impersonator: None,
        })
    }

    async fn authenticate_key(&self, header: &str) -> Result<Principal, CoreError> {
        let key = header
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, key)| key.trim())
            .ok_or(CoreError::Refused(Refusal::InvalidApiKey))?;
        let start = api_key_start(key).ok_or(CoreError::Refused(Refusal::InvalidApiKey))?;
        let digest = sha256_hex(key);
        if let Some(principal) = self.credentials.get(&digest) {
            return Ok(principal);
        }
        let generation = self.credentials.generation();
        let sql = format!("{API_KEY_SELECT} WHERE key_start = $1");
        let row = with_db!(&self.db, pool => {
            sqlx::query_as::<_, ApiKeyRow>(&sql).bind(start).fetch_optional(pool).await
        })?
        .ok_or(CoreError::Refused(Refusal::InvalidApiKey))?;
        if !digests_match(&row.key_hash, &digest)
            || row.expires.is_some_and(|expires| expires <= Utc::now())
        {
            return Err(CoreError::Refused(Refusal::InvalidApiKey));
        }
        let user = self
            .find_user(row.user_uuid)
            .await?
            .ok_or(CoreError::Refused(Refusal::InvalidApiKey))?;
        let scope = row.scope();
        let principal = Principal {
            user,
            credential: Credential::ApiKey {
                key_uuid: row.uuid,
                name: row.name,
                scope,
            },
            ip: None,
            idempotency: None,
            impersonator: None,
        };
        if let Some(generation) = generation {
            self.credentials
                .remember(digest, generation, principal.clone(), row.expires);
        }
        Ok(principal)
    }

    async fn authenticate_session(&self, token: &str) -> Result<Principal, CoreError> {
        let row = with_db!(&self.db, pool => {
            sqlx::query_as::<_, SessionRow>(
                "SELECT uuid, user_uuid, last_seen, expires, acting_as, acting_until \
                 FROM sessions WHERE token_hash = $1",
            )
            .bind(sha256_hex(token))
            .fetch_optional(pool)
            .await
        })?
        .filter(|row| row.expires > Utc::now())
        .ok_or(CoreError::Refused(Refusal::InvalidSession))?;
        let user = self
            .find_user(row.user_uuid)
            .await?
            .ok_or(CoreError::Refused(Refusal::InvalidSession))?;
        let seen = now();
        if seen - row.last_seen >= Duration::seconds(LAST_SEEN_RESOLUTION_SECS) {
            with_db!(&self.db, pool => {
                sqlx::query("UPDATE sessions SET last_seen = $2 WHERE uuid = $1")
                    .bind(row.uuid)
                    .bind(seen)
                    .execute(pool)
                    .await
                    .map(|_| ())
            })?;
        }
        let principal = Principal {
            user,
            credential: Credential::Session {
                session_uuid: row.uuid,
            },
            ip: None,
            idempotency: None,
            impersonator: None,
        };
        match row
            .acting_as
            .filter(|_| row.acting_until.is_some_and(|until| until > seen))
        {
            Some(acting_as) => self.session_acting_as(principal, acting_as).await,
            None => Ok(principal),
        }
    }

    /// Checks a username-or-email and password and opens a session. A wrong user and a wrong
    /// password fail alike, in about the same time.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn login(
        &self,
        request: LoginRequest,
        client: ClientInfo,
    ) -> Result<SignIn, CoreError> {
        if request.user.len() > LOGIN_NAME_MAX_BYTES {
            return Err(CoreError::invalid_field(
                "user",
                format!("length is greater than {LOGIN_NAME_MAX_BYTES}"),
            ));
        }
        if request.user.contains('\0') {
            return Err(CoreError::Refused(Refusal::InvalidCredentials));
        }
        let _turn = self.hasher.admit().await?;
        let name = request.user.trim();
        let row = with_db!(&self.db, pool => {
            sqlx::query_as::<_, LoginRow>(
                "SELECT uuid, password_hash FROM users \
                 WHERE lower(username) = lower($1) OR lower(email) = lower($1)",
            )
            .bind(name)
            .fetch_optional(pool)
            .await
        })?;
        let (uuid, hash) = match row {
            Some(row) => (Some(row.uuid), row.password_hash),
            None => (None, None),
        };
        // Username and email of one account share a counter; a name nobody has counts alone.
        let account = uuid.map_or_else(|| name.to_lowercase(), |uuid| uuid.to_string());
        let attempt = self
            .count_guess(Step::Password, &account, client.ip.as_deref())
            .await?;
        let checked = self
            .hasher
            .verify_for(&account, hash, request.password)
            .await;
        let valid = match checked {
            Ok(valid) => valid,
            Err(error) => {
                self.guess_not_judged(attempt).await?;
                return Err(error);
            }
        };
        let Some(uuid) = uuid.filter(|_| valid) else {
            self.record_failed_sign_in(Event::SignInFailed, uuid, &client)
                .await?;
            return Err(CoreError::Refused(Refusal::InvalidCredentials));
        };
        self.guess_succeeded(attempt).await?;
        // Told only to whoever knows the password.
        let user = self.load_user(uuid).await?;
        if user.suspended {
            self.record_failed_sign_in(Event::SignInFailed, Some(uuid), &client)
                .await?;
            return Err(CoreError::Refused(Refusal::Suspended));
        }
        if user.totp_enabled {
            let token = self.challenge(uuid).await?;
            return Ok(SignIn::TwoFactorRequired { token });
        }
        Ok(SignIn::Done(Box::new(
            self.open_session(user, client).await?,
        )))
    }

    /// A refused sign-in, logged against the account it named when there is one. The name
    /// tried is not kept: people type passwords into the user field.
    pub(crate) async fn record_failed_sign_in(
        &self,
        event: Event,
        account: Option<Uuid>,
        client: &ClientInfo,
    ) -> Result<(), CoreError> {
        let target = match account {
            Some(uuid) => self.find_user(uuid).await?.map(|user| Target::user(&user)),
            None => None,
        };
        self.record_refused_sign_in(event, target, client, Changes::none())
            .await
    }

    /// [`Core::record_failed_sign_in`] for a target already known, the row saying how the
    /// sign-in was tried.
    pub(crate) async fn record_refused_sign_in(
        &self,
        event: Event,
        target: Option<Target>,
        client: &ClientInfo,
        how: Changes,
    ) -> Result<(), CoreError> {
        let mut tx = self
            .write_as(Actor::anonymous(client.ip.as_deref()))
            .await?;
        tx.record(event, target, how).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens a session for a user who proved who they are, notes when they signed in, and logs
    /// it, in one transaction.
    pub(crate) async fn open_session(
        &self,
        user: User,
        client: ClientInfo,
    ) -> Result<Session, CoreError> {
        self.open_session_with(user, client, Changes::none()).await
    }

    /// [`Core::open_session`], the sign-in's row saying how it was made.
    pub(crate) async fn open_session_with(
        &self,
        user: User,
        client: ClientInfo,
        how: Changes,
    ) -> Result<Session, CoreError> {
        let token = random_token();
        let uuid = Uuid::new_v4();
        let created = now();
        let expires = created + Duration::days(SESSION_LIFETIME_DAYS);
        let user_agent = client
            .user_agent
            .map(|agent| agent.chars().take(USER_AGENT_MAX_CHARS).collect::<String>());
        let actor = Actor::user(&user, client.ip.as_deref()).with_session(uuid);
        let mut tx = self.write_as(actor).await?;
        with_tx!(&mut tx, conn => {
            sqlx::query(
                "INSERT INTO sessions (uuid, token_hash, user_uuid, created, last_seen, expires, \
                 user_agent, ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(uuid)
            .bind(sha256_hex(&token))
            .bind(user.uuid)
            .bind(created)
            .bind(created)
            .bind(expires)
            .bind(user_agent.as_deref())
            .bind(client.ip.as_deref())
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE users SET last_login = $2 WHERE uuid = $1")
                .bind(user.uuid)
                .bind(created)
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        let target = Target::user(&user);
        tx.record(Event::SignIn, Some(target), how).await?;
        tx.commit().await?;
        let user = User {
            last_login: Some(created),
            ..user
        };
        Ok(Session {
            token,
            expires,
            user,
        })
    }

    /// Ends a session; an unknown token is already ended.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn logout(&self, token: &str, client: &ClientInfo) -> Result<(), CoreError> {
        // Who acts is known once the session is found: its owner.
        let mut tx = self.upkeep().await?;
        let ended = with_tx!(&mut tx, conn => {
            sqlx::query_as::<_, (Uuid, Uuid)>(
                "DELETE FROM sessions WHERE token_hash = $1 RETURNING uuid, user_uuid",
            )
            .bind(sha256_hex(token))
            .fetch_optional(conn)
            .await
        })?;
        if let Some((session, owner)) = ended
            && let Some(user) = user_for_update(&mut tx, owner).await?
        {
            tx.acts_as(Actor::user(&user, client.ip.as_deref()).with_session(session));
            let target = Target::user(&user);
            tx.record(Event::SignOut, Some(target), Changes::none())
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
