//! WebAuthn security keys and passkeys (`webauthn-rs`), with Calagopus' routes and rules: a user
//! registers a named key in two steps, signs in with it alone (a passkey, user verification
//! required), or uses it instead of a code at the second step of a sign-in. Every ceremony's
//! state is kept by the database, so that any instance finishes what another began, and each
//! challenge is used once.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use uuid::Uuid;
use webauthn_rs::prelude::{
    AuthenticationResult, CredentialID, DiscoverableAuthentication, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse, Url, Webauthn, WebauthnBuilder,
};

use super::activity::{Changes, Target};
use super::auth::{ClientInfo, Session};
use super::throttle::Step;
use super::{Core, delete_by_uuid, now, page_of, unique_as};
use crate::domain::activity::Event;
use crate::domain::page::{ListQuery, Page};
use crate::domain::security_key::{SecurityKey, key_name};
use crate::domain::user::User;
use crate::error::{Conflict, CoreError, Entity, KeyRefusal, Refusal};
use crate::principal::Principal;
use crate::store::{Tx, dialect, with_db, with_tx};

/// How long a ceremony (registration or sign-in) may take in the browser.
pub const CEREMONY_MINUTES: i64 = 5;

/// The most keys one user may hold, as Calagopus' default.
pub const MAX_KEYS: i64 = 50;

fn refused(refusal: KeyRefusal) -> CoreError {
    CoreError::Refused(Refusal::SecurityKey(refusal))
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    uuid: Uuid,
    name: String,
    credential_id: Vec<u8>,
    passkey: Option<String>,
    last_used: Option<DateTime<Utc>>,
    created: DateTime<Utc>,
}

impl From<KeyRow> for SecurityKey {
    fn from(row: KeyRow) -> Self {
        use base64::Engine;
        SecurityKey {
            uuid: row.uuid,
            name: row.name,
            credential_id: match row.passkey {
                Some(_) => {
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&row.credential_id)
                }
                None => String::new(),
            },
            last_used: row.last_used,
            created: row.created,
        }
    }
}

const KEY_COLUMNS: &str = "uuid, name, credential_id, passkey, last_used, created";

fn key_snapshot(key: &SecurityKey) -> Value {
    json!({ "uuid": key.uuid, "name": key.name })
}

fn decode<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, CoreError> {
    serde_json::from_str(text).map_err(CoreError::internal)
}

fn encode<T: serde::Serialize>(value: &T) -> Result<String, CoreError> {
    serde_json::to_string(value).map_err(CoreError::internal)
}

/// What a browser's answer to a ceremony is, read from its JSON.
fn credential<T: serde::de::DeserializeOwned>(
    value: Value,
    refusal: KeyRefusal,
) -> Result<T, CoreError> {
    serde_json::from_value(value).map_err(|_| refused(refusal))
}

/// Passkeys as the database keeps them.
fn decode_passkeys(kept: &[String]) -> Result<Vec<Passkey>, CoreError> {
    kept.iter().map(|text| decode::<Passkey>(text)).collect()
}

/// A sign-in challenge's kept state: which ceremony it is.
#[derive(serde::Serialize, serde::Deserialize)]
enum Ceremony {
    /// A passkey that names its user (a discoverable credential).
    Discoverable(DiscoverableAuthentication),
    /// The keys of one user: at the second step of a sign-in, or a user who gave their name.
    Keys(PasskeyAuthentication),
}

/// A challenge for the browser: its uuid and the options `navigator.credentials.get` takes
/// (`{"publicKey": ...}`).
pub struct KeyChallenge {
    pub uuid: Uuid,
    pub options: Value,
}

/// A key whose registration has begun: the key, and the options
/// `navigator.credentials.create` takes (`{"publicKey": ...}`).
pub struct KeyRegistration {
    pub security_key: SecurityKey,
    pub options: Value,
}

impl Core {
    /// The relying party: Roster at its public address, which must be a domain name (WebAuthn
    /// takes no IP address as a relying party's id); at any other, keys are off.
    fn webauthn(&self) -> Result<Webauthn, CoreError> {
        let origin = Url::parse(&self.mail.public_url).map_err(CoreError::internal)?;
        let Some(id) = origin.domain().map(str::to_owned) else {
            tracing::info!(
                public_url = %self.mail.public_url,
                "passkeys need ROSTER_PUBLIC_URL to name a domain (such as localhost), not an address"
            );
            return Err(refused(KeyRefusal::Disabled));
        };
        WebauthnBuilder::new(&id, &origin)
            .and_then(|builder| {
                builder
                    .rp_name("Roster")
                    .timeout(std::time::Duration::from_secs(CEREMONY_MINUTES as u64 * 60))
                    .build()
            })
            .map_err(CoreError::internal)
    }

    /// The caller's own keys whose registration is finished, oldest first; `search` matches the
    /// name.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn list_own_security_keys(
        &self,
        principal: &Principal,
        query: ListQuery,
    ) -> Result<Page<SecurityKey>, CoreError> {
        principal.require_own_name()?;
        let backend = self.db.backend();
        let filter = match query.search {
            Some(_) => format!(" AND {}", dialect::contains_ci(backend, "name", 2)),
            None => String::new(),
        };
        let count_sql = format!(
            "SELECT count(*) FROM user_security_keys WHERE user_uuid = $1 AND passkey IS NOT NULL{filter}"
        );
        let page_sql = format!(
            "SELECT {KEY_COLUMNS} FROM user_security_keys WHERE user_uuid = $1 \
             AND passkey IS NOT NULL{filter} ORDER BY created, uuid LIMIT {} OFFSET {}",
            query.limit(),
            query.offset()
        );
        page_of::<KeyRow, SecurityKey>(
            self,
            &count_sql,
            &page_sql,
            Some(principal.user.uuid),
            &query,
        )
        .await
    }

    /// Begins registering a key on the caller's own account, in person: the key, unfinished,
    /// and the options for the browser. A name left unfinished is begun again.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn begin_security_key(
        &self,
        principal: &Principal,
        name: &str,
        usernameless: bool,
    ) -> Result<KeyRegistration, CoreError> {
        principal.require_session()?;
        principal.require_own_name()?;
        principal.require_unfrozen()?;
        let name = key_name(name)?;
        let user = &principal.user;
        let webauthn = self.webauthn()?;
        let mut tx = self.write(principal).await?;
        lock_user(&mut tx, user.uuid).await?;
        with_tx!(&mut tx, conn => {
            sqlx::query(
                "DELETE FROM user_security_keys WHERE user_uuid = $1 AND lower(name) = lower($2) \
                 AND passkey IS NULL",
            )
            .bind(user.uuid)
            .bind(name.as_str())
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        let held = with_tx!(&mut tx, conn => {
            sqlx::query_as::<_, (i64,)>("SELECT count(*) FROM user_security_keys WHERE user_uuid = $1")
                .bind(user.uuid)
                .fetch_one(conn)
                .await
        })?
        .0;
        if held >= MAX_KEYS {
            return Err(refused(KeyRefusal::Limit));
        }
        let registered = with_tx!(&mut tx, conn => {
            sqlx::query_scalar::<_, Vec<u8>>(
                "SELECT credential_id FROM user_security_keys WHERE user_uuid = $1 AND passkey IS NOT NULL",
            )
            .bind(user.uuid)
            .fetch_all(conn)
            .await
        })?;
        let exclude: Vec<CredentialID> = registered;
        let (options, registration) = webauthn
            .start_passkey_registration(user.uuid, &user.username, &user.username, Some(exclude))
            .map_err(CoreError::internal)?;
        let mut options = serde_json::to_value(options).map_err(CoreError::internal)?;
        if usernameless {
            // A passkey signs in without a name only when the authenticator keeps it.
            let selection = &mut options["publicKey"]["authenticatorSelection"];
            selection["residentKey"] = json!("required");
            selection["requireResidentKey"] = json!(true);
        }
        let uuid = Uuid::new_v4();
        let created = now();
        let placeholder = Uuid::new_v4().into_bytes().to_vec();
        let state = encode(&registration)?;
        with_tx!(&mut tx, conn => {
            sqlx::query(
                "INSERT INTO user_security_keys (uuid, user_uuid, name, credential_id, registration, \
                 created) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(uuid)
            .bind(user.uuid)
            .bind(name.as_str())
            .bind(placeholder.as_slice())
            .bind(state.as_str())
            .bind(created)
            .execute(conn)
            .await
            .map(|_| ())
        })
        .map_err(unique_as(Conflict::SecurityKeyName))?;
        tx.commit().await?;
        Ok(KeyRegistration {
            security_key: SecurityKey {
                uuid,
                name,
                credential_id: String::new(),
                last_used: None,
                created,
            },
            options,
        })
    }

    /// Finishes a key's registration with the authenticator's answer; answers the credential's
    /// id. Logged as `security-key:create`.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn finish_security_key(
        &self,
        principal: &Principal,
        uuid: Uuid,
        answer: Value,
    ) -> Result<String, CoreError> {
        principal.require_session()?;
        principal.require_own_name()?;
        principal.require_unfrozen()?;
        let user = principal.user.uuid;
        let webauthn = self.webauthn()?;
        let mut tx = self.write(principal).await?;
        let row = with_tx!(&mut tx, conn => {
            sqlx::query_as::<_, (String, Option<String>, DateTime<Utc>)>(
                "SELECT name, registration, created FROM user_security_keys \
                 WHERE uuid = $1 AND user_uuid = $2",
            )
            .bind(uuid)
            .bind(user)
            .fetch_optional(conn)
            .await
        })?
        .ok_or(CoreError::Refused(Refusal::NotFound(Entity::SecurityKey)))?;
        let (name, registration, created) = row;
        let Some(registration) = registration else {
            return Err(refused(KeyRefusal::AlreadySetUp));
        };
        if created + Duration::minutes(CEREMONY_MINUTES) < now() {
            delete_by_uuid(&mut tx, "user_security_keys", uuid).await?;
            tx.commit().await?;
            return Err(refused(KeyRefusal::Challenge));
        }
        let registration: PasskeyRegistration = decode(&registration)?;
        let answer: RegisterPublicKeyCredential = credential(answer, KeyRefusal::Registration)?;
        let passkey = webauthn
            .finish_passkey_registration(&answer, &registration)
            .map_err(|error| {
                tracing::info!(%error, "a security key's registration did not pass");
                refused(KeyRefusal::Registration)
            })?;
        let id: Vec<u8> = AsRef::<[u8]>::as_ref(passkey.cred_id()).to_vec();
        let kept = encode(&passkey)?;
        with_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE user_security_keys SET credential_id = $2, passkey = $3, registration = NULL \
                 WHERE uuid = $1",
            )
            .bind(uuid)
            .bind(id.as_slice())
            .bind(kept.as_str())
            .execute(conn)
            .await
            .map(|_| ())
        })
        .map_err(unique_as(Conflict::SecurityKeyCredential))?;
        tx.record(
            Event::SecurityKeyCreate,
            Some(Target::user(&principal.user)),
            Changes::details(json!({ "uuid": uuid, "name": name })),
        )
        .await?;
        tx.commit().await?;
        use base64::Engine;
        Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&id))
    }

    /// Renames one of the caller's keys. Logged as `user:security-key.update`.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn rename_security_key(
        &self,
        principal: &Principal,
        uuid: Uuid,
        name: Option<&str>,
    ) -> Result<(), CoreError> {
        principal.require_session()?;
        principal.require_own_name()?;
        let name = name.map(key_name).transpose()?;
        let mut tx = self.write(principal).await?;
        let key = own_key(&mut tx, principal.user.uuid, uuid).await?;
        let Some(name) = name else {
            return Ok(());
        };
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE user_security_keys SET name = $2 WHERE uuid = $1")
                .bind(uuid)
                .bind(name.as_str())
                .execute(conn)
                .await
                .map(|_| ())
        })
        .map_err(unique_as(Conflict::SecurityKeyName))?;
        tx.record(
            Event::SecurityKeyUpdate,
            Some(Target::user(&principal.user)),
            Changes::between(key_snapshot(&key), json!({ "uuid": uuid, "name": name })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes one of the caller's keys, in person. Logged as `security-key:delete` once the key
    /// was registered.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn delete_security_key(
        &self,
        principal: &Principal,
        uuid: Uuid,
    ) -> Result<(), CoreError> {
        principal.require_session()?;
        principal.require_own_name()?;
        let mut tx = self.write(principal).await?;
        let key = key_row(&mut tx, principal.user.uuid, uuid).await?;
        if key.passkey.is_some() {
            let key = SecurityKey::from(key);
            tx.record(
                Event::SecurityKeyDelete,
                Some(Target::user(&principal.user)),
                Changes::deleted(key_snapshot(&key)),
            )
            .await?;
        }
        delete_by_uuid(&mut tx, "user_security_keys", uuid).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Counts a passkey ceremony against the client's network, as a sign-in's guesses are.
    async fn count_key_sign_in(&self, client: &ClientInfo) -> Result<(), CoreError> {
        self.count_from_network("security-key", client).await
    }

    /// A challenge for a passkey sign-in: for `user` (a username or email) when one is named,
    /// else for a passkey that names its user. Nobody learns from it whether a name has keys:
    /// a name without any gets a discoverable challenge too.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn begin_passkey_sign_in(
        &self,
        user: Option<&str>,
        client: &ClientInfo,
    ) -> Result<KeyChallenge, CoreError> {
        self.count_key_sign_in(client).await?;
        let webauthn = self.webauthn()?;
        let passkeys = match user.map(str::trim).filter(|name| !name.is_empty()) {
            Some(name) => {
                let kept = with_db!(&self.db, pool => {
                    sqlx::query_scalar::<_, String>(
                        "SELECT k.passkey FROM user_security_keys k JOIN users u ON u.uuid = k.user_uuid \
                         WHERE (lower(u.username) = lower($1) OR lower(u.email) = lower($1)) \
                         AND k.passkey IS NOT NULL",
                    )
                    .bind(name)
                    .fetch_all(pool)
                    .await
                })?;
                decode_passkeys(&kept)?
            }
            None => Vec::new(),
        };
        let (options, ceremony) = if passkeys.is_empty() {
            let (options, state) = webauthn
                .start_discoverable_authentication()
                .map_err(CoreError::internal)?;
            (options, Ceremony::Discoverable(state))
        } else {
            let (options, state) = webauthn
                .start_passkey_authentication(&passkeys)
                .map_err(CoreError::internal)?;
            (options, Ceremony::Keys(state))
        };
        self.challenge_for(None, options, &ceremony).await
    }

    /// A challenge for the keys of the user at the second step of a sign-in, by the token the
    /// password step gave.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn begin_key_checkpoint(
        &self,
        token: &str,
        client: &ClientInfo,
    ) -> Result<KeyChallenge, CoreError> {
        self.count_key_sign_in(client).await?;
        let user = self.challenged_user(token).await?;
        let passkeys = self.passkeys_of(user).await?;
        if passkeys.is_empty() {
            return Err(refused(KeyRefusal::NotSetUp));
        }
        let (options, state) = self
            .webauthn()?
            .start_passkey_authentication(&passkeys)
            .map_err(CoreError::internal)?;
        self.challenge_for(Some(user), options, &Ceremony::Keys(state))
            .await
    }

    async fn passkeys_of(&self, user: Uuid) -> Result<Vec<Passkey>, CoreError> {
        let kept = with_db!(&self.db, pool => {
            sqlx::query_scalar::<_, String>(
                "SELECT passkey FROM user_security_keys WHERE user_uuid = $1 AND passkey IS NOT NULL",
            )
            .bind(user)
            .fetch_all(pool)
            .await
        })?;
        decode_passkeys(&kept)
    }

    /// Keeps a sign-in ceremony's state, for `user` at the second step or for anyone, and
    /// answers its challenge.
    async fn challenge_for(
        &self,
        user: Option<Uuid>,
        options: RequestChallengeResponse,
        ceremony: &Ceremony,
    ) -> Result<KeyChallenge, CoreError> {
        let uuid = Uuid::new_v4();
        let state = encode(ceremony)?;
        with_db!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO webauthn_challenges (uuid, user_uuid, state, expires) VALUES ($1, $2, $3, $4)",
            )
            .bind(uuid)
            .bind(user)
            .bind(state.as_str())
            .bind(now() + Duration::minutes(CEREMONY_MINUTES))
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        Ok(KeyChallenge {
            uuid,
            options: serde_json::to_value(options).map_err(CoreError::internal)?,
        })
    }

    /// Takes a challenge: it is gone afterwards, whatever happens next.
    async fn take_ceremony(&self, uuid: Uuid) -> Result<(Option<Uuid>, Ceremony), CoreError> {
        let row = with_db!(&self.db, pool => {
            sqlx::query_as::<_, (Option<Uuid>, String, DateTime<Utc>)>(
                "DELETE FROM webauthn_challenges WHERE uuid = $1 RETURNING user_uuid, state, expires",
            )
            .bind(uuid)
            .fetch_optional(pool)
            .await
        })?;
        match row {
            Some((user, state, expires)) if expires > now() => Ok((user, decode(&state)?)),
            _ => Err(refused(KeyRefusal::Challenge)),
        }
    }

    /// Signs in with a passkey alone: the answer to a challenge of
    /// [`Core::begin_passkey_sign_in`]. Logged as `auth:success` using `security-key`.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn finish_passkey_sign_in(
        &self,
        challenge: Uuid,
        answer: Value,
        client: ClientInfo,
    ) -> Result<Session, CoreError> {
        self.count_key_sign_in(&client).await?;
        let (for_user, ceremony) = self.take_ceremony(challenge).await?;
        if for_user.is_some() {
            // A second step's challenge opens nothing without its password step's token.
            return Err(refused(KeyRefusal::Challenge));
        }
        let answer: PublicKeyCredential = credential(answer, KeyRefusal::Authentication)?;
        let webauthn = self.webauthn()?;
        let (user, result) = match ceremony {
            Ceremony::Discoverable(state) => {
                let (user, id) = webauthn
                    .identify_discoverable_authentication(&answer)
                    .map_err(|_| refused(KeyRefusal::Authentication))?;
                let passkeys = self.passkeys_of(user).await?;
                let passkey = passkeys
                    .iter()
                    .find(|passkey| passkey.cred_id().as_ref() as &[u8] == id)
                    .ok_or(refused(KeyRefusal::Authentication))?;
                let result = webauthn
                    .finish_discoverable_authentication_v2(&answer, state, passkey)
                    .map_err(|error| {
                        tracing::info!(%error, "a passkey sign-in did not pass");
                        refused(KeyRefusal::Authentication)
                    })?;
                (Some(user), result)
            }
            Ceremony::Keys(state) => {
                let result = webauthn
                    .finish_passkey_authentication(&answer, &state)
                    .map_err(|error| {
                        tracing::info!(%error, "a security key sign-in did not pass");
                        refused(KeyRefusal::Authentication)
                    })?;
                (None, result)
            }
        };
        let (user, key) = self.note_key_use(user, &result).await?;
        self.open_key_session(user, key, client).await
    }

    /// The second step of a sign-in with a key instead of a code: the password step's token,
    /// and the answer to a challenge of [`Core::begin_key_checkpoint`].
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn finish_key_checkpoint(
        &self,
        token: &str,
        challenge: Uuid,
        answer: Value,
        client: ClientInfo,
    ) -> Result<Session, CoreError> {
        let user = self.challenged_user(token).await?;
        let attempt = self
            .count_guess(Step::Code, &user.to_string(), client.ip.as_deref())
            .await?;
        let (for_user, ceremony) = self.take_ceremony(challenge).await?;
        let (Some(for_user), Ceremony::Keys(state)) = (for_user, ceremony) else {
            return Err(refused(KeyRefusal::Challenge));
        };
        if for_user != user {
            return Err(refused(KeyRefusal::Challenge));
        }
        let answer: PublicKeyCredential = credential(answer, KeyRefusal::Authentication)?;
        let result = match self
            .webauthn()?
            .finish_passkey_authentication(&answer, &state)
        {
            Ok(result) => result,
            Err(error) => {
                tracing::info!(%error, "a security key at the second step did not pass");
                self.record_failed_sign_in(Event::TwoFactorFailed, Some(user), &client)
                    .await?;
                return Err(refused(KeyRefusal::Authentication));
            }
        };
        let (user, key) = self.note_key_use(Some(user), &result).await?;
        self.spend_challenge(token).await?;
        self.guess_succeeded(attempt).await?;
        self.open_key_session(user, key, client).await
    }

    /// Notes a key's use: its signature counter kept and `last_used` set. Answers the key's
    /// user (who must be `user`, when one is expected) and the key.
    async fn note_key_use(
        &self,
        user: Option<Uuid>,
        result: &AuthenticationResult,
    ) -> Result<(Uuid, Uuid), CoreError> {
        let id: Vec<u8> = AsRef::<[u8]>::as_ref(result.cred_id()).to_vec();
        let mut tx = self.upkeep().await?;
        let row = with_tx!(&mut tx, conn => {
            sqlx::query_as::<_, (Uuid, Uuid, String)>(
                "SELECT user_uuid, uuid, passkey FROM user_security_keys \
                 WHERE credential_id = $1 AND passkey IS NOT NULL",
            )
            .bind(id.as_slice())
            .fetch_optional(conn)
            .await
        })?;
        let (owner, key, kept) = match row {
            Some(row) if user.is_none_or(|user| user == row.0) => row,
            _ => return Err(refused(KeyRefusal::Authentication)),
        };
        let mut passkey: Passkey = decode(&kept)?;
        passkey.update_credential(result);
        let kept = encode(&passkey)?;
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE user_security_keys SET passkey = $2, last_used = $3 WHERE uuid = $1")
                .bind(key)
                .bind(kept.as_str())
                .bind(now())
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        tx.commit().await?;
        Ok((owner, key))
    }

    /// A session for the user a key signed in, unless they are suspended.
    async fn open_key_session(
        &self,
        user: Uuid,
        key: Uuid,
        client: ClientInfo,
    ) -> Result<Session, CoreError> {
        let user: User = self.load_user(user).await?;
        if user.suspended {
            self.record_failed_sign_in(Event::SignInFailed, Some(user.uuid), &client)
                .await?;
            return Err(CoreError::Refused(Refusal::Suspended));
        }
        let how = Changes::details(json!({ "using": "security-key", "uuid": key }));
        self.open_session_with(user, client, how).await
    }

    /// Deletes sign-in challenges and unfinished registrations past their life; the server runs
    /// it periodically.
    pub async fn purge_key_ceremonies(&self) -> Result<u64, CoreError> {
        let challenges = self
            .delete_up_to("webauthn_challenges", "expires", now())
            .await?;
        let before = now() - Duration::minutes(CEREMONY_MINUTES);
        let unfinished = with_db!(&self.db, pool => {
            sqlx::query("DELETE FROM user_security_keys WHERE passkey IS NULL AND created < $1")
                .bind(before)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(challenges + unfinished)
    }
}

/// Holds the user's row for the rest of the write, so that two registrations at once count each
/// other's keys.
async fn lock_user(tx: &mut Tx, user: Uuid) -> Result<(), CoreError> {
    let sql = format!(
        "SELECT uuid FROM users WHERE uuid = $1{}",
        dialect::lock_row(tx.backend())
    );
    with_tx!(tx, conn => {
        sqlx::query_scalar::<_, Uuid>(&sql).bind(user).fetch_optional(conn).await.map(|_| ())
    })?;
    Ok(())
}

/// One of `user`'s keys, registered or not.
async fn key_row(tx: &mut Tx, user: Uuid, uuid: Uuid) -> Result<KeyRow, CoreError> {
    with_tx!(tx, conn => {
        sqlx::query_as::<_, KeyRow>(&format!(
            "SELECT {KEY_COLUMNS} FROM user_security_keys WHERE uuid = $1 AND user_uuid = $2"
        ))
        .bind(uuid)
        .bind(user)
        .fetch_optional(conn)
        .await
    })?
    .ok_or(CoreError::Refused(Refusal::NotFound(Entity::SecurityKey)))
}

/// One of `user`'s registered keys.
async fn own_key(tx: &mut Tx, user: Uuid, uuid: Uuid) -> Result<SecurityKey, CoreError> {
    let row = key_row(tx, user, uuid).await?;
    if row.passkey.is_none() {
        return Err(refused(KeyRefusal::NotSetUp));
    }
    Ok(row.into())
}
