-- No schema change: the number 0007 was never given to one, and this file
-- keeps the numbering of both folders gap-free and in step. It runs once,
-- on a new database as on one migrated before it existed.
SELECT 1;
