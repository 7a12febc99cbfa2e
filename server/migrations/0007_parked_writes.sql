-- The parked writes each device last reported (JSON list of ParkedWrite:
-- what and why, never who), and staff decisions about them that the device
-- has not carried out yet. A decision is removed once its device stops
-- reporting the write.
ALTER TABLE devices ADD COLUMN parked TEXT NOT NULL DEFAULT '[]';

CREATE TABLE parked_decisions (
    device     TEXT NOT NULL,
    key        TEXT NOT NULL,
    decision   TEXT NOT NULL CHECK (decision IN ('retry', 'resolved')),
    decided_at INTEGER NOT NULL,
    PRIMARY KEY (device, key)
);
