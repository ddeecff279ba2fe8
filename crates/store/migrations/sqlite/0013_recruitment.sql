-- Recruitment: vacancies, candidates (whose personal data only workforce staff and their panel
-- see), applications with their stage and panel, and each application's append-only history.
CREATE TABLE vacancies (
    id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES teams(id),
    council_ids TEXT NOT NULL,
    job_title TEXT NOT NULL,
    org_role TEXT,
    fte INTEGER NOT NULL,
    opened TEXT NOT NULL,
    closed TEXT,
    filled_by TEXT,
    agency_cover INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE candidates (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL,
    staff_id TEXT REFERENCES staff(id),
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    vacancy_id TEXT NOT NULL REFERENCES vacancies(id),
    candidate_id TEXT NOT NULL REFERENCES candidates(id),
    stage TEXT NOT NULL,
    stage_date TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX applications_by_vacancy ON applications(vacancy_id);

CREATE TABLE application_panel (
    application_id TEXT NOT NULL REFERENCES applications(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (application_id, user_id)
) STRICT;

CREATE TABLE application_history (
    application_id TEXT NOT NULL REFERENCES applications(id),
    seq INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    actor_id TEXT NOT NULL,
    event_date TEXT NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (application_id, seq)
) STRICT;
CREATE TRIGGER application_history_no_update BEFORE UPDATE ON application_history
BEGIN SELECT RAISE(ABORT, 'application history is append-only'); END;
CREATE TRIGGER application_history_no_delete BEFORE DELETE ON application_history
BEGIN SELECT RAISE(ABORT, 'application history is append-only'); END;
