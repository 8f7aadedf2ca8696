-- The duplicate check before a create asks whether the speaker already has
-- an open deal of the same normalised customer and title: four equalities
-- this index answers with one seek, whatever the number of deals. It
-- replaces the customer index (its first column), so a create still
-- maintains as many indexes as before, and an update rewrites it only when
-- it already rewrote the customer index (names, owner or status changed).
DROP INDEX deals_customer;
CREATE INDEX deals_customer ON deals (customer_norm, title_norm, owner_id, status);
