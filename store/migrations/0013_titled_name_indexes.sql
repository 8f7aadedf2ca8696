-- Most deals have no title ("new Acme 50k"): their title_norm is '' and
-- their full_norm is their customer_norm, which deals_customer already
-- indexes. Indexing them again in deals_title and deals_full cost every
-- create two index writes for entries no lookup needs (FindDeals asks
-- these two indexes for titled deals only). Partial indexes keep the
-- titled deals alone.
DROP INDEX deals_title;
CREATE INDEX deals_title ON deals (title_norm) WHERE title_norm != '';
DROP INDEX deals_full;
CREATE INDEX deals_full ON deals (full_norm) WHERE title_norm != '';
