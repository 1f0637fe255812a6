-- A search for a name (`lovelace`) can match a large share of all users. A full-text index over
-- all four fields finds them, but counting them means intersecting its trigrams' lists for every
-- match, and a deep page walks them all up to the page. Names repeat where logins do not, so a
-- search takes the two apart, as on PostgreSQL:
-- * usernames and emails keep a full-text index of their own (`users_login_search`), which
--   replaces the index over all four fields;
-- * `search_names` holds every distinct first or last name, lowercased as the indexes below key
--   them, with a full-text index of its own (`search_names_text`) that folds case as the users'
--   does. A search finds the few names holding its term there;
-- * each name field has an index on its lowercased value. Its entries under one name are in id
--   order, which is the listing order while ids follow it (`user_order`): the users under those
--   names are counted, and a page of them read in order, from the index alone.
DROP TRIGGER users_search_insert;
DROP TRIGGER users_search_delete;
DROP TRIGGER users_search_update;
DROP TABLE users_search;

CREATE VIRTUAL TABLE users_login_search USING fts5 (
    username, email,
    content = 'users', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO users_login_search (users_login_search) VALUES ('rebuild');
CREATE TRIGGER users_login_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_login_search (rowid, username, email) VALUES (new.id, new.username, new.email);
END;
CREATE TRIGGER users_login_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_login_search (users_login_search, rowid, username, email)
    VALUES ('delete', old.id, old.username, old.email);
END;
CREATE TRIGGER users_login_search_update AFTER UPDATE OF username, email ON users BEGIN
    INSERT INTO users_login_search (users_login_search, rowid, username, email)
    VALUES ('delete', old.id, old.username, old.email);
    INSERT INTO users_login_search (rowid, username, email) VALUES (new.id, new.username, new.email);
END;

CREATE INDEX users_name_first_lower_idx ON users (lower(name_first));
CREATE INDEX users_name_last_lower_idx ON users (lower(name_last));

-- Names are only ever added: a name nobody holds any more still matches, and its index range is
-- simply empty.
CREATE TABLE search_names (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE VIRTUAL TABLE search_names_text USING fts5 (name, tokenize = 'trigram');
CREATE TRIGGER search_names_text_insert AFTER INSERT ON search_names BEGIN
    INSERT INTO search_names_text (rowid, name) VALUES (new.id, new.name);
END;
INSERT INTO search_names (name)
SELECT lower(name_first) FROM users UNION SELECT lower(name_last) FROM users ORDER BY 1;

CREATE TRIGGER users_search_names_insert AFTER INSERT ON users BEGIN
    INSERT OR IGNORE INTO search_names (name)
    VALUES (lower(new.name_first)), (lower(new.name_last));
END;
CREATE TRIGGER users_search_names_rename AFTER UPDATE OF name_first, name_last ON users BEGIN
    INSERT OR IGNORE INTO search_names (name)
    VALUES (lower(new.name_first)), (lower(new.name_last));
END;
