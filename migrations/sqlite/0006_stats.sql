-- Statistics over a range of local days (GET /api/v1/sites/{site}/stats).
-- Tickets are read by site and local day; the index holds every column the
-- aggregates read, so a year of a busy office is summed from the index
-- alone, never from the table's rows.
CREATE INDEX tickets_stats ON tickets
    (site_id, local_day, service_id, status, agent, issued_at, called_at, serving_at, finished_at);
CREATE INDEX appointments_stats ON appointments (site_id, local_day, service_id, status);
CREATE INDEX document_requests_created ON document_requests (site_id, created_at);
CREATE INDEX complaints_created ON complaints (site_id, created_at);
CREATE INDEX feedback_created ON feedback (site_id, created_at);
