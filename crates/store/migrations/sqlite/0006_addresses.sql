-- A child's addresses over time. The current one has no moved_out date; the child's postcode
-- and cluster follow it.
CREATE TABLE child_addresses (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children(id),
    line1 TEXT NOT NULL,
    town TEXT NOT NULL,
    postcode TEXT NOT NULL,
    moved_in TEXT NOT NULL,
    moved_out TEXT,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX child_addresses_by_child ON child_addresses(child_id, moved_in);
