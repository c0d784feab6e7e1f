-- A service's English name, for the citizen pages in English (optional:
-- without it they show the French name, marked as French).
ALTER TABLE services ADD COLUMN name_en TEXT;
