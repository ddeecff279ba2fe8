//! Throwaway databases for tests: a fresh SQLite file, or a fresh PostgreSQL database on the
//! server that `CANOPY_TEST_POSTGRES_URL` names. Used by this crate's conformance suite and by the
//! web tests, so both engines run the same stories.

use crate::{Store, StoreError};
use sqlx::{Connection, Executor};
use std::path::PathBuf;

/// Which engines the tests run against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestEngine {
    Sqlite,
    Postgres,
}

/// A database made for one test, removed by [`TestDb::cleanup`].
pub struct TestDb {
    pub store: Store,
    pub url: String,
    dir: Option<PathBuf>,
    pg_admin: Option<(String, String)>,
}

/// The PostgreSQL server for tests, if one is configured. With `CANOPY_REQUIRE_POSTGRES=1` and
/// none configured, this panics so that CI cannot skip PostgreSQL silently.
pub fn postgres_url() -> Option<String> {
    match std::env::var("CANOPY_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            let required = std::env::var("CANOPY_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
            assert!(!required, "CANOPY_REQUIRE_POSTGRES=1 but CANOPY_TEST_POSTGRES_URL is not set");
            None
        }
    }
}

fn unique_name() -> String {
    format!("canopy_test_{}", uuid::Uuid::now_v7().simple())
}

impl TestDb {
    /// A new database of `engine`, migrated; `None` when PostgreSQL is not configured (the
    /// caller reports the skip).
    pub async fn new(engine: TestEngine) -> Result<Option<Self>, StoreError> {
        match engine {
            TestEngine::Sqlite => {
                let dir = std::env::temp_dir().join(unique_name());
                let store = Store::open_embedded(&dir).await?;
                Ok(Some(Self { url: crate::db::sqlite_url(&dir), store, dir: Some(dir), pg_admin: None }))
            }
            TestEngine::Postgres => {
                let Some(admin_url) = postgres_url() else {
                    eprintln!("skipped: PostgreSQL (set CANOPY_TEST_POSTGRES_URL to run it)");
                    return Ok(None);
                };
                sqlx::any::install_default_drivers();
                let name = unique_name();
                let mut admin = sqlx::AnyConnection::connect(&admin_url).await?;
                admin.execute(format!("CREATE DATABASE {name}").as_str()).await?;
                admin.close().await?;
                let url = match admin_url.rsplit_once('/') {
                    Some((base, _)) => format!("{base}/{name}"),
                    None => return Err(StoreError::UnsupportedUrl(admin_url)),
                };
                let store = Store::open(&url).await?;
                Ok(Some(Self { store, url, dir: None, pg_admin: Some((admin_url, name)) }))
            }
        }
    }

    /// Closes the store and removes the database.
    pub async fn cleanup(self) {
        self.store.close().await;
        if let Some(dir) = self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((admin_url, name)) = self.pg_admin {
            if let Ok(mut admin) = sqlx::AnyConnection::connect(&admin_url).await {
                let _ = admin.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
                let _ = admin.close().await;
            }
        }
    }

    /// Runs raw SQL with the test's own powers (to tamper with data, as an attacker with direct
    /// database access would).
    pub async fn raw(&self, sql: &str) -> Result<(), StoreError> {
        let mut conn = sqlx::AnyConnection::connect(&self.url).await?;
        conn.execute(sql).await?;
        conn.close().await?;
        Ok(())
    }
}

/// Adds a council through the domain's checks, for a test's set-up, and returns it as clusters
/// and teams see it.
pub async fn add_council(
    store: &Store,
    name: &str,
    la_code: &str,
    ons_code: &str,
    districts: &str,
) -> Result<canopy_domain::org::CouncilCoverage, StoreError> {
    let input = canopy_domain::org::CouncilInput {
        name: name.into(),
        la_code: la_code.into(),
        ons_code: ons_code.into(),
        postcode_districts: districts.into(),
    };
    let valid = canopy_domain::org::validate_council(&input, &store.other_councils(None).await?)
        .map_err(|e| StoreError::Corrupt(format!("test council {name}: {e}")))?;
    let ctx = crate::AuditContext { actor_id: "test-setup".into(), source: "test".into(), at_ms: 0 };
    let id = store.save_council(&ctx, None, &valid).await?;
    Ok(canopy_domain::org::CouncilCoverage { id, name: valid.name, districts: valid.postcode_districts })
}

/// Something a test story runs against, made fresh for each engine and removed afterwards.
#[allow(async_fn_in_trait)]
pub trait TestFixture: Sized {
    /// A new fixture on `engine`, or `None` when that engine is not configured here.
    async fn start(engine: TestEngine) -> Option<Self>;
    async fn finish(self);
}

impl TestFixture for TestDb {
    async fn start(engine: TestEngine) -> Option<Self> {
        match TestDb::new(engine).await {
            Ok(db) => db,
            Err(e) => panic!("the {engine:?} test database could not be made: {e}"),
        }
    }

    async fn finish(self) {
        self.cleanup().await
    }
}

/// Writes a story once and runs it on SQLite and PostgreSQL, as two tests named
/// `story::sqlite` and `story::postgres`. The PostgreSQL one is skipped (and says so) when no
/// server is configured, unless `CANOPY_REQUIRE_POSTGRES=1`.
#[macro_export]
macro_rules! on_both_engines {
    ($name:ident, $fixture:ty, |$x:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                run($crate::testing::TestEngine::Sqlite).await
            }
            #[tokio::test]
            async fn postgres() {
                run($crate::testing::TestEngine::Postgres).await
            }
            async fn run(engine: $crate::testing::TestEngine) {
                let Some(fixture) = <$fixture as $crate::testing::TestFixture>::start(engine).await else { return };
                story(&fixture).await;
                <$fixture as $crate::testing::TestFixture>::finish(fixture).await;
            }
            async fn story($x: &$fixture) $body
        }
    };
}
