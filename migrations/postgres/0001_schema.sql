-- Guichet schema (PostgreSQL). Kept in step with migrations/sqlite.
-- Instants are BIGINT milliseconds since the Unix epoch (UTC); local days are
-- 'YYYY-MM-DD' text in the site's timezone; lists and maps are JSON text.

CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_ar TEXT,
    timezone TEXT NOT NULL,
    opening_hours TEXT NOT NULL,
    closures TEXT NOT NULL,
    verify_phone BOOLEAN NOT NULL,
    priority_streak_max BIGINT NOT NULL DEFAULT 3,
    min_recalls BIGINT NOT NULL DEFAULT 1,
    near_turn_ahead BIGINT NOT NULL DEFAULT 3,
    checkin_early_minutes BIGINT NOT NULL DEFAULT 15,
    checkin_late_minutes BIGINT NOT NULL DEFAULT 30,
    complaint_answer_days BIGINT NOT NULL DEFAULT 60,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- One row per site: the last event number, and how many priority tickets
-- were called in a row (the fairness rule). Locked by every queue change.
CREATE TABLE site_sequences (
    site_id TEXT PRIMARY KEY REFERENCES sites(id),
    last_seq BIGINT NOT NULL,
    priority_streak BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE site_events (
    site_id TEXT NOT NULL REFERENCES sites(id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT,
    payload TEXT NOT NULL,
    PRIMARY KEY (site_id, seq)
);

CREATE TABLE services (
    site_id TEXT NOT NULL REFERENCES sites(id),
    id TEXT NOT NULL,
    prefix TEXT NOT NULL,
    name TEXT NOT NULL,
    name_ar TEXT,
    walk_in BOOLEAN NOT NULL,
    appointment_modes TEXT NOT NULL,
    slot_minutes BIGINT NOT NULL,
    slot_capacity BIGINT NOT NULL,
    service_minutes BIGINT NOT NULL,
    required_documents TEXT NOT NULL,
    processing_days BIGINT NOT NULL,
    min_notice_minutes BIGINT NOT NULL DEFAULT 120,
    horizon_days BIGINT NOT NULL DEFAULT 60,
    target_wait_minutes BIGINT NOT NULL DEFAULT 30,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (site_id, id),
    UNIQUE (site_id, prefix)
);

CREATE TABLE users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    site_id TEXT REFERENCES sites(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE counters (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    label TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'closed',
    agent TEXT REFERENCES users(username),
    state_since BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX counters_site ON counters (site_id);
CREATE UNIQUE INDEX counters_one_per_agent ON counters (agent);

CREATE TABLE counter_services (
    counter_id TEXT NOT NULL REFERENCES counters(id),
    site_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    rank BIGINT NOT NULL,
    PRIMARY KEY (counter_id, service_id),
    FOREIGN KEY (site_id, service_id) REFERENCES services(site_id, id)
);

CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

-- Bearer tokens of users, devices and citizens; only their SHA-256 is kept.
CREATE TABLE auth_tokens (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT
);
CREATE INDEX auth_tokens_subject ON auth_tokens (kind, subject);

CREATE TABLE ticket_numbers (
    site_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    local_day TEXT NOT NULL,
    last_number BIGINT NOT NULL,
    -- Never goes back, so that issue times follow the numbers' order.
    last_issued_at BIGINT NOT NULL,
    PRIMARY KEY (site_id, service_id, local_day)
);

CREATE TABLE appointments (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    service_id TEXT NOT NULL,
    mode TEXT NOT NULL,
    start_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL,
    local_day TEXT NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    manage_token_hash TEXT NOT NULL,
    name TEXT,
    phone TEXT,
    email TEXT,
    lang TEXT NOT NULL DEFAULT 'fr',
    persons BIGINT NOT NULL DEFAULT 1,
    status TEXT NOT NULL,
    video_url TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    FOREIGN KEY (site_id, service_id) REFERENCES services(site_id, id)
);
CREATE INDEX appointments_slot ON appointments (site_id, service_id, start_at);
CREATE INDEX appointments_phone ON appointments (phone);

CREATE TABLE slot_bookings (
    site_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    mode TEXT NOT NULL,
    start_at BIGINT NOT NULL,
    booked BIGINT NOT NULL,
    PRIMARY KEY (site_id, service_id, mode, start_at)
);

CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    service_id TEXT NOT NULL,
    origin_service_id TEXT NOT NULL,
    local_day TEXT NOT NULL,
    number TEXT NOT NULL,
    -- The number's sequence: orders tickets issued in the same millisecond.
    sequence BIGINT NOT NULL,
    priority TEXT NOT NULL,
    source TEXT NOT NULL,
    phone TEXT,
    lang TEXT NOT NULL DEFAULT 'fr',
    status TEXT NOT NULL,
    counter_id TEXT,
    agent TEXT,
    appointment_id TEXT REFERENCES appointments(id),
    recalls BIGINT NOT NULL DEFAULT 0,
    last_recall_at BIGINT,
    -- Appointment check-ins: from when the ticket goes ahead of walk-ins.
    due_at BIGINT,
    close_reason TEXT,
    issued_at BIGINT NOT NULL,
    called_at BIGINT,
    serving_at BIGINT,
    finished_at BIGINT,
    UNIQUE (site_id, origin_service_id, local_day, number),
    FOREIGN KEY (site_id, service_id) REFERENCES services(site_id, id)
);
CREATE INDEX tickets_queue ON tickets (site_id, status, service_id, priority, issued_at);
CREATE INDEX tickets_day ON tickets (site_id, local_day);

CREATE TABLE otp_codes (
    id TEXT PRIMARY KEY,
    phone TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX otp_codes_phone ON otp_codes (phone, created_at);

CREATE TABLE document_requests (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    service_id TEXT NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL,
    name TEXT,
    phone TEXT,
    email TEXT,
    lang TEXT NOT NULL DEFAULT 'fr',
    status TEXT NOT NULL,
    reason TEXT,
    expected_ready_on TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    FOREIGN KEY (site_id, service_id) REFERENCES services(site_id, id)
);
CREATE INDEX document_requests_site ON document_requests (site_id, status);

CREATE TABLE request_history (
    request_id TEXT NOT NULL REFERENCES document_requests(id),
    step BIGINT NOT NULL,
    status TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT,
    reason TEXT,
    PRIMARY KEY (request_id, step)
);

CREATE TABLE complaints (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    service_id TEXT,
    reference TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    phone TEXT,
    status TEXT NOT NULL,
    assigned_to TEXT,
    answer TEXT,
    answer_due_on TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    answered_at BIGINT
);

CREATE TABLE feedback (
    token_hash TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    service_id TEXT NOT NULL,
    ticket_id TEXT,
    appointment_id TEXT,
    agent TEXT,
    rating BIGINT,
    comment TEXT,
    created_at BIGINT NOT NULL,
    answered_at BIGINT
);

CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    site_id TEXT,
    channel TEXT NOT NULL,
    template TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT,
    body TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    locked_until BIGINT,
    provider_id TEXT,
    delivery_status TEXT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);

CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    site_id TEXT REFERENCES sites(id),
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE waitlist (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    service_id TEXT NOT NULL,
    phone TEXT NOT NULL,
    from_day TEXT NOT NULL,
    to_day TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    offered_at BIGINT
);

CREATE TABLE announcements (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    text_fr TEXT NOT NULL,
    text_ar TEXT,
    position BIGINT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL
);
