-- A user's update writes every column, so `AFTER UPDATE OF username, ...` triggers fired on every
-- update, a suspension or a sign-in included: the one- and two-character counts worked out the
-- grams of the fields before and after, and the names were offered to `search_names` again. They
-- now fire only when a field they count changed.
DROP TRIGGER users_search_grams ON users;
CREATE TRIGGER users_search_grams
    AFTER INSERT OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION search_grams_count();
CREATE TRIGGER users_search_grams_update
    AFTER UPDATE OF username, email, name_first, name_last ON users
    FOR EACH ROW WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text)
    EXECUTE FUNCTION search_grams_count();

DROP TRIGGER users_search_names_rename ON users;
CREATE TRIGGER users_search_names_rename AFTER UPDATE OF name_first, name_last ON users
    FOR EACH ROW WHEN (OLD.name_first IS DISTINCT FROM NEW.name_first
        OR OLD.name_last IS DISTINCT FROM NEW.name_last)
    EXECUTE FUNCTION search_names_rename();
