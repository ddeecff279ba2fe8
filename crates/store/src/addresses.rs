//! A child's addresses over time.

use crate::children::{append_history, EVER_IN_CARE};
use crate::{new_id, AuditContext, AuditEvent, Store, StoreError};
use chrono::NaiveDate;
use sqlx::Row;
use std::collections::HashMap;

/// A new home address for a child, already placed in a cluster by its postcode.
#[derive(Debug, Clone)]
pub struct NewAddress {
    pub line1: String,
    pub town: String,
    pub postcode: String,
    pub moved_in: NaiveDate,
    pub cluster_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AddressRow {
    pub line1: String,
    pub town: String,
    pub postcode: String,
    pub moved_in: NaiveDate,
    pub moved_out: Option<NaiveDate>,
}

impl Store {
    /// Records that a child moved: the current address ends the day before, the new one starts,
    /// and the child's postcode and cluster follow, with a history entry, in one transaction.
    pub async fn move_child(&self, ctx: &AuditContext, child_id: &str, address: &NewAddress) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let council = crate::children::child_council(&mut tx, child_id).await?;
        let latest = sqlx::query("SELECT moved_in FROM child_addresses WHERE child_id = $1 AND moved_out IS NULL")
            .bind(child_id)
            .fetch_optional(tx.conn())
            .await?;
        if let Some(r) = latest {
            let since: String = r.try_get(0)?;
            if since.as_str() >= address.moved_in.to_string().as_str() {
                return Err(StoreError::Conflict {
                    field: "moved_in".into(),
                    message: format!(
                        "The child has lived at their current address since {since}: a move comes after that"
                    ),
                });
            }
        }
        sqlx::query("UPDATE child_addresses SET moved_out = $1 WHERE child_id = $2 AND moved_out IS NULL")
            .bind(address.moved_in.to_string())
            .bind(child_id)
            .execute(tx.conn())
            .await?;
        sqlx::query(
            "INSERT INTO child_addresses (id, child_id, line1, town, postcode, moved_in, moved_out, created_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)",
        )
        .bind(new_id())
        .bind(child_id)
        .bind(&address.line1)
        .bind(&address.town)
        .bind(&address.postcode)
        .bind(address.moved_in.to_string())
        .bind(ctx.at_ms)
        .execute(tx.conn())
        .await?;
        sqlx::query("UPDATE children SET postcode = $1, cluster_id = $2, updated_at = $3 WHERE id = $4")
            .bind(&address.postcode)
            .bind(address.cluster_id.clone())
            .bind(ctx.at_ms)
            .bind(child_id)
            .execute(tx.conn())
            .await?;
        let payload = serde_json::json!({ "postcode": address.postcode, "town": address.town }).to_string();
        append_history(&mut tx, ctx, child_id, "moved", address.moved_in, &payload, "").await?;
        tx.audit(ctx, AuditEvent::succeeded("move_child", "child", child_id).with_council(&council)).await?;
        tx.commit().await
    }

    /// A child's addresses, the latest first.
    pub async fn addresses(&self, child_id: &str) -> Result<Vec<AddressRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT line1, town, postcode, moved_in, moved_out FROM child_addresses WHERE child_id = $1 ORDER BY moved_in DESC",
        )
        .bind(child_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(address_from).collect()
    }

    /// The addresses of every child of a council who has ever been looked after, by child, the
    /// latest first: what the SSDA903's home postcodes come from, in one read.
    pub async fn addresses_of_children_ever_in_care(
        &self,
        council_id: &str,
    ) -> Result<HashMap<String, Vec<AddressRow>>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT a.line1, a.town, a.postcode, a.moved_in, a.moved_out, a.child_id FROM child_addresses a \
             JOIN children c ON c.id = a.child_id WHERE c.council_id = $1 AND c.merged_into IS NULL AND {EVER_IN_CARE} \
             ORDER BY a.child_id, a.moved_in DESC"
        ))
        .bind(council_id)
        .fetch_all(self.pool())
        .await?;
        let mut by_child: HashMap<String, Vec<AddressRow>> = HashMap::new();
        for r in &rows {
            by_child.entry(r.try_get(5)?).or_default().push(address_from(r)?);
        }
        Ok(by_child)
    }
}

/// An address from its columns: line1, town, postcode, moved_in, moved_out.
fn address_from(r: &sqlx::any::AnyRow) -> Result<AddressRow, StoreError> {
    let day = |t: String| {
        NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|_| StoreError::Corrupt(format!("address date {t}")))
    };
    Ok(AddressRow {
        line1: r.try_get(0)?,
        town: r.try_get(1)?,
        postcode: r.try_get(2)?,
        moved_in: day(r.try_get(3)?)?,
        moved_out: r.try_get::<Option<String>, _>(4)?.map(day).transpose()?,
    })
}
