//! PATCH as providers send it (RFC 7644 §3.5.2): the operations, with `op` in any case (Entra
//! sends `Replace`), a path or none, and the value; and the tests a value path's filter makes of
//! one value of a multi-valued attribute (`emails[type eq "work"]`, `members[value eq "..."]`).

use roster::domain::provisioning::{Comparison, FilterValue};
use serde_json::Value;

use super::filter::{AttrPath, Expr, parse_path};
use super::{ScimError, field};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Replace,
    Remove,
}

#[derive(Clone, Debug)]
pub struct Operation {
    pub op: Op,
    pub path: Option<AttrPath>,
    pub value: Option<Value>,
}

/// The operations of a PatchOp body.
pub fn operations(body: &Value) -> Result<Vec<Operation>, ScimError> {
    let object = body
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("the body is not a PatchOp"))?;
    let Some(Value::Array(operations)) = field(object, "Operations") else {
        return Err(ScimError::invalid_syntax("a PatchOp holds Operations"));
    };
    if operations.is_empty() {
        return Err(ScimError::invalid_syntax(
            "a PatchOp holds at least one operation",
        ));
    }
    operations
        .iter()
        .map(|operation| {
            let operation = operation
                .as_object()
                .ok_or_else(|| ScimError::invalid_syntax("an operation is an object"))?;
            let op = match field(operation, "op").and_then(Value::as_str) {
                Some(op) if op.eq_ignore_ascii_case("add") => Op::Add,
                Some(op) if op.eq_ignore_ascii_case("replace") => Op::Replace,
                Some(op) if op.eq_ignore_ascii_case("remove") => Op::Remove,
                _ => {
                    return Err(ScimError::invalid_syntax(
                        "op is one of add, replace and remove",
                    ));
                }
            };
            let path = match field(operation, "path") {
                None | Some(Value::Null) => None,
                Some(Value::String(path)) if path.trim().is_empty() => None,
                Some(Value::String(path)) => {
                    Some(parse_path(path).map_err(ScimError::invalid_path)?)
                }
                Some(_) => return Err(ScimError::invalid_path("path is a string")),
            };
            let value = field(operation, "value").cloned();
            if op == Op::Remove && path.is_none() && value.is_none() {
                return Err(ScimError::new(
                    axum::http::StatusCode::BAD_REQUEST,
                    Some("noTarget"),
                    "remove names its target in path",
                ));
            }
            if op != Op::Remove && value.is_none() {
                return Err(ScimError::invalid_value("add and replace carry a value"));
            }
            Ok(Operation { op, path, value })
        })
        .collect()
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Whether one value of a multi-valued attribute (an object of sub-attributes, keys in any case)
/// passes a value path's filter. Text compares without regard to case; `defaults` stand for
/// sub-attributes the value leaves out (an email's `type` is `work`).
pub fn passes(filter: &Expr, item: &Value, defaults: &[(&str, Value)]) -> bool {
    let get = |path: &AttrPath| -> Option<Value> {
        let name = path.sub.as_deref().unwrap_or(&path.name);
        item.as_object()
            .and_then(|o| field(o, name).cloned())
            .or_else(|| {
                defaults
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.clone())
            })
    };
    match filter {
        Expr::And(a, b) => passes(a, item, defaults) && passes(b, item, defaults),
        Expr::Or(a, b) => passes(a, item, defaults) || passes(b, item, defaults),
        Expr::Not(a) => !passes(a, item, defaults),
        Expr::Present(path) => get(path).is_some_and(|v| !v.is_null()),
        Expr::Has(_) => false,
        Expr::Compare(path, comparison, expected) => {
            let actual = get(path);
            match (actual, expected) {
                (Some(Value::Bool(actual)), FilterValue::Bool(expected)) => match comparison {
                    Comparison::Eq => actual == *expected,
                    Comparison::Ne => actual != *expected,
                    _ => false,
                },
                (Some(actual), FilterValue::Text(expected)) => {
                    let Some(actual) = text_of(&actual) else {
                        return false;
                    };
                    let (actual, expected) = (actual.to_lowercase(), expected.to_lowercase());
                    match comparison {
                        Comparison::Eq => actual == expected,
                        Comparison::Ne => actual != expected,
                        Comparison::Contains => actual.contains(&expected),
                        Comparison::StartsWith => actual.starts_with(&expected),
                        Comparison::EndsWith => actual.ends_with(&expected),
                        Comparison::Greater => actual > expected,
                        Comparison::GreaterOrEqual => actual >= expected,
                        Comparison::Less => actual < expected,
                        Comparison::LessOrEqual => actual <= expected,
                    }
                }
                (None | Some(Value::Null), FilterValue::Null) => *comparison == Comparison::Eq,
                (Some(_), FilterValue::Null) => *comparison == Comparison::Ne,
                _ => false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ops_are_read_in_any_case_and_paths_parsed() {
        let body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "a@b.c"},
                {"op": "replace", "value": {"active": false}},
                {"op": "Remove", "path": "members[value eq \"x\"]"},
            ],
        });
        let ops = operations(&body).unwrap();
        assert_eq!(
            ops.iter().map(|o| o.op).collect::<Vec<_>>(),
            [Op::Replace, Op::Replace, Op::Remove]
        );
        assert_eq!(ops[0].path.as_ref().unwrap().sub.as_deref(), Some("value"));
        assert!(ops[1].path.is_none());
    }

    #[test]
    fn broken_operations_are_refused() {
        for body in [
            json!({}),
            json!({"Operations": []}),
            json!({"Operations": [{"op": "move", "path": "a", "value": 1}]}),
            json!({"Operations": [{"op": "remove"}]}),
            json!({"Operations": [{"op": "add", "path": "a"}]}),
            json!({"Operations": [{"op": "add", "path": "a b", "value": 1}]}),
        ] {
            assert!(operations(&body).is_err(), "{body} should be refused");
        }
    }

    #[test]
    fn a_value_path_tests_one_value() {
        let filter = super::super::filter::parse(r#"type eq "work" and primary eq true"#).unwrap();
        let defaults = [("type", json!("work")), ("primary", json!(true))];
        assert!(passes(&filter, &json!({"value": "a@b.c"}), &defaults));
        assert!(!passes(
            &filter,
            &json!({"value": "a@b.c", "type": "home"}),
            &defaults
        ));
        let filter = super::super::filter::parse(r#"value eq "ABC""#).unwrap();
        assert!(passes(&filter, &json!({"value": "abc"}), &[]));
    }
}
