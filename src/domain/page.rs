//! Listing: the query a client sends and the page it gets back.

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, FieldErrors};

pub const DEFAULT_PER_PAGE: u32 = 10;
pub const MAX_PER_PAGE: u32 = 100;
pub const MAX_SEARCH_CHARS: usize = 128;

/// The query string of a list route, as sent: every value is text until parsed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListParams {
    pub page: Option<String>,
    pub per_page: Option<String>,
    pub search: Option<String>,
    /// Users only: `true` or `false` keeps only suspended or only active users.
    #[serde(default)]
    pub suspended: Option<String>,
    /// Users only: `false` keeps only users who never signed in, `true` only those who have.
    #[serde(default)]
    pub signed_in: Option<String>,
    /// Users only: the order, a [`SortKey`] by name, `-` before it for descending.
    #[serde(default)]
    pub sort: Option<String>,
}

/// What the user listing can be ordered by. Text is compared case-insensitively; a user who never
/// signed in sorts before every sign-in.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
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
pub enum SortKey {
    /// The listing's own order, Calagopus' too.
    #[default]
    Created,
    Username,
    Email,
    LastLogin,
    NameLast,
}

impl SortKey {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The order of the user listing: a key, ascending or descending, ties broken by the users'
/// uuids in the same direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UserSort {
    pub key: SortKey,
    pub descending: bool,
}

impl UserSort {
    /// `created`, `-last_login`, …: what `sort=` takes.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let (descending, name) = match raw.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, raw),
        };
        let key = name.parse::<SortKey>().ok()?;
        Some(Self { key, descending })
    }

    /// The same key the other way round (a column header clicked again).
    pub fn reversed(self) -> Self {
        Self {
            descending: !self.descending,
            ..self
        }
    }

    /// The order as `sort=` takes it.
    pub fn to_param(self) -> String {
        format!(
            "{}{}",
            if self.descending { "-" } else { "" },
            self.key.as_str()
        )
    }
}

/// A parsed, valid list request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    pub page: u32,
    pub per_page: u32,
    /// `None` means no filter (an empty `search=` included).
    pub search: Option<String>,
    /// `None` means suspended and active users alike.
    pub suspended: Option<bool>,
    /// `None` means whether or not they ever signed in.
    pub signed_in: Option<bool>,
    /// Users only: the members of this role (`/api/admin/roles/{role}/users`; never from the
    /// query string).
    #[serde(default)]
    pub role: Option<uuid::Uuid>,
    /// Users only: the order (`sort=`; absent means the listing's own order).
    #[serde(default)]
    pub sort: UserSort,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            search: None,
            suspended: None,
            signed_in: None,
            role: None,
            sort: UserSort::default(),
        }
    }
}

pub(crate) fn parse_bound(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
    default: u32,
    max: u32,
) -> u32 {
    let Some(raw) = raw.map(str::trim).filter(|raw| !raw.is_empty()) else {
        return default;
    };
    match raw.parse::<i64>() {
        Ok(value) if value < 1 => {
            errors.push(field, "lower than 1");
            default
        }
        Ok(value) if value > i64::from(max) => {
            errors.push(field, format!("greater than {max}"));
            default
        }
        Ok(value) => value as u32,
        Err(_) => {
            errors.push(field, "must be a whole number");
            default
        }
    }
}

fn parse_flag(errors: &mut FieldErrors, field: &str, raw: Option<&str>) -> Option<bool> {
    match raw.map(str::trim) {
        None | Some("") => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => {
            errors.push(field, "must be true or false");
            None
        }
    }
}

impl TryFrom<ListParams> for ListQuery {
    type Error = CoreError;

    fn try_from(params: ListParams) -> Result<Self, Self::Error> {
        let mut errors = FieldErrors::new();
        let page = parse_bound(&mut errors, "page", params.page.as_deref(), 1, u32::MAX / 2);
        let per_page = parse_bound(
            &mut errors,
            "per_page",
            params.per_page.as_deref(),
            DEFAULT_PER_PAGE,
            MAX_PER_PAGE,
        );
        let search = params.search.filter(|s| !s.is_empty());
        if let Some(search) = &search {
            if search.chars().count() > MAX_SEARCH_CHARS {
                errors.push(
                    "search",
                    format!("length is greater than {MAX_SEARCH_CHARS}"),
                );
            } else if search.chars().any(char::is_control) {
                errors.push("search", "must not contain control characters");
            }
        }
        let suspended = parse_flag(&mut errors, "suspended", params.suspended.as_deref());
        let signed_in = parse_flag(&mut errors, "signed_in", params.signed_in.as_deref());
        let sort = match params.sort.as_deref().map(str::trim) {
            None | Some("") => UserSort::default(),
            Some(raw) => UserSort::parse(raw).unwrap_or_else(|| {
                errors.push(
                    "sort",
                    "must be username, email, created, last_login or name_last, \
                     with - before it for descending",
                );
                UserSort::default()
            }),
        };
        errors.into_result()?;
        Ok(ListQuery {
            page,
            per_page,
            search,
            suspended,
            signed_in,
            role: None,
            sort,
        })
    }
}

impl ListQuery {
    /// The first page at the largest page size, for short lists shown whole.
    pub fn largest() -> Self {
        Self {
            per_page: MAX_PER_PAGE,
            ..Self::default()
        }
    }

    pub fn offset(&self) -> i64 {
        (i64::from(self.page) - 1) * i64::from(self.per_page)
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }

    /// The query string that reproduces this view, for links and the console's URL.
    pub fn to_params(&self) -> ListParams {
        ListParams {
            page: Some(self.page.to_string()),
            per_page: Some(self.per_page.to_string()),
            search: self.search.clone(),
            suspended: self.suspended.map(|s| s.to_string()),
            signed_in: self.signed_in.map(|s| s.to_string()),
            sort: (self.sort != UserSort::default()).then(|| self.sort.to_param()),
        }
    }
}

/// The contract's pagination envelope.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub total: i64,
    pub per_page: u32,
    pub page: u32,
    pub data: Vec<T>,
}

impl<T> Page<T> {
    pub fn last_page(&self) -> u32 {
        let per_page = i64::from(self.per_page.max(1));
        ((self.total + per_page - 1) / per_page).max(1) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(page: &str, per_page: &str) -> ListParams {
        ListParams {
            page: Some(page.into()),
            per_page: Some(per_page.into()),
            search: None,
            suspended: None,
            signed_in: None,
            sort: None,
        }
    }

    #[test]
    fn defaults_are_page_1_of_10() {
        assert_eq!(
            ListQuery::try_from(ListParams::default()),
            Ok(ListQuery::default())
        );
    }

    #[test]
    fn out_of_range_bounds_give_the_contract_messages() {
        let error = ListQuery::try_from(params("0", "101")).unwrap_err();
        assert_eq!(
            error.messages(),
            vec![
                "page: lower than 1".to_owned(),
                "per_page: greater than 100".to_owned()
            ]
        );
        let error = ListQuery::try_from(params("1", "0")).unwrap_err();
        assert_eq!(error.messages(), vec!["per_page: lower than 1".to_owned()]);
    }

    #[test]
    fn huge_numbers_are_rejected_not_wrapped() {
        let error = ListQuery::try_from(params("1", "99999999999999999999999")).unwrap_err();
        assert_eq!(
            error.messages(),
            vec!["per_page: must be a whole number".to_owned()]
        );
    }

    #[test]
    fn control_characters_are_not_searchable() {
        let error = ListQuery::try_from(ListParams {
            search: Some("a\0b".into()),
            ..ListParams::default()
        })
        .unwrap_err();
        assert_eq!(
            error.messages(),
            vec!["search: must not contain control characters".to_owned()]
        );
    }

    #[test]
    fn an_empty_search_means_no_filter() {
        let query = ListQuery::try_from(ListParams {
            search: Some(String::new()),
            ..ListParams::default()
        })
        .unwrap();
        assert_eq!(query.search, None);
    }

    #[test]
    fn the_suspended_filter_is_true_false_or_absent() {
        let parse = |value: &str| {
            ListQuery::try_from(ListParams {
                suspended: Some(value.into()),
                ..ListParams::default()
            })
        };
        assert_eq!(parse("true").unwrap().suspended, Some(true));
        assert_eq!(parse("false").unwrap().suspended, Some(false));
        assert_eq!(parse("").unwrap().suspended, None);
        assert_eq!(
            parse("yes").unwrap_err().messages(),
            vec!["suspended: must be true or false".to_owned()]
        );
    }

    #[test]
    fn the_signed_in_filter_is_true_false_or_absent() {
        let parse = |value: &str| {
            ListQuery::try_from(ListParams {
                signed_in: Some(value.into()),
                ..ListParams::default()
            })
        };
        assert_eq!(parse("false").unwrap().signed_in, Some(false));
        assert_eq!(parse("true").unwrap().signed_in, Some(true));
        assert_eq!(
            parse("never").unwrap_err().messages(),
            vec!["signed_in: must be true or false".to_owned()]
        );
    }

    #[test]
    fn the_sort_is_a_key_with_an_optional_minus() {
        let parse = |value: &str| {
            ListQuery::try_from(ListParams {
                sort: Some(value.into()),
                ..ListParams::default()
            })
        };
        assert_eq!(parse("").unwrap().sort, UserSort::default());
        assert_eq!(
            parse("-last_login").unwrap().sort,
            UserSort {
                key: SortKey::LastLogin,
                descending: true
            }
        );
        assert_eq!(
            parse("name_last").unwrap().sort,
            UserSort {
                key: SortKey::NameLast,
                descending: false
            }
        );
        for bad in ["password", "--email", "Email", "-", "email,-created"] {
            assert_eq!(
                parse(bad).unwrap_err().messages(),
                vec![
                    "sort: must be username, email, created, last_login or name_last, \
                     with - before it for descending"
                        .to_owned()
                ],
                "{bad}"
            );
        }
        // What a view's query string says of its order gives the same order back.
        for key in <SortKey as strum::VariantArray>::VARIANTS {
            for descending in [false, true] {
                let sort = UserSort {
                    key: *key,
                    descending,
                };
                let query = ListQuery {
                    sort,
                    ..ListQuery::default()
                };
                assert_eq!(ListQuery::try_from(query.to_params()).unwrap().sort, sort);
            }
        }
    }
}
