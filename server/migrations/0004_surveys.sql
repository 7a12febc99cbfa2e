-- Exit-survey responses: anonymous unless the patient gives a first name.
CREATE TABLE survey_responses (
    id              TEXT PRIMARY KEY NOT NULL,  -- the kiosk's UUID for it
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    day             TEXT NOT NULL,              -- clinic-local, at creation
    hour            INTEGER NOT NULL,
    rating          INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    recommend       INTEGER CHECK (recommend BETWEEN 0 AND 10),
    better          TEXT NOT NULL DEFAULT '[]',
    went_well       TEXT NOT NULL DEFAULT '[]',
    comment         TEXT,
    thanks          TEXT,
    talk_to_someone INTEGER NOT NULL DEFAULT 0,
    first_name      TEXT
) STRICT;

CREATE INDEX survey_responses_day ON survey_responses (day);

-- What reception should see now: an unhappy patient who wants to talk, or
-- thanks to a member of staff.
CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('talk_to_me', 'thanks')),
    response_id     TEXT NOT NULL REFERENCES survey_responses (id),
    raised_at       INTEGER NOT NULL,
    acknowledged_at INTEGER,
    UNIQUE (response_id, kind)
) STRICT;
