//! A deep page of the user listing is reached through blocks of the listing order, and a
//! search on SQLite pages through the full-text index in id order while ids follow the
//! listing order. Either way every page must be exactly the slice of the full, sorted listing,
//! whatever inserts, deletes, balancing and out-of-order users happened before.

use crate::common;

use chrono::{Duration, SubsecRound, Utc};
use common::{Auth, TestApp, TestOptions, on_each_backend, on_each_backend_with};
use roster::services::Balance;
use roster::store::Database;
use serde_json::{Value, json};

/// Tiny blocks, so that a few dozen users make many of them and offsets from 8 on go through
/// them.
fn small_blocks() -> TestOptions {
    TestOptions {
        listing_block: Some(2),
        ..TestOptions::default()
    }
}

async fn assert_every_paging(app: &TestApp, key: &Auth, query: &str) {
    let expected = app.whole_listing(key, query).await;
    for per_page in [1, 3, 7] {
        app.assert_pages(key, query, &expected, per_page).await;
    }
}

/// How many blocks, of every order, hold a size other than the number of users from their fence
/// up to the next.
async fn blocks_off(app: &TestApp) -> i64 {
    let sqlite = matches!(app.core.database(), Database::Sqlite(_));
    let orders = [
        ("user_blocks", "created", "u.created"),
        (
            "user_blocks_username",
            "key",
            if sqlite {
                "lower(u.username)"
            } else {
                "(lower(u.username) COLLATE \"C\")"
            },
        ),
        (
            "user_blocks_email",
            "key",
            if sqlite {
                "lower(u.email)"
            } else {
                "(lower(u.email) COLLATE \"C\")"
            },
        ),
        (
            "user_blocks_last_login",
            "key",
            if sqlite {
                "COALESCE(u.last_login, '')"
            } else {
                "COALESCE(u.last_login, '-infinity')"
            },
        ),
        (
            "user_blocks_name_last",
            "key",
            if sqlite {
                "lower(u.name_last)"
            } else {
                "(lower(u.name_last) COLLATE \"C\")"
            },
        ),
    ];
    let mut off = 0;
    for (table, fence, key) in orders {
        let sql = format!(
            "SELECT count(*) FROM {table} b WHERE b.size <> (\
             SELECT count(*) FROM users u WHERE ({key}, u.uuid) >= (b.{fence}, b.uuid) \
             AND NOT EXISTS (SELECT 1 FROM {table} n WHERE (n.{fence}, n.uuid) > (b.{fence}, b.uuid) \
             AND (n.{fence}, n.uuid) <= ({key}, u.uuid)))"
        );
        let table_off: i64 = match app.core.database() {
            Database::Sqlite(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap(),
            Database::Postgres(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap(),
        };
        assert_eq!(table_off, 0, "the blocks of {table}");
        off += table_off;
    }
    off
}

async fn block_count(app: &TestApp) -> i64 {
    const COUNT: &str = "SELECT count(*) FROM user_blocks";
    match app.core.database() {
        Database::Sqlite(pool) => sqlx::query_scalar(COUNT).fetch_one(pool).await.unwrap(),
        Database::Postgres(pool) => sqlx::query_scalar(COUNT).fetch_one(pool).await.unwrap(),
    }
}

async fn create(app: &TestApp, key: &Auth, username: &str, name_last: &str) -> String {
    let body = json!({
        "username": username,
        "email": format!("{username}@example.com"),
        "name_first": "Pat",
        "name_last": name_last,
    });
    let reply = app.post("/api/admin/users", key, &body.to_string()).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body["user"]["uuid"].as_str().unwrap().to_owned()
}

async fn delete(app: &TestApp, key: &Auth, uuid: &str) {
    let reply = app.delete(&format!("/api/admin/users/{uuid}"), key).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
}

/// A user whose created time lies 365 days back, written past the core.
async fn insert_in_the_past(app: &TestApp, username: &str, name_last: &str) {
    let created = (Utc::now() - Duration::days(365)).trunc_subsecs(6);
    app.insert_user_row(username, name_last, created).await;
}

#[tokio::test]
async fn deep_pages_are_the_listing_through_inserts_deletes_and_balancing() {
    on_each_backend_with(small_blocks(), |app| async move {
        let key = app.admin_key().await;
        app.core.seed_users(30).await.unwrap();
        // The seed balanced its users into blocks; what the API creates next piles up in the
        // last block until the next balancing.
        assert!(block_count(&app).await > 5);
        let mut created = Vec::new();
        for i in 0..12 {
            created.push(create(&app, &key, &format!("late{i:02}"), "Late").await);
        }
        assert_eq!(blocks_off(&app).await, 0);
        assert_every_paging(&app, &key, "").await;

        let balance = app.core.balance_user_blocks().await.unwrap();
        assert!(
            balance.split >= 1,
            "the last block grew past four times two"
        );
        assert_eq!(blocks_off(&app).await, 0);
        assert_every_paging(&app, &key, "").await;

        // Emptying blocks (every late user) and thinning others leaves the sizes true.
        for uuid in &created {
            delete(&app, &key, uuid).await;
        }
        let listing = app.whole_listing(&key, "").await;
        for user in listing.iter().skip(3).step_by(4) {
            delete(&app, &key, user["uuid"].as_str().unwrap()).await;
        }
        assert_eq!(blocks_off(&app).await, 0);
        assert_every_paging(&app, &key, "").await;
        let balance = app.core.balance_user_blocks().await.unwrap();
        assert!(balance.dropped > 0, "{balance:?}");
        assert_eq!(blocks_off(&app).await, 0);
        assert_every_paging(&app, &key, "").await;
        assert_eq!(
            app.core.balance_user_blocks().await.unwrap(),
            Balance::default(),
            "nothing is left to balance"
        );

        // A user that sorts first lands in the first block, and a later balance splits it.
        for i in 0..10 {
            insert_in_the_past(&app, &format!("early{i}"), "Early").await;
        }
        assert_eq!(blocks_off(&app).await, 0);
        assert_every_paging(&app, &key, "").await;
        app.core.balance_user_blocks().await.unwrap();
        assert_eq!(blocks_off(&app).await, 0);
        assert_every_paging(&app, &key, "").await;
        app
    })
    .await;
}

#[tokio::test]
async fn blocks_stay_exact_while_two_instances_write_and_balance_at_once() {
    on_each_backend_with(small_blocks(), |app| async move {
        let key = app.admin_key().await;
        let other = app.another_instance().await;
        app.core.seed_users(20).await.unwrap();
        let listing = app.whole_listing(&key, "").await;
        // Each instance creates and deletes users while both balance in a loop.
        tokio::join!(
            async {
                for i in 0..15 {
                    create(&app, &key, &format!("a{i:02}"), "Alpha").await;
                    app.core.balance_user_blocks().await.unwrap();
                }
                // From the third user on: the first is the admin acting.
                for user in listing.iter().skip(2).step_by(2) {
                    delete(&app, &key, user["uuid"].as_str().unwrap()).await;
                }
            },
            async {
                for i in 0..15 {
                    create(&other, &key, &format!("b{i:02}"), "Beta").await;
                    other.core.balance_user_blocks().await.unwrap();
                }
                for user in listing.iter().skip(3).step_by(4) {
                    delete(&other, &key, user["uuid"].as_str().unwrap()).await;
                }
            }
        );
        assert_eq!(blocks_off(&app).await, 0);
        app.core.balance_user_blocks().await.unwrap();
        assert_eq!(blocks_off(&app).await, 0);
        assert_every_paging(&app, &key, "").await;
        assert_every_paging(&other, &key, "").await;
        other.finish().await;
        app
    })
    .await;
}

#[tokio::test]
async fn search_pages_are_the_filtered_listing_in_order_or_out_of_it() {
    on_each_backend_with(small_blocks(), |app| async move {
        let key = app.admin_key().await;
        app.core.seed_users(20).await.unwrap();
        for i in 0..6 {
            create(&app, &key, &format!("later{i}"), "Lovelace").await;
        }
        // `lovelace` matches seeded and created users; `ace` (three letters) too, through the
        // full-text index on SQLite; `la` (two) scans.
        for query in [
            "&search=lovelace",
            "&search=ACE",
            "&search=la",
            "&search=later",
        ] {
            assert_every_paging(&app, &key, query).await;
        }
        let before = app.whole_listing(&key, "&search=lovelace").await;
        assert!(before.len() > 6, "{}", before.len());

        // A user sorting before everyone else breaks the id order on SQLite; the pages still
        // follow the listing order.
        insert_in_the_past(&app, "imported", "Lovelace").await;
        let after = app.whole_listing(&key, "&search=lovelace").await;
        assert_eq!(after.len(), before.len() + 1);
        assert_eq!(after[0]["username"], "imported");
        assert_eq!(&after[1..], &before[..]);
        for query in [
            "&search=lovelace",
            "&search=ACE",
            "&search=la",
            "&search=imported",
        ] {
            assert_every_paging(&app, &key, query).await;
        }
        app
    })
    .await;
}

/// The order `sort` gives, worked out here from the users' fields: text case-insensitively,
/// never signed in before every sign-in, ties by uuid, all reversed for descending.
fn sorted_by(users: &[Value], sort: &str) -> Vec<Value> {
    let (descending, key) = match sort.strip_prefix('-') {
        Some(key) => (true, key),
        None => (false, sort),
    };
    let text = |user: &Value, field: &str| user[field].as_str().unwrap().to_lowercase();
    let time = |user: &Value, field: &str| {
        user[field]
            .as_str()
            .map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap())
    };
    let mut sorted = users.to_vec();
    sorted.sort_by(|a, b| {
        let by_key = match key {
            "username" | "email" | "name_last" => text(a, key).cmp(&text(b, key)),
            "created" | "last_login" => time(a, key).cmp(&time(b, key)),
            other => panic!("no key {other}"),
        };
        by_key.then_with(|| a["uuid"].as_str().cmp(&b["uuid"].as_str()))
    });
    if descending {
        sorted.reverse();
    }
    sorted
}

const SORTS: [&str; 10] = [
    "username",
    "-username",
    "email",
    "-email",
    "created",
    "-created",
    "last_login",
    "-last_login",
    "name_last",
    "-name_last",
];

/// Every order, whole and on every page (deep ones through the blocks, the last ones from the
/// end), is the users sorted here by its key.
async fn assert_every_sort(app: &TestApp, key: &Auth, filter: &str) {
    let users = app.whole_listing(key, filter).await;
    for sort in SORTS {
        let query = format!("{filter}&sort={sort}");
        let expected = sorted_by(&users, sort);
        assert_eq!(app.whole_listing(key, &query).await, expected, "{query}");
        for per_page in [1, 3, 7] {
            app.assert_pages(key, &query, &expected, per_page).await;
        }
    }
}

#[tokio::test]
async fn every_sort_is_the_users_in_that_order_on_every_page_through_changes_of_its_key() {
    on_each_backend_with(small_blocks(), |app| async move {
        let key = app.admin_key().await;
        app.core.seed_users(20).await.unwrap();
        // Mixed case, last names shared but for their case, users signed in and not.
        let mut people = Vec::new();
        for (username, name_last) in [
            ("Zed", "smith"),
            ("alpha", "Smith"),
            ("Mike", "de Vries"),
            ("bravo", "Adams"),
            ("Charlie", "adams"),
            ("x_ray", "Young"),
        ] {
            people.push(app.user(username, false, None).await);
            let reply = app
                .patch(
                    &format!("/api/admin/users/{}", people.last().unwrap().uuid),
                    &key,
                    &json!({ "name_last": name_last }).to_string(),
                )
                .await;
            assert_eq!(reply.status, 200, "{:?}", reply.body);
        }
        for username in ["Mike", "alpha", "x_ray"] {
            app.session(username).await;
        }
        app.core.balance_user_blocks().await.unwrap();
        assert_eq!(blocks_off(&app).await, 0);
        assert_every_sort(&app, &key, "").await;

        // Every key changes: a rename, a new address, a sign-in, a new last name; a user goes.
        let path = |user: &roster::domain::user::User| format!("/api/admin/users/{}", user.uuid);
        let reply = app
            .patch(
                &path(&people[0]),
                &key,
                &json!({ "username": "aardvark", "email": "ZZ@example.com", "name_last": "Aaron" })
                    .to_string(),
            )
            .await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        app.session("bravo").await;
        app.session("Mike").await;
        delete(&app, &key, &people[5].uuid.to_string()).await;
        create(&app, &key, "newcomer", "Middleton").await;
        assert_eq!(blocks_off(&app).await, 0);
        assert_every_sort(&app, &key, "").await;
        app.core.balance_user_blocks().await.unwrap();
        assert_eq!(blocks_off(&app).await, 0);
        assert_every_sort(&app, &key, "").await;

        // With a search (three letters and more, fewer, by login) and with filters.
        for filter in [
            "&search=smith",
            "&search=mi",
            "&search=example",
            "&signed_in=true",
            "&suspended=false&search=a",
        ] {
            assert_every_sort(&app, &key, filter).await;
        }
        app
    })
    .await;
}

#[tokio::test]
async fn an_unknown_sort_is_refused_by_name() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        for sort in ["password", "-", "username,email", "Email"] {
            app.get(&format!("/api/admin/users?sort={sort}"), &key)
                .await
                .assert_error(
                    400,
                    &["sort: must be username, email, created, last_login or name_last, with - before it for descending"],
                );
        }
        // Empty is the listing's own order.
        let own = app.whole_listing(&key, "").await;
        assert_eq!(app.whole_listing(&key, "&sort=").await, own);
        assert_eq!(app.whole_listing(&key, "&sort=created").await, own);
        app
    })
    .await;
}
