-- The user listing in other orders (`sort=`): by username, email, last sign-in and last name,
-- each case-insensitive where it is text, the uuid breaking ties, and a user who never signed in
-- sorting before every sign-in. Each order has its index, and blocks for deep pages as the
-- listing order has (`user_blocks`): fences of (key, uuid), each block's size kept exact by
-- triggers on insert, on delete and on a change of the key, which moves the user from the block
-- of the old key to the block of the new one.

CREATE INDEX users_username_order ON users (lower(username), uuid);
CREATE INDEX users_email_order ON users (lower(email), uuid);
CREATE INDEX users_last_login_order ON users (COALESCE(last_login, ''), uuid);
CREATE INDEX users_name_last_order ON users (lower(name_last), uuid);

CREATE TABLE user_blocks_username (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    uuid BLOB NOT NULL,
    size INTEGER NOT NULL CHECK (size >= 0)
);
CREATE UNIQUE INDEX user_blocks_username_fence_key ON user_blocks_username (key, uuid);
INSERT INTO user_blocks_username (key, uuid, size) SELECT '', x'', count(*) FROM users;

CREATE TABLE user_blocks_email (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    uuid BLOB NOT NULL,
    size INTEGER NOT NULL CHECK (size >= 0)
);
CREATE UNIQUE INDEX user_blocks_email_fence_key ON user_blocks_email (key, uuid);
INSERT INTO user_blocks_email (key, uuid, size) SELECT '', x'', count(*) FROM users;

CREATE TABLE user_blocks_last_login (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    uuid BLOB NOT NULL,
    size INTEGER NOT NULL CHECK (size >= 0)
);
CREATE UNIQUE INDEX user_blocks_last_login_fence_key ON user_blocks_last_login (key, uuid);
INSERT INTO user_blocks_last_login (key, uuid, size) SELECT '', x'', count(*) FROM users;

CREATE TABLE user_blocks_name_last (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    uuid BLOB NOT NULL,
    size INTEGER NOT NULL CHECK (size >= 0)
);
CREATE UNIQUE INDEX user_blocks_name_last_fence_key ON user_blocks_name_last (key, uuid);
INSERT INTO user_blocks_name_last (key, uuid, size) SELECT '', x'', count(*) FROM users;

CREATE TRIGGER users_sort_blocks_insert AFTER INSERT ON users BEGIN
    UPDATE user_blocks_username SET size = size + 1 WHERE id = (
        SELECT id FROM user_blocks_username WHERE (key, uuid) <= (lower(new.username), new.uuid)
        ORDER BY key DESC, uuid DESC LIMIT 1
    );
    UPDATE user_blocks_email SET size = size + 1 WHERE id = (
        SELECT id FROM user_blocks_email WHERE (key, uuid) <= (lower(new.email), new.uuid)
        ORDER BY key DESC, uuid DESC LIMIT 1
    );
    UPDATE user_blocks_last_login SET size = size + 1 WHERE id = (
        SELECT id FROM user_blocks_last_login WHERE (key, uuid) <= (COALESCE(new.last_login, ''), new.uuid)
        ORDER BY key DESC, uuid DESC LIMIT 1
    );
    UPDATE user_blocks_name_last SET size = size + 1 WHERE id = (
        SELECT id FROM user_blocks_name_last WHERE (key, uuid) <= (lower(new.name_last), new.uuid)
        ORDER BY key DESC, uuid DESC LIMIT 1
    );
END;
CREATE TRIGGER users_sort_blocks_delete AFTER DELETE ON users BEGIN
    UPDATE user_blocks_username SET size = size - 1 WHERE id = (
        SELECT id FROM user_blocks_username WHERE (key, uuid) <= (lower(old.username), old.uuid)
        ORDER BY key DESC, uuid DESC LIMIT 1
    );
    UPDATE user_blocks_email SET size = size - 1 WHERE id = (
        SELECT id FROM user_blocks_email WHERE (key, uuid) <= (lower(old.email), old.uuid)
        ORDER BY key DESC, uuid DESC LIMIT 1
    );
    UPDATE user_blocks_last_login SET size = size - 1 WHERE id = (
        SELECT id FROM user_blocks_last_login WHERE (key, uuid) <= (COALESCE(old.last_login, ''), old.uuid)
        ORDER BY key DESC, uuid DESC LIMIT 1
    );
    UPDATE user_blocks_name_last SET size = size - 1 WHERE id = (
        SELECT id FROM user_blocks_name_last WHERE (key, uuid) <= (lower(old.name_last), old.uuid)
        ORDER BY key DESC, uuid DESC LIMIT 1
    );
END;
CREATE TRIGGER users_username_block_moves AFTER UPDATE OF username ON users
WHEN lower(new.username) IS NOT lower(old.username) BEGIN
    UPDATE user_blocks_username SET size = size - 1 WHERE id = (
        SELECT id FROM user_blocks_username WHERE (key, uuid) <= (lower(old.username), old.uuid)
        ORDER BY key DESC, uuid DESC LIMIT 1
    );
    UPDATE user_blocks_username SET size = size + 1 WHERE id = (
        SELECT id FROM user_blocks_username WHERE (key, uuid) <= (lower(new.username), new.uuid)
        ORDER BY key DESC, uuid DESC LIMIT 1
    );
END;
CREATE TRIGGER users_email_block_moves AFTER UPDATE OF email ON users
WHEN lower(new.email) IS NOT lower(old.email) BEGIN
    UPDATE user_blocks_email SET size = size - 1 WHERE id = (
        SELECT id FROM user_blocks_email WHERE (key, uuid) <= (lower(old.email), old.uuid)
        ORDER BY key DESC, uuid DESC LIMIT 1
    );
    UPDATE user_blocks_email SET size = size + 1 WHERE id = (
        SELECT id FROM user_blocks_email WHERE (key, uuid) <= (lower(new.email), new.uuid)
        ORDER BY key DESC, uuid DESC LIMIT 1
    );
END;
CREATE TRIGGER users_last_login_block_moves AFTER UPDATE OF last_login ON users
WHEN COALESCE(new.last_login, '') IS NOT COALESCE(old.last_login, '') BEGIN
    UPDATE user_blocks_last_login SET size = size - 1 WHERE id = (
        SELECT id FROM user_blocks_last_login WHERE (key, uuid) <= (COALESCE(old.last_login, ''), old.uuid)
        ORDER BY key DESC, uuid DESC LIMIT 1
    );
    UPDATE user_blocks_last_login SET size = size + 1 WHERE id = (
        SELECT id FROM user_blocks_last_login WHERE (key, uuid) <= (COALESCE(new.last_login, ''), new.uuid)
        ORDER BY key DESC, uuid DESC LIMIT 1
    );
END;
CREATE TRIGGER users_name_last_block_moves AFTER UPDATE OF name_last ON users
WHEN lower(new.name_last) IS NOT lower(old.name_last) BEGIN
    UPDATE user_blocks_name_last SET size = size - 1 WHERE id = (
        SELECT id FROM user_blocks_name_last WHERE (key, uuid) <= (lower(old.name_last), old.uuid)
        ORDER BY key DESC, uuid DESC LIMIT 1
    );
    UPDATE user_blocks_name_last SET size = size + 1 WHERE id = (
        SELECT id FROM user_blocks_name_last WHERE (key, uuid) <= (lower(new.name_last), new.uuid)
        ORDER BY key DESC, uuid DESC LIMIT 1
    );
END;
