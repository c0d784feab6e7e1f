-- Appointments: the places taken in each slot, one active booking per
-- phone, and what the reminder and check-in steps record.

-- Never used: places are counted per slot for all modes together.
DROP TABLE slot_bookings;

-- Places taken in one slot of a service, in-person and video together:
-- both are served by the same agents. Updated only by a conditional
-- statement that refuses to pass the service's capacity.
CREATE TABLE slot_places (
    site_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    start_at BIGINT NOT NULL,
    taken BIGINT NOT NULL CHECK (taken >= 0),
    PRIMARY KEY (site_id, service_id, start_at)
);

-- One active appointment per phone, service and site.
CREATE UNIQUE INDEX appointments_one_active
    ON appointments (site_id, service_id, phone)
    WHERE status IN ('booked', 'checked_in');
CREATE INDEX appointments_due ON appointments (status, start_at);

ALTER TABLE appointments ADD COLUMN checked_in_at BIGINT;
ALTER TABLE appointments ADD COLUMN reminded_day_at BIGINT;
ALTER TABLE appointments ADD COLUMN reminded_hours_at BIGINT;

ALTER TABLE waitlist ADD COLUMN lang TEXT NOT NULL DEFAULT 'fr';
CREATE INDEX waitlist_open ON waitlist (site_id, service_id, created_at);
