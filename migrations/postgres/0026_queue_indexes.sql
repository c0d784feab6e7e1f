-- Fewer indexes for a queue change to update on PostgreSQL. A ticket's
-- status changes three times in its life, and every change writes a new
-- row version with an entry in each index whose predicate it meets: the
-- wide indexes below took two of the four entries every change made.
--
-- `tickets_queue` (site, status, …): the waiting heads read
-- `tickets_waiting`, the tickets at the counters `tickets_active`.
DROP INDEX tickets_queue;
-- `tickets_stats` covered the statistics' columns, which PostgreSQL reads
-- from the table by `tickets_day` (site, day) all the same.
DROP INDEX tickets_stats;
-- The tickets called or serving, by site and counter: the counters' own
-- lookups and the lobby's, one small index for both.
CREATE INDEX tickets_active ON tickets (site_id, counter_id) WHERE status IN ('called', 'serving');
DROP INDEX tickets_at_counter;
