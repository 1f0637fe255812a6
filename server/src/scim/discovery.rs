//! What the door says of itself (RFC 7644 §4): its features, its two resource types, and their
//! schemas. Every attribute advertised is one Roster keeps and gives back as it was sent; nothing
//! else is advertised.
//!
//! `name`, `emails`, `active` and `preferredLanguage` are marked required because every Roster
//! user has them; a provider that leaves one out gets the default (see [`super::users`]).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster::domain::fields::LANGUAGES;
use roster::domain::provisioning::MAX_RESULTS;
use serde_json::{Value, json};

use super::{ScimError, list_response};
use crate::state::AppState;

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

fn attribute(name: &str, kind: &str, description: &str) -> Value {
    json!({
        "name": name,
        "type": kind,
        "multiValued": false,
        "description": description,
        "required": false,
        "caseExact": false,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none",
    })
}

fn with(mut attribute: Value, changes: Value) -> Value {
    if let (Some(target), Some(changes)) = (attribute.as_object_mut(), changes.as_object()) {
        for (key, value) in changes {
            target.insert(key.clone(), value.clone());
        }
    }
    attribute
}

fn user_schema(base: &str) -> Value {
    let languages: Vec<&str> = LANGUAGES.iter().map(|(code, _)| *code).collect();
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": USER_SCHEMA,
        "name": "User",
        "description": "A Roster user",
        "attributes": [
            with(attribute("userName", "string", "Unique, case-insensitively. A name that breaks Roster's username rule is kept as sent, and the user gets a username made from it."), json!({"required": true, "uniqueness": "server"})),
            with(attribute("name", "complex", "The user's name"), json!({
                "required": true,
                "subAttributes": [
                    with(attribute("givenName", "string", "First name, 1 to 255 characters"), json!({"required": true})),
                    with(attribute("familyName", "string", "Last name, 1 to 255 characters"), json!({"required": true})),
                ],
            })),
            with(attribute("emails", "complex", "The user's one email address, unique case-insensitively"), json!({
                "multiValued": true,
                "required": true,
                "subAttributes": [
                    with(attribute("value", "string", "The address"), json!({"required": true})),
                    with(attribute("type", "string", "Always work"), json!({"canonicalValues": ["work"]})),
                ],
            })),
            with(attribute("active", "boolean", "False suspends the user and signs them out everywhere"), json!({"required": true})),
            with(attribute("preferredLanguage", "string", "The console's language; a tag such as en-US gives its language"), json!({"required": true, "canonicalValues": languages})),
            with(attribute("password", "string", "Sets the user's password (8 to 512 characters); never returned"), json!({"mutability": "writeOnly", "returned": "never"})),
        ],
        "meta": {
            "resourceType": "Schema",
            "location": format!("{base}/Schemas/{USER_SCHEMA}"),
        },
    })
}

fn group_schema(base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": GROUP_SCHEMA,
        "name": "Group",
        "description": "A Roster role: its members hold it. A user holds one role at most, so joining a group leaves the one they were in.",
        "attributes": [
            with(attribute("displayName", "string", "The role's name, 1 to 64 characters, unique case-insensitively"), json!({"required": true, "uniqueness": "server"})),
            with(attribute("members", "complex", "The users holding the role"), json!({
                "multiValued": true,
                "subAttributes": [
                    with(attribute("value", "string", "The user's id"), json!({"mutability": "immutable"})),
                    with(attribute("$ref", "reference", "The user's location"), json!({"mutability": "immutable", "referenceTypes": ["User"]})),
                    with(attribute("type", "string", "Always User"), json!({"mutability": "immutable", "canonicalValues": ["User"]})),
                ],
            })),
        ],
        "meta": {
            "resourceType": "Schema",
            "location": format!("{base}/Schemas/{GROUP_SCHEMA}"),
        },
    })
}

fn resource_type(base: &str, name: &str) -> Value {
    let (endpoint, schema, description) = match name {
        "User" => ("/Users", USER_SCHEMA, "Roster's users"),
        _ => ("/Groups", GROUP_SCHEMA, "Roster's roles"),
    };
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": name,
        "name": name,
        "endpoint": endpoint,
        "description": description,
        "schema": schema,
        "schemaExtensions": [],
        "meta": {
            "resourceType": "ResourceType",
            "location": format!("{base}/ResourceTypes/{name}"),
        },
    })
}

fn ok(body: Value) -> Response {
    (StatusCode::OK, axum::Json(body)).into_response()
}

pub async fn service_provider_config(State(state): State<AppState>) -> Response {
    let base = state.core.provisioning_base_url();
    ok(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": true},
        "sort": {"supported": false},
        "etag": {"supported": true},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "API key",
            "description": "An API key of Roster sent as a bearer token; make one on the console's Provisioning page",
            "primary": true,
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{base}/ServiceProviderConfig"),
        },
    }))
}

pub async fn resource_types(State(state): State<AppState>) -> Response {
    let base = state.core.provisioning_base_url();
    list_response(
        2,
        1,
        vec![resource_type(&base, "User"), resource_type(&base, "Group")],
    )
}

pub async fn resource_type_by_id(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ScimError> {
    let base = state.core.provisioning_base_url();
    match id.as_str() {
        "User" | "Group" => Ok(ok(resource_type(&base, &id))),
        _ => Err(ScimError::not_found(format!("no resource type {id}"))),
    }
}

pub async fn schemas(State(state): State<AppState>) -> Response {
    let base = state.core.provisioning_base_url();
    list_response(2, 1, vec![user_schema(&base), group_schema(&base)])
}

pub async fn schema(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ScimError> {
    let base = state.core.provisioning_base_url();
    match id.as_str() {
        USER_SCHEMA => Ok(ok(user_schema(&base))),
        GROUP_SCHEMA => Ok(ok(group_schema(&base))),
        _ => Err(ScimError::not_found(format!("no schema {id}"))),
    }
}
