//! A search of three characters or more on PostgreSQL, counted and paged from indexes rather
//! than from the users' rows.
//!
//! A name such as `lovelace` can match a large share of all users. The trigram index finds
//! them, but must read each of their rows again to confirm the match, and a deep page must then
//! sort them all. Names repeat where logins do not, so the term is first looked up among the
//! distinct names (`search_names`). The users under the names found are counted from the name
//! fields' indexes, which are in listing order, without reading a row; users whom the term
//! matches by username or email only are counted through their own trigram index. When every
//! match is a user under exactly one of a few names, a page is read by walking those indexes in
//! listing order, merged, and skipping entries up to the page.

use sqlx::PgPool;

use crate::error::CoreError;
use crate::store::rows::UserRow;
use crate::store::{Database, dialect};

use crate::services::Core;

/// The most index ranges (a matching name in one of the two name fields) a page merges in
/// listing order. A term matching more is paged as any other search.
const MERGED_RANGES: usize = 8;

/// The names holding `term` (bound to `$1` as a `LIKE` pattern), and how many users it
/// matches under a matching first name, under a matching last name, under both, and by username
/// or email but by neither name. One statement, so all come from one snapshot; the users under
/// both names are only looked for when both fields match someone.
fn matches_sql(term: &str) -> String {
    let by_login = dialect::postgres_contains("u.login_text", term);
    format!(
        "WITH found AS MATERIALIZED (\
             SELECT coalesce(array_agg(name ORDER BY name), '{{}}') AS names FROM search_names \
             WHERE name LIKE lower($1) ESCAPE '\\'), \
         counted AS MATERIALIZED (SELECT found.names, \
             (SELECT count(*) FROM users u WHERE u.name_first_key = ANY(found.names)) AS first, \
             (SELECT count(*) FROM users u WHERE u.name_last_key = ANY(found.names)) AS last, \
             (SELECT count(*) FROM users u WHERE {by_login} \
                 AND NOT (u.name_first_key = ANY(found.names) \
                     OR u.name_last_key = ANY(found.names))) AS login_only \
             FROM found) \
         SELECT names, first, last, CASE WHEN first > 0 AND last > 0 THEN (\
                 SELECT count(*) \
                 FROM (SELECT uuid FROM users WHERE name_first_key = ANY(counted.names)) first \
                 JOIN (SELECT uuid FROM users WHERE name_last_key = ANY(counted.names)) last \
                     USING (uuid)) ELSE 0 END, \
             login_only \
         FROM counted"
    )
}

/// The users a search term matches, by where it matches them.
pub(super) struct NameMatches {
    pool: PgPool,
    /// The lowercased names holding the term, in order.
    names: Vec<String>,
    under_first: i64,
    under_last: i64,
    /// Users counted under both a first and a last name.
    under_both: i64,
    /// Users the term matches by username or email, but by neither name.
    by_login_only: i64,
}

impl NameMatches {
    /// The exact number of users the term matches.
    pub(super) fn total(&self) -> i64 {
        self.under_first + self.under_last - self.under_both + self.by_login_only
    }

    /// The keys (uuid, created) of the page from `offset`, merged in listing order from the
    /// name indexes, binding the names to `$1`; `None` unless every match is a user under
    /// exactly one matching name, and a few index ranges hold them all.
    pub(super) fn page_keys(&self, limit: i64, offset: i64, order: &str) -> Option<String> {
        if self.under_both > 0 || self.by_login_only > 0 {
            return None;
        }
        let mut ranges = Vec::new();
        for (users, column) in [
            (self.under_first, "name_first_key"),
            (self.under_last, "name_last_key"),
        ] {
            if users > 0 {
                ranges.extend((1..=self.names.len()).map(|name| {
                    format!(
                        "(SELECT u.uuid, u.created FROM users u \
                         WHERE u.{column} = (CAST($1 AS TEXT[]))[{name}] \
                         ORDER BY u.created {order}, u.uuid {order})"
                    )
                }));
            }
        }
        if ranges.is_empty() || ranges.len() > MERGED_RANGES {
            return None;
        }
        Some(format!(
            "SELECT uuid, created FROM ({}) merged ORDER BY created {order}, uuid {order} \
             LIMIT {limit} OFFSET {offset}",
            ranges.join(" UNION ALL ")
        ))
    }

    /// Reads the rows of `sql`, which reads its keys from [`Self::page_keys`].
    pub(super) async fn read_page(&self, sql: &str) -> Result<Vec<UserRow>, CoreError> {
        Ok(sqlx::query_as::<_, UserRow>(sql)
            .bind(&self.names)
            .fetch_all(&self.pool)
            .await?)
    }
}

impl Core {
    /// Where `term`, bound as `pattern` (a `LIKE` pattern, as the search binds it), matches
    /// users; `None` on SQLite, whose full-text index counts and pages a search itself.
    pub(super) async fn match_names(
        &self,
        term: &str,
        pattern: &str,
    ) -> Result<Option<NameMatches>, CoreError> {
        let Database::Postgres(pool) = &self.db else {
            return Ok(None);
        };
        let (names, under_first, under_last, under_both, by_login_only) =
            sqlx::query_as::<_, (Vec<String>, i64, i64, i64, i64)>(&matches_sql(term))
                .bind(pattern)
                .fetch_one(pool)
                .await?;
        Ok(Some(NameMatches {
            pool: pool.clone(),
            names,
            under_first,
            under_last,
            under_both,
            by_login_only,
        }))
    }
}
