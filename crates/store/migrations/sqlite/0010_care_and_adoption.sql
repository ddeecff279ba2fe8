-- Looked-after children's projections, kept beside their history so the IRO's list and the
-- adoption board are one query each, and the shared adoption service's adopters.
ALTER TABLE children ADD COLUMN iro_id TEXT REFERENCES users(id);
ALTER TABLE children ADD COLUMN adoption_stage TEXT;
CREATE INDEX children_by_iro ON children(iro_id);
CREATE INDEX children_by_adoption_stage ON children(adoption_stage);

-- Teams that work with a record besides the team holding it, such as the adoption service.
CREATE TABLE child_shared_teams (
    child_id TEXT NOT NULL REFERENCES children(id),
    team_id TEXT NOT NULL REFERENCES teams(id),
    PRIMARY KEY (child_id, team_id)
) STRICT;

CREATE TABLE adopters (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sexes TEXT NOT NULL,
    legal_status TEXT NOT NULL,
    stage TEXT NOT NULL,
    stage_date TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX adopters_by_stage ON adopters(stage);

CREATE TABLE adopter_history (
    adopter_id TEXT NOT NULL REFERENCES adopters(id),
    seq INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    actor_id TEXT NOT NULL,
    event_date TEXT NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (adopter_id, seq)
) STRICT;
CREATE TRIGGER adopter_history_no_update BEFORE UPDATE ON adopter_history
BEGIN SELECT RAISE(ABORT, 'adopters'' history is append-only'); END;
CREATE TRIGGER adopter_history_no_delete BEFORE DELETE ON adopter_history
BEGIN SELECT RAISE(ABORT, 'adopters'' history is append-only'); END;
