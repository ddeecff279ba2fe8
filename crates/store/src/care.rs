//! A looked-after child's care record: changes in care, statutory visits and reviews, kept as
//! entries in the child's append-only history (kind `care`), from which the episodes are worked
//! out each time.

use crate::{AuditContext, AuditEvent, Store, StoreError, WriteTx};
use canopy_domain::adoption::AdopterEvent;
use canopy_domain::cases::care::{
    AdoptionStage, CareChange, CareEntry, CareProjection, CareRuleBroken, ReasonEpisodeCeased,
};
use sqlx::Row;

pub(crate) async fn read_entries(conn: &mut sqlx::AnyConnection, child_id: &str) -> Result<Vec<CareEntry>, StoreError> {
    crate::children::read_history(conn, child_id, "care").await
}

impl Store {
    /// Whether `user_id` is the independent reviewing officer of any child.
    pub async fn reviews_any_child(&self, user_id: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM children WHERE iro_id = $1 AND merged_into IS NULL LIMIT 1")
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some())
    }

    /// The children of a council who have been looked after (who have any care history).
    pub async fn looked_after_in(&self, council_id: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT h.child_id FROM child_history h JOIN children c ON c.id = h.child_id \
             WHERE h.kind = 'care' AND c.council_id = $1 AND c.merged_into IS NULL ORDER BY h.child_id",
        )
        .bind(council_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// A child's care entries, in the order they were recorded.
    pub async fn care_entries(&self, child_id: &str) -> Result<Vec<CareEntry>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        read_entries(&mut conn, child_id).await
    }

    /// Adds a care entry if `check` accepts the child's entries with it, and keeps what `check`
    /// works out beside the history (the care clocks, the IRO, the adoption stage), in one
    /// transaction with the history and audit rows. An adoption step that concerns adopters (a
    /// match, a placement) appends `adopter_event` to their history in the same transaction, if
    /// their own rules allow it.
    pub async fn record_care_entry<F>(
        &self,
        ctx: &AuditContext,
        child_id: &str,
        entry: &CareEntry,
        adopter_event: Option<(&str, AdopterEvent)>,
        check: F,
    ) -> Result<Result<(), CareRuleBroken>, StoreError>
    where
        F: FnOnce(&[CareEntry]) -> Result<CareProjection, CareRuleBroken>,
    {
        let mut tx = self.begin_write().await?;
        let council = crate::children::child_council(&mut tx, child_id).await?;
        let mut entries = read_entries(tx.conn(), child_id).await?;
        entries.push(entry.clone());
        let projection = match check(&entries) {
            Ok(projection) => projection,
            Err(broken) => return Ok(Err(broken)),
        };
        if let Some((adopters, event)) = adopter_event {
            if let Err(broken) = crate::adoption::append_adopter_event(&mut tx, ctx, adopters, &event).await? {
                return Ok(Err(CareRuleBroken(broken.0)));
            }
        }
        let payload = serde_json::to_string(entry).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        crate::children::append_history(&mut tx, ctx, child_id, "care", entry.date(), &payload, "").await?;
        crate::children::replace_clocks(
            &mut tx,
            child_id,
            &council,
            &projection.clocks,
            canopy_domain::cases::ClockSource::Care,
        )
        .await?;
        keep_projection(&mut tx, ctx, child_id, &council, entry, &projection).await?;
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

/// Keeps the IRO and the adoption stage on the child's row. A child in adoption is shared with
/// the adoption service's teams that serve their council; once adopted, the record is restricted
/// to the people working with it then (security.md: adoption records are restricted by default).
async fn keep_projection(
    tx: &mut WriteTx,
    ctx: &AuditContext,
    child_id: &str,
    council_id: &str,
    entry: &CareEntry,
    projection: &CareProjection,
) -> Result<(), StoreError> {
    let stage = projection.adoption_stage.map(|s| s.code());
    sqlx::query("UPDATE children SET iro_id = $1, adoption_stage = $2 WHERE id = $3")
        .bind(&projection.iro)
        .bind(stage)
        .bind(child_id)
        .execute(tx.conn())
        .await?;
    if stage.is_some() {
        sqlx::query(
            "INSERT INTO child_shared_teams (child_id, team_id) SELECT $1, t.id FROM teams t \
             JOIN team_councils tc ON tc.team_id = t.id AND tc.council_id = $2 WHERE t.service = 'adoption' \
             AND NOT EXISTS (SELECT 1 FROM child_shared_teams s WHERE s.child_id = $1 AND s.team_id = t.id)",
        )
        .bind(child_id)
        .bind(council_id)
        .execute(tx.conn())
        .await?;
    }
    // The domain accepts an adoption order (E11, E12) only for a child placed for adoption.
    let adoption_order = matches!(
        entry,
        CareEntry::Change {
            change: CareChange::CeasedToBeLookedAfter {
                reason: ReasonEpisodeCeased::E11 | ReasonEpisodeCeased::E12,
                ..
            }
        }
    );
    if adoption_order && projection.adoption_stage == Some(AdoptionStage::Adopted) {
        // Whoever records the order, the allocated worker and the adoption service's staff keep
        // access; everyone else needs to be named, or to break glass.
        sqlx::query(
            "INSERT INTO child_named_people (child_id, user_id) SELECT DISTINCT $1, p.user_id FROM ( \
               SELECT allocated_to AS user_id FROM children WHERE id = $1 AND allocated_to IS NOT NULL \
               UNION SELECT id FROM users WHERE id = $2 \
               UNION SELECT tm.user_id FROM team_members tm JOIN child_shared_teams s ON s.team_id = tm.team_id WHERE s.child_id = $1 \
             ) p WHERE NOT EXISTS (SELECT 1 FROM child_named_people n WHERE n.child_id = $1 AND n.user_id = p.user_id)",
        )
        .bind(child_id)
        .bind(&ctx.actor_id)
        .execute(tx.conn())
        .await?;
        sqlx::query("UPDATE children SET sensitivity = 'restricted' WHERE id = $1 AND sensitivity = 'normal'")
            .bind(child_id)
            .execute(tx.conn())
            .await?;
        crate::children::append_history(
            tx,
            ctx,
            child_id,
            "access_changed",
            entry.date(),
            r#"{"sensitivity":"restricted"}"#,
            "Adopted: the record is restricted to the people working with it, and kept for 100 years",
        )
        .await?;
    }
    Ok(())
}
