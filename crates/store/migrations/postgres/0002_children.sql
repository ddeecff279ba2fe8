-- Children and their journey. The present is in `children` and `child_clocks`; every change is
-- in the append-only `child_history`, from which the journey and the chronology are read.

CREATE TABLE children (
    id TEXT PRIMARY KEY,
    council_id TEXT NOT NULL REFERENCES councils(id),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    date_of_birth TEXT,
    expected_date_of_birth TEXT,
    sex TEXT NOT NULL,
    ethnicity TEXT NOT NULL,
    disabilities TEXT NOT NULL,
    nhs_number TEXT,
    upn TEXT,
    former_upn TEXT,
    upn_unknown TEXT,
    local_id TEXT NOT NULL,
    date_of_death TEXT,
    postcode TEXT,
    cluster_id TEXT REFERENCES clusters(id),
    team_id TEXT REFERENCES teams(id),
    allocated_to TEXT REFERENCES users(id),
    sensitivity TEXT NOT NULL,
    merged_into TEXT REFERENCES children(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX children_by_council ON children(council_id, search_name);
CREATE INDEX children_by_worker ON children(allocated_to);
CREATE INDEX children_by_team ON children(team_id);
CREATE INDEX children_by_nhs_number ON children(nhs_number);
CREATE INDEX children_by_upn ON children(upn);
CREATE INDEX children_by_birth ON children(date_of_birth);

CREATE TABLE child_named_people (
    child_id TEXT NOT NULL REFERENCES children(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (child_id, user_id)
);

CREATE TABLE child_excluded_people (
    child_id TEXT NOT NULL REFERENCES children(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (child_id, user_id)
);

CREATE TABLE child_history (
    child_id TEXT NOT NULL REFERENCES children(id),
    seq BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    actor_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    event_date TEXT NOT NULL,
    payload TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (child_id, seq)
);

CREATE FUNCTION child_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a child''s history is append-only';
END;
$$;
CREATE TRIGGER child_history_no_update BEFORE UPDATE ON child_history
    FOR EACH ROW EXECUTE FUNCTION child_history_append_only();
CREATE TRIGGER child_history_no_delete BEFORE DELETE ON child_history
    FOR EACH ROW EXECUTE FUNCTION child_history_append_only();

CREATE TABLE child_clocks (
    child_id TEXT NOT NULL REFERENCES children(id),
    council_id TEXT NOT NULL REFERENCES councils(id),
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    started TEXT NOT NULL,
    due TEXT NOT NULL,
    PRIMARY KEY (child_id, kind, subject)
);
CREATE INDEX child_clocks_by_council ON child_clocks(council_id, kind, due);

CREATE TABLE council_clock_rules (
    council_id TEXT NOT NULL REFERENCES councils(id),
    rule TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (council_id, rule)
);
