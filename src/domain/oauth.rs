//! OAuth providers as Calagopus administers them: the provider, its claim mappings and the links
//! between a user and a provider's identity, with Calagopus' fields and rules.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::serde_helpers::{double_option, optional_timestamp, timestamp};
use super::user::User;
use crate::error::{CoreError, FieldErrors, Refusal};

/// A provider as an admin reads it. `client_secret` is always `null`: the secret is written, never
/// read back.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthProvider {
    pub uuid: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub client_id: String,
    /// Always `null`: the secret is kept for the token exchange and never shown again.
    pub client_secret: Option<String>,
    pub auth_url: String,
    pub token_url: String,
    pub info_url: String,
    pub scopes: Vec<String>,
    pub identifier_path: String,
    pub email_path: Option<String>,
    pub username_path: Option<String>,
    pub name_first_path: Option<String>,
    pub name_last_path: Option<String>,
    pub enabled: bool,
    pub login_only: bool,
    pub login_bypass_two_factor: bool,
    pub link_viewable: bool,
    pub user_manageable: bool,
    pub basic_auth: bool,
    /// A Roster extension: the OpenID Connect issuer whose ID tokens each sign-in must carry
    /// and pass (issuer, audience, expiry, `nonce`, signature against the issuer's keys), or
    /// `null` for a provider trusted through its userinfo alone, as Calagopus does.
    pub issuer: Option<String>,
    #[serde(serialize_with = "timestamp")]
    pub created: DateTime<Utc>,
}

/// A provider as a link names it.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedProvider {
    pub uuid: Uuid,
    pub name: String,
    pub link_viewable: bool,
    pub user_manageable: bool,
}

/// A user's link to an identity at a provider.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthLink {
    pub uuid: Uuid,
    pub oauth_provider: LinkedProvider,
    pub identifier: String,
    #[serde(serialize_with = "optional_timestamp")]
    pub last_used: Option<DateTime<Utc>>,
    #[serde(serialize_with = "timestamp")]
    pub created: DateTime<Utc>,
}

/// A provider's link as its identifier finds it: with the whole user.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderLink {
    pub uuid: Uuid,
    pub user: User,
    pub identifier: String,
    #[serde(serialize_with = "optional_timestamp")]
    pub last_used: Option<DateTime<Utc>>,
    #[serde(serialize_with = "timestamp")]
    pub created: DateTime<Utc>,
}

/// `POST /api/admin/oauth-providers`: every field Calagopus requires is required here too.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CreateOAuthProviderRequest {
    #[cfg_attr(feature = "server", schema(min_length = 1, max_length = 255))]
    pub name: String,
    #[cfg_attr(feature = "server", schema(max_length = 1024))]
    #[serde(default)]
    pub description: Option<String>,
    pub enabled: bool,
    pub login_only: bool,
    pub login_bypass_two_factor: bool,
    pub link_viewable: bool,
    pub user_manageable: bool,
    pub basic_auth: bool,
    #[cfg_attr(feature = "server", schema(min_length = 3, max_length = 255))]
    pub client_id: String,
    #[cfg_attr(feature = "server", schema(min_length = 3, max_length = 255))]
    pub client_secret: String,
    #[cfg_attr(
        feature = "server",
        schema(min_length = 3, max_length = 255, pattern = "^https?://[^\\s]+$")
    )]
    pub auth_url: String,
    #[cfg_attr(
        feature = "server",
        schema(min_length = 3, max_length = 255, pattern = "^https?://[^\\s]+$")
    )]
    pub token_url: String,
    #[cfg_attr(
        feature = "server",
        schema(min_length = 3, max_length = 255, pattern = "^https?://[^\\s]+$")
    )]
    pub info_url: String,
    #[cfg_attr(feature = "server", schema(max_items = 255))]
    pub scopes: Vec<String>,
    #[cfg_attr(feature = "server", schema(min_length = 3, max_length = 255))]
    pub identifier_path: String,
    #[serde(default)]
    pub email_path: Option<String>,
    #[serde(default)]
    pub username_path: Option<String>,
    #[serde(default)]
    pub name_first_path: Option<String>,
    #[serde(default)]
    pub name_last_path: Option<String>,
    /// A Roster extension: see [`OAuthProvider::issuer`].
    #[cfg_attr(
        feature = "server",
        schema(min_length = 3, max_length = 255, pattern = "^https?://[^\\s]+$")
    )]
    #[serde(default)]
    pub issuer: Option<String>,
}

/// `PATCH /api/admin/oauth-providers/{provider}`: absent (or `null`) changes nothing; the
/// optional paths and the description are cleared by `null`.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct UpdateOAuthProviderRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<Option<String>>,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub login_only: Option<bool>,
    #[serde(default)]
    pub login_bypass_two_factor: Option<bool>,
    #[serde(default)]
    pub link_viewable: Option<bool>,
    #[serde(default)]
    pub user_manageable: Option<bool>,
    #[serde(default)]
    pub basic_auth: Option<bool>,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_secret: Option<String>,
    #[serde(default)]
    pub auth_url: Option<String>,
    #[serde(default)]
    pub token_url: Option<String>,
    #[serde(default)]
    pub info_url: Option<String>,
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    #[serde(default)]
    pub identifier_path: Option<String>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub email_path: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub username_path: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub name_first_path: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub name_last_path: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub issuer: Option<Option<String>>,
}

/// A provider's settings, every one valid: what is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderSettings {
    pub name: String,
    pub description: Option<String>,
    pub client_id: String,
    pub auth_url: String,
    pub token_url: String,
    pub info_url: String,
    pub scopes: Vec<String>,
    pub identifier_path: String,
    pub email_path: Option<String>,
    pub username_path: Option<String>,
    pub name_first_path: Option<String>,
    pub name_last_path: Option<String>,
    pub enabled: bool,
    pub login_only: bool,
    pub login_bypass_two_factor: bool,
    pub link_viewable: bool,
    pub user_manageable: bool,
    pub basic_auth: bool,
    pub issuer: Option<String>,
}

impl ProviderSettings {
    /// The settings of a provider as read, to apply a patch to.
    pub fn of(provider: &OAuthProvider) -> Self {
        Self {
            name: provider.name.clone(),
            description: provider.description.clone(),
            client_id: provider.client_id.clone(),
            auth_url: provider.auth_url.clone(),
            token_url: provider.token_url.clone(),
            info_url: provider.info_url.clone(),
            scopes: provider.scopes.clone(),
            identifier_path: provider.identifier_path.clone(),
            email_path: provider.email_path.clone(),
            username_path: provider.username_path.clone(),
            name_first_path: provider.name_first_path.clone(),
            name_last_path: provider.name_last_path.clone(),
            enabled: provider.enabled,
            login_only: provider.login_only,
            login_bypass_two_factor: provider.login_bypass_two_factor,
            link_viewable: provider.link_viewable,
            user_manageable: provider.user_manageable,
            basic_auth: provider.basic_auth,
            issuer: provider.issuer.clone(),
        }
    }
}

/// A new provider: its settings and its secret.
#[derive(Clone, Debug)]
pub struct NewOAuthProvider {
    pub settings: ProviderSettings,
    pub client_secret: String,
}

/// A valid change to a provider: the settings after it, and a new secret if one was sent.
#[derive(Clone, Debug)]
pub struct OAuthProviderPatch {
    request: UpdateOAuthProviderRequest,
}

fn length(value: &str, min: usize, max: usize) -> Result<(), String> {
    let count = value.chars().count();
    if count < min {
        Err(format!("length is lower than {min}"))
    } else if count > max {
        Err(format!("length is greater than {max}"))
    } else if value.chars().any(char::is_control) {
        Err("must not contain control characters".to_owned())
    } else {
        Ok(())
    }
}

fn text(value: String, min: usize, max: usize) -> Result<String, String> {
    length(&value, min, max).map(|()| value)
}

/// An address Roster itself calls or sends browsers to: absolute `http` or `https`.
fn address(value: String) -> Result<String, String> {
    length(&value, 3, 255)?;
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    match rest {
        Some(rest)
            if !rest.is_empty()
                && !rest.starts_with('/')
                && !rest.contains(char::is_whitespace) =>
        {
            Ok(value)
        }
        _ => Err("must be an http or https URL".to_owned()),
    }
}

fn scopes(values: Vec<String>) -> Result<Vec<String>, String> {
    if values.len() > 255 {
        return Err("must hold at most 255 scopes".to_owned());
    }
    for scope in &values {
        if scope.is_empty() || scope.chars().count() > 64 || scope.contains(char::is_whitespace) {
            return Err(format!(
                "`{scope}` is not a scope: 1 to 64 characters, no spaces"
            ));
        }
    }
    Ok(values)
}

/// A claim's place in the userinfo: an RFC 9535 JSONPath such as `$.sub`, as Calagopus takes it.
pub fn json_path(value: String, min: usize) -> Result<String, String> {
    length(&value, min, 255)?;
    serde_json_path::JsonPath::parse(&value)
        .map_err(|error| format!("must be a valid json path: {error}"))?;
    Ok(value)
}

fn optional_path(errors: &mut FieldErrors, field: &str, value: Option<String>) -> Option<String> {
    value.and_then(|path| errors.check(field, json_path(path, 1)))
}

impl TryFrom<CreateOAuthProviderRequest> for NewOAuthProvider {
    type Error = CoreError;

    fn try_from(request: CreateOAuthProviderRequest) -> Result<Self, Self::Error> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", text(request.name, 1, 255));
        let description = request
            .description
            .and_then(|d| errors.check("description", text(d, 1, 1024)));
        let client_id = errors.check("client_id", text(request.client_id, 3, 255));
        let client_secret = errors.check("client_secret", text(request.client_secret, 3, 255));
        let auth_url = errors.check("auth_url", address(request.auth_url));
        let token_url = errors.check("token_url", address(request.token_url));
        let info_url = errors.check("info_url", address(request.info_url));
        let scopes = errors.check("scopes", scopes(request.scopes));
        let identifier_path =
            errors.check("identifier_path", json_path(request.identifier_path, 3));
        let email_path = optional_path(&mut errors, "email_path", request.email_path);
        let username_path = optional_path(&mut errors, "username_path", request.username_path);
        let name_first_path =
            optional_path(&mut errors, "name_first_path", request.name_first_path);
        let name_last_path = optional_path(&mut errors, "name_last_path", request.name_last_path);
        let issuer = request
            .issuer
            .and_then(|issuer| errors.check("issuer", address(issuer)));
        match (
            name,
            client_id,
            client_secret,
            auth_url,
            token_url,
            info_url,
            scopes,
            identifier_path,
        ) {
            (
                Some(name),
                Some(client_id),
                Some(client_secret),
                Some(auth_url),
                Some(token_url),
                Some(info_url),
                Some(scopes),
                Some(identifier_path),
            ) if errors.is_empty() => Ok(NewOAuthProvider {
                settings: ProviderSettings {
                    name,
                    description,
                    client_id,
                    auth_url,
                    token_url,
                    info_url,
                    scopes,
                    identifier_path,
                    email_path,
                    username_path,
                    name_first_path,
                    name_last_path,
                    enabled: request.enabled,
                    login_only: request.login_only,
                    login_bypass_two_factor: request.login_bypass_two_factor,
                    link_viewable: request.link_viewable,
                    user_manageable: request.user_manageable,
                    basic_auth: request.basic_auth,
                    issuer,
                },
                client_secret,
            }),
            _ => Err(CoreError::Refused(Refusal::Invalid(errors))),
        }
    }
}

impl TryFrom<UpdateOAuthProviderRequest> for OAuthProviderPatch {
    type Error = CoreError;

    /// Checks every field sent; the patch is applied to the current settings later.
    fn try_from(request: UpdateOAuthProviderRequest) -> Result<Self, Self::Error> {
        let mut errors = FieldErrors::new();
        let r = &request;
        if let Some(name) = &r.name {
            errors.check("name", text(name.clone(), 1, 255));
        }
        if let Some(Some(description)) = &r.description {
            errors.check("description", text(description.clone(), 1, 1024));
        }
        if let Some(client_id) = &r.client_id {
            errors.check("client_id", text(client_id.clone(), 3, 255));
        }
        if let Some(secret) = &r.client_secret {
            errors.check("client_secret", text(secret.clone(), 3, 255));
        }
        for (field, value) in [
            ("auth_url", &r.auth_url),
            ("token_url", &r.token_url),
            ("info_url", &r.info_url),
        ] {
            if let Some(value) = value {
                errors.check(field, address(value.clone()));
            }
        }
        if let Some(Some(issuer)) = &r.issuer {
            errors.check("issuer", address(issuer.clone()));
        }
        if let Some(values) = &r.scopes {
            errors.check("scopes", scopes(values.clone()));
        }
        if let Some(path) = &r.identifier_path {
            errors.check("identifier_path", json_path(path.clone(), 3));
        }
        for (field, value) in [
            ("email_path", &r.email_path),
            ("username_path", &r.username_path),
            ("name_first_path", &r.name_first_path),
            ("name_last_path", &r.name_last_path),
        ] {
            if let Some(Some(path)) = value {
                errors.check(field, json_path(path.clone(), 1));
            }
        }
        errors.into_result()?;
        Ok(OAuthProviderPatch { request })
    }
}

impl OAuthProviderPatch {
    /// The settings after this patch, and the new secret if it sets one.
    pub fn apply(self, current: ProviderSettings) -> (ProviderSettings, Option<String>) {
        let r = self.request;
        let settings = ProviderSettings {
            name: r.name.unwrap_or(current.name),
            description: r.description.unwrap_or(current.description),
            client_id: r.client_id.unwrap_or(current.client_id),
            auth_url: r.auth_url.unwrap_or(current.auth_url),
            token_url: r.token_url.unwrap_or(current.token_url),
            info_url: r.info_url.unwrap_or(current.info_url),
            scopes: r.scopes.unwrap_or(current.scopes),
            identifier_path: r.identifier_path.unwrap_or(current.identifier_path),
            email_path: r.email_path.unwrap_or(current.email_path),
            username_path: r.username_path.unwrap_or(current.username_path),
            name_first_path: r.name_first_path.unwrap_or(current.name_first_path),
            name_last_path: r.name_last_path.unwrap_or(current.name_last_path),
            enabled: r.enabled.unwrap_or(current.enabled),
            login_only: r.login_only.unwrap_or(current.login_only),
            login_bypass_two_factor: r
                .login_bypass_two_factor
                .unwrap_or(current.login_bypass_two_factor),
            link_viewable: r.link_viewable.unwrap_or(current.link_viewable),
            user_manageable: r.user_manageable.unwrap_or(current.user_manageable),
            basic_auth: r.basic_auth.unwrap_or(current.basic_auth),
            issuer: r.issuer.unwrap_or(current.issuer),
        };
        (settings, r.client_secret)
    }
}

/// Which sign-ins a mapping applies to: Calagopus' matcher, a tree at most three groups deep.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Matcher {
    /// Every sign-in.
    None,
    And {
        #[cfg_attr(feature = "server", schema(no_recursion))]
        matchers: Vec<Matcher>,
    },
    Or {
        #[cfg_attr(feature = "server", schema(no_recursion))]
        matchers: Vec<Matcher>,
    },
    Not {
        #[cfg_attr(feature = "server", schema(no_recursion))]
        matcher: Box<Matcher>,
    },
    /// Every one of these scopes was granted.
    Scopes {
        scopes: Vec<String>,
    },
    FieldExists {
        path: String,
    },
    FieldEquals {
        path: String,
        equals: String,
    },
    FieldContains {
        path: String,
        contains: String,
    },
    FieldStartsWith {
        path: String,
        starts_with: String,
    },
    FieldEndsWith {
        path: String,
        ends_with: String,
    },
}

/// A claim's value as matched: a string as it is, anything else as its JSON.
fn node_text(value: &Value) -> std::borrow::Cow<'_, str> {
    match value {
        Value::String(text) => std::borrow::Cow::Borrowed(text),
        other => std::borrow::Cow::Owned(other.to_string()),
    }
}

/// How deep groups (`and`, `or`, `not`) may nest, as in Calagopus.
const MAX_NESTING: usize = 3;

impl Matcher {
    fn check(&self, depth: usize) -> Result<(), String> {
        let short = |value: &str| {
            if value.chars().count() > 255 {
                Err("a matched value is longer than 255 characters".to_owned())
            } else {
                Ok(())
            }
        };
        match self {
            Matcher::None => Ok(()),
            Matcher::And { matchers } | Matcher::Or { matchers } => {
                if depth >= MAX_NESTING {
                    return Err("matcher may not nest groups more than 3 levels deep".to_owned());
                }
                matchers.iter().try_for_each(|m| m.check(depth + 1))
            }
            Matcher::Not { matcher } => {
                if depth >= MAX_NESTING {
                    return Err("matcher may not nest groups more than 3 levels deep".to_owned());
                }
                matcher.check(depth + 1)
            }
            Matcher::Scopes { scopes: values } => scopes(values.clone()).map(|_| ()),
            Matcher::FieldExists { path } => json_path(path.clone(), 1).map(|_| ()),
            Matcher::FieldEquals {
                path,
                equals: value,
            }
            | Matcher::FieldContains {
                path,
                contains: value,
            }
            | Matcher::FieldStartsWith {
                path,
                starts_with: value,
            }
            | Matcher::FieldEndsWith {
                path,
                ends_with: value,
            } => {
                json_path(path.clone(), 1)?;
                short(value)
            }
        }
    }

    /// Whether a sign-in with these granted scopes and this userinfo matches.
    pub fn matches(&self, granted: &[String], info: &Value) -> bool {
        let nodes = |path: &str| -> Vec<String> {
            let Ok(path) = serde_json_path::JsonPath::parse(path) else {
                return Vec::new();
            };
            path.query(info)
                .all()
                .into_iter()
                .map(|node| node_text(node).into_owned())
                .collect()
        };
        match self {
            Matcher::None => true,
            Matcher::And { matchers } => matchers.iter().all(|m| m.matches(granted, info)),
            Matcher::Or { matchers } => matchers.iter().any(|m| m.matches(granted, info)),
            Matcher::Not { matcher } => !matcher.matches(granted, info),
            Matcher::Scopes { scopes } => scopes.iter().all(|s| granted.contains(s)),
            Matcher::FieldExists { path } => !nodes(path).is_empty(),
            Matcher::FieldEquals { path, equals } => nodes(path).iter().any(|n| n == equals),
            Matcher::FieldContains { path, contains } => {
                let Ok(parsed) = serde_json_path::JsonPath::parse(path) else {
                    return false;
                };
                parsed.query(info).all().into_iter().any(|node| match node {
                    Value::Array(items) => items
                        .iter()
                        .any(|item| node_text(item) == contains.as_str()),
                    Value::String(text) => text.contains(contains.as_str()),
                    other => other.to_string().contains(contains.as_str()),
                })
            }
            Matcher::FieldStartsWith { path, starts_with } => nodes(path)
                .iter()
                .any(|n| n.starts_with(starts_with.as_str())),
            Matcher::FieldEndsWith { path, ends_with } => {
                nodes(path).iter().any(|n| n.ends_with(ends_with.as_str()))
            }
        }
    }
}

/// What a matched sign-in gets. Roster has roles; Calagopus' `server_subuser` has nothing to
/// act on here and is refused.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Mapping {
    Role {
        role_uuid: Uuid,
        /// A user who no longer matches loses this role.
        #[serde(default)]
        revoke_unmatched: bool,
    },
}

/// A provider's claim mapping.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthMapping {
    pub uuid: Uuid,
    pub matcher: Matcher,
    pub mapping: Mapping,
    #[serde(serialize_with = "timestamp")]
    pub created: DateTime<Utc>,
}

/// `POST .../mappings` and `PATCH .../mappings/{mapping}`, as sent: checked by
/// [`MappingInput::parse`] so that a mapping Roster cannot act on is a field error, not a
/// payload error.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MappingRequest {
    #[cfg_attr(feature = "server", schema(value_type = Option<Matcher>))]
    #[serde(default)]
    pub matcher: Option<Value>,
    #[cfg_attr(feature = "server", schema(value_type = Option<Mapping>))]
    #[serde(default)]
    pub mapping: Option<Value>,
}

/// A mapping's parts that were sent, each valid.
#[derive(Clone, Debug, Default)]
pub struct MappingInput {
    pub matcher: Option<Matcher>,
    pub mapping: Option<Mapping>,
}

impl MappingInput {
    /// `whole`: both parts are required (a create).
    pub fn parse(request: MappingRequest, whole: bool) -> Result<Self, CoreError> {
        let mut errors = FieldErrors::new();
        let matcher = match request.matcher {
            None | Some(Value::Null) => {
                if whole {
                    errors.push("matcher", "is required");
                }
                None
            }
            Some(value) => errors.check(
                "matcher",
                serde_json::from_value::<Matcher>(value)
                    .map_err(|error| format!("is not a matcher: {error}"))
                    .and_then(|m| m.check(0).map(|()| m)),
            ),
        };
        let mapping = match request.mapping {
            None | Some(Value::Null) => {
                if whole {
                    errors.push("mapping", "is required");
                }
                None
            }
            Some(value) if value.get("type").and_then(Value::as_str) == Some("server_subuser") => {
                errors.push(
                    "mapping",
                    "server_subuser mappings have nothing to act on in Roster",
                );
                None
            }
            Some(value) => errors.check(
                "mapping",
                serde_json::from_value::<Mapping>(value)
                    .map_err(|error| format!("is not a mapping: {error}")),
            ),
        };
        errors.into_result()?;
        Ok(MappingInput { matcher, mapping })
    }
}

/// `POST /api/admin/users/{user}/oauth-links`.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CreateOAuthLinkRequest {
    pub oauth_provider_uuid: Uuid,
    #[cfg_attr(feature = "server", schema(min_length = 1, max_length = 255))]
    pub identifier: String,
}

/// A link request, valid.
#[derive(Clone, Debug)]
pub struct NewOAuthLink {
    pub provider: Uuid,
    pub identifier: String,
}

impl TryFrom<CreateOAuthLinkRequest> for NewOAuthLink {
    type Error = CoreError;

    fn try_from(request: CreateOAuthLinkRequest) -> Result<Self, Self::Error> {
        let mut errors = FieldErrors::new();
        let identifier = errors.check("identifier", text(request.identifier, 1, 255));
        errors.into_result()?;
        Ok(NewOAuthLink {
            provider: request.oauth_provider_uuid,
            identifier: identifier.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_are_json_paths_and_addresses_are_http() {
        assert_eq!(json_path("$.sub".into(), 3), Ok("$.sub".to_owned()));
        assert!(
            json_path("sub".into(), 3)
                .unwrap_err()
                .starts_with("must be a valid json path")
        );
        assert_eq!(
            address("https://id.example.com/auth".into()),
            Ok("https://id.example.com/auth".to_owned())
        );
        assert_eq!(
            address("javascript:alert(1)".into()).unwrap_err(),
            "must be an http or https URL"
        );
        assert_eq!(
            address("https:///x".into()).unwrap_err(),
            "must be an http or https URL"
        );
    }

    #[test]
    fn matchers_match_as_calagopus_does_and_nest_three_deep() {
        let info =
            json!({ "sub": "42", "groups": ["staff", "ops"], "email": "ann@corp.example", "n": 7 });
        let granted = vec!["openid".to_owned(), "groups".to_owned()];
        let staff = Matcher::FieldContains {
            path: "$.groups".into(),
            contains: "staff".into(),
        };
        assert!(staff.matches(&granted, &info));
        assert!(
            Matcher::FieldEquals {
                path: "$.n".into(),
                equals: "7".into()
            }
            .matches(&granted, &info)
        );
        assert!(
            Matcher::FieldEndsWith {
                path: "$.email".into(),
                ends_with: "@corp.example".into()
            }
            .matches(&granted, &info)
        );
        assert!(
            !Matcher::Scopes {
                scopes: vec!["admin".into()]
            }
            .matches(&granted, &info)
        );
        let not_staff = Matcher::Not {
            matcher: Box::new(staff.clone()),
        };
        assert!(!not_staff.matches(&granted, &info));
        let deep = Matcher::And {
            matchers: vec![Matcher::Or {
                matchers: vec![Matcher::Not {
                    matcher: Box::new(staff.clone()),
                }],
            }],
        };
        assert_eq!(deep.check(0), Ok(()));
        let deeper = Matcher::And {
            matchers: vec![deep],
        };
        assert_eq!(
            deeper.check(0).unwrap_err(),
            "matcher may not nest groups more than 3 levels deep"
        );
    }

    #[test]
    fn a_server_subuser_mapping_is_a_field_error() {
        let error = MappingInput::parse(
            MappingRequest {
                matcher: Some(json!({ "type": "none" })),
                mapping: Some(json!({ "type": "server_subuser", "server_uuid": Uuid::nil(), "permissions": [], "ignored_files": [] })),
            },
            true,
        )
        .unwrap_err();
        assert_eq!(
            error.messages(),
            vec!["mapping: server_subuser mappings have nothing to act on in Roster"]
        );
    }
}
