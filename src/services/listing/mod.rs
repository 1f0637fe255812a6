//! How a page of the user listing is answered. The listing's order is (created, uuid), or
//! another key's (`sort=`, [`key_sql`]) with the uuid breaking ties; a query may add a search
//! and filters. Which indexes answer it is chosen once, as a [`Plan`], and
//! each plan has its own count and its own page keys:
//!
//! - [`names`]: a search of three characters or more, counted (and, when few names hold it,
//!   paged) by the names it matches;
//! - [`grams`]: the counts of one- and two-character strings a short search is counted from;
//! - [`blocks`]: positions in each order, for deep pages without a filter.

pub(crate) mod blocks;
pub(crate) mod grams;
mod names;

use names::NameMatches;

use super::Core;
use crate::domain::page::{ListQuery, Page, SortKey};
use crate::domain::user::User;
use crate::error::CoreError;
use crate::store::rows::{USER_COLUMNS, UserRow};
use crate::store::{Backend, Database, dialect, with_db};

/// How the total and the page keys of one listing query are found.
enum Plan {
    /// No search, no filter: the trigger-kept total; a deep page starts from the block that
    /// holds it.
    Everyone,
    /// A search alone of one or two characters: counted from the kept gram counts.
    ShortTerm { count: String },
    /// A search alone of three characters or more: counted by the names and logins it matches;
    /// a page is read from their indexes, merged in listing order, when a few names hold it.
    Names(NameMatches),
    /// Anything else: the matching rows counted.
    Scan,
}

/// The key of `key`'s order as SQL over the users' rows (`u`), exactly as its index keys it.
pub(crate) fn key_sql(key: SortKey, backend: Backend) -> &'static str {
    match (key, backend) {
        (SortKey::Created, _) => "u.created",
        (SortKey::Username, Backend::Sqlite) => "lower(u.username)",
        (SortKey::Username, Backend::Postgres) => "(lower(u.username) COLLATE \"C\")",
        (SortKey::Email, Backend::Sqlite) => "lower(u.email)",
        (SortKey::Email, Backend::Postgres) => "(lower(u.email) COLLATE \"C\")",
        (SortKey::LastLogin, Backend::Sqlite) => "COALESCE(u.last_login, '')",
        (SortKey::LastLogin, Backend::Postgres) => "COALESCE(u.last_login, '-infinity')",
        (SortKey::NameLast, Backend::Sqlite) => "lower(u.name_last)",
        (SortKey::NameLast, Backend::Postgres) => "(lower(u.name_last) COLLATE \"C\")",
    }
}

/// Which way a page's keys are read in an order.
#[derive(Clone, Copy)]
enum Order {
    Ascending,
    Descending,
}

impl Order {
    fn sql(self) -> &'static str {
        match self {
            Order::Ascending => "ASC",
            Order::Descending => "DESC",
        }
    }
}

/// Which users a listing query selects: the `WHERE` clause and its one bound value (the
/// search, `$1`).
pub(crate) struct Selection {
    pub(crate) filter: String,
    pub(crate) bound: Option<String>,
    conditions: usize,
}

impl Selection {
    pub(crate) fn of(backend: Backend, query: &ListQuery) -> Self {
        let mut conditions = Vec::new();
        let bound = query.search.as_ref().map(|term| {
            let (condition, bound) = dialect::user_search(backend, term);
            conditions.push(condition);
            bound
        });
        if let Some(suspended) = query.suspended {
            conditions.push(format!(
                "u.suspended = {}",
                if suspended { "TRUE" } else { "FALSE" }
            ));
        }
        if let Some(role) = query.role {
            conditions.push(format!(
                "u.role_uuid = {}",
                dialect::uuid_literal(backend, role)
            ));
        }
        if let Some(signed_in) = query.signed_in {
            conditions.push(format!(
                "u.last_login IS {}NULL",
                if signed_in { "NOT " } else { "" }
            ));
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        Self {
            filter,
            bound,
            conditions: conditions.len(),
        }
    }
}

/// A listing query with its plan: the `WHERE` clause and its one bound value (the search).
pub(super) struct Listing {
    filter: String,
    bound: Option<String>,
    plan: Plan,
}

impl Core {
    /// Chooses how `query` is answered.
    pub(super) async fn plan_listing(&self, query: &ListQuery) -> Result<Listing, CoreError> {
        let backend = self.backend();
        let Selection {
            filter,
            bound,
            conditions,
        } = Selection::of(backend, query);
        let search_alone = match (conditions, query.search.as_deref(), &bound) {
            (1, Some(term), Some(pattern)) => Some((term, pattern)),
            _ => None,
        };
        let plan = match search_alone {
            None if conditions == 0 => Plan::Everyone,
            None => Plan::Scan,
            Some((term, pattern)) => match dialect::gram_count(backend, term) {
                Some(count) => Plan::ShortTerm { count },
                None if dialect::searches_names(term) => {
                    Plan::Names(self.match_names(term, pattern).await?)
                }
                None => Plan::Scan,
            },
        };
        Ok(Listing {
            filter,
            bound,
            plan,
        })
    }

    /// Answers a planned listing.
    pub(super) async fn run_listing(
        &self,
        listing: Listing,
        query: &ListQuery,
    ) -> Result<Page<User>, CoreError> {
        let total = self.listing_total(&listing).await?;
        let rows = if query.offset() >= total {
            Vec::new()
        } else {
            self.read_page(&listing, query, total).await?
        };
        Ok(Page {
            total,
            per_page: query.per_page,
            page: query.page,
            data: rows.into_iter().map(User::from).collect(),
        })
    }

    async fn listing_total(&self, listing: &Listing) -> Result<i64, CoreError> {
        let sql = match &listing.plan {
            Plan::Names(names) => return Ok(names.total()),
            Plan::Everyone => "SELECT total FROM user_count".to_owned(),
            Plan::ShortTerm { count } => count.clone(),
            Plan::Scan => format!("SELECT count(*) FROM users u {}", listing.filter),
        };
        Ok(with_db!(&self.db, pool => {
            let mut q = sqlx::query_scalar::<_, i64>(&sql);
            if let Some(bound) = &listing.bound {
                q = q.bind(bound);
            }
            q.fetch_one(pool).await
        })?)
    }

    /// The page's rows. Its keys (uuid and the order's key) are found first, from indexes; only
    /// the rows shown are then read whole, so a deep page skips index entries rather than rows.
    async fn read_page(
        &self,
        listing: &Listing,
        query: &ListQuery,
        total: i64,
    ) -> Result<Vec<UserRow>, CoreError> {
        let backend = self.backend();
        let sort = query.sort;
        let offset = query.offset();
        // The page as positions in the key's ascending order: from `start`, `take` users.
        let take = query.limit().min(total - offset);
        let start = if sort.descending {
            total - offset - take
        } else {
            offset
        };
        let after = total - start - take;
        let shown = if sort.descending {
            Order::Descending
        } else {
            Order::Ascending
        }
        .sql();
        let page = |keys: &str| {
            format!(
                "SELECT {USER_COLUMNS} FROM ({keys}) page \
                 JOIN users u ON u.uuid = page.uuid LEFT JOIN roles r ON r.uuid = u.role_uuid \
                 ORDER BY page.k {shown}, page.uuid {shown}"
            )
        };
        let through_blocks =
            matches!(listing.plan, Plan::Everyone) && self.reaches_through_blocks(start.min(after));
        // A page nearer the end is read from the end, in reverse, so that the last page of a
        // search skips no more entries than its first: the exact total says where it starts.
        let (skip, order) = if !through_blocks && after < start {
            (after, Order::Descending)
        } else {
            (start, Order::Ascending)
        };
        if let (Plan::Names(names), Some(pattern)) = (&listing.plan, &listing.bound) {
            let keys = match sort.key {
                SortKey::Created => names.page_keys(take, skip, order.sql()),
                // A name's matches lie together in the last-name order: walking it for them
                // would read every user before the name.
                SortKey::NameLast => names.last_name_keys(take, skip, order.sql()),
                _ => None,
            };
            if let Some(keys) = keys {
                return self.read_name_page(names, &page(&keys), pattern).await;
            }
        }
        let key = key_sql(sort.key, backend);
        let keys = match &listing.plan {
            Plan::Everyone if through_blocks => blocks::deep_page_keys(sort.key, backend, take),
            _ => {
                let filter = &listing.filter;
                let order = order.sql();
                if self.collects(listing, sort.key, total, skip + take).await? {
                    format!(
                        "WITH found AS MATERIALIZED (SELECT u.uuid, {key} AS k FROM users u \
                         {filter}) SELECT uuid, k FROM found \
                         ORDER BY k {order}, uuid {order} LIMIT {take} OFFSET {skip}"
                    )
                } else {
                    // SQLite is told which index walks the order: with a search it would rather
                    // find every match and sort them.
                    let walk = match (backend, sort.key) {
                        (Backend::Sqlite, SortKey::Created) | (Backend::Postgres, _) => {
                            String::new()
                        }
                        (Backend::Sqlite, key) => {
                            format!("INDEXED BY users_{}_order", key.as_str())
                        }
                    };
                    format!(
                        "SELECT u.uuid, {key} AS k FROM users u {walk} {filter} \
                         ORDER BY {key} {order}, u.uuid {order} LIMIT {take} OFFSET {skip}"
                    )
                }
            }
        };
        let sql = page(&keys);
        Ok(with_db!(&self.db, pool => {
            let mut q = sqlx::query_as::<_, UserRow>(&sql);
            if let Some(bound) = &listing.bound {
                q = q.bind(bound);
            }
            if through_blocks {
                q = q.bind(start);
            }
            q.fetch_all(pool).await
        })?)
    }

    /// Whether a page's keys are read by collecting every match and sorting them, rather than by
    /// walking the order's index past users who do not match. On PostgreSQL the planner cannot
    /// tell how many users a search matches, and may walk the listing order for a page of a rare
    /// term through the whole table; the other orders have no index that finds a filter's
    /// matches in their order on either database. The exact total can tell: the matches are
    /// collected when walking would read more rows than there are matches.
    async fn collects(
        &self,
        listing: &Listing,
        key: SortKey,
        matches: i64,
        end: i64,
    ) -> Result<bool, CoreError> {
        let may = if key == SortKey::Created {
            self.backend() == Backend::Postgres && listing.bound.is_some()
        } else {
            !listing.filter.is_empty()
        };
        Ok(may && self.walk_reads_more_than(matches, end).await?)
    }

    /// Readies `tables` after Roster loaded them in bulk, instead of leaving them to autovacuum:
    /// on PostgreSQL `VACUUM (ANALYZE)` gives the planner their figures, marks their pages
    /// all-visible (a count from an index then reads no rows) and empties the trigram indexes'
    /// pending lists (which every search would otherwise read through). Straight after a seed of
    /// a million users a search took 600–900 ms without it, 11–22 ms with it. SQLite keeps no
    /// statistics unless asked, and its listing plans do not need any.
    pub(crate) async fn ready_after_bulk_load(&self, tables: &[&str]) -> Result<(), CoreError> {
        if let Database::Postgres(pool) = &self.db {
            // VACUUM runs outside any transaction, so it goes as a plain query.
            sqlx::raw_sql(&format!("VACUUM (ANALYZE) {}", tables.join(", ")))
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    /// Whether reaching the `end`-th of `matches` users by walking all users in listing order
    /// (matches spread evenly) reads more rows than there are matches.
    async fn walk_reads_more_than(&self, matches: i64, end: i64) -> Result<bool, CoreError> {
        let users = self.count_users().await?;
        Ok(i128::from(end) * i128::from(users) > i128::from(matches) * i128::from(matches))
    }

    /// Whether users' ids follow the listing order (SQLite keeps `user_order`; PostgreSQL has
    /// no such ids).
    pub(super) async fn users_follow_ids(&self) -> Result<bool, CoreError> {
        let Database::Sqlite(pool) = &self.db else {
            return Ok(false);
        };
        let by_id = sqlx::query_scalar::<_, bool>("SELECT by_id FROM user_order")
            .fetch_one(pool)
            .await?;
        Ok(by_id)
    }
}
