//! A family's early help, kept as entries in the child's append-only history (kind
//! `early_help`), from which the episodes and their clocks are worked out each time. A step up
//! writes the front door's new contact into the journey in the same transaction.

use crate::{AuditContext, AuditEvent, Store, StoreError};
use canopy_domain::cases::{ClockSource, Event, RunningClock};
use canopy_domain::early_help::{EarlyHelpEntry, EarlyHelpRuleBroken};
use sqlx::Row;

pub(crate) async fn read_entries(
    conn: &mut sqlx::AnyConnection,
    child_id: &str,
) -> Result<Vec<EarlyHelpEntry>, StoreError> {
    crate::children::read_history(conn, child_id, "early_help").await
}

/// The clocks that run once an early help entry is added: early help's own, and the journey's
/// when a step up adds a contact.
#[derive(Debug, Clone, Default)]
pub struct EarlyHelpClocks {
    pub early_help: Vec<RunningClock>,
    pub journey: Option<Vec<RunningClock>>,
}

impl Store {
    /// A child's early help entries, in the order they were recorded.
    pub async fn early_help_entries(&self, child_id: &str) -> Result<Vec<EarlyHelpEntry>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        read_entries(&mut conn, child_id).await
    }

    /// Adds an early help entry if `check` accepts the child's entries with it, given the
    /// journey (with `contact` added for a step up), and keeps the clocks `check` works out, in
    /// one transaction with the history and audit rows.
    pub async fn record_early_help<F>(
        &self,
        ctx: &AuditContext,
        child_id: &str,
        entry: &EarlyHelpEntry,
        contact: Option<&Event>,
        check: F,
    ) -> Result<Result<(), EarlyHelpRuleBroken>, StoreError>
    where
        F: FnOnce(&[EarlyHelpEntry], &[Event]) -> Result<EarlyHelpClocks, EarlyHelpRuleBroken>,
    {
        let mut tx = self.begin_write().await?;
        let council = crate::children::child_council(&mut tx, child_id).await?;
        let mut entries = read_entries(tx.conn(), child_id).await?;
        entries.push(entry.clone());
        let mut events = crate::children::read_journey(tx.conn(), child_id).await?;
        events.extend(contact.cloned());
        let clocks = match check(&entries, &events) {
            Ok(clocks) => clocks,
            Err(broken) => return Ok(Err(broken)),
        };
        let payload = serde_json::to_string(entry).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        crate::children::append_history(&mut tx, ctx, child_id, "early_help", entry.date(), &payload, "").await?;
        crate::children::replace_clocks(&mut tx, child_id, &council, &clocks.early_help, ClockSource::EarlyHelp)
            .await?;
        if let Some(contact) = contact {
            let payload = serde_json::to_string(contact).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            crate::children::append_history(&mut tx, ctx, child_id, "journey", contact.date(), &payload, "").await?;
            let journey_clocks = clocks.journey.unwrap_or_default();
            crate::children::replace_clocks(&mut tx, child_id, &council, &journey_clocks, ClockSource::Journey).await?;
            tx.audit(
                ctx,
                AuditEvent::succeeded("record_journey_event", "child", child_id)
                    .with_council(&council)
                    .with_detail(contact.describe()),
            )
            .await?;
        }
        tx.audit(
            ctx,
            AuditEvent::succeeded("record_early_help", "child", child_id)
                .with_council(&council)
                .with_detail(entry.describe()),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
}

impl Store {
    /// How many children have any early help recorded.
    pub async fn count_children_with_early_help(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(DISTINCT child_id) FROM child_history WHERE kind = 'early_help'")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get(0)?)
    }
}
