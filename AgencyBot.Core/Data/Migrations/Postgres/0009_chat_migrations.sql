-- A group upgraded to a supergroup gets a new id. Each upgrade is kept, so a staff chat set by configuration
-- (Agency:StaffChatId, the old id) is followed to its new id, and an upgrade seen twice (from both chats) is applied once.
CREATE TABLE chat_migrations (
    from_chat_id BIGINT PRIMARY KEY,
    to_chat_id   BIGINT NOT NULL,
    migrated_at  BIGINT NOT NULL
);
