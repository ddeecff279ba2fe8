//! The double-entry ledger. Every movement of money is a posting whose lines sum to zero, so money
//! is never made or lost; entries are never changed, and a correction is the exact reversal of a
//! posting. Each budget has three accounts: what is free to spend, what is committed to approved
//! spends not yet paid, and what has been paid. A council's funding account is where allocations
//! come from and where unspent money goes back at year end.

use super::Pence;
use std::collections::BTreeMap;

/// One account in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Account {
    /// A council's funding, the source of allocations.
    Funding { council_id: String },
    /// What a budget has free to spend: never below zero.
    Available { budget_id: String },
    /// Approved spends of a budget not yet paid.
    Committed { budget_id: String },
    /// What a budget has paid out.
    Spent { budget_id: String },
}

impl Account {
    /// The kind as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            Account::Funding { .. } => "funding",
            Account::Available { .. } => "available",
            Account::Committed { .. } => "committed",
            Account::Spent { .. } => "spent",
        }
    }

    /// The council or budget the account belongs to.
    pub fn owner(&self) -> &str {
        match self {
            Account::Funding { council_id } => council_id,
            Account::Available { budget_id } | Account::Committed { budget_id } | Account::Spent { budget_id } => {
                budget_id
            }
        }
    }

    /// Reads an account from its stored kind and owner.
    pub fn from_parts(kind: &str, owner: &str) -> Option<Self> {
        let owner = owner.to_string();
        Some(match kind {
            "funding" => Account::Funding { council_id: owner },
            "available" => Account::Available { budget_id: owner },
            "committed" => Account::Committed { budget_id: owner },
            "spent" => Account::Spent { budget_id: owner },
            _ => return None,
        })
    }

    /// Budget accounts may never go below zero; funding may (it is the council's side).
    fn must_stay_positive(&self) -> bool {
        !matches!(self, Account::Funding { .. })
    }
}

/// What a posting does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PostingKind {
    /// Money from a council's funding into a budget.
    Allocation,
    /// Money moved by finance from one budget to another.
    Transfer,
    /// An approved spend set aside.
    Commitment,
    /// A committed spend paid.
    Payment,
    /// The exact reversal of an earlier posting: a refund, a cancelled commitment, a correction.
    Reversal,
    /// At year end, what is left goes back to the council's funding.
    YearEndReturn,
    /// At year end, what is left moves into next year's budget, because finance said so.
    CarryForward,
}

impl PostingKind {
    pub const ALL: [PostingKind; 7] = [
        PostingKind::Allocation,
        PostingKind::Transfer,
        PostingKind::Commitment,
        PostingKind::Payment,
        PostingKind::Reversal,
        PostingKind::YearEndReturn,
        PostingKind::CarryForward,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PostingKind::Allocation => "allocation",
            PostingKind::Transfer => "transfer",
            PostingKind::Commitment => "commitment",
            PostingKind::Payment => "payment",
            PostingKind::Reversal => "reversal",
            PostingKind::YearEndReturn => "year_end_return",
            PostingKind::CarryForward => "carry_forward",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PostingKind::Allocation => "Allocation",
            PostingKind::Transfer => "Transfer",
            PostingKind::Commitment => "Spend approved",
            PostingKind::Payment => "Spend paid",
            PostingKind::Reversal => "Reversal",
            PostingKind::YearEndReturn => "Returned at year end",
            PostingKind::CarryForward => "Carried forward",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// One line of a posting: an amount into (positive) or out of (negative) an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub account: Account,
    pub amount: Pence,
}

/// One balanced movement of money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    pub kind: PostingKind,
    pub lines: Vec<Line>,
}

fn pair(kind: PostingKind, from: Account, to: Account, amount: Pence) -> Posting {
    Posting { kind, lines: vec![Line { account: from, amount: -amount }, Line { account: to, amount }] }
}

impl Posting {
    pub fn allocation(council_id: &str, budget_id: &str, amount: Pence) -> Self {
        pair(
            PostingKind::Allocation,
            Account::Funding { council_id: council_id.into() },
            Account::Available { budget_id: budget_id.into() },
            amount,
        )
    }

    pub fn transfer(from_budget: &str, to_budget: &str, amount: Pence) -> Self {
        pair(
            PostingKind::Transfer,
            Account::Available { budget_id: from_budget.into() },
            Account::Available { budget_id: to_budget.into() },
            amount,
        )
    }

    pub fn commitment(budget_id: &str, amount: Pence) -> Self {
        pair(
            PostingKind::Commitment,
            Account::Available { budget_id: budget_id.into() },
            Account::Committed { budget_id: budget_id.into() },
            amount,
        )
    }

    pub fn payment(budget_id: &str, amount: Pence) -> Self {
        pair(
            PostingKind::Payment,
            Account::Committed { budget_id: budget_id.into() },
            Account::Spent { budget_id: budget_id.into() },
            amount,
        )
    }

    pub fn year_end_return(budget_id: &str, council_id: &str, amount: Pence) -> Self {
        pair(
            PostingKind::YearEndReturn,
            Account::Available { budget_id: budget_id.into() },
            Account::Funding { council_id: council_id.into() },
            amount,
        )
    }

    pub fn carry_forward(budget_id: &str, next_budget_id: &str, amount: Pence) -> Self {
        pair(
            PostingKind::CarryForward,
            Account::Available { budget_id: budget_id.into() },
            Account::Available { budget_id: next_budget_id.into() },
            amount,
        )
    }

    /// The exact reversal of `original`: every line negated.
    pub fn reversal_of(original: &Posting) -> Self {
        Posting {
            kind: PostingKind::Reversal,
            lines: original.lines.iter().map(|l| Line { account: l.account.clone(), amount: -l.amount }).collect(),
        }
    }

    /// The accounts this posting touches, each once, in a fixed order (so locks are always
    /// taken in the same order).
    pub fn accounts(&self) -> Vec<&Account> {
        let mut accounts: Vec<&Account> = self.lines.iter().map(|l| &l.account).collect();
        accounts.sort();
        accounts.dedup();
        accounts
    }
}

/// Why a posting was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("a posting needs at least two lines")]
    TooFewLines,
    #[error("a posting's lines must sum to zero, not {0}")]
    Unbalanced(i64),
    #[error("a line of a posting cannot be for £0")]
    ZeroLine,
    /// The budget would go below zero; `left` is what it has.
    #[error("the budget has {} left, not enough for {}", .left.display(), .needed.display())]
    Overspend { budget_id: String, left: Pence, needed: Pence },
}

/// Balances of accounts, and the rule that posts to them. The store loads the balances of the
/// accounts a posting touches (under a lock) and asks this whether the posting may go in.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    balances: BTreeMap<Account, Pence>,
}

impl Ledger {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts from known balances.
    pub fn with_balances(balances: impl IntoIterator<Item = (Account, Pence)>) -> Self {
        Self { balances: balances.into_iter().collect() }
    }

    pub fn balance(&self, account: &Account) -> Pence {
        self.balances.get(account).copied().unwrap_or_default()
    }

    /// Checks a posting without applying it: balanced, no zero lines, and no budget account
    /// left below zero.
    pub fn check(&self, posting: &Posting) -> Result<(), LedgerError> {
        if posting.lines.len() < 2 {
            return Err(LedgerError::TooFewLines);
        }
        if posting.lines.iter().any(|l| l.amount.0 == 0) {
            return Err(LedgerError::ZeroLine);
        }
        let sum: i64 = posting.lines.iter().map(|l| l.amount.0).sum();
        if sum != 0 {
            return Err(LedgerError::Unbalanced(sum));
        }
        for account in posting.accounts() {
            let change: Pence = posting.lines.iter().filter(|l| &l.account == account).map(|l| l.amount).sum();
            let left = self.balance(account);
            if account.must_stay_positive() && (left + change).0 < 0 {
                return Err(LedgerError::Overspend { budget_id: account.owner().to_string(), left, needed: -change });
            }
        }
        Ok(())
    }

    /// Checks and applies a posting.
    pub fn post(&mut self, posting: &Posting) -> Result<(), LedgerError> {
        self.check(posting)?;
        for line in &posting.lines {
            let balance = self.balances.entry(line.account.clone()).or_default();
            *balance = *balance + line.amount;
        }
        Ok(())
    }
}
