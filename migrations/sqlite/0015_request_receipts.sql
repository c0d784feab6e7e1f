-- How each document request was filed: `online` (the portal or the public
-- API), `kiosk` (the lobby's kiosk), `desk` (staff at the reception or a
-- counter) or `ticket` (by the agent serving a walk-in visit, whose ticket
-- it names). The acknowledgement of receipt goes through the outbox, whose
-- idempotency key makes it once per request: no marker is needed here.
ALTER TABLE document_requests ADD COLUMN channel TEXT NOT NULL DEFAULT 'online';
ALTER TABLE document_requests ADD COLUMN ticket_id TEXT;
UPDATE document_requests SET channel = 'desk'
    WHERE id IN (SELECT request_id FROM request_history WHERE step = 1 AND actor LIKE 'user:%');
CREATE INDEX document_requests_ticket ON document_requests (ticket_id);
