-- Staff records, kept apart from user accounts: who they are, and an append-only history of their
-- employment, from which every workforce measure is worked out. The row keeps a projection of
-- their state now (team, councils, in post) for the directory and for the access policy.
CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    user_id TEXT UNIQUE REFERENCES users(id),
    swe_number TEXT UNIQUE,
    qualification_level TEXT,
    team_id TEXT REFERENCES teams(id),
    council_ids TEXT NOT NULL,
    job_title TEXT NOT NULL,
    employment TEXT NOT NULL,
    in_post INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX staff_by_team ON staff(team_id);
CREATE INDEX staff_by_name ON staff(name);

CREATE TABLE staff_history (
    staff_id TEXT NOT NULL REFERENCES staff(id),
    seq INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    actor_id TEXT NOT NULL,
    event_date TEXT NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (staff_id, seq)
) STRICT;
CREATE TRIGGER staff_history_no_update BEFORE UPDATE ON staff_history
BEGIN SELECT RAISE(ABORT, 'staff history is append-only'); END;
CREATE TRIGGER staff_history_no_delete BEFORE DELETE ON staff_history
BEGIN SELECT RAISE(ABORT, 'staff history is append-only'); END;
