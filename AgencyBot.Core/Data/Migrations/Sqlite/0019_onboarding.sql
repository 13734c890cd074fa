-- Links that make a Telegram user staff: the owner link (the first manager; it works only while nobody is staff) and
-- a manager's /invite_staff link (only while that manager is active). Each works once, until it expires or is revoked.
CREATE TABLE staff_invites (
    code             TEXT    PRIMARY KEY,
    role             TEXT    NOT NULL CHECK (role IN ('assistant', 'employee', 'manager')),
    owner            INTEGER NOT NULL DEFAULT 0,
    created_by       INTEGER NULL REFERENCES staff (id),
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    used_by_staff_id INTEGER NULL REFERENCES staff (id),
    used_at          INTEGER NULL,
    revoked_at       INTEGER NULL
);

-- The bot's username as the last getMe gave it, so invite links can be made while Telegram cannot be reached.
CREATE TABLE bot_profile (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    username   TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);

-- A guided dialog a staff member is in (/newproject, /newclient): its step and the answers so far, kept so that a
-- restart in the middle loses nothing. One per person and chat; starting another replaces it.
CREATE TABLE dialogs (
    chat_id    INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    step       TEXT    NOT NULL,
    data       TEXT    NOT NULL,
    thread_id  INTEGER NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (chat_id, user_id)
);

-- Who to invite at the client, and the language their invitation is written in.
ALTER TABLE clients ADD COLUMN language TEXT NULL;
ALTER TABLE clients ADD COLUMN contact TEXT NULL;
-- Archived: kept with all its history, no longer offered or relayed to.
ALTER TABLE clients ADD COLUMN archived_at INTEGER NULL;
ALTER TABLE projects ADD COLUMN archived_at INTEGER NULL;
