-- The inbox is found by its key alone: (platform, event_id) for dedupe and
-- marking, a platform's rows for replay and stats. As a rowid table it was
-- three B-trees (the rows, the key's index and inbox_received), three
-- inserts and three pages in the commit for every slash command's claim.
-- Keyed WITHOUT ROWID it is one. Pruning by age no longer has an index of
-- received_at: it walks the rows in key order on a reader (see
-- PruneInbox), at most hourly. The payload comes last so that reading the
-- times and the state of a row never reads a large payload's overflow.
CREATE TABLE inbox_keyed (
    platform     TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    processed_at TEXT,
    payload      BLOB NOT NULL,
    PRIMARY KEY (platform, event_id)
) WITHOUT ROWID;
INSERT INTO inbox_keyed (platform, event_id, received_at, processed_at, payload)
    SELECT platform, event_id, received_at, processed_at, payload FROM inbox;
DROP TABLE inbox;
ALTER TABLE inbox_keyed RENAME TO inbox;
