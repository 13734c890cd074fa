-- A CSV sent to the staff chat with /import. The update only records it: the file is downloaded from Telegram and
-- imported afterwards (never inside the update's transaction), once, then the answer is posted where it was asked.
CREATE TABLE import_requests (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL,
    thread_id   INTEGER NULL,
    message_id  INTEGER NOT NULL,
    staff_id    INTEGER NOT NULL REFERENCES staff (id),
    file_id     TEXT    NOT NULL,
    file_name   TEXT    NULL,
    state       TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    finished_at INTEGER NULL,
    outcome     TEXT    NULL
);
CREATE INDEX import_requests_pending ON import_requests (next_at) WHERE state = 'pending';
