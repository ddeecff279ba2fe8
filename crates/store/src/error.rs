/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such record, or none the caller may see: the two are never told apart.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule would be broken; `field` names the input at fault.
    #[error("{message}")]
    Conflict { field: String, message: String },
    /// The database is configured in a way that could lose acknowledged writes.
    #[error("unsafe database settings: {0}")]
    UnsafeSettings(String),
    #[error("the database URL is not supported: {0}")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Turns a unique-constraint failure into a conflict on `field`; passes anything else on.
    pub(crate) fn unique_as(field: &str, message: impl Into<String>) -> impl FnOnce(sqlx::Error) -> StoreError {
        let message = message.into();
        let field = field.to_string();
        move |e| {
            let unique = e.as_database_error().is_some_and(|d| d.kind() == sqlx::error::ErrorKind::UniqueViolation);
            if unique {
                StoreError::Conflict { field, message }
            } else {
                StoreError::Database(e)
            }
        }
    }
}
