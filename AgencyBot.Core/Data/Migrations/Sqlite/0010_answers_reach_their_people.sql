-- Every answer reaches exactly the people it is for: single-use and team invites, approvals, a client's choice of
-- project, messages held until someone decides, and outbox rows that can be cancelled or close a waiting period.

-- Invites are single use unless made for a team (each chat that joins with one waits for staff approval); both kinds
-- can be revoked.
ALTER TABLE invites ADD COLUMN kind TEXT NOT NULL DEFAULT 'single' CHECK (kind IN ('single', 'team'));
ALTER TABLE invites ADD COLUMN revoked_at INTEGER NULL;

-- status 'pending': joined with a team invite, waiting for staff approval; nothing is relayed to or from it until then.
-- chosen_at: when the client last picked this project (a chat linked to several projects picks one).
ALTER TABLE chat_bindings ADD COLUMN status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'pending'));
ALTER TABLE chat_bindings ADD COLUMN invite_code TEXT NULL;
ALTER TABLE chat_bindings ADD COLUMN chosen_at INTEGER NULL;

-- Messages waiting for a decision before they are filed or sent: a client's message in a chat linked to several
-- projects (which one?), in a chat not approved yet, or a staff answer in a topic with several client chats (for whom?).
-- The message itself stays in the inbox row it came in, exactly as Telegram sent it.
CREATE TABLE held_messages (
    id                  INTEGER PRIMARY KEY,
    reason              TEXT    NOT NULL CHECK (reason IN ('project', 'approval', 'recipient')),
    chat_id             INTEGER NOT NULL,
    telegram_message_id INTEGER NOT NULL,
    update_id           INTEGER NOT NULL,
    media_group_id      TEXT    NULL,
    staff_id            INTEGER NULL REFERENCES staff (id),
    project_id          INTEGER NULL REFERENCES projects (id),
    held_at             INTEGER NOT NULL,
    released_at         INTEGER NULL,
    outcome             TEXT    NULL
);
CREATE INDEX held_messages_open ON held_messages (chat_id, id) WHERE released_at IS NULL;

-- Whom a staff member's answers in a project's topic go to for a while, once chosen (NULL chat: every chat).
CREATE TABLE recipient_choices (
    staff_id   INTEGER NOT NULL REFERENCES staff (id),
    project_id INTEGER NOT NULL REFERENCES projects (id),
    chat_id    INTEGER NULL,
    chosen_at  INTEGER NOT NULL,
    PRIMARY KEY (staff_id, project_id)
);

-- The outbox gains a 'cancelled' state (a queued post that must not go out after all) and answer_by: the staff member
-- whose answer the row carries, whose waiting period closes when Telegram accepts it. SQLite changes a CHECK only by
-- rebuilding the table.
CREATE TABLE outbox_new (
    id                  INTEGER PRIMARY KEY,
    chat_id             INTEGER NOT NULL,
    method              TEXT    NOT NULL,
    payload             TEXT    NOT NULL,
    state               TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed', 'cancelled')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    not_before          INTEGER NOT NULL,
    last_error          TEXT    NULL,
    telegram_message_id INTEGER NULL,
    created_at          INTEGER NOT NULL,
    sent_at             INTEGER NULL,
    topic_project_id    INTEGER NULL,
    message_id          INTEGER NULL,
    lane                INTEGER NOT NULL DEFAULT 0,
    mergeable           INTEGER NOT NULL DEFAULT 0,
    priority            INTEGER NOT NULL DEFAULT 0,
    answer_by           INTEGER NULL REFERENCES staff (id)
);
INSERT INTO outbox_new (id, chat_id, method, payload, state, attempts, not_before, last_error, telegram_message_id, created_at, sent_at,
                        topic_project_id, message_id, lane, mergeable, priority)
SELECT id, chat_id, method, payload, state, attempts, not_before, last_error, telegram_message_id, created_at, sent_at,
       topic_project_id, message_id, lane, mergeable, priority
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_pending ON outbox (chat_id, lane, id) WHERE state = 'pending';
CREATE INDEX outbox_by_message ON outbox (message_id) WHERE message_id IS NOT NULL;
