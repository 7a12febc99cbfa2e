-- Phone links: a patient follows their ticket on their own phone through
-- /t/{token}. Only the token's SHA-256 is kept. A link works on its day
-- only, while its ticket is waiting or called, and until reception ends it.
CREATE TABLE follow_links (
    token_hash TEXT PRIMARY KEY,
    day        TEXT NOT NULL,
    ticket_id  INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    ended_at   INTEGER,
    FOREIGN KEY (day, ticket_id) REFERENCES tickets (day, id)
) STRICT;
CREATE INDEX follow_links_ticket ON follow_links (day, ticket_id);
