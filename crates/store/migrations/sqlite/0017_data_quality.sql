-- Live data quality: what the DfE's rules find in each child's record, for each open return.
-- A finding is opened when a check first finds it and closed when a later check no longer does,
-- so the open count on any day can be read back.
CREATE TABLE data_quality (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children(id),
    council_id TEXT NOT NULL REFERENCES councils(id),
    collection_year INTEGER NOT NULL,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    place TEXT NOT NULL,
    message TEXT NOT NULL,
    opened_ms INTEGER NOT NULL,
    closed_ms INTEGER
) STRICT;
CREATE INDEX data_quality_open ON data_quality(child_id, closed_ms);
CREATE INDEX data_quality_council ON data_quality(council_id, collection_year, opened_ms);
