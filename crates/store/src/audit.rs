use crate::db::Cell;
use crate::{AuditContext, Engine, Store, StoreError, WriteTx};
use canopy_domain::audit::{chain_hash, verify_chain_from, AuditEntry, ChainBreak, GENESIS_HASH};
use sqlx::Row;

/// What happened, for one audit row. The actor, source and time come from the [`AuditContext`].
#[derive(Debug, Clone, Default)]
pub struct AuditEvent {
    pub action: String,
    pub record_kind: String,
    pub record_id: String,
    pub council_id: String,
    pub outcome: String,
    pub detail: String,
}

impl AuditEvent {
    /// An event that succeeded, about one record.
    pub fn succeeded(action: &str, record_kind: &str, record_id: &str) -> Self {
        Self {
            action: action.into(),
            record_kind: record_kind.into(),
            record_id: record_id.into(),
            outcome: "succeeded".into(),
            ..Self::default()
        }
    }

    pub fn with_outcome(mut self, outcome: &str) -> Self {
        self.outcome = outcome.into();
        self
    }

    pub fn with_council(mut self, council_id: &str) -> Self {
        self.council_id = council_id.into();
        self
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
}

/// One stored audit row with its hashes.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub entry: AuditEntry,
    pub prev_hash: String,
    pub hash: String,
}

const COLUMNS: &str =
    "seq, at_ms, actor_id, action, record_kind, record_id, council_id, source, outcome, detail, prev_hash, hash";

fn row_to_audit(r: &sqlx::any::AnyRow) -> Result<AuditRow, sqlx::Error> {
    Ok(AuditRow {
        entry: AuditEntry {
            seq: r.try_get("seq")?,
            at_ms: r.try_get("at_ms")?,
            actor_id: r.try_get("actor_id")?,
            action: r.try_get("action")?,
            record_kind: r.try_get("record_kind")?,
            record_id: r.try_get("record_id")?,
            council_id: r.try_get("council_id")?,
            source: r.try_get("source")?,
            outcome: r.try_get("outcome")?,
            detail: r.try_get("detail")?,
        },
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

impl WriteTx {
    /// Appends an audit row inside this transaction, chained to the last row.
    pub async fn audit(&mut self, ctx: &AuditContext, event: AuditEvent) -> Result<(), StoreError> {
        self.audit_many(ctx, vec![event]).await
    }

    /// Appends audit rows inside this transaction, in order, each chained to the one before.
    pub async fn audit_many(&mut self, ctx: &AuditContext, events: Vec<AuditEvent>) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        if self.engine == Engine::Postgres {
            // Writers take turns at the end of the chain; SQLite's write gate already does this.
            sqlx::query("SELECT pg_advisory_xact_lock(7301)").execute(self.conn()).await?;
        }
        let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(self.conn())
            .await?;
        let (mut seq, mut prev_hash) = match last {
            Some(r) => (r.try_get::<i64, _>("seq")? + 1, r.try_get::<String, _>("hash")?),
            None => (1, GENESIS_HASH.to_string()),
        };
        let mut rows = Vec::with_capacity(events.len());
        for event in events {
            let entry = AuditEntry {
                seq,
                at_ms: ctx.at_ms,
                actor_id: ctx.actor_id.clone(),
                action: event.action,
                record_kind: event.record_kind,
                record_id: event.record_id,
                council_id: event.council_id,
                source: ctx.source.clone(),
                outcome: event.outcome,
                detail: event.detail,
            };
            let hash = chain_hash(&prev_hash, &entry);
            rows.push(vec![
                Cell::from(entry.seq),
                entry.at_ms.into(),
                entry.actor_id.into(),
                entry.action.into(),
                entry.record_kind.into(),
                entry.record_id.into(),
                entry.council_id.into(),
                entry.source.into(),
                entry.outcome.into(),
                entry.detail.into(),
                prev_hash.into(),
                hash.clone().into(),
            ]);
            (seq, prev_hash) = (seq + 1, hash);
        }
        self.insert_many(&format!("audit_log ({COLUMNS})"), &rows).await
    }
}

/// An audit row waiting to be written, and who to tell when it is.
pub(crate) type QueuedAudit = (AuditContext, AuditEvent, tokio::sync::oneshot::Sender<Result<(), String>>);

/// Writes queued audit rows: everything waiting goes into one transaction, so under load the
/// disk syncs once per batch rather than once per row. Runs for the life of the store; `store`
/// here has no queue of its own, so it writes directly.
pub(crate) async fn write_batches(store: Store, mut pending: tokio::sync::mpsc::UnboundedReceiver<QueuedAudit>) {
    const MOST: usize = 500;
    while let Some(first) = pending.recv().await {
        let mut batch = vec![first];
        while batch.len() < MOST {
            match pending.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let written = async {
            let mut tx = store.begin_write().await?;
            for (ctx, event, _) in &batch {
                tx.audit(ctx, event.clone()).await?;
            }
            tx.commit().await
        }
        .await
        .map_err(|e| e.to_string());
        for (_, _, done) in batch {
            let _ = done.send(written.clone());
        }
    }
}

impl Store {
    /// Writes one audit row on its own (for reads and sign-in events, which change nothing
    /// else), and returns once it is committed. Rows from requests arriving together are
    /// committed together.
    pub async fn audit(&self, ctx: &AuditContext, event: AuditEvent) -> Result<(), StoreError> {
        let Some(queue) = &self.audit_queue else {
            let mut tx = self.begin_write().await?;
            tx.audit(ctx, event).await?;
            return tx.commit().await;
        };
        let (done, written) = tokio::sync::oneshot::channel();
        queue
            .send((ctx.clone(), event, done))
            .map_err(|_| StoreError::Corrupt("the audit writer has stopped".into()))?;
        written
            .await
            .map_err(|_| StoreError::Corrupt("the audit writer has stopped".into()))?
            .map_err(|e| StoreError::Corrupt(format!("writing the audit log: {e}")))
    }

    /// The most recent audit rows, newest first.
    pub async fn recent_audit(&self, limit: i64) -> Result<Vec<AuditRow>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT $1"))
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(row_to_audit).collect::<Result<_, _>>()?)
    }

    /// Checks the whole chain a page at a time, and returns how many rows verified or the first
    /// bad row.
    pub async fn verify_audit_chain(&self) -> Result<Result<u64, ChainBreak>, StoreError> {
        const PAGE: i64 = 5_000;
        let mut after = 0i64;
        let mut expected_prev = GENESIS_HASH.to_string();
        let mut total = 0u64;
        loop {
            let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"))
                .bind(after)
                .bind(PAGE)
                .fetch_all(self.pool())
                .await?;
            let page = rows.iter().map(row_to_audit).collect::<Result<Vec<_>, _>>()?;
            let Some(last) = page.last() else {
                return Ok(Ok(total));
            };
            let checked = verify_chain_from(
                &expected_prev,
                after + 1,
                page.iter().map(|r| (&r.entry, r.prev_hash.as_str(), r.hash.as_str())),
            );
            match checked {
                Ok(n) => total += n,
                Err(b) => return Ok(Err(b)),
            }
            after = last.entry.seq;
            expected_prev = last.hash.clone();
        }
    }
}
