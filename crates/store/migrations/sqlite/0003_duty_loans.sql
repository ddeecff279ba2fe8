-- A worker lent to another team's duty for a while: they count as a member of that team until
-- the loan ends.
CREATE TABLE duty_loans (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    team_id TEXT NOT NULL REFERENCES teams(id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    lent_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX duty_loans_by_user ON duty_loans(user_id, ends_on);
