use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Argon2id with m = 64 MiB, t = 3, p = 1 (the aim in the design notes' security.md), and at most
/// two hashes at once so that a burst of sign-ins cannot exhaust memory.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    params: Params,
    /// A real hash of a random password, verified against when an account does not exist, so that
    /// known and unknown accounts take the same time.
    decoy: Arc<String>,
}

fn argon(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

/// Hashes `password` with the production parameters (for the CLI and the demo).
pub fn hash_password(password: &str) -> Result<String, String> {
    let params = Params::new(64 * 1024, 3, 1, None).map_err(|e| e.to_string())?;
    hash_with(&params, password)
}

fn hash_with(params: &Params, password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    argon(params).hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

impl PasswordHasher {
    /// The production hasher.
    pub fn new() -> Result<Self, String> {
        Self::with_params(64 * 1024, 3)
    }

    /// A hasher with the given memory (KiB) and passes. Never below the ASVS minimum of
    /// m = 19 MiB, t = 2.
    pub fn with_params(memory_kib: u32, passes: u32) -> Result<Self, String> {
        let params = Params::new(memory_kib.max(19 * 1024), passes.max(2), 1, None).map_err(|e| e.to_string())?;
        let decoy = hash_with(&params, &uuid::Uuid::now_v7().to_string())?;
        Ok(Self { permits: Arc::new(Semaphore::new(2)), params, decoy: Arc::new(decoy) })
    }

    pub async fn hash(&self, password: String) -> Result<String, String> {
        let _permit = self.permits.acquire().await.map_err(|e| e.to_string())?;
        let params = self.params.clone();
        tokio::task::spawn_blocking(move || hash_with(&params, &password)).await.map_err(|e| e.to_string())?
    }

    /// Checks `password` against `stored`, or against the decoy when there is no account.
    pub async fn verify(&self, stored: Option<String>, password: String) -> bool {
        let Ok(_permit) = self.permits.acquire().await else {
            return false;
        };
        let exists = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.decoy.as_ref().clone());
        let ok = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|parsed| argon(&Params::default()).verify_password(password.as_bytes(), &parsed).is_ok())
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        ok && exists
    }
}
