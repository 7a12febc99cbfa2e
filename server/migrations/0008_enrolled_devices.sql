-- Enrolled devices. A tablet pairs (gets a random credential, kept only as
-- its SHA-256 here, and a short pairing code), staff approve the code at
-- reception with a name and a role, and from then on the credential is the
-- only thing that says which device a request comes from. The old list was
-- keyed on an id the client chose: it is dropped, with staff decisions that
-- named those ids.
DELETE FROM parked_decisions;
DROP TABLE devices;

CREATE TABLE devices (
    device          TEXT PRIMARY KEY NOT NULL,
    credential_hash TEXT NOT NULL UNIQUE,
    role            TEXT NOT NULL CHECK (role IN ('check-in', 'board', 'survey')),
    -- Set while pending; NULL once approved.
    pairing_code    TEXT UNIQUE,
    paired_at       INTEGER NOT NULL,
    -- NULL while pending.
    name            TEXT,
    approved_at     INTEGER,
    -- Health, from heartbeats.
    surface         TEXT NOT NULL,
    app_version     TEXT NOT NULL DEFAULT '',
    outbox_backlog  INTEGER NOT NULL DEFAULT 0,
    outbox_parked   INTEGER NOT NULL DEFAULT 0,
    storage_failed  INTEGER NOT NULL DEFAULT 0,
    last_sync       TEXT,
    last_seen       INTEGER NOT NULL,
    parked          TEXT NOT NULL DEFAULT '[]'
) STRICT;
