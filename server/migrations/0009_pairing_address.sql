-- The network address a pairing came from, so that one address cannot
-- hold every waiting slot (NULL for rows from before).
ALTER TABLE devices ADD COLUMN paired_from TEXT;
