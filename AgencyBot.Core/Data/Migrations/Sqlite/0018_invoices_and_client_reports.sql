-- What the bot delivered to a project's clients for the agency: invoices and client reports, with who sent them.
CREATE TABLE project_documents (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects (id),
    kind       TEXT    NOT NULL CHECK (kind IN ('invoice', 'report')),
    staff_id   INTEGER NULL REFERENCES staff (id),
    note       TEXT    NULL,
    chats      INTEGER NOT NULL,
    sent_at    INTEGER NOT NULL
);
CREATE INDEX project_documents_of_project ON project_documents (project_id, id);

-- A client report: drafted by the bot (on its schedule, or asked for with /report), then sent or skipped by staff.
CREATE TABLE client_reports (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects (id),
    period_from TEXT    NOT NULL,
    period_to   TEXT    NOT NULL,
    language    TEXT    NOT NULL,
    drafted_at  INTEGER NOT NULL,
    drafted_by  INTEGER NULL REFERENCES staff (id),
    state       TEXT    NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'sent', 'skipped')),
    decided_at  INTEGER NULL,
    decided_by  INTEGER NULL REFERENCES staff (id)
);
-- A scheduled report is drafted once per project and period.
CREATE UNIQUE INDEX client_reports_scheduled ON client_reports (project_id, period_from, period_to) WHERE drafted_by IS NULL;

-- The report's text: the bot's draft, then each edit by staff. The latest is what the client gets.
CREATE TABLE client_report_texts (
    id         INTEGER PRIMARY KEY,
    report_id  INTEGER NOT NULL REFERENCES client_reports (id),
    text       TEXT    NOT NULL,
    written_at INTEGER NOT NULL,
    written_by INTEGER NULL REFERENCES staff (id)
);
CREATE INDEX client_report_texts_of_report ON client_report_texts (report_id, id);

-- How often the bot drafts a client report for the project (none: only when asked for).
ALTER TABLE projects ADD COLUMN report_every TEXT NULL CHECK (report_every IN ('weekly', 'monthly'));

-- Measuring a day reads its messages by time, and only what this index holds (no visit to the row, whose text may
-- be long): the query's expressions must stay exactly these.
CREATE INDEX messages_by_time ON messages (created_at, conversation_id, direction, sender_user_id, length(COALESCE(text, '')));
