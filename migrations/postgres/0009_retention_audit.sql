-- Personal data kept only as long as needed, and the audit log of staff
-- actions (ARCHITECTURE.md, "Personal data and audit").

-- When the retention sweep erased a row's names, phones, e-mails and
-- free text. Statistics columns (times, statuses, service, agent) stay.
ALTER TABLE tickets ADD COLUMN personal_data_erased_at BIGINT;
ALTER TABLE appointments ADD COLUMN personal_data_erased_at BIGINT;
ALTER TABLE document_requests ADD COLUMN personal_data_erased_at BIGINT;
ALTER TABLE complaints ADD COLUMN personal_data_erased_at BIGINT;
ALTER TABLE feedback ADD COLUMN personal_data_erased_at BIGINT;
ALTER TABLE notifications ADD COLUMN personal_data_erased_at BIGINT;

-- What the sweep looks for: closed rows not erased yet, by the time they
-- closed. Erased rows leave these partial indexes, so a sweep with nothing
-- to do reads nothing. Tickets use tickets_phone_status (0005): an erased
-- ticket has no phone.
CREATE INDEX appointments_erasable_end ON appointments (end_at)
    WHERE personal_data_erased_at IS NULL;
CREATE INDEX appointments_erasable_cancelled ON appointments (updated_at)
    WHERE personal_data_erased_at IS NULL AND status = 'cancelled';
CREATE INDEX document_requests_erasable ON document_requests (updated_at)
    WHERE personal_data_erased_at IS NULL AND status IN ('delivered', 'rejected');
CREATE INDEX complaints_erasable ON complaints (answered_at)
    WHERE personal_data_erased_at IS NULL AND status IN ('answered', 'closed');
CREATE INDEX feedback_erasable ON feedback (answered_at)
    WHERE personal_data_erased_at IS NULL AND comment IS NOT NULL;
CREATE INDEX notifications_erasable ON notifications (created_at)
    WHERE personal_data_erased_at IS NULL AND status IN ('sent', 'dead');
-- Rows that hold nothing but personal data are deleted once over.
CREATE INDEX waitlist_ended ON waitlist (to_day);
CREATE INDEX waitlist_offered ON waitlist (offered_at) WHERE offered_at IS NOT NULL;
CREATE INDEX otp_codes_expires ON otp_codes (expires_at);
CREATE INDEX auth_tokens_expires ON auth_tokens (kind, expires_at);

-- Who did what, where, when, from which address, and how it ended. No
-- citizen's personal data: actors are staff usernames or device ids,
-- targets are ids and references from the request's path.
CREATE TABLE audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    site_id TEXT,
    action TEXT NOT NULL,
    target TEXT,
    client_ip TEXT,
    status BIGINT NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_site ON audit_log (site_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
