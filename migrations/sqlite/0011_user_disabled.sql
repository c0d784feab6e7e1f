-- When an admin or supervisor disabled the account; NULL while it may log
-- in. A disabled account keeps its name in the audit log, the statistics
-- and the complaints it answered, which a removed one would leave dangling.
ALTER TABLE users ADD COLUMN disabled_at INTEGER;
