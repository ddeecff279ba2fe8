//! Submitted HTML forms, read as a list of name–value pairs so that repeated fields (checkboxes)
//! and unknown input are both handled in one place, and what was typed can be shown again.

use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};

/// The fields of a submitted form.
#[derive(Debug, Clone, Default)]
pub struct FormData(pub Vec<(String, String)>);

/// The longest value any single form field may carry.
pub const MAX_FIELD_CHARS: usize = 10_000;

impl FormData {
    pub fn parse(body: &[u8]) -> Self {
        Self(form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
    }

    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// Every value of `name`, without blanks.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| v.clone()).collect()
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|_| AppError::BadRequest("The form was too large or could not be read".into()))?;
        let form = Self::parse(&body);
        if let Some((name, _)) = form.0.iter().find(|(_, v)| v.chars().count() > MAX_FIELD_CHARS) {
            return Err(AppError::BadRequest(format!("The field {name} is longer than {MAX_FIELD_CHARS} characters")));
        }
        Ok(form)
    }
}

/// A file sent with a multipart form: its name as the browser gave it, and its bytes.
pub type UploadedFile = (String, Vec<u8>);

/// Reads a multipart form: its text fields, and the non-empty file in `file_field`, if any.
pub async fn read_multipart(
    mut multipart: axum::extract::Multipart,
    file_field: &str,
) -> Result<(FormData, Option<UploadedFile>), AppError> {
    let mut form = FormData::default();
    let mut file = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(AppError::BadRequest(format!("The upload could not be read: {e}"))),
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == file_field {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let bytes = field.bytes().await.map_err(|_| AppError::TooLarge)?;
            if !bytes.is_empty() {
                file = Some((file_name, bytes.to_vec()));
            }
        } else if name != "csrf_token" {
            form.0.push((name, field.text().await.unwrap_or_default()));
        }
    }
    Ok((form, file))
}
