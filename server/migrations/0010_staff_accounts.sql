-- Named staff accounts. Each person signs in with their own name and
-- passphrase (argon2id, PHC string); a short personal PIN (argon2id too)
-- may undo an idle lock at an enrolled reception desk. The shared PIN of
-- the site file is gone, and with it every session it opened.
CREATE TABLE staff_accounts (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role            TEXT NOT NULL CHECK (role IN ('staff', 'manager')),
    passphrase_hash TEXT NOT NULL,
    pin_hash        TEXT,
    created_at      INTEGER NOT NULL,
    -- Set when disabled: the account can no longer sign in.
    disabled_at     INTEGER
) STRICT;

DROP TABLE staff_sessions;
CREATE TABLE staff_sessions (
    token_hash   TEXT PRIMARY KEY NOT NULL,
    account_id   INTEGER NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    -- Wrong PINs typed to unlock this session; at the limit it ends.
    pin_failures INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX staff_sessions_account ON staff_sessions (account_id);

-- Who signed in, and who looked at or changed what. The name is copied so
-- that the line still reads right after an account is renamed or gone.
-- Details hold a ticket code, a count or a tablet's name: never a
-- patient's name or birth date.
CREATE TABLE access_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    account_id INTEGER,
    name       TEXT NOT NULL,
    action     TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX access_log_at ON access_log (at);

-- A reception desk is enrolled like a tablet (its role lets a person's PIN
-- undo an idle lock there). SQLite cannot change a CHECK: copy the table.
CREATE TABLE devices_new (
    device          TEXT PRIMARY KEY NOT NULL,
    credential_hash TEXT NOT NULL UNIQUE,
    role            TEXT NOT NULL CHECK (role IN ('check-in', 'board', 'survey', 'reception')),
    pairing_code    TEXT UNIQUE,
    paired_at       INTEGER NOT NULL,
    name            TEXT,
    approved_at     INTEGER,
    surface         TEXT NOT NULL,
    app_version     TEXT NOT NULL DEFAULT '',
    outbox_backlog  INTEGER NOT NULL DEFAULT 0,
    outbox_parked   INTEGER NOT NULL DEFAULT 0,
    storage_failed  INTEGER NOT NULL DEFAULT 0,
    last_sync       TEXT,
    last_seen       INTEGER NOT NULL,
    parked          TEXT NOT NULL DEFAULT '[]',
    paired_from     TEXT
) STRICT;
INSERT INTO devices_new (device, credential_hash, role, pairing_code, paired_at, name,
    approved_at, surface, app_version, outbox_backlog, outbox_parked, storage_failed,
    last_sync, last_seen, parked, paired_from)
SELECT device, credential_hash, role, pairing_code, paired_at, name,
    approved_at, surface, app_version, outbox_backlog, outbox_parked, storage_failed,
    last_sync, last_seen, parked, paired_from
FROM devices;
DROP TABLE devices;
ALTER TABLE devices_new RENAME TO devices;
