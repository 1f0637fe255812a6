-- How many users hold each string of one or two characters in their username, email, first or
-- last name, lowercased as a search lowercases them (`search_text`). A search that short has no
-- trigram for the index; with these counts it knows its total without reading every user.
-- A trigger keeps the counts on every insert, delete and change of those fields, adding and
-- taking away in gram order so that two writers never wait on each other crosswise.
-- `roster seed` writes many users at once: inside its own transaction it sets `deferred`, adds
-- the counts of what it wrote, and clears it again before committing, so no other transaction
-- ever sees it set.
CREATE TABLE search_grams (
    gram TEXT PRIMARY KEY,
    users BIGINT NOT NULL
);
CREATE TABLE search_gram_state (
    id BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
    deferred BOOLEAN NOT NULL
);
INSERT INTO search_gram_state (id, deferred) VALUES (TRUE, FALSE);

-- The distinct grams of one user's `search_text` (four lowercased fields, one per line).
CREATE FUNCTION user_grams(search_text TEXT) RETURNS SETOF TEXT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT DISTINCT substr(field, i, n)
    FROM unnest(string_to_array(search_text, E'\n')) AS field,
        generate_series(1, char_length(field)) AS i,
        (VALUES (1), (2)) AS lengths (n)
    WHERE i + n <= char_length(field) + 1
$$;

INSERT INTO search_grams (gram, users)
SELECT gram, count(*) FROM users, user_grams(search_text) AS gram GROUP BY gram;

CREATE FUNCTION search_grams_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    added TEXT := CASE WHEN TG_OP <> 'DELETE' THEN NEW.search_text END;
    removed TEXT := CASE WHEN TG_OP <> 'INSERT' THEN OLD.search_text END;
BEGIN
    IF (SELECT deferred FROM search_gram_state) THEN
        RETURN NULL;
    END IF;
    INSERT INTO search_grams (gram, users)
    SELECT gram, sum(change) FROM (
        SELECT gram, 1 AS change FROM user_grams(added) AS gram
        UNION ALL
        SELECT gram, -1 FROM user_grams(removed) AS gram
    ) changes
    GROUP BY gram HAVING sum(change) <> 0 ORDER BY gram
    ON CONFLICT (gram) DO UPDATE SET users = search_grams.users + excluded.users;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_search_grams
    AFTER INSERT OR DELETE OR UPDATE OF username, email, name_first, name_last ON users
    FOR EACH ROW EXECUTE FUNCTION search_grams_count();
