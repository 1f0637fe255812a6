//! The activity log as the API shows it: who did what to whom, when, with which credential and
//! from where, and for a change the fields before and after.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::page::{DEFAULT_PER_PAGE, MAX_PER_PAGE, parse_bound};
use super::serde_helpers::timestamp;
use crate::error::{CoreError, FieldErrors};

/// What happened. The wire names are Calagopus' (`kind:action`); events Calagopus does not log
/// (failed sign-ins, sign-outs, servers) have names of the same form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
pub enum Event {
    #[strum(serialize = "user:create")]
    UserCreate,
    #[strum(serialize = "user:update")]
    UserUpdate,
    #[strum(serialize = "user:delete")]
    UserDelete,
    #[strum(serialize = "user:email.password-reset")]
    UserPasswordResetSent,
    #[strum(serialize = "user:two-factor.disable")]
    UserTwoFactorReset,
    #[strum(serialize = "user:impersonate")]
    UserImpersonate,
    #[strum(serialize = "user:oauth-links.create")]
    UserOAuthLinkCreate,
    #[strum(serialize = "user:oauth-link.delete")]
    UserOAuthLinkDelete,
    #[strum(serialize = "role:create")]
    RoleCreate,
    #[strum(serialize = "role:update")]
    RoleUpdate,
    #[strum(serialize = "role:delete")]
    RoleDelete,
    #[strum(serialize = "server:create")]
    ServerCreate,
    #[strum(serialize = "server:update")]
    ServerUpdate,
    #[strum(serialize = "server:delete")]
    ServerDelete,
    #[strum(serialize = "oauth-provider:create")]
    OAuthProviderCreate,
    #[strum(serialize = "oauth-provider:update")]
    OAuthProviderUpdate,
    #[strum(serialize = "oauth-provider:delete")]
    OAuthProviderDelete,
    #[strum(serialize = "oauth-provider:mapping.create")]
    OAuthMappingCreate,
    #[strum(serialize = "oauth-provider:mapping.update")]
    OAuthMappingUpdate,
    #[strum(serialize = "oauth-provider:mapping.delete")]
    OAuthMappingDelete,
    #[strum(serialize = "api-key:create")]
    ApiKeyCreate,
    #[strum(serialize = "api-key:delete")]
    ApiKeyRevoke,
    #[strum(serialize = "session:delete")]
    SessionEnd,
    #[strum(serialize = "session:delete-all")]
    SessionEndOthers,
    #[strum(serialize = "auth:success")]
    SignIn,
    #[strum(serialize = "auth:sign-in-failed")]
    SignInFailed,
    #[strum(serialize = "auth:two-factor-failed")]
    TwoFactorFailed,
    #[strum(serialize = "auth:sign-out")]
    SignOut,
    #[strum(serialize = "email:password-reset")]
    PasswordForgot,
    #[strum(serialize = "auth:reset-password")]
    PasswordReset,
    #[strum(serialize = "account:two-factor.enable")]
    TwoFactorEnable,
    #[strum(serialize = "account:two-factor.disable")]
    TwoFactorDisable,
    #[strum(serialize = "account:password-changed")]
    AccountPasswordChange,
    #[strum(serialize = "account:email-changed")]
    AccountEmailChange,
    #[strum(serialize = "account:oauth-links.create")]
    AccountOAuthLinkCreate,
    #[strum(serialize = "oauth-link:delete")]
    AccountOAuthLinkDelete,
    #[strum(serialize = "security-key:create")]
    SecurityKeyCreate,
    #[strum(serialize = "user:security-key.update")]
    SecurityKeyUpdate,
    #[strum(serialize = "security-key:delete")]
    SecurityKeyDelete,
    #[strum(serialize = "webhook:create")]
    WebhookCreate,
    #[strum(serialize = "webhook:update")]
    WebhookUpdate,
    #[strum(serialize = "webhook:delete")]
    WebhookDelete,
}

impl Event {
    /// Every event, in the order the console offers them.
    pub const ALL: &'static [Event] = <Event as strum::VariantArray>::VARIANTS;

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Whether the event changes a record in place, so that its row names the fields changed.
    pub fn is_update(self) -> bool {
        matches!(
            self,
            Event::UserUpdate
                | Event::RoleUpdate
                | Event::ServerUpdate
                | Event::OAuthProviderUpdate
                | Event::OAuthMappingUpdate
                | Event::WebhookUpdate
        )
    }

    /// What the actor did, as the console's timeline says it ("alice *changed* bob").
    pub fn verb(self) -> &'static str {
        match self {
            Event::UserCreate | Event::RoleCreate | Event::ServerCreate | Event::ApiKeyCreate => {
                "created"
            }
            Event::UserUpdate | Event::RoleUpdate | Event::ServerUpdate => "changed",
            Event::UserDelete | Event::RoleDelete | Event::ServerDelete => "deleted",
            Event::UserPasswordResetSent => "sent a password reset link to",
            Event::UserTwoFactorReset => "turned off two-factor sign-in of",
            Event::UserImpersonate => "began acting as",
            Event::UserOAuthLinkCreate => "linked a sign-in provider to",
            Event::UserOAuthLinkDelete => "unlinked a sign-in provider from",
            Event::OAuthProviderCreate => "created the sign-in provider",
            Event::OAuthProviderUpdate => "changed the sign-in provider",
            Event::OAuthProviderDelete => "deleted the sign-in provider",
            Event::OAuthMappingCreate => "added a claim mapping to",
            Event::OAuthMappingUpdate => "changed a claim mapping of",
            Event::OAuthMappingDelete => "removed a claim mapping from",
            Event::ApiKeyRevoke => "revoked",
            Event::SessionEnd => "ended",
            Event::SessionEndOthers => "ended the other sessions of",
            Event::SignIn => "signed in as",
            Event::SignInFailed => "failed to sign in as",
            Event::TwoFactorFailed => "gave a wrong two-factor code for",
            Event::SignOut => "signed out of",
            Event::PasswordForgot => "asked for a password reset link for",
            Event::PasswordReset => "set a new password by link for",
            Event::TwoFactorEnable => "turned on two-factor sign-in for",
            Event::TwoFactorDisable => "turned off two-factor sign-in for",
            Event::AccountPasswordChange => "changed the password of",
            Event::AccountEmailChange => "changed the email address of",
            Event::AccountOAuthLinkCreate => "linked a sign-in provider to",
            Event::AccountOAuthLinkDelete => "unlinked a sign-in provider from",
            Event::SecurityKeyCreate => "added a security key to",
            Event::SecurityKeyUpdate => "renamed a security key of",
            Event::SecurityKeyDelete => "removed a security key from",
            Event::WebhookCreate => "created the webhook",
            Event::WebhookUpdate => "changed the webhook",
            Event::WebhookDelete => "deleted the webhook",
        }
    }
}

/// Names Roster gave events before it took Calagopus': still accepted as filters.
const FORMER_NAMES: &[(&str, Event)] = &[
    ("user:password-reset-sent", Event::UserPasswordResetSent),
    ("user:two-factor-reset", Event::UserTwoFactorReset),
    ("api-key:revoke", Event::ApiKeyRevoke),
    ("session:end", Event::SessionEnd),
    ("session:end-others", Event::SessionEndOthers),
    ("auth:sign-in", Event::SignIn),
    ("auth:password-forgot", Event::PasswordForgot),
    ("auth:password-reset", Event::PasswordReset),
    ("two-factor:enable", Event::TwoFactorEnable),
    ("two-factor:disable", Event::TwoFactorDisable),
];

impl std::str::FromStr for Event {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Event::ALL
            .iter()
            .copied()
            .find(|e| e.as_str() == s)
            .or_else(|| {
                FORMER_NAMES
                    .iter()
                    .find(|(name, _)| *name == s)
                    .map(|(_, e)| *e)
            })
            .ok_or_else(|| format!("unknown event `{s}`"))
    }
}

/// A user as the log recorded them: their uuid and their username at the time.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityActor {
    pub uuid: Uuid,
    pub username: String,
}

/// A user as Calagopus' activity rows show them (`user`, `impersonator`): as they are now.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityUser {
    pub uuid: Uuid,
    pub username: String,
    /// Always null: Roster keeps no avatars.
    pub avatar: Option<String>,
    pub totp_enabled: bool,
    #[serde(serialize_with = "timestamp")]
    pub created: DateTime<Utc>,
}

/// The credential a change was made with: `session` or `api_key`, or `operator` for the
/// command line on the server.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityCredential {
    #[serde(rename = "type")]
    pub kind: String,
    pub uuid: Option<Uuid>,
    pub name: Option<String>,
}

/// What a change was made to, with its name as it was then.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityTarget {
    #[serde(rename = "type")]
    pub kind: String,
    pub uuid: Uuid,
    pub label: String,
}

/// One row of the log: Calagopus' fields first, then Roster's. `event` stays text: a row written
/// by a newer version still reads.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// Who acted, as they are now; null for an unknown client or the operator, or once the
    /// user is deleted (`actor` still names them).
    pub user: Option<ActivityUser>,
    /// Who made the request as `user` (`Calagopus-User`, or the console's "Sign in as"), as they
    /// are now; null when nobody did, or once they are deleted (`impersonated_by` still names
    /// them).
    pub impersonator: Option<ActivityUser>,
    pub event: String,
    pub ip: Option<String>,
    /// The fields of a change: `{field: {"before": .., "after": ..}}`; a create holds only
    /// `after`, a delete only `before`; a password shows as `{"changed": true}`.
    pub data: Map<String, Value>,
    /// Whether the request came with an API key.
    pub is_api: bool,
    #[serde(serialize_with = "timestamp")]
    pub created: DateTime<Utc>,
    pub id: i64,
    /// Who acted, as recorded then.
    pub actor: Option<ActivityActor>,
    /// Who impersonated the actor, as recorded then.
    pub impersonated_by: Option<ActivityActor>,
    pub credential: Option<ActivityCredential>,
    pub target: Option<ActivityTarget>,
}

/// The query string of an activity listing, as sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityParams {
    pub page: Option<String>,
    pub per_page: Option<String>,
    pub search: Option<String>,
    pub event: Option<String>,
    pub actor: Option<String>,
    pub user: Option<String>,
    pub target: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
}

/// A valid activity listing: newest first, every filter optional.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivityQuery {
    pub page: u32,
    pub per_page: u32,
    /// An event name holding it, or an actor's username starting with it; any case.
    pub search: Option<String>,
    pub event: Option<Event>,
    pub actor: Option<Uuid>,
    /// Calagopus' name for `actor`.
    pub user: Option<Uuid>,
    pub target: Option<Uuid>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl Default for ActivityQuery {
    fn default() -> Self {
        Self {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            search: None,
            event: None,
            actor: None,
            user: None,
            target: None,
            since: None,
            until: None,
        }
    }
}

fn given(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|raw| !raw.is_empty())
}

fn parse_field<T>(
    errors: &mut FieldErrors,
    field: &str,
    raw: &Option<String>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Option<T> {
    errors.check(field, parse(given(raw)?))
}

/// The longest search term: longer than any username or event name.
const SEARCH_MAX_CHARS: usize = 255;

fn parse_search(raw: &str) -> Result<String, String> {
    if raw.chars().count() > SEARCH_MAX_CHARS {
        return Err(format!("length is greater than {SEARCH_MAX_CHARS}"));
    }
    Ok(raw.to_lowercase())
}

fn parse_uuid(raw: &str) -> Result<Uuid, String> {
    Uuid::parse_str(raw).map_err(|_| "must be a uuid".to_owned())
}

/// RFC 3339, or a time without an offset (what a browser's date-time field sends), read as UTC.
fn parse_time(raw: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(time) = DateTime::parse_from_rfc3339(raw) {
        return Ok(time.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(raw, format).ok())
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .ok()
                .and_then(|date| date.and_hms_opt(0, 0, 0))
        })
        .map(|time| time.and_utc())
        .ok_or_else(|| "must be an RFC 3339 time such as 2026-11-28T09:00:00Z".to_owned())
}

impl TryFrom<ActivityParams> for ActivityQuery {
    type Error = CoreError;

    fn try_from(params: ActivityParams) -> Result<Self, Self::Error> {
        let mut errors = FieldErrors::new();
        let page = parse_bound(&mut errors, "page", given(&params.page), 1, u32::MAX / 2);
        let per_page = parse_bound(
            &mut errors,
            "per_page",
            given(&params.per_page),
            DEFAULT_PER_PAGE,
            MAX_PER_PAGE,
        );
        let search = parse_field(&mut errors, "search", &params.search, parse_search);
        let event = parse_field(&mut errors, "event", &params.event, str::parse::<Event>);
        let actor = parse_field(&mut errors, "actor", &params.actor, parse_uuid);
        let user = parse_field(&mut errors, "user", &params.user, parse_uuid);
        let target = parse_field(&mut errors, "target", &params.target, parse_uuid);
        let since = parse_field(&mut errors, "since", &params.since, parse_time);
        let until = parse_field(&mut errors, "until", &params.until, parse_time);
        errors.into_result()?;
        Ok(ActivityQuery {
            page,
            per_page,
            search,
            event,
            actor,
            user,
            target,
            since,
            until,
        })
    }
}

impl ActivityQuery {
    pub fn limit(&self) -> u32 {
        self.per_page
    }

    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names are stored in the log: renaming one would orphan its rows.
    #[test]
    fn events_keep_their_stored_names() {
        let names: Vec<&str> = Event::ALL.iter().map(|e| e.as_str()).collect();
        assert_eq!(
            names,
            [
                "user:create",
                "user:update",
                "user:delete",
                "user:email.password-reset",
                "user:two-factor.disable",
                "user:impersonate",
                "user:oauth-links.create",
                "user:oauth-link.delete",
                "role:create",
                "role:update",
                "role:delete",
                "server:create",
                "server:update",
                "server:delete",
                "oauth-provider:create",
                "oauth-provider:update",
                "oauth-provider:delete",
                "oauth-provider:mapping.create",
                "oauth-provider:mapping.update",
                "oauth-provider:mapping.delete",
                "api-key:create",
                "api-key:delete",
                "session:delete",
                "session:delete-all",
                "auth:success",
                "auth:sign-in-failed",
                "auth:two-factor-failed",
                "auth:sign-out",
                "email:password-reset",
                "auth:reset-password",
                "account:two-factor.enable",
                "account:two-factor.disable",
                "account:password-changed",
                "account:email-changed",
                "account:oauth-links.create",
                "oauth-link:delete",
                "security-key:create",
                "user:security-key.update",
                "security-key:delete",
                "webhook:create",
                "webhook:update",
                "webhook:delete",
            ]
        );
    }

    #[test]
    fn every_event_round_trips_through_its_wire_name() {
        for &event in Event::ALL {
            assert_eq!(event.as_str().parse::<Event>(), Ok(event));
        }
        assert_eq!(
            "two-factor:enable".parse::<Event>(),
            Ok(Event::TwoFactorEnable)
        );
    }

    #[test]
    fn filters_are_parsed_and_bad_ones_named() {
        let query = ActivityQuery::try_from(ActivityParams {
            event: Some("user:update".into()),
            since: Some("2026-11-28T09:00:00+01:00".into()),
            ..ActivityParams::default()
        })
        .expect("valid filters");
        assert_eq!(query.event, Some(Event::UserUpdate));
        assert_eq!(
            query.since.map(|t| t.to_rfc3339()),
            Some("2026-11-28T08:00:00+00:00".to_owned())
        );
        let local = ActivityQuery::try_from(ActivityParams {
            until: Some("2026-11-28T09:30".into()),
            ..ActivityParams::default()
        })
        .expect("a browser's date-time field");
        assert_eq!(
            local.until.map(|t| t.to_rfc3339()),
            Some("2026-11-28T09:30:00+00:00".to_owned())
        );
        let error = ActivityQuery::try_from(ActivityParams {
            event: Some("user:fly".into()),
            actor: Some("bob".into()),
            until: Some("yesterday".into()),
            ..ActivityParams::default()
        })
        .expect_err("bad filters");
        let CoreError::Refused(crate::error::Refusal::Invalid(fields)) = error else {
            panic!("expected field errors, got {error:?}");
        };
        let fields: Vec<&str> = fields.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["event", "actor", "until"]);
    }
}
