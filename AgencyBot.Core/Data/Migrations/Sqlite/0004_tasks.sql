-- Account work: project teams, tasks → subtasks → checklist items, templates, tags.

ALTER TABLE projects ADD COLUMN started_on TEXT NULL;                      -- ISO date the work started (template day 0)
ALTER TABLE projects ADD COLUMN notify_progress INTEGER NOT NULL DEFAULT 1; -- tell clients when a task or subtask is done
ALTER TABLE staff ADD COLUMN started_bot INTEGER NOT NULL DEFAULT 0;       -- 1 once they opened a private chat with the bot
ALTER TABLE conversations ADD COLUMN taken_by INTEGER NULL REFERENCES staff (id);

-- Who plays which team role (designer, developer, …) on a project; separate from the staff access role.
CREATE TABLE team_members (
    project_id INTEGER NOT NULL REFERENCES projects (id),
    role       TEXT    NOT NULL,
    staff_id   INTEGER NOT NULL REFERENCES staff (id),
    PRIMARY KEY (project_id, role)
);

-- Tasks and subtasks (parent_id set). number is the short per-project reference (#12).
CREATE TABLE tasks (
    id                INTEGER PRIMARY KEY,
    project_id        INTEGER NOT NULL REFERENCES projects (id),
    number            INTEGER NOT NULL,
    parent_id         INTEGER NULL REFERENCES tasks (id),
    title             TEXT    NOT NULL,
    description       TEXT    NULL,
    status            TEXT    NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'in_progress', 'waiting_for_client', 'done')),
    role              TEXT    NULL,
    responsible_id    INTEGER NULL REFERENCES staff (id),
    due_on            TEXT    NULL,               -- ISO date
    staff_only        INTEGER NOT NULL DEFAULT 0, -- never shown to the client
    source_message_id INTEGER NULL REFERENCES messages (id),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    done_at           INTEGER NULL,
    UNIQUE (project_id, number)
);
CREATE INDEX tasks_by_parent ON tasks (parent_id);
CREATE INDEX tasks_by_responsible ON tasks (responsible_id, status);

CREATE TABLE task_dependencies (
    task_id    INTEGER NOT NULL REFERENCES tasks (id),
    depends_on INTEGER NOT NULL REFERENCES tasks (id),
    PRIMARY KEY (task_id, depends_on)
);

-- Checklist items of a task or subtask; number is the item's place in its list (#12.3).
CREATE TABLE checklist_items (
    id         INTEGER PRIMARY KEY,
    task_id    INTEGER NOT NULL REFERENCES tasks (id),
    number     INTEGER NOT NULL,
    text           TEXT    NOT NULL,
    responsible_id INTEGER NULL REFERENCES staff (id),
    due_on         TEXT    NULL,
    done       INTEGER NOT NULL DEFAULT 0,
    done_at    INTEGER NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (task_id, number)
);

-- Who was responsible when: one row per (re)assignment.
CREATE TABLE task_assignments (
    id          INTEGER PRIMARY KEY,
    task_id     INTEGER NOT NULL REFERENCES tasks (id),
    staff_id    INTEGER NULL REFERENCES staff (id),
    assigned_at INTEGER NOT NULL,
    assigned_by INTEGER NULL REFERENCES staff (id)
);
CREATE INDEX task_assignments_by_task ON task_assignments (task_id, assigned_at);

-- Everything that happened to a task, with who did it.
CREATE TABLE task_events (
    id       INTEGER PRIMARY KEY,
    task_id  INTEGER NOT NULL REFERENCES tasks (id),
    at       INTEGER NOT NULL,
    actor_id INTEGER NULL REFERENCES staff (id),
    kind     TEXT    NOT NULL,
    detail   TEXT    NULL
);
CREATE INDEX task_events_by_task ON task_events (task_id, id);

CREATE TABLE templates (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    body       TEXT    NOT NULL,   -- the template as JSON
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE conversation_tags (
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    tag             TEXT    NOT NULL,
    tagged_at       INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, tag)
);
