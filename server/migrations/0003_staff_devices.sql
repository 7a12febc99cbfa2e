-- Staff sessions: only a hash of the cookie's token is stored.
CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL
) STRICT;

-- The kiosks and screens that report in, for reception's health view.
CREATE TABLE devices (
    device         TEXT PRIMARY KEY NOT NULL,
    surface        TEXT NOT NULL,
    app_version    TEXT NOT NULL,
    outbox_backlog INTEGER NOT NULL,
    last_sync      TEXT,
    last_seen      INTEGER NOT NULL
) STRICT;
