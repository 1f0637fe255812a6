//! `/scim/v2/Users`: Roster's users as SCIM Users.
//!
//! | SCIM | Roster |
//! |---|---|
//! | `id` | uuid |
//! | `userName` | username, or the name as sent when it breaks the username rule |
//! | `name.givenName`, `name.familyName` | first and last name |
//! | `emails` (one, `type` `work`) | email |
//! | `externalId` | external id |
//! | `active` | not suspended |
//! | `preferredLanguage` (or `locale`) | language, from the tag's first part (`de-AT` is `de`) |
//! | `password` | password (write only) |
//!
//! A user stated without a name gets one from `displayName` (its first word, and the rest), or
//! from `userName` (its part before `@`) and `-`; without `active`, they are active; with a
//! language Roster does not have, they keep theirs. Attributes Roster does not keep (titles,
//! phone numbers, the enterprise extension, ...) are accepted and not kept.

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use roster::domain::fields::{Email, ExternalId, Language, Password, PersonName};
use roster::domain::precondition::Precondition;
use roster::domain::provisioning::{
    Filter, ProvisionedInput, ProvisionedUser, UserAttribute, Window,
};
use roster::services::conditional::entity_tag;
use roster::{CoreError, Refusal};
use serde_json::{Map, Value, json};

use super::discovery::USER_SCHEMA;
use super::filter::{AttrPath, Expr};
use super::patch::{Op, Operation, operations, passes};
use super::query::{Listing, Projection};
use super::{Provider, ScimBody, ScimError, answered, resource, timestamp};
use crate::rest::conditional::IfMatch;
use crate::state::AppState;

/// A user as SCIM shows them.
pub fn user_json(base: &str, provisioned: &ProvisionedUser) -> Value {
    let user = &provisioned.user;
    let mut body = json!({
        "schemas": [USER_SCHEMA],
        "id": user.uuid,
        "userName": provisioned.user_name,
        "name": {"givenName": user.name_first, "familyName": user.name_last},
        "emails": [{"value": user.email, "type": "work"}],
        "active": !user.suspended,
        "preferredLanguage": user.language,
        "meta": {
            "resourceType": "User",
            "created": timestamp(&user.created),
            "lastModified": timestamp(&provisioned.updated),
            "location": format!("{base}/Users/{}", user.uuid),
            "version": entity_tag(user),
        },
    });
    if let Some(external_id) = &user.external_id {
        body["externalId"] = json!(external_id);
    }
    body
}

/// The attribute a lower-case name stands for, as this door spells it; `None` for one Roster
/// does not keep.
fn canonical(name: &str) -> Option<&'static str> {
    Some(match name {
        "username" => "userName",
        "name" => "name",
        "emails" => "emails",
        "active" => "active",
        "preferredlanguage" => "preferredLanguage",
        "locale" => "locale",
        "externalid" => "externalId",
        "password" => "password",
        "displayname" => "displayName",
        _ => return None,
    })
}

fn canonical_sub(attribute: &str, sub: &str) -> Option<&'static str> {
    Some(match (attribute, sub) {
        ("name", "givenname") => "givenName",
        ("name", "familyname") => "familyName",
        ("emails", "value") => "value",
        ("emails", "type") => "type",
        ("emails", "primary") => "primary",
        _ => return None,
    })
}

/// A body's attributes under this door's spelling, whatever case the provider used; attributes
/// Roster does not keep are left out.
fn normalized(body: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    let Some(object) = body.as_object() else {
        return out;
    };
    for (key, value) in object {
        let Some(name) = canonical(&key.to_ascii_lowercase()) else {
            continue;
        };
        let value = match name {
            "name" => subs_of(name, value),
            "emails" => match value {
                Value::Array(items) => {
                    Value::Array(items.iter().map(|item| subs_of(name, item)).collect())
                }
                other => other.clone(),
            },
            _ => value.clone(),
        };
        out.insert(name.to_owned(), value);
    }
    out
}

fn subs_of(attribute: &str, value: &Value) -> Value {
    match value.as_object() {
        Some(object) => Value::Object(
            object
                .iter()
                .filter_map(|(k, v)| {
                    canonical_sub(attribute, &k.to_ascii_lowercase())
                        .map(|sub| (sub.to_owned(), v.clone()))
                })
                .collect(),
        ),
        None => value.clone(),
    }
}

fn text<'a>(object: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, ScimError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ScimError::invalid_value(format!("{key} must be a string"))),
    }
}

fn checked<T>(field: &str, parsed: Result<T, String>) -> Result<T, ScimError> {
    parsed.map_err(|reason| ScimError::invalid_value(format!("{field}: {reason}")))
}

/// The language a tag names, if Roster has it: `de-AT` is `de`.
fn language(tag: &str) -> Option<Language> {
    let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    Language::parse(primary).ok()
}

/// What a SCIM User states, as the core's input.
fn input(user: &Map<String, Value>) -> Result<ProvisionedInput, ScimError> {
    let user_name = text(user, "userName")?
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ScimError::invalid_value("userName is required"))?
        .to_owned();
    if user_name.chars().count() > 255 || user_name.chars().any(char::is_control) {
        return Err(ScimError::invalid_value(
            "userName: at most 255 characters, none of them control characters",
        ));
    }
    let name = match user.get("name") {
        Some(Value::Object(name)) => name.clone(),
        None | Some(Value::Null) => Map::new(),
        Some(_) => return Err(ScimError::invalid_value("name must be an object")),
    };
    let display = text(user, "displayName")?
        .map(str::trim)
        .unwrap_or_default();
    let (display_first, display_rest) = display.split_once(' ').unwrap_or((display, ""));
    let given = match text(&name, "givenName")? {
        Some(given) => given.to_owned(),
        None if !display_first.is_empty() => display_first.to_owned(),
        None => user_name.split('@').next().unwrap_or(&user_name).to_owned(),
    };
    let family = match text(&name, "familyName")? {
        Some(family) => family.to_owned(),
        None if !display_rest.trim().is_empty() => display_rest.trim().to_owned(),
        None => "-".to_owned(),
    };
    let emails: Vec<&Map<String, Value>> = match user.get("emails") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).collect(),
        None | Some(Value::Null) => Vec::new(),
        Some(_) => return Err(ScimError::invalid_value("emails must be a list")),
    };
    let chosen = emails
        .iter()
        .find(|e| e.get("primary") == Some(&Value::Bool(true)))
        .or_else(|| {
            emails
                .iter()
                .find(|e| e.get("type").and_then(Value::as_str) == Some("work"))
        })
        .or(emails.first());
    let email = chosen
        .and_then(|e| e.get("value"))
        .and_then(Value::as_str)
        .ok_or_else(|| ScimError::invalid_value("emails: a Roster user needs an email address"))?;
    let active = match user.get("active") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(active)) => *active,
        // Entra ID sends "True" and "False".
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => true,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => false,
        Some(_) => return Err(ScimError::invalid_value("active must be true or false")),
    };
    let language = match text(user, "preferredLanguage")? {
        Some(tag) => language(tag),
        None => text(user, "locale")?.and_then(language),
    };
    let external_id = text(user, "externalId")?
        .map(|e| checked("externalId", ExternalId::parse(e.to_owned())))
        .transpose()?;
    let password = text(user, "password")?
        .map(|p| checked("password", Password::parse(p.to_owned())))
        .transpose()?;
    Ok(ProvisionedInput {
        user_name,
        name_first: checked("name.givenName", PersonName::parse(given))?,
        name_last: checked("name.familyName", PersonName::parse(family))?,
        email: checked("emails", Email::parse(email.to_owned()))?,
        external_id,
        active,
        language,
        password,
    })
}

/// A user as the operations of a PATCH see them: what SCIM shows, in this door's spelling.
fn editable(provisioned: &ProvisionedUser) -> Map<String, Value> {
    let mut body = user_json("", provisioned);
    if let Some(object) = body.as_object_mut() {
        object.remove("meta");
        object.remove("schemas");
        object.remove("id");
    }
    normalized(&body)
}

/// What Roster's one address is without saying: a primary work address.
fn email_defaults() -> [(&'static str, Value); 2] {
    [("type", json!("work")), ("primary", json!(true))]
}

fn merge(target: &mut Value, value: Value) {
    match (target.as_object_mut(), value) {
        (Some(target), Value::Object(value)) => {
            for (k, v) in value {
                target.insert(k, v);
            }
        }
        (_, value) => *target = value,
    }
}

/// Applies one operation to a user.
fn apply(user: &mut Map<String, Value>, operation: Operation) -> Result<(), ScimError> {
    let Operation { op, path, value } = operation;
    let Some(path) = path else {
        let Some(Value::Object(values)) = value else {
            return Err(ScimError::invalid_value(
                "an operation without a path carries an object",
            ));
        };
        for (key, value) in values {
            let lower = key.to_ascii_lowercase();
            if matches!(lower.as_str(), "schemas" | "id" | "meta") {
                continue;
            }
            let path = super::filter::parse_path(&key).map_err(ScimError::invalid_path)?;
            apply(
                user,
                Operation {
                    op,
                    path: Some(path),
                    value: Some(value),
                },
            )?;
        }
        return Ok(());
    };
    if path.urn.is_some() {
        return Ok(());
    }
    if matches!(path.name.as_str(), "id" | "meta" | "schemas") {
        return Err(ScimError::mutability(format!(
            "{} cannot change",
            path.name
        )));
    }
    let Some(name) = canonical(&path.name) else {
        return Ok(());
    };
    match name {
        "name" => apply_name(user, op, &path, value),
        "emails" => apply_email(user, op, &path, value),
        // A password is never shown, so there is none to remove.
        "password" if op == Op::Remove => Ok(()),
        _ => {
            if path.sub.is_some() || path.filter.is_some() {
                return Err(ScimError::invalid_path(format!(
                    "{name} has no sub-attributes"
                )));
            }
            match (op, value) {
                (Op::Remove, _) => {
                    user.remove(name);
                }
                (_, Some(value)) => {
                    user.insert(name.to_owned(), value);
                }
                (_, None) => {}
            }
            Ok(())
        }
    }
}

fn apply_name(
    user: &mut Map<String, Value>,
    op: Op,
    path: &AttrPath,
    value: Option<Value>,
) -> Result<(), ScimError> {
    let name = user.entry("name").or_insert_with(|| json!({}));
    match &path.sub {
        Some(sub) => {
            let sub = canonical_sub("name", sub)
                .ok_or_else(|| ScimError::invalid_path(format!("name.{sub} is not kept")))?;
            let Some(name) = name.as_object_mut() else {
                return Ok(());
            };
            match (op, value) {
                (Op::Remove, _) => {
                    name.remove(sub);
                }
                (_, Some(value)) => {
                    name.insert(sub.to_owned(), value);
                }
                (_, None) => {}
            }
        }
        None => match (op, value) {
            (Op::Remove, _) => {
                user.remove("name");
            }
            (_, Some(value)) => merge(name, subs_of("name", &value)),
            (_, None) => {}
        },
    }
    Ok(())
}

fn apply_email(
    user: &mut Map<String, Value>,
    op: Op,
    path: &AttrPath,
    value: Option<Value>,
) -> Result<(), ScimError> {
    let emails = user.entry("emails").or_insert_with(|| json!([]));
    if !emails.is_array() {
        *emails = json!([]);
    }
    let Some(list) = emails.as_array_mut() else {
        return Ok(());
    };
    let targeted = match &path.filter {
        Some(filter) => {
            let defaults = email_defaults();
            let hit = list.first().is_some_and(|e| passes(filter, e, &defaults));
            if !hit {
                return match op {
                    // Adding to a value Roster does not hold (a home address) keeps nothing.
                    Op::Add if list.is_empty() => {
                        let mut email = json!({"type": "work"});
                        if let (Some(sub), Some(value)) = (&path.sub, value)
                            && sub == "value"
                        {
                            email["value"] = value;
                            list.push(email);
                        }
                        Ok(())
                    }
                    Op::Add => Ok(()),
                    _ => Err(ScimError::new(
                        StatusCode::BAD_REQUEST,
                        Some("noTarget"),
                        "no email matches the path's filter",
                    )),
                };
            }
            true
        }
        None => false,
    };
    match (&path.sub, op, value) {
        (Some(sub), op, value) => {
            let sub = canonical_sub("emails", sub)
                .ok_or_else(|| ScimError::invalid_path(format!("emails.{sub} is not kept")))?;
            if list.is_empty() {
                list.push(json!({"type": "work"}));
            }
            let Some(email) = list.first_mut().and_then(Value::as_object_mut) else {
                return Ok(());
            };
            match (op, value) {
                (Op::Remove, _) => {
                    email.remove(sub);
                }
                (_, Some(value)) => {
                    email.insert(sub.to_owned(), value);
                }
                (_, None) => {}
            }
        }
        (None, Op::Remove, _) => list.clear(),
        (None, _, Some(value)) if targeted => {
            if let Some(email) = list.first_mut() {
                merge(email, subs_of("emails", &value));
            }
        }
        // Roster keeps one address: adding one replaces it.
        (None, _, Some(value)) => {
            let items = match value {
                Value::Array(items) => items,
                other => vec![other],
            };
            let chosen = items
                .iter()
                .find(|e| e.get("primary") == Some(&Value::Bool(true)))
                .or(items.first())
                .map(|e| subs_of("emails", e));
            list.clear();
            list.extend(chosen);
        }
        (None, _, None) => {}
    }
    Ok(())
}

/// A SCIM filter on users as the core's filter.
pub fn resolve(expr: &Expr) -> Result<Filter<UserAttribute>, ScimError> {
    let unknown = |path: &AttrPath| {
        ScimError::invalid_filter(format!(
            "users cannot be filtered on {}{}",
            path.name,
            path.sub
                .as_deref()
                .map(|s| format!(".{s}"))
                .unwrap_or_default()
        ))
    };
    let attribute = |path: &AttrPath| -> Result<UserAttribute, ScimError> {
        if path.urn.is_some() {
            return Err(unknown(path));
        }
        Ok(match (path.name.as_str(), path.sub.as_deref()) {
            ("id", None) => UserAttribute::Id,
            ("username", None) => UserAttribute::UserName,
            ("externalid", None) => UserAttribute::ExternalId,
            ("emails", None | Some("value")) => UserAttribute::Email,
            ("name", Some("givenname")) => UserAttribute::GivenName,
            ("name", Some("familyname")) => UserAttribute::FamilyName,
            ("active", None) => UserAttribute::Active,
            ("meta", Some("created")) => UserAttribute::Created,
            ("meta", Some("lastmodified")) => UserAttribute::LastModified,
            _ => return Err(unknown(path)),
        })
    };
    Ok(match expr {
        Expr::And(a, b) => Filter::And(Box::new(resolve(a)?), Box::new(resolve(b)?)),
        Expr::Or(a, b) => Filter::Or(Box::new(resolve(a)?), Box::new(resolve(b)?)),
        Expr::Not(a) => Filter::Not(Box::new(resolve(a)?)),
        Expr::Has(path) if path.name == "emails" => {
            email_filter(path.filter.as_deref().ok_or_else(|| unknown(path))?)?
        }
        Expr::Present(path) if path.filter.is_some() && path.name == "emails" => {
            email_filter(path.filter.as_deref().ok_or_else(|| unknown(path))?)?
        }
        Expr::Compare(path, comparison, value) if path.filter.is_some() => {
            if path.name != "emails" || path.sub.as_deref() != Some("value") {
                return Err(unknown(path));
            }
            let inner = email_filter(path.filter.as_deref().ok_or_else(|| unknown(path))?)?;
            Filter::And(
                Box::new(inner),
                Box::new(Filter::Compare(
                    UserAttribute::Email,
                    *comparison,
                    value.clone(),
                )),
            )
        }
        Expr::Has(path) => return Err(unknown(path)),
        Expr::Present(path) => Filter::Present(attribute(path)?),
        Expr::Compare(path, comparison, value) => {
            Filter::Compare(attribute(path)?, *comparison, value.clone())
        }
    })
}

/// A filter on a user's email (`emails[...]`): its `value`, and the `type` (`work`) and
/// `primary` (`true`) that Roster's one address always has.
fn email_filter(expr: &Expr) -> Result<Filter<UserAttribute>, ScimError> {
    let constant = |holds: bool| {
        if holds {
            Filter::Present(UserAttribute::Email)
        } else {
            Filter::Nothing
        }
    };
    Ok(match expr {
        Expr::And(a, b) => Filter::And(Box::new(email_filter(a)?), Box::new(email_filter(b)?)),
        Expr::Or(a, b) => Filter::Or(Box::new(email_filter(a)?), Box::new(email_filter(b)?)),
        Expr::Not(a) => Filter::Not(Box::new(email_filter(a)?)),
        Expr::Present(path) => match path.name.as_str() {
            "value" | "type" | "primary" => Filter::Present(UserAttribute::Email),
            _ => Filter::Nothing,
        },
        Expr::Compare(path, comparison, value) if path.name == "value" => {
            Filter::Compare(UserAttribute::Email, *comparison, value.clone())
        }
        Expr::Compare(path, ..) if matches!(path.name.as_str(), "type" | "primary") => {
            constant(passes(expr, &json!({}), &email_defaults()))
        }
        Expr::Compare(..) => Filter::Nothing,
        Expr::Has(path) => {
            return Err(ScimError::invalid_filter(format!(
                "{} cannot hold a value path",
                path.name
            )));
        }
    })
}

/// The `Users` endpoint's resources, for the listings.
pub struct Users;

impl super::Resources for Users {
    type Attribute = UserAttribute;

    fn resolve(expr: &Expr) -> Result<Filter<UserAttribute>, ScimError> {
        resolve(expr)
    }

    async fn find(
        state: &AppState,
        provider: &Provider,
        filter: Option<&Filter<UserAttribute>>,
        window: Window,
        projection: &Projection,
    ) -> Result<(i64, Vec<Value>), ScimError> {
        let found = state
            .core
            .provisioned_users(&provider.principal, filter, window)
            .await?;
        let base = state.core.provisioning_base_url();
        let resources = found
            .items
            .iter()
            .map(|user| projection.apply(user_json(&base, user)))
            .collect();
        Ok((found.total, resources))
    }
}

/// A path's id: a uuid, else nobody.
fn user_id(id: &str) -> Result<uuid::Uuid, ScimError> {
    uuid::Uuid::parse_str(id).map_err(|_| ScimError::not_found("user not found"))
}

pub async fn get(
    State(state): State<AppState>,
    provider: Provider,
    Path(id): Path<String>,
    uri: Uri,
) -> Response {
    let result = async {
        let uuid = user_id(&id)?;
        let listing = Listing::from_uri(&uri)?;
        let user = state
            .core
            .provisioned_user(&provider.principal, uuid)
            .await?;
        let base = state.core.provisioning_base_url();
        Ok(resource(
            StatusCode::OK,
            listing.projection.apply(user_json(&base, &user)),
        ))
    }
    .await;
    provider.reply(&state, result)
}

pub async fn create(
    State(state): State<AppState>,
    provider: Provider,
    ScimBody(body): ScimBody,
) -> Response {
    let result = async {
        let input = input(&normalized(&body))?;
        let user = state
            .core
            .provision_user(&provider.principal, input)
            .await?;
        Ok(answered(
            StatusCode::CREATED,
            user_json(&state.core.provisioning_base_url(), &user),
        ))
    }
    .await;
    provider.reply(&state, result)
}

pub async fn replace(
    State(state): State<AppState>,
    provider: Provider,
    Path(id): Path<String>,
    IfMatch(precondition): IfMatch,
    ScimBody(body): ScimBody,
) -> Response {
    let result = async {
        let uuid = user_id(&id)?;
        let input = input(&normalized(&body))?;
        let user = state
            .core
            .reprovision_user(&provider.principal, uuid, input, &precondition)
            .await?;
        Ok(answered(
            StatusCode::OK,
            user_json(&state.core.provisioning_base_url(), &user),
        ))
    }
    .await;
    provider.reply(&state, result)
}

/// Applies the operations to the user as they stand and states the result whole. Without
/// `If-Match`, the version read is what the change expects: a change in between is read again
/// and the operations applied anew.
pub async fn patch(
    State(state): State<AppState>,
    provider: Provider,
    Path(id): Path<String>,
    IfMatch(asked): IfMatch,
    ScimBody(body): ScimBody,
) -> Response {
    let result = async {
        let uuid = user_id(&id)?;
        let operations = operations(&body)?;
        let mut attempts = 0;
        loop {
            let current = state
                .core
                .provisioned_user(&provider.principal, uuid)
                .await?;
            let mut user = editable(&current);
            for operation in operations.iter().cloned() {
                apply(&mut user, operation)?;
            }
            let input = input(&user)?;
            let precondition = match &asked {
                Precondition::None => Precondition::OneOf(vec![entity_tag(&current.user)]),
                asked => asked.clone(),
            };
            match state
                .core
                .reprovision_user(&provider.principal, uuid, input, &precondition)
                .await
            {
                Ok(user) => {
                    return Ok(answered(
                        StatusCode::OK,
                        user_json(&state.core.provisioning_base_url(), &user),
                    ));
                }
                Err(CoreError::Refused(Refusal::Changed))
                    if matches!(asked, Precondition::None) && attempts < 3 =>
                {
                    attempts += 1;
                }
                Err(error) => return Err(error.into()),
            }
        }
    }
    .await;
    provider.reply(&state, result)
}

pub async fn delete(
    State(state): State<AppState>,
    provider: Provider,
    Path(id): Path<String>,
    IfMatch(precondition): IfMatch,
) -> Response {
    let result = async {
        let uuid = user_id(&id)?;
        state
            .core
            .delete_user(&provider.principal, uuid, &precondition)
            .await?;
        Ok(StatusCode::NO_CONTENT.into_response())
    }
    .await;
    provider.reply(&state, result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster::domain::provisioning::{Comparison, FilterValue};

    #[test]
    fn a_user_without_a_name_gets_one_and_entra_strings_are_flags() {
        let body = json!({
            "UserName": "jane.doe@example.com",
            "displayName": "Jane van Doe",
            "Emails": [{"Value": "jane@example.com", "Type": "work", "Primary": true}],
            "active": "False",
            "locale": "de-AT",
            "title": "Engineer",
        });
        let input = input(&normalized(&body)).unwrap();
        assert_eq!(input.user_name, "jane.doe@example.com");
        assert_eq!(input.name_first.as_str(), "Jane");
        assert_eq!(input.name_last.as_str(), "van Doe");
        assert_eq!(input.email.as_str(), "jane@example.com");
        assert!(!input.active);
        assert_eq!(input.language.unwrap().as_str(), "de");
    }

    #[test]
    fn a_user_without_an_email_or_with_a_bad_one_is_refused() {
        for body in [
            json!({"userName": "jane"}),
            json!({"userName": "jane", "emails": [{"value": "not an address"}]}),
            json!({"userName": "", "emails": [{"value": "a@b.co"}]}),
            json!({"userName": "jane", "emails": [{"value": "a@b.co"}], "active": "maybe"}),
        ] {
            assert!(
                input(&normalized(&body)).is_err(),
                "{body} should be refused"
            );
        }
    }

    #[test]
    fn patch_operations_reach_the_email_and_the_name() {
        let mut user = normalized(&json!({
            "userName": "jane",
            "name": {"givenName": "Jane", "familyName": "Doe"},
            "emails": [{"value": "jane@example.com", "type": "work"}],
            "active": true,
        }));
        let ops = operations(&json!({"Operations": [
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "new@example.com"},
            {"op": "replace", "value": {"name.familyName": "Smith", "active": false}},
            {"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Sales"},
        ]}))
        .unwrap();
        for op in ops {
            apply(&mut user, op).unwrap();
        }
        let input = input(&user).unwrap();
        assert_eq!(input.email.as_str(), "new@example.com");
        assert_eq!(input.name_last.as_str(), "Smith");
        assert!(!input.active);
        let home = operations(&json!({"Operations": [
            {"op": "replace", "path": "emails[type eq \"home\"].value", "value": "x@example.com"},
        ]}))
        .unwrap();
        assert!(apply(&mut user, home[0].clone()).is_err());
        let id =
            operations(&json!({"Operations": [{"op": "replace", "path": "id", "value": "x"}]}))
                .unwrap();
        assert!(apply(&mut user, id[0].clone()).is_err());
    }

    #[test]
    fn email_filters_know_the_one_work_address() {
        let filter =
            super::super::filter::parse(r#"emails[type eq "work"].value eq "a@b.co""#).unwrap();
        assert_eq!(
            resolve(&filter).unwrap(),
            Filter::And(
                Box::new(Filter::Present(UserAttribute::Email)),
                Box::new(Filter::Compare(
                    UserAttribute::Email,
                    Comparison::Eq,
                    FilterValue::Text("a@b.co".to_owned())
                )),
            )
        );
        let filter = super::super::filter::parse(r#"emails[type eq "home"]"#).unwrap();
        assert_eq!(resolve(&filter).unwrap(), Filter::Nothing);
        let filter = super::super::filter::parse(r#"title eq "x""#).unwrap();
        assert!(resolve(&filter).is_err());
    }
}
