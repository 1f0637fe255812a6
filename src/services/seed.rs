//! Generated users and activity for measurements (`roster seed`): loaded in large batches
//! past the per-row triggers' costs where the database allows, then analysed, as an import
//! would be.

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use super::listing::grams::GramTally;
use super::{Core, now};
use crate::error::CoreError;
use crate::store::{with_db, with_tx};

/// When seeded user `i` last signed in: two in three at some moment of the 90 days before the
/// seed, spread by a multiplicative hash; the rest never.
fn seed_last_login(start: DateTime<Utc>, i: u64) -> Option<DateTime<Utc>> {
    const NINETY_DAYS: u64 = 90 * 24 * 3600;
    (!i.is_multiple_of(3)).then(|| {
        let back = i.wrapping_mul(2_654_435_761) % NINETY_DAYS;
        start - chrono::Duration::seconds(back as i64)
    })
}

/// Rows per statement when seeding, and statements per transaction: large transactions let
/// SQLite's full-text index write few, large segments.
const SEED_BATCH: u64 = 500;
const SEED_BATCHES_PER_COMMIT: u64 = 20;

/// What `roster seed` wrote.
#[derive(Debug)]
pub struct SeedReport {
    pub inserted: u64,
}

impl Core {
    /// Fills the database with `count` generated users (no passwords) for measurements, in
    /// batched transactions. Their addresses are numbered on from the users already there, so
    /// seeding again adds new ones.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn seed_users(&self, count: u64) -> Result<SeedReport, CoreError> {
        let start = now();
        let run = &Uuid::new_v4().simple().to_string()[..6];
        let numbered_from = u64::try_from(self.count_users().await?).unwrap_or_default();
        let mut inserted = 0;
        while inserted < count {
            let mut tx = self.upkeep().await?;
            GramTally::defer_triggers(&mut tx).await?;
            let mut grams = GramTally::default();
            for _ in 0..SEED_BATCHES_PER_COMMIT {
                let batch = SEED_BATCH.min(count - inserted);
                if batch == 0 {
                    break;
                }
                let mut sql = String::from(
                    "INSERT INTO users (uuid, username, email, name_first, name_last, admin, \
                     totp_enabled, language, created, external_id, last_login) VALUES ",
                );
                for i in 0..batch {
                    if i > 0 {
                        sql.push(',');
                    }
                    let n = i * 8;
                    sql.push_str(&format!(
                        "(${}, ${}, ${}, ${}, ${}, FALSE, FALSE, 'en', ${}, ${}, ${})",
                        n + 1,
                        n + 2,
                        n + 3,
                        n + 4,
                        n + 5,
                        n + 6,
                        n + 7,
                        n + 8
                    ));
                }
                with_tx!(&mut tx, conn => {
                    let mut q = sqlx::query(&sql);
                    for i in inserted..inserted + batch {
                        let (first, last) = seed_name(i);
                        let username = format!("s{run}_{i}");
                        let email = seed_email(first, numbered_from + i);
                        grams.add_user([&username, &email, first, last]);
                        q = q
                            .bind(Uuid::new_v4())
                            .bind(username)
                            .bind(email)
                            .bind(first)
                            .bind(last)
                            .bind(start + chrono::Duration::microseconds(i as i64))
                            .bind(format!("x{run}-{i}"))
                            .bind(seed_last_login(start, i));
                    }
                    q.execute(conn).await.map(|_| ())
                })?;
                inserted += batch;
            }
            grams.write(&mut tx).await?;
            tx.commit().await?;
        }
        self.balance_user_blocks().await?;
        self.ready_after_bulk_load(&["users", "search_names", "search_grams", "user_blocks"])
            .await?;
        Ok(SeedReport { inserted })
    }

    /// Fills the log with `count` generated rows for measurements: changes of names among the
    /// first thousand users, one microsecond apart, in batched transactions.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn seed_activity(&self, count: u64) -> Result<SeedReport, CoreError> {
        const BATCH: u64 = 500;
        if count == 0 {
            return Ok(SeedReport { inserted: 0 });
        }
        let people = with_db!(&self.db, pool => {
            sqlx::query_as::<_, (Uuid, String)>(
                "SELECT uuid, username FROM users ORDER BY created, uuid LIMIT 1000",
            )
            .fetch_all(pool)
            .await
        })?;
        if people.is_empty() {
            return Err(CoreError::invalid_field("activity", "needs users to act"));
        }
        let start = now();
        let changes = json!({ "name_first": { "before": "Ada", "after": "Grace" } }).to_string();
        let mut inserted = 0;
        while inserted < count {
            let batch = BATCH.min(count - inserted);
            let mut sql = String::from(
                "INSERT INTO activity (created, event, actor_uuid, actor_username, \
                 credential_kind, target_kind, target_uuid, target_label, changes) VALUES ",
            );
            for i in 0..batch {
                if i > 0 {
                    sql.push(',');
                }
                let n = i * 6;
                sql.push_str(&format!(
                    "(${}, 'user:update', ${}, ${}, 'session', 'user', ${}, ${}, ${})",
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4,
                    n + 5,
                    n + 6,
                ));
            }
            let mut tx = self.upkeep().await?;
            with_tx!(&mut tx, conn => {
                let mut q = sqlx::query(&sql);
                for i in inserted..inserted + batch {
                    let actor = &people[(i as usize) % people.len()];
                    let target = &people[(i as usize * 7 + 3) % people.len()];
                    q = q
                        .bind(start + chrono::Duration::microseconds(i as i64))
                        .bind(actor.0)
                        .bind(&actor.1)
                        .bind(target.0)
                        .bind(&target.1)
                        .bind(&changes);
                }
                q.execute(conn).await.map(|_| ())
            })?;
            tx.commit().await?;
            inserted += batch;
        }
        self.ready_after_bulk_load(&["activity"]).await?;
        Ok(SeedReport { inserted })
    }
}

/// A seeded user's address: the first name and a number, at one of a few common domains, so
/// that the domains' text is as common among seeded users as among real ones.
fn seed_email(first: &str, i: u64) -> String {
    const DOMAINS: &[&str] = &[
        "gmail.com",
        "outlook.com",
        "yahoo.com",
        "hotmail.com",
        "icloud.com",
        "proton.me",
    ];
    let domain = DOMAINS[(i % DOMAINS.len() as u64) as usize];
    format!("{}.{i}@{domain}", first.to_ascii_lowercase())
}

fn seed_name(i: u64) -> (&'static str, &'static str) {
    const FIRST: &[&str] = &[
        "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Linus", "Ken", "Radia",
        "Frances", "Niklaus", "Leslie", "Tony", "Hedy", "John",
    ];
    const LAST: &[&str] = &[
        "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Torvalds",
        "Thompson", "Perlman", "Allen", "Wirth", "Lamport", "Hoare", "Lamarr", "Backus",
    ];
    (
        FIRST[(i % FIRST.len() as u64) as usize],
        LAST[((i / FIRST.len() as u64) % LAST.len() as u64) as usize],
    )
}
