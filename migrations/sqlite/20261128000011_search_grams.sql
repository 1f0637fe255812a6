-- How many users hold each string of one or two characters in their username, email, first or
-- last name, lowercased as a search lowercases them. A search that short has no trigram for the
-- full-text index; with these counts it knows its total without reading every user.
-- Triggers keep the counts on every insert, delete and change of those fields. `roster seed`
-- writes many users at once: inside its own transaction it sets `deferred`, adds the counts of
-- what it wrote, and clears it again before committing, so no other writer ever sees it set.
CREATE TABLE search_grams (
    gram TEXT PRIMARY KEY NOT NULL,
    users INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE search_gram_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    deferred INTEGER NOT NULL CHECK (deferred IN (0, 1))
);
INSERT INTO search_gram_state (id, deferred) VALUES (1, 0);

-- Every position in a field (a field holds at most 255 characters, far fewer than these), and
-- both lengths of a gram.
CREATE TABLE search_gram_positions (i INTEGER PRIMARY KEY);
WITH RECURSIVE p (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM p WHERE i < 1024)
INSERT INTO search_gram_positions (i) SELECT i FROM p;
CREATE TABLE search_gram_lengths (n INTEGER PRIMARY KEY);
INSERT INTO search_gram_lengths (n) VALUES (1), (2);

INSERT INTO search_grams (gram, users)
SELECT gram, count(*) FROM (
    SELECT DISTINCT f.id, substr(f.v, p.i, l.n) AS gram
    FROM (
        SELECT id, lower(username) AS v FROM users
        UNION ALL SELECT id, lower(email) FROM users
        UNION ALL SELECT id, lower(name_first) FROM users
        UNION ALL SELECT id, lower(name_last) FROM users
    ) f
    JOIN search_gram_positions p ON p.i <= length(f.v)
    JOIN search_gram_lengths l ON p.i + l.n <= length(f.v) + 1
)
GROUP BY gram;

CREATE TRIGGER users_search_grams_insert AFTER INSERT ON users
WHEN (SELECT deferred FROM search_gram_state) = 0
BEGIN
    INSERT INTO search_grams (gram, users)
    SELECT DISTINCT substr(f.v, p.i, l.n), 1
    FROM (
        SELECT lower(new.username) AS v UNION ALL SELECT lower(new.email)
        UNION ALL SELECT lower(new.name_first) UNION ALL SELECT lower(new.name_last)
    ) f
    JOIN search_gram_positions p ON p.i <= length(f.v)
    JOIN search_gram_lengths l ON p.i + l.n <= length(f.v) + 1
    WHERE TRUE
    ON CONFLICT (gram) DO UPDATE SET users = users + 1;
END;
CREATE TRIGGER users_search_grams_delete AFTER DELETE ON users
WHEN (SELECT deferred FROM search_gram_state) = 0
BEGIN
    UPDATE search_grams SET users = users - 1 WHERE gram IN (
        SELECT substr(f.v, p.i, l.n)
        FROM (
            SELECT lower(old.username) AS v UNION ALL SELECT lower(old.email)
            UNION ALL SELECT lower(old.name_first) UNION ALL SELECT lower(old.name_last)
        ) f
        JOIN search_gram_positions p ON p.i <= length(f.v)
        JOIN search_gram_lengths l ON p.i + l.n <= length(f.v) + 1
    );
END;
CREATE TRIGGER users_search_grams_update AFTER UPDATE OF username, email, name_first, name_last ON users
WHEN (SELECT deferred FROM search_gram_state) = 0
BEGIN
    UPDATE search_grams SET users = users - 1 WHERE gram IN (
        SELECT substr(f.v, p.i, l.n)
        FROM (
            SELECT lower(old.username) AS v UNION ALL SELECT lower(old.email)
            UNION ALL SELECT lower(old.name_first) UNION ALL SELECT lower(old.name_last)
        ) f
        JOIN search_gram_positions p ON p.i <= length(f.v)
        JOIN search_gram_lengths l ON p.i + l.n <= length(f.v) + 1
    );
    INSERT INTO search_grams (gram, users)
    SELECT DISTINCT substr(f.v, p.i, l.n), 1
    FROM (
        SELECT lower(new.username) AS v UNION ALL SELECT lower(new.email)
        UNION ALL SELECT lower(new.name_first) UNION ALL SELECT lower(new.name_last)
    ) f
    JOIN search_gram_positions p ON p.i <= length(f.v)
    JOIN search_gram_lengths l ON p.i + l.n <= length(f.v) + 1
    WHERE TRUE
    ON CONFLICT (gram) DO UPDATE SET users = users + 1;
END;
