//! Drafts: what a user typed into a long form, kept until they submit it, so no typed work is lost.

use crate::{Store, StoreError};
use sqlx::Row;

impl Store {
    /// Keeps (or replaces) the user's draft of one form.
    pub async fn save_draft(
        &self,
        user_id: &str,
        form_key: &str,
        fields: &[(String, String)],
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(fields).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM form_drafts WHERE user_id = $1 AND form_key = $2")
            .bind(user_id)
            .bind(form_key)
            .execute(tx.conn())
            .await?;
        sqlx::query("INSERT INTO form_drafts (user_id, form_key, fields, saved_at) VALUES ($1, $2, $3, $4)")
            .bind(user_id)
            .bind(form_key)
            .bind(json)
            .bind(at_ms)
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }

    /// The user's draft of a form, with when it was saved.
    pub async fn draft(
        &self,
        user_id: &str,
        form_key: &str,
    ) -> Result<Option<(Vec<(String, String)>, i64)>, StoreError> {
        let row = sqlx::query("SELECT fields, saved_at FROM form_drafts WHERE user_id = $1 AND form_key = $2")
            .bind(user_id)
            .bind(form_key)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let text: String = row.try_get(0)?;
        let fields = serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("draft: {e}")))?;
        Ok(Some((fields, row.try_get(1)?)))
    }

    /// Forgets a draft once the form is saved for real.
    pub async fn discard_draft(&self, user_id: &str, form_key: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM form_drafts WHERE user_id = $1 AND form_key = $2")
            .bind(user_id)
            .bind(form_key)
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }
}
