use crate::passwords::PasswordHasher;
use canopy_domain::auth::{LoginThrottle, ThrottleSettings};
use canopy_domain::calendar::Clock;
use canopy_store::Store;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// How this server runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Served over TLS (directly or behind a TLS proxy): cookies get `Secure` and the
    /// `__Host-` prefix, which browsers only accept with `Secure`.
    pub tls: bool,
    /// Where the compiled stylesheet and scripts are (built by `npm run build`).
    pub assets_dir: PathBuf,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// The largest upload accepted (a document and its form), in bytes.
    pub upload_limit: usize,
    /// Where uploaded documents are kept: outside the web root, never served as files.
    pub documents_dir: PathBuf,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            tls: false,
            assets_dir: PathBuf::from("assets/dist"),
            body_limit: 64 * 1024,
            upload_limit: canopy_domain::documents::MAX_DOCUMENT_BYTES + 64 * 1024,
            documents_dir: PathBuf::from("data/documents"),
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    pub hasher: PasswordHasher,
    pub throttle: Arc<Mutex<LoginThrottle>>,
    pub files: canopy_store::documents::FileStore,
}

impl AppState {
    pub fn new(store: Store, clock: Arc<dyn Clock>, settings: Settings, hasher: PasswordHasher) -> Self {
        Self {
            store,
            clock,
            files: canopy_store::documents::FileStore::new(settings.documents_dir.clone()),
            settings: Arc::new(settings),
            hasher,
            throttle: Arc::new(Mutex::new(LoginThrottle::new(ThrottleSettings::default()))),
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    /// The name of the session cookie: `__Host-` prefixed when served over TLS.
    pub fn session_cookie(&self) -> &'static str {
        if self.settings.tls {
            "__Host-canopy-session"
        } else {
            "canopy-session"
        }
    }

    /// The name of the cookie that protects the sign-in form before there is a session.
    pub fn signin_cookie(&self) -> &'static str {
        if self.settings.tls {
            "__Host-canopy-signin"
        } else {
            "canopy-signin"
        }
    }
}
