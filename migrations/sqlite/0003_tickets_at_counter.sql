-- The ticket a counter has called or is serving: looked up by every call
-- and every counter change. Without it each lookup scans every ticket ever
-- issued.
CREATE INDEX tickets_at_counter ON tickets (counter_id) WHERE status IN ('called', 'serving');
