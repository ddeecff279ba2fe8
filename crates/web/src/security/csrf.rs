use super::session::cookie;
use super::CurrentUser;
use crate::forms::FormData;
use crate::state::AppState;
use crate::AppError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The token the sign-in form carries before there is a session: the value of its own cookie
/// (double submit), set when the form is shown.
pub fn signin_token(request_headers: &axum::http::HeaderMap, state: &AppState) -> Option<String> {
    cookie(request_headers, state.signin_cookie()).map(str::to_string)
}

fn same_origin(request: &Request) -> bool {
    let header = |name: header::HeaderName| request.headers().get(name).and_then(|v| v.to_str().ok());
    // Browsers say where a request comes from in Sec-Fetch-Site; with our no-referrer policy
    // their Origin header on a form post is "null", so Origin is only a fallback.
    if let Some(site) = header(header::HeaderName::from_static("sec-fetch-site")) {
        return matches!(site, "same-origin" | "none");
    }
    match (header(header::ORIGIN), header(header::HOST)) {
        // No Origin means a same-origin form in an older browser, or a script; the token check
        // below still applies.
        (None | Some("null"), _) => true,
        (Some(origin), Some(host)) => origin.split_once("://").is_some_and(|(_, rest)| rest == host),
        (Some(_), None) => false,
    }
}

/// Refuses any state-changing request that comes from another site or lacks this session's CSRF
/// token (in the `csrf_token` form field or the `X-CSRF-Token` header), with 403 and no change.
/// Requests authenticated only by an API token carry no cookies, so CSRF cannot reach them.
pub async fn csrf_layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let api = request.uri().path().starts_with("/api/");
    let refuse = || {
        let e = AppError::Forbidden;
        if api {
            e.into_problem()
        } else {
            e.into_response()
        }
    };
    let user = request.extensions().get::<CurrentUser>().cloned();
    if user.as_ref().is_some_and(|u| u.via_api_token) {
        return next.run(request).await;
    }
    if !same_origin(&request) {
        return refuse();
    }
    let expected = match &user {
        Some(u) => Some(u.csrf_token.clone()),
        None => signin_token(request.headers(), &state),
    };
    let Some(expected) = expected.filter(|e| !e.is_empty()) else {
        return refuse();
    };
    if let Some(token) = request.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        if constant_time_eq(token.as_bytes(), expected.as_bytes()) {
            return next.run(request).await;
        }
        return refuse();
    }
    let content_type =
        request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    if content_type.starts_with("multipart/form-data") {
        return multipart_checked(state, request, next, expected, api).await;
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return refuse();
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, state.settings.body_limit).await else {
        return AppError::BadRequest("The form is too large".into()).into_response();
    };
    let token = FormData::parse(&bytes).get("csrf_token");
    if !constant_time_eq(token.as_bytes(), expected.as_bytes()) {
        return refuse();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// An upload form carries its token as a field like any other form; the body is read (up to the
/// upload limit), the token checked, and the body handed on unchanged.
async fn multipart_checked(state: AppState, request: Request, next: Next, expected: String, api: bool) -> Response {
    let refuse = || {
        let e = AppError::Forbidden;
        if api {
            e.into_problem()
        } else {
            e.into_response()
        }
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, state.settings.upload_limit).await else {
        return AppError::TooLarge.into_response();
    };
    let probe = Request::from_parts(parts.clone(), Body::from(bytes.clone()));
    let Ok(mut multipart) =
        <axum::extract::Multipart as axum::extract::FromRequest<()>>::from_request(probe, &()).await
    else {
        return refuse();
    };
    let mut token = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("csrf_token") {
            token = field.text().await.ok();
            break;
        }
    }
    match token {
        Some(t) if constant_time_eq(t.as_bytes(), expected.as_bytes()) => {
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
        _ => refuse(),
    }
}
