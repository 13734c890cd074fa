-- The record keeps what was said: an edit adds a version (the message keeps its original text), and an answer taken
-- back with /unsend says so; nothing is overwritten.
CREATE TABLE message_versions (
    id          INTEGER PRIMARY KEY,
    message_id  INTEGER NOT NULL REFERENCES messages (id),
    kind        TEXT    NOT NULL CHECK (kind IN ('edit', 'unsent')),
    text        TEXT    NULL,
    entities    TEXT    NULL,      -- its formatting (Bot API MessageEntity JSON)
    at          INTEGER NOT NULL,   -- when the person changed it (Telegram's edit_date)
    recorded_at INTEGER NOT NULL,
    applied_at  INTEGER NULL        -- when the client's copy was changed to match (edited or deleted)
);
CREATE INDEX message_versions_by_message ON message_versions (message_id, id);

-- A chat the bot can no longer post in because it lost its place or its rights there (the staff chat): what is queued
-- for it waits, and goes out once the bot is back.
CREATE TABLE chat_outages (
    chat_id INTEGER PRIMARY KEY,
    since   INTEGER NOT NULL,
    reason  TEXT   NOT NULL
);
