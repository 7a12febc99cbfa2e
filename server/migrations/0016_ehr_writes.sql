-- The server-side outbox of writes to the EHR (the FHIR schedule): one row
-- per queue change of a ticket with an appointment from the EHR (or of a
-- walk-in, where the site sends walk-ins' visits too), stored in
-- the change's own transaction, sent in order per ticket, retried with a
-- capped backoff until the EHR has it.
CREATE TABLE ehr_writes (
    id          INTEGER PRIMARY KEY,
    day         TEXT NOT NULL,
    ticket_id   INTEGER NOT NULL,
    -- What the EHR is to hear: the patient arrived (Appointment arrived and
    -- an Encounter made), waits again, was called, was seen, did not come.
    kind        TEXT NOT NULL CHECK (kind IN ('arrived', 'waiting', 'called', 'served', 'no_show')),
    appointment TEXT,                 -- Appointment/{id}; none for a walk-in
    patient     TEXT,                 -- Patient/{id}; none for a walk-in
    room        TEXT,                 -- where it was called to
    at          INTEGER NOT NULL,     -- unix seconds of the change
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL,     -- unix seconds: not sent before
    done_at     INTEGER,
    last_error  TEXT                  -- why the last attempt failed (no names)
) STRICT;

CREATE INDEX ehr_writes_pending ON ehr_writes (done_at, next_at);
