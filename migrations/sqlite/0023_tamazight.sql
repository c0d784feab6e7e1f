-- Tamazight on the office's screens (lobby, counter display, kiosk): a
-- site's switch, a service's name in Tifinagh (optional), and the clips an
-- office records for saying calls in Tamazight (one row a clip: a digit or
-- a word, at most 512 KiB, its type checked by content on upload).
ALTER TABLE sites ADD COLUMN tamazight BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE services ADD COLUMN name_zgh TEXT;
CREATE TABLE voice_clips (
    site_id TEXT NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (site_id, name)
);
