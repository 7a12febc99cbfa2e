-- Exit-survey responses to write to the EHR as QuestionnaireResponses (the
-- FHIR schedule): one row per response, queued again (generation + 1) by
-- each follow-up, which replaces the EHR's copy whole.
CREATE TABLE ehr_survey_writes (
    survey_id   TEXT PRIMARY KEY NOT NULL REFERENCES survey_responses (id),
    generation  INTEGER NOT NULL DEFAULT 1,
    queued_at   INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL,
    done_at     INTEGER,
    last_error  TEXT
) STRICT;
