-- Every client message asks whether it comments a request for changes: that look-up stays an index probe.
CREATE INDEX approvals_awaiting_comment ON approvals (decided_chat_id, decided_at) WHERE state = 'changes' AND comment IS NULL;
