-- A row the sender has taken is claimed (claimed_at set) until Telegram's answer is recorded: a cancellation (an answer
-- unsent, an album that became a note, a chat removed) only cancels rows nobody has taken, so a row on its way is
-- never marked cancelled and then sent anyway. A sender that starts releases the claims a dead one left.
ALTER TABLE outbox ADD COLUMN claimed_at INTEGER NULL;
