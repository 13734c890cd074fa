-- Foundation schema. Timestamps are Unix milliseconds (UTC); Telegram ids are 64-bit integers.

CREATE TABLE staff (
    id               INTEGER PRIMARY KEY,
    telegram_user_id INTEGER NOT NULL UNIQUE,
    name             TEXT    NOT NULL,
    role             TEXT    NOT NULL CHECK (role IN ('assistant', 'employee', 'manager')),
    created_at       INTEGER NOT NULL
);

CREATE TABLE clients (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE projects (
    id         INTEGER PRIMARY KEY,
    client_id  INTEGER NOT NULL REFERENCES clients (id),
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX projects_by_client ON projects (client_id);

CREATE TABLE invites (
    code            TEXT    PRIMARY KEY,
    project_id      INTEGER NOT NULL REFERENCES projects (id),
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    used_by_chat_id INTEGER NULL,
    used_at         INTEGER NULL
);

-- Which Telegram chat (private or group) talks about which project.
CREATE TABLE chat_bindings (
    chat_id      INTEGER NOT NULL,
    project_id   INTEGER NOT NULL REFERENCES projects (id),
    bound_at     INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    PRIMARY KEY (chat_id, project_id)
);
CREATE INDEX chat_bindings_by_project ON chat_bindings (project_id);

-- Chats the bot can no longer write to (403 "bot was blocked by the user").
CREATE TABLE blocked_chats (
    chat_id    INTEGER PRIMARY KEY,
    blocked_at INTEGER NOT NULL,
    reason     TEXT    NOT NULL
);

-- Every update received, committed before the getUpdates offset moves past it.
-- lane is the chat the update belongs to: updates of one lane are handled in update_id order.
CREATE TABLE inbox (
    update_id   INTEGER PRIMARY KEY,
    lane        INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'handled', 'dead')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NULL,
    received_at INTEGER NOT NULL,
    handled_at  INTEGER NULL
);
CREATE INDEX inbox_pending ON inbox (lane, update_id) WHERE state = 'pending';

-- Every message the bot sends, written in the transaction that decided to send it.
-- payload is the Bot API request body (JSON) for method.
CREATE TABLE outbox (
    id                  INTEGER PRIMARY KEY,
    chat_id             INTEGER NOT NULL,
    method              TEXT    NOT NULL,
    payload             TEXT    NOT NULL,
    state               TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    not_before          INTEGER NOT NULL,
    last_error          TEXT    NULL,
    telegram_message_id INTEGER NULL,
    created_at          INTEGER NOT NULL,
    sent_at             INTEGER NULL
);
CREATE INDEX outbox_pending ON outbox (chat_id, id) WHERE state = 'pending';
