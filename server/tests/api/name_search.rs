//! A search of three characters or more is counted from the names holding the term, and paged
//! from the name fields' indexes (and on SQLite the logins' full-text index), merged in listing
//! order, when a few names hold it. On either database every page of every search must be the slice of the whole listing
//! holding the term, with its exact total: whether the term matches first names, last names,
//! both of one user, logins as well, many names or wildcard characters, and whatever users
//! were created, renamed, deleted or imported, by whichever instance.

use crate::common;

use chrono::{Duration, SubsecRound, Utc};
use common::{Auth, TestApp, encode, on_each_backend};
use roster::with_db;
use serde_json::{Value, json};

/// The users holding `term` in a searchable field, ignoring ASCII case (every name here is
/// ASCII, where both databases fold case alike).
fn holding(users: &[Value], term: &str) -> Vec<Value> {
    let term = term.to_ascii_lowercase();
    users
        .iter()
        .filter(|user| {
            ["username", "email", "name_first", "name_last"]
                .iter()
                .any(|field| {
                    user[field]
                        .as_str()
                        .unwrap()
                        .to_ascii_lowercase()
                        .contains(&term)
                })
        })
        .cloned()
        .collect()
}

/// Reads every page of `term` in pages of 1, 3 and 7 users (and the page past the end), and
/// compares each with the slice of the users holding it. Returns how many do.
async fn assert_search(app: &TestApp, key: &Auth, term: &str) -> usize {
    let expected = holding(&app.whole_listing(key, "").await, term);
    let query = format!("&search={}", encode(term));
    for per_page in [1, 3, 7] {
        app.assert_pages(key, &query, &expected, per_page).await;
    }
    expected.len()
}

/// How many users have a first or last name missing from `search_names`: a search would not
/// find them by it.
async fn names_missing(app: &TestApp) -> i64 {
    with_db!(app.core.database(), pool => {
        sqlx::query_scalar(
            "SELECT count(*) FROM users u \
             WHERE NOT EXISTS (SELECT 1 FROM search_names WHERE name = lower(u.name_first)) \
             OR NOT EXISTS (SELECT 1 FROM search_names WHERE name = lower(u.name_last))",
        )
        .fetch_one(pool)
        .await
        .unwrap()
    })
}

async fn create(app: &TestApp, key: &Auth, username: &str, first: &str, last: &str) -> String {
    let body = json!({
        "username": username,
        "email": format!("{username}@example.com"),
        "name_first": first,
        "name_last": last,
    });
    let reply = app.post("/api/admin/users", key, &body.to_string()).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body["user"]["uuid"].as_str().unwrap().to_owned()
}

async fn rename(app: &TestApp, key: &Auth, uuid: &str, name_last: &str) {
    let body = json!({ "name_last": name_last });
    let reply = app
        .patch(&format!("/api/admin/users/{uuid}"), key, &body.to_string())
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
}

/// The uuid of the `nth` user (in listing order) whose last name is `name_last`.
async fn nth_named(app: &TestApp, key: &Auth, name_last: &str, nth: usize) -> String {
    let users = app.whole_listing(key, "").await;
    let user = users
        .iter()
        .filter(|user| user["name_last"] == name_last)
        .nth(nth)
        .unwrap();
    user["uuid"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn name_searches_are_the_filtered_listing_through_every_write() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        // Seeded users: last names Lovelace (16), Hopper (16), Turing (8); three each of Grace
        // and Margaret.
        app.core.seed_users(40).await.unwrap();
        // `mar` matches first names, a last name, and both names of one user; `lee` a first
        // name of one user and a last name of another.
        create(&app, &key, "kim1", "Amara", "Stone").await;
        create(&app, &key, "kim2", "Lee", "Marsh").await;
        create(&app, &key, "kim3", "Mara", "Lamar").await;
        create(&app, &key, "kim4", "Ann", "Leeds").await;
        // `ell` matches ten names: more than a page merges.
        for (i, last) in [
            "Bella",
            "Ella",
            "Nell",
            "Della",
            "Stella",
            "Kellerman",
            "Bellamy",
            "Tellis",
            "Mellon",
            "Fell",
        ]
        .iter()
        .enumerate()
        {
            create(&app, &key, &format!("jo_{i}"), "Jo", last).await;
        }
        // `%_o` is taken literally: the second name would match it as a pattern.
        create(&app, &key, "jow1", "Jo", "Fifty%_Off").await;
        create(&app, &key, "jow2", "Jo", "FiftyX_Off").await;

        for (term, matches) in [
            ("lovelace", 16),
            ("LoveLACE", 16),
            ("opp", 16),
            ("turing", 8),
            ("mar", 3 + 3),
            ("lee", 2),
            ("ell", 10),
            ("%_o", 1),
            ("fifty", 2),
            ("zzz_nobody", 0),
            ("elac", 16),
            ("kim", 4),
            // Addresses: looked up by the part before the `@` on PostgreSQL, then checked whole.
            ("im1@example.c", 1),
            ("m1@example.com", 1),
        ] {
            assert_eq!(assert_search(&app, &key, term).await, matches, "{term}");
        }
        // A seeded user's whole address, a prefix of it in other case, and its local part at
        // another domain.
        let seeded = app
            .whole_listing(&key, "")
            .await
            .into_iter()
            .map(|user| user["email"].as_str().unwrap().to_owned())
            .find(|email| email.starts_with("linus."))
            .expect("a seeded Linus");
        let (local, domain) = seeded.split_once('@').unwrap();
        for (term, matches) in [
            (seeded.clone(), 1),
            (format!("{}@{}", local.to_uppercase(), &domain[..3]), 1),
            (format!("{local}@nowhere.example"), 0),
        ] {
            assert_eq!(assert_search(&app, &key, &term).await, matches, "{term}");
        }
        assert_eq!(names_missing(&app).await, 0);

        // A rename moves a user between names, one into a name nobody held before; a deleted
        // user leaves; an imported user (written past the core, before everyone else) and a
        // login holding the term join.
        let hopper = nth_named(&app, &key, "Hopper", 3).await;
        rename(&app, &key, &hopper, "Lovelace").await;
        let lovelace = nth_named(&app, &key, "Lovelace", 5).await;
        rename(&app, &key, &lovelace, "Lovelock").await;
        let gone = nth_named(&app, &key, "Lovelace", 0).await;
        let reply = app.delete(&format!("/api/admin/users/{gone}"), &key).await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        let past = (Utc::now() - Duration::days(365)).trunc_subsecs(6);
        app.insert_user_row("imported", "Lovelace", past).await;
        create(&app, &key, "lovelace_fan", "Grace", "Byron").await;
        // Another instance adds a name of its own, then both add the same new names at once.
        let other = app.another_instance().await;
        create(&other, &key, "qq1", "Jo", "Quill").await;
        create(&other, &key, "qq2", "Quilla", "Quill").await;
        tokio::join!(
            async {
                for i in 0..5 {
                    create(&app, &key, &format!("one_{i}"), "Zephyrine", "Zephyr").await;
                }
            },
            async {
                for i in 0..5 {
                    create(&other, &key, &format!("two_{i}"), "Zephyrine", "Zephyr").await;
                }
            }
        );
        other.finish().await;

        for (term, matches) in [
            ("lovelace", 17),
            ("love", 18),
            ("lovelock", 1),
            ("hopper", 15),
            ("quil", 2),
            ("imported", 1),
            ("grace", 3 + 1),
            ("zephyr", 10),
        ] {
            assert_eq!(assert_search(&app, &key, term).await, matches, "{term}");
        }
        assert_eq!(names_missing(&app).await, 0);
        app
    })
    .await;
}
