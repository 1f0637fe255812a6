//! The OpenAPI 3.1 document of the REST API, generated from the handlers' annotations and
//! served at `GET /api/openapi.json`. Routes are registered together with their documentation
//! (see [`super::router`]), so none can be mounted undocumented. The reply types below are the
//! wire types: each handler returns the type its documentation names.

use roster::domain::activity::Activity;
use roster::domain::api_key::ApiKey;
use roster::domain::mail::OutboxMail;
use roster::domain::page::Page;
use roster::domain::role::Role;
use roster::domain::server::Server;
use roster::domain::session::SessionInfo;
use roster::domain::user::User;
use serde::Serialize;
use utoipa::openapi::security::SecurityScheme;
use utoipa::openapi::security::{ApiKey as CookieKey, ApiKeyValue, HttpAuthScheme, HttpBuilder};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Roster",
        description = "Admin user management for self-hosted panels: the admin users API of \
            the Calagopus panel, with roles, servers, API keys, sessions, two-factor sign-in, \
            the activity log, conditional writes (`ETag`, `If-Match`) and idempotent creates \
            (`Idempotency-Key`). Every error answers `{\"errors\": [...]}`. Each operation's \
            `x-required-permission` names the admin permission it needs; a key narrows its \
            owner's permissions to its own.",
    ),
    modifiers(&SecuritySchemes),
    components(schemas(roster::domain::webhook::WebhookMessage)),
    security(("api_key" = []), ("session" = [])),
    tags(
        (name = "auth", description = "Signing in and out, passwords"),
        (name = "account", description = "The caller's own account, keys and sessions"),
        (name = "users", description = "Users"),
        (name = "roles", description = "Roles and their admin permissions"),
        (name = "servers", description = "Servers owned by users"),
        (name = "activity", description = "The activity log"),
        (name = "oauth-providers", description = "Sign-in providers, their claim mappings and linked users"),
        (name = "webhooks", description = "Webhook endpoints and their deliveries"),
        (name = "system", description = "Health and mail"),
    )
)]
pub struct ApiDoc;

/// The two ways to authenticate: an API key as a bearer token, or the console's session cookie.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi
            .components
            .get_or_insert_with(utoipa::openapi::Components::new);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("Roster API key")
                    .description(Some("`Authorization: Bearer <key>`"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(CookieKey::Cookie(ApiKeyValue::with_description(
                "roster_session",
                "The console's session cookie (`__Host-roster_session` over https)",
            ))),
        );
    }
}

/// Every error: one message per failing field, else one.
#[derive(Serialize, ToSchema)]
pub struct Errors {
    pub errors: Vec<String>,
}

/// A reply with nothing to say.
#[derive(Serialize, ToSchema)]
pub struct Empty {}

#[derive(Serialize, ToSchema)]
pub struct UserReply {
    pub user: User,
}

impl super::conditional::Envelope for UserReply {
    const FIELD: &'static str = "user";
    type Resource = User;
}

#[derive(Serialize, ToSchema)]
pub struct JobReply {
    pub job: roster::domain::bulk::Job,
}

#[derive(Serialize, ToSchema)]
pub struct JobItemsReply {
    pub items: Page<roster::domain::bulk::JobItem>,
}

/// The page of a job's users, and which outcome to keep.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct JobItemParams {
    /// 1-based page number (empty: the first).
    #[param(value_type = Option<String>, pattern = "^[0-9]*$")]
    page: Option<u32>,
    /// Items per page, 1 to 100 (empty: 10).
    #[param(value_type = Option<String>, pattern = "^[0-9]*$")]
    per_page: Option<u32>,
    /// Only users with this outcome: `done`, `would`, `skipped` or `refused` (empty: all).
    #[param(pattern = "^(done|would|skipped|refused)?$")]
    outcome: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UsersReply {
    pub users: Page<User>,
}

#[derive(Serialize, ToSchema)]
pub struct RoleReply {
    pub role: Role,
}

impl super::conditional::Envelope for RoleReply {
    const FIELD: &'static str = "role";
    type Resource = Role;
}

#[derive(Serialize, ToSchema)]
pub struct SignInProvidersReply {
    pub oauth_providers: Vec<roster::domain::oauth::LinkedProvider>,
}

#[derive(Serialize, ToSchema)]
pub struct WebhookReply {
    pub webhook: roster::domain::webhook::Webhook,
}

#[derive(Serialize, ToSchema)]
pub struct WebhooksReply {
    pub webhooks: Vec<roster::domain::webhook::Webhook>,
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryReply {
    pub delivery: roster::domain::webhook::WebhookDelivery,
}

#[derive(Serialize, ToSchema)]
pub struct DeliveriesReply {
    pub deliveries: Page<roster::domain::webhook::WebhookDelivery>,
}

#[derive(Serialize, ToSchema)]
pub struct OAuthProviderReply {
    pub oauth_provider: roster::domain::oauth::OAuthProvider,
}

#[derive(Serialize, ToSchema)]
pub struct OAuthProvidersReply {
    pub oauth_providers: Page<roster::domain::oauth::OAuthProvider>,
}

#[derive(Serialize, ToSchema)]
pub struct OAuthMappingReply {
    pub oauth_mapping: roster::domain::oauth::OAuthMapping,
}

#[derive(Serialize, ToSchema)]
pub struct OAuthMappingsReply {
    pub oauth_mappings: Page<roster::domain::oauth::OAuthMapping>,
}

#[derive(Serialize, ToSchema)]
pub struct ProviderLinkReply {
    pub user_oauth_link: roster::domain::oauth::ProviderLink,
}

#[derive(Serialize, ToSchema)]
pub struct ProviderLinksReply {
    pub user_oauth_links: Page<roster::domain::oauth::ProviderLink>,
}

#[derive(Serialize, ToSchema)]
pub struct OAuthLinkReply {
    pub oauth_link: roster::domain::oauth::OAuthLink,
}

#[derive(Serialize, ToSchema)]
pub struct OAuthLinksReply {
    pub oauth_links: Page<roster::domain::oauth::OAuthLink>,
}

#[derive(Serialize, ToSchema)]
pub struct RolesReply {
    pub roles: Page<Role>,
}

#[derive(Serialize, ToSchema)]
pub struct ServerReply {
    pub server: Server,
}

impl super::conditional::Envelope for ServerReply {
    const FIELD: &'static str = "server";
    type Resource = Server;
}

#[derive(Serialize, ToSchema)]
pub struct ServersReply {
    pub servers: Page<Server>,
}

#[derive(Serialize, ToSchema)]
pub struct ApiKeysReply {
    pub api_keys: Page<ApiKey>,
}

#[derive(Serialize, ToSchema)]
pub struct SessionsReply {
    pub sessions: Page<SessionInfo>,
}

#[derive(Serialize, ToSchema)]
pub struct ActivityReply {
    pub activities: Page<Activity>,
}

#[derive(Serialize, ToSchema)]
pub struct MailReply {
    pub mail: Page<OutboxMail>,
}

/// A correct password of an account with two-factor sign-in: the code step comes next.
#[derive(Serialize, ToSchema)]
pub struct TwoFactorRequired {
    /// Always `two_factor_required`.
    #[serde(rename = "type")]
    pub kind: String,
    /// For `POST /api/auth/login/checkpoint`.
    pub token: String,
}

/// What a correct sign-in answers.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum SignedIn {
    Done(Box<UserReply>),
    TwoFactor(TwoFactorRequired),
}

#[derive(Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// Shown once: each signs in once in place of a code.
    pub recovery_codes: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `unavailable` while the database does not answer.
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
}

#[derive(Serialize, ToSchema)]
pub struct PermissionGroup {
    pub description: String,
    /// Each permission of the group (its name after the dot) with what it allows.
    pub permissions: std::collections::BTreeMap<String, String>,
}

#[derive(Serialize, ToSchema)]
pub struct PermissionCatalogue {
    /// The groups of admin permissions, by name.
    pub admin_permissions: std::collections::BTreeMap<String, PermissionGroup>,
}

/// The page of a listing.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListParams {
    /// 1-based page number (empty: the first).
    #[param(value_type = Option<String>, pattern = "^[0-9]*$")]
    page: Option<u32>,
    /// Items per page, 1 to 100 (empty: 10).
    #[param(value_type = Option<String>, pattern = "^[0-9]*$")]
    per_page: Option<u32>,
    /// A case-insensitive substring to look for; `%` and `_` are literal.
    #[param(max_length = 128, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$")]
    search: Option<String>,
}

/// The page of the user listing and its filters.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct UserListParams {
    /// 1-based page number (empty: the first).
    #[param(value_type = Option<String>, pattern = "^[0-9]*$")]
    page: Option<u32>,
    /// Items per page, 1 to 100 (empty: 10).
    #[param(value_type = Option<String>, pattern = "^[0-9]*$")]
    per_page: Option<u32>,
    /// A case-insensitive substring of username, email, first or last name; `%` and `_` are
    /// literal.
    #[param(max_length = 128, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$")]
    search: Option<String>,
    /// Only suspended (`true`) or only active (`false`) users.
    suspended: Option<bool>,
    /// Only users who signed in at least once (`true`) or never (`false`).
    signed_in: Option<bool>,
    /// A Roster extension: the order, by `username`, `email`, `created`, `last_login` or
    /// `name_last`, with `-` before it for descending (`-last_login`: the latest sign-in first).
    /// Text is compared case-insensitively, a user who never signed in sorts before every
    /// sign-in, and ties are broken by uuid in the same direction. Empty: by `created`.
    #[param(value_type = Option<String>, pattern = "^-?(username|email|created|last_login|name_last)?$")]
    sort: Option<String>,
}

/// The columns of a CSV export.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ExportParams {
    /// The columns, comma-separated, in order, each once, of `uuid`, `external_id`, `username`,
    /// `email`, `name_first`, `name_last`, `role`, `admin`, `suspended`, `totp_enabled`,
    /// `language`, `last_login`, `created` (empty: `uuid,username,email,name_first,name_last,
    /// role,suspended,totp_enabled,last_login,created`).
    #[param(pattern = "^[a-z_, ]*$")]
    columns: Option<String>,
}

/// The page of an activity listing and its filters.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ActivityParams {
    /// 1-based page number (empty: the first).
    #[param(value_type = Option<String>, pattern = "^[0-9]*$")]
    page: Option<u32>,
    /// Items per page, 1 to 100 (empty: 10).
    #[param(value_type = Option<String>, pattern = "^[0-9]*$")]
    per_page: Option<u32>,
    /// An event name holding this, or an actor's username starting with it, in any case
    /// (empty: everything).
    #[param(max_length = 255)]
    search: Option<String>,
    /// One event, such as `user:update` (empty: every event). Roster's former names of
    /// Calagopus' events (`two-factor:enable`, `auth:sign-in`, ...) are still accepted.
    #[param(
        pattern = "^(user:create|user:update|user:delete|user:email\\.password-reset|user:two-factor\\.disable|role:create|role:update|role:delete|server:create|server:update|server:delete|api-key:create|api-key:delete|session:delete|session:delete-all|auth:success|auth:sign-in-failed|auth:two-factor-failed|auth:sign-out|email:password-reset|auth:reset-password|account:two-factor\\.enable|account:two-factor\\.disable|account:password-changed|account:email-changed|user:password-reset-sent|user:two-factor-reset|api-key:revoke|session:end|session:end-others|auth:sign-in|auth:password-forgot|auth:password-reset|two-factor:enable|two-factor:disable)?$"
    )]
    event: Option<String>,
    /// Only what this user did (empty: anyone).
    #[param(
        pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    actor: Option<String>,
    /// Calagopus' name for `actor`.
    #[param(
        pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    user: Option<String>,
    /// Only what was done to this object (empty: anything).
    #[param(
        pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    target: Option<String>,
    /// From this time on: RFC 3339, or without an offset for UTC (empty: from the start).
    #[param(
        pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$"
    )]
    since: Option<String>,
    /// Up to this time: RFC 3339, or without an offset for UTC (empty: up to now).
    #[param(
        pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$"
    )]
    until: Option<String>,
}

/// Adds what every operation may answer: `400` for a malformed request, `401` without valid
/// credentials (unless the route needs none), `403` without the permission, `429` when
/// throttled, `500` and `503`; and the `Calagopus-User` header. Applied once the routes are in
/// the document.
pub fn common_responses(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{RefOr, ResponseBuilder};
    let error = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    utoipa::openapi::ContentBuilder::new()
                        .schema(Some(utoipa::openapi::Ref::from_schema_name("Errors")))
                        .build(),
                )
                .build(),
        )
    };
    let act_as = utoipa::openapi::path::ParameterBuilder::new()
        .name("Calagopus-User")
        .parameter_in(utoipa::openapi::path::ParameterIn::Header)
        .required(utoipa::openapi::Required::False)
        .description(Some(
            "Act as this user (needs `users.impersonate`, and a user holding no more than the \
             caller); see Impersonation",
        ))
        .schema(Some(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::Type::String)
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                    utoipa::openapi::KnownFormat::Uuid,
                ))),
        ))
        .build();
    // Every request with credentials takes the header; it is declared on one operation, the
    // caller's own account (where it shows whom a request acts as), so that a fuzzer trying
    // random values there does not turn every other operation into a 401.
    if let Some(account) = openapi
        .paths
        .paths
        .get_mut("/api/client/account")
        .and_then(|item| item.get.as_mut())
    {
        account.parameters.get_or_insert_with(Vec::new).push(act_as);
    }
    for item in openapi.paths.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.post,
            &mut item.patch,
            &mut item.delete,
            &mut item.put,
        ]
        .into_iter()
        .flatten()
        {
            let anonymous = operation
                .security
                .as_ref()
                .is_some_and(|s| s.iter().all(|r| *r == Default::default()));
            let responses = &mut operation.responses.responses;
            let mut add = |status: &str, description: &str| {
                responses
                    .entry(status.to_owned())
                    .or_insert_with(|| error(description));
            };
            add("400", "The request is malformed or a field is invalid");
            if !anonymous {
                add("401", "No valid credentials");
                add("403", "The caller may not do this");
            }
            add("429", "Too many attempts; retry later");
            add("500", "Internal server error");
            add(
                "503",
                "The database or the password hasher is busy or away; retry later",
            );
        }
    }
}

/// The document as served. utoipa 5.5 writes a link's target as `operation_id`; OpenAPI (and
/// every client following links) reads `operationId`.
pub fn served(openapi: &utoipa::openapi::OpenApi) -> serde_json::Value {
    use serde_json::Value;
    let mut document = serde_json::to_value(openapi).unwrap_or_default();
    let links = document
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(|operation| {
            operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
        })
        .flat_map(|responses| responses.values_mut())
        .filter_map(|response| response.get_mut("links").and_then(Value::as_object_mut))
        .flat_map(|links| links.values_mut())
        .filter_map(Value::as_object_mut);
    for link in links {
        if let Some(id) = link.remove("operation_id") {
            link.insert("operationId".to_owned(), id);
        }
    }
    document["webhooks"] = webhooks();
    document
}

/// The messages webhook endpoints receive, one per event (OpenAPI 3.1 `webhooks`).
fn webhooks() -> serde_json::Value {
    use roster::domain::activity::Event;
    use roster::domain::webhook::WEBHOOK_TEST_EVENT;
    let header = |name: &str, description: &str| {
        serde_json::json!({
            "name": name, "in": "header", "required": true,
            "description": description, "schema": {"type": "string"},
        })
    };
    let operation = serde_json::json!({
        "post": {
            "tags": ["webhooks"],
            "description": "Sent to every enabled endpoint whose `events` match, signed the Standard Webhooks way; answer 2xx within 10 seconds.",
            "parameters": [
                header("webhook-id", "The message's uuid, the same on every retry"),
                header("webhook-timestamp", "When this attempt was signed, in seconds since 1970"),
                header("webhook-signature", "`v1,<base64 HMAC-SHA256 of id.timestamp.body>`, one per signing secret, space separated"),
            ],
            "requestBody": {
                "required": true,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WebhookMessage"}}},
            },
            "responses": {"2XX": {"description": "Received"}},
        }
    });
    let mut hooks = serde_json::Map::new();
    for event in Event::ALL {
        hooks.insert(event.as_str().to_owned(), operation.clone());
    }
    hooks.insert(WEBHOOK_TEST_EVENT.to_owned(), operation);
    serde_json::Value::Object(hooks)
}
