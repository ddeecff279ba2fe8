//! The user's own API tokens.

use super::{render, show_time, Chrome, Ctx};
use crate::forms::FormData;
use crate::security::{random_token, sha256_hex};
use crate::state::AppState;
use crate::AppError;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use canopy_domain::validation::{required_text, FieldError, FieldErrors};

struct TokenLine {
    id: String,
    name: String,
    created: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    page: Chrome,
    csrf: String,
    errors: Vec<FieldError>,
    name: String,
    new_token: Option<String>,
    tokens: Vec<TokenLine>,
}

async fn tokens_page(
    state: &AppState,
    ctx: &Ctx,
    name: String,
    new_token: Option<String>,
    errors: &FieldErrors,
) -> Result<Response, AppError> {
    let user = ctx.user()?;
    let tokens = state
        .store
        .list_api_tokens(&user.user_id)
        .await?
        .into_iter()
        .map(|t| TokenLine {
            id: t.id,
            name: t.name,
            created: show_time(t.created_at),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    let mut page = ctx.chrome("API tokens", "/account/tokens");
    if !errors.is_empty() {
        page.errors_title = "Error".into();
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(TokensPage { page, csrf: ctx.csrf(), errors: errors.0.clone(), name, new_token, tokens })?)
        .into_response())
}

pub async fn show(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    tokens_page(&state, &ctx, String::new(), None, &FieldErrors::new()).await
}

/// Makes a token for the signed-in user. The token is shown once; only its hash is kept.
pub async fn create(State(state): State<AppState>, ctx: Ctx, form: FormData) -> Result<Response, AppError> {
    let user = ctx.user()?.clone();
    let mut errors = FieldErrors::new();
    let name = required_text(&mut errors, "name", "what the token is for", &form.get("name"), 80);
    if !errors.is_empty() {
        return tokens_page(&state, &ctx, name, None, &errors).await;
    }
    let token = format!("canopy_{}", random_token());
    state.store.create_api_token(&ctx.audit(&state), &user.user_id, &name, &sha256_hex(&token)).await?;
    tokens_page(&state, &ctx, String::new(), Some(token), &FieldErrors::new()).await
}

pub async fn revoke(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, AppError> {
    let user = ctx.user()?.clone();
    state.store.revoke_api_token(&ctx.audit(&state), &user.user_id, &id).await?;
    Ok(Redirect::to("/account/tokens").into_response())
}
