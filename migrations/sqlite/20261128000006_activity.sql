-- The activity log: one row per change, written in the change's own transaction. Rows name
-- their actor and target by uuid plus a snapshot of the name, without foreign keys, so that
-- they outlive both. `changes` is JSON text: `{field: {"before": .., "after": ..}}`.
-- AUTOINCREMENT: an id is never reused after the purge, so id order stays time order.
CREATE TABLE activity (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    event TEXT NOT NULL,
    actor_uuid BLOB,
    actor_username TEXT,
    credential_kind TEXT,
    credential_uuid BLOB,
    credential_name TEXT,
    ip TEXT,
    target_kind TEXT,
    target_uuid BLOB,
    target_label TEXT,
    changes TEXT NOT NULL DEFAULT '{}'
);
-- Newest first is the primary key backwards; one user's activity is the union of two index
-- ranges; the filters and the retention purge each have theirs.
CREATE INDEX activity_actor_idx ON activity (actor_uuid, id);
CREATE INDEX activity_target_idx ON activity (target_uuid, id);
CREATE INDEX activity_event_idx ON activity (event, id);
CREATE INDEX activity_created_idx ON activity (created);

-- The exact number of rows, so the unfiltered listing never counts a million of them.
CREATE TABLE activity_count (
    shard INTEGER PRIMARY KEY NOT NULL,
    total INTEGER NOT NULL
);
INSERT INTO activity_count (shard, total) VALUES (0, 0);
CREATE TRIGGER activity_count_insert AFTER INSERT ON activity BEGIN
    UPDATE activity_count SET total = total + 1 WHERE shard = 0;
END;
CREATE TRIGGER activity_count_delete AFTER DELETE ON activity BEGIN
    UPDATE activity_count SET total = total - 1 WHERE shard = 0;
END;

-- When each user last signed in; NULL for never.
ALTER TABLE users ADD COLUMN last_login TEXT;
CREATE INDEX users_never_signed_in_idx ON users (created, uuid) WHERE last_login IS NULL;
