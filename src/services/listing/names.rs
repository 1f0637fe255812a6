//! A search of three characters or more, counted and paged from indexes rather than from the
//! users' rows.
//!
//! A name such as `lovelace` can match a large share of all users. A trigram index finds them,
//! but on PostgreSQL must read each of their rows again to confirm the match, on SQLite must
//! intersect its trigrams' lists for every match, and a deep page must then sort or walk them
//! all. Names repeat where logins do not, so the term is first looked up among the distinct
//! names (`search_names`). The users under the names found are counted from the name fields'
//! indexes, which are in listing order, without reading a row; users whom the term matches by
//! username or email only are counted through the logins' own trigram index. A page is read by
//! walking those indexes in listing order, merged, and skipping entries up to the page.

use crate::error::CoreError;
use crate::store::rows::UserRow;
use crate::store::{Backend, Database, dialect};

use crate::services::Core;

/// The most index ranges (a matching name in one of the two name fields) a page merges in
/// listing order. A term matching more is paged as any other search.
const MERGED_RANGES: usize = 8;

/// On PostgreSQL: the names holding `term` (bound to `$1` as a `LIKE` pattern), and how many
/// users it matches under a matching first name, under a matching last name, under both, and by
/// username or email but by neither name. One statement, so all come from one snapshot; the
/// users under both names are only looked for when both fields match someone.
fn postgres_matches_sql(term: &str) -> String {
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

/// On SQLite, the names holding the full-text phrase bound to `$1`, as a JSON array. The name
/// indexes key `lower(name)`, and the names' own full-text index folds case as the users' does,
/// so a name matches exactly when the users under it would.
const SQLITE_NAMES: &str = "SELECT json_group_array(name) FROM (\
    SELECT n.name FROM search_names_text t JOIN search_names n ON n.id = t.rowid \
    WHERE search_names_text MATCH $1 ORDER BY n.name)";

/// On SQLite, the users under a first name and under a last name of the JSON array bound to
/// `$1`, each counted from its name index alone.
const SQLITE_UNDER_NAMES: &str = "SELECT \
    (SELECT count(*) FROM users WHERE lower(name_first) IN (SELECT value FROM json_each($1))), \
    (SELECT count(*) FROM users WHERE lower(name_last) IN (SELECT value FROM json_each($1)))";

/// On SQLite, the users under both a first and a last name of `$1`.
const SQLITE_UNDER_BOTH: &str = "SELECT count(*) FROM users \
    WHERE lower(name_first) IN (SELECT value FROM json_each($1)) \
    AND lower(name_last) IN (SELECT value FROM json_each($1))";

/// On SQLite, the users whose username or email holds the phrase `$1`, but neither name of `$2`
/// (read from their rows; with no names, counted from the index alone).
const SQLITE_BY_LOGIN_ONLY: &str = "SELECT CASE WHEN json_array_length($2) = 0 \
    THEN (SELECT count(*) FROM users_login_search WHERE users_login_search MATCH $1) \
    ELSE (SELECT count(*) FROM users_login_search s JOIN users u ON u.id = s.rowid \
        WHERE users_login_search MATCH $1 \
        AND lower(u.name_first) NOT IN (SELECT value FROM json_each($2)) \
        AND lower(u.name_last) NOT IN (SELECT value FROM json_each($2))) END";

/// The users a search term matches, by where it matches them.
pub(super) struct NameMatches {
    backend: Backend,
    /// The lowercased names holding the term, in order.
    names: Vec<String>,
    under_first: i64,
    under_last: i64,
    /// Users counted under both a first and a last name.
    under_both: i64,
    /// Users the term matches by username or email, but by neither name.
    by_login_only: i64,
    /// Whether ids follow the listing order (SQLite, `user_order`).
    in_order: bool,
}

impl NameMatches {
    /// The exact number of users the term matches.
    pub(super) fn total(&self) -> i64 {
        self.under_first + self.under_last - self.under_both + self.by_login_only
    }

    /// The (field, name) index ranges holding matches.
    fn ranges(&self) -> Vec<(&'static str, usize)> {
        let mut ranges = Vec::new();
        for (users, field) in [(self.under_first, "first"), (self.under_last, "last")] {
            if users > 0 {
                ranges.extend((0..self.names.len()).map(|name| (field, name)));
            }
        }
        ranges
    }

    /// The keys (uuid, k: the created time) of the page from `offset`, merged in listing order from the
    /// name indexes (and, on SQLite, the logins' full-text index), in `order`; `None` when the
    /// indexes cannot yield the matches in listing order.
    pub(super) fn page_keys(&self, limit: i64, offset: i64, order: &str) -> Option<String> {
        let ranges = self.ranges();
        match self.backend {
            Backend::Postgres => {
                // A user under two matching names, or matched by a login, would need the merge
                // to drop duplicates or take a third kind of range; many ranges would make a
                // plan per count of names.
                if ranges.is_empty()
                    || ranges.len() > MERGED_RANGES
                    || self.under_both > 0
                    || self.by_login_only > 0
                {
                    return None;
                }
                let ranges = ranges.iter().map(|(field, name)| {
                    format!(
                        "(SELECT u.uuid, u.created FROM users u \
                         WHERE u.name_{field}_key = (CAST($1 AS TEXT[]))[{}] \
                         ORDER BY u.created {order}, u.uuid {order})",
                        name + 1
                    )
                });
                Some(format!(
                    "SELECT uuid, created AS k FROM ({}) merged \
                     ORDER BY created {order}, uuid {order} LIMIT {limit} OFFSET {offset}",
                    ranges.collect::<Vec<_>>().join(" UNION ALL ")
                ))
            }
            Backend::Sqlite => {
                if !self.in_order {
                    return None;
                }
                // Each part yields ids in order (a field's part over many names is sorted
                // first); SQLite merges a compound `UNION` in order, dropping a user found
                // twice, and stops at the page.
                let mut parts = vec![
                    "SELECT rowid AS id FROM users_login_search \
                     WHERE users_login_search MATCH $1"
                        .to_owned(),
                ];
                if ranges.len() <= MERGED_RANGES {
                    parts.extend(ranges.iter().map(|(field, name)| {
                        format!(
                            "SELECT id FROM users WHERE lower(name_{field}) = ($2 ->> '$[{name}]')"
                        )
                    }));
                } else {
                    for (users, field) in [(self.under_first, "first"), (self.under_last, "last")] {
                        if users > 0 {
                            parts.push(format!(
                                "SELECT id FROM users \
                                 WHERE lower(name_{field}) IN (SELECT value FROM json_each($2))"
                            ));
                        }
                    }
                }
                Some(format!(
                    "SELECT u.uuid, u.created AS k FROM ({} ORDER BY 1 {order} LIMIT {limit} \
                     OFFSET {offset}) found JOIN users u ON u.id = found.id",
                    parts.join(" UNION ")
                ))
            }
        }
    }
}

impl NameMatches {
    /// The keys (uuid, k: the lowercased last name) of the page from `offset` in the last-name
    /// order, in `order`, when every match is under a matching last name: they are then the
    /// users under those names, read from the last-name order's own index name after name.
    /// `None` when a match may lie elsewhere.
    pub(super) fn last_name_keys(&self, limit: i64, offset: i64, order: &str) -> Option<String> {
        if self.under_first > 0 || self.by_login_only > 0 || self.under_last == 0 {
            return None;
        }
        let (key, names) = match self.backend {
            Backend::Postgres => (
                "(lower(u.name_last) COLLATE \"C\")",
                "ANY(CAST($1 AS TEXT[]))",
            ),
            Backend::Sqlite => ("lower(u.name_last)", "(SELECT value FROM json_each($2))"),
        };
        let compare = match self.backend {
            Backend::Postgres => "=",
            Backend::Sqlite => "IN",
        };
        Some(format!(
            "SELECT u.uuid, {key} AS k FROM users u WHERE {key} {compare} {names} \
             ORDER BY {key} {order}, u.uuid {order} LIMIT {limit} OFFSET {offset}"
        ))
    }
}

impl Core {
    /// Where `term`, bound as `pattern` (as the search binds it), matches users.
    pub(super) async fn match_names(
        &self,
        term: &str,
        pattern: &str,
    ) -> Result<NameMatches, CoreError> {
        let (names, under_first, under_last, under_both, by_login_only) = match &self.db {
            Database::Postgres(pool) => {
                sqlx::query_as::<_, (Vec<String>, i64, i64, i64, i64)>(&postgres_matches_sql(term))
                    .bind(pattern)
                    .fetch_one(pool)
                    .await?
            }
            Database::Sqlite(pool) => {
                // One read transaction, so every count comes from one snapshot. Each statement
                // binds its names rather than reading them from another part of the statement,
                // which SQLite would evaluate again for every row.
                let mut tx = pool.begin().await?;
                let names: String = sqlx::query_scalar(SQLITE_NAMES)
                    .bind(pattern)
                    .fetch_one(&mut *tx)
                    .await?;
                let (first, last) = sqlx::query_as::<_, (i64, i64)>(SQLITE_UNDER_NAMES)
                    .bind(&names)
                    .fetch_one(&mut *tx)
                    .await?;
                let both = if first > 0 && last > 0 {
                    sqlx::query_scalar(SQLITE_UNDER_BOTH)
                        .bind(&names)
                        .fetch_one(&mut *tx)
                        .await?
                } else {
                    0
                };
                let login_only = sqlx::query_scalar(SQLITE_BY_LOGIN_ONLY)
                    .bind(pattern)
                    .bind(&names)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.commit().await?;
                let names: Vec<String> =
                    serde_json::from_str(&names).map_err(CoreError::internal)?;
                (names, first, last, both, login_only)
            }
        };
        Ok(NameMatches {
            backend: self.backend(),
            names,
            under_first,
            under_last,
            under_both,
            by_login_only,
            in_order: self.users_follow_ids().await?,
        })
    }

    /// Reads the rows of `sql`, which reads its keys from [`NameMatches::page_keys`]; `pattern`
    /// is the search as bound.
    pub(super) async fn read_name_page(
        &self,
        names: &NameMatches,
        sql: &str,
        pattern: &str,
    ) -> Result<Vec<UserRow>, CoreError> {
        Ok(match &self.db {
            Database::Postgres(pool) => {
                sqlx::query_as::<_, UserRow>(sql)
                    .bind(&names.names)
                    .fetch_all(pool)
                    .await?
            }
            Database::Sqlite(pool) => {
                let names = serde_json::to_string(&names.names).map_err(CoreError::internal)?;
                sqlx::query_as::<_, UserRow>(sql)
                    .bind(pattern)
                    .bind(names)
                    .fetch_all(pool)
                    .await?
            }
        })
    }
}
