-- The appointments that ended (`done` or `no_show`), by when they did: the
-- sweep reads the last few minutes' to tell the webhooks that ask.
CREATE INDEX appointments_closed ON appointments (updated_at)
    WHERE status IN ('done', 'no_show');
