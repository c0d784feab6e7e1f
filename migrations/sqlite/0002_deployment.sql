-- One row naming this deployment: instances on the same database share
-- live events on a Redis channel named after it, and never hear another
-- deployment's events on a shared Redis.
CREATE TABLE deployment (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    id TEXT NOT NULL
);
