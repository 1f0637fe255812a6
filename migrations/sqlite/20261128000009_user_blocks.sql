-- Positions in the user listing's order (created, uuid) without counting from the start: users
-- fall into blocks, each starting at a fence key and holding every user from it up to the next
-- fence, and each block keeps its exact size by triggers. A deep page sums the sizes of the
-- blocks before it and skips only inside its own block. The sentinel fence ('', x'') sorts
-- before every user, so every user has a block. Blocks only ever need splitting to stay small
-- (`roster` does it in the background); their sizes are exact whatever their balance.
CREATE TABLE user_blocks (
    id INTEGER PRIMARY KEY,
    created TEXT NOT NULL,
    uuid BLOB NOT NULL,
    size INTEGER NOT NULL CHECK (size >= 0)
);
CREATE UNIQUE INDEX user_blocks_fence_key ON user_blocks (created, uuid);
INSERT INTO user_blocks (created, uuid, size) SELECT '', x'', count(*) FROM users;

CREATE TRIGGER users_blocks_insert AFTER INSERT ON users BEGIN
    UPDATE user_blocks SET size = size + 1 WHERE id = (
        SELECT id FROM user_blocks WHERE (created, uuid) <= (new.created, new.uuid)
        ORDER BY created DESC, uuid DESC LIMIT 1
    );
END;
CREATE TRIGGER users_blocks_delete AFTER DELETE ON users BEGIN
    UPDATE user_blocks SET size = size - 1 WHERE id = (
        SELECT id FROM user_blocks WHERE (created, uuid) <= (old.created, old.uuid)
        ORDER BY created DESC, uuid DESC LIMIT 1
    );
END;
-- A user's place in the order never changes.
CREATE TRIGGER users_order_fixed BEFORE UPDATE OF created, uuid ON users
WHEN new.created IS NOT old.created OR new.uuid IS NOT old.uuid BEGIN
    SELECT RAISE(ABORT, 'a user''s created time and uuid never change');
END;

-- Whether users' ids follow the listing order, as they do while every new user sorts last (its
-- created time is the time of its insert, and SQLite has one writer). Then the full-text index,
-- which yields ids in order, yields a search's matches in listing order too: a page of them
-- needs no sort. The first user inserted anywhere but last clears it for good.
CREATE TABLE user_order (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    by_id INTEGER NOT NULL CHECK (by_id IN (0, 1))
);
INSERT INTO user_order (id, by_id) SELECT 1, NOT EXISTS (
    SELECT 1 FROM (SELECT id, lag(id) OVER (ORDER BY created, uuid) AS previous FROM users)
    WHERE previous > id
);
CREATE TRIGGER users_order_insert AFTER INSERT ON users
WHEN new.id < (SELECT max(id) FROM users)
    OR (new.created, new.uuid) < (
        SELECT created, uuid FROM users WHERE id <> new.id ORDER BY created DESC, uuid DESC LIMIT 1
    )
BEGIN
    UPDATE user_order SET by_id = 0 WHERE by_id = 1;
END;
