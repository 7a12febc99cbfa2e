-- The upper end of the wait range a patient was given at check-in, as a
-- time (unix seconds): once it has passed, the board and the ticket say
-- the wait is longer than promised instead of showing a range as if
-- nothing were wrong.
ALTER TABLE tickets ADD COLUMN promised_by INTEGER;
