use serde::{Deserialize, Serialize};
use std::fmt;

use crate::permission::Permission;

/// The kinds of record a request can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    User,
    Role,
    Server,
    ApiKey,
    Session,
    OAuthProvider,
    OAuthMapping,
    OAuthLink,
    /// A provider's identity as Paymenter looks it up.
    UserOAuthLink,
    SecurityKey,
    Webhook,
    WebhookDelivery,
    Job,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::User => "user",
            Entity::Role => "role",
            Entity::Server => "server",
            Entity::ApiKey => "api key",
            Entity::Session => "session",
            Entity::OAuthProvider => "oauth provider",
            Entity::OAuthMapping => "oauth mapping",
            Entity::OAuthLink => "oauth link",
            Entity::UserOAuthLink => "user oauth link",
            Entity::SecurityKey => "security key",
            Entity::Webhook => "webhook",
            Entity::WebhookDelivery => "webhook delivery",
            Entity::Job => "job",
        }
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why coming back from a provider was refused. Each has a code the sign-in page names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuthRefusal {
    /// No cookie, a cookie for another attempt, a state used already or too old.
    State,
    /// The provider refused the code, or its userinfo could not be read.
    Provider,
    /// The userinfo holds no identity at `identifier_path`.
    Identity,
    /// The identity is linked to nobody and the provider creates no users.
    Unregistered,
    /// An account with the provider's username or email exists already.
    Taken,
    /// The identity is linked to another user, or the user has a link to that provider.
    LinkTaken,
    /// The provider does not let users link it themselves.
    NotLinkable,
    Suspended,
    /// Unlinking would leave the user no way to sign in.
    LastSignIn,
    /// The provider has an issuer, and its ID token was missing or did not pass.
    Token,
    /// Too many sign-ins through providers from the client's network.
    Throttled,
}

impl OAuthRefusal {
    pub fn code(self) -> &'static str {
        match self {
            OAuthRefusal::State => "oauth_state",
            OAuthRefusal::Provider => "oauth_provider",
            OAuthRefusal::Identity => "oauth_identity",
            OAuthRefusal::Unregistered => "registration_disabled",
            OAuthRefusal::Taken => "user_already_exists",
            OAuthRefusal::LinkTaken => "oauth_link_taken",
            OAuthRefusal::NotLinkable => "oauth_not_linkable",
            OAuthRefusal::Suspended => "suspended",
            OAuthRefusal::LastSignIn => "oauth_last_sign_in",
            OAuthRefusal::Token => "oauth_token",
            OAuthRefusal::Throttled => "oauth_throttled",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            OAuthRefusal::State => {
                "the sign-in with the provider expired or came from another browser: please try again"
            }
            OAuthRefusal::Provider => "the provider did not confirm the sign-in",
            OAuthRefusal::Identity => "the provider did not say who you are",
            OAuthRefusal::Unregistered => {
                "no account is linked to that identity, and this provider does not create accounts"
            }
            OAuthRefusal::Taken => {
                "an account with that username or email exists: sign in to it and link the provider from your account"
            }
            OAuthRefusal::LinkTaken => "that identity is linked already",
            OAuthRefusal::NotLinkable => "you cannot link with this oauth provider",
            OAuthRefusal::Suspended => "account is suspended",
            OAuthRefusal::LastSignIn => {
                "this is the only way you can sign in: set a password before you unlink it"
            }
            OAuthRefusal::Token => "the provider's identity token did not pass its checks",
            OAuthRefusal::Throttled => {
                "too many sign-ins from your network: please wait a few minutes and try again"
            }
        }
    }

    /// The refusal a sign-in page's `error` code names.
    pub fn from_code(code: &str) -> Option<Self> {
        [
            OAuthRefusal::State,
            OAuthRefusal::Provider,
            OAuthRefusal::Identity,
            OAuthRefusal::Unregistered,
            OAuthRefusal::Taken,
            OAuthRefusal::LinkTaken,
            OAuthRefusal::NotLinkable,
            OAuthRefusal::Suspended,
            OAuthRefusal::LastSignIn,
            OAuthRefusal::Token,
            OAuthRefusal::Throttled,
        ]
        .into_iter()
        .find(|refusal| refusal.code() == code)
    }
}

/// Why a security key's ceremony was refused, in Calagopus' words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyRefusal {
    /// The challenge is unknown, used already or too old.
    Challenge,
    /// The authenticator's answer to a registration did not pass.
    Registration,
    /// The authenticator's answer to a sign-in did not pass.
    Authentication,
    /// The key's registration is finished already.
    AlreadySetUp,
    /// The key's registration is not finished.
    NotSetUp,
    /// The user holds as many keys as they may.
    Limit,
    /// Roster's public address has no domain name, which WebAuthn needs.
    Disabled,
}

impl KeyRefusal {
    pub fn message(self) -> &'static str {
        match self {
            KeyRefusal::Challenge => "invalid or expired challenge",
            KeyRefusal::Registration => "failed to finish security key registration",
            KeyRefusal::Authentication => "failed to finish security key authentication",
            KeyRefusal::AlreadySetUp => "security key already setup",
            KeyRefusal::NotSetUp => "security key not setup yet",
            KeyRefusal::Limit => "maximum number of security keys reached",
            KeyRefusal::Disabled => "security keys are disabled",
        }
    }
}

/// A uniqueness rule that a write broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conflict {
    /// Creating a user whose username or email is taken.
    UserUsernameOrEmail,
    /// Creating a user whose external id is taken.
    UserExternalId,
    /// Updating a user onto a taken username, email or external id.
    UserUpdate,
    RoleName,
    OAuthProviderName,
    /// The identity is linked to someone, or the user has a link to that provider.
    OAuthLink,
    /// The user has a security key of that name.
    SecurityKeyName,
    /// The credential is registered already, to this user or another.
    SecurityKeyCredential,
}

impl Conflict {
    pub fn message(self) -> &'static str {
        match self {
            Conflict::UserUsernameOrEmail => "user with email/username already exists",
            Conflict::UserExternalId => "user with external_id already exists",
            Conflict::UserUpdate => "user with email/username/external_id already exists",
            Conflict::RoleName => "role with name already exists",
            Conflict::OAuthProviderName => "oauth provider with name already exists",
            Conflict::OAuthLink => "oauth link with provider + identifier already exists",
            Conflict::SecurityKeyName => "security key with name already exists",
            Conflict::SecurityKeyCredential => "security key is already registered",
        }
    }

    /// The form field a person should look at to resolve the conflict.
    pub fn field(self) -> &'static str {
        match self {
            Conflict::UserUsernameOrEmail | Conflict::UserUpdate => "username",
            Conflict::UserExternalId => "external_id",
            Conflict::RoleName
            | Conflict::OAuthProviderName
            | Conflict::SecurityKeyName
            | Conflict::SecurityKeyCredential => "name",
            Conflict::OAuthLink => "identifier",
        }
    }
}

/// A role-admin guardrail: what only a global admin may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Guardrail {
    GrantAdmin,
    AssignRole,
    ModifyAdmin,
    ChangeOthersEmailOrPassword,
    ReadOutbox,
    /// One's own password, email or two-factor through an admin route.
    OwnCredentials,
    /// A bulk action started while acting as another user: a job outlives the request.
    BulkWhileActing,
}

impl Guardrail {
    pub fn message(self) -> &'static str {
        match self {
            Guardrail::GrantAdmin => "only global admins can grant admin rights",
            Guardrail::AssignRole => "only global admins can assign roles",
            Guardrail::ModifyAdmin => "only global admins can modify or delete an admin",
            Guardrail::ChangeOthersEmailOrPassword => {
                "only global admins can change another user's email or password"
            }
            Guardrail::ReadOutbox => "only global admins can read the mail outbox",
            Guardrail::OwnCredentials => {
                "your own email, password and two-factor change only through your account, \
                 signed in and with your current password"
            }
            Guardrail::BulkWhileActing => {
                "bulk actions are not started while acting as another user"
            }
        }
    }
}

/// One failing field and why, shown as `<field>: <reason>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// Every failing field of one input, in the order the fields were checked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, field: &str, reason: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            reason: reason.into(),
        });
    }

    /// Keeps the value when the check passed, records the reason under `field` when it failed.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(reason) => {
                self.push(field, reason);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.reason.as_str())
    }

    /// `Ok(())` when nothing failed, the collected errors otherwise.
    pub fn into_result(self) -> Result<(), CoreError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Refusal::Invalid(self).into())
        }
    }
}

/// What a use case can fail with. It knows nothing of HTTP; each door maps it once. An
/// internal failure keeps its source for the log; nothing of it reaches a client.
#[derive(Clone, Debug, thiserror::Error)]
pub enum CoreError {
    /// The request is refused, for a reason the caller may be told.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Too many password hashes are waiting; the caller should come back shortly.
    #[error("server busy, retry later")]
    Busy,
    /// The database cannot be reached; service resumes by itself when it returns.
    #[error("service unavailable, retry later")]
    Unavailable,
    /// A failure of Roster or what it runs on. Clients only ever see `internal server error`.
    #[error("internal server error")]
    Internal(#[source] Internal),
}

/// Two internal failures are the same only if they are the same failure.
impl PartialEq for CoreError {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (CoreError::Refused(a), CoreError::Refused(b)) => a == b,
            (CoreError::Busy, CoreError::Busy)
            | (CoreError::Unavailable, CoreError::Unavailable) => true,
            (CoreError::Internal(a), CoreError::Internal(b)) => std::sync::Arc::ptr_eq(&a.0, &b.0),
            _ => false,
        }
    }
}

/// Why a request is refused: typed data only, never free text from elsewhere, so that it can
/// travel to the console (and come back in a URL) without carrying anyone's words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum Refusal {
    #[error("missing authorization")]
    MissingAuthorization,
    #[error("invalid session")]
    InvalidSession,
    #[error("invalid api key")]
    InvalidApiKey,
    #[error("invalid username or password")]
    InvalidCredentials,
    #[error("invalid password")]
    InvalidPassword,
    #[error("email already in use")]
    EmailInUse,
    #[error("unauthorized")]
    Unauthorized,
    #[error("you do not have permission to perform this action: {0}")]
    MissingPermission(Permission),
    #[error("{}", .0.message())]
    Guardrail(Guardrail),
    #[error("invalid {0} uuid")]
    InvalidUuid(Entity),
    #[error("{0} not found")]
    NotFound(Entity),
    #[error("{}", display_field_errors(.0))]
    Invalid(FieldErrors),
    #[error("{}", .0.message())]
    Conflict(Conflict),
    #[error("invalid relation `{0}` provided")]
    InvalidRelation(String),
    #[error("user has servers, cannot delete")]
    UserHasServers,
    #[error("cannot remove the last global admin")]
    LastGlobalAdmin,
    #[error("cannot delete your own account")]
    DeleteSelf,
    #[error("cannot suspend your own account")]
    SuspendSelf,
    #[error("resource has changed")]
    Changed,
    #[error("invalid idempotency key")]
    InvalidIdempotencyKey,
    #[error("idempotency key already used for another request")]
    IdempotencyKeyReused,
    #[error("a request with this idempotency key is still running")]
    IdempotencyKeyInFlight,
    #[error("a request with this idempotency key already completed; its reply cannot be repeated")]
    IdempotentReplyNotKept,
    #[error("account is suspended")]
    Suspended,
    /// The user may not change their own credentials (Calagopus' frozen account).
    #[error("account is frozen")]
    Frozen,
    /// `Calagopus-User` names nobody (Calagopus' words).
    #[error("unable to find user from calagopus-user header")]
    ImpersonatedUnknown,
    /// The user to act as holds something the caller does not (Calagopus' words).
    #[error("cannot impersonate a user with more permissions")]
    ImpersonatedHoldsMore,
    /// Acting as a user never reaches their password, email, two-factor, keys or sessions, nor
    /// acts as a third user.
    #[error("not allowed while acting as another user")]
    Impersonating,
    /// Coming back from a sign-in provider was refused.
    #[error("{}", .0.message())]
    OAuth(OAuthRefusal),
    /// A security key's registration or sign-in was refused.
    #[error("{}", .0.message())]
    SecurityKey(KeyRefusal),
    #[error("two-factor authentication required")]
    TwoFactorRequired,
    #[error("two-factor authentication is already enabled")]
    TwoFactorEnabled,
    #[error("two-factor authentication is not set up")]
    TwoFactorNotStarted,
    #[error("invalid two-factor code")]
    InvalidTwoFactor,
    #[error("invalid or expired token")]
    InvalidToken,
    #[error("this action needs a signed-in session, not an api key")]
    SessionRequired,
    #[error("you are ratelimited, retry in {0}s")]
    RateLimited(u64),
}

/// The source of an internal failure, shared so that the error stays cheap to clone.
#[derive(Clone)]
pub struct Internal(std::sync::Arc<dyn std::error::Error + Send + Sync>);

impl Internal {
    pub fn new(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Internal(std::sync::Arc::from(source.into()))
    }
}

impl fmt::Debug for Internal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Internal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for Internal {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

fn display_field_errors(errors: &FieldErrors) -> String {
    errors
        .0
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Refusal {
    /// The messages of the `{"errors": [...]}` envelope: one per failing field, else one.
    pub fn messages(&self) -> Vec<String> {
        match self {
            Refusal::Invalid(errors) => errors.0.iter().map(ToString::to_string).collect(),
            other => vec![other.to_string()],
        }
    }
}

impl CoreError {
    /// The messages of the `{"errors": [...]}` envelope.
    pub fn messages(&self) -> Vec<String> {
        match self {
            CoreError::Refused(refusal) => refusal.messages(),
            other => vec![other.to_string()],
        }
    }

    /// How many seconds a client should wait before trying again, for errors that pass.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            CoreError::Refused(Refusal::RateLimited(seconds)) => Some(*seconds),
            CoreError::Busy => Some(1),
            CoreError::Unavailable => Some(5),
            _ => None,
        }
    }

    pub fn invalid_field(field: &str, reason: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.push(field, reason);
        Refusal::Invalid(errors).into()
    }

    /// An internal failure, keeping `source` for the log.
    pub fn internal(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        CoreError::Internal(Internal::new(source))
    }
}
