-- The exact number of users, kept by statement-level triggers, so an unfiltered listing never
-- counts rows.
CREATE TABLE user_count (
    id BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
    total BIGINT NOT NULL
);
INSERT INTO user_count (id, total) SELECT TRUE, count(*) FROM users;

CREATE FUNCTION user_count_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_count SET total = total + (SELECT count(*) FROM changed_rows);
    RETURN NULL;
END
$$;
CREATE FUNCTION user_count_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_count SET total = total - (SELECT count(*) FROM changed_rows);
    RETURN NULL;
END
$$;
CREATE TRIGGER users_count_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION user_count_add();
CREATE TRIGGER users_count_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION user_count_remove();
