use crate::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::Response;
use canopy_domain::access::Actor;
use canopy_domain::auth::{session_state, SessionState};
use canopy_store::AuditContext;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;

/// The signed-in user of this request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user_id: String,
    pub display_name: String,
    pub email: String,
    pub must_change_password: bool,
    pub actor: Actor,
    /// The session's token hash (none for API-token requests).
    pub session_hash: Option<String>,
    /// The CSRF token that forms of this session must carry.
    pub csrf_token: String,
    pub via_api_token: bool,
}

/// A fresh 256-bit random token, URL-safe.
pub fn random_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Where a request came from, for the audit log.
pub fn client_source(request: &Request) -> String {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Starts a session for `user_id` and returns its token (the cookie's value). Sign-in uses it
/// after checking the password; tools that already know who the user is (the bench) use it
/// directly.
pub async fn open_session(
    store: &canopy_store::Store,
    ctx: &AuditContext,
    user_id: &str,
) -> Result<String, canopy_store::StoreError> {
    let token = random_token();
    store.create_session(ctx, &sha256_hex(&token), user_id).await?;
    Ok(token)
}

/// The raw session token the browser sent, if any.
pub fn session_cookie_value(headers: &HeaderMap, state: &AppState) -> Option<String> {
    cookie(headers, state.session_cookie()).map(str::to_string)
}

fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// The CSRF token of a session: a hash of its secret token under its own label, so it cannot be
/// derived without the HttpOnly cookie, and it survives a server restart.
pub fn csrf_for(session_token: &str) -> String {
    sha256_hex(&format!("canopy-csrf\0{session_token}"))
}

/// Finds the user from the session cookie or an `Authorization: Bearer` API token. An expired
/// session is ended and the request goes on as anonymous.
pub async fn session_layer(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let now = state.clock.now();
    let source = client_source(&request);
    let mut found: Option<(String, Option<String>, String, bool)> = None;
    if let Some(token) = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        if let Ok(Some(user_id)) = state.store.api_token_user(&sha256_hex(token.trim()), now.timestamp_millis()).await {
            found = Some((user_id, None, String::new(), true));
        }
    } else if let Some(token) = cookie(request.headers(), state.session_cookie()).map(str::to_string) {
        let hash = sha256_hex(&token);
        if let Ok(Some(session)) = state.store.session(&hash).await {
            match session_state(from_ms(session.created_at), from_ms(session.last_seen_at), now) {
                SessionState::Active => {
                    // Recording every request would make each page a write; a minute's grain is
                    // plenty for a 30-minute idle timeout.
                    if now.timestamp_millis() - session.last_seen_at > 60_000 {
                        let _ = state.store.touch_session(&hash, now.timestamp_millis()).await;
                    }
                    found = Some((session.user_id, Some(hash), csrf_for(&token), false));
                }
                expired => {
                    let ctx = AuditContext {
                        actor_id: session.user_id,
                        source: source.clone(),
                        at_ms: now.timestamp_millis(),
                    };
                    let reason = if expired == SessionState::IdleTimedOut {
                        "session_idle_timeout"
                    } else {
                        "session_absolute_timeout"
                    };
                    let _ = state.store.end_session(&ctx, &hash, reason).await;
                }
            }
        }
    }
    if let Some((user_id, session_hash, csrf_token, via_api_token)) = found {
        if let (Ok((display_name, email, disabled, must_change_password)), Ok(actor)) =
            (state.store.user_header(&user_id).await, state.store.actor(&user_id, now.date_naive()).await)
        {
            if !disabled {
                request.extensions_mut().insert(CurrentUser {
                    user_id,
                    display_name,
                    email,
                    must_change_password,
                    actor,
                    session_hash,
                    csrf_token,
                    via_api_token,
                });
            }
        }
    }
    next.run(request).await
}
