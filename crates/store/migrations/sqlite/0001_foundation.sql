-- The foundation: the organisation, councils, clusters, teams, users, roles, sessions, API tokens
-- and the audit log. Times are milliseconds since 1970 UTC; ids are UUID v7 text; flags are 0/1.

CREATE TABLE organisation (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE councils (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    la_code TEXT NOT NULL UNIQUE,
    ons_code TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE council_postcode_districts (
    council_id TEXT NOT NULL REFERENCES councils(id) ON DELETE CASCADE,
    district TEXT NOT NULL UNIQUE,
    PRIMARY KEY (council_id, district)
) STRICT;

CREATE TABLE council_closure_days (
    council_id TEXT NOT NULL REFERENCES councils(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (council_id, day)
) STRICT;

CREATE TABLE bank_holidays (
    day TEXT PRIMARY KEY,
    name TEXT NOT NULL
) STRICT;

CREATE TABLE clusters (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE cluster_councils (
    cluster_id TEXT NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
    council_id TEXT NOT NULL REFERENCES councils(id),
    PRIMARY KEY (cluster_id, council_id)
) STRICT;

CREATE TABLE cluster_areas (
    cluster_id TEXT NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
    area TEXT NOT NULL,
    PRIMARY KEY (cluster_id, area)
) STRICT;

CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    service TEXT NOT NULL,
    cluster_id TEXT REFERENCES clusters(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE team_councils (
    team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    council_id TEXT NOT NULL REFERENCES councils(id),
    PRIMARY KEY (team_id, council_id)
) STRICT;

CREATE TABLE roles (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    reach TEXT NOT NULL,
    builtin INTEGER NOT NULL
) STRICT;

CREATE TABLE role_permissions (
    role_id TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    permission TEXT NOT NULL,
    PRIMARY KEY (role_id, permission)
) STRICT;

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    job_title TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL,
    disabled INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role_id TEXT NOT NULL REFERENCES roles(id),
    PRIMARY KEY (user_id, role_id)
) STRICT;

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams(id),
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
) STRICT;
CREATE INDEX team_members_by_user ON team_members(user_id);

CREATE TABLE user_councils (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    council_id TEXT NOT NULL REFERENCES councils(id),
    PRIMARY KEY (user_id, council_id)
) STRICT;

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    source TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_by_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
) STRICT;

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    actor_id TEXT NOT NULL,
    action TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    council_id TEXT NOT NULL,
    source TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
) STRICT;

-- The audit log is append-only: the application cannot change or remove a row.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
