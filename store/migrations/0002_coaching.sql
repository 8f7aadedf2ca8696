-- Coaching: answers to push questions and 8C1F0W marks, one current value
-- per deal and key; every change is also a deal_events row (history).

CREATE TABLE answers (
    deal_id      INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    question_key TEXT NOT NULL,
    stage        TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('answered', 'skipped')),
    answer       TEXT NOT NULL DEFAULT '',
    person_id    INTEGER REFERENCES people (id),
    at           TEXT NOT NULL,
    PRIMARY KEY (deal_id, question_key)
);

CREATE TABLE qualification (
    deal_id   INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    factor    TEXT NOT NULL,
    mark      TEXT NOT NULL CHECK (mark IN ('C', 'F', 'W')),
    person_id INTEGER REFERENCES people (id),
    at        TEXT NOT NULL,
    PRIMARY KEY (deal_id, factor)
);
