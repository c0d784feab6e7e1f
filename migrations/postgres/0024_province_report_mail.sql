-- The addresses a province's monthly report is mailed to, set by admins
-- (a few per province; see app::monthly_report::province_mailing).
CREATE TABLE province_report_recipients (
    province_id TEXT NOT NULL REFERENCES provinces(id),
    address TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (province_id, address)
);

-- One mailing of a province's report per month (`YYYY-MM`, the month the
-- report is about): inserted with ON CONFLICT DO NOTHING in the
-- transaction that queues the e-mails, so that two instances running the
-- sweep at once queue them once.
CREATE TABLE province_report_mailings (
    province_id TEXT NOT NULL REFERENCES provinces(id),
    month TEXT NOT NULL,
    recipients BIGINT NOT NULL,
    queued_at BIGINT NOT NULL,
    PRIMARY KEY (province_id, month)
);
