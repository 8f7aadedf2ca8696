-- A team's language: its digest and channel messages are written in it,
-- whatever its manager typed last. "" until set. A team made before this
-- takes its first manager's language as it is now.

ALTER TABLE teams ADD COLUMN lang TEXT NOT NULL DEFAULT '';

UPDATE teams SET lang = coalesce((SELECT p.lang FROM people p
    WHERE p.team_id = teams.id AND p.role = 'manager' AND p.lang IN ('zh', 'en')
    ORDER BY p.id LIMIT 1), '');
