-- Codes sent to each phone, counted where they are reserved: one row per
-- phone (its SHA-256, never the number), the time of the last code and the
-- counts of the current hour's and day's windows. A code is sent only after
-- one conditional upsert of this row took its place (`store::otp::reserve`).
CREATE TABLE otp_quota (
    phone_hash TEXT PRIMARY KEY,
    last_at BIGINT NOT NULL,
    hour_start BIGINT NOT NULL,
    hour_count BIGINT NOT NULL,
    day_start BIGINT NOT NULL,
    day_count BIGINT NOT NULL
);
CREATE INDEX otp_quota_day ON otp_quota (day_start);
