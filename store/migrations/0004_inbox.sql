-- An index for pruning the inbox by age. It leaves processed_at out on
-- purpose: marking an event processed, which happens in the transaction of
-- every chat update, then rewrites no index (partial indexes on
-- processed_at doubled the mark's cost). Unprocessed, run once at start,
-- reads the few days of rows pruning keeps.

CREATE INDEX inbox_received ON inbox (received_at);
