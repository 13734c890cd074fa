-- Answers staff send again and again, by shortcut, one text per language. Each change is a new row: the latest of a
-- shortcut and language is the one in use, and a row with no text takes that language away.
CREATE TABLE saved_answers (
    id         INTEGER PRIMARY KEY,
    shortcut   TEXT    NOT NULL,
    language   TEXT    NOT NULL,
    text       TEXT    NULL,
    saved_at   INTEGER NOT NULL,
    saved_by   INTEGER NULL REFERENCES staff (id)
);
CREATE INDEX saved_answers_by_shortcut ON saved_answers (shortcut, language, id);
