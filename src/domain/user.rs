use crate::error::Refusal;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::fields::{Email, ExternalId, Language, Password, PersonName, Username};
use super::role::Role;
use super::serde_helpers::{double_option, optional_timestamp, timestamp};
use crate::error::{CoreError, FieldErrors};

/// The user object of the contract. It never carries a password or its hash.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub uuid: Uuid,
    pub external_id: Option<String>,
    pub username: String,
    pub email: String,
    pub name_first: String,
    pub name_last: String,
    pub admin: bool,
    pub totp_enabled: bool,
    pub language: String,
    pub role: Option<Role>,
    #[serde(serialize_with = "timestamp")]
    pub created: DateTime<Utc>,
    pub has_password: bool,
    /// A suspended user can sign in to nothing and use none of their keys.
    pub suspended: bool,
    /// When the user last signed in; `null` for never.
    #[serde(serialize_with = "optional_timestamp")]
    pub last_login: Option<DateTime<Utc>>,
}

impl User {
    /// Who the operator is when acting as no user: a global admin with the nil uuid, which no
    /// stored user has, so no rule about "your own account" ever applies to it.
    pub(crate) fn operator() -> Self {
        Self {
            uuid: Uuid::nil(),
            external_id: None,
            username: "operator".to_owned(),
            email: String::new(),
            name_first: String::new(),
            name_last: String::new(),
            admin: true,
            totp_enabled: false,
            language: "en".to_owned(),
            role: None,
            created: DateTime::<Utc>::UNIX_EPOCH,
            has_password: false,
            suspended: false,
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
            min_length = 2,
            max_length = 255,
            pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"
        )
    )]
    pub name_first: String,
    #[cfg_attr(
        feature = "server",
        schema(
            min_length = 2,
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
        schema(pattern = "^(en|de|es|fr|it|nl|pl|pt|ru|tr|uk|zh)$")
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
            min_length = 2,
            max_length = 255,
            pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"
        )
    )]
    #[serde(default)]
    pub name_first: Option<String>,
    #[cfg_attr(
        feature = "server",
        schema(
            min_length = 2,
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
        schema(pattern = "^(en|de|es|fr|it|nl|pl|pt|ru|tr|uk|zh)$")
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
            external_id: None,
            username: "sample".into(),
            email: "sample@example.com".into(),
            name_first: "Sam".into(),
            name_last: "Ple".into(),
            admin: false,
            totp_enabled: false,
            language: "en".into(),
            role: None,
            created: Utc::now(),
            has_password: true,
            suspended: false,
            last_login: None,
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
            name_first: "N".into(),
            password: Some("short".into()),
            ..valid_request()
        };
        let error = NewUser::try_from(request).err().unwrap();
        assert_eq!(
            error.messages(),
            vec![
                "username: length is lower than 3",
                "email: invalid email address",
                "name_first: length is lower than 2",
                "password: length is lower than 8",
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
    fn user_json_has_the_eleven_contract_fields_and_no_secret() {
        let json = serde_json::to_value(sample_user()).unwrap();
        for field in [
            "uuid",
            "external_id",
            "username",
            "email",
            "name_first",
            "name_last",
            "admin",
            "totp_enabled",
            "language",
            "role",
            "created",
        ] {
            assert!(json.get(field).is_some(), "{field}");
        }
        assert!(json.get("password").is_none());
        assert!(json["created"].as_str().unwrap().ends_with('Z'));
    }
}
