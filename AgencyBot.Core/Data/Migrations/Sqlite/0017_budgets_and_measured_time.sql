-- A project's allotted hours, per month (a retainer) or in total (a fixed scope), with an optional amount. Each
-- change is a new row: the budget in force is the project's latest; kind 'none' takes it away.
CREATE TABLE budgets (
    id              INTEGER PRIMARY KEY,
    project_id      INTEGER NOT NULL REFERENCES projects (id),
    kind            TEXT    NOT NULL CHECK (kind IN ('monthly', 'total', 'none')),
    minutes         INTEGER NOT NULL CHECK (minutes >= 0),
    amount_cents    INTEGER NULL CHECK (amount_cents >= 0),
    currency        TEXT    NULL,
    shown_to_client INTEGER NOT NULL DEFAULT 0,
    set_at          INTEGER NOT NULL,
    set_by          INTEGER NULL REFERENCES staff (id)
);
CREATE INDEX budgets_of_project ON budgets (project_id, id);

-- Each alert (80 %, 100 %) once per project and period ('YYYY-MM' for a monthly budget, 'total' otherwise).
CREATE TABLE budget_alerts (
    project_id INTEGER NOT NULL REFERENCES projects (id),
    period     TEXT    NOT NULL,
    percent    INTEGER NOT NULL,
    budget_id  INTEGER NOT NULL REFERENCES budgets (id),
    alerted_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, period, percent)
);

-- Time entries say where they come from: typed (/time, the API), measured by the bot from the conversation record,
-- or counted for an invoice or a client report. A correction of a measured day is a new entry that replaces the
-- measured one (never an edit of it), and may be zero.
CREATE TABLE time_entries_new (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects (id),
    staff_id   INTEGER NOT NULL REFERENCES staff (id),
    minutes    INTEGER NOT NULL CHECK (minutes >= 0 AND minutes <= 1440),
    category   TEXT    NOT NULL,
    note       TEXT    NULL,
    spent_on   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    source     TEXT    NOT NULL DEFAULT 'typed' CHECK (source IN ('typed', 'measured', 'invoice', 'report')),
    replaces   INTEGER NULL REFERENCES time_entries_new (id)
);
INSERT INTO time_entries_new (id, project_id, staff_id, minutes, category, note, spent_on, created_at)
SELECT id, project_id, staff_id, minutes, category, note, spent_on, created_at FROM time_entries;
DROP TABLE time_entries;
ALTER TABLE time_entries_new RENAME TO time_entries;
CREATE INDEX time_entries_by_day ON time_entries (spent_on, project_id);
CREATE INDEX time_entries_by_project ON time_entries (project_id, spent_on);
CREATE UNIQUE INDEX time_entries_replaced ON time_entries (replaces) WHERE replaces IS NOT NULL;

-- The days whose communication time has been measured (once each, however often the job runs).
CREATE TABLE measure_runs (
    day         TEXT    PRIMARY KEY,
    measured_at INTEGER NOT NULL
);
