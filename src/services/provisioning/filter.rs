//! A provider's filter as SQL: each attribute is a column expression of a kind, each value a
//! bound parameter. Text that the provider compares case-insensitively (`userName`, emails,
//! names, `displayName`) is compared in lower case, in the form the indexes hold, so that
//! `userName eq` and `externalId eq` are index lookups.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::provisioning::{Comparison, Filter, FilterValue, GroupAttribute, UserAttribute};
use crate::error::{CoreError, FieldErrors, Refusal};

pub(crate) trait Attribute: Copy {
    fn column(self) -> ColumnOrMembership;
}

pub(crate) enum ColumnOrMembership {
    /// The column's expression, how it compares, and whether it may be null.
    Column(&'static str, Kind, bool),
    /// A group's members, tested with `EXISTS`.
    Member,
}

/// How a column compares.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// Text compared without regard to case.
    Text,
    /// Text compared exactly (an external id); its substring tests still ignore case.
    ExactText,
    /// `active`, which the column holds as its opposite (`suspended`).
    Active,
    Uuid,
    Time,
}

impl Attribute for UserAttribute {
    fn column(self) -> ColumnOrMembership {
        use ColumnOrMembership::Column as C;
        match self {
            UserAttribute::Id => C("u.uuid", Kind::Uuid, false),
            UserAttribute::UserName => C(
                "COALESCE(u.provisioned_name, u.username)",
                Kind::Text,
                false,
            ),
            UserAttribute::ExternalId => C("u.external_id", Kind::ExactText, true),
            UserAttribute::Email => C("u.email", Kind::Text, false),
            UserAttribute::GivenName => C("u.name_first", Kind::Text, false),
            UserAttribute::FamilyName => C("u.name_last", Kind::Text, false),
            UserAttribute::Active => C("u.suspended", Kind::Active, false),
            UserAttribute::Created => C("u.created", Kind::Time, false),
            UserAttribute::LastModified => C("COALESCE(u.updated, u.created)", Kind::Time, false),
        }
    }
}

impl Attribute for GroupAttribute {
    fn column(self) -> ColumnOrMembership {
        use ColumnOrMembership::Column as C;
        match self {
            GroupAttribute::Id => C("r.uuid", Kind::Uuid, false),
            GroupAttribute::DisplayName => C("r.name", Kind::Text, false),
            GroupAttribute::ExternalId => C("r.external_id", Kind::ExactText, true),
            GroupAttribute::Created => C("r.created", Kind::Time, false),
            GroupAttribute::Member => ColumnOrMembership::Member,
        }
    }
}

/// A value bound to a filter's placeholder.
#[derive(Clone, Debug)]
pub(crate) enum Bind {
    Text(String),
    Flag(bool),
    Uuid(Uuid),
    Time(DateTime<Utc>),
}

/// A filter as a `WHERE` condition whose placeholders start at `$first`.
pub(crate) struct Condition {
    pub sql: String,
    pub binds: Vec<Bind>,
}

fn invalid(reason: impl Into<String>) -> CoreError {
    let mut errors = FieldErrors::new();
    errors.push("filter", reason.into());
    CoreError::Refused(Refusal::Invalid(errors))
}

/// `LIKE`'s wildcards in `text` made literal, for `ESCAPE '\'`.
fn like_literal(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

struct Builder {
    sql: String,
    binds: Vec<Bind>,
    first: usize,
}

impl Builder {
    fn placeholder(&mut self, bind: Bind) -> String {
        self.binds.push(bind);
        format!("${}", self.first + self.binds.len() - 1)
    }

    fn filter<A: Attribute>(&mut self, filter: &Filter<A>) -> Result<(), CoreError> {
        match filter {
            Filter::Nothing => self.sql.push_str("1 = 0"),
            Filter::And(left, right) | Filter::Or(left, right) => {
                let joiner = if matches!(filter, Filter::And(..)) {
                    " AND "
                } else {
                    " OR "
                };
                self.sql.push('(');
                self.filter(left)?;
                self.sql.push_str(joiner);
                self.filter(right)?;
                self.sql.push(')');
            }
            // A comparison on an absent value is unknown in SQL: `NOT` must count it as false.
            Filter::Not(inner) => {
                self.sql.push_str("NOT COALESCE((");
                self.filter(inner)?;
                self.sql.push_str("), FALSE)");
            }
            Filter::Present(attribute) => match attribute.column() {
                ColumnOrMembership::Member => self
                    .sql
                    .push_str("EXISTS (SELECT 1 FROM users m WHERE m.role_uuid = r.uuid)"),
                ColumnOrMembership::Column(expression, kind, _) => match kind {
                    Kind::Text | Kind::ExactText => self.sql.push_str(&format!(
                        "({expression} IS NOT NULL AND {expression} <> '')"
                    )),
                    _ => self.sql.push_str(&format!("{expression} IS NOT NULL")),
                },
            },
            Filter::Compare(attribute, comparison, value) => {
                let condition = self.compare(*attribute, *comparison, value)?;
                self.sql.push_str(&condition);
            }
        }
        Ok(())
    }

    fn compare<A: Attribute>(
        &mut self,
        attribute: A,
        comparison: Comparison,
        value: &FilterValue,
    ) -> Result<String, CoreError> {
        let (expression, kind, nullable) = match attribute.column() {
            ColumnOrMembership::Member => {
                let FilterValue::Text(text) = value else {
                    return Err(invalid("members.value compares with a string"));
                };
                let Ok(uuid) = Uuid::parse_str(text) else {
                    return Ok("1 = 0".to_owned());
                };
                if comparison != Comparison::Eq {
                    return Err(invalid("members.value supports only eq"));
                }
                let p = self.placeholder(Bind::Uuid(uuid));
                return Ok(format!(
                    "EXISTS (SELECT 1 FROM users m WHERE m.role_uuid = r.uuid AND m.uuid = {p})"
                ));
            }
            ColumnOrMembership::Column(expression, kind, nullable) => (expression, kind, nullable),
        };
        if let FilterValue::Null = value {
            return match comparison {
                Comparison::Eq => Ok(format!("{expression} IS NULL")),
                Comparison::Ne => Ok(format!("{expression} IS NOT NULL")),
                _ => Err(invalid("null compares only with eq and ne")),
            };
        }
        let e = expression;
        match kind {
            Kind::Text | Kind::ExactText => {
                let FilterValue::Text(text) = value else {
                    return Err(invalid("a string attribute compares with a string"));
                };
                let exact = matches!(kind, Kind::ExactText);
                let lowered = format!("lower({e})");
                let (left, right_value) = if exact {
                    (e.to_owned(), text.clone())
                } else {
                    (lowered.clone(), text.to_lowercase())
                };
                let condition = match comparison {
                    Comparison::Eq => {
                        let p = self.placeholder(Bind::Text(right_value));
                        if exact {
                            format!("{e} = {p}")
                        } else {
                            format!("{lowered} = lower({p})")
                        }
                    }
                    Comparison::Ne => {
                        let p = self.placeholder(Bind::Text(right_value));
                        let differs = if exact {
                            format!("{e} <> {p}")
                        } else {
                            format!("{lowered} <> lower({p})")
                        };
                        if nullable {
                            format!("({e} IS NULL OR {differs})")
                        } else {
                            differs
                        }
                    }
                    Comparison::Contains | Comparison::StartsWith | Comparison::EndsWith => {
                        let literal = like_literal(&text.to_lowercase());
                        let pattern = match comparison {
                            Comparison::Contains => format!("%{literal}%"),
                            Comparison::StartsWith => format!("{literal}%"),
                            _ => format!("%{literal}"),
                        };
                        let p = self.placeholder(Bind::Text(pattern));
                        format!("{lowered} LIKE {p} ESCAPE '\\'")
                    }
                    ordering => {
                        let p = self.placeholder(Bind::Text(right_value));
                        format!("{left} {} {p}", operator(ordering))
                    }
                };
                Ok(condition)
            }
            Kind::Active => {
                let FilterValue::Bool(active) = value else {
                    return Err(invalid("a boolean attribute compares with true or false"));
                };
                let p = self.placeholder(Bind::Flag(!active));
                match comparison {
                    Comparison::Eq => Ok(format!("{e} = {p}")),
                    Comparison::Ne => Ok(format!("{e} <> {p}")),
                    _ => Err(invalid("a boolean attribute compares only with eq and ne")),
                }
            }
            Kind::Uuid => {
                let FilterValue::Text(text) = value else {
                    return Err(invalid("id compares with a string"));
                };
                let parsed = Uuid::parse_str(text).ok();
                match (comparison, parsed) {
                    (Comparison::Eq, None) => Ok("1 = 0".to_owned()),
                    (Comparison::Ne, None) => Ok("1 = 1".to_owned()),
                    (Comparison::Eq, Some(uuid)) => {
                        let p = self.placeholder(Bind::Uuid(uuid));
                        Ok(format!("{e} = {p}"))
                    }
                    (Comparison::Ne, Some(uuid)) => {
                        let p = self.placeholder(Bind::Uuid(uuid));
                        Ok(format!("{e} <> {p}"))
                    }
                    _ => Err(invalid("id compares only with eq and ne")),
                }
            }
            Kind::Time => {
                let FilterValue::Text(text) = value else {
                    return Err(invalid("a date compares with a string"));
                };
                let time = DateTime::parse_from_rfc3339(text)
                    .map_err(|_| invalid(format!("`{text}` is not an RFC 3339 date")))?
                    .with_timezone(&Utc);
                let p = self.placeholder(Bind::Time(time));
                match comparison {
                    Comparison::Contains | Comparison::StartsWith | Comparison::EndsWith => {
                        Err(invalid("a date compares with eq, ne, gt, ge, lt or le"))
                    }
                    ordering => Ok(format!("{e} {} {p}", operator(ordering))),
                }
            }
        }
    }
}

fn operator(comparison: Comparison) -> &'static str {
    match comparison {
        Comparison::Eq => "=",
        Comparison::Ne => "<>",
        Comparison::Greater => ">",
        Comparison::GreaterOrEqual => ">=",
        Comparison::Less => "<",
        Comparison::LessOrEqual => "<=",
        Comparison::Contains | Comparison::StartsWith | Comparison::EndsWith => "LIKE",
    }
}

/// `filter` as a condition whose placeholders are numbered from `first`.
pub(crate) fn condition<A: Attribute>(
    filter: &Filter<A>,
    first: usize,
) -> Result<Condition, CoreError> {
    let mut builder = Builder {
        sql: String::new(),
        binds: Vec::new(),
        first,
    };
    builder.filter(filter)?;
    Ok(Condition {
        sql: builder.sql,
        binds: builder.binds,
    })
}

/// Binds a condition's values to a query, in order.
macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut query = $query;
        for bind in $binds {
            query = match bind {
                $crate::services::provisioning::filter::Bind::Text(text) => {
                    query.bind(text.clone())
                }
                $crate::services::provisioning::filter::Bind::Flag(flag) => query.bind(*flag),
                $crate::services::provisioning::filter::Bind::Uuid(uuid) => query.bind(*uuid),
                $crate::services::provisioning::filter::Bind::Time(time) => query.bind(*time),
            };
        }
        query
    }};
}
pub(crate) use bind_all;

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &str) -> FilterValue {
        FilterValue::Text(value.to_owned())
    }

    #[test]
    fn a_user_name_lookup_is_the_indexed_expression() {
        let filter = Filter::Compare(UserAttribute::UserName, Comparison::Eq, text("Jane"));
        let condition = condition(&filter, 1).unwrap();
        assert_eq!(
            condition.sql,
            "lower(COALESCE(u.provisioned_name, u.username)) = lower($1)"
        );
        assert!(matches!(&condition.binds[..], [Bind::Text(t)] if t == "jane"));
    }

    #[test]
    fn not_counts_an_absent_value_as_false_and_wildcards_stay_literal() {
        let filter = Filter::Or(
            Box::new(Filter::Not(Box::new(Filter::Compare(
                UserAttribute::ExternalId,
                Comparison::Eq,
                text("x"),
            )))),
            Box::new(Filter::Compare(
                UserAttribute::Email,
                Comparison::Contains,
                text("50%_a"),
            )),
        );
        let condition = condition(&filter, 3).unwrap();
        assert_eq!(
            condition.sql,
            "(NOT COALESCE((u.external_id = $3), FALSE) OR lower(u.email) LIKE $4 ESCAPE '\\')"
        );
        assert!(matches!(&condition.binds[1], Bind::Text(t) if t == "%50\\%\\_a%"));
    }

    #[test]
    fn a_filter_of_the_wrong_type_is_refused() {
        let filter = Filter::Compare(
            UserAttribute::Active,
            Comparison::Contains,
            FilterValue::Bool(true),
        );
        assert!(condition(&filter, 1).is_err());
        let filter = Filter::Compare(
            UserAttribute::LastModified,
            Comparison::Greater,
            text("yesterday"),
        );
        assert!(condition(&filter, 1).is_err());
        let filter = Filter::Compare(
            UserAttribute::Active,
            Comparison::Eq,
            FilterValue::Bool(false),
        );
        let condition = condition(&filter, 1).unwrap();
        assert_eq!(condition.sql, "u.suspended = $1");
        assert!(matches!(&condition.binds[..], [Bind::Flag(true)]));
    }
}
