-- Training and development: courses, events and programmes, and workers' requests for places
-- with their status (each change is in the audit log).
CREATE TABLE courses (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    programme TEXT NOT NULL,
    provider TEXT NOT NULL,
    starts TEXT NOT NULL,
    places INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE training_requests (
    id TEXT PRIMARY KEY,
    course_id TEXT NOT NULL REFERENCES courses(id),
    staff_id TEXT NOT NULL REFERENCES staff(id),
    status TEXT NOT NULL,
    status_date TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (course_id, staff_id)
) STRICT;
CREATE INDEX training_requests_by_staff ON training_requests(staff_id);
