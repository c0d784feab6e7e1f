-- The outbox worker, document requests' citizens, complaints' history,
-- feedback per visit.

-- Messages are claimed by one worker at a time: 'sending' until
-- locked_until, then 'sent', or back to 'retrying', or 'dead'.
CREATE INDEX notifications_provider ON notifications (provider_id);
ALTER TABLE notifications ADD COLUMN dead_at INTEGER;
-- The rank of delivery_status, so that a late callback never moves it back.
ALTER TABLE notifications ADD COLUMN delivery_rank INTEGER NOT NULL DEFAULT 0;

CREATE INDEX document_requests_phone ON document_requests (phone);
CREATE INDEX appointments_phone_created ON appointments (phone, created_at);

CREATE TABLE complaint_history (
    complaint_id TEXT NOT NULL REFERENCES complaints(id),
    step INTEGER NOT NULL,
    status TEXT NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT,
    note TEXT,
    PRIMARY KEY (complaint_id, step)
);
ALTER TABLE complaints ADD COLUMN lang TEXT NOT NULL DEFAULT 'fr';
CREATE INDEX complaints_site ON complaints (site_id, status, answer_due_on);
CREATE INDEX complaints_phone ON complaints (phone);

-- One feedback request per visit.
CREATE UNIQUE INDEX feedback_ticket ON feedback (ticket_id) WHERE ticket_id IS NOT NULL;
CREATE UNIQUE INDEX feedback_appointment ON feedback (appointment_id) WHERE appointment_id IS NOT NULL;

CREATE INDEX tickets_phone_status ON tickets (status, finished_at) WHERE phone IS NOT NULL;
