//! Documents on a child's record: uploaded through a form, checked by content against an
//! allow-list, kept outside the web root under random keys, and sent back only as downloads.

use super::{child_for, render, Ctx, Field, FormPage};
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::Action;
use canopy_domain::documents::{recognise, safe_file_name, DocumentKind};
use canopy_domain::validation::{required_text, FieldErrors};
use canopy_store::children::ChildRow;
use canopy_store::documents::NewDocument;
use sha2::{Digest, Sha256};

fn upload_form(ctx: &Ctx, child: &ChildRow, title: &str, errors: &FieldErrors) -> FormPage {
    let fields = vec![
        Field::text("title", "What the document is", title).hint("For example, Core group minutes, 12 February"),
        Field::text("file", "File", "")
            .kind("file")
            .hint("A PDF, a PNG or JPEG image, or a Word document, smaller than 10 MB"),
    ];
    let action = format!("/children/{}/documents/new", child.id);
    let mut page = FormPage::new(ctx, "Attach a document", "/work-tray", &action, "Attach document", fields, errors)
        .back(&format!("/children/{}", child.id));
    page.caption = child.full_name();
    page.multipart = true;
    page
}

pub async fn new_document(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    render(upload_form(&ctx, &child, "", &FieldErrors::new()))
}

pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let (form, file) = crate::forms::read_multipart(multipart, "file").await?;
    let mut errors = FieldErrors::new();
    let title = required_text(&mut errors, "title", "what the document is", &form.get("title"), 120);
    let kind = match &file {
        None => {
            errors.add("file", "Select a file");
            None
        }
        Some((name, bytes)) => match recognise(bytes, name) {
            Ok(kind) => Some(kind),
            Err(message) => {
                errors.add("file", message);
                None
            }
        },
    };
    let (Some(kind), Some((_, bytes)), true) = (kind, &file, errors.is_empty()) else {
        return Ok(
            (StatusCode::UNPROCESSABLE_ENTITY, render(upload_form(&ctx, &child, &title, &errors))?).into_response()
        );
    };
    let document = NewDocument { child_id: &child.id, title: &title, kind: kind.code(), bytes };
    state.store.add_document(&ctx.audit(&state), &state.files, &document, state.clock.today()).await?;
    Ok(Redirect::to(&format!("/children/{}", child.id)).into_response())
}

/// Sends a document as an attachment, after checking the reader may see narrative on the record
/// and that the file is the one that was stored.
pub async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, doc)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let child = child_for(&state, &ctx, &id, Action::ViewCaseNarrative).await?;
    let document = state.store.document(&child.id, &doc).await?;
    let event = canopy_store::AuditEvent::succeeded("download_document", "child", &child.id)
        .with_council(&child.council_id)
        .with_detail(doc);
    send_document(&state, &ctx, &document, event).await
}

/// Sends a stored document as an attachment, once its bytes match their checksum, and audits
/// the download with `event`.
pub async fn send_document(
    state: &AppState,
    ctx: &Ctx,
    document: &canopy_store::documents::DocumentRow,
    event: canopy_store::AuditEvent,
) -> Result<Response, AppError> {
    let kind = DocumentKind::from_code(&document.kind)
        .ok_or_else(|| AppError::Internal(format!("document {} has kind {}", document.id, document.kind)))?;
    let bytes = state.files.get(&document.storage_key).await?;
    if hex::encode(Sha256::digest(&bytes)) != document.sha256 {
        return Err(AppError::Internal(format!("document {} does not match its checksum", document.id)));
    }
    state.store.audit(&ctx.audit(state), event).await?;
    let disposition = format!("attachment; filename=\"{}\"", safe_file_name(&document.title, kind));
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind.media_type()));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}
