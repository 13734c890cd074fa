-- On PostgreSQL, migration 0007 is Quartz's own schema (AgencyBot.Host/Digest/QuartzSchema.cs). On SQLite Quartz keeps
-- its jobs in memory, so there is nothing to do; the number is taken here too, so each number means the same change on
-- both engines.
SELECT 1;
