//! A looked-after child's care record: changes in care, statutory visits and reviews, kept as
//! entries in the child's append-only history (kind `care`), from which the episodes are worked
//! out each time.

use crate::{AuditContext, AuditEvent, Store, StoreError};
use canopy_domain::cases::care::{CareEntry, CareRuleBroken};
use canopy_domain::cases::RunningClock;
use sqlx::Row;

pub(crate) async fn read_entries(conn: &mut sqlx::AnyConnection, child_id: &str) -> Result<Vec<CareEntry>, StoreError> {
    let rows = sqlx::query("SELECT payload FROM child_history WHERE child_id = $1 AND kind = 'care' ORDER BY seq")
        .bind(child_id)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            let text: String = r.try_get(0)?;
            serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("care entry of {child_id}: {e}")))
        })
        .collect()
}

impl Store {
    /// A child's care entries, in the order they were recorded.
    pub async fn care_entries(&self, child_id: &str) -> Result<Vec<CareEntry>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        read_entries(&mut conn, child_id).await
    }

    /// Adds a care entry if `check` accepts the child's entries with it, and replaces the child's
    /// care clocks with the ones `check` returns, in one transaction with the history and audit rows.
    pub async fn record_care_entry<F>(
        &self,
        ctx: &AuditContext,
        child_id: &str,
        entry: &CareEntry,
        check: F,
    ) -> Result<Result<(), CareRuleBroken>, StoreError>
    where
        F: FnOnce(&[CareEntry]) -> Result<Vec<RunningClock>, CareRuleBroken>,
    {
        let mut tx = self.begin_write().await?;
        let council = crate::children::child_council(&mut tx, child_id).await?;
        let mut entries = read_entries(tx.conn(), child_id).await?;
        entries.push(entry.clone());
        let clocks = match check(&entries) {
            Ok(clocks) => clocks,
            Err(broken) => return Ok(Err(broken)),
        };
        let payload = serde_json::to_string(entry).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        crate::children::append_history(&mut tx, ctx, child_id, "care", entry.date(), &payload, "").await?;
        crate::children::replace_clocks(&mut tx, child_id, &council, &clocks, true).await?;
        tx.audit(
            ctx,
            AuditEvent::succeeded("record_care", "child", child_id)
                .with_council(&council)
                .with_detail(entry.describe()),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
}
