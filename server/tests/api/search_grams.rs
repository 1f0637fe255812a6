//! A search of one or two characters takes its total from the counts kept per gram. Whatever
//! users were seeded, created, renamed, deleted or written by another instance or straight into
//! the database, that total must be the number of users the listing shows for the term, and
//! every kept count the number of users holding its gram.

use crate::common;

use chrono::{Duration, SubsecRound, Utc};
use common::{Auth, TestApp, encode, on_each_backend};
use roster::store::Database;
use serde_json::json;

/// Every kept gram with its count.
async fn kept(app: &TestApp) -> Vec<(String, i64)> {
    const KEPT: &str = "SELECT gram, users FROM search_grams ORDER BY gram";
    match app.core.database() {
        Database::Sqlite(pool) => sqlx::query_as(KEPT).fetch_all(pool).await.unwrap(),
        Database::Postgres(pool) => sqlx::query_as(KEPT).fetch_all(pool).await.unwrap(),
    }
}

/// How many users hold `term` in a searchable field, counted from the users themselves and
/// case-insensitively as each database lowercases (SQLite folds ASCII letters only).
async fn holding(app: &TestApp, term: &str) -> i64 {
    match app.core.database() {
        Database::Sqlite(pool) => sqlx::query_scalar(
            "SELECT count(*) FROM users WHERE instr(lower(username), lower($1)) > 0 \
             OR instr(lower(email), lower($1)) > 0 OR instr(lower(name_first), lower($1)) > 0 \
             OR instr(lower(name_last), lower($1)) > 0",
        )
        .bind(term)
        .fetch_one(pool)
        .await
        .unwrap(),
        Database::Postgres(pool) => sqlx::query_scalar(
            "SELECT count(*) FROM users WHERE strpos(lower(username), lower($1)) > 0 \
             OR strpos(lower(email), lower($1)) > 0 OR strpos(lower(name_first), lower($1)) > 0 \
             OR strpos(lower(name_last), lower($1)) > 0",
        )
        .bind(term)
        .fetch_one(pool)
        .await
        .unwrap(),
    }
}

/// Terms no user holds, and ones only some do: wildcards taken literally, letters beyond ASCII.
const EXTRA_TERMS: &[&str] = &[
    "zq", "Q", "%", "_", "%_", "ë", "Ë", "ß", "ÉM", "é", "5", "50",
];

/// Checks every kept count against the users, then searches every kept gram (and its upper
/// case) and the extra terms: each total must be the number of users holding the term, and
/// the page must list them all.
async fn assert_totals_true(app: &TestApp, key: &Auth) {
    let grams = kept(app).await;
    assert!(grams.len() > 20, "{grams:?}");
    for (gram, users) in &grams {
        assert_eq!(*users, holding(app, gram).await, "kept count of {gram:?}");
    }
    let mut terms: Vec<String> = grams.into_iter().map(|(gram, _)| gram).collect();
    terms.extend(terms.clone().iter().map(|gram| gram.to_uppercase()));
    terms.extend(EXTRA_TERMS.iter().map(|term| (*term).to_owned()));
    for term in terms {
        let reply = app
            .get(
                &format!("/api/admin/users?per_page=100&search={}", encode(&term)),
                key,
            )
            .await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        let expected = holding(app, &term).await;
        assert!(expected < 100, "every match of {term:?} fits on the page");
        assert_eq!(
            reply.body["users"]["total"], expected,
            "total of {term:?} on {}",
            app.backend
        );
        assert_eq!(
            reply.body["users"]["data"].as_array().unwrap().len(),
            usize::try_from(expected).unwrap(),
            "listing of {term:?} on {}",
            app.backend
        );
    }
}

async fn create(app: &TestApp, key: &Auth, username: &str, first: &str, last: &str) -> String {
    let body = json!({
        "username": username,
        "email": format!("{}@Example.COM", username.to_lowercase()),
        "name_first": first,
        "name_last": last,
    });
    let reply = app.post("/api/admin/users", key, &body.to_string()).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body["user"]["uuid"].as_str().unwrap().to_owned()
}

/// A user whose created time lies 30 days back, written past the core.
async fn insert_directly(app: &TestApp, username: &str, name_last: &str) {
    let created = (Utc::now() - Duration::days(30)).trunc_subsecs(6);
    app.insert_user_row(username, name_last, created).await;
}

#[tokio::test]
async fn short_search_totals_follow_every_write() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        app.core.seed_users(24).await.unwrap();
        assert_totals_true(&app, &key).await;

        let zoe = create(&app, &key, "Zoe_Q", "Zoë", "Straße").await;
        let emile = create(&app, &key, "EMILE", "ÉMILE", "50%_Off").await;
        let ada = create(&app, &key, "ada_l", "Ada", "Lovelace").await;
        assert_totals_true(&app, &key).await;
        // A term finds the text it spells, whatever either database's case folding.
        for term in ["É", "ÉM", "ë", "ß"] {
            let reply = app
                .get(&format!("/api/admin/users?search={}", encode(term)), &key)
                .await;
            assert_eq!(
                reply.body["users"]["total"], 1,
                "{term:?}: {:?}",
                reply.body
            );
        }

        // A change of searchable fields moves the counts; a change of others leaves them.
        let reply = app
            .patch(
                &format!("/api/admin/users/{zoe}"),
                &key,
                r#"{"username": "Zed_Z", "name_last": "Ëvans", "email": "zed@zz.example"}"#,
            )
            .await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        let reply = app
            .patch(
                &format!("/api/admin/users/{ada}"),
                &key,
                r#"{"admin": true}"#,
            )
            .await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        assert_totals_true(&app, &key).await;

        let reply = app.delete(&format!("/api/admin/users/{emile}"), &key).await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        insert_directly(&app, "imported_qq", "Qu%rk").await;
        assert_totals_true(&app, &key).await;

        // Two instances write at once.
        let other = app.another_instance().await;
        tokio::join!(
            async {
                for i in 0..6 {
                    create(&app, &key, &format!("one_{i}"), "Uno", "Ännchen").await;
                }
            },
            async {
                for i in 0..6 {
                    create(&other, &key, &format!("two_{i}"), "Dos", "Ännchen").await;
                }
            }
        );
        other.finish().await;
        assert_totals_true(&app, &key).await;

        // A second seed leaves the triggers counting again for the writes after it.
        app.core.seed_users(10).await.unwrap();
        create(&app, &key, "after_seed", "Æther", "Xylo").await;
        assert_totals_true(&app, &key).await;
        app
    })
    .await;
}
