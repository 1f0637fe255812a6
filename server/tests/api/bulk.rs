//! Bulk actions as jobs: a dry run judges every user by the single change's rules and changes
//! nothing; a real run changes each user through the single change (its own write and activity
//! row); a job survives its instance, stops at a cancel, and stops when its starter may no
//! longer act.

use crate::common;

use common::{Auth, TestApp, on_each_backend};
use serde_json::{Value, json};

macro_rules! on_pool {
    ($app:expr, $pool:ident => $body:expr) => {
        match $app.core.database() {
            roster::store::Database::Sqlite($pool) => $body,
            roster::store::Database::Postgres($pool) => $body,
        }
    };
}

async fn start(app: &TestApp, auth: &Auth, body: Value) -> Value {
    let reply = app
        .post("/api/admin/users/bulk", auth, &body.to_string())
        .await;
    assert_eq!(reply.status, 202, "{:?}", reply.body);
    assert_eq!(reply.body["job"]["state"], "queued");
    reply.body["job"].clone()
}

async fn job(app: &TestApp, auth: &Auth, uuid: &str) -> Value {
    let reply = app.get(&format!("/api/admin/jobs/{uuid}"), auth).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body["job"].clone()
}

/// Each user of a job, by username: its outcome and reason.
async fn outcomes(app: &TestApp, auth: &Auth, uuid: &str) -> Vec<(String, Value, Value)> {
    let reply = app
        .get(&format!("/api/admin/jobs/{uuid}/users?per_page=100"), auth)
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let mut items: Vec<(String, Value, Value)> = reply.body["items"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["username"].as_str().unwrap().to_owned(),
                item["outcome"].clone(),
                item["reason"].clone(),
            )
        })
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    items
}

async fn suspended(app: &TestApp, auth: &Auth, search: &str) -> Vec<String> {
    app.whole_listing(auth, &format!("&search={search}&suspended=true"))
        .await
        .iter()
        .map(|user| user["username"].as_str().unwrap().to_owned())
        .collect()
}

async fn activity_rows(app: &TestApp, event: &str) -> i64 {
    on_pool!(app, pool => sqlx::query_scalar::<_, i64>("SELECT count(*) FROM activity WHERE event = $1")
        .bind(event)
        .fetch_one(pool)
        .await
        .unwrap())
}

#[tokio::test]
async fn a_dry_run_judges_each_user_and_changes_nothing_then_the_real_run_does_it() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let admin = app.admin_principal().await;
        for n in 1..=4 {
            app.user(&format!("bulky{n}"), false, None).await;
        }
        let asleep = app.user("bulkyzz", false, None).await;
        let reply = app
            .patch(
                &format!("/api/admin/users/{}", asleep.uuid),
                &key,
                r#"{"suspended": true}"#,
            )
            .await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        // The matches of a search, and the admin acting, by uuid.
        let mut users: Vec<String> = app
            .whole_listing(&key, "&search=bulky")
            .await
            .iter()
            .map(|u| u["uuid"].as_str().unwrap().to_owned())
            .collect();
        users.push(admin.user.uuid.to_string());
        let updates_before = activity_rows(&app, "user:update").await;

        let dry = start(&app, &key, json!({ "action": "suspend", "users": users })).await;
        assert_eq!(dry["dry_run"], true, "a dry run unless told otherwise");
        assert_eq!(dry["total"], 6);
        let uuid = dry["uuid"].as_str().unwrap();
        assert_eq!(app.core.run_due_jobs().await.unwrap(), 6);
        let done = job(&app, &key, uuid).await;
        assert_eq!(
            (
                &done["state"],
                &done["processed"],
                &done["would"],
                &done["skipped"],
                &done["refused"],
                &done["done"]
            ),
            (
                &json!("finished"),
                &json!(6),
                &json!(4),
                &json!(1),
                &json!(1),
                &json!(0)
            )
        );
        let mut expected: Vec<(String, Value, Value)> = (1..=4)
            .map(|n| (format!("bulky{n}"), json!("would"), Value::Null))
            .collect();
        expected.push((
            "bulkyzz".to_owned(),
            json!("skipped"),
            json!("already suspended"),
        ));
        expected.push((
            admin.user.username.clone(),
            json!("refused"),
            json!("cannot suspend your own account"),
        ));
        expected.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(outcomes(&app, &key, uuid).await, expected);
        assert_eq!(suspended(&app, &key, "bulky").await, ["bulkyzz"]);
        assert_eq!(activity_rows(&app, "user:update").await, updates_before);

        // Confirmed: each user its own change and activity row. Only a finished dry run is.
        let reply = app
            .post(&format!("/api/admin/jobs/{uuid}/confirm"), &key, "")
            .await;
        assert_eq!(reply.status, 202, "{:?}", reply.body);
        let real = reply.body["job"].clone();
        assert_eq!(
            (&real["dry_run"], &real["total"]),
            (&json!(false), &json!(6))
        );
        let uuid = real["uuid"].as_str().unwrap();
        app.post(&format!("/api/admin/jobs/{uuid}/confirm"), &key, "")
            .await
            .assert_error(400, &["job: only a finished dry run is confirmed"]);
        app.core.run_due_jobs().await.unwrap();
        let done = job(&app, &key, uuid).await;
        assert_eq!(
            (
                &done["state"],
                &done["done"],
                &done["skipped"],
                &done["refused"]
            ),
            (&json!("finished"), &json!(4), &json!(1), &json!(1))
        );
        assert_eq!(
            suspended(&app, &key, "bulky").await,
            ["bulky1", "bulky2", "bulky3", "bulky4", "bulkyzz"]
        );
        assert_eq!(activity_rows(&app, "user:update").await, updates_before + 4);

        // The per-user report.
        let report = app
            .get(&format!("/api/admin/jobs/{uuid}/report.csv"), &key)
            .await;
        assert_eq!(report.status, 200);
        assert_eq!(report.headers["content-type"], "text/csv; charset=utf-8");
        let text = report.body.as_str().unwrap();
        let mut lines: Vec<&str> = text.trim_end().lines().collect();
        assert_eq!(lines.remove(0), "user_uuid,username,outcome,reason");
        assert_eq!(lines.len(), 6);
        assert!(
            lines.contains(
                &format!(
                    "{},{},refused,cannot suspend your own account",
                    admin.user.uuid, admin.user.username
                )
                .as_str()
            ),
            "{text}"
        );
        app
    })
    .await;
}

#[tokio::test]
async fn a_filter_selects_the_matches_and_each_user_is_judged_by_the_callers_authority() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let helpdesk = app.role("helpdesk", &["users.read", "users.update"]).await;
        let wide = app.role("wide", &["users.read", "users.update", "users.delete"]).await;
        let agent = app.user("agent", false, Some(helpdesk)).await;
        let narrow = Auth::Key(app.key_for(&agent, &["users.read", "users.update"]).await);
        app.user("flock1", false, None).await;
        app.user("flock2", false, None).await;
        app.user("flock3", false, Some(wide)).await;
        app.user("flock4", true, None).await;

        let started = start(&app, &narrow, json!({ "action": "suspend", "filter": { "search": "flock" } })).await;
        assert_eq!(started["total"], 4);
        let uuid = started["uuid"].as_str().unwrap();
        app.core.run_due_jobs().await.unwrap();
        assert_eq!(
            outcomes(&app, &narrow, uuid).await,
            vec![
                ("flock1".to_owned(), json!("would"), Value::Null),
                ("flock2".to_owned(), json!("would"), Value::Null),
                ("flock3".to_owned(), json!("refused"), json!("you do not have permission to perform this action: users.delete")),
                ("flock4".to_owned(), json!("refused"), json!("only global admins can modify or delete an admin")),
            ]
        );
        // Someone else's job is nobody else's business; a global admin may look.
        let other = app.user("other", false, Some(helpdesk)).await;
        let other = Auth::Key(app.key_for(&other, &["users.read", "users.update"]).await);
        app.get(&format!("/api/admin/jobs/{uuid}"), &other)
            .await
            .assert_error(404, &["job not found"]);
        assert_eq!(job(&app, &key, uuid).await["refused"], 2);

        // The single change's permissions, up front.
        let reader = Auth::Key(app.key_for(&agent, &["users.read"]).await);
        app.post("/api/admin/users/bulk", &reader, &json!({ "action": "suspend", "filter": {} }).to_string())
            .await
            .assert_error(403, &["you do not have permission to perform this action: users.update"]);
        app.post("/api/admin/users/bulk", &narrow, &json!({ "action": "delete", "filter": {} }).to_string())
            .await
            .assert_error(403, &["you do not have permission to perform this action: users.delete"]);
        app.post("/api/admin/users/bulk", &key, &json!({ "action": "assign_role", "filter": {} }).to_string())
            .await
            .assert_error(400, &["role: is required to assign a role"]);
        app.post("/api/admin/users/bulk", &key, &json!({ "action": "explode", "users": ["x"], "filter": {} }).to_string())
            .await
            .assert_error(400, &[
                "action: must be suspend, unsuspend, assign_role, remove_role, send_password_reset, disable_two_factor or delete",
                "users: give either users or filter",
            ]);
        app
    })
    .await;
}

#[tokio::test]
async fn a_job_left_by_a_stopped_instance_is_finished_by_another_and_nobody_is_changed_twice() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        app.core.seed_users(250).await.unwrap();
        let before = activity_rows(&app, "user:update").await;
        let started = start(
            &app,
            &key,
            json!({ "action": "suspend", "filter": { "suspended": "false" }, "dry_run": false }),
        )
        .await;
        let total = started["total"].as_i64().unwrap();
        assert_eq!(
            total, 251,
            "the seeded users and the admin acting: {started}"
        );
        let uuid = started["uuid"].as_str().unwrap().to_owned();

        // This instance stops in the middle of its job: the runner is dropped after a batch.
        let runner = {
            let core = app.core.clone();
            tokio::spawn(async move { core.run_due_jobs().await })
        };
        loop {
            if job(&app, &key, &uuid).await["processed"].as_i64().unwrap() >= 100 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        runner.abort();
        let _ = runner.await;
        let halfway = job(&app, &key, &uuid).await;
        assert_eq!(halfway["state"], "running");
        assert!(halfway["processed"].as_i64().unwrap() < total, "{halfway}");

        // Nobody else takes it while the claim holds; once it runs out, another instance does.
        let other = app.another_instance().await;
        assert_eq!(other.core.run_due_jobs().await.unwrap(), 0);
        on_pool!(app, pool => {
            sqlx::query("UPDATE jobs SET claimed_until = $1")
                .bind(chrono::Utc::now() - chrono::Duration::seconds(1))
                .execute(pool)
                .await
                .unwrap();
        });
        other.core.run_due_jobs().await.unwrap();
        let done = job(&other, &key, &uuid).await;
        assert_eq!(done["state"], "finished", "{done}");
        assert_eq!(done["refused"], 1, "the admin acting: {done}");
        assert_eq!(
            done["done"].as_i64().unwrap() + done["skipped"].as_i64().unwrap(),
            total - 1,
            "{done}"
        );
        // Every user was suspended once: one activity row each.
        assert_eq!(activity_rows(&app, "user:update").await, before + total - 1);
        let active = app
            .get("/api/admin/users?suspended=false&per_page=1", &key)
            .await;
        assert_eq!(active.body["users"]["total"], 1, "only the admin acting");
        other.finish().await;
        app
    })
    .await;
}

#[tokio::test]
async fn a_cancelled_job_stops_and_a_job_whose_starter_was_suspended_fails() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        for n in 1..=3 {
            app.user(&format!("calm{n}"), false, None).await;
        }
        let started = start(&app, &key, json!({ "action": "suspend", "filter": { "search": "calm" }, "dry_run": false })).await;
        let uuid = started["uuid"].as_str().unwrap();
        let reply = app.post(&format!("/api/admin/jobs/{uuid}/cancel"), &key, "").await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        assert_eq!(reply.body["job"]["state"], "cancelled");
        assert_eq!(app.core.run_due_jobs().await.unwrap(), 0);
        assert_eq!(suspended(&app, &key, "calm").await, Vec::<String>::new());

        // A second global admin starts a job, and is suspended before it runs.
        let boss = app.user("boss", true, None).await;
        let boss_key = Auth::Key(app.key_for(&boss, &["users.read", "users.update"]).await);
        let started = start(&app, &boss_key, json!({ "action": "suspend", "filter": { "search": "calm" }, "dry_run": false })).await;
        let uuid = started["uuid"].as_str().unwrap();
        let reply = app
            .patch(&format!("/api/admin/users/{}", boss.uuid), &key, r#"{"suspended": true}"#)
            .await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        assert_eq!(app.core.run_due_jobs().await.unwrap(), 0);
        let failed = job(&app, &key, uuid).await;
        assert_eq!(failed["state"], "failed");
        assert_eq!(
            failed["error"],
            "whoever started it can no longer act: their session or key ended, or they were suspended or deleted"
        );
        assert_eq!(suspended(&app, &key, "calm").await, Vec::<String>::new());
        app
    })
    .await;
}
