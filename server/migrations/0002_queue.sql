-- Today's schedule, the queue, and the bookkeeping that keeps writes safe.

-- Appointments imported (or seeded) for a clinic day. Personal data lives
-- here and in tickets only; nothing else copies it.
CREATE TABLE appointments (
    id           INTEGER PRIMARY KEY,
    day          TEXT NOT NULL,             -- clinic-local YYYY-MM-DD
    starts_at    TEXT NOT NULL,             -- clinic-local HH:MM
    family_name  TEXT NOT NULL,
    given_name   TEXT NOT NULL,
    birth_date   TEXT NOT NULL,             -- YYYY-MM-DD
    clinician    TEXT NOT NULL,             -- display name, e.g. "Dr. Lee"
    line_id      TEXT NOT NULL,
    code         TEXT NOT NULL,             -- printed on the appointment letter
    kiosk_ref    TEXT NOT NULL UNIQUE,      -- opaque id given to kiosks
    external_id  TEXT,                      -- the source system's id
    ticket_id    INTEGER,                   -- set once checked in
    UNIQUE (day, code),
    UNIQUE (day, external_id)
) STRICT;

CREATE INDEX appointments_day_birth ON appointments (day, birth_date);

-- Every ticket of every day. (day, id) matches waitwell_core::queue ids.
CREATE TABLE tickets (
    day            TEXT NOT NULL,
    id             INTEGER NOT NULL,
    code_line      TEXT NOT NULL,
    code_number    INTEGER NOT NULL,
    line_id        TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('waiting', 'called', 'served', 'no_show')),
    room           TEXT,
    calls          INTEGER NOT NULL DEFAULT 0,
    queue_order    INTEGER NOT NULL DEFAULT 0,  -- sort key among waiting tickets
    appointment_id INTEGER REFERENCES appointments (id),
    walk_in_name   TEXT,                        -- "Ana G." for walk-ins
    walk_in_reason TEXT,
    needs          TEXT NOT NULL DEFAULT '{}',  -- JSON waitwell_core::contract::Needs
    created_at     INTEGER NOT NULL,            -- unix seconds
    called_at      INTEGER,
    finished_at    INTEGER,
    PRIMARY KEY (day, id),
    UNIQUE (day, code_line, code_number)
) STRICT;

CREATE INDEX tickets_waiting ON tickets (day, line_id, status, queue_order);

-- The queue version per day, so clients can detect missed changes across
-- a server restart.
CREATE TABLE queue_days (
    day        TEXT PRIMARY KEY NOT NULL,
    version    INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- Idempotency keys of creating POSTs: the first result is stored and
-- replayed. Kept at least 7 days (see idempotency.rs).
CREATE TABLE idempotency_keys (
    key          TEXT PRIMARY KEY NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Failed attempts (identification, staff PIN), for the per-device and
-- per-identity limits. `scope` is e.g. "identify:device:<id>" or
-- "identify:identity:<keyed hash>": never a name, birth date or PIN.
CREATE TABLE failed_attempts (
    scope TEXT NOT NULL,
    at    INTEGER NOT NULL
) STRICT;

CREATE INDEX failed_attempts_scope ON failed_attempts (scope, at);
