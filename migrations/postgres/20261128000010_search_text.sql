-- Search reads one stored, lowercased text per user (its four searchable fields, one per line;
-- a search term never holds a control character, so no match spans two fields) instead of four
-- columns through ILIKE: the trigram index answers from one column, and re-checking a
-- candidate row is one LIKE on a stored string rather than four case-folding comparisons.
ALTER TABLE users ADD COLUMN search_text TEXT GENERATED ALWAYS AS (
    lower(username) || E'\n' || lower(email) || E'\n' || lower(name_first) || E'\n'
        || lower(name_last)
) STORED;
CREATE INDEX users_search_text_idx ON users USING gin (search_text gin_trgm_ops);
DROP INDEX users_search_idx;
