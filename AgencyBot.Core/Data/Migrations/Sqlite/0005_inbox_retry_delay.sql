-- A failed update waits a little before its next try, so a passing fault does not use up its three tries at once.
ALTER TABLE inbox ADD COLUMN not_before INTEGER NOT NULL DEFAULT 0;
