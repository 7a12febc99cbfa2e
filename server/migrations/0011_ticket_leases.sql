-- Ticket numbers set aside for an enrolled check-in kiosk (its lease), so
-- that a patient it checks in while it cannot reach the server gets a real
-- code at once. One row per number; a day's new tickets count on past the
-- highest number set aside, so no other ticket ever takes one. There is no
-- reference to the device: a revoked kiosk's numbers stay set aside.
CREATE TABLE ticket_leases (
    day        TEXT NOT NULL,
    line       TEXT NOT NULL,
    number     INTEGER NOT NULL CHECK (number BETWEEN 1 AND 9999),
    device_id  TEXT NOT NULL,
    -- When a check-in brought it and got it as its ticket's code.
    used_at    INTEGER,
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (day, line, number)
) STRICT;
CREATE INDEX ticket_leases_device ON ticket_leases (device_id, day);
