-- Children whose records are linked as siblings (or half-siblings); stored both ways.
CREATE TABLE child_links (
    child_id TEXT NOT NULL REFERENCES children(id),
    other_child_id TEXT NOT NULL REFERENCES children(id),
    relationship TEXT NOT NULL,
    PRIMARY KEY (child_id, other_child_id)
) STRICT;
