-- Links that make a Telegram user staff: the owner link (the first manager; it works only while nobody is staff) and
-- a manager's /invite_staff link (only while that manager is active). Each works once, until it expires or is revoked.
CREATE TABLE staff_invites (
    code             TEXT    PRIMARY KEY,
    role             TEXT    NOT NULL CHECK (role IN ('assistant', 'employee', 'manager')),
    owner            BIGINT  NOT NULL DEFAULT 0,
    created_by       BIGINT  NULL REFERENCES staff (id),
    created_at       BIGINT  NOT NULL,
    expires_at       BIGINT  NOT NULL,
    used_by_staff_id BIGINT  NULL REFERENCES staff (id),
    used_at          BIGINT  NULL,
    revoked_at       BIGINT  NULL
);

-- The bot's username as the last getMe gave it, so invite links can be made while Telegram cannot be reached.
CREATE TABLE bot_profile (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    username   TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL
);

-- A guided dialog a staff member is in (/newproject, /newclient): its step and the answers so far, kept so that a
-- restart in the middle loses nothing. One per person and chat; starting another replaces it.
CREATE TABLE dialogs (
    chat_id    BIGINT  NOT NULL,
    user_id    BIGINT  NOT NULL,
    kind       TEXT    NOT NULL,
    step       TEXT    NOT NULL,
    data       TEXT    NOT NULL,
    thread_id  BIGINT  NULL,
    updated_at BIGINT  NOT NULL,
    PRIMARY KEY (chat_id, user_id)
);

-- Who to invite at the client, and the language their invitation is written in.
ALTER TABLE clients ADD COLUMN language TEXT NULL;
ALTER TABLE clients ADD COLUMN contact TEXT NULL;
-- Archived: kept with all its history, no longer offered or relayed to.
ALTER TABLE clients ADD COLUMN archived_at BIGINT  NULL;
ALTER TABLE projects ADD COLUMN archived_at BIGINT  NULL;
