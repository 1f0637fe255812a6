//! A listing's question (RFC 7644 §3.4.2, §3.4.3): its filter, its window and which attributes
//! it wants, asked in the query string or in a `.search` body; and the root `.search`, over users
//! and groups at once.

use std::collections::HashMap;

use axum::extract::{Query as QueryString, State};
use axum::http::Uri;
use axum::response::Response;
use roster::domain::provisioning::{MAX_RESULTS, Window};
use serde_json::{Map, Value};

use super::filter::{self, Expr, split_path};
use super::{Provider, Resources, ScimBody, ScimError, field, groups, list_response, users};
use crate::state::AppState;

/// Which attributes an answer holds: only `attributes` (with `id` and `schemas`) when given, and
/// never `excluded`. Paths are lower case, `name` or `name.sub`.
#[derive(Clone, Debug, Default)]
pub struct Projection {
    attributes: Vec<(String, Option<String>)>,
    excluded: Vec<(String, Option<String>)>,
}

fn paths(list: &str) -> Result<Vec<(String, Option<String>)>, ScimError> {
    list.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            split_path(p)
                .map(|(_, name, sub)| (name, sub))
                .map_err(ScimError::invalid_syntax)
        })
        .collect()
}

impl Projection {
    pub fn new(attributes: Option<&str>, excluded: Option<&str>) -> Result<Self, ScimError> {
        Ok(Self {
            attributes: attributes.map(paths).transpose()?.unwrap_or_default(),
            excluded: excluded.map(paths).transpose()?.unwrap_or_default(),
        })
    }

    /// Whether the answer holds the attribute `name` (lower case).
    pub fn wants(&self, name: &str) -> bool {
        let asked = self.attributes.is_empty() || self.attributes.iter().any(|(n, _)| n == name);
        let excluded = self
            .excluded
            .iter()
            .any(|(n, sub)| n == name && sub.is_none());
        asked && !excluded
    }

    /// Cuts a resource down to what was asked for; `id` and `schemas` always stay.
    pub fn apply(&self, resource: Value) -> Value {
        let Value::Object(object) = resource else {
            return resource;
        };
        let always = |key: &str| key == "id" || key == "schemas";
        let mut kept = Map::new();
        for (key, value) in object {
            let lower = key.to_ascii_lowercase();
            if always(&lower) {
                kept.insert(key, value);
                continue;
            }
            let value = if self.attributes.is_empty() {
                Some(value)
            } else {
                let asked: Vec<&Option<String>> = self
                    .attributes
                    .iter()
                    .filter(|(n, _)| *n == lower)
                    .map(|(_, sub)| sub)
                    .collect();
                if asked.is_empty() {
                    None
                } else if asked.iter().any(|sub| sub.is_none()) {
                    Some(value)
                } else {
                    let subs: Vec<&str> = asked.iter().filter_map(|s| s.as_deref()).collect();
                    Some(keep_subs(value, |sub| subs.contains(&sub)))
                }
            };
            let Some(value) = value else { continue };
            if self
                .excluded
                .iter()
                .any(|(n, sub)| *n == lower && sub.is_none())
            {
                continue;
            }
            let excluded_subs: Vec<&str> = self
                .excluded
                .iter()
                .filter(|(n, _)| *n == lower)
                .filter_map(|(_, sub)| sub.as_deref())
                .collect();
            let value = if excluded_subs.is_empty() {
                value
            } else {
                keep_subs(value, |sub| !excluded_subs.contains(&sub))
            };
            kept.insert(key, value);
        }
        Value::Object(kept)
    }
}

/// Keeps the sub-attributes `keep` names (lower case) of a complex value, or of each of a list's.
fn keep_subs(value: Value, keep: impl Fn(&str) -> bool + Copy) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .into_iter()
                .filter(|(k, _)| keep(&k.to_ascii_lowercase()))
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| keep_subs(v, keep)).collect())
        }
        other => other,
    }
}

/// A listing's question.
pub struct Listing {
    pub filter: Option<Expr>,
    pub window: Window,
    pub projection: Projection,
}

fn window(start: Option<i64>, count: Option<i64>) -> Window {
    Window {
        start: start.unwrap_or(1).max(1),
        count: count.unwrap_or(MAX_RESULTS).clamp(0, MAX_RESULTS),
    }
}

fn number(value: &str, name: &str) -> Result<i64, ScimError> {
    value
        .trim()
        .parse::<i64>()
        .map_err(|_| ScimError::invalid_value(format!("{name} must be an integer")))
}

fn parsed_filter(text: Option<&str>) -> Result<Option<Expr>, ScimError> {
    text.filter(|t| !t.trim().is_empty())
        .map(|t| filter::parse(t).map_err(ScimError::invalid_filter))
        .transpose()
}

impl Listing {
    /// From the query string; parameter names are matched case-insensitively.
    pub fn from_uri(uri: &Uri) -> Result<Self, ScimError> {
        let QueryString(params) = QueryString::<HashMap<String, String>>::try_from_uri(uri)
            .map_err(|e| ScimError::invalid_syntax(e.body_text()))?;
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        if get("sortBy").is_some() {
            return Err(ScimError::invalid_value("sorting is not supported"));
        }
        Ok(Self {
            filter: parsed_filter(get("filter"))?,
            window: window(
                get("startIndex")
                    .map(|v| number(v, "startIndex"))
                    .transpose()?,
                get("count").map(|v| number(v, "count")).transpose()?,
            ),
            projection: Projection::new(get("attributes"), get("excludedAttributes"))?,
        })
    }

    /// From a `.search` body (a SearchRequest).
    pub fn from_search(body: &Value) -> Result<Self, ScimError> {
        let get = |name: &str| body.as_object().and_then(|o| field(o, name));
        let list = |name: &str| -> Result<Option<String>, ScimError> {
            match get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|i| {
                        i.as_str().map(str::to_owned).ok_or_else(|| {
                            ScimError::invalid_syntax(format!("{name} holds strings"))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(|v| Some(v.join(","))),
                Some(_) => Err(ScimError::invalid_syntax(format!("{name} holds strings"))),
            }
        };
        let integer = |name: &str| -> Result<Option<i64>, ScimError> {
            match get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v
                    .as_i64()
                    .map(Some)
                    .ok_or_else(|| ScimError::invalid_value(format!("{name} must be an integer"))),
            }
        };
        if get("sortBy").is_some_and(|v| !v.is_null()) {
            return Err(ScimError::invalid_value("sorting is not supported"));
        }
        let filter = match get("filter") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => parsed_filter(Some(text))?,
            Some(_) => return Err(ScimError::invalid_filter("filter is a string")),
        };
        Ok(Self {
            filter,
            window: window(integer("startIndex")?, integer("count")?),
            projection: Projection::new(
                list("attributes")?.as_deref(),
                list("excludedAttributes")?.as_deref(),
            )?,
        })
    }
}

/// `POST /scim/v2/.search`: users, then groups, in one window. A filter applies to the resource
/// types whose attributes it names; a type it cannot apply to contributes nothing.
pub async fn search_all(
    State(state): State<AppState>,
    provider: Provider,
    ScimBody(body): ScimBody,
) -> Response {
    let result = async {
        let listing = Listing::from_search(&body)?;
        let user_filter = match &listing.filter {
            Some(expr) => users::resolve(expr).ok().map(Some),
            None => Some(None),
        };
        let group_filter = match &listing.filter {
            Some(expr) => groups::resolve(expr).ok().map(Some),
            None => Some(None),
        };
        if user_filter.is_none() && group_filter.is_none() {
            return Err(ScimError::invalid_filter(
                "the filter names attributes of neither users nor groups",
            ));
        }
        let Window { start, count } = listing.window;
        let mut resources = Vec::new();
        let mut users_total = 0;
        if let Some(filter) = user_filter {
            let (found, items) = <users::Users as Resources>::find(
                &state,
                &provider,
                filter.as_ref(),
                listing.window,
                &listing.projection,
            )
            .await?;
            users_total = found;
            resources.extend(items);
        }
        let mut total = users_total;
        if let Some(filter) = group_filter {
            // The groups' part of the window starts where the users ran out.
            let window = Window {
                start: (start - users_total).max(1),
                count: (count - resources.len() as i64).max(0),
            };
            let (found, items) = <groups::Groups as Resources>::find(
                &state,
                &provider,
                filter.as_ref(),
                window,
                &listing.projection,
            )
            .await?;
            total += found;
            resources.extend(items);
        }
        Ok(list_response(total, start, resources))
    }
    .await;
    provider.reply(&state, result)
}
