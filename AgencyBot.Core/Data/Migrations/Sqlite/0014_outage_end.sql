-- An outage ends (the bot is back in the staff chat) rather than disappears: a refusal of a request sent before the end
-- is known to be stale, and does not start a new outage.
ALTER TABLE chat_outages ADD COLUMN ended_at INTEGER NULL;
