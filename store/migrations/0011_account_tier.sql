-- Key-account tiers: A, B or C by size and potential (METHODOLOGY §6), set
-- on a customer (all its deals), keyed by the customer's normalised name.

CREATE TABLE accounts (
    customer_norm TEXT PRIMARY KEY,
    customer      TEXT NOT NULL,
    tier          TEXT NOT NULL CHECK (tier IN ('A', 'B', 'C')),
    updated_at    TEXT NOT NULL
);
