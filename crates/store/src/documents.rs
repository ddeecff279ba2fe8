//! Documents: their rows in the database, and their bytes in a folder outside the web root,
//! each under a random key that says nothing about the child.

use crate::{new_id, AuditContext, AuditEvent, Store, StoreError};
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::path::{Path, PathBuf};

/// Where document files are kept.
#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path_of(&self, key: &str) -> Result<PathBuf, StoreError> {
        // Keys are made here, but check anyway: a key is 64 hex characters and nothing else.
        if key.len() != 64 || !key.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(StoreError::Corrupt(format!("document key {key}")));
        }
        Ok(self.root.join(&key[..2]).join(key))
    }

    /// Writes the bytes durably (written, synced, then renamed into place) and returns the key.
    pub async fn put(&self, bytes: &[u8]) -> Result<String, StoreError> {
        let key = hex::encode(rand_key());
        let path = self.path_of(&key)?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_else(|| self.root.clone());
        let bytes = bytes.to_vec();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            use std::io::Write;
            std::fs::create_dir_all(&dir)?;
            let tmp = path.with_extension("part");
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            std::fs::File::open(&dir)?.sync_all()
        })
        .await
        .map_err(|e| StoreError::Corrupt(e.to_string()))?
        .map_err(|e| StoreError::Corrupt(format!("writing a document: {e}")))?;
        Ok(key)
    }

    pub async fn get(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        let path = self.path_of(key)?;
        tokio::fs::read(&path).await.map_err(|e| StoreError::Corrupt(format!("reading a document: {e}")))
    }
}

fn rand_key() -> [u8; 32] {
    rand::random()
}

/// A document being added to a child's record; its kind was recognised by the domain.
#[derive(Debug, Clone, Copy)]
pub struct NewDocument<'a> {
    pub child_id: &'a str,
    pub title: &'a str,
    pub kind: &'a str,
    pub bytes: &'a [u8],
}

/// A document as listed on a child's record.
#[derive(Debug, Clone)]
pub struct DocumentRow {
    pub id: String,
    pub child_id: String,
    pub title: String,
    pub kind: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

fn document_from(r: &sqlx::any::AnyRow) -> Result<DocumentRow, StoreError> {
    Ok(DocumentRow {
        id: r.try_get("id")?,
        child_id: r.try_get("child_id")?,
        title: r.try_get("title")?,
        kind: r.try_get("kind")?,
        size_bytes: r.try_get("size_bytes")?,
        sha256: r.try_get("sha256")?,
        storage_key: r.try_get("storage_key")?,
        uploaded_by: r.try_get("uploaded_by")?,
        uploaded_at: r.try_get("uploaded_at")?,
    })
}

const COLUMNS: &str = "id, child_id, title, kind, size_bytes, sha256, storage_key, uploaded_by, uploaded_at";

impl Store {
    /// Stores a document's bytes, then its row with a history entry and an audit row. If the
    /// database write fails the file is left unreferenced, never the other way round.
    pub async fn add_document(
        &self,
        ctx: &AuditContext,
        files: &FileStore,
        document: &NewDocument<'_>,
        today: NaiveDate,
    ) -> Result<String, StoreError> {
        let NewDocument { child_id, title, kind, bytes } = *document;
        let key = files.put(bytes).await?;
        let id = new_id();
        let digest = hex::encode(Sha256::digest(bytes));
        let mut tx = self.begin_write().await?;
        let council = crate::children::child_council(&mut tx, child_id).await?;
        sqlx::query(&format!("INSERT INTO child_documents ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"))
            .bind(&id)
            .bind(child_id)
            .bind(title)
            .bind(kind)
            .bind(bytes.len() as i64)
            .bind(&digest)
            .bind(&key)
            .bind(&ctx.actor_id)
            .bind(ctx.at_ms)
            .execute(tx.conn())
            .await?;
        let payload = serde_json::json!({ "document_id": id, "title": title, "kind": kind }).to_string();
        crate::children::append_history(&mut tx, ctx, child_id, "document_added", today, &payload, "").await?;
        tx.audit(
            ctx,
            AuditEvent::succeeded("add_document", "child", child_id).with_council(&council).with_detail(id.clone()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn documents(&self, child_id: &str) -> Result<Vec<DocumentRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM child_documents WHERE child_id = $1 ORDER BY uploaded_at DESC, id"
        ))
        .bind(child_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(document_from).collect()
    }

    /// One document of one child; another child's document is `NotFound`.
    pub async fn document(&self, child_id: &str, id: &str) -> Result<DocumentRow, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM child_documents WHERE id = $1 AND child_id = $2"))
            .bind(id)
            .bind(child_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        document_from(&row)
    }
}
