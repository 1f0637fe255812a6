//! How many users hold each string of one or two characters (a gram) in their searchable
//! fields. A search that short has no trigram for the full-text indexes, so its total comes
//! from these counts instead of a read of every user. Triggers keep them on every write
//! (`search_grams` in the migrations); a bulk load counts what it writes itself, here.

use std::collections::HashMap;

use crate::store::{Tx, with_tx};

/// Rows per statement when a tally is written: two parameters each, far below either
/// database's limit.
const WRITE_BATCH: usize = 1000;

/// The grams of users written in bulk, counted in memory and added to `search_grams` at once.
#[derive(Debug, Default)]
pub(crate) struct GramTally {
    users: HashMap<String, i64>,
}

impl GramTally {
    /// Counts one user's grams, each once however often it occurs. `fields` must be ASCII: the
    /// databases lowercase the stored fields, and only for ASCII is Rust's lowercasing the
    /// same as both of theirs.
    pub(crate) fn add_user(&mut self, fields: [&str; 4]) {
        let mut grams = Vec::with_capacity(fields.iter().map(|field| 2 * field.len()).sum());
        let lowered = fields.map(str::to_ascii_lowercase);
        for field in &lowered {
            debug_assert!(field.is_ascii(), "only ASCII fields are tallied");
            let bytes = field.len();
            for start in 0..bytes {
                grams.push(&field[start..start + 1]);
                if start + 2 <= bytes {
                    grams.push(&field[start..start + 2]);
                }
            }
        }
        grams.sort_unstable();
        grams.dedup();
        for gram in grams {
            match self.users.get_mut(gram) {
                Some(users) => *users += 1,
                None => {
                    self.users.insert(gram.to_owned(), 1);
                }
            }
        }
    }

    /// Stops the triggers from counting this transaction's user writes: its tally adds them
    /// when it is written. Nothing outside the transaction sees the switch.
    pub(crate) async fn defer_triggers(tx: &mut Tx) -> Result<(), sqlx::Error> {
        with_tx!(tx, conn => {
            sqlx::query("UPDATE search_gram_state SET deferred = TRUE")
                .execute(conn)
                .await
                .map(|_| ())
        })
    }

    /// Adds the tally to the kept counts and lets the triggers count again, in the transaction
    /// that wrote the users.
    pub(crate) async fn write(self, tx: &mut Tx) -> Result<(), sqlx::Error> {
        let tally: Vec<(String, i64)> = self.users.into_iter().collect();
        for chunk in tally.chunks(WRITE_BATCH) {
            let mut sql = String::from("INSERT INTO search_grams (gram, users) VALUES ");
            for i in 0..chunk.len() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!("(${}, ${})", 2 * i + 1, 2 * i + 2));
            }
            sql.push_str(
                " ON CONFLICT (gram) DO UPDATE SET users = search_grams.users + excluded.users",
            );
            with_tx!(&mut *tx, conn => {
                let mut q = sqlx::query(&sql);
                for (gram, users) in chunk {
                    q = q.bind(gram).bind(users);
                }
                q.execute(conn).await.map(|_| ())
            })?;
        }
        with_tx!(tx, conn => {
            sqlx::query("UPDATE search_gram_state SET deferred = FALSE")
                .execute(conn)
                .await
                .map(|_| ())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_counts_each_gram_once_lowercased() {
        let mut tally = GramTally::default();
        tally.add_user(["Anna", "ann@x.io", "Ann", "Na"]);
        let mut counts: Vec<_> = tally.users.iter().map(|(g, n)| (g.as_str(), *n)).collect();
        counts.sort_unstable();
        assert_eq!(
            counts,
            [
                (".", 1),
                (".i", 1),
                ("@", 1),
                ("@x", 1),
                ("a", 1),
                ("an", 1),
                ("i", 1),
                ("io", 1),
                ("n", 1),
                ("n@", 1),
                ("na", 1),
                ("nn", 1),
                ("o", 1),
                ("x", 1),
                ("x.", 1),
            ]
        );
        tally.add_user(["Bo", "b@y.io", "Bo", "Bo"]);
        assert_eq!(tally.users["b"], 1);
        assert_eq!(tally.users["io"], 2);
        assert_eq!(tally.users["o"], 2);
    }
}
