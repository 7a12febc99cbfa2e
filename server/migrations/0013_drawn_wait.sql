-- What the wait estimate drew for a ticket at check-in (minutes, before the
-- correction learned from earlier days) and how many were ahead then: with
-- the wait the ticket then had, this is how later days learn how far the
-- drawn ranges' ends are off at each hour (waitwell_core::wait::learned).
ALTER TABLE tickets ADD COLUMN drawn_low REAL;
ALTER TABLE tickets ADD COLUMN drawn_high REAL;
ALTER TABLE tickets ADD COLUMN ahead_at_check_in INTEGER;
