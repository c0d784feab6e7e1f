-- The digital guide of procedures: per service, what a citizen reads
-- before coming. Each text is a JSON object {"fr", "ar", "en"}; steps is a
-- JSON list of such objects, in order; channels a JSON list of "online",
-- "kiosk", "appointment", "counter". The documents to bring stay in
-- services.required_documents and the legal delay in
-- services.processing_days: the guide shows them, it does not copy them.
CREATE TABLE service_guides (
    site_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    summary TEXT NOT NULL,
    steps TEXT NOT NULL,
    fees TEXT NOT NULL,
    eligibility TEXT NOT NULL,
    channels TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (site_id, service_id),
    FOREIGN KEY (site_id, service_id) REFERENCES services(site_id, id)
);
