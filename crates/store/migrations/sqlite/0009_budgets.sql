-- Devolved budgets: budgets held by a team or a cluster in one council, the council's spending
-- categories and limits, spends, and the double-entry ledger. Ledger rows are append-only: a
-- correction is a reversing posting, never an edit.

CREATE TABLE budget_categories (
    council_id TEXT NOT NULL REFERENCES councils(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (council_id, code)
) STRICT;

INSERT INTO budget_categories (council_id, code, name) SELECT id, 'clothing', 'Clothing and uniform' FROM councils;
INSERT INTO budget_categories (council_id, code, name) SELECT id, 'household', 'Household goods' FROM councils;
INSERT INTO budget_categories (council_id, code, name) SELECT id, 'activities', 'Activities and relationship-building' FROM councils;
INSERT INTO budget_categories (council_id, code, name) SELECT id, 'food', 'Food' FROM councils;
INSERT INTO budget_categories (council_id, code, name) SELECT id, 'travel', 'Travel' FROM councils;
INSERT INTO budget_categories (council_id, code, name) SELECT id, 'accommodation', 'Emergency accommodation' FROM councils;
INSERT INTO budget_categories (council_id, code, name) SELECT id, 'other', 'Other' FROM councils;

CREATE TABLE budgets (
    id TEXT PRIMARY KEY,
    council_id TEXT NOT NULL REFERENCES councils(id),
    cluster_id TEXT REFERENCES clusters(id),
    team_id TEXT REFERENCES teams(id),
    name TEXT NOT NULL,
    financial_year INTEGER NOT NULL,
    status TEXT NOT NULL,
    -- Bumped by every posting, so writers to one budget queue on its row.
    lock_version INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    closed_by TEXT,
    closed_at INTEGER,
    UNIQUE (council_id, financial_year, name)
) STRICT;

CREATE TABLE spend_limits (
    council_id TEXT NOT NULL REFERENCES councils(id),
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    per_spend_pence INTEGER NOT NULL,
    per_month_pence INTEGER NOT NULL,
    set_by TEXT NOT NULL,
    set_at INTEGER NOT NULL,
    PRIMARY KEY (council_id, subject_kind, subject_id)
) STRICT;

CREATE TABLE budget_spends (
    id TEXT PRIMARY KEY,
    budget_id TEXT NOT NULL REFERENCES budgets(id),
    council_id TEXT NOT NULL REFERENCES councils(id),
    child_id TEXT NOT NULL REFERENCES children(id),
    for_family INTEGER NOT NULL,
    requested_by TEXT NOT NULL REFERENCES users(id),
    requested_at INTEGER NOT NULL,
    spent_on TEXT NOT NULL,
    amount_pence INTEGER NOT NULL CHECK (amount_pence > 0),
    category_code TEXT NOT NULL,
    purpose TEXT NOT NULL,
    supplier TEXT NOT NULL,
    payment_method TEXT NOT NULL,
    receipt_document_id TEXT REFERENCES child_documents(id),
    status TEXT NOT NULL,
    at_once INTEGER NOT NULL,
    limit_reasons TEXT NOT NULL,
    decided_by TEXT,
    decided_at INTEGER,
    decision_note TEXT NOT NULL,
    settled_by TEXT,
    settled_at INTEGER,
    settle_note TEXT NOT NULL
) STRICT;
CREATE INDEX budget_spends_by_budget ON budget_spends(budget_id, status);
CREATE INDEX budget_spends_by_child ON budget_spends(child_id, spent_on);
CREATE INDEX budget_spends_by_requester ON budget_spends(requested_by, spent_on);
CREATE INDEX budget_spends_by_status ON budget_spends(status, council_id);

CREATE TABLE ledger_postings (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    council_id TEXT NOT NULL REFERENCES councils(id),
    spend_id TEXT REFERENCES budget_spends(id),
    reverses TEXT UNIQUE REFERENCES ledger_postings(id),
    memo TEXT NOT NULL,
    posted_on TEXT NOT NULL,
    posted_by TEXT NOT NULL,
    posted_at INTEGER NOT NULL
) STRICT;
CREATE INDEX ledger_postings_by_spend ON ledger_postings(spend_id);
CREATE INDEX ledger_postings_by_kind ON ledger_postings(kind);

CREATE TABLE ledger_lines (
    posting_id TEXT NOT NULL REFERENCES ledger_postings(id),
    line_no INTEGER NOT NULL,
    account_kind TEXT NOT NULL,
    account_owner TEXT NOT NULL,
    amount_pence INTEGER NOT NULL CHECK (amount_pence <> 0),
    PRIMARY KEY (posting_id, line_no)
) STRICT;
-- Covers the balance sums, so a balance is read from the index alone.
CREATE INDEX ledger_lines_by_account ON ledger_lines(account_owner, account_kind, amount_pence);

CREATE TRIGGER ledger_postings_no_update BEFORE UPDATE ON ledger_postings
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_postings_no_delete BEFORE DELETE ON ledger_postings
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_lines_no_update BEFORE UPDATE ON ledger_lines
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_lines_no_delete BEFORE DELETE ON ledger_lines
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
