-- Family members and other adults in a child's life, and how they relate to the child. A person
-- who works for the organisation is linked to their account, so that they, and their team, can
-- never open the child's record.
CREATE TABLE people (
    id TEXT PRIMARY KEY,
    council_id TEXT NOT NULL REFERENCES councils(id),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    date_of_birth TEXT,
    staff_user_id TEXT REFERENCES users(id),
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE child_relationships (
    child_id TEXT NOT NULL REFERENCES children(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    relationship TEXT NOT NULL,
    same_household INTEGER NOT NULL,
    PRIMARY KEY (child_id, person_id)
) STRICT;

CREATE TABLE child_excluded_teams (
    child_id TEXT NOT NULL REFERENCES children(id),
    team_id TEXT NOT NULL REFERENCES teams(id),
    PRIMARY KEY (child_id, team_id)
) STRICT;
