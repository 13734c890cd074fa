-- Every file exchanged is on the record with its name and size (its kind is the message's kind).
ALTER TABLE messages ADD COLUMN file_name TEXT NULL;
ALTER TABLE messages ADD COLUMN file_size INTEGER NULL;

-- Files staff marked (/file) as the project's own: the client's /files lists them, and a tap sends one again (copied
-- from the staff chat, nothing downloaded). Taking one off the list adds its removed_at; the row stays.
CREATE TABLE project_files (
    id              INTEGER PRIMARY KEY,
    project_id      INTEGER NOT NULL REFERENCES projects (id),
    title           TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    file_name       TEXT    NULL,
    file_size       INTEGER NULL,
    from_chat_id    INTEGER NOT NULL,
    from_message_id INTEGER NOT NULL,
    marked_by       INTEGER NULL REFERENCES staff (id),
    marked_at       INTEGER NOT NULL,
    removed_at      INTEGER NULL
);
CREATE INDEX project_files_of_project ON project_files (project_id, id);
