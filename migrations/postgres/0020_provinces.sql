-- Provinces (or prefectures): named sets of sites that a province account
-- reads and compares. A site belongs to at most one province.
CREATE TABLE provinces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_ar TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE province_sites (
    site_id TEXT PRIMARY KEY REFERENCES sites(id),
    province_id TEXT NOT NULL REFERENCES provinces(id),
    added_at BIGINT NOT NULL
);

CREATE INDEX province_sites_by_province ON province_sites (province_id, site_id);

-- The province a province account reads (NULL for every other role).
ALTER TABLE users ADD COLUMN province_id TEXT REFERENCES provinces(id);
