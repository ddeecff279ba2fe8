-- Work in progress on a long form, kept per user and form until it is saved for real.
CREATE TABLE form_drafts (
    user_id TEXT NOT NULL REFERENCES users(id),
    form_key TEXT NOT NULL,
    fields TEXT NOT NULL,
    saved_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, form_key)
);
