-- The addresses an office's monthly report is mailed to, set by admins
-- (a few per office; see app::monthly_report::recipients).
CREATE TABLE report_recipients (
    site_id TEXT NOT NULL REFERENCES sites(id),
    address TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (site_id, address)
);

-- One mailing of an office's report per month (`YYYY-MM`, the month the
-- report is about): the sweep inserts its row with ON CONFLICT DO NOTHING
-- in the transaction that queues the e-mails, so two instances running the
-- sweep at once queue them once.
CREATE TABLE report_mailings (
    site_id TEXT NOT NULL REFERENCES sites(id),
    month TEXT NOT NULL,
    recipients BIGINT NOT NULL,
    queued_at BIGINT NOT NULL,
    PRIMARY KEY (site_id, month)
);

-- An e-mail's attachment (the report's PDF), bounded in size
-- (notify::MAX_ATTACHMENT), sent as a multipart/mixed part.
ALTER TABLE notifications ADD COLUMN attachment_name TEXT;
ALTER TABLE notifications ADD COLUMN attachment BYTEA;
