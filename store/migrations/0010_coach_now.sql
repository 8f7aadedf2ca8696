-- A person's coaching preference: 1 asks a new stage's questions at once
-- (on a new deal or a stage move); 0, the default, offers the coaching and
-- waits to be asked.

ALTER TABLE people ADD COLUMN coach_now INTEGER NOT NULL DEFAULT 0;
