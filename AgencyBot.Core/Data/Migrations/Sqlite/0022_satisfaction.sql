-- After an answered exchange has gone quiet, the client is asked how it went (👍 😐 👎), at most once per chat per
-- Csat:MinInterval. The first tap is the rating; nothing overwrites it.
CREATE TABLE csat_requests (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    project_id      INTEGER NOT NULL REFERENCES projects (id),
    chat_id         INTEGER NOT NULL,
    asked_at        INTEGER NOT NULL,
    score           INTEGER NULL CHECK (score IN (-1, 0, 1)),
    rated_at        INTEGER NULL,
    rated_by        INTEGER NULL
);
CREATE INDEX csat_requests_of_chat ON csat_requests (chat_id, asked_at);
CREATE INDEX csat_requests_rated ON csat_requests (rated_at) WHERE rated_at IS NOT NULL;
