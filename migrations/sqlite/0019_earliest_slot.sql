-- The earliest slot anywhere: services meaning the same procedure in
-- different offices share a kind (a code admins set, e.g.
-- `certificat-residence`), and sites say where they are (a city, and a
-- position in degrees), so that a search over every office can find the
-- offices offering a kind and say how far they are.
ALTER TABLE services ADD COLUMN kind TEXT;
CREATE INDEX services_kind ON services (kind);
ALTER TABLE sites ADD COLUMN city TEXT;
ALTER TABLE sites ADD COLUMN latitude REAL;
ALTER TABLE sites ADD COLUMN longitude REAL;
