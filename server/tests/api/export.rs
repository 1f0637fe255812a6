//! `GET /api/admin/users.csv`: every user a view selects, in its order, as CSV with the columns
//! asked for, every cell safe to open in a spreadsheet.

use crate::common;

use common::{Auth, TestApp, on_each_backend};
use serde_json::{Value, json};

/// The records of a CSV reply after its header, read by a CSV parser.
fn records(reply: &common::Reply) -> Vec<Vec<String>> {
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        reply.headers["content-disposition"],
        "attachment; filename=\"users.csv\""
    );
    let text = reply.body.as_str().expect("a CSV body");
    csv::Reader::from_reader(text.as_bytes())
        .into_records()
        .map(|record| {
            record
                .expect("a record")
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

fn header(reply: &common::Reply) -> Vec<String> {
    let text = reply.body.as_str().expect("a CSV body");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_owned)
        .collect()
}

async fn create(app: &TestApp, key: &Auth, username: &str, first: &str, last: &str) -> Value {
    let body = json!({
        "username": username,
        "email": format!("{username}@example.com"),
        "name_first": first,
        "name_last": last,
    });
    let reply = app.post("/api/admin/users", key, &body.to_string()).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body["user"].clone()
}

#[tokio::test]
async fn an_export_is_the_whole_view_in_its_order_with_the_columns_asked_for() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        app.core.seed_users(30).await.unwrap();
        for (username, last) in [("ann", "Lovelace"), ("bob", "lovelace"), ("cyd", "Hopper")] {
            create(&app, &key, username, "Pat", last).await;
        }
        // The view: a search and an order; every one of its users, past any page size.
        for view in ["&search=lovelace&sort=-username", "&sort=email", "", "&suspended=false&sort=-last_login"] {
            let listing = app.whole_listing(&key, view).await;
            let reply = app
                .get(&format!("/api/admin/users.csv?per_page=1&page=3{view}&columns=uuid,username,email,name_last,created"), &key)
                .await;
            assert_eq!(header(&reply), ["uuid", "username", "email", "name_last", "created"]);
            let expected: Vec<Vec<String>> = listing
                .iter()
                .map(|user| {
                    ["uuid", "username", "email", "name_last", "created"]
                        .iter()
                        .map(|field| user[*field].as_str().unwrap().to_owned())
                        .collect()
                })
                .collect();
            assert_eq!(records(&reply), expected, "{view}");
        }

        // Columns as a form of checkboxes sends them; the default set without any.
        let reply = app
            .get("/api/admin/users.csv?search=cyd&columns=email&columns=suspended&columns=role", &key)
            .await;
        assert_eq!(header(&reply), ["email", "suspended", "role"]);
        assert_eq!(records(&reply), [["cyd@example.com", "false", ""]]);
        let reply = app.get("/api/admin/users.csv?search=cyd", &key).await;
        assert_eq!(
            header(&reply),
            [
                "uuid",
                "username",
                "email",
                "name_first",
                "name_last",
                "role",
                "suspended",
                "totp_enabled",
                "last_login",
                "created"
            ]
        );
        app
    })
    .await;
}

#[tokio::test]
async fn cells_a_spreadsheet_would_run_are_written_as_text() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        create(
            &app,
            &key,
            "mallory",
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1-1",
        )
        .await;
        create(&app, &key, "trudy", "@SUM(A1)", "-2").await;
        create(&app, &key, "plain", "Ada", "a=b").await;
        let reply = app
            .get(
                "/api/admin/users.csv?columns=username,name_first,name_last&sort=username",
                &key,
            )
            .await;
        let records = records(&reply);
        let by_name = |name: &str| records.iter().find(|r| r[0] == name).unwrap().clone();
        assert_eq!(
            by_name("mallory"),
            ["mallory", "'=HYPERLINK(\"http://x\",\"y\")", "'+1-1"]
        );
        assert_eq!(by_name("trudy"), ["trudy", "'@SUM(A1)", "'-2"]);
        assert_eq!(by_name("plain"), ["plain", "Ada", "a=b"]);
        app
    })
    .await;
}

#[tokio::test]
async fn an_export_needs_users_read_and_valid_parameters() {
    on_each_backend(|app| async move {
        let admin = app.admin_principal().await;
        let narrow = Auth::Key(app.key_for(&admin.user, &["users.create"]).await);
        app.get("/api/admin/users.csv", &narrow).await.assert_error(
            403,
            &["you do not have permission to perform this action: users.read"],
        );
        app.get("/api/admin/users.csv", &Auth::None)
            .await
            .assert_error(401, &["missing authorization"]);
        let reader = Auth::Key(app.key_for(&admin.user, &["users.read"]).await);
        assert_eq!(records(&app.get("/api/admin/users.csv", &reader).await).len(), 1);
        app.get("/api/admin/users.csv?columns=email,password_hash,email", &reader)
            .await
            .assert_error(
                400,
                &[
                    "columns: password_hash is not a column",
                    "columns: email is named twice",
                ],
            );
        app.get("/api/admin/users.csv?sort=password", &reader)
            .await
            .assert_error(
                400,
                &["sort: must be username, email, created, last_login or name_last, with - before it for descending"],
            );
        app
    })
    .await;
}
