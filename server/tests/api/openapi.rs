//! The OpenAPI document: served at `/api/openapi.json` as OpenAPI 3.1, every route in it is
//! mounted (a request reaches a handler, not the 404/405 catch-alls), every mounted route is in
//! it (routes are registered with their documentation; the source holds no other `/api`
//! route), and each operation says how it fails and what it needs.

use crate::common;

use std::collections::BTreeSet;

use axum::http::Method;
use common::{Auth, TestApp};
use serde_json::Value;

/// The `/api` routes outside the document: the document itself, the reference page and its
/// files, and the catch-alls answering 404 `route not found`.
const UNDOCUMENTED: [&str; 7] = [
    "/api/openapi.json",
    "/api/docs",
    "/api/docs/swagger-ui-bundle.js",
    "/api/docs/swagger-ui.css",
    "/api/docs/init.js",
    "/api",
    "/api/{*rest}",
];

const METHODS: [&str; 5] = ["get", "post", "patch", "put", "delete"];

fn operations(document: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                found.push((method.to_owned(), path.clone(), operation.clone()));
            }
        }
    }
    found
}

async fn document(app: &TestApp) -> Value {
    let reply = app.get("/api/openapi.json", &Auth::None).await;
    assert_eq!(reply.status, 200);
    reply.body
}

#[tokio::test]
async fn the_document_is_openapi_3_1_with_both_security_schemes() {
    let app = TestApp::sqlite().await;
    let document = document(&app).await;
    assert_eq!(document["openapi"], "3.1.0");
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["api_key"]["type"], "http");
    assert_eq!(schemes["api_key"]["scheme"], "bearer");
    assert_eq!(schemes["session"]["type"], "apiKey");
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["session"]["name"], "roster_session");
    assert_eq!(
        document["components"]["schemas"]["Errors"]["properties"]["errors"]["type"],
        "array"
    );
    // A create links to reading, changing and deleting what it made, for clients (and the
    // fuzzer) that follow links.
    let links = &document["paths"]["/api/admin/users"]["post"]["responses"]["200"]["links"];
    assert_eq!(links["GetUser"]["operationId"], "get_user");
    assert_eq!(
        links["GetUser"]["parameters"]["user"],
        "$response.body#/user/uuid"
    );
    assert_eq!(links["DeleteUser"]["operationId"], "delete_user");
    app.finish().await;
}

#[tokio::test]
async fn every_documented_route_is_mounted() {
    let app = TestApp::sqlite().await;
    let document = document(&app).await;
    let operations = operations(&document);
    assert!(operations.len() >= 35, "{} operations", operations.len());
    for (method, path, _) in &operations {
        let concrete = path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "00000000-0000-0000-0000-000000000000"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("a method");
        let reply = app
            .request(method.clone(), &concrete, &Auth::None, Some("{}"))
            .await;
        let caught = reply.body["errors"] == serde_json::json!(["route not found"])
            || reply.body["errors"] == serde_json::json!(["method not allowed"]);
        assert!(
            !caught,
            "{method} {path} is documented but not mounted: {} {}",
            reply.status, reply.body
        );
    }
    app.finish().await;
}

#[tokio::test]
async fn no_api_route_is_mounted_outside_the_document() {
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/rest/mod.rs"))
        .expect("the router's source");
    let mounted: BTreeSet<&str> = source
        .split(".route(")
        .skip(1)
        .filter_map(|call| call.trim_start().strip_prefix('"'))
        .filter_map(|call| call.split('"').next())
        .collect();
    assert_eq!(
        mounted,
        UNDOCUMENTED.into_iter().collect::<BTreeSet<_>>(),
        "every other route goes through `routes!`, which documents it"
    );
    for file in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src")).expect("src") {
        let path = file.expect("an entry").path();
        if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("readable");
            assert!(
                !text.contains(".route(\"/api"),
                "{} mounts an /api route outside the document",
                path.display()
            );
        }
    }
}

#[tokio::test]
async fn each_operation_names_its_failures_and_its_permission() {
    let app = TestApp::sqlite().await;
    let document = document(&app).await;
    let mut ids = BTreeSet::new();
    for (method, path, operation) in operations(&document) {
        let id = operation["operationId"].as_str().expect("an operation id");
        assert!(ids.insert(id.to_owned()), "{id} twice");
        let responses = operation["responses"].as_object().expect("responses");
        for status in ["400", "500", "503"] {
            assert!(
                responses.contains_key(status),
                "{method} {path}: no {status}"
            );
        }
        let anonymous = operation["security"] == serde_json::json!([{}]);
        if !anonymous {
            for status in ["401", "403"] {
                assert!(
                    responses.contains_key(status),
                    "{method} {path}: no {status}"
                );
            }
        }
        for (status, response) in responses {
            if status.starts_with('4') || status.starts_with('5') {
                let schema = &response["content"]["application/json"]["schema"]["$ref"];
                assert!(
                    schema == "#/components/schemas/Errors"
                        || schema == "#/components/schemas/Health",
                    "{method} {path} {status}: {response}"
                );
            }
        }
        if path.starts_with("/api/admin/") && path != "/api/admin/mail" {
            let permission = operation["x-required-permission"]
                .as_str()
                .unwrap_or_default();
            assert!(
                roster::Permission::ALL
                    .iter()
                    .any(|p| p.as_str() == permission),
                "{method} {path} names no permission"
            );
        }
        if method == "patch" || (method == "delete" && path.starts_with("/api/admin/")) {
            let params = operation["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let conditional =
                params.iter().any(|p| p["name"] == "If-Match") || !responses.contains_key("412");
            assert!(conditional, "{method} {path}: 412 without If-Match");
        }
        if method == "post" && path.starts_with("/api/admin/") {
            let params = operation["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            assert!(
                params.iter().any(|p| p["name"] == "Idempotency-Key"),
                "{method} {path}: no Idempotency-Key"
            );
        }
    }
    app.finish().await;
}
