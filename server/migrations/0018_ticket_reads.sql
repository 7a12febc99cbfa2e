-- The reads behind every check-in's wait range and the board's, found
-- without walking the day's (or four weeks') tickets: each line's latest
-- visits, newest first, and the visits in progress. Only the rows they
-- ask for are indexed.
CREATE INDEX tickets_served ON tickets (line_id, day, finished_at, called_at)
    WHERE status = 'served';
CREATE INDEX tickets_called ON tickets (day, line_id, called_at)
    WHERE status = 'called';
