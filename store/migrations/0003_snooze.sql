-- Snooze: no reminders about a deal before snoozed_until (YYYY-MM-DD);
-- NULL when the deal is not snoozed. Reminders resume on that day.

ALTER TABLE deals ADD COLUMN snoozed_until TEXT;
