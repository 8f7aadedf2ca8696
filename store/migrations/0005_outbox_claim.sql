-- A message is claimed (claimed_at) before a sender delivers it and
-- released when the attempt's outcome is known: a claim still standing
-- after its lease means the sender died mid-delivery, and the message may
-- or may not have gone out.
ALTER TABLE outbox ADD COLUMN claimed_at TEXT;
