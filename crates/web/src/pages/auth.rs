//! Signing in and out, and changing one's password.

use super::{render, Chrome, Ctx, Field, FormPage};
use crate::forms::FormData;
use crate::security::{random_token, sha256_hex, signin_token};
use crate::state::AppState;
use crate::AppError;
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use canopy_domain::auth::check_new_password;
use canopy_domain::validation::{FieldError, FieldErrors};
use canopy_store::AuditEvent;

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    page: Chrome,
    csrf: String,
    email: String,
    has_error: bool,
    error_message: String,
    errors: Vec<FieldError>,
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path /, and Secure when served over TLS.
pub fn cookie_header(state: &AppState, name: &str, value: &str, max_age_secs: Option<i64>) -> HeaderValue {
    let secure = if state.settings.tls { "; Secure" } else { "" };
    let age = max_age_secs.map(|s| format!("; Max-Age={s}")).unwrap_or_default();
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}{age}"))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn sign_in_page(
    ctx: &Ctx,
    csrf: String,
    email: String,
    error: Option<String>,
) -> Result<axum::response::Html<String>, AppError> {
    let mut page = ctx.chrome("Sign in", "/sign-in");
    let errors = match &error {
        Some(message) => {
            page.errors_title = "Error".into();
            vec![FieldError { field: "email".into(), message: message.clone() }]
        }
        None => Vec::new(),
    };
    render(SignInPage {
        page,
        csrf,
        email,
        has_error: error.is_some(),
        error_message: error.unwrap_or_default(),
        errors,
    })
}

pub async fn show_sign_in(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap) -> Result<Response, AppError> {
    if ctx.user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let token = signin_token(&headers, &state).unwrap_or_else(random_token);
    let mut response = sign_in_page(&ctx, token.clone(), String::new(), None)?.into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie_header(&state, state.signin_cookie(), &token, Some(3600)));
    Ok(response)
}

/// Signs in: throttled per account and per IP, the same work for unknown accounts, a new
/// session token every time (so a planted token is never promoted), and an audit row either way.
pub async fn sign_in(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, AppError> {
    let email = form.get("email").trim().to_lowercase();
    let password = form.get("password");
    let csrf = signin_token(&headers, &state).unwrap_or_default();
    let now = state.clock.now();
    let account_key = format!("account:{email}");
    let ip_key = format!("ip:{}", ctx.source);
    let throttled = state
        .throttle
        .lock()
        .map_err(|_| AppError::Internal("throttle lock".into()))?
        .try_attempt(&[&account_key, &ip_key], now);
    let audit = ctx.audit(&state);
    let refuse = |outcome: &'static str, status: StatusCode, message: String, csrf: String, email: String| {
        let state = state.clone();
        let ctx = ctx.clone();
        let audit = audit.clone();
        async move {
            let event = AuditEvent::succeeded("sign_in", "user", "").with_outcome(outcome).with_detail(email.clone());
            state.store.audit(&audit, event).await?;
            Ok::<_, AppError>((status, sign_in_page(&ctx, csrf, email, Some(message))?).into_response())
        }
    };
    if let Err(wait) = throttled {
        let secs = wait.num_seconds().max(1);
        let message = format!("Too many attempts. Wait {secs} seconds, then try again");
        let mut response = refuse("throttled", StatusCode::TOO_MANY_REQUESTS, message, csrf, email).await?;
        if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(response);
    }
    let creds = state.store.credentials_by_email(&email).await?;
    let stored = creds.as_ref().map(|c| c.password_hash.clone());
    let verified = state.hasher.verify(stored, password).await;
    let Some(user) = creds.filter(|c| verified && !c.disabled) else {
        let message = "Enter a correct email address and password".to_string();
        return refuse("failed", StatusCode::UNAUTHORIZED, message, csrf, email).await;
    };
    if let Ok(mut t) = state.throttle.lock() {
        t.succeeded(&account_key);
    }
    // Any session the browser already carried is ended, never reused.
    if let Some(old) = crate::security::session_cookie_value(&headers, &state) {
        let _ = state.store.end_session(&audit, &sha256_hex(&old), "session_replaced").await;
    }
    let token = random_token();
    let audit = canopy_store::AuditContext { actor_id: user.user_id.clone(), ..audit };
    state.store.create_session(&audit, &sha256_hex(&token), &user.user_id).await?;
    let mut response = Redirect::to("/").into_response();
    let h = response.headers_mut();
    h.append(header::SET_COOKIE, cookie_header(&state, state.session_cookie(), &token, None));
    h.append(header::SET_COOKIE, cookie_header(&state, state.signin_cookie(), "", Some(0)));
    Ok(response)
}

pub async fn sign_out(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    if let Some(hash) = ctx.user.as_ref().and_then(|u| u.session_hash.clone()) {
        state.store.end_session(&ctx.audit(&state), &hash, "sign_out").await?;
    }
    let mut response = Redirect::to("/sign-in").into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie_header(&state, state.session_cookie(), "", Some(0)));
    Ok(response)
}

fn password_form(ctx: &Ctx, errors: &FieldErrors) -> FormPage {
    let fields = vec![
        Field::text("current_password", "Current password", "").kind("password").autocomplete("current-password"),
        Field::text("new_password", "New password", "")
            .kind("password")
            .autocomplete("new-password")
            .hint("At least 12 characters. A short sentence you can remember works well; no symbols are required."),
        Field::text("confirm_password", "Type the new password again", "")
            .kind("password")
            .autocomplete("new-password"),
    ];
    let mut page = FormPage::new(
        ctx,
        "Change your password",
        "/account/password",
        "/account/password",
        "Change password",
        fields,
        errors,
    );
    if ctx.user.as_ref().is_some_and(|u| u.must_change_password) {
        page.intro = "You signed in with a temporary password. Choose your own before you go on.".into();
    }
    page
}

pub async fn show_password(ctx: Ctx) -> Result<axum::response::Html<String>, AppError> {
    render(password_form(&ctx, &FieldErrors::new()))
}

pub async fn change_password(State(state): State<AppState>, ctx: Ctx, form: FormData) -> Result<Response, AppError> {
    let user = ctx.user()?.clone();
    let mut errors = FieldErrors::new();
    let new = form.get("new_password");
    let creds = state.store.credentials_by_email(&user.email).await?;
    let current_ok = state.hasher.verify(creds.map(|c| c.password_hash), form.get("current_password")).await;
    if !current_ok {
        errors.add("current_password", "Your current password is not right");
    }
    if let Err(message) = check_new_password(&new, &[&user.email, &user.display_name]) {
        errors.add("new_password", message);
    } else if new != form.get("confirm_password") {
        errors.add("confirm_password", "The two new passwords are not the same");
    }
    if !errors.is_empty() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(password_form(&ctx, &errors))?).into_response());
    }
    let hash = state.hasher.hash(new).await.map_err(AppError::Internal)?;
    let audit = ctx.audit(&state);
    // Changing the password ends every session, this one included; a new one starts here.
    state.store.set_password(&audit, &user.user_id, &hash, false).await?;
    let token = random_token();
    state.store.create_session(&audit, &sha256_hex(&token), &user.user_id).await?;
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie_header(&state, state.session_cookie(), &token, None));
    Ok(response)
}
