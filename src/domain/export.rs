//! A CSV export of the user listing: which columns, and how a cell is written so that a
//! spreadsheet shows it and never runs it.

use serde::{Deserialize, Serialize};

use crate::domain::user::User;
use crate::error::{CoreError, FieldErrors};

/// A column an export may hold, named as the API names the field.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ExportColumn {
    Uuid,
    ExternalId,
    Username,
    Email,
    NameFirst,
    NameLast,
    Role,
    Admin,
    Suspended,
    TotpEnabled,
    Language,
    LastLogin,
    Created,
}

impl ExportColumn {
    pub const ALL: &'static [Self] = <Self as strum::VariantArray>::VARIANTS;

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// What the console calls the column.
    pub fn label(self) -> &'static str {
        match self {
            ExportColumn::Uuid => "UUID",
            ExportColumn::ExternalId => "External id",
            ExportColumn::Username => "Username",
            ExportColumn::Email => "Email",
            ExportColumn::NameFirst => "First name",
            ExportColumn::NameLast => "Last name",
            ExportColumn::Role => "Role",
            ExportColumn::Admin => "Admin",
            ExportColumn::Suspended => "Suspended",
            ExportColumn::TotpEnabled => "Two-factor",
            ExportColumn::Language => "Language",
            ExportColumn::LastLogin => "Last sign-in",
            ExportColumn::Created => "Created",
        }
    }

    /// The cell of `user` in this column, as text; times as the API writes them, an absent
    /// value empty.
    fn value(self, user: &User) -> String {
        let time = |t: &chrono::DateTime<chrono::Utc>| {
            t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        };
        match self {
            ExportColumn::Uuid => user.uuid.to_string(),
            ExportColumn::ExternalId => user.external_id.clone().unwrap_or_default(),
            ExportColumn::Username => user.username.clone(),
            ExportColumn::Email => user.email.clone(),
            ExportColumn::NameFirst => user.name_first.clone(),
            ExportColumn::NameLast => user.name_last.clone(),
            ExportColumn::Role => user
                .role
                .as_ref()
                .map(|role| role.name.clone())
                .unwrap_or_default(),
            ExportColumn::Admin => user.admin.to_string(),
            ExportColumn::Suspended => user.suspended.to_string(),
            ExportColumn::TotpEnabled => user.totp_enabled.to_string(),
            ExportColumn::Language => user.language.clone(),
            ExportColumn::LastLogin => user.last_login.as_ref().map(time).unwrap_or_default(),
            ExportColumn::Created => time(&user.created),
        }
    }
}

/// The columns of an export, in the order asked, each once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportColumns(Vec<ExportColumn>);

impl Default for ExportColumns {
    /// What an admin most often wants of a user list.
    fn default() -> Self {
        Self(vec![
            ExportColumn::Uuid,
            ExportColumn::Username,
            ExportColumn::Email,
            ExportColumn::NameFirst,
            ExportColumn::NameLast,
            ExportColumn::Role,
            ExportColumn::Suspended,
            ExportColumn::TotpEnabled,
            ExportColumn::LastLogin,
            ExportColumn::Created,
        ])
    }
}

impl ExportColumns {
    /// `columns=username,email,…` as sent; absent or empty means the default set.
    pub fn parse(raw: Option<&str>) -> Result<Self, CoreError> {
        let Some(raw) = raw.map(str::trim).filter(|raw| !raw.is_empty()) else {
            return Ok(Self::default());
        };
        let mut columns = Vec::new();
        let mut errors = FieldErrors::new();
        for name in raw
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
        {
            match name.parse::<ExportColumn>() {
                Ok(column) if !columns.contains(&column) => columns.push(column),
                Ok(_) => errors.push("columns", format!("{name} is named twice")),
                Err(_) => errors.push("columns", format!("{name} is not a column")),
            }
        }
        errors.into_result()?;
        Ok(Self(columns))
    }

    pub fn columns(&self) -> &[ExportColumn] {
        &self.0
    }

    /// The header record.
    pub fn header(&self) -> Vec<&'static str> {
        self.0.iter().map(|column| column.as_str()).collect()
    }

    /// `user`'s record, every cell made safe for spreadsheets.
    pub fn record(&self, user: &User) -> Vec<String> {
        self.0
            .iter()
            .map(|column| spreadsheet_safe(column.value(user)))
            .collect()
    }

    /// `columns=` as the API takes it.
    pub fn to_param(&self) -> String {
        self.header().join(",")
    }
}

/// A cell a spreadsheet would read as a formula (starting with `=`, `+`, `-` or `@`, or with a
/// tab or carriage return that some strip before looking) starts with an apostrophe instead,
/// which spreadsheets show as text (OWASP's advice on CSV injection).
pub fn spreadsheet_safe(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text() {
        for (cell, safe) in [
            (
                "=HYPERLINK(\"http://evil\")",
                "'=HYPERLINK(\"http://evil\")",
            ),
            ("+1+1", "'+1+1"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("Ada", "Ada"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_safe(cell.to_owned()), safe, "{cell:?}");
        }
    }

    #[test]
    fn columns_are_named_once_each() {
        assert_eq!(
            ExportColumns::parse(None).unwrap(),
            ExportColumns::default()
        );
        assert_eq!(
            ExportColumns::parse(Some("email, username"))
                .unwrap()
                .header(),
            vec!["email", "username"]
        );
        assert_eq!(
            ExportColumns::parse(Some("email,password,email"))
                .unwrap_err()
                .messages(),
            vec![
                "columns: password is not a column".to_owned(),
                "columns: email is named twice".to_owned()
            ]
        );
    }
}
