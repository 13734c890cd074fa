-- A deliverable sent to the client for approval (/approve): pending until a client taps Approve or Request changes.
-- A request for changes closes it (its comment is the client's next message); the next version is a new approval.
CREATE TABLE approvals (
    id                INTEGER PRIMARY KEY,
    project_id        INTEGER NOT NULL REFERENCES projects (id),
    task_id           INTEGER NOT NULL REFERENCES tasks (id),
    text              TEXT    NULL,
    source_chat_id    INTEGER NOT NULL,
    source_message_id INTEGER NOT NULL,
    requested_by      INTEGER NULL REFERENCES staff (id),
    requested_at      INTEGER NOT NULL,
    state             TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'changes')),
    decided_at        INTEGER NULL,
    decided_chat_id   INTEGER NULL,
    decided_by_user   INTEGER NULL,
    decided_by_name   TEXT    NULL,
    comment           TEXT    NULL
);
CREATE INDEX approvals_of_project ON approvals (project_id, state);

-- Polite nudges to a client the agency waits for (an approval, a task waiting for the client): one row each.
CREATE TABLE client_nudges (
    id         INTEGER PRIMARY KEY,
    subject    TEXT    NOT NULL,
    project_id INTEGER NOT NULL REFERENCES projects (id),
    sent_at    INTEGER NOT NULL
);
CREATE INDEX client_nudges_of_subject ON client_nudges (subject, sent_at);
