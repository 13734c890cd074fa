-- The SLA clock, escalations, time tracking and the daily digest.

-- Each escalation level fires once per waiting period: these are cleared when a new one opens.
ALTER TABLE conversations ADD COLUMN reminded_at INTEGER NULL;
ALTER TABLE conversations ADD COLUMN breached_at INTEGER NULL;
ALTER TABLE conversations ADD COLUMN escalated_at INTEGER NULL;
ALTER TABLE conversations ADD COLUMN acked_at INTEGER NULL;          -- /ack: "on it", stops the reminder
ALTER TABLE conversations ADD COLUMN acked_by INTEGER NULL REFERENCES staff (id);
ALTER TABLE conversations ADD COLUMN last_client_message_at INTEGER NULL;

-- Business time counts only opening hours (Agency:BusinessHours); breached: over Sla:FirstResponse in business time.
ALTER TABLE response_log ADD COLUMN business_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE response_log ADD COLUMN breached INTEGER NOT NULL DEFAULT 0;
ALTER TABLE response_log ADD COLUMN held_by INTEGER NULL REFERENCES staff (id);

CREATE TABLE time_entries (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects (id),
    staff_id   INTEGER NOT NULL REFERENCES staff (id),
    minutes    INTEGER NOT NULL CHECK (minutes > 0 AND minutes <= 1440),
    category   TEXT    NOT NULL,
    note       TEXT    NULL,
    spent_on   TEXT    NOT NULL,   -- ISO date, the agency's day
    created_at INTEGER NOT NULL
);
CREATE INDEX time_entries_by_day ON time_entries (spent_on, project_id);

-- One digest per day, however often the job runs or the host restarts.
CREATE TABLE digest_runs (
    day     TEXT    PRIMARY KEY,
    sent_at INTEGER NOT NULL
);

-- Files the outbox uploads (the digest chart), kept so a resend after a crash has them.
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    file_name    TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    data         BLOB    NOT NULL,
    created_at   INTEGER NOT NULL
);
