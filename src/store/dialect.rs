//! The few places where SQLite and PostgreSQL need different SQL.

use super::Backend;

/// Row lock for a read-check-write. SQLite's `BEGIN IMMEDIATE` already holds the only write
/// lock, so it needs none.
pub fn for_update(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE OF u",
    }
}

/// Row lock for a read-check-write on a single-table query.
pub fn lock_row(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE",
    }
}

/// A statement that serialises, for the rest of the transaction, every change that could take
/// away a global admin, so that two of them cannot each see the other admin and both proceed.
/// SQLite's `BEGIN IMMEDIATE` already serialises every write.
pub fn admin_removal_lock(backend: Backend) -> Option<&'static str> {
    match backend {
        Backend::Sqlite => None,
        // Any fixed key will do; this one is the bytes of "roster a".
        Backend::Postgres => Some("SELECT pg_advisory_xact_lock(8245936386494046305)"),
    }
}

/// A statement that waits for running user writes and holds new ones until the transaction
/// ends, so that counts of users stay true while it runs. SQLite's `BEGIN IMMEDIATE` already
/// holds the only write lock.
pub fn user_writes_lock(backend: Backend) -> Option<&'static str> {
    match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"),
    }
}

/// Skips rows another transaction has locked, so that workers claiming mail never wait for
/// each other; SQLite's single writer needs nothing.
pub fn skip_locked(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
    }
}

/// [`skip_locked`] for a query joining tables: locks only the rows of `table` (an alias).
pub fn skip_locked_of(backend: Backend, table: &str) -> String {
    match backend {
        Backend::Sqlite => String::new(),
        Backend::Postgres => format!(" FOR UPDATE OF {table} SKIP LOCKED"),
    }
}

/// A term of one or two characters on PostgreSQL, found in `search_text` without an index.
const POSTGRES_SHORT_MATCH: &str = "strpos(u.search_text, lower($1)) > 0";

/// A filter on `users u` matching `term` as a case-insensitive substring of username, email,
/// first or last name, with `%` and `_` taken literally. Returns the SQL condition (binding
/// `$1`) and the value to bind.
pub fn user_search(backend: Backend, term: &str) -> (String, String) {
    let short = !searches_names(term);
    match backend {
        // The trigram index answers terms of three characters or more. A shorter term has no
        // trigram, and walking the whole index for it is slower than reading the table.
        // `search_text` holds the four fields lowercased, one per line; a term holds no
        // control character, so it never matches across two fields.
        Backend::Postgres if short => (POSTGRES_SHORT_MATCH.to_owned(), term.to_owned()),
        Backend::Postgres => (
            postgres_contains("u.search_text", term),
            format!("%{}%", escape_like(term)),
        ),
        // Terms of three characters or more are found through the logins' trigram index and
        // the names holding them (`search_names`); shorter terms scan. SQLite's `lower` folds
        // ASCII letters only, on the term as on the fields, so a term always finds the text it
        // spells exactly; the full-text indexes fold case the same way for both.
        Backend::Sqlite if !short => (
            format!(
                "(u.id IN (SELECT rowid FROM users_login_search WHERE users_login_search MATCH $1) \
                 OR lower(u.name_first) IN ({SQLITE_NAMES_MATCHING}) \
                 OR lower(u.name_last) IN ({SQLITE_NAMES_MATCHING}))"
            ),
            format!("\"{}\"", term.replace('"', "\"\"")),
        ),
        Backend::Sqlite => (
            "(instr(lower(u.username), lower($1)) > 0 OR instr(lower(u.email), lower($1)) > 0 \
             OR instr(lower(u.name_first), lower($1)) > 0 \
             OR instr(lower(u.name_last), lower($1)) > 0)"
                .to_owned(),
            term.to_owned(),
        ),
    }
}

/// On PostgreSQL, `column` (lowercased, with a trigram index) holds the term bound to `$1` as
/// a `LIKE` pattern (`%term%`, escaped). A term holding `@` with three characters or more before
/// it (most often an address) is looked up in the index by the part before the `@` alone, and the
/// whole term is checked on the rows found, where no index is used: a domain's trigrams are among
/// the commonest of all (every address at `gmail.com` holds `com`), and reading their entries
/// costs more than the rest of the search.
pub fn postgres_contains(column: &str, term: &str) -> String {
    let before_at = term.split_once('@').map(|(local, _)| local.chars().count());
    if before_at.is_some_and(|chars| chars >= 3) {
        format!(
            "({column} LIKE (split_part(lower($1), '@', 1) || '%') ESCAPE '\\' \
             AND ({column} || '') LIKE lower($1) ESCAPE '\\')"
        )
    } else {
        format!("{column} LIKE lower($1) ESCAPE '\\'")
    }
}

/// The number of users a search of one or two characters matches, from the counts kept per
/// gram (`search_grams`), binding `$1` as [`user_search`] binds it; `None` for a longer term.
pub fn gram_count(backend: Backend, term: &str) -> Option<String> {
    if !(1..=2).contains(&term.chars().count()) {
        return None;
    }
    const KEPT: &str = "coalesce((SELECT users FROM search_grams WHERE gram = lower($1)), 0)";
    Some(match backend {
        // SQLite's `lower` never changes a term's length.
        Backend::Sqlite => format!("SELECT {KEPT}"),
        // Lowercasing may lengthen a term; a term longer than a gram once lowercased is
        // counted from the users.
        Backend::Postgres => format!(
            "SELECT CASE WHEN char_length(lower($1)) <= 2 THEN {KEPT} \
             ELSE (SELECT count(*) FROM users u WHERE {POSTGRES_SHORT_MATCH}) END"
        ),
    })
}

/// Whether a search alone for `term` is counted, and may be paged, through the names holding
/// it (`listing::names`): a term of three characters or more, which has trigrams.
pub fn searches_names(term: &str) -> bool {
    term.chars().count() >= 3
}

/// On SQLite, the lowercased names holding the full-text phrase bound to `$1`.
const SQLITE_NAMES_MATCHING: &str = "SELECT n.name FROM search_names_text t \
     JOIN search_names n ON n.id = t.rowid WHERE search_names_text MATCH $1";

/// A uuid as an SQL literal of the type its columns hold (a blob on SQLite): safe to write into
/// a statement, being hex digits only.
pub fn uuid_literal(backend: Backend, uuid: uuid::Uuid) -> String {
    match backend {
        Backend::Sqlite => format!("X'{}'", uuid.simple()),
        Backend::Postgres => format!("'{uuid}'::uuid"),
    }
}

/// `column` contains `$placeholder`, case-insensitively, with no wildcard characters.
pub fn contains_ci(backend: Backend, column: &str, placeholder: usize) -> String {
    match backend {
        Backend::Sqlite => format!("instr(lower({column}), lower(${placeholder})) > 0"),
        Backend::Postgres => format!("strpos(lower({column}), lower(${placeholder})) > 0"),
    }
}

/// A `LIKE … ESCAPE '\\'` pattern matching what starts with `term`, taken literally.
pub fn like_prefix(term: &str) -> String {
    let mut pattern = escape_like(term);
    pattern.push('%');
    pattern
}

fn escape_like(term: &str) -> String {
    let mut escaped = String::with_capacity(term.len());
    for c in term.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like(r"50%_a\b"), r"50\%\_a\\b");
    }

    #[test]
    fn fts_terms_are_quoted_as_one_phrase() {
        let (_, bound) = user_search(Backend::Sqlite, r#"a"b OR c"#);
        assert_eq!(bound, r#""a""b OR c""#);
    }
}
