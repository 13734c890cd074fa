-- A row the sender holds is changed only once it is given back. A cancellation asked for meanwhile is kept in
-- withdrawn (its reason): the row is cancelled if Telegram does not take it, never tried again. A move of the staff
-- chat keeps readdress_to: the row goes to the new chat if Telegram does not take it, and is copied there if it does.
-- claimed_by names the process that holds a row, so a sender that starts frees only the claims of others.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT NULL;
ALTER TABLE outbox ADD COLUMN withdrawn TEXT NULL;
ALTER TABLE outbox ADD COLUMN readdress_to BIGINT NULL;
