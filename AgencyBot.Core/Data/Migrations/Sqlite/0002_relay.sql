-- The relay: client chats, conversations and their messages, staff topics, response times.

ALTER TABLE projects ADD COLUMN language TEXT NULL;          -- overrides the client's Telegram language ('en', 'fr')

ALTER TABLE outbox ADD COLUMN topic_project_id INTEGER NULL; -- set: post into this project's staff topic (created on first need)
ALTER TABLE outbox ADD COLUMN message_id INTEGER NULL;       -- the conversation message this post relays, if any

-- Agency-wide values set at run time (the staff chat chosen with /setup).
CREATE TABLE settings (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Chats of clients (private or group) the bot has talked with.
CREATE TABLE client_chats (
    chat_id       INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (kind IN ('private', 'group')),
    title         TEXT    NOT NULL,
    language_code TEXT    NULL,
    created_at    INTEGER NOT NULL
);

-- One forum topic per project in the staff chat; thread_id is null until Telegram created it.
CREATE TABLE staff_topics (
    project_id    INTEGER PRIMARY KEY REFERENCES projects (id),
    staff_chat_id INTEGER NOT NULL,
    thread_id     INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX staff_topics_by_thread ON staff_topics (staff_chat_id, thread_id);

-- One conversation per client chat and project. waiting_since is set while a client waits for a first answer.
CREATE TABLE conversations (
    id              INTEGER PRIMARY KEY,
    project_id      INTEGER NOT NULL REFERENCES projects (id),
    chat_id         INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    last_message_at INTEGER NOT NULL,
    waiting_since   INTEGER NULL,
    UNIQUE (project_id, chat_id)
);
CREATE INDEX conversations_waiting ON conversations (waiting_since) WHERE waiting_since IS NOT NULL;

-- Every message of a conversation: from the client, from staff to the client, or an internal note.
CREATE TABLE messages (
    id                  INTEGER PRIMARY KEY,
    conversation_id     INTEGER NOT NULL REFERENCES conversations (id),
    direction           TEXT    NOT NULL CHECK (direction IN ('client', 'staff', 'note')),
    sender_user_id      INTEGER NOT NULL,
    sender_name         TEXT    NOT NULL,
    kind                TEXT    NOT NULL,
    text                TEXT    NULL,
    chat_id             INTEGER NOT NULL,   -- where the original was written
    telegram_message_id INTEGER NOT NULL,
    media_group_id      TEXT    NULL,
    created_at          INTEGER NOT NULL,
    edited_at           INTEGER NULL
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, id);
CREATE INDEX messages_by_original ON messages (chat_id, telegram_message_id);

-- Posts the bot made that carry a conversation message (relays in the staff chat, answers in client chats),
-- so a reply to one finds its conversation and an edit finds its relay.
CREATE TABLE relay_posts (
    chat_id             INTEGER NOT NULL,
    telegram_message_id INTEGER NOT NULL,
    message_id          INTEGER NOT NULL REFERENCES messages (id),
    PRIMARY KEY (chat_id, telegram_message_id)
);
CREATE INDEX relay_posts_by_message ON relay_posts (message_id);

-- One row per closed waiting period: the first staff answer after a client wrote.
CREATE TABLE response_log (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    project_id      INTEGER NOT NULL REFERENCES projects (id),
    waiting_since   INTEGER NOT NULL,
    answered_at     INTEGER NOT NULL,
    answered_by     INTEGER NOT NULL REFERENCES staff (id),
    seconds         INTEGER NOT NULL
);
CREATE INDEX response_log_by_time ON response_log (answered_at);
