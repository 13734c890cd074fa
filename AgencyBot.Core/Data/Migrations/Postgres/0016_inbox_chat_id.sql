-- The inbox's "lane" was the chat an update belongs to; "lane" also named a project's queue in the outbox. The
-- inbox says what it holds.
ALTER TABLE inbox RENAME COLUMN lane TO chat_id;
