-- A user's update writes every column, so `AFTER UPDATE OF username, ...` triggers fired on every
-- update, a suspension or a sign-in included: the logins' full-text index deleted and rewrote
-- the user's entry and every one- and two-character count of their fields went down and up
-- again. They now fire only when a field they index changed.
DROP TRIGGER users_search_grams_update;
CREATE TRIGGER users_search_grams_update AFTER UPDATE OF username, email, name_first, name_last ON users
WHEN (SELECT deferred FROM search_gram_state) = 0
    AND (old.username IS NOT new.username OR old.email IS NOT new.email
        OR old.name_first IS NOT new.name_first OR old.name_last IS NOT new.name_last)
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

DROP TRIGGER users_login_search_update;
CREATE TRIGGER users_login_search_update AFTER UPDATE OF username, email ON users
WHEN old.username IS NOT new.username OR old.email IS NOT new.email
BEGIN
    INSERT INTO users_login_search (users_login_search, rowid, username, email)
    VALUES ('delete', old.id, old.username, old.email);
    INSERT INTO users_login_search (rowid, username, email) VALUES (new.id, new.username, new.email);
END;

DROP TRIGGER users_search_names_rename;
CREATE TRIGGER users_search_names_rename AFTER UPDATE OF name_first, name_last ON users
WHEN old.name_first IS NOT new.name_first OR old.name_last IS NOT new.name_last
BEGIN
    INSERT OR IGNORE INTO search_names (name)
    VALUES (lower(new.name_first)), (lower(new.name_last));
END;
