-- When each kiosk or display last made a request or held its live
-- connection (to about a minute), for the admins' list of devices.
ALTER TABLE devices ADD COLUMN last_seen_at BIGINT;
