//! What every request passes through: security headers, the session, CSRF and access checks.

mod csrf;
mod headers;
mod session;

pub use csrf::{csrf_layer, signin_token};
pub use headers::{headers_layer, Nonce};
pub use session::{
    client_source, open_session, random_token, session_cookie_value, session_layer, sha256_hex, CurrentUser,
};

use crate::routes::Access;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use canopy_domain::access::{may, Resource};
use std::collections::HashMap;
use std::sync::Arc;

/// The declared access of every route, by method and path pattern.
#[derive(Clone, Default)]
pub struct AccessTable(pub Arc<HashMap<(Method, String), Access>>);

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// Checks the route's declared action before the handler runs. A route with no declaration is
/// refused: the table is the only way in.
pub async fn access_layer(
    State((state, table)): State<(AppState, AccessTable)>,
    matched: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let api = is_api(request.uri().path());
    let fail = |e: AppError| {
        if api {
            e.into_problem()
        } else {
            e.into_response()
        }
    };
    let Some(matched) = matched else {
        // No route matched: the router's own 404 follows.
        return next.run(request).await;
    };
    let Some(access) = table.0.get(&(request.method().clone(), matched.as_str().to_string())).copied() else {
        return fail(AppError::Internal(format!("route {} {} declares no action", request.method(), matched.as_str())));
    };
    let user = request.extensions().get::<CurrentUser>().cloned();
    let allowed = match (access, &user) {
        (Access::Public, _) => true,
        (_, None) => return fail(AppError::Unauthorized),
        (Access::SignedIn, Some(_)) => true,
        (Access::Organisation(action), Some(u)) => may(&u.actor, action, &Resource::organisation()),
        // The handler checks the record itself; here the user must at least hold the permission.
        (Access::Scoped(action), Some(u)) => action.permission().is_none_or(|p| u.actor.holds(p)),
    };
    if !allowed {
        return fail(AppError::Forbidden);
    }
    // Until a temporary password is changed, only the password page and sign-out are open.
    if let Some(u) = &user {
        let path = matched.as_str();
        if u.must_change_password
            && !u.via_api_token
            && path != "/account/password"
            && path != "/sign-out"
            && !path.starts_with("/assets")
        {
            return axum::response::Redirect::to("/account/password").into_response();
        }
    }
    let _ = state;
    next.run(request).await
}

/// Serves the compiled stylesheet, scripts, fonts and images from the assets directory. Only
/// plain file names under it are served; anything else is "not found".
pub async fn asset(State(state): State<AppState>, axum::extract::Path(path): axum::extract::Path<String>) -> Response {
    let safe = !path.is_empty()
        && path.split('/').all(|part| !part.is_empty() && part != ".." && !part.starts_with('.'))
        && path.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
    if !safe {
        return AppError::NotFound.into_response();
    }
    let file = state.settings.assets_dir.join(&path);
    let Ok(bytes) = tokio::fs::read(&file).await else {
        return AppError::NotFound.into_response();
    };
    let content_type = match file.extension().and_then(|e| e.to_str()) {
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("map") | Some("json") => "application/json",
        _ => "application/octet-stream",
    };
    ([(axum::http::header::CONTENT_TYPE, content_type)], bytes).into_response()
}
