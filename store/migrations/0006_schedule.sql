-- Scheduling: where and when a team's digest goes, when its people are
-- reminded, its targets per quarter, and which scheduled runs have happened.

ALTER TABLE teams ADD COLUMN digest_platform TEXT NOT NULL DEFAULT '';
ALTER TABLE teams ADD COLUMN digest_channel TEXT NOT NULL DEFAULT '';
-- The team's morning reminder hour (0–23, on each person's own clock).
ALTER TABLE teams ADD COLUMN remind_hour INTEGER NOT NULL DEFAULT 9;
-- 1: reminders on Saturdays and Sundays too.
ALTER TABLE teams ADD COLUMN weekends INTEGER NOT NULL DEFAULT 0;

-- A person's own reminder hour; NULL keeps the team's.
ALTER TABLE people ADD COLUMN remind_hour INTEGER;
ALTER TABLE people ADD COLUMN reminders_off INTEGER NOT NULL DEFAULT 0;

-- quarter is "2026-Q4"; amount in minor units.
CREATE TABLE team_targets (
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    quarter TEXT NOT NULL,
    amount  INTEGER NOT NULL,
    PRIMARY KEY (team_id, quarter)
);

-- One row per scheduled run done (job, period, recipient): written in the
-- transaction that enqueues its message, or alone when there was nothing
-- to say, so a run happens once even when it sent nothing.
CREATE TABLE job_runs (
    key TEXT PRIMARY KEY,
    at  TEXT NOT NULL
);
