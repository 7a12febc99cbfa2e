-- Delay notices staff post for the board: "Dr. Lee is running about 20
-- minutes late". Structured, so every screen says it in its own language.
CREATE TABLE delay_notices (
    id         INTEGER PRIMARY KEY,
    day        TEXT NOT NULL,
    clinician  TEXT NOT NULL,
    minutes    INTEGER NOT NULL CHECK (minutes BETWEEN 5 AND 240),
    posted_at  INTEGER NOT NULL,
    cleared_at INTEGER
) STRICT;

CREATE INDEX delay_notices_day ON delay_notices (day, cleared_at);
