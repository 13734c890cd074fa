-- Strangers (chats linked to nothing) are answered at most once a while and forgotten after a while; handled updates
-- are deleted after their retention (the record lives in the conversation tables).
ALTER TABLE client_chats ADD COLUMN last_seen_at BIGINT NULL;
ALTER TABLE client_chats ADD COLUMN not_linked_told_at BIGINT NULL;
CREATE INDEX inbox_handled ON inbox (handled_at) WHERE state = 'handled';
