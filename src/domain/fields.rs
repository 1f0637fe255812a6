//! The validated scalar fields of users, roles and servers.

use serde::{Deserialize, Serialize};
use std::fmt;

fn check_length(value: &str, min: usize, max: usize) -> Result<(), String> {
    let length = value.chars().count();
    if length < min {
        Err(format!("length is lower than {min}"))
    } else if length > max {
        Err(format!("length is greater than {max}"))
    } else {
        Ok(())
    }
}

fn check_printable(value: &str) -> Result<(), String> {
    if value.chars().any(char::is_control) {
        Err("must not contain control characters".to_owned())
    } else {
        Ok(())
    }
}

macro_rules! string_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_newtype!(
    /// 3..=15 characters of `[A-Za-z0-9_]`; unique case-insensitively.
    Username
);

impl Username {
    pub fn parse(value: String) -> Result<Self, String> {
        check_length(&value, 3, 15)?;
        if !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err("must contain only letters, digits and underscores".to_owned());
        }
        Ok(Self(value))
    }
}

string_newtype!(
    /// A valid address of at most 255 characters; unique case-insensitively.
    Email
);

impl Email {
    pub fn parse(value: String) -> Result<Self, String> {
        check_length(&value, 3, 255)?;
        if !email_address::EmailAddress::is_valid(&value) || value.chars().any(char::is_whitespace)
        {
            return Err("invalid email address".to_owned());
        }
        Ok(Self(value))
    }
}

string_newtype!(
    /// A first or last name: 1..=255 characters ("J Smith" has a one-letter first name).
    PersonName
);

impl PersonName {
    pub fn parse(value: String) -> Result<Self, String> {
        check_length(&value, 1, 255)?;
        check_printable(&value)?;
        Ok(Self(value))
    }
}

string_newtype!(
    /// An identifier from another system (billing, ...): 1..=255 characters, unique.
    ExternalId
);

impl ExternalId {
    pub fn parse(value: String) -> Result<Self, String> {
        check_length(&value, 1, 255)?;
        check_printable(&value)?;
        Ok(Self(value))
    }
}

string_newtype!(
    /// A role's name: 1..=64 characters, unique case-insensitively.
    RoleName
);

impl RoleName {
    pub fn parse(value: String) -> Result<Self, String> {
        check_length(&value, 1, 64)?;
        check_printable(&value)?;
        Ok(Self(value))
    }
}

string_newtype!(
    /// A role's description: at most 1024 characters.
    Description
);

impl Description {
    pub fn parse(value: String) -> Result<Self, String> {
        check_length(&value, 0, 1024)?;
        if value.contains('\0') {
            return Err("must not contain NUL characters".to_owned());
        }
        Ok(Self(value))
    }
}

string_newtype!(
    /// A server's or an API key's name: 1..=255 characters.
    Label
);

impl Label {
    pub fn parse(value: String) -> Result<Self, String> {
        check_length(&value, 1, 255)?;
        check_printable(&value)?;
        Ok(Self(value))
    }
}

/// The UI languages Roster knows, by code: Calagopus' eighteen, and Ukrainian.
pub const LANGUAGES: &[(&str, &str)] = &[
    ("en", "English"),
    ("ar", "العربية"),
    ("de", "Deutsch"),
    ("el", "Ελληνικά"),
    ("es", "Español"),
    ("fr", "Français"),
    ("it", "Italiano"),
    ("nl", "Nederlands"),
    ("no", "Norsk"),
    ("pl", "Polski"),
    ("pt", "Português"),
    ("ro", "Română"),
    ("ru", "Русский"),
    ("sk", "Slovenčina"),
    ("sv", "Svenska"),
    ("tr", "Türkçe"),
    ("uk", "Українська"),
    ("vi", "Tiếng Việt"),
    ("zh", "中文"),
];

/// Where a user's interface shows its notices: kept and returned for Calagopus' clients.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ToastPosition {
    TopLeft,
    TopCenter,
    #[default]
    TopRight,
    BottomLeft,
    BottomCenter,
    BottomRight,
}

impl ToastPosition {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(value: String) -> Result<Self, String> {
        value.parse().map_err(|_| {
            let names: Vec<&str> = <Self as strum::VariantArray>::VARIANTS
                .iter()
                .map(|p| p.as_str())
                .collect();
            format!("must be one of {}", names.join(", "))
        })
    }
}

string_newtype!(
    /// A supported UI language code.
    Language
);

impl Language {
    pub fn parse(value: String) -> Result<Self, String> {
        if LANGUAGES.iter().any(|(code, _)| *code == value) {
            Ok(Self(value))
        } else {
            let codes: Vec<&str> = LANGUAGES.iter().map(|(code, _)| *code).collect();
            Err(format!(
                "unsupported language, use one of {}",
                codes.join(", ")
            ))
        }
    }
}

impl Default for Language {
    fn default() -> Self {
        Self("en".to_owned())
    }
}

/// A password in clear, between the request and the hasher. It never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn parse(value: String) -> Result<Self, String> {
        check_length(&value, 8, 512)?;
        Ok(Self(value))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_accepts_letters_digits_and_underscores() {
        assert!(Username::parse("Admin_01".into()).is_ok());
    }

    #[test]
    fn username_reports_the_contract_length_messages() {
        assert_eq!(
            Username::parse("ab".into()),
            Err("length is lower than 3".to_owned())
        );
        assert_eq!(
            Username::parse("a".repeat(16)),
            Err("length is greater than 15".to_owned())
        );
    }

    #[test]
    fn username_rejects_other_characters() {
        for bad in ["with space", "dash-ed", "dot.ted", "ünïcode", "a';--"] {
            assert!(Username::parse(bad.into()).is_err(), "{bad}");
        }
    }

    #[test]
    fn email_must_be_an_address() {
        assert!(Email::parse("someone@example.com".into()).is_ok());
        for bad in ["nope", "a@", "@b.c", "a b@c.d", ""] {
            assert!(Email::parse(bad.into()).is_err(), "{bad}");
        }
        assert_eq!(
            Email::parse(format!("{}@example.com", "a".repeat(250))),
            Err("length is greater than 255".to_owned())
        );
    }

    #[test]
    fn names_count_characters_not_bytes() {
        assert!(PersonName::parse("Zoë".into()).is_ok());
        assert!(PersonName::parse("李".into()).is_ok());
        assert!(PersonName::parse("李".repeat(255)).is_ok());
        assert_eq!(
            PersonName::parse("李".repeat(256)).map(|_| ()),
            Err("length is greater than 255".to_owned())
        );
        assert_eq!(
            PersonName::parse(String::new()).map(|_| ()),
            Err("length is lower than 1".to_owned())
        );
    }

    #[test]
    fn password_length_is_8_to_512() {
        assert_eq!(
            Password::parse("short".into()).map(|_| ()),
            Err("length is lower than 8".to_owned())
        );
        assert!(Password::parse("x".repeat(512)).is_ok());
        assert!(Password::parse("x".repeat(513)).is_err());
    }

    #[test]
    fn password_debug_never_shows_the_secret() {
        let password = Password::parse("hunter2hunter2".into()).unwrap();
        assert!(!format!("{password:?}").contains("hunter2"));
    }

    #[test]
    fn language_must_be_supported() {
        assert!(Language::parse("de".into()).is_ok());
        assert!(Language::parse("xx".into()).is_err());
    }
}
