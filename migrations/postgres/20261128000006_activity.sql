-- The activity log: one row per change, written in the change's own transaction. Rows name
-- their actor and target by uuid plus a snapshot of the name, without foreign keys, so that
-- they outlive both. `changes` is JSON text: `{field: {"before": .., "after": ..}}`.
CREATE TABLE activity (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created TIMESTAMPTZ NOT NULL,
    event TEXT NOT NULL,
    actor_uuid UUID,
    actor_username TEXT,
    credential_kind TEXT,
    credential_uuid UUID,
    credential_name TEXT,
    ip TEXT,
    target_kind TEXT,
    target_uuid UUID,
    target_label TEXT,
    changes TEXT NOT NULL DEFAULT '{}'
);
-- Newest first is the primary key backwards; one user's activity is the union of two index
-- ranges; the filters and the retention purge each have theirs.
CREATE INDEX activity_actor_idx ON activity (actor_uuid, id);
CREATE INDEX activity_target_idx ON activity (target_uuid, id);
CREATE INDEX activity_event_idx ON activity (event, id);
CREATE INDEX activity_created_idx ON activity (created);

-- The exact number of rows, so the unfiltered listing never counts a million of them. Spread
-- over sixteen rows by id: writers in parallel transactions rarely wait on the same one.
CREATE TABLE activity_count (
    shard SMALLINT PRIMARY KEY NOT NULL,
    total BIGINT NOT NULL
);
INSERT INTO activity_count (shard, total) SELECT s, 0 FROM generate_series(0, 15) AS s;

-- A row trigger for inserts: one row at a time is what every write adds, and it is cheaper than
-- a statement trigger's transition table. The purge deletes in batches: a statement trigger.
CREATE FUNCTION activity_count_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE activity_count SET total = total + 1 WHERE shard = NEW.id % 16;
    RETURN NULL;
END
$$;
CREATE FUNCTION activity_count_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE activity_count c SET total = c.total - d.n
    FROM (SELECT id % 16 AS shard, count(*) AS n FROM changed_rows GROUP BY 1) d
    WHERE c.shard = d.shard;
    RETURN NULL;
END
$$;
CREATE TRIGGER activity_count_insert AFTER INSERT ON activity
    FOR EACH ROW EXECUTE FUNCTION activity_count_add();
CREATE TRIGGER activity_count_delete AFTER DELETE ON activity
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION activity_count_remove();

-- When each user last signed in; NULL for never.
ALTER TABLE users ADD COLUMN last_login TIMESTAMPTZ;
CREATE INDEX users_never_signed_in_idx ON users (created, uuid) WHERE last_login IS NULL;
