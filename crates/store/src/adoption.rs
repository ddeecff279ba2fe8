//! The adoption service's adopters, shared by every council: their row (who they are, their stage)
//! and their append-only history, from which the stage is checked each time; and the lists behind
//! the adoption board and the IRO's reviews.

use crate::children::{attach_access, child_from, scope_clause, CHILD_COLUMNS};
use crate::db::Cell;
use crate::{new_id, AuditContext, AuditEvent, Scope, Store, StoreError, WriteTx};
use canopy_domain::adoption::{apply_event, AdopterEvent, AdopterRuleBroken, AdopterStage, ValidAdopters};
use chrono::NaiveDate;
use sqlx::Row;

/// Prospective adopters as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdopterRow {
    pub id: String,
    pub name: String,
    pub sexes: String,
    pub legal_status: String,
    pub stage: AdopterStage,
    pub stage_date: NaiveDate,
}

/// One step in the adopters' history.
#[derive(Debug, Clone)]
pub struct AdopterHistoryRow {
    pub at_ms: i64,
    pub actor_id: String,
    pub event: AdopterEvent,
}

fn adopter_from(r: &sqlx::any::AnyRow) -> Result<AdopterRow, StoreError> {
    let stage: String = r.try_get("stage")?;
    let date: String = r.try_get("stage_date")?;
    Ok(AdopterRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        sexes: r.try_get("sexes")?,
        legal_status: r.try_get("legal_status")?,
        stage: AdopterStage::from_code(&stage).ok_or_else(|| StoreError::Corrupt(format!("adopter stage {stage}")))?,
        stage_date: NaiveDate::parse_from_str(&date, "%Y-%m-%d")
            .map_err(|_| StoreError::Corrupt(format!("adopter stage date {date}")))?,
    })
}

const ADOPTER_COLUMNS: &str = "id, name, sexes, legal_status, stage, stage_date";

/// Appends an event to the adopters' history if their rules allow it after what went before, and
/// moves their stage; inside the caller's transaction.
pub(crate) async fn append_adopter_event(
    tx: &mut WriteTx,
    ctx: &AuditContext,
    adopter_id: &str,
    event: &AdopterEvent,
) -> Result<Result<(), AdopterRuleBroken>, StoreError> {
    let row = sqlx::query(&format!("SELECT {ADOPTER_COLUMNS} FROM adopters WHERE id = $1"))
        .bind(adopter_id)
        .fetch_optional(tx.conn())
        .await?;
    let current = adopter_from(&row.ok_or(StoreError::NotFound)?)?;
    let stage = match apply_event(Some(current.stage), Some(current.stage_date), event) {
        Ok(stage) => stage,
        Err(broken) => return Ok(Err(broken)),
    };
    let seq: i64 = sqlx::query("SELECT COALESCE(MAX(seq), 0) + 1 FROM adopter_history WHERE adopter_id = $1")
        .bind(adopter_id)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
    insert_history(tx, ctx, adopter_id, seq, event).await?;
    sqlx::query("UPDATE adopters SET stage = $1, stage_date = $2 WHERE id = $3")
        .bind(stage.code())
        .bind(event.date().to_string())
        .bind(adopter_id)
        .execute(tx.conn())
        .await?;
    tx.audit(ctx, AuditEvent::succeeded("record_adopter_step", "adopters", adopter_id).with_detail(event.describe()))
        .await?;
    Ok(Ok(()))
}

impl Store {
    /// Adds prospective adopters from their first enquiry.
    pub async fn add_adopters(
        &self,
        ctx: &AuditContext,
        adopters: &ValidAdopters,
        enquired: NaiveDate,
    ) -> Result<String, StoreError> {
        let id = new_id();
        let mut tx = self.begin_write().await?;
        tx.insert_many(ADOPTERS_COLUMNS, &[adopters_cells(&id, ctx, adopters, AdopterStage::Enquiry, enquired)])
            .await?;
        // The enquiry is the history's first event, and the row starts at its stage.
        insert_history(&mut tx, ctx, &id, 1, &AdopterEvent::Enquired { date: enquired }).await?;
        tx.audit(ctx, AuditEvent::succeeded("add_adopters", "adopters", &id)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records a step the adopters took, if their rules allow it.
    pub async fn record_adopter_event(
        &self,
        ctx: &AuditContext,
        adopter_id: &str,
        event: &AdopterEvent,
    ) -> Result<Result<(), AdopterRuleBroken>, StoreError> {
        let mut tx = self.begin_write().await?;
        let outcome = append_adopter_event(&mut tx, ctx, adopter_id, event).await?;
        if outcome.is_ok() {
            tx.commit().await?;
        }
        Ok(outcome)
    }

    pub async fn adopters(&self) -> Result<Vec<AdopterRow>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {ADOPTER_COLUMNS} FROM adopters ORDER BY stage_date DESC, name"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(adopter_from).collect()
    }

    pub async fn adopter(&self, id: &str) -> Result<AdopterRow, StoreError> {
        let row = sqlx::query(&format!("SELECT {ADOPTER_COLUMNS} FROM adopters WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        adopter_from(&row)
    }

    pub async fn adopter_history(&self, id: &str) -> Result<Vec<AdopterHistoryRow>, StoreError> {
        let rows =
            sqlx::query("SELECT at_ms, actor_id, payload FROM adopter_history WHERE adopter_id = $1 ORDER BY seq")
                .bind(id)
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|r| {
                let payload: String = r.try_get(2)?;
                Ok(AdopterHistoryRow {
                    at_ms: r.try_get(0)?,
                    actor_id: r.try_get(1)?,
                    event: serde_json::from_str(&payload)
                        .map_err(|e| StoreError::Corrupt(format!("adopter event of {id}: {e}")))?,
                })
            })
            .collect()
    }

    /// Children in the councils of `scope` who are or were in adoption, with their stage, and who
    /// is named on and shut out of each so the caller can filter them by the policy.
    pub async fn children_in_adoption(&self, scope: &Scope) -> Result<Vec<crate::children::ChildRow>, StoreError> {
        self.children_where(scope, "c.adoption_stage IS NOT NULL", None).await
    }

    /// Looked-after children whose independent reviewing officer is `user_id`.
    pub async fn children_of_iro(
        &self,
        scope: &Scope,
        user_id: &str,
    ) -> Result<Vec<crate::children::ChildRow>, StoreError> {
        self.children_where(scope, "c.iro_id = $1", Some(user_id)).await
    }

    async fn children_where(
        &self,
        scope: &Scope,
        condition: &str,
        value: Option<&str>,
    ) -> Result<Vec<crate::children::ChildRow>, StoreError> {
        let mut params: Vec<String> = value.iter().map(|v| v.to_string()).collect();
        let (councils, ids) = scope_clause("c.council_id", scope, params.len() + 1);
        params.extend(ids);
        let sql = format!(
            "SELECT {CHILD_COLUMNS} FROM children c WHERE c.merged_into IS NULL AND {condition} AND {councils} \
             ORDER BY c.search_name LIMIT 2000"
        );
        let mut query = sqlx::query(&sql);
        for p in &params {
            query = query.bind(p);
        }
        let mut children = query.fetch_all(self.pool()).await?.iter().map(child_from).collect::<Result<Vec<_>, _>>()?;
        attach_access(self, &mut children).await?;
        Ok(children)
    }
}

/// The `adopters` table and the columns of `adopters_cells`.
pub(crate) const ADOPTERS_COLUMNS: &str = "adopters (id, name, sexes, legal_status, stage, stage_date, created_at)";

/// Adopters' row, at `stage` since `stage_date`.
pub(crate) fn adopters_cells(
    id: &str,
    ctx: &AuditContext,
    adopters: &ValidAdopters,
    stage: AdopterStage,
    stage_date: NaiveDate,
) -> Vec<Cell> {
    vec![
        id.into(),
        adopters.name.as_str().into(),
        adopters.sexes.code().into(),
        adopters.legal_status.code().into(),
        stage.code().into(),
        stage_date.to_string().into(),
        ctx.at_ms.into(),
    ]
}

/// The `adopter_history` table and the columns of `adopter_history_cells`.
pub(crate) const ADOPTER_HISTORY_COLUMNS: &str =
    "adopter_history (adopter_id, seq, at_ms, actor_id, event_date, payload)";

/// The `seq`th row of the adopters' history.
pub(crate) fn adopter_history_cells(
    ctx: &AuditContext,
    adopter_id: &str,
    seq: i64,
    event: &AdopterEvent,
) -> Result<Vec<Cell>, StoreError> {
    let payload = serde_json::to_string(event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(vec![
        adopter_id.into(),
        seq.into(),
        ctx.at_ms.into(),
        ctx.actor_id.as_str().into(),
        event.date().to_string().into(),
        payload.into(),
    ])
}

async fn insert_history(
    tx: &mut WriteTx,
    ctx: &AuditContext,
    adopter_id: &str,
    seq: i64,
    event: &AdopterEvent,
) -> Result<(), StoreError> {
    tx.insert_many(ADOPTER_HISTORY_COLUMNS, &[adopter_history_cells(ctx, adopter_id, seq, event)?]).await
}
