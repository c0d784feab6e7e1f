-- Other administrations (a passport office, the permits office) that push
-- the status of their files. `secret` signs their pushes (HMAC-SHA256, as
-- outbound webhooks are signed), so it is kept as given, like a webhook's;
-- `holder_key` keys the hashes of the holders' identifiers and never
-- changes. `sites` is the JSON list of the sites whose kiosks show the
-- partner's files.
CREATE TABLE partners (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_ar TEXT,
    sites TEXT NOT NULL,
    secret TEXT NOT NULL,
    holder_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    secret_rotated_at INTEGER,
    disabled_at INTEGER
);

-- One file of a partner, as last pushed. `holder_hash` is the keyed hash
-- (HMAC-SHA256 with the partner's `holder_key`) of the second identifier
-- the citizen gives; the identifier itself is never stored. The phone is
-- erased by the retention sweep once the file is delivered or rejected.
CREATE TABLE partner_files (
    partner_id TEXT NOT NULL REFERENCES partners(id),
    reference TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    label_fr TEXT NOT NULL,
    label_ar TEXT NOT NULL,
    ready_at INTEGER,
    version INTEGER NOT NULL,
    holder_hash TEXT NOT NULL,
    phone TEXT,
    lang TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    personal_data_erased_at INTEGER,
    PRIMARY KEY (partner_id, reference)
);
CREATE INDEX partner_files_reference ON partner_files (reference);

-- Signatures of accepted pushes, kept while their timestamp could still
-- pass (the push window), so that a push sent twice is refused.
CREATE TABLE partner_signatures (
    partner_id TEXT NOT NULL REFERENCES partners(id),
    signature TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (partner_id, signature)
);
CREATE INDEX partner_signatures_seen ON partner_signatures (seen_at);
