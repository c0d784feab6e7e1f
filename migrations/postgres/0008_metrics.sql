-- The waiting tickets of each site and service, counted at every metrics
-- scrape: without it the count reads every ticket ever issued.
CREATE INDEX tickets_waiting ON tickets (site_id, service_id) WHERE status = 'waiting';
