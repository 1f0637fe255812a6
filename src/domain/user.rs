use crate::error::Refusal;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::fields::{Email, ExternalId, Language, Password, PersonName, ToastPosition, Username};
use super::role::Role;
use super::serde_helpers::{double_option, optional_timestamp, timestamp};
use crate::error::{CoreError, FieldErrors};

/// The user object of the contract, with every field of Calagopus' admin user in its order. It
/// never carries a password or its hash.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub uuid: Uuid,
    pub external_id: Option<String>,
    pub username: String,
    pub role: Option<Role>,
    /// Roster keeps no avatars: always `null`, as Calagopus answers for a user without one.
    pub avatar: Option<String>,
    pub email: String,
    pub name_first: String,
    pub name_last: String,
    pub admin: bool,
    /// A frozen user cannot change their own password, email or two-factor sign-in; admins
    /// still can.
    pub frozen: bool,
    /// A suspended user can sign in to nothing and use none of their keys.
    pub suspended: bool,
    pub totp_enabled: bool,
    /// When a two-factor code was last accepted; `null` for never.
    #[serde(serialize_with = "optional_timestamp")]
    pub totp_last_used: Option<DateTime<Utc>>,
    /// Whether the user must sign in with a second factor: their role's rule, else `false`.
    pub require_two_factor: bool,
    pub language: String,
    pub toast_position: ToastPosition,
    pub start_on_grouped_servers: bool,
    pub has_password: bool,
    #[serde(serialize_with = "timestamp")]
    pub created: DateTime<Utc>,
    /// When the user last signed in; `null` for never.
    #[serde(serialize_with = "optional_timestamp")]
    pub last_login: Option<DateTime<Utc>>,
}

impl User {
    /// Who the operator is when acting as no user: a global admin with the nil uuid, which no
    /// stored user has, so no rule about "your own account" ever applies to it.
    pub(crate) fn operator() -> Self {
        Self {
            username: "operator".to_owned(),
            admin: true,
            ..Self::blank()
        }
    }

    /// A user not yet written: every field empty or at its default (the create form's start).
    pub fn blank() -> Self {
        Self {
            uuid: Uuid::nil(),
            external_id: None,
            username: String::new(),
            role: None,
            avatar: None,
            email: String::new(),
            name_first: String::new(),
            name_last: String::new(),
            admin: false,
            frozen: false,
            suspended: false,
            totp_enabled: false,
            totp_last_used: None,
            require_two_factor: false,
            language: "en".to_owned(),
            toast_position: ToastPosition::default(),
            start_on_grouped_servers: true,
            has_password: false,
            created: DateTime::<Utc>::UNIX_EPOCH,
            last_login: None,
        }
    }
}

/// `POST /api/admin/users` as sent.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct CreateUserRequest {
    #[cfg_attr(
        feature = "server",
        schema(min_length = 3, max_length = 15, pattern = "^[A-Za-z0-9_]+$")
    )]
    pub username: String,
    #[cfg_attr(feature = "server", schema(min_length = 3, max_length = 255, format = Email))]
    pub email: String,
    #[cfg_attr(
        feature = "server",
        schema(
            min_length = 1,
            max_length = 255,
            pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"
        )
    )]
    pub name_first: String,
    #[cfg_attr(
        feature = "server",
        schema(
            min_length = 1,
            max_length = 255,
            pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"
        )
    )]
    pub name_last: String,
    #[cfg_attr(feature = "server", schema(min_length = 8, max_length = 512))]
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub admin: Option<bool>,
    #[cfg_attr(
        feature = "server",
        schema(pattern = "^(en|ar|de|el|es|fr|it|nl|no|pl|pt|ro|ru|sk|sv|tr|uk|vi|zh)$")
    )]
    #[serde(default)]
    pub language: Option<String>,
    #[cfg_attr(
        feature = "server",
        schema(
            pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
        )
    )]
    #[serde(default)]
    pub role_uuid: Option<Uuid>,
    #[cfg_attr(
        feature = "server",
        schema(
            min_length = 1,
            max_length = 255,
            pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"
        )
    )]
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub suspended: Option<bool>,
    #[serde(default)]
    pub frozen: Option<bool>,
    #[cfg_attr(
        feature = "server",
        schema(
            pattern = "^(top_left|top_center|top_right|bottom_left|bottom_center|bottom_right)$"
        )
    )]
    #[serde(default)]
    pub toast_position: Option<String>,
    #[serde(default)]
    pub start_on_grouped_servers: Option<bool>,
    /// Mails the new user a link to choose their password.
    #[serde(default)]
    pub send_email: Option<bool>,
}

/// `PATCH /api/admin/users/{user}` as sent: every field optional; for `role_uuid` and
/// `external_id` an explicit `null` clears while an absent field leaves the value.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct UpdateUserRequest {
    #[cfg_attr(
        feature = "server",
        schema(min_length = 3, max_length = 15, pattern = "^[A-Za-z0-9_]+$")
    )]
    #[serde(default)]
    pub username: Option<String>,
    #[cfg_attr(feature = "server", schema(min_length = 3, max_length = 255, format = Email))]
    #[serde(default)]
    pub email: Option<String>,
    #[cfg_attr(
        feature = "server",
        schema(
            min_length = 1,
            max_length = 255,
            pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"
        )
    )]
    #[serde(default)]
    pub name_first: Option<String>,
    #[cfg_attr(
        feature = "server",
        schema(
            min_length = 1,
            max_length = 255,
            pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"
        )
    )]
    #[serde(default)]
    pub name_last: Option<String>,
    #[cfg_attr(feature = "server", schema(min_length = 8, max_length = 512))]
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub admin: Option<bool>,
    #[cfg_attr(
        feature = "server",
        schema(pattern = "^(en|ar|de|el|es|fr|it|nl|no|pl|pt|ro|ru|sk|sv|tr|uk|vi|zh)$")
    )]
    #[serde(default)]
    pub language: Option<String>,
    #[cfg_attr(
        feature = "server",
        schema(
            pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
        )
    )]
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub role_uuid: Option<Option<Uuid>>,
    #[cfg_attr(
        feature = "server",
        schema(
            min_length = 1,
            max_length = 255,
            pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"
        )
    )]
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub external_id: Option<Option<String>>,
    #[serde(default)]
    pub suspended: Option<bool>,
    #[serde(default)]
    pub frozen: Option<bool>,
    #[cfg_attr(
        feature = "server",
        schema(
            pattern = "^(top_left|top_center|top_right|bottom_left|bottom_center|bottom_right)$"
        )
    )]
    #[serde(default)]
    pub toast_position: Option<String>,
    #[serde(default)]
    pub start_on_grouped_servers: Option<bool>,
}

/// A valid new user.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub username: Username,
    pub email: Email,
    pub name_first: PersonName,
    pub name_last: PersonName,
    pub password: Option<Password>,
    pub admin: bool,
    pub language: Language,
    pub role_uuid: Option<Uuid>,
    pub external_id: Option<ExternalId>,
    pub suspended: bool,
    pub frozen: bool,
    pub toast_position: ToastPosition,
    pub start_on_grouped_servers: bool,
    pub send_email: bool,
}

/// A valid change to a user; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct UserPatch {
    pub username: Option<Username>,
    pub email: Option<Email>,
    pub name_first: Option<PersonName>,
    pub name_last: Option<PersonName>,
    pub password: Option<Password>,
    pub admin: Option<bool>,
    pub language: Option<Language>,
    pub role_uuid: Option<Option<Uuid>>,
    pub external_id: Option<Option<ExternalId>>,
    pub suspended: Option<bool>,
    pub frozen: Option<bool>,
    pub toast_position: Option<ToastPosition>,
    pub start_on_grouped_servers: Option<bool>,
}

impl UpdateUserRequest {
    /// Keeps only what differs from `current`, so that a form sending every field back changes
    /// just what was edited and never trips a guardrail over a value left as it was.
    pub fn changes_from(self, current: &User) -> Self {
        fn changed<T: PartialEq>(new: Option<T>, old: T) -> Option<T> {
            new.filter(|new| *new != old)
        }
        let current_role = current.role.as_ref().map(|r| r.uuid);
        UpdateUserRequest {
            username: self.username.filter(|v| *v != current.username),
            email: self.email.filter(|v| *v != current.email),
            name_first: self.name_first.filter(|v| *v != current.name_first),
            name_last: self.name_last.filter(|v| *v != current.name_last),
            password: self.password,
            admin: changed(self.admin, current.admin),
            language: self.language.filter(|v| *v != current.language),
            role_uuid: changed(self.role_uuid, current_role),
            external_id: changed(self.external_id, current.external_id.clone()),
            suspended: changed(self.suspended, current.suspended),
            frozen: changed(self.frozen, current.frozen),
            toast_position: self
                .toast_position
                .filter(|v| v != current.toast_position.as_str()),
            start_on_grouped_servers: changed(
                self.start_on_grouped_servers,
                current.start_on_grouped_servers,
            ),
        }
    }
}

impl TryFrom<CreateUserRequest> for NewUser {
    type Error = CoreError;

    fn try_from(request: CreateUserRequest) -> Result<Self, Self::Error> {
        let mut errors = FieldErrors::new();
        let username = errors.check("username", Username::parse(request.username));
        let email = errors.check("email", Email::parse(request.email));
        let name_first = errors.check("name_first", PersonName::parse(request.name_first));
        let name_last = errors.check("name_last", PersonName::parse(request.name_last));
        let password = request
            .password
            .map(|p| errors.check("password", Password::parse(p)));
        let language = request
            .language
            .map(|l| errors.check("language", Language::parse(l)));
        let external_id = request
            .external_id
            .map(|e| errors.check("external_id", ExternalId::parse(e)));
        let toast_position = request
            .toast_position
            .map(|p| errors.check("toast_position", ToastPosition::parse(p)));
        match (username, email, name_first, name_last) {
            (Some(username), Some(email), Some(name_first), Some(name_last))
                if errors.is_empty() =>
            {
                Ok(NewUser {
                    username,
                    email,
                    name_first,
                    name_last,
                    password: password.flatten(),
                    admin: request.admin.unwrap_or(false),
                    language: language.flatten().unwrap_or_default(),
                    role_uuid: request.role_uuid,
                    external_id: external_id.flatten(),
                    suspended: request.suspended.unwrap_or(false),
                    frozen: request.frozen.unwrap_or(false),
                    toast_position: toast_position.flatten().unwrap_or_default(),
                    start_on_grouped_servers: request.start_on_grouped_servers.unwrap_or(true),
                    send_email: request.send_email.unwrap_or(false),
                })
            }
            _ => Err(CoreError::Refused(Refusal::Invalid(errors))),
        }
    }
}

impl TryFrom<UpdateUserRequest> for UserPatch {
    type Error = CoreError;

    fn try_from(request: UpdateUserRequest) -> Result<Self, Self::Error> {
        let mut errors = FieldErrors::new();
        let patch = UserPatch {
            username: request
                .username
                .and_then(|v| errors.check("username", Username::parse(v))),
            email: request
                .email
                .and_then(|v| errors.check("email", Email::parse(v))),
            name_first: request
                .name_first
                .and_then(|v| errors.check("name_first", PersonName::parse(v))),
            name_last: request
                .name_last
                .and_then(|v| errors.check("name_last", PersonName::parse(v))),
            password: request
                .password
                .and_then(|v| errors.check("password", Password::parse(v))),
            admin: request.admin,
            language: request
                .language
                .and_then(|v| errors.check("language", Language::parse(v))),
            role_uuid: request.role_uuid,
            external_id: match request.external_id {
                None => None,
                Some(None) => Some(None),
                Some(Some(v)) => errors.check("external_id", ExternalId::parse(v)).map(Some),
            },
            suspended: request.suspended,
            frozen: request.frozen,
            toast_position: request
                .toast_position
                .and_then(|v| errors.check("toast_position", ToastPosition::parse(v))),
            start_on_grouped_servers: request.start_on_grouped_servers,
        };
        errors.into_result()?;
        Ok(patch)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample_user() -> User {
        User {
            uuid: Uuid::new_v4(),
            username: "sample".into(),
            email: "sample@example.com".into(),
            name_first: "Sam".into(),
            name_last: "Ple".into(),
            admin: false,
            created: Utc::now(),
            has_password: true,
            ..User::operator()
        }
    }

    fn valid_request() -> CreateUserRequest {
        CreateUserRequest {
            username: "newuser".into(),
            email: "newuser@example.com".into(),
            name_first: "New".into(),
            name_last: "User".into(),
            ..CreateUserRequest::default()
        }
    }

    #[test]
    fn create_defaults_admin_false_and_language_en() {
        let user = NewUser::try_from(valid_request()).unwrap();
        assert!(!user.admin);
        assert_eq!(user.language.as_str(), "en");
        assert!(user.password.is_none());
    }

    #[test]
    fn create_collects_one_error_per_failing_field_in_order() {
        let request = CreateUserRequest {
            username: "ab".into(),
            email: "nope".into(),
            name_first: String::new(),
            password: Some("short".into()),
            toast_position: Some("middle".into()),
            ..valid_request()
        };
        let error = NewUser::try_from(request).err().unwrap();
        assert_eq!(
            error.messages(),
            vec![
                "username: length is lower than 3",
                "email: invalid email address",
                "name_first: length is lower than 1",
                "password: length is lower than 8",
                "toast_position: must be one of top_left, top_center, top_right, bottom_left, \
                 bottom_center, bottom_right",
            ]
        );
    }

    #[test]
    fn update_tells_null_from_absent() {
        let request: UpdateUserRequest =
            serde_json::from_str(r#"{"role_uuid": null, "name_first": "Ann"}"#).unwrap();
        let patch = UserPatch::try_from(request).unwrap();
        assert_eq!(patch.role_uuid, Some(None));
        assert!(patch.external_id.is_none());
        assert_eq!(patch.name_first.unwrap().as_str(), "Ann");
    }

    #[test]
    fn changes_from_keeps_only_what_differs() {
        let current = sample_user();
        let request = UpdateUserRequest {
            username: Some(current.username.clone()),
            email: Some(current.email.clone()),
            name_first: Some("Other".into()),
            admin: Some(false),
            role_uuid: Some(None),
            external_id: Some(Some("crm-1".into())),
            ..UpdateUserRequest::default()
        }
        .changes_from(&current);
        assert_eq!(request.username, None);
        assert_eq!(request.email, None);
        assert_eq!(request.name_first.as_deref(), Some("Other"));
        assert_eq!(request.admin, None);
        assert_eq!(request.role_uuid, None);
        assert_eq!(request.external_id, Some(Some("crm-1".to_owned())));
    }

    #[test]
    fn create_takes_one_letter_names_and_calagopus_defaults() {
        let request = CreateUserRequest {
            name_first: "J".into(),
            name_last: "李".into(),
            ..valid_request()
        };
        let user = NewUser::try_from(request).unwrap();
        assert_eq!(user.name_first.as_str(), "J");
        assert_eq!(user.toast_position, ToastPosition::TopRight);
        assert!(user.start_on_grouped_servers);
        assert!(!user.frozen);
    }

    #[test]
    fn user_json_has_calagopus_nineteen_fields_in_order_and_no_secret() {
        let json = serde_json::to_string(&sample_user()).unwrap();
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&json).unwrap();
        let calagopus = [
            "uuid",
            "external_id",
            "username",
            "role",
            "avatar",
            "email",
            "name_first",
            "name_last",
            "admin",
            "frozen",
            "suspended",
            "totp_enabled",
            "totp_last_used",
            "require_two_factor",
            "language",
            "toast_position",
            "start_on_grouped_servers",
            "has_password",
            "created",
        ];
        let positions: Vec<Option<usize>> = calagopus
            .iter()
            .map(|field| json.find(&format!("\"{field}\":")))
            .collect();
        assert!(positions.iter().all(Option::is_some), "{json}");
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{json}");
        assert_eq!(object.len(), calagopus.len() + 1, "and last_login");
        let json = serde_json::to_value(sample_user()).unwrap();
        assert!(json.get("password").is_none());
        assert!(json["created"].as_str().unwrap().ends_with('Z'));
    }
}
