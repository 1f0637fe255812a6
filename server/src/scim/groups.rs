//! `/scim/v2/Groups`: Roster's roles as SCIM Groups. `displayName` is the role's name, `members`
//! the users holding it, `externalId` the group's id at the provider. A group a provider creates
//! is a role with no permissions: an admin gives it permissions in the console, and the provider
//! decides who holds it. A user holds one role at most, so a user added to a group leaves the one
//! they were in.
//!
//! `meta.version` is the role's own version: it follows the name and the role's permissions, not
//! its members.

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use roster::domain::fields::{ExternalId, RoleName};
use roster::domain::provisioning::{
    Comparison, Filter, FilterValue, GroupAttribute, GroupChange, MembersChange, ProvisionedGroup,
    Window,
};
use roster::services::conditional::entity_tag;
use serde_json::{Value, json};
use uuid::Uuid;

use super::discovery::GROUP_SCHEMA;
use super::filter::{AttrPath, Expr};
use super::patch::{Op, operations};
use super::query::{Listing, Projection};
use super::{Provider, ScimBody, ScimError, answered, field, resource, timestamp};
use crate::rest::conditional::IfMatch;
use crate::state::AppState;

pub fn group_json(base: &str, group: &ProvisionedGroup) -> Value {
    let role = &group.role;
    let mut body = json!({
        "schemas": [GROUP_SCHEMA],
        "id": role.uuid,
        "displayName": role.name,
        "meta": {
            "resourceType": "Group",
            "created": timestamp(&role.created),
            "lastModified": timestamp(&role.created),
            "location": format!("{base}/Groups/{}", role.uuid),
            "version": entity_tag(role),
        },
    });
    if let Some(external_id) = &group.external_id {
        body["externalId"] = json!(external_id);
    }
    if let Some(members) = &group.members {
        body["members"] = members
            .iter()
            .map(|m| {
                json!({
                    "value": m.uuid,
                    "$ref": format!("{base}/Users/{}", m.uuid),
                    "type": "User",
                })
            })
            .collect();
    }
    body
}

fn name(value: &Value) -> Result<RoleName, ScimError> {
    let text = value
        .as_str()
        .ok_or_else(|| ScimError::invalid_value("displayName must be a string"))?;
    RoleName::parse(text.to_owned())
        .map_err(|reason| ScimError::invalid_value(format!("displayName: {reason}")))
}

fn external_id(value: &Value) -> Result<Option<ExternalId>, ScimError> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) => ExternalId::parse(text.clone())
            .map(Some)
            .map_err(|reason| ScimError::invalid_value(format!("externalId: {reason}"))),
        _ => Err(ScimError::invalid_value("externalId must be a string")),
    }
}

/// The users a `members` value names: a list of `{"value": id}` (or one such object).
fn member_ids(value: &Value) -> Result<Vec<Uuid>, ScimError> {
    let items = match value {
        Value::Array(items) => items.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    };
    items
        .iter()
        .map(|item| {
            let id = item
                .as_object()
                .and_then(|o| field(o, "value"))
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    ScimError::invalid_value("a member is {\"value\": \"<user id>\"}")
                })?;
            Uuid::parse_str(id)
                .map_err(|_| ScimError::invalid_value(format!("members: no user {id}")))
        })
        .collect()
}

/// A group as a POST or PUT states it, whole: what it leaves out is cleared.
fn stated(body: &Value) -> Result<GroupChange, ScimError> {
    let object = body
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("a group is an object"))?;
    let name = match field(object, "displayName") {
        None | Some(Value::Null) => {
            return Err(ScimError::invalid_value("displayName is required"));
        }
        Some(value) => name(value)?,
    };
    let external_id = field(object, "externalId")
        .map(external_id)
        .transpose()?
        .flatten();
    let members = field(object, "members")
        .map(member_ids)
        .transpose()?
        .unwrap_or_default();
    Ok(GroupChange {
        name: Some(name),
        external_id: Some(external_id),
        members: MembersChange::Set(members),
    })
}

/// The members change so far, with one more operation's users added, removed or set.
fn combine(change: MembersChange, op: Op, users: Vec<Uuid>) -> MembersChange {
    match (change, op) {
        (_, Op::Replace) => MembersChange::Set(users),
        (MembersChange::Set(mut set), Op::Add) => {
            set.extend(users);
            MembersChange::Set(set)
        }
        (MembersChange::Set(mut set), Op::Remove) => {
            set.retain(|u| !users.contains(u));
            MembersChange::Set(set)
        }
        (MembersChange::Keep, Op::Add) => MembersChange::Apply {
            add: users,
            remove: Vec::new(),
        },
        (MembersChange::Keep, Op::Remove) => MembersChange::Apply {
            add: Vec::new(),
            remove: users,
        },
        (
            MembersChange::Apply {
                mut add,
                mut remove,
            },
            Op::Add,
        ) => {
            remove.retain(|u| !users.contains(u));
            add.extend(users);
            MembersChange::Apply { add, remove }
        }
        (
            MembersChange::Apply {
                mut add,
                mut remove,
            },
            Op::Remove,
        ) => {
            add.retain(|u| !users.contains(u));
            remove.extend(users);
            MembersChange::Apply { add, remove }
        }
    }
}

/// One PATCH operation on a group, folded into the change.
fn fold(
    change: &mut GroupChange,
    op: Op,
    path: Option<&AttrPath>,
    value: Option<&Value>,
) -> Result<(), ScimError> {
    let Some(path) = path else {
        let Some(Value::Object(values)) = value else {
            return Err(ScimError::invalid_value(
                "an operation without a path carries an object",
            ));
        };
        for (key, value) in values {
            let lower = key.to_ascii_lowercase();
            // Okta sends the group's id with a new name.
            if matches!(lower.as_str(), "schemas" | "id" | "meta") {
                continue;
            }
            let path = super::filter::parse_path(key).map_err(ScimError::invalid_path)?;
            fold(change, op, Some(&path), Some(value))?;
        }
        return Ok(());
    };
    if path.urn.is_some() {
        return Ok(());
    }
    match (path.name.as_str(), path.sub.as_deref(), &path.filter) {
        ("id" | "meta" | "schemas", _, _) => Err(ScimError::mutability(format!(
            "{} cannot change",
            path.name
        ))),
        ("displayname", None, None) => match (op, value) {
            (Op::Remove, _) => Err(ScimError::invalid_value("a group keeps its displayName")),
            (_, Some(value)) => {
                change.name = Some(name(value)?);
                Ok(())
            }
            (_, None) => Ok(()),
        },
        ("externalid", None, None) => {
            change.external_id = Some(match (op, value) {
                (Op::Remove, _) | (_, None) => None,
                (_, Some(value)) => external_id(value)?,
            });
            Ok(())
        }
        ("members", None, None) => {
            let members = std::mem::take(&mut change.members);
            change.members = match (op, value) {
                // Entra removes members by naming them in the value; without one, all go.
                (Op::Remove, Some(value)) if !value.is_null() => {
                    combine(members, Op::Remove, member_ids(value)?)
                }
                (Op::Remove, _) => MembersChange::Set(Vec::new()),
                (op, Some(value)) => combine(members, op, member_ids(value)?),
                (_, None) => members,
            };
            Ok(())
        }
        ("members", _, Some(filter)) if op == Op::Remove => {
            let users = filtered_members(filter)?;
            let members = std::mem::take(&mut change.members);
            change.members = combine(members, Op::Remove, users);
            Ok(())
        }
        _ => Err(ScimError::invalid_path(format!(
            "groups cannot be changed at {}",
            path.name
        ))),
    }
}

/// The users a members filter names: `value eq "<id>"`, joined with `or`.
fn filtered_members(filter: &Expr) -> Result<Vec<Uuid>, ScimError> {
    match filter {
        Expr::Or(a, b) => {
            let mut users = filtered_members(a)?;
            users.extend(filtered_members(b)?);
            Ok(users)
        }
        // A malformed id names nobody.
        Expr::Compare(path, Comparison::Eq, FilterValue::Text(id)) if path.name == "value" => {
            Ok(Uuid::parse_str(id).ok().into_iter().collect())
        }
        _ => Err(ScimError::invalid_filter(
            "members are named with value eq \"<user id>\"",
        )),
    }
}

/// A SCIM filter on groups as the core's filter.
pub fn resolve(expr: &Expr) -> Result<Filter<GroupAttribute>, ScimError> {
    let unknown = |path: &AttrPath| {
        ScimError::invalid_filter(format!("groups cannot be filtered on {}", path.name))
    };
    let attribute = |path: &AttrPath| -> Result<GroupAttribute, ScimError> {
        if path.urn.is_some() {
            return Err(unknown(path));
        }
        Ok(match (path.name.as_str(), path.sub.as_deref()) {
            ("id", None) => GroupAttribute::Id,
            ("displayname", None) => GroupAttribute::DisplayName,
            ("externalid", None) => GroupAttribute::ExternalId,
            ("members", Some("value")) => GroupAttribute::Member,
            ("meta", Some("created")) => GroupAttribute::Created,
            _ => return Err(unknown(path)),
        })
    };
    Ok(match expr {
        Expr::And(a, b) => Filter::And(Box::new(resolve(a)?), Box::new(resolve(b)?)),
        Expr::Or(a, b) => Filter::Or(Box::new(resolve(a)?), Box::new(resolve(b)?)),
        Expr::Not(a) => Filter::Not(Box::new(resolve(a)?)),
        Expr::Has(path) if path.name == "members" => {
            let inner = path.filter.as_deref().ok_or_else(|| unknown(path))?;
            resolve(&members_inner(inner)?)?
        }
        Expr::Present(path) if path.name == "members" && path.sub.is_none() => {
            Filter::Present(GroupAttribute::Member)
        }
        Expr::Has(path) => return Err(unknown(path)),
        Expr::Present(path) => Filter::Present(attribute(path)?),
        Expr::Compare(path, comparison, value) => {
            Filter::Compare(attribute(path)?, *comparison, value.clone())
        }
    })
}

/// `members[value eq "x"]` as `members.value eq "x"`.
fn members_inner(expr: &Expr) -> Result<Expr, ScimError> {
    Ok(match expr {
        Expr::And(a, b) => Expr::And(Box::new(members_inner(a)?), Box::new(members_inner(b)?)),
        Expr::Or(a, b) => Expr::Or(Box::new(members_inner(a)?), Box::new(members_inner(b)?)),
        Expr::Not(a) => Expr::Not(Box::new(members_inner(a)?)),
        Expr::Compare(path, comparison, value) if path.name == "value" => Expr::Compare(
            AttrPath {
                urn: None,
                name: "members".to_owned(),
                sub: Some("value".to_owned()),
                filter: None,
            },
            *comparison,
            value.clone(),
        ),
        _ => {
            return Err(ScimError::invalid_filter(
                "members are filtered on their value",
            ));
        }
    })
}

/// The `Groups` endpoint's resources, for the listings.
pub struct Groups;

impl super::Resources for Groups {
    type Attribute = GroupAttribute;

    fn resolve(expr: &Expr) -> Result<Filter<GroupAttribute>, ScimError> {
        resolve(expr)
    }

    async fn find(
        state: &AppState,
        provider: &Provider,
        filter: Option<&Filter<GroupAttribute>>,
        window: Window,
        projection: &Projection,
    ) -> Result<(i64, Vec<Value>), ScimError> {
        let found = state
            .core
            .provisioned_groups(
                &provider.principal,
                filter,
                window,
                projection.wants("members"),
            )
            .await?;
        let base = state.core.provisioning_base_url();
        let resources = found
            .items
            .iter()
            .map(|group| projection.apply(group_json(&base, group)))
            .collect();
        Ok((found.total, resources))
    }
}

fn group_id(id: &str) -> Result<Uuid, ScimError> {
    Uuid::parse_str(id).map_err(|_| ScimError::not_found("group not found"))
}

/// A role the core does not find is a group not found.
fn not_found_as_group(error: roster::CoreError) -> ScimError {
    match error {
        roster::CoreError::Refused(roster::Refusal::NotFound(roster::Entity::Role)) => {
            ScimError::not_found("group not found")
        }
        other => other.into(),
    }
}

pub async fn get(
    State(state): State<AppState>,
    provider: Provider,
    Path(id): Path<String>,
    uri: Uri,
) -> Response {
    let result = async {
        let uuid = group_id(&id)?;
        let listing = Listing::from_uri(&uri)?;
        let group = state
            .core
            .provisioned_group(
                &provider.principal,
                uuid,
                listing.projection.wants("members"),
            )
            .await
            .map_err(not_found_as_group)?;
        let base = state.core.provisioning_base_url();
        Ok(resource(
            StatusCode::OK,
            listing.projection.apply(group_json(&base, &group)),
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
        let change = stated(&body)?;
        let group = state
            .core
            .provision_group(&provider.principal, change)
            .await?;
        Ok(answered(
            StatusCode::CREATED,
            group_json(&state.core.provisioning_base_url(), &group),
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
        let uuid = group_id(&id)?;
        let change = stated(&body)?;
        let group = state
            .core
            .change_group(&provider.principal, uuid, change, &precondition)
            .await
            .map_err(not_found_as_group)?;
        Ok(answered(
            StatusCode::OK,
            group_json(&state.core.provisioning_base_url(), &group),
        ))
    }
    .await;
    provider.reply(&state, result)
}

/// Answers `204`, as Entra ID expects, without reading the members back.
pub async fn patch(
    State(state): State<AppState>,
    provider: Provider,
    Path(id): Path<String>,
    IfMatch(precondition): IfMatch,
    ScimBody(body): ScimBody,
) -> Response {
    let result = async {
        let uuid = group_id(&id)?;
        let mut change = GroupChange::default();
        for operation in operations(&body)? {
            fold(
                &mut change,
                operation.op,
                operation.path.as_ref(),
                operation.value.as_ref(),
            )?;
        }
        state
            .core
            .change_group(&provider.principal, uuid, change, &precondition)
            .await
            .map_err(not_found_as_group)?;
        Ok(StatusCode::NO_CONTENT.into_response())
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
        let uuid = group_id(&id)?;
        state
            .core
            .delete_group(&provider.principal, uuid, &precondition)
            .await
            .map_err(not_found_as_group)?;
        Ok(StatusCode::NO_CONTENT.into_response())
    }
    .await;
    provider.reply(&state, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(body: Value) -> GroupChange {
        let mut change = GroupChange::default();
        for operation in operations(&body).unwrap() {
            fold(
                &mut change,
                operation.op,
                operation.path.as_ref(),
                operation.value.as_ref(),
            )
            .unwrap();
        }
        change
    }

    #[test]
    fn okta_and_entra_member_changes_fold_into_one() {
        let a = Uuid::new_v4();
        let b = Uuid::new_v4();
        let change = ops(json!({"Operations": [
            {"op": "remove", "path": format!("members[value eq \"{a}\"]")},
            {"op": "add", "path": "members", "value": [{"value": b.to_string(), "display": "x"}]},
        ]}));
        assert!(
            matches!(change.members, MembersChange::Apply { ref add, ref remove } if add == &[b] && remove == &[a])
        );
        let change = ops(json!({"Operations": [
            {"op": "Remove", "path": "members", "value": [{"$ref": null, "value": a.to_string()}]},
        ]}));
        assert!(
            matches!(change.members, MembersChange::Apply { ref add, ref remove } if add.is_empty() && remove == &[a])
        );
        let change = ops(json!({"Operations": [
            {"op": "replace", "value": {"id": "okta-sends-this", "displayName": "Sales"}},
        ]}));
        assert_eq!(change.name.unwrap().as_str(), "Sales");
        assert!(matches!(change.members, MembersChange::Keep));
    }

    #[test]
    fn a_member_filter_names_users() {
        let id = Uuid::new_v4();
        let filter = super::super::filter::parse(&format!("members[value eq \"{id}\"]")).unwrap();
        assert_eq!(
            resolve(&filter).unwrap(),
            Filter::Compare(
                GroupAttribute::Member,
                Comparison::Eq,
                FilterValue::Text(id.to_string())
            )
        );
    }
}
