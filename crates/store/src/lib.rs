//! Canopy's storage: one store over SQLite (the embedded default) or PostgreSQL, chosen by the
//! database URL. Queries are written once in SQL that both engines accept, run through sqlx's
//! `Any` driver; each engine keeps its own migrations (see docs/architecture.md for why).
//!
//! Every write runs in one transaction together with its audit row.

pub mod addresses;
pub mod adoption;
mod audit;
pub mod budgets;
pub mod care;
pub mod children;
mod db;
pub mod documents;
mod drafts;
pub mod early_help;
mod error;
mod gazetteer;
pub mod org;
pub mod quality;
pub mod recruitment;
pub mod returns;
pub mod testing;
pub mod training;
pub mod users;
pub mod workforce;

pub use audit::{AuditEvent, AuditRow};
pub use db::{Engine, Store, WriteTx};
pub use error::StoreError;

/// Who is acting and from where, for the audit row that every write carries.
#[derive(Debug, Clone)]
pub struct AuditContext {
    pub actor_id: String,
    pub source: String,
    pub at_ms: i64,
}

/// Which councils a query may return rows for: the actor's whole organisation, or a set of
/// councils. Every list of tenant data takes one, so a query without a tenant filter cannot be
/// written through the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Organisation,
    Councils(Vec<String>),
}

impl Scope {
    /// Whether rows of `council_id` are in scope.
    pub fn covers(&self, council_id: &str) -> bool {
        match self {
            Scope::Organisation => true,
            Scope::Councils(ids) => ids.iter().any(|c| c == council_id),
        }
    }
}

/// A new id: a UUID v7, so ids sort by creation time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
