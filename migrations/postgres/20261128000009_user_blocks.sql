-- Positions in the user listing's order (created, uuid) without counting from the start: users
-- fall into blocks, each starting at a fence key and holding every user from it up to the next
-- fence, and each block keeps its exact size by triggers. A deep page sums the sizes of the
-- blocks before it and skips only inside its own block. The sentinel fence ('-infinity', nil
-- uuid) sorts before every user, so every user has a block. Blocks only ever need splitting to
-- stay small (`roster` does it in the background, holding a lock that keeps user writes out
-- while it counts); their sizes are exact whatever their balance.
CREATE TABLE user_blocks (
    id BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    created TIMESTAMPTZ NOT NULL,
    uuid UUID NOT NULL,
    size BIGINT NOT NULL CHECK (size >= 0),
    PRIMARY KEY (created, uuid)
);
INSERT INTO user_blocks (created, uuid, size)
    SELECT '-infinity', '00000000-0000-0000-0000-000000000000', count(*) FROM users;

CREATE FUNCTION user_blocks_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_blocks b SET size = b.size + d.n
    FROM (
        SELECT f.created, f.uuid, count(*) * (CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END) AS n
        FROM changed_rows c CROSS JOIN LATERAL (
            SELECT created, uuid FROM user_blocks
            WHERE (created, uuid) <= (c.created, c.uuid)
            ORDER BY created DESC, uuid DESC LIMIT 1
        ) f
        GROUP BY f.created, f.uuid
    ) d
    WHERE b.created = d.created AND b.uuid = d.uuid;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_blocks_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION user_blocks_change();
CREATE TRIGGER users_blocks_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION user_blocks_change();

-- A user's place in the order never changes.
CREATE FUNCTION users_order_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a user''s created time and uuid never change';
END
$$;
CREATE TRIGGER users_order_fixed BEFORE UPDATE OF created, uuid ON users FOR EACH ROW
    WHEN (new.created IS DISTINCT FROM old.created OR new.uuid IS DISTINCT FROM old.uuid)
    EXECUTE FUNCTION users_order_fixed();
