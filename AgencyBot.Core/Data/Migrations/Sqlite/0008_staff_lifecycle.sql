-- Staff come and go: a deactivated member keeps their history but loses every staff power at once.
ALTER TABLE staff ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE staff ADD COLUMN deactivated_at INTEGER NULL;

-- Every change to a staff member, with who made it (NULL: the admin API).
CREATE TABLE staff_events (
    id       INTEGER PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staff (id),
    at       INTEGER NOT NULL,
    actor_id INTEGER NULL REFERENCES staff (id),
    kind     TEXT    NOT NULL,   -- registered, renamed, role, deactivated, reactivated
    detail   TEXT    NULL
);
CREATE INDEX staff_events_by_staff ON staff_events (staff_id, id);
