-- Joining the walk-in queue from a phone (docs/remote-queue.md). A remote
-- ticket (`source = 'remote'`) waits like any other but is called only once
-- its holder is present (`present_at`); its turn coming while absent sets
-- `held_at`, and past the site's grace it lapses (`no_show`, `lapsed`).
ALTER TABLE tickets ADD COLUMN present_at BIGINT;
ALTER TABLE tickets ADD COLUMN held_at BIGINT;
ALTER TABLE sites ADD COLUMN travel_margin_minutes BIGINT NOT NULL DEFAULT 20;
ALTER TABLE sites ADD COLUMN remote_grace_minutes BIGINT NOT NULL DEFAULT 15;
ALTER TABLE services ADD COLUMN remote_share_percent BIGINT NOT NULL DEFAULT 50;
-- One active remote ticket per phone per office: this index decides.
CREATE UNIQUE INDEX tickets_remote_phone ON tickets (site_id, phone)
    WHERE source = 'remote' AND status IN ('waiting', 'called', 'serving');
-- The remote tickets still absent, for the held-aside sweep.
CREATE INDEX tickets_remote_absent ON tickets (site_id, service_id, issued_at)
    WHERE source = 'remote' AND status = 'waiting' AND present_at IS NULL;
