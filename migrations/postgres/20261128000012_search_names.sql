-- A search for a name (`lovelace`) can match a large share of all users. The trigram index on
-- `search_text` finds them, but must read each of their rows again to confirm the match, and
-- a deep page must then sort them all. Names repeat where logins do not, so a search takes the
-- two apart:
-- * `search_names` holds every distinct first or last name, lowercased, with a trigram index.
--   A search finds the few names holding its term there.
-- * each name field has a B-tree in listing order (`name_*_key, created, uuid`). The users under
--   those names are counted, and a page of them is read in order, from the index alone.
-- * usernames and emails (`login_text`) keep a trigram index of their own, so the users a term
--   matches there are found without the users it matches by name.
ALTER TABLE users
    ADD COLUMN login_text TEXT GENERATED ALWAYS AS (lower(username) || E'\n' || lower(email))
        STORED,
    ADD COLUMN name_first_key TEXT GENERATED ALWAYS AS (lower(name_first)) STORED,
    ADD COLUMN name_last_key TEXT GENERATED ALWAYS AS (lower(name_last)) STORED;
CREATE INDEX users_login_text_idx ON users USING gin (login_text gin_trgm_ops);
CREATE INDEX users_name_first_idx ON users (name_first_key, created, uuid);
CREATE INDEX users_name_last_idx ON users (name_last_key, created, uuid);

-- Names are only ever added: a name nobody holds any more still matches, and its index range
-- is simply empty. Adding never updates a row, so writers of a popular name do not queue on it.
CREATE TABLE search_names (
    name TEXT PRIMARY KEY
);
CREATE INDEX search_names_name_idx ON search_names USING gin (name gin_trgm_ops);
INSERT INTO search_names (name)
SELECT name_first_key FROM users UNION SELECT name_last_key FROM users;

-- Names are added in order, so two writers adding the same new names never wait on each other
-- crosswise.
CREATE FUNCTION search_names_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_names (name)
    SELECT name_first_key FROM written UNION SELECT name_last_key FROM written
    ORDER BY 1
    ON CONFLICT (name) DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_search_names_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION search_names_add();

CREATE FUNCTION search_names_rename() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_names (name)
    SELECT DISTINCT name FROM (VALUES (NEW.name_first_key), (NEW.name_last_key)) names (name)
    ORDER BY 1
    ON CONFLICT (name) DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_search_names_rename AFTER UPDATE OF name_first, name_last ON users
    FOR EACH ROW EXECUTE FUNCTION search_names_rename();
