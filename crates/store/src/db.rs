use crate::StoreError;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Connection, Executor, Row};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The database engine behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// The placeholder of the `n`th parameter (from 1), for statements with many of them, whose
    /// parameters must then be bound in the order their placeholders are written. SQLite's
    /// driver looks up each numbered parameter by walking the statement's list of names, so
    /// thousands of `$n` cost the square of their number, while plain `?` cost nothing.
    pub(crate) fn mark(self, n: usize) -> String {
        match self {
            Engine::Sqlite => "?".to_string(),
            Engine::Postgres => format!("${n}"),
        }
    }
}

/// The store: a pool of connections and, on SQLite, a gate that lets one write transaction run
/// at a time (SQLite has one writer; queuing here avoids busy errors and keeps the audit chain
/// strictly ordered).
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    engine: Engine,
    write_gate: Arc<Mutex<()>>,
    /// Where standalone audit rows go to be written in batches (see `audit::write_batches`).
    pub(crate) audit_queue: Option<tokio::sync::mpsc::UnboundedSender<crate::audit::QueuedAudit>>,
}

/// A write transaction, holding the SQLite write gate while it lives.
pub struct WriteTx {
    pub(crate) tx: sqlx::Transaction<'static, sqlx::Any>,
    pub(crate) engine: Engine,
    _gate: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The connection of this transaction, for queries inside it.
    pub fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// Inserts `rows` into `into` (a table and its columns), many rows to a statement: each
    /// statement costs far more than its rows, and an import writes hundreds of thousands.
    pub(crate) async fn insert_many(&mut self, into: &str, rows: &[Vec<Cell>]) -> Result<(), StoreError> {
        let Some(columns) = rows.first().map(Vec::len).filter(|n| *n > 0) else { return Ok(()) };
        // Both engines take tens of thousands of parameters to a statement; this keeps well within.
        for chunk in rows.chunks((3_000 / columns).max(1)) {
            let values: Vec<String> = (0..chunk.len())
                .map(|row| {
                    let marks: Vec<String> = (1..=columns).map(|c| self.engine.mark(row * columns + c)).collect();
                    format!("({})", marks.join(", "))
                })
                .collect();
            let sql = format!("INSERT INTO {into} VALUES {}", values.join(", "));
            let mut query = sqlx::query(&sql);
            for cell in chunk.iter().flatten() {
                query = match cell {
                    Cell::Text(text) => query.bind(text.clone()),
                    Cell::Number(n) => query.bind(*n),
                };
            }
            query.execute(self.conn()).await?;
        }
        Ok(())
    }
}

/// A value to insert with `WriteTx::insert_many`.
#[derive(Debug, Clone)]
pub(crate) enum Cell {
    Text(Option<String>),
    Number(i64),
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Cell::Text(Some(text.to_string()))
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Cell::Text(Some(text))
    }
}

impl From<Option<String>> for Cell {
    fn from(text: Option<String>) -> Self {
        Cell::Text(text)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Number(n)
    }
}

/// The URL of the embedded database file under `data_dir`.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("canopy.db").display())
}

impl Store {
    /// Opens the database at `url` (`sqlite://…` or `postgres://…`), checks that it is set up
    /// so that acknowledged writes survive a crash, and runs any pending migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Engine::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl("use sqlite://PATH or postgres://…".into()));
        };
        let options = AnyConnectOptions::from_str(url)?;
        let mut pool_options = AnyPoolOptions::new()
            .max_connections(if engine == Engine::Sqlite { 8 } else { 16 })
            // A file on this machine cannot drop a connection: checking it before each query only
            // adds a round trip to the connection's thread.
            .test_before_acquire(engine != Engine::Sqlite);
        if engine == Engine::Sqlite {
            pool_options = pool_options.after_connect(|conn, _| {
                Box::pin(async move {
                    // The busy timeout first: a new connection's journal-mode check can meet a
                    // writer, and must wait for it rather than fail.
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = FULL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    // A larger page cache and memory-mapped reads: lists and balances read many
                    // pages, and copying each from the OS was a large share of a spend's time.
                    conn.execute("PRAGMA cache_size = -8000").await?;
                    conn.execute("PRAGMA mmap_size = 268435456").await?;
                    Ok(())
                })
            });
        }
        let pool = pool_options.connect_with(options).await?;
        let mut store = Self { pool, engine, write_gate: Arc::new(Mutex::new(())), audit_queue: None };
        store.check_durability().await?;
        store.migrate().await?;
        let (queue, pending) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(crate::audit::write_batches(store.clone(), pending));
        store.audit_queue = Some(queue);
        Ok(store)
    }

    /// Opens (creating if needed) the embedded database in `data_dir`.
    pub async fn open_embedded(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            StoreError::UnsupportedUrl(format!("cannot create the data directory {}: {e}", data_dir.display()))
        })?;
        Self::open(&sqlite_url(data_dir)).await
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Runs the pending migrations of this engine.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.engine {
            Engine::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Engine::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// Refuses settings that could lose a write the client was told had succeeded.
    async fn check_durability(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        match self.engine {
            Engine::Sqlite => {
                let mode: String = sqlx::query("PRAGMA journal_mode").fetch_one(&mut *conn).await?.try_get(0)?;
                let sync: i64 = sqlx::query("PRAGMA synchronous").fetch_one(&mut *conn).await?.try_get(0)?;
                let fk: i64 = sqlx::query("PRAGMA foreign_keys").fetch_one(&mut *conn).await?.try_get(0)?;
                if !mode.eq_ignore_ascii_case("wal") {
                    return Err(StoreError::UnsafeSettings(format!("journal_mode is {mode}, not WAL")));
                }
                if sync < 2 {
                    return Err(StoreError::UnsafeSettings(format!("synchronous is {sync}, not FULL (2)")));
                }
                if fk != 1 {
                    return Err(StoreError::UnsafeSettings("foreign keys are off".into()));
                }
            }
            Engine::Postgres => {
                for setting in ["fsync", "synchronous_commit"] {
                    let value: String =
                        sqlx::query(&format!("SHOW {setting}")).fetch_one(&mut *conn).await?.try_get(0)?;
                    if value != "on" {
                        return Err(StoreError::UnsafeSettings(format!("{setting} is {value}, not on")));
                    }
                }
            }
        }
        conn.ping().await?;
        Ok(())
    }

    /// Starts a write transaction.
    pub async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        let gate = match self.engine {
            Engine::Sqlite => Some(self.write_gate.clone().lock_owned().await),
            Engine::Postgres => None,
        };
        let tx = match self.engine {
            // Take SQLite's write lock at the start (waiting out the busy timeout if a writer
            // that failed is still rolling back), rather than upgrading from a read part-way
            // through, which SQLite refuses at once when another write got in between.
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Engine::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx { tx, engine: self.engine, _gate: gate })
    }

    /// The user tables and their columns, as (table, column, nullable), sorted: what the schema
    /// comparison between the two engines looks at.
    pub async fn schema_outline(&self) -> Result<Vec<(String, String, bool)>, StoreError> {
        let rows = match self.engine {
            Engine::Sqlite => {
                sqlx::query(
                    "SELECT m.name, p.name, CASE WHEN p.\"notnull\" = 1 OR p.pk > 0 THEN 0 ELSE 1 END \
                     FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
                )
                .fetch_all(&self.pool)
                .await?
            }
            Engine::Postgres => sqlx::query(
                "SELECT table_name::text, column_name::text, CASE WHEN is_nullable = 'YES' THEN 1 ELSE 0 END::bigint \
                     FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'",
            )
            .fetch_all(&self.pool)
            .await?,
        };
        let mut out = rows
            .iter()
            .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?, r.try_get::<i64, _>(2)? == 1)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        out.sort();
        Ok(out)
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
