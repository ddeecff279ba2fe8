//! The one place errors become responses: HTML pages for people, RFC 9457 problem documents
//! for the API. "Not found" is one fixed answer, whether the record is missing or out of scope.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use canopy_domain::validation::FieldErrors;
use canopy_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("sign in to continue")]
    Unauthorized,
    #[error("you do not have permission to do that")]
    Forbidden,
    #[error("{0}")]
    BadRequest(String),
    #[error("the request has problems")]
    Invalid(FieldErrors),
    #[error("{0}")]
    Conflict(String),
    #[error("the request body is larger than the service accepts")]
    TooLarge,
    #[error("too many attempts; try again in {0} seconds")]
    TooManyRequests(i64),
    #[error("internal error")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict { field, message } => AppError::Invalid(FieldErrors::one(&field, message)),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn title(&self) -> &'static str {
        match self {
            AppError::NotFound => "Page not found",
            AppError::Unauthorized => "Sign in to continue",
            AppError::Forbidden => "You do not have access to this page",
            AppError::BadRequest(_) => "There is a problem with the request",
            AppError::Invalid(_) => "There is a problem",
            AppError::Conflict(_) => "That conflicts with something that already exists",
            AppError::TooLarge => "The request is too large",
            AppError::TooManyRequests(_) => "Too many attempts",
            AppError::Internal(_) => "Sorry, there is a problem with the service",
        }
    }

    /// What the user is told. Internal details stay in the log.
    fn detail(&self) -> String {
        match self {
            AppError::NotFound => "If you typed the web address, check it is correct.".into(),
            AppError::Internal(_) => "Try again later. Nothing you submitted has been lost.".into(),
            other => other.to_string(),
        }
    }

    /// The error as an RFC 9457 problem document.
    pub fn into_problem(self) -> Response {
        if let AppError::Internal(message) = &self {
            tracing::error!(%message, "internal error");
        }
        let status = self.status();
        let mut body = serde_json::json!({
            "type": "about:blank",
            "title": self.title(),
            "status": status.as_u16(),
            "detail": self.detail(),
        });
        if let AppError::Invalid(errors) = &self {
            body["errors"] = serde_json::json!(errors.0);
        }
        let mut response =
            (status, [(header::CONTENT_TYPE, "application/problem+json")], body.to_string()).into_response();
        if let AppError::TooManyRequests(secs) = self {
            if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(message) = &self {
            tracing::error!(%message, "internal error");
        }
        if let AppError::Unauthorized = self {
            return axum::response::Redirect::to("/sign-in").into_response();
        }
        let status = self.status();
        let page = crate::pages::error_page(self.title(), &self.detail());
        (status, page).into_response()
    }
}

/// An error for the JSON API: the same errors, answered as problem documents.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.into_problem()
    }
}
