-- Supervision sessions between a worker and their supervisor; when the next is due is worked out
-- from the last one and the worker's record.
CREATE TABLE supervision_sessions (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff(id),
    supervisor_id TEXT NOT NULL REFERENCES users(id),
    held_on TEXT NOT NULL,
    kind TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX supervision_by_staff ON supervision_sessions(staff_id, held_on);
