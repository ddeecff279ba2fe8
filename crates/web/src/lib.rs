//! Canopy's web layer: server-rendered pages and the JSON API, both behind the one access policy.
//!
//! A request passes, in order: the security headers, the session (cookie or API token), CSRF
//! checks on anything that changes state, and the route's declared action. Handlers then ask the
//! policy about the particular record, call the domain, and hand the result to the store.

mod api;
pub mod clock;
mod error;
mod forms;
mod pages;
mod passwords;
mod routes;
mod security;
mod state;

pub use error::AppError;
pub use pages::admin::temporary_password;
pub use passwords::{hash_password, PasswordHasher};
pub use routes::{build_router, route_table, Access, RouteSpec};
pub use security::open_session;
pub use state::{AppState, Settings};

/// Serves Canopy on `listener` until the process is stopped.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let app = build_router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
