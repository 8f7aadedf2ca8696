-- The first schema: people and teams, deals with their history, contacts and
-- notes, and the inbox/outbox tables the adapters and scheduler use.
-- Times are UTC text in a fixed-width RFC 3339 form, so they sort as strings.
-- Money is integer minor units. Dates without a time are YYYY-MM-DD text.

CREATE TABLE teams (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    tz         TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

CREATE TABLE people (
    id          INTEGER PRIMARY KEY,
    platform    TEXT NOT NULL,
    platform_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    tz          TEXT NOT NULL DEFAULT '',
    lang        TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL DEFAULT 'rep' CHECK (role IN ('rep', 'manager', 'admin')),
    team_id     INTEGER REFERENCES teams (id),
    created_at  TEXT NOT NULL,
    UNIQUE (platform, platform_id)
);

CREATE TABLE deals (
    id             INTEGER PRIMARY KEY,
    customer       TEXT NOT NULL,
    customer_norm  TEXT NOT NULL,
    title          TEXT NOT NULL DEFAULT '',
    title_norm     TEXT NOT NULL DEFAULT '',
    full_norm      TEXT NOT NULL DEFAULT '', -- "customer title", normalised
    owner_id       INTEGER NOT NULL REFERENCES people (id),
    team_id        INTEGER REFERENCES teams (id),
    amount         INTEGER NOT NULL DEFAULT 0,
    currency       TEXT NOT NULL,
    stage          TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')),
    lost_reason    TEXT NOT NULL DEFAULT '',
    next_step      TEXT NOT NULL DEFAULT '',
    next_step_due  TEXT,
    expected_close TEXT,
    stage_since    TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX deals_customer ON deals (customer_norm);
CREATE INDEX deals_title ON deals (title_norm);
CREATE INDEX deals_full ON deals (full_norm);
CREATE INDEX deals_owner ON deals (owner_id, status);
CREATE INDEX deals_team ON deals (team_id, status);

CREATE TABLE deal_events (
    id         INTEGER PRIMARY KEY,
    deal_id    INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    from_value TEXT NOT NULL DEFAULT '',
    to_value   TEXT NOT NULL DEFAULT '',
    actor_id   INTEGER REFERENCES people (id),
    at         TEXT NOT NULL
);
CREATE INDEX deal_events_deal ON deal_events (deal_id, id);
CREATE INDEX deal_events_at ON deal_events (at);

CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    deal_id      INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL DEFAULT '',
    relationship TEXT NOT NULL DEFAULT '',
    style        TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (deal_id, name)
);

CREATE TABLE notes (
    id         INTEGER PRIMARY KEY,
    deal_id    INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    author_id  INTEGER REFERENCES people (id),
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX notes_deal ON notes (deal_id, id);

-- inbox: one row per platform event, written before the platform is
-- acknowledged; its primary key de-duplicates retries.
CREATE TABLE inbox (
    platform     TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    payload      BLOB NOT NULL,
    received_at  TEXT NOT NULL,
    processed_at TEXT,
    PRIMARY KEY (platform, event_id)
);

-- outbox: every scheduled message, claimed under an idempotency key before
-- it is sent.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    idem_key        TEXT NOT NULL UNIQUE,
    platform        TEXT NOT NULL,
    channel         TEXT NOT NULL,
    payload         BLOB NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    sent_at         TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL
);
CREATE INDEX outbox_pending ON outbox (sent_at, next_attempt_at);

-- conversations: what the bot is waiting for from one person in one place
-- (which deal they meant, an answer to a question), so a restart forgets
-- nothing. scope is the channel and thread.
CREATE TABLE conversations (
    person_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    scope      TEXT NOT NULL,
    state      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (person_id, scope)
);
