//! Devolved budgets: budgets, limits, spends and the ledger.
//!
//! Every posting goes through [`WriteTx::post`]: it takes the row lock of each budget the posting
//! touches (in a fixed order), reads their balances from the ledger itself, asks the domain's
//! [`Ledger`] whether the posting may go in, and writes it. So balances are always the sum of the
//! entries, and no budget goes below zero however many people spend at once, on either engine.

use crate::{new_id, AuditContext, AuditEvent, Engine, Scope, Store, StoreError, WriteTx};
use canopy_domain::budgets::{
    check_limit, effective_limit, month_window_start, Account, FinancialYear, Ledger, LedgerError, LimitCheck,
    LimitRule, LimitSubject, Line, PaymentMethod, Pence, Posting, PostingKind, SpendChange, SpendLimit, SpendStatus,
    Spender,
};
use chrono::NaiveDate;
use sqlx::Row;

/// A budget as created by finance.
#[derive(Debug, Clone)]
pub struct NewBudget {
    pub council_id: String,
    pub cluster_id: Option<String>,
    pub team_id: Option<String>,
    pub name: String,
    pub year: FinancialYear,
    pub allocation: Option<Pence>,
}

/// A budget with its balances, all worked out from the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetRow {
    pub id: String,
    pub council_id: String,
    pub cluster_id: Option<String>,
    pub team_id: Option<String>,
    pub name: String,
    pub year: FinancialYear,
    pub open: bool,
    /// Money put into the budget: allocations, transfers (net) and carry-forward in.
    pub allocated: Pence,
    pub available: Pence,
    pub committed: Pence,
    pub spent: Pence,
    /// The teams that may spend from it: its team, or every team of its cluster.
    pub holder_teams: Vec<String>,
}

impl BudgetRow {
    /// The budget as the access policy sees it.
    pub fn resource(&self) -> canopy_domain::access::Resource {
        canopy_domain::access::Resource {
            id: self.id.clone(),
            council_id: Some(self.council_id.clone()),
            team_id: self.team_id.clone(),
            shared_teams: self.holder_teams.clone(),
            ..Default::default()
        }
    }
}

/// Which budgets to list.
#[derive(Debug, Clone)]
pub struct BudgetFilter {
    pub scope: Scope,
    pub council_id: Option<String>,
    pub cluster_id: Option<String>,
    pub team_id: Option<String>,
    pub year: Option<FinancialYear>,
    pub open_only: bool,
}

impl BudgetFilter {
    pub fn in_scope(scope: Scope) -> Self {
        Self { scope, council_id: None, cluster_id: None, team_id: None, year: None, open_only: false }
    }
}

/// A spend as the practitioner records it.
#[derive(Debug, Clone)]
pub struct NewSpend {
    pub budget_id: String,
    pub child_id: String,
    pub for_family: bool,
    pub amount: Pence,
    pub category_code: String,
    pub purpose: String,
    pub supplier: String,
    pub method: PaymentMethod,
    pub spent_on: NaiveDate,
    pub receipt_document_id: Option<String>,
}

/// A spend with the names that go with it.
#[derive(Debug, Clone)]
pub struct SpendRow {
    pub id: String,
    pub budget_id: String,
    pub budget_name: String,
    pub council_id: String,
    pub child_id: String,
    pub child_name: String,
    pub for_family: bool,
    pub requested_by: String,
    pub requested_by_name: String,
    pub requested_at: i64,
    pub spent_on: NaiveDate,
    pub amount: Pence,
    pub category_code: String,
    pub category_name: String,
    pub purpose: String,
    pub supplier: String,
    pub method: PaymentMethod,
    pub receipt_document_id: Option<String>,
    pub status: SpendStatus,
    pub at_once: bool,
    pub limit_reasons: Vec<String>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<i64>,
    pub decision_note: String,
    pub settle_note: String,
    /// The family, for spend-per-family: the child's household postcode and first line, or the
    /// child alone when no address is known.
    pub family_key: String,
}

/// Which spends to list. Every filter narrows; `scope` always applies.
#[derive(Debug, Clone)]
pub struct SpendFilter {
    pub scope: Scope,
    pub child_id: Option<String>,
    pub requested_by: Option<String>,
    pub budget_id: Option<String>,
    pub status: Option<SpendStatus>,
    /// Spends from budgets these teams hold (for a manager's queue).
    pub holder_teams: Option<Vec<String>>,
    pub since: Option<NaiveDate>,
    pub limit: Option<i64>,
}

impl SpendFilter {
    pub fn in_scope(scope: Scope) -> Self {
        Self {
            scope,
            child_id: None,
            requested_by: None,
            budget_id: None,
            status: None,
            holder_teams: None,
            since: None,
            limit: None,
        }
    }
}

/// One line of the ledger, for the finance view and its export.
#[derive(Debug, Clone)]
pub struct LedgerEntry {
    pub posting_id: String,
    pub posted_on: String,
    pub posted_at: i64,
    pub kind: PostingKind,
    pub council_id: String,
    pub account: Account,
    pub budget_name: String,
    pub amount: Pence,
    pub memo: String,
    pub reverses: Option<String>,
    pub spend_id: Option<String>,
    pub category_name: String,
    pub supplier: String,
    pub method: String,
}

/// What a posting is about, for its row.
#[derive(Debug, Clone, Default)]
pub struct PostingNote<'a> {
    pub council_id: &'a str,
    pub spend_id: Option<&'a str>,
    pub reverses: Option<&'a str>,
    pub memo: &'a str,
    pub posted_on: NaiveDate,
}

fn ledger_conflict(e: LedgerError) -> StoreError {
    let message = match &e {
        LedgerError::Overspend { left, needed, .. } => format!(
            "The budget has {} left, which is not enough for {}. Ask finance to move money into it.",
            left.display(),
            needed.display()
        ),
        other => other.to_string(),
    };
    StoreError::Conflict { field: "amount".into(), message }
}

fn scope_clause(scope: &Scope, column: &str, first_param: usize) -> (String, Vec<String>) {
    match scope {
        Scope::Organisation => (String::new(), Vec::new()),
        Scope::Councils(ids) if ids.is_empty() => (" AND 1 = 0".into(), Vec::new()),
        Scope::Councils(ids) => {
            let params: Vec<String> = (0..ids.len()).map(|i| format!("${}", first_param + i)).collect();
            (format!(" AND {column} IN ({})", params.join(", ")), ids.clone())
        }
    }
}

impl WriteTx {
    /// Locks budgets, in id order, so that writers to the same budget queue: on PostgreSQL the
    /// row lock lasts until commit; on SQLite the write gate already serialises writers.
    async fn lock_budgets(&mut self, ids: &[&str]) -> Result<(), StoreError> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            let done = sqlx::query("UPDATE budgets SET lock_version = lock_version + 1 WHERE id = $1")
                .bind(id)
                .execute(self.conn())
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
        }
        Ok(())
    }

    async fn balance(&mut self, account: &Account) -> Result<Pence, StoreError> {
        let sum: Option<i64> = sqlx::query(
            "SELECT CAST(SUM(amount_pence) AS BIGINT) FROM ledger_lines WHERE account_owner = $1 AND account_kind = $2",
        )
        .bind(account.owner())
        .bind(account.kind())
        .fetch_one(self.conn())
        .await?
        .try_get(0)?;
        Ok(Pence(sum.unwrap_or(0)))
    }

    /// Writes a posting after checking it against the current balances of the accounts it
    /// touches, with those budgets locked. Returns the posting's id.
    pub async fn post(
        &mut self,
        ctx: &AuditContext,
        posting: &Posting,
        note: &PostingNote<'_>,
    ) -> Result<String, StoreError> {
        let budgets: Vec<String> = posting
            .accounts()
            .into_iter()
            .filter(|a| !matches!(a, Account::Funding { .. }))
            .map(|a| a.owner().to_string())
            .collect();
        let refs: Vec<&str> = budgets.iter().map(String::as_str).collect();
        self.lock_budgets(&refs).await?;
        let mut balances = Vec::new();
        for account in posting.accounts() {
            balances.push((account.clone(), self.balance(account).await?));
        }
        Ledger::with_balances(balances).check(posting).map_err(ledger_conflict)?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO ledger_postings (id, kind, council_id, spend_id, reverses, memo, posted_on, posted_by, posted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(posting.kind.code())
        .bind(note.council_id)
        .bind(note.spend_id)
        .bind(note.reverses)
        .bind(note.memo)
        .bind(note.posted_on.to_string())
        .bind(&ctx.actor_id)
        .bind(ctx.at_ms)
        .execute(self.conn())
        .await
        .map_err(StoreError::unique_as("posting", "That posting has already been reversed"))?;
        for (i, line) in posting.lines.iter().enumerate() {
            sqlx::query(
                "INSERT INTO ledger_lines (posting_id, line_no, account_kind, account_owner, amount_pence) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&id)
            .bind(i as i64)
            .bind(line.account.kind())
            .bind(line.account.owner())
            .bind(line.amount.0)
            .execute(self.conn())
            .await?;
        }
        Ok(id)
    }

    /// A stored posting, to reverse it.
    async fn stored_posting(&mut self, id: &str) -> Result<Posting, StoreError> {
        let kind: String = sqlx::query("SELECT kind FROM ledger_postings WHERE id = $1")
            .bind(id)
            .fetch_optional(self.conn())
            .await?
            .ok_or(StoreError::NotFound)?
            .try_get(0)?;
        let kind = PostingKind::from_code(&kind).ok_or_else(|| StoreError::Corrupt(format!("posting kind {kind}")))?;
        let rows = sqlx::query(
            "SELECT account_kind, account_owner, amount_pence FROM ledger_lines WHERE posting_id = $1 ORDER BY line_no",
        )
        .bind(id)
        .fetch_all(self.conn())
        .await?;
        let lines = rows
            .iter()
            .map(|r| {
                let kind: String = r.try_get(0)?;
                let owner: String = r.try_get(1)?;
                let account = Account::from_parts(&kind, &owner)
                    .ok_or_else(|| StoreError::Corrupt(format!("ledger account {kind}")))?;
                Ok(Line { account, amount: Pence(r.try_get(2)?) })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Posting { kind, lines })
    }

    /// Reverses the most recent posting of `kind` for a spend.
    async fn reverse_spend_posting(
        &mut self,
        ctx: &AuditContext,
        spend_id: &str,
        kind: PostingKind,
        note: &PostingNote<'_>,
    ) -> Result<(), StoreError> {
        let original: String = sqlx::query(
            "SELECT id FROM ledger_postings WHERE spend_id = $1 AND kind = $2 ORDER BY posted_at DESC, id DESC LIMIT 1",
        )
        .bind(spend_id)
        .bind(kind.code())
        .fetch_optional(self.conn())
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("spend {spend_id} has no {} posting", kind.code())))?
        .try_get(0)?;
        let posting = self.stored_posting(&original).await?;
        let note = PostingNote { reverses: Some(&original), ..note.clone() };
        self.post(ctx, &Posting::reversal_of(&posting), &note).await?;
        Ok(())
    }

    /// Takes the money for an approved spend: a commitment, and the payment too when the
    /// method pays at once.
    async fn take_money(
        &mut self,
        ctx: &AuditContext,
        spend: &SpendMoney<'_>,
        today: NaiveDate,
    ) -> Result<SpendStatus, StoreError> {
        let note = PostingNote {
            council_id: spend.council_id,
            spend_id: Some(spend.id),
            reverses: None,
            memo: spend.memo,
            posted_on: today,
        };
        self.post(ctx, &Posting::commitment(spend.budget_id, spend.amount), &note).await?;
        if spend.method.paid_at_once() {
            self.post(ctx, &Posting::payment(spend.budget_id, spend.amount), &note).await?;
            Ok(SpendStatus::Paid)
        } else {
            Ok(SpendStatus::Committed)
        }
    }

    /// On PostgreSQL, makes one person's spends take turns, so two at once cannot both fit under
    /// the same monthly limit. (SQLite's write gate already does this.)
    async fn lock_spender(&mut self, user_id: &str) -> Result<(), StoreError> {
        if self.engine == Engine::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(7302, hashtext($1))").bind(user_id).execute(self.conn()).await?;
        }
        Ok(())
    }
}

struct SpendMoney<'a> {
    id: &'a str,
    budget_id: &'a str,
    council_id: &'a str,
    amount: Pence,
    method: PaymentMethod,
    memo: &'a str,
}

const BUDGET_COLUMNS: &str = "b.id, b.council_id, b.cluster_id, b.team_id, b.name, b.financial_year, b.status";

/// A budget's balances, each summed from its own ledger lines through the account index, so the
/// cost follows one budget's entries, not the whole ledger's. What was allocated starts from the
/// few postings that move money in and finds their lines by posting (`|| ''` keeps the planner
/// off the account index, which would walk every one of the budget's spends per posting).
const BALANCE_COLUMNS: &str = "\
    COALESCE((SELECT CAST(SUM(amount_pence) AS BIGINT) FROM ledger_lines \
              WHERE account_owner = b.id AND account_kind = 'available'), 0) AS available, \
    COALESCE((SELECT CAST(SUM(amount_pence) AS BIGINT) FROM ledger_lines \
              WHERE account_owner = b.id AND account_kind = 'committed'), 0) AS committed, \
    COALESCE((SELECT CAST(SUM(amount_pence) AS BIGINT) FROM ledger_lines \
              WHERE account_owner = b.id AND account_kind = 'spent'), 0) AS spent, \
    COALESCE((SELECT CAST(SUM(l.amount_pence) AS BIGINT) FROM ledger_postings p \
              JOIN ledger_lines l ON l.posting_id = p.id \
              WHERE p.kind IN ('allocation', 'transfer', 'carry_forward') \
                AND l.account_owner || '' = b.id AND l.account_kind = 'available' \
                AND (p.kind <> 'carry_forward' OR l.amount_pence > 0)), 0) AS allocated";

const SPEND_SELECT: &str = "SELECT s.id, s.budget_id, b.name AS budget_name, s.council_id, s.child_id, \
       c.first_name, c.last_name, s.for_family, s.requested_by, r.display_name AS requester, s.requested_at, \
       s.spent_on, s.amount_pence, s.category_code, COALESCE(cat.name, s.category_code) AS category_name, \
       s.purpose, s.supplier, s.payment_method, s.receipt_document_id, s.status, s.at_once, s.limit_reasons, \
       d.display_name AS decider, s.decided_at, s.decision_note, s.settle_note, \
       COALESCE((SELECT a.postcode || ' ' || a.line1 FROM child_addresses a \
                 WHERE a.child_id = s.child_id AND a.moved_out IS NULL LIMIT 1), s.child_id) AS family_key \
     FROM budget_spends s JOIN budgets b ON b.id = s.budget_id JOIN children c ON c.id = s.child_id \
     JOIN users r ON r.id = s.requested_by LEFT JOIN users d ON d.id = s.decided_by \
     LEFT JOIN budget_categories cat ON cat.council_id = s.council_id AND cat.code = s.category_code \
     WHERE 1 = 1";

fn spend_from(r: &sqlx::any::AnyRow) -> Result<SpendRow, StoreError> {
    let spent_on: String = r.try_get("spent_on")?;
    let method: String = r.try_get("payment_method")?;
    let status: String = r.try_get("status")?;
    let reasons: String = r.try_get("limit_reasons")?;
    let given: String = r.try_get("first_name")?;
    let family: String = r.try_get("last_name")?;
    Ok(SpendRow {
        id: r.try_get("id")?,
        budget_id: r.try_get("budget_id")?,
        budget_name: r.try_get("budget_name")?,
        council_id: r.try_get("council_id")?,
        child_id: r.try_get("child_id")?,
        child_name: format!("{given} {family}"),
        for_family: r.try_get::<i64, _>("for_family")? == 1,
        requested_by: r.try_get("requested_by")?,
        requested_by_name: r.try_get("requester")?,
        requested_at: r.try_get("requested_at")?,
        spent_on: spent_on.parse().map_err(|_| StoreError::Corrupt(format!("spend date {spent_on}")))?,
        amount: Pence(r.try_get("amount_pence")?),
        category_code: r.try_get("category_code")?,
        category_name: r.try_get("category_name")?,
        purpose: r.try_get("purpose")?,
        supplier: r.try_get("supplier")?,
        method: PaymentMethod::from_code(&method).ok_or_else(|| StoreError::Corrupt(format!("method {method}")))?,
        receipt_document_id: r.try_get("receipt_document_id")?,
        status: SpendStatus::from_code(&status).ok_or_else(|| StoreError::Corrupt(format!("status {status}")))?,
        at_once: r.try_get::<i64, _>("at_once")? == 1,
        limit_reasons: reasons.lines().filter(|l| !l.is_empty()).map(str::to_string).collect(),
        decided_by_name: r.try_get("decider")?,
        decided_at: r.try_get("decided_at")?,
        decision_note: r.try_get("decision_note")?,
        settle_note: r.try_get("settle_note")?,
        family_key: r.try_get("family_key")?,
    })
}

/// What a spend request came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpendOutcome {
    pub id: String,
    pub status: SpendStatus,
    pub limit_reasons: Vec<String>,
}

impl Store {
    /// Adds a budget, with its first allocation if one is given.
    pub async fn create_budget(
        &self,
        ctx: &AuditContext,
        budget: &NewBudget,
        today: NaiveDate,
    ) -> Result<String, StoreError> {
        let mut tx = self.begin_write().await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO budgets (id, council_id, cluster_id, team_id, name, financial_year, status, lock_version, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', 0, $7, $8)",
        )
        .bind(&id)
        .bind(&budget.council_id)
        .bind(&budget.cluster_id)
        .bind(&budget.team_id)
        .bind(&budget.name)
        .bind(i64::from(budget.year.0))
        .bind(&ctx.actor_id)
        .bind(ctx.at_ms)
        .execute(tx.conn())
        .await
        .map_err(StoreError::unique_as("name", "The council already has a budget with that name for that year"))?;
        if let Some(amount) = budget.allocation {
            let note = PostingNote {
                council_id: &budget.council_id,
                memo: "Opening allocation",
                posted_on: today,
                ..PostingNote::default()
            };
            tx.post(ctx, &Posting::allocation(&budget.council_id, &id, amount), &note).await?;
        }
        tx.audit(
            ctx,
            AuditEvent::succeeded("create_budget", "budget", &id)
                .with_council(&budget.council_id)
                .with_detail(format!("{} {}", budget.name, budget.year.label())),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Budgets with their balances.
    pub async fn budgets(&self, filter: &BudgetFilter) -> Result<Vec<BudgetRow>, StoreError> {
        let (scope_sql, mut params) = scope_clause(&filter.scope, "b.council_id", 1);
        let mut sql = format!("SELECT {BUDGET_COLUMNS}, {BALANCE_COLUMNS} FROM budgets b WHERE 1 = 1{scope_sql}");
        for (column, value) in
            [("b.council_id", &filter.council_id), ("b.cluster_id", &filter.cluster_id), ("b.team_id", &filter.team_id)]
        {
            if let Some(v) = value {
                params.push(v.clone());
                sql.push_str(&format!(" AND {column} = ${}", params.len()));
            }
        }
        if let Some(year) = filter.year {
            sql.push_str(&format!(" AND b.financial_year = {}", year.0));
        }
        if filter.open_only {
            sql.push_str(" AND b.status = 'open'");
        }
        sql.push_str(" ORDER BY b.financial_year DESC, b.name");
        self.budget_rows(&sql, &params).await
    }

    async fn budget_rows(&self, sql: &str, params: &[String]) -> Result<Vec<BudgetRow>, StoreError> {
        let mut query = sqlx::query(sql);
        for p in params {
            query = query.bind(p);
        }
        let rows = query.fetch_all(self.pool()).await?;
        let cluster_teams =
            crate::org::grouped(self, "SELECT cluster_id, id FROM teams WHERE cluster_id IS NOT NULL").await?;
        rows.iter()
            .map(|r| {
                let cluster_id: Option<String> = r.try_get("cluster_id")?;
                let team_id: Option<String> = r.try_get("team_id")?;
                let holder_teams = match (&team_id, &cluster_id) {
                    (Some(t), _) => vec![t.clone()],
                    (None, Some(c)) => cluster_teams.get(c).cloned().unwrap_or_default(),
                    (None, None) => Vec::new(),
                };
                Ok(BudgetRow {
                    id: r.try_get("id")?,
                    council_id: r.try_get("council_id")?,
                    cluster_id,
                    team_id,
                    name: r.try_get("name")?,
                    year: FinancialYear(r.try_get::<i64, _>("financial_year")? as i32),
                    open: r.try_get::<String, _>("status")? == "open",
                    allocated: Pence(r.try_get("allocated")?),
                    available: Pence(r.try_get("available")?),
                    committed: Pence(r.try_get("committed")?),
                    spent: Pence(r.try_get("spent")?),
                    holder_teams,
                })
            })
            .collect()
    }

    /// One budget, if it is in `scope`.
    pub async fn budget(&self, scope: &Scope, id: &str) -> Result<BudgetRow, StoreError> {
        let (scope_sql, mut params) = scope_clause(scope, "b.council_id", 2);
        params.insert(0, id.to_string());
        let sql = format!("SELECT {BUDGET_COLUMNS}, {BALANCE_COLUMNS} FROM budgets b WHERE b.id = $1{scope_sql}");
        self.budget_rows(&sql, &params).await?.into_iter().next().ok_or(StoreError::NotFound)
    }

    async fn open_budget_in(&self, tx: &mut WriteTx, id: &str) -> Result<(String, bool), StoreError> {
        let row = sqlx::query("SELECT council_id, status FROM budgets WHERE id = $1")
            .bind(id)
            .fetch_optional(tx.conn())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((row.try_get(0)?, row.try_get::<String, _>(1)? == "open"))
    }

    /// Adds money from the council's funding to a budget.
    pub async fn allocate(
        &self,
        ctx: &AuditContext,
        budget_id: &str,
        amount: Pence,
        memo: &str,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let (council, open) = self.open_budget_in(&mut tx, budget_id).await?;
        if !open {
            return Err(closed_budget());
        }
        let note = PostingNote { council_id: &council, memo, posted_on: today, ..PostingNote::default() };
        let event = AuditEvent::succeeded("allocate", "budget", budget_id).with_detail(amount.display());
        post_and_commit(tx, ctx, &Posting::allocation(&council, budget_id, amount), &note, event).await
    }

    /// Moves money between two open budgets of the same council.
    pub async fn transfer(
        &self,
        ctx: &AuditContext,
        from: &str,
        to: &str,
        amount: Pence,
        memo: &str,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        if from == to {
            return Err(StoreError::Conflict {
                field: "to_budget".into(),
                message: "Choose a different budget to move the money to".into(),
            });
        }
        let mut tx = self.begin_write().await?;
        let (from_council, from_open) = self.open_budget_in(&mut tx, from).await?;
        let (to_council, to_open) = self.open_budget_in(&mut tx, to).await?;
        if from_council != to_council {
            return Err(StoreError::Conflict {
                field: "to_budget".into(),
                message: "Money can only move between budgets of the same council".into(),
            });
        }
        if !from_open || !to_open {
            return Err(closed_budget());
        }
        let note = PostingNote { council_id: &from_council, memo, posted_on: today, ..PostingNote::default() };
        let event =
            AuditEvent::succeeded("transfer", "budget", from).with_detail(format!("{} to {to}", amount.display()));
        post_and_commit(tx, ctx, &Posting::transfer(from, to, amount), &note, event).await
    }

    /// Closes a budget at year end. What is left goes back to the council, or into
    /// `carry_to` (an open budget of the same council) when finance says so. A budget with
    /// commitments still open cannot close: they are paid or cancelled first.
    pub async fn close_budget(
        &self,
        ctx: &AuditContext,
        budget_id: &str,
        carry_to: Option<&str>,
        today: NaiveDate,
    ) -> Result<Pence, StoreError> {
        let mut tx = self.begin_write().await?;
        let (council, open) = self.open_budget_in(&mut tx, budget_id).await?;
        if !open {
            return Err(closed_budget());
        }
        tx.lock_budgets(&[budget_id]).await?;
        let committed = tx.balance(&Account::Committed { budget_id: budget_id.into() }).await?;
        if committed.0 != 0 {
            return Err(StoreError::Conflict {
                field: "budget".into(),
                message: format!(
                    "{} is still committed to approved spends. Pay or cancel them before closing the year.",
                    committed.display()
                ),
            });
        }
        let left = tx.balance(&Account::Available { budget_id: budget_id.into() }).await?;
        if let Some(next) = carry_to {
            let (next_council, next_open) = self.open_budget_in(&mut tx, next).await?;
            if next_council != council || next == budget_id || !next_open {
                return Err(StoreError::Conflict {
                    field: "carry_to".into(),
                    message: "Carry forward only into another open budget of the same council".into(),
                });
            }
        }
        if left.0 > 0 {
            let note =
                PostingNote { council_id: &council, memo: "Year end", posted_on: today, ..PostingNote::default() };
            let posting = match carry_to {
                Some(next) => Posting::carry_forward(budget_id, next, left),
                None => Posting::year_end_return(budget_id, &council, left),
            };
            tx.post(ctx, &posting, &note).await?;
        }
        sqlx::query("UPDATE budgets SET status = 'closed', closed_by = $1, closed_at = $2 WHERE id = $3")
            .bind(&ctx.actor_id)
            .bind(ctx.at_ms)
            .bind(budget_id)
            .execute(tx.conn())
            .await?;
        tx.audit(
            ctx,
            AuditEvent::succeeded("close_budget", "budget", budget_id).with_council(&council).with_detail(format!(
                "{} {}",
                left.display(),
                carry_to.map(|c| format!("carried to {c}")).unwrap_or_else(|| "returned".into())
            )),
        )
        .await?;
        tx.commit().await?;
        Ok(left)
    }

    /// A council's spending categories, as (code, name).
    pub async fn budget_categories(&self, council_id: &str) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query("SELECT code, name FROM budget_categories WHERE council_id = $1 ORDER BY name")
            .bind(council_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
    }

    /// Adds a category to a council, or renames one.
    pub async fn save_budget_category(
        &self,
        ctx: &AuditContext,
        council_id: &str,
        code: &str,
        name: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO budget_categories (council_id, code, name) VALUES ($1, $2, $3) \
             ON CONFLICT (council_id, code) DO UPDATE SET name = excluded.name",
        )
        .bind(council_id)
        .bind(code)
        .bind(name)
        .execute(tx.conn())
        .await?;
        tx.audit(
            ctx,
            AuditEvent::succeeded("save_budget_category", "council", council_id)
                .with_council(council_id)
                .with_detail(format!("{code}: {name}")),
        )
        .await?;
        tx.commit().await
    }

    /// A council's limit rules.
    pub async fn limit_rules(&self, council_id: &str) -> Result<Vec<LimitRule>, StoreError> {
        let rows = sqlx::query(
            "SELECT subject_kind, subject_id, per_spend_pence, per_month_pence FROM spend_limits \
             WHERE council_id = $1 ORDER BY subject_kind, subject_id",
        )
        .bind(council_id)
        .fetch_all(self.pool())
        .await?;
        limit_rules_from(&rows)
    }

    /// Sets a limit rule of a council, replacing any for the same subject.
    pub async fn set_limit(&self, ctx: &AuditContext, council_id: &str, rule: &LimitRule) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO spend_limits (council_id, subject_kind, subject_id, per_spend_pence, per_month_pence, set_by, set_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (council_id, subject_kind, subject_id) \
             DO UPDATE SET per_spend_pence = excluded.per_spend_pence, per_month_pence = excluded.per_month_pence, \
             set_by = excluded.set_by, set_at = excluded.set_at",
        )
        .bind(council_id)
        .bind(rule.subject.kind())
        .bind(rule.subject.id())
        .bind(rule.limit.per_spend.0)
        .bind(rule.limit.per_month.0)
        .bind(&ctx.actor_id)
        .bind(ctx.at_ms)
        .execute(tx.conn())
        .await?;
        tx.audit(
            ctx,
            AuditEvent::succeeded("set_spend_limit", "council", council_id).with_council(council_id).with_detail(
                format!(
                    "{} {}: {} per spend, {} per month",
                    rule.subject.kind(),
                    rule.subject.id(),
                    rule.limit.per_spend.display(),
                    rule.limit.per_month.display()
                ),
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Removes a limit rule.
    pub async fn remove_limit(
        &self,
        ctx: &AuditContext,
        council_id: &str,
        subject: &LimitSubject,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let done =
            sqlx::query("DELETE FROM spend_limits WHERE council_id = $1 AND subject_kind = $2 AND subject_id = $3")
                .bind(council_id)
                .bind(subject.kind())
                .bind(subject.id())
                .execute(tx.conn())
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(
            ctx,
            AuditEvent::succeeded("remove_spend_limit", "council", council_id)
                .with_council(council_id)
                .with_detail(format!("{} {}", subject.kind(), subject.id())),
        )
        .await?;
        tx.commit().await
    }

    /// The limit that applies to a user in a council, and what they have spent at once in the
    /// rolling month ending `today`.
    pub async fn spender_position(
        &self,
        council_id: &str,
        user_id: &str,
        today: NaiveDate,
    ) -> Result<(Option<(SpendLimit, LimitSubject)>, Pence), StoreError> {
        let mut conn = self.pool().acquire().await?;
        position(&mut conn, council_id, user_id, today).await
    }

    /// Records a spend. Within the spender's limit it is approved at once: the spend, its
    /// ledger postings and the audit row are one transaction. Over the limit it waits for a
    /// manager. A spend that would overspend the budget is refused either way.
    pub async fn record_spend(
        &self,
        ctx: &AuditContext,
        spend: &NewSpend,
        today: NaiveDate,
    ) -> Result<SpendOutcome, StoreError> {
        let mut tx = self.begin_write().await?;
        tx.lock_spender(&ctx.actor_id).await?;
        let (council_id, open) = self.open_budget_in(&mut tx, &spend.budget_id).await?;
        if !open {
            return Err(closed_budget());
        }
        let child_council = crate::children::child_council(&mut tx, &spend.child_id).await?;
        if child_council != council_id {
            return Err(StoreError::Conflict {
                field: "budget_id".into(),
                message: "That budget belongs to another council. Choose a budget of the child's council.".into(),
            });
        }
        let known_category: Option<i64> =
            sqlx::query("SELECT 1 FROM budget_categories WHERE council_id = $1 AND code = $2")
                .bind(&council_id)
                .bind(&spend.category_code)
                .fetch_optional(tx.conn())
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
        if known_category.is_none() {
            return Err(StoreError::Conflict {
                field: "category".into(),
                message: "Select one of the council's spending categories".into(),
            });
        }
        let (limit, spent) = position(tx.conn(), &council_id, &ctx.actor_id, today).await?;
        let check = check_limit(limit.map(|l| l.0), spend.amount, spent);
        let id = new_id();
        let reasons = match &check {
            LimitCheck::WithinLimit => Vec::new(),
            LimitCheck::OverLimit(r) => r.clone(),
        };
        let at_once = check == LimitCheck::WithinLimit;
        if !at_once {
            // Nobody can approve money the budget does not have, so say so now.
            let available = Account::Available { budget_id: spend.budget_id.clone() };
            let balance = tx.balance(&available).await?;
            Ledger::with_balances([(available, balance)])
                .check(&Posting::commitment(&spend.budget_id, spend.amount))
                .map_err(ledger_conflict)?;
        }
        sqlx::query(
            "INSERT INTO budget_spends (id, budget_id, council_id, child_id, for_family, requested_by, requested_at, \
             spent_on, amount_pence, category_code, purpose, supplier, payment_method, receipt_document_id, status, \
             at_once, limit_reasons, decided_by, decided_at, decision_note, settle_note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, '', '')",
        )
        .bind(&id)
        .bind(&spend.budget_id)
        .bind(&council_id)
        .bind(&spend.child_id)
        .bind(i64::from(spend.for_family))
        .bind(&ctx.actor_id)
        .bind(ctx.at_ms)
        .bind(spend.spent_on.to_string())
        .bind(spend.amount.0)
        .bind(&spend.category_code)
        .bind(&spend.purpose)
        .bind(&spend.supplier)
        .bind(spend.method.code())
        .bind(&spend.receipt_document_id)
        .bind(SpendStatus::AwaitingApproval.code())
        .bind(i64::from(at_once))
        .bind(reasons.join("\n"))
        .bind(at_once.then_some(&ctx.actor_id))
        .bind(at_once.then_some(ctx.at_ms))
        .execute(tx.conn())
        .await?;
        let status = if at_once {
            let money = SpendMoney {
                id: &id,
                budget_id: &spend.budget_id,
                council_id: &council_id,
                amount: spend.amount,
                method: spend.method,
                memo: &spend.supplier,
            };
            let status = tx.take_money(ctx, &money, today).await?;
            set_status(&mut tx, &id, status).await?;
            status
        } else {
            SpendStatus::AwaitingApproval
        };
        tx.audit(
            ctx,
            AuditEvent::succeeded("record_spend", "spend", &id).with_council(&council_id).with_detail(format!(
                "{} for child {} from budget {}: {}",
                spend.amount.display(),
                spend.child_id,
                spend.budget_id,
                status.label()
            )),
        )
        .await?;
        tx.commit().await?;
        Ok(SpendOutcome { id, status, limit_reasons: reasons })
    }

    /// Approves or declines a spend waiting for a manager. The decider cannot be its maker.
    pub async fn decide_spend(
        &self,
        ctx: &AuditContext,
        spend_id: &str,
        approve: bool,
        note: &str,
        today: NaiveDate,
    ) -> Result<SpendStatus, StoreError> {
        let mut tx = self.begin_write().await?;
        let spend = spend_for_change(&mut tx, spend_id).await?;
        if spend.requested_by == ctx.actor_id {
            return Err(StoreError::Conflict {
                field: "decision".into(),
                message: "You cannot decide your own spend: another manager decides it".into(),
            });
        }
        let change = if approve { SpendChange::Approve } else { SpendChange::Decline };
        let mut status =
            spend.status.after(change).map_err(|m| StoreError::Conflict { field: "decision".into(), message: m })?;
        if approve {
            let money = SpendMoney {
                id: spend_id,
                budget_id: &spend.budget_id,
                council_id: &spend.council_id,
                amount: spend.amount,
                method: spend.method,
                memo: &spend.supplier,
            };
            status = tx.take_money(ctx, &money, today).await?;
        }
        let event = AuditEvent::succeeded(if approve { "approve_spend" } else { "decline_spend" }, "spend", spend_id)
            .with_council(&spend.council_id)
            .with_detail(format!("{} {}", spend.amount.display(), note));
        finish_change(tx, ctx, spend_id, status, DECIDED, note, event).await
    }

    /// Pays a committed spend, cancels one not yet paid, or refunds a paid one. Cancelling and
    /// refunding post exact reversals; nothing in the ledger is changed.
    pub async fn settle_spend(
        &self,
        ctx: &AuditContext,
        spend_id: &str,
        change: SpendChange,
        note: &str,
        today: NaiveDate,
    ) -> Result<SpendStatus, StoreError> {
        let mut tx = self.begin_write().await?;
        let spend = spend_for_change(&mut tx, spend_id).await?;
        let status =
            spend.status.after(change).map_err(|m| StoreError::Conflict { field: "change".into(), message: m })?;
        let posting_note = PostingNote {
            council_id: &spend.council_id,
            spend_id: Some(spend_id),
            reverses: None,
            memo: note,
            posted_on: today,
        };
        match (spend.status, change) {
            (SpendStatus::Committed, SpendChange::Pay) => {
                tx.post(ctx, &Posting::payment(&spend.budget_id, spend.amount), &posting_note).await?;
            }
            (SpendStatus::Committed, SpendChange::Cancel) => {
                tx.reverse_spend_posting(ctx, spend_id, PostingKind::Commitment, &posting_note).await?;
            }
            (SpendStatus::Paid, SpendChange::Refund) => {
                tx.reverse_spend_posting(ctx, spend_id, PostingKind::Payment, &posting_note).await?;
                tx.reverse_spend_posting(ctx, spend_id, PostingKind::Commitment, &posting_note).await?;
            }
            _ => {}
        }
        let event = AuditEvent::succeeded("settle_spend", "spend", spend_id)
            .with_council(&spend.council_id)
            .with_detail(format!("{}: {}", status.label(), note));
        finish_change(tx, ctx, spend_id, status, SETTLED, note, event).await
    }

    /// Links a receipt, already stored as a document on the child's record, to a spend.
    pub async fn attach_receipt(
        &self,
        ctx: &AuditContext,
        spend_id: &str,
        document_id: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE budget_spends SET receipt_document_id = $1 WHERE id = $2 AND EXISTS \
             (SELECT 1 FROM child_documents d WHERE d.id = $1 AND d.child_id = budget_spends.child_id)",
        )
        .bind(document_id)
        .bind(spend_id)
        .execute(tx.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(ctx, AuditEvent::succeeded("attach_receipt", "spend", spend_id).with_detail(document_id.to_string()))
            .await?;
        tx.commit().await
    }

    /// Spends, newest first.
    pub async fn spends(&self, filter: &SpendFilter) -> Result<Vec<SpendRow>, StoreError> {
        let (scope_sql, mut params) = scope_clause(&filter.scope, "s.council_id", 1);
        let mut sql = format!("{SPEND_SELECT}{scope_sql}");
        for (column, value) in [
            ("s.child_id", &filter.child_id),
            ("s.requested_by", &filter.requested_by),
            ("s.budget_id", &filter.budget_id),
        ] {
            if let Some(v) = value {
                params.push(v.clone());
                sql.push_str(&format!(" AND {column} = ${}", params.len()));
            }
        }
        if let Some(status) = filter.status {
            params.push(status.code().into());
            sql.push_str(&format!(" AND s.status = ${}", params.len()));
        }
        if let Some(since) = filter.since {
            params.push(since.to_string());
            sql.push_str(&format!(" AND s.spent_on >= ${}", params.len()));
        }
        if let Some(teams) = &filter.holder_teams {
            if teams.is_empty() {
                sql.push_str(" AND 1 = 0");
            } else {
                let first = params.len() + 1;
                let marks: Vec<String> = (0..teams.len()).map(|i| format!("${}", first + i)).collect();
                let marks = marks.join(", ");
                params.extend(teams.iter().cloned());
                sql.push_str(&format!(
                    " AND (b.team_id IN ({marks}) OR b.cluster_id IN (SELECT cluster_id FROM teams WHERE id IN ({marks})))"
                ));
            }
        }
        sql.push_str(" ORDER BY s.requested_at DESC, s.id DESC");
        if let Some(limit) = filter.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let mut query = sqlx::query(&sql);
        for p in &params {
            query = query.bind(p);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter().map(spend_from).collect()
    }

    /// One spend, if it is in `scope`.
    pub async fn spend(&self, scope: &Scope, id: &str) -> Result<SpendRow, StoreError> {
        let (scope_sql, mut params) = scope_clause(scope, "s.council_id", 2);
        params.insert(0, id.to_string());
        let sql = format!("{SPEND_SELECT} AND s.id = $1{scope_sql}");
        let mut query = sqlx::query(&sql);
        for p in &params {
            query = query.bind(p);
        }
        let row = query.fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        spend_from(&row)
    }

    /// Ledger lines of budgets in `scope`, oldest first: for a budget, a year, or everything.
    pub async fn ledger_entries(
        &self,
        scope: &Scope,
        budget_id: Option<&str>,
        year: Option<FinancialYear>,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        let (scope_sql, mut params) = scope_clause(scope, "p.council_id", 1);
        let mut sql = format!(
            "SELECT p.id, p.posted_on, p.posted_at, p.kind, p.council_id, l.account_kind, l.account_owner, \
             COALESCE(b.name, '') AS budget_name, l.amount_pence, p.memo, p.reverses, p.spend_id, \
             COALESCE(cat.name, '') AS category_name, COALESCE(s.supplier, '') AS supplier, \
             COALESCE(s.payment_method, '') AS method \
             FROM ledger_lines l JOIN ledger_postings p ON p.id = l.posting_id \
             LEFT JOIN budgets b ON b.id = l.account_owner AND l.account_kind <> 'funding' \
             LEFT JOIN budget_spends s ON s.id = p.spend_id \
             LEFT JOIN budget_categories cat ON cat.council_id = s.council_id AND cat.code = s.category_code \
             WHERE 1 = 1{scope_sql}"
        );
        if let Some(id) = budget_id {
            params.push(id.into());
            sql.push_str(&format!(
                " AND p.id IN (SELECT posting_id FROM ledger_lines WHERE account_owner = ${})",
                params.len()
            ));
        }
        if let Some(year) = year {
            params.push(year.starts().to_string());
            params.push(year.ends().to_string());
            sql.push_str(&format!(" AND p.posted_on >= ${} AND p.posted_on <= ${}", params.len() - 1, params.len()));
        }
        sql.push_str(" ORDER BY p.posted_at, p.id, l.line_no");
        let mut query = sqlx::query(&sql);
        for p in &params {
            query = query.bind(p);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                let account_kind: String = r.try_get("account_kind")?;
                let owner: String = r.try_get("account_owner")?;
                Ok(LedgerEntry {
                    posting_id: r.try_get("id")?,
                    posted_on: r.try_get("posted_on")?,
                    posted_at: r.try_get("posted_at")?,
                    kind: PostingKind::from_code(&kind).ok_or_else(|| StoreError::Corrupt(format!("kind {kind}")))?,
                    council_id: r.try_get("council_id")?,
                    account: Account::from_parts(&account_kind, &owner)
                        .ok_or_else(|| StoreError::Corrupt(format!("account {account_kind}")))?,
                    budget_name: r.try_get("budget_name")?,
                    amount: Pence(r.try_get("amount_pence")?),
                    memo: r.try_get("memo")?,
                    reverses: r.try_get("reverses")?,
                    spend_id: r.try_get("spend_id")?,
                    category_name: r.try_get("category_name")?,
                    supplier: r.try_get("supplier")?,
                    method: r.try_get("method")?,
                })
            })
            .collect()
    }

    /// Net spend of some budgets by month ("YYYY-MM"): commitments less the reversals of
    /// commitments, as the ledger records them.
    pub async fn monthly_spend(&self, budget_ids: &[String]) -> Result<Vec<(String, Pence)>, StoreError> {
        if budget_ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=budget_ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT substr(p.posted_on, 1, 7) AS month, CAST(SUM(-l.amount_pence) AS BIGINT) \
             FROM ledger_lines l JOIN ledger_postings p ON p.id = l.posting_id \
             LEFT JOIN ledger_postings o ON o.id = p.reverses \
             WHERE l.account_kind = 'available' AND l.account_owner IN ({}) \
               AND (p.kind = 'commitment' OR o.kind = 'commitment') \
             GROUP BY substr(p.posted_on, 1, 7) ORDER BY 1",
            marks.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for id in budget_ids {
            query = query.bind(id);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, Pence(r.try_get::<Option<i64>, _>(1)?.unwrap_or(0))))).collect()
    }

    /// Checks the ledger as a whole: every posting balances, and no budget account is below
    /// zero. Returns the number of postings checked, or the first problem found.
    pub async fn check_ledger(&self) -> Result<Result<i64, String>, StoreError> {
        let unbalanced = sqlx::query(
            "SELECT posting_id, CAST(SUM(amount_pence) AS BIGINT) FROM ledger_lines GROUP BY posting_id \
             HAVING SUM(amount_pence) <> 0 LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await?;
        if let Some(r) = unbalanced {
            let id: String = r.try_get(0)?;
            return Ok(Err(format!("posting {id} does not balance")));
        }
        let negative = sqlx::query(
            "SELECT account_owner, account_kind FROM ledger_lines WHERE account_kind <> 'funding' \
             GROUP BY account_owner, account_kind HAVING SUM(amount_pence) < 0 LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await?;
        if let Some(r) = negative {
            let owner: String = r.try_get(0)?;
            let kind: String = r.try_get(1)?;
            return Ok(Err(format!("budget {owner} has a negative {kind} balance")));
        }
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM ledger_postings").fetch_one(self.pool()).await?.try_get(0)?;
        Ok(Ok(n))
    }
}

/// Posts a movement of money that stands alone, audits it (naming the posting) and commits.
async fn post_and_commit(
    mut tx: WriteTx,
    ctx: &AuditContext,
    posting: &Posting,
    note: &PostingNote<'_>,
    event: AuditEvent,
) -> Result<(), StoreError> {
    let id = tx.post(ctx, posting, note).await?;
    let detail = format!("{}, posting {id}", event.detail);
    tx.audit(ctx, event.with_council(note.council_id).with_detail(detail)).await?;
    tx.commit().await
}

/// The columns that say who decided a spend, when, and their note; and the same for settling it.
const DECIDED: [&str; 3] = ["decided_by", "decided_at", "decision_note"];
const SETTLED: [&str; 3] = ["settled_by", "settled_at", "settle_note"];

/// Sets a spend's new status with who changed it, when and why, audits the change and commits.
async fn finish_change(
    mut tx: WriteTx,
    ctx: &AuditContext,
    spend_id: &str,
    status: SpendStatus,
    [by, at, why]: [&str; 3],
    note: &str,
    event: AuditEvent,
) -> Result<SpendStatus, StoreError> {
    sqlx::query(&format!("UPDATE budget_spends SET status = $1, {by} = $2, {at} = $3, {why} = $4 WHERE id = $5"))
        .bind(status.code())
        .bind(&ctx.actor_id)
        .bind(ctx.at_ms)
        .bind(note)
        .bind(spend_id)
        .execute(tx.conn())
        .await?;
    tx.audit(ctx, event).await?;
    tx.commit().await?;
    Ok(status)
}

fn closed_budget() -> StoreError {
    StoreError::Conflict { field: "budget_id".into(), message: "That budget is closed for the year".into() }
}

fn limit_rules_from(rows: &[sqlx::any::AnyRow]) -> Result<Vec<LimitRule>, StoreError> {
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get(0)?;
            let id: String = r.try_get(1)?;
            Ok(LimitRule {
                subject: LimitSubject::from_parts(&kind, &id)
                    .ok_or_else(|| StoreError::Corrupt(format!("limit subject {kind}")))?,
                limit: SpendLimit { per_spend: Pence(r.try_get(2)?), per_month: Pence(r.try_get(3)?) },
            })
        })
        .collect()
}

/// The spender's limit in a council and what they spent at once in the rolling month.
async fn position(
    conn: &mut sqlx::AnyConnection,
    council_id: &str,
    user_id: &str,
    today: NaiveDate,
) -> Result<(Option<(SpendLimit, LimitSubject)>, Pence), StoreError> {
    let rows = sqlx::query(
        "SELECT subject_kind, subject_id, per_spend_pence, per_month_pence FROM spend_limits WHERE council_id = $1",
    )
    .bind(council_id)
    .fetch_all(&mut *conn)
    .await?;
    let rules = limit_rules_from(&rows)?;
    let roles: Vec<String> =
        sqlx::query("SELECT r.key FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = $1")
            .bind(user_id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
    let teams: Vec<String> = sqlx::query("SELECT team_id FROM team_members WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    let limit = effective_limit(&rules, &Spender { user_id, roles: &roles, teams: &teams });
    let spent: Option<i64> = sqlx::query(
        "SELECT CAST(SUM(amount_pence) AS BIGINT) FROM budget_spends WHERE requested_by = $1 AND council_id = $2 \
         AND at_once = 1 AND status IN ('committed', 'paid') AND spent_on >= $3",
    )
    .bind(user_id)
    .bind(council_id)
    .bind(month_window_start(today).to_string())
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    Ok((limit, Pence(spent.unwrap_or(0))))
}

async fn set_status(tx: &mut WriteTx, id: &str, status: SpendStatus) -> Result<(), StoreError> {
    sqlx::query("UPDATE budget_spends SET status = $1 WHERE id = $2")
        .bind(status.code())
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// The parts of a spend a change needs, read inside the changing transaction.
struct SpendForChange {
    budget_id: String,
    council_id: String,
    requested_by: String,
    amount: Pence,
    method: PaymentMethod,
    supplier: String,
    status: SpendStatus,
}

async fn spend_for_change(tx: &mut WriteTx, id: &str) -> Result<SpendForChange, StoreError> {
    // Lock the budget first, then read the spend: two managers deciding at once see each other.
    let budget_id: String = sqlx::query("SELECT budget_id FROM budget_spends WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?
        .try_get(0)?;
    tx.lock_budgets(&[&budget_id]).await?;
    let r = sqlx::query(
        "SELECT council_id, requested_by, amount_pence, payment_method, supplier, status FROM budget_spends WHERE id = $1",
    )
    .bind(id)
    .fetch_one(tx.conn())
    .await?;
    let method: String = r.try_get("payment_method")?;
    let status: String = r.try_get("status")?;
    Ok(SpendForChange {
        budget_id,
        council_id: r.try_get("council_id")?,
        requested_by: r.try_get("requested_by")?,
        amount: Pence(r.try_get("amount_pence")?),
        method: PaymentMethod::from_code(&method).ok_or_else(|| StoreError::Corrupt(format!("method {method}")))?,
        supplier: r.try_get("supplier")?,
        status: SpendStatus::from_code(&status).ok_or_else(|| StoreError::Corrupt(format!("status {status}")))?,
    })
}
