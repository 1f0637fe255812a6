-- The user listing in other orders (`sort=`): by username, email, last sign-in and last name,
-- each case-insensitive where it is text (compared byte by byte, as SQLite does), the uuid
-- breaking ties, and a user who never signed in sorting before every sign-in. Each order has
-- its index, and blocks for deep pages as the listing order has (`user_blocks`): fences of
-- (key, uuid), each block's size kept exact by triggers on insert, on delete and on a change of
-- the key, which moves the user from the block of the old key to the block of the new one.

CREATE INDEX users_username_order ON users ((lower(username) COLLATE "C"), uuid);
CREATE INDEX users_email_order ON users ((lower(email) COLLATE "C"), uuid);
CREATE INDEX users_last_login_order ON users (COALESCE(last_login, '-infinity'), uuid);
CREATE INDEX users_name_last_order ON users ((lower(name_last) COLLATE "C"), uuid);

CREATE TABLE user_blocks_username (
    id BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    key TEXT COLLATE "C" NOT NULL,
    uuid UUID NOT NULL,
    size BIGINT NOT NULL CHECK (size >= 0),
    PRIMARY KEY (key, uuid)
);
INSERT INTO user_blocks_username (key, uuid, size)
    SELECT '', '00000000-0000-0000-0000-000000000000', count(*) FROM users;

CREATE TABLE user_blocks_email (
    id BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    key TEXT COLLATE "C" NOT NULL,
    uuid UUID NOT NULL,
    size BIGINT NOT NULL CHECK (size >= 0),
    PRIMARY KEY (key, uuid)
);
INSERT INTO user_blocks_email (key, uuid, size)
    SELECT '', '00000000-0000-0000-0000-000000000000', count(*) FROM users;

CREATE TABLE user_blocks_last_login (
    id BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    key TIMESTAMPTZ NOT NULL,
    uuid UUID NOT NULL,
    size BIGINT NOT NULL CHECK (size >= 0),
    PRIMARY KEY (key, uuid)
);
INSERT INTO user_blocks_last_login (key, uuid, size)
    SELECT '-infinity', '00000000-0000-0000-0000-000000000000', count(*) FROM users;

CREATE TABLE user_blocks_name_last (
    id BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    key TEXT COLLATE "C" NOT NULL,
    uuid UUID NOT NULL,
    size BIGINT NOT NULL CHECK (size >= 0),
    PRIMARY KEY (key, uuid)
);
INSERT INTO user_blocks_name_last (key, uuid, size)
    SELECT '', '00000000-0000-0000-0000-000000000000', count(*) FROM users;

CREATE FUNCTION user_sort_blocks_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sign BIGINT := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
BEGIN
    UPDATE user_blocks_username b SET size = b.size + d.n
    FROM (
        SELECT f.id, count(*) * sign AS n
        FROM changed_rows c CROSS JOIN LATERAL (
            SELECT id FROM user_blocks_username
            WHERE (key, uuid) <= ((lower(c.username) COLLATE "C"), c.uuid)
            ORDER BY key DESC, uuid DESC LIMIT 1
        ) f
        GROUP BY f.id
    ) d
    WHERE b.id = d.id;
    UPDATE user_blocks_email b SET size = b.size + d.n
    FROM (
        SELECT f.id, count(*) * sign AS n
        FROM changed_rows c CROSS JOIN LATERAL (
            SELECT id FROM user_blocks_email
            WHERE (key, uuid) <= ((lower(c.email) COLLATE "C"), c.uuid)
            ORDER BY key DESC, uuid DESC LIMIT 1
        ) f
        GROUP BY f.id
    ) d
    WHERE b.id = d.id;
    UPDATE user_blocks_last_login b SET size = b.size + d.n
    FROM (
        SELECT f.id, count(*) * sign AS n
        FROM changed_rows c CROSS JOIN LATERAL (
            SELECT id FROM user_blocks_last_login
            WHERE (key, uuid) <= (COALESCE(c.last_login, '-infinity'), c.uuid)
            ORDER BY key DESC, uuid DESC LIMIT 1
        ) f
        GROUP BY f.id
    ) d
    WHERE b.id = d.id;
    UPDATE user_blocks_name_last b SET size = b.size + d.n
    FROM (
        SELECT f.id, count(*) * sign AS n
        FROM changed_rows c CROSS JOIN LATERAL (
            SELECT id FROM user_blocks_name_last
            WHERE (key, uuid) <= ((lower(c.name_last) COLLATE "C"), c.uuid)
            ORDER BY key DESC, uuid DESC LIMIT 1
        ) f
        GROUP BY f.id
    ) d
    WHERE b.id = d.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_sort_blocks_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION user_sort_blocks_change();
CREATE TRIGGER users_sort_blocks_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION user_sort_blocks_change();

-- A user whose key changes moves from the block of the old key to the block of the new.
CREATE FUNCTION user_sort_blocks_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (lower(old.username) COLLATE "C") IS DISTINCT FROM (lower(new.username) COLLATE "C") THEN
        UPDATE user_blocks_username SET size = size - 1 WHERE id = (
            SELECT id FROM user_blocks_username WHERE (key, uuid) <= ((lower(old.username) COLLATE "C"), old.uuid)
            ORDER BY key DESC, uuid DESC LIMIT 1);
        UPDATE user_blocks_username SET size = size + 1 WHERE id = (
            SELECT id FROM user_blocks_username WHERE (key, uuid) <= ((lower(new.username) COLLATE "C"), new.uuid)
            ORDER BY key DESC, uuid DESC LIMIT 1);
    END IF;
    IF (lower(old.email) COLLATE "C") IS DISTINCT FROM (lower(new.email) COLLATE "C") THEN
        UPDATE user_blocks_email SET size = size - 1 WHERE id = (
            SELECT id FROM user_blocks_email WHERE (key, uuid) <= ((lower(old.email) COLLATE "C"), old.uuid)
            ORDER BY key DESC, uuid DESC LIMIT 1);
        UPDATE user_blocks_email SET size = size + 1 WHERE id = (
            SELECT id FROM user_blocks_email WHERE (key, uuid) <= ((lower(new.email) COLLATE "C"), new.uuid)
            ORDER BY key DESC, uuid DESC LIMIT 1);
    END IF;
    IF COALESCE(old.last_login, '-infinity') IS DISTINCT FROM COALESCE(new.last_login, '-infinity') THEN
        UPDATE user_blocks_last_login SET size = size - 1 WHERE id = (
            SELECT id FROM user_blocks_last_login WHERE (key, uuid) <= (COALESCE(old.last_login, '-infinity'), old.uuid)
            ORDER BY key DESC, uuid DESC LIMIT 1);
        UPDATE user_blocks_last_login SET size = size + 1 WHERE id = (
            SELECT id FROM user_blocks_last_login WHERE (key, uuid) <= (COALESCE(new.last_login, '-infinity'), new.uuid)
            ORDER BY key DESC, uuid DESC LIMIT 1);
    END IF;
    IF (lower(old.name_last) COLLATE "C") IS DISTINCT FROM (lower(new.name_last) COLLATE "C") THEN
        UPDATE user_blocks_name_last SET size = size - 1 WHERE id = (
            SELECT id FROM user_blocks_name_last WHERE (key, uuid) <= ((lower(old.name_last) COLLATE "C"), old.uuid)
            ORDER BY key DESC, uuid DESC LIMIT 1);
        UPDATE user_blocks_name_last SET size = size + 1 WHERE id = (
            SELECT id FROM user_blocks_name_last WHERE (key, uuid) <= ((lower(new.name_last) COLLATE "C"), new.uuid)
            ORDER BY key DESC, uuid DESC LIMIT 1);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_sort_blocks_move AFTER UPDATE OF username, email, last_login, name_last ON users
    FOR EACH ROW WHEN (
        lower(old.username) IS DISTINCT FROM lower(new.username)
        OR lower(old.email) IS DISTINCT FROM lower(new.email)
        OR old.last_login IS DISTINCT FROM new.last_login
        OR lower(old.name_last) IS DISTINCT FROM lower(new.name_last))
    EXECUTE FUNCTION user_sort_blocks_move();
