-- The chat reads the names of a speaker's open deals (store.OpenDealNames)
-- to find deals anywhere in a message. With the names in the owner and
-- team indexes, that read is an index range, not a row fetch per deal (a
-- rep's deals lie on as many table pages as they have deals). Ordinary
-- updates do not write these columns, so the indexes cost only on create,
-- rename, close and reassignment.
DROP INDEX deals_owner;
CREATE INDEX deals_owner ON deals (owner_id, status, customer, title);
DROP INDEX deals_team;
CREATE INDEX deals_team ON deals (team_id, status, customer, title);
