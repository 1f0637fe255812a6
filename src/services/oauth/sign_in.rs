//! Signing in, or linking an account, through a provider: the authorization code flow with PKCE
//! (RFC 7636), a `state` that the browser holds in a cookie and that works once, the userinfo
//! read with the access token, and the identity found at `identifier_path`. The identity finds
//! its user through their link; a provider that allows it creates the user on first sign-in.
//! Its claim mappings set the user's role at every sign-in.

use chrono::Duration;
use oauth2::basic::{
    BasicClient, BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, ExtraTokenFields,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, StandardRevocableToken,
    StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::super::activity::{Actor, Changes, Target};
use super::super::auth::{ClientInfo, Session};
use super::super::{Core, now};
use super::link_snapshot;
use crate::domain::activity::Event;
use crate::domain::fields::{Email, Language, PersonName, ToastPosition, Username};
use crate::domain::oauth::{LinkedProvider, Mapping, Matcher, OAuthProvider};
use crate::domain::user::{NewUser, User};
use crate::error::{CoreError, Entity, OAuthRefusal, Refusal};
use crate::principal::Principal;
use crate::secret::{random_token, sha256_hex};
use crate::store::{with_db, with_tx};

/// How long a browser may take at the provider.
const STATE_MINUTES: i64 = 10;

/// How long Roster waits for a provider's token and userinfo endpoints.
const PROVIDER_TIMEOUT_SECS: u64 = 10;

/// Where the browser goes to sign in at the provider, and the `state` its cookie must hold when
/// it comes back.
pub struct OAuthStart {
    pub location: String,
    pub state: String,
}

/// What coming back from the provider did.
pub enum OAuthOutcome {
    SignedIn(Box<Session>),
    /// The user has two-factor sign-in and the provider does not stand in for it: the code step
    /// follows, as after a password.
    TwoFactorRequired {
        token: String,
    },
    /// A signed-in user linked the identity to their account.
    Linked,
}

fn refused(refusal: OAuthRefusal) -> CoreError {
    CoreError::Refused(Refusal::OAuth(refusal))
}

/// A link that clashes, met while signing in, is the sign-in's refusal, not an admin's conflict.
fn link_refusal(error: CoreError) -> CoreError {
    match error {
        CoreError::Refused(Refusal::Conflict(_)) => refused(OAuthRefusal::LinkTaken),
        other => other,
    }
}

/// A token reply's OpenID Connect part: the ID token, when the provider sends one.
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
struct IdTokenFields {
    id_token: Option<String>,
}

impl ExtraTokenFields for IdTokenFields {}

type TokenReply = StandardTokenResponse<IdTokenFields, BasicTokenType>;

/// A client for the code exchange that keeps the ID token of the reply.
type ExchangeClient = oauth2::Client<
    BasicErrorResponse,
    TokenReply,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
>;

/// How far apart Roster's clock and a provider's may be when an ID token's times are checked.
const CLOCK_SKEW_SECS: u64 = 60;

/// The signature algorithms an ID token may use: those of published keys. A token signed with
/// a shared secret (`HS256`) or none at all is refused.
const ID_TOKEN_ALGORITHMS: [jsonwebtoken::Algorithm; 8] = [
    jsonwebtoken::Algorithm::RS256,
    jsonwebtoken::Algorithm::RS384,
    jsonwebtoken::Algorithm::RS512,
    jsonwebtoken::Algorithm::PS256,
    jsonwebtoken::Algorithm::PS384,
    jsonwebtoken::Algorithm::PS512,
    jsonwebtoken::Algorithm::ES256,
    jsonwebtoken::Algorithm::EdDSA,
];

#[derive(sqlx::FromRow)]
struct StateRow {
    oauth_provider_uuid: Uuid,
    pkce_verifier: String,
    nonce: String,
    link_user: Option<Uuid>,
    expires: chrono::DateTime<chrono::Utc>,
}

/// Reads a provider's JSON document at `url`.
async fn fetch_json(http: &reqwest::Client, url: &str) -> Result<Value, String> {
    http.get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|error| format!("{url} could not be read: {error}"))?
        .json::<Value>()
        .await
        .map_err(|error| format!("{url} is not JSON: {error}"))
}

/// Checks an ID token as OpenID Connect Core 3.1.3.7 asks: signed by a key the issuer
/// publishes (found through its discovery document), issued by `issuer` for `client_id` (the
/// authorized party when it names several audiences), unexpired, and carrying the `nonce` this
/// sign-in sent. Answers why not.
async fn verify_id_token(
    http: &reqwest::Client,
    issuer: &str,
    client_id: &str,
    id_token: &str,
    nonce: &str,
) -> Result<(), String> {
    let discovery = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let configuration = fetch_json(http, &discovery).await?;
    if configuration["issuer"].as_str() != Some(issuer) {
        return Err(format!("{discovery} names another issuer"));
    }
    let jwks_uri = configuration["jwks_uri"]
        .as_str()
        .ok_or_else(|| format!("{discovery} names no jwks_uri"))?;
    let keys: jsonwebtoken::jwk::JwkSet = serde_json::from_value(fetch_json(http, jwks_uri).await?)
        .map_err(|error| format!("{jwks_uri} is not a key set: {error}"))?;
    let header = jsonwebtoken::decode_header(id_token).map_err(|error| error.to_string())?;
    if !ID_TOKEN_ALGORITHMS.contains(&header.alg) {
        return Err(format!("a token signed with {:?}", header.alg));
    }
    let key = match &header.kid {
        Some(kid) => keys.find(kid),
        None if keys.keys.len() == 1 => keys.keys.first(),
        None => None,
    }
    .ok_or("a token signed with a key the issuer does not publish")?;
    let key = jsonwebtoken::DecodingKey::from_jwk(key).map_err(|error| error.to_string())?;
    let mut validation = jsonwebtoken::Validation::new(header.alg);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[client_id]);
    validation.set_required_spec_claims(&["iss", "aud", "exp", "sub"]);
    validation.leeway = CLOCK_SKEW_SECS;
    let claims = jsonwebtoken::decode::<Value>(id_token, &key, &validation)
        .map_err(|error| error.to_string())?
        .claims;
    if claims["aud"]
        .as_array()
        .is_some_and(|audiences| audiences.len() > 1)
        && claims["azp"].as_str() != Some(client_id)
    {
        return Err("a token for several audiences whose authorized party is another".to_owned());
    }
    if claims["nonce"].as_str() != Some(nonce) {
        return Err("a token for another sign-in (its nonce differs)".to_owned());
    }
    Ok(())
}

/// The first node a JSONPath finds, as text: a string as it is, anything else as its JSON.
fn claim(info: &Value, path: Option<&str>, max: usize) -> Option<String> {
    let path = serde_json_path::JsonPath::parse(path?).ok()?;
    let node = path.query(info).all().into_iter().next()?;
    let text = match node {
        Value::String(text) => text.clone(),
        Value::Null => return None,
        other => other.to_string(),
    };
    let text: String = text.chars().take(max).collect();
    (!text.is_empty()).then_some(text)
}

impl Core {
    /// Where a provider sends browsers back: the address to register at the provider.
    pub fn oauth_redirect_uri(&self, provider: Uuid) -> String {
        format!("{}/api/auth/oauth/{provider}", self.mail.public_url)
    }

    /// The providers a sign-in page offers: the enabled ones, oldest first.
    pub async fn sign_in_providers(&self) -> Result<Vec<LinkedProvider>, CoreError> {
        self.enabled_providers("", None).await
    }

    /// The enabled providers the caller may still link themselves: those that let users link
    /// and that hold no link of theirs yet, oldest first.
    pub async fn linkable_providers(
        &self,
        principal: &Principal,
    ) -> Result<Vec<LinkedProvider>, CoreError> {
        let unlinked = " AND user_manageable = TRUE AND NOT EXISTS (SELECT 1 FROM user_oauth_links l \
             WHERE l.oauth_provider_uuid = oauth_providers.uuid AND l.user_uuid = $1)";
        self.enabled_providers(unlinked, Some(principal.user.uuid))
            .await
    }

    /// The enabled providers meeting `condition` (which binds `user` as `$1`), oldest first.
    async fn enabled_providers(
        &self,
        condition: &str,
        user: Option<Uuid>,
    ) -> Result<Vec<LinkedProvider>, CoreError> {
        let sql = format!(
            "SELECT uuid, name, link_viewable, user_manageable FROM oauth_providers \
             WHERE enabled = TRUE{condition} ORDER BY created, uuid"
        );
        let rows = with_db!(&self.db, pool => {
            let mut q = sqlx::query_as::<_, (Uuid, String, bool, bool)>(&sql);
            if let Some(user) = user {
                q = q.bind(user);
            }
            q.fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .map(
                |(uuid, name, link_viewable, user_manageable)| LinkedProvider {
                    uuid,
                    name,
                    link_viewable,
                    user_manageable,
                },
            )
            .collect())
    }

    /// Starts a sign-in through `provider`, or, for a signed-in `linking` user, a link to it.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn begin_oauth(
        &self,
        provider: Uuid,
        linking: Option<&Principal>,
        client: &ClientInfo,
    ) -> Result<OAuthStart, CoreError> {
        self.count_oauth("begin", client).await?;
        let provider = self.enabled_provider(provider).await?;
        if let Some(principal) = linking {
            principal.require_session()?;
            principal.require_own_name()?;
            if !provider.user_manageable {
                return Err(refused(OAuthRefusal::NotLinkable));
            }
        }
        let auth_url = AuthUrl::new(provider.auth_url.clone()).map_err(CoreError::internal)?;
        let redirect = RedirectUrl::new(self.oauth_redirect_uri(provider.uuid))
            .map_err(CoreError::internal)?;
        let client = BasicClient::new(ClientId::new(provider.client_id.clone()))
            .set_auth_uri(auth_url)
            .set_redirect_uri(redirect);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let nonce = random_token();
        let mut request = client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(provider.scopes.iter().cloned().map(Scope::new))
            .set_pkce_challenge(challenge);
        let openid = provider.scopes.iter().any(|scope| scope == "openid");
        if provider.issuer.is_some() && !openid {
            // An issuer's ID token comes only to a request for one.
            request = request.add_scope(Scope::new("openid".to_owned()));
        }
        if openid || provider.issuer.is_some() {
            request = request.add_extra_param("nonce", nonce.clone());
        }
        let (url, state) = request.url();
        let expires = now() + Duration::minutes(STATE_MINUTES);
        let link_user = linking.map(|principal| principal.user.uuid);
        let mut tx = self.upkeep().await?;
        with_tx!(&mut tx, conn => {
            sqlx::query("DELETE FROM oauth_states WHERE expires < $1")
                .bind(now())
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        with_tx!(&mut tx, conn => {
            sqlx::query(
                "INSERT INTO oauth_states (state_hash, oauth_provider_uuid, pkce_verifier, nonce, \
                 link_user, expires) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(sha256_hex(state.secret()))
            .bind(provider.uuid)
            .bind(verifier.secret().as_str())
            .bind(nonce.as_str())
            .bind(link_user)
            .bind(expires)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        tx.commit().await?;
        Ok(OAuthStart {
            location: url.to_string(),
            state: state.secret().clone(),
        })
    }

    /// Counts a step of a sign-in through a provider against the client's network, as guesses
    /// of a password are: a network that starts or finishes too many in a window waits.
    async fn count_oauth(&self, step: &str, client: &ClientInfo) -> Result<(), CoreError> {
        self.count_from_network(&format!("oauth\n{step}"), client)
            .await
            .map_err(|error| match error {
                CoreError::Refused(Refusal::RateLimited(_)) => refused(OAuthRefusal::Throttled),
                other => other,
            })
    }

    async fn enabled_provider(&self, uuid: Uuid) -> Result<OAuthProvider, CoreError> {
        let provider = self.find_oauth_provider(uuid).await?;
        if !provider.enabled {
            return Err(CoreError::Refused(Refusal::NotFound(Entity::OAuthProvider)));
        }
        Ok(provider)
    }

    /// Takes the state this browser came back with: it must match the browser's cookie, belong
    /// to this provider, be fresh, and it is gone afterwards whatever happens next.
    async fn take_state(
        &self,
        provider: Uuid,
        state: &str,
        cookie: Option<&str>,
    ) -> Result<StateRow, CoreError> {
        if state.is_empty() || cookie != Some(state) {
            return Err(refused(OAuthRefusal::State));
        }
        let mut tx = self.upkeep().await?;
        let row = with_tx!(&mut tx, conn => {
            sqlx::query_as::<_, StateRow>(
                "DELETE FROM oauth_states WHERE state_hash = $1 \
                 RETURNING oauth_provider_uuid, pkce_verifier, nonce, link_user, expires",
            )
            .bind(sha256_hex(state))
            .fetch_optional(conn)
            .await
        })?;
        tx.commit().await?;
        match row {
            Some(row) if row.oauth_provider_uuid == provider && row.expires > now() => Ok(row),
            _ => Err(refused(OAuthRefusal::State)),
        }
    }

    /// The code exchanged for an access token, and the userinfo read with it; with the scopes
    /// the provider granted.
    async fn provider_identity(
        &self,
        provider: &OAuthProvider,
        code: &str,
        verifier: String,
        nonce: &str,
    ) -> Result<(Value, Vec<String>), CoreError> {
        let secret = with_db!(&self.db, pool => {
            sqlx::query_scalar::<_, String>("SELECT client_secret FROM oauth_providers WHERE uuid = $1")
                .bind(provider.uuid)
                .fetch_one(pool)
                .await
        })?;
        let token_url = TokenUrl::new(provider.token_url.clone()).map_err(CoreError::internal)?;
        let redirect = RedirectUrl::new(self.oauth_redirect_uri(provider.uuid))
            .map_err(CoreError::internal)?;
        let client = ExchangeClient::new(ClientId::new(provider.client_id.clone()))
            .set_client_secret(ClientSecret::new(secret))
            .set_token_uri(token_url)
            .set_redirect_uri(redirect)
            .set_auth_type(if provider.basic_auth {
                AuthType::BasicAuth
            } else {
                AuthType::RequestBody
            });
        // A provider's endpoints are followed once: a redirect could lead the server anywhere.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(PROVIDER_TIMEOUT_SECS))
            .build()
            .map_err(CoreError::internal)?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier))
            .request_async(&http)
            .await
            .map_err(|error| {
                tracing::info!(provider = %provider.name, %error, "the provider refused the code");
                refused(OAuthRefusal::Provider)
            })?;
        if let Some(issuer) = &provider.issuer {
            let id_token = token.extra_fields().id_token.as_deref().ok_or_else(|| {
                tracing::info!(provider = %provider.name, "the provider sent no ID token");
                refused(OAuthRefusal::Token)
            })?;
            verify_id_token(&http, issuer, &provider.client_id, id_token, nonce)
                .await
                .map_err(|why| {
                    tracing::info!(provider = %provider.name, why, "the ID token was refused");
                    refused(OAuthRefusal::Token)
                })?;
        }
        let granted = match token.scopes() {
            Some(scopes) => scopes.iter().map(|scope| scope.to_string()).collect(),
            None => provider.scopes.clone(),
        };
        let reply = http
            .get(&provider.info_url)
            .bearer_auth(token.access_token().secret())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|error| {
                tracing::info!(provider = %provider.name, %error, "the provider's userinfo failed");
                refused(OAuthRefusal::Provider)
            })?;
        let info = reply
            .json::<Value>()
            .await
            .map_err(|_| refused(OAuthRefusal::Provider))?;
        Ok((info, granted))
    }

    /// Finishes what [`Core::begin_oauth`] started, when the provider sends the browser back
    /// with `code` and `state`; `cookie` is the state the browser kept.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn finish_oauth(
        &self,
        provider: Uuid,
        code: &str,
        state: &str,
        cookie: Option<&str>,
        client: ClientInfo,
    ) -> Result<OAuthOutcome, CoreError> {
        self.count_oauth("finish", &client).await?;
        let row = self.take_state(provider, state, cookie).await?;
        let provider = self.enabled_provider(provider).await?;
        let (info, granted) = self
            .provider_identity(&provider, code, row.pkce_verifier, &row.nonce)
            .await?;
        let identifier = claim(&info, Some(&provider.identifier_path), 255)
            .ok_or(refused(OAuthRefusal::Identity))?;
        if let Some(user) = row.link_user {
            return self
                .link_own_account(&provider, user, &identifier, &granted, &info, &client)
                .await;
        }
        let linked = with_db!(&self.db, pool => {
            sqlx::query_scalar::<_, Uuid>(
                "SELECT user_uuid FROM user_oauth_links WHERE oauth_provider_uuid = $1 AND identifier = $2",
            )
            .bind(provider.uuid)
            .bind(identifier.as_str())
            .fetch_optional(pool)
            .await
        })?;
        let user = match linked {
            Some(uuid) => self.load_user(uuid).await?,
            None if provider.login_only => {
                self.record_oauth_refusal(&provider, None, &client).await?;
                return Err(refused(OAuthRefusal::Unregistered));
            }
            None => {
                self.register_through(&provider, &identifier, &info, &client)
                    .await?
            }
        };
        let user = self
            .apply_mappings(&provider, user, &granted, &info)
            .await?;
        if user.suspended {
            self.record_oauth_refusal(&provider, Some(&user), &client)
                .await?;
            return Err(refused(OAuthRefusal::Suspended));
        }
        with_db!(&self.db, pool => {
            sqlx::query(
                "UPDATE user_oauth_links SET last_used = $3 WHERE oauth_provider_uuid = $1 AND identifier = $2",
            )
            .bind(provider.uuid)
            .bind(identifier.as_str())
            .bind(now())
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        if user.totp_enabled && !provider.login_bypass_two_factor {
            let token = self.challenge(user.uuid).await?;
            return Ok(OAuthOutcome::TwoFactorRequired { token });
        }
        let how = Changes::details(json!({ "using": "oauth2", "oauth_provider": provider.name }));
        Ok(OAuthOutcome::SignedIn(Box::new(
            self.open_session_with(user, client, how).await?,
        )))
    }

    async fn record_oauth_refusal(
        &self,
        provider: &OAuthProvider,
        user: Option<&User>,
        client: &ClientInfo,
    ) -> Result<(), CoreError> {
        let how = Changes::details(json!({ "using": "oauth2", "oauth_provider": provider.name }));
        self.record_refused_sign_in(Event::SignInFailed, user.map(Target::user), client, how)
            .await
    }

    /// A signed-in user links the identity to their own account.
    async fn link_own_account(
        &self,
        provider: &OAuthProvider,
        user: Uuid,
        identifier: &str,
        granted: &[String],
        info: &Value,
        client: &ClientInfo,
    ) -> Result<OAuthOutcome, CoreError> {
        if !provider.user_manageable {
            return Err(refused(OAuthRefusal::NotLinkable));
        }
        let user = self.load_user(user).await?;
        let mut tx = self
            .write_as(Actor::user(&user, client.ip.as_deref()))
            .await?;
        let link = self
            .insert_link(&mut tx, provider.uuid, user.uuid, identifier, true)
            .await
            .map_err(link_refusal)?;
        tx.record(
            Event::AccountOAuthLinkCreate,
            Some(Target::user(&user)),
            Changes::created(json!({ "oauth_link": link_snapshot(&link) })),
        )
        .await?;
        tx.commit().await?;
        self.apply_mappings(provider, user, granted, info).await?;
        Ok(OAuthOutcome::Linked)
    }

    /// A first sign-in creates the user (their username and names from the provider's paths,
    /// made to fit Roster's rules and unique), with their link, in one write.
    async fn register_through(
        &self,
        provider: &OAuthProvider,
        identifier: &str,
        info: &Value,
        client: &ClientInfo,
    ) -> Result<User, CoreError> {
        let username = self
            .free_username(claim(info, provider.username_path.as_deref(), 64).unwrap_or_default())
            .await?;
        let email = match claim(info, provider.email_path.as_deref(), 255) {
            Some(email) => Email::parse(email).map_err(|_| refused(OAuthRefusal::Identity))?,
            None => Email::parse(format!(
                "{}@oauth.invalid",
                username.as_str().to_lowercase()
            ))
            .map_err(CoreError::internal)?,
        };
        let name = |path: Option<&str>| {
            claim(info, path, 255)
                .and_then(|name| PersonName::parse(name).ok())
                .map_or_else(|| PersonName::parse(username.as_str().to_owned()), Ok)
        };
        let input = NewUser {
            username: username.clone(),
            email,
            name_first: name(provider.name_first_path.as_deref()).map_err(CoreError::internal)?,
            name_last: name(provider.name_last_path.as_deref()).map_err(CoreError::internal)?,
            password: None,
            admin: false,
            language: Language::default(),
            role_uuid: None,
            external_id: None,
            suspended: false,
            frozen: false,
            toast_position: ToastPosition::default(),
            start_on_grouped_servers: true,
            send_email: false,
        };
        let mut tx = self
            .write_as(Actor::anonymous(client.ip.as_deref()))
            .await?;
        let user = match self.insert_user_in(&mut tx, input, None).await {
            Err(CoreError::Refused(Refusal::Conflict(_))) => {
                return Err(refused(OAuthRefusal::Taken));
            }
            other => other?,
        };
        let link = self
            .insert_link(&mut tx, provider.uuid, user.uuid, identifier, true)
            .await
            .map_err(link_refusal)?;
        tx.record(
            Event::UserOAuthLinkCreate,
            Some(Target::user(&user)),
            Changes::created(json!({ "oauth_link": link_snapshot(&link) })),
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// `wanted` made a username Roster accepts that nobody has: its letters, digits and
    /// underscores, at most 15, with a number added while it is taken.
    async fn free_username(&self, wanted: String) -> Result<Username, CoreError> {
        let mut base: String = wanted
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(15)
            .collect();
        if base.len() < 3 {
            base = format!("user{base}");
        }
        for attempt in 0..1000u32 {
            let candidate = if attempt == 0 {
                base.clone()
            } else {
                let suffix = attempt.to_string();
                let keep = 15 - suffix.len();
                format!("{}{suffix}", &base[..base.len().min(keep)])
            };
            let taken = with_db!(&self.db, pool => {
                sqlx::query_scalar::<_, i64>("SELECT count(*) FROM users WHERE lower(username) = lower($1)")
                    .bind(candidate.as_str())
                    .fetch_one(pool)
                    .await
            })?;
            if taken == 0 {
                return Username::parse(candidate).map_err(CoreError::internal);
            }
        }
        Err(refused(OAuthRefusal::Taken))
    }

    /// The provider's mappings applied to a user who just came through it: a matched role
    /// mapping sets the user's role; an unmatched one that revokes takes it away again, unless
    /// another matched mapping hands out the same role.
    async fn apply_mappings(
        &self,
        provider: &OAuthProvider,
        user: User,
        granted: &[String],
        info: &Value,
    ) -> Result<User, CoreError> {
        let rows = with_db!(&self.db, pool => {
            sqlx::query_as::<_, (String, String)>(
                "SELECT matcher, mapping FROM oauth_provider_mappings \
                 WHERE oauth_provider_uuid = $1 ORDER BY created, uuid",
            )
            .bind(provider.uuid)
            .fetch_all(pool)
            .await
        })?;
        let mut matched = Vec::new();
        let mut revoked = Vec::new();
        for (matcher, mapping) in rows {
            let (Ok(matcher), Ok(mapping)) = (
                serde_json::from_str::<Matcher>(&matcher),
                serde_json::from_str::<Mapping>(&mapping),
            ) else {
                continue;
            };
            let Mapping::Role {
                role_uuid,
                revoke_unmatched,
            } = mapping;
            if matcher.matches(granted, info) {
                matched.push(role_uuid);
            } else if revoke_unmatched {
                revoked.push(role_uuid);
            }
        }
        let current = user.role.as_ref().map(|role| role.uuid);
        let wanted = match matched.last() {
            Some(role) => Some(*role),
            None if current.is_some_and(|role| revoked.contains(&role)) => None,
            None => current,
        };
        if wanted == current {
            return Ok(user);
        }
        self.set_role_by_provider(provider, user.uuid, wanted).await
    }
}

impl Core {
    /// Sets the role a provider's mappings decided, as a change of the user recorded like any
    /// other; nobody acts but the provider's configuration.
    async fn set_role_by_provider(
        &self,
        provider: &OAuthProvider,
        user: Uuid,
        role: Option<Uuid>,
    ) -> Result<User, CoreError> {
        let mut tx = self.upkeep().await?;
        let before = super::super::user_for_update(&mut tx, user)
            .await?
            .ok_or(CoreError::Refused(Refusal::NotFound(Entity::User)))?;
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE users SET role_uuid = $2 WHERE uuid = $1")
                .bind(user)
                .bind(role)
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        let after = super::super::user_for_update(&mut tx, user)
            .await?
            .ok_or(CoreError::Refused(Refusal::NotFound(Entity::User)))?;
        let mut changes = Changes::between(
            super::super::activity::user_snapshot(&before),
            super::super::activity::user_snapshot(&after),
        );
        changes = changes.with_detail("oauth_provider", json!(provider.name));
        tx.record(Event::UserUpdate, Some(Target::user(&after)), changes)
            .await?;
        tx.narrows(super::super::credentials::Narrowed::User(user));
        tx.commit().await?;
        Ok(after)
    }
}
