-- Documents attached to a child's record. The file itself lives outside the database and the
-- web root, under a random key; the row says what it is and who added it.
CREATE TABLE child_documents (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children(id),
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL UNIQUE,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX child_documents_by_child ON child_documents(child_id);
