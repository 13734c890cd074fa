-- Relaying within Telegram's group limit: per-project lanes in the staff chat, coalescing, priorities.

-- The queue a row waits in within its chat: 0 for ordinary chats; the project id for staff-chat posts,
-- so projects take turns in the staff group and one chatty client cannot hold up the others.
ALTER TABLE outbox ADD COLUMN lane INTEGER NOT NULL DEFAULT 0;
-- 1: a text relay that may be merged with the texts queued behind it into one post.
ALTER TABLE outbox ADD COLUMN mergeable INTEGER NOT NULL DEFAULT 0;
-- 1: the first message of a waiting period; it goes before follow-ups of conversations already seen.
ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;

DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox (chat_id, lane, id) WHERE state = 'pending';

-- A merged post carries several messages.
DROP TABLE relay_posts;
CREATE TABLE relay_posts (
    chat_id             INTEGER NOT NULL,
    telegram_message_id INTEGER NOT NULL,
    message_id          INTEGER NOT NULL REFERENCES messages (id),
    PRIMARY KEY (chat_id, telegram_message_id, message_id)
);
CREATE INDEX relay_posts_by_message ON relay_posts (message_id);
