-- Undo: the last change each person made to each deal, so that "undo" /
-- 撤销 can put the deal back. before_state is the deal's values before the
-- change (JSON); version is the deal's version the change produced: an
-- undo applies only while the deal is still at it, so it never reverts
-- someone else's later change.
CREATE TABLE undo_log (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    deal_id      INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    before_state TEXT NOT NULL,
    version      INTEGER NOT NULL,
    at           TEXT NOT NULL,
    undone       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX undo_log_person ON undo_log (person_id, id);
