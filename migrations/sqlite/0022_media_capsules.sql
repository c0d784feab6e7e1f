-- The media store: one row per stored file, whatever feature it belongs to
-- (lobby capsules now). Its bytes are a file in the media directory, or,
-- when in_db, rows of media_chunks (1 MiB each).
CREATE TABLE media_objects (
    id TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    in_db BOOLEAN NOT NULL,
    created_at INTEGER NOT NULL
);

-- Chunks are written as the upload streams in, before its media_objects
-- row is committed, so they name the object without a foreign key.
CREATE TABLE media_chunks (
    media_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (media_id, n)
);

-- Lobby capsules: a site's short videos and images, shown in the lobby's
-- information panel on some days (bit d-1 of days: ISO weekday d) and,
-- when from_minute is set, from that local minute until until_minute.
CREATE TABLE capsules (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    media_id TEXT NOT NULL REFERENCES media_objects(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    days INTEGER NOT NULL,
    from_minute INTEGER,
    until_minute INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX capsules_of_site ON capsules (site_id, created_at);
