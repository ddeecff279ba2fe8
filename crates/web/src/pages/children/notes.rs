//! Case notes: typed, dated narrative on a child's record. Significant notes join the chronology.

use super::{child_for, render, Ctx, Field, FormPage};
use crate::forms::FormData;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::Action;
use canopy_domain::cases::NoteType;
use canopy_domain::validation::{required_text, FieldErrors};
use canopy_store::children::{CaseNote, ChildRow};

fn note_form(ctx: &Ctx, child: &ChildRow, form: &FormData, errors: &FieldErrors) -> FormPage {
    let types = NoteType::ALL.iter().map(|t| (t.code().to_string(), t.label().to_string())).collect();
    let fields = vec![
        Field::choices("note_type", "Kind of note", "radios", types, &[form.get("note_type")]),
        Field::date("date", "Date", form),
        Field::text("text", "Note", form.get("text")).kind("textarea"),
        Field::choices(
            "significant",
            "Significant event",
            "checkboxes",
            vec![("yes".into(), "Show this in the chronology".into())],
            &form.all("significant"),
        ),
    ];
    let action = format!("/children/{}/notes/new", child.id);
    let mut page = FormPage::new(ctx, "Add a case note", "/work-tray", &action, "Save note", fields, errors)
        .back(&format!("/children/{}", child.id));
    page.caption = child.full_name();
    page.draft = true;
    page
}

pub async fn new_note(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let today = state.clock.today();
    let form = FormData(
        [crate::pages::date_parts("date", today), vec![("note_type".into(), NoteType::CaseNote.code().into())]]
            .concat(),
    );
    let (form, notice) = super::restore_draft(&state, &ctx, &format!("child:{}:note", child.id), form).await?;
    let mut page = note_form(&ctx, &child, &form, &FieldErrors::new());
    page.page.notice = notice;
    render(page)
}

pub async fn add_note(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let key = format!("child:{}:note", child.id);
    if form.get("save_draft") == "yes" {
        return super::keep_draft(&state, &ctx, &key, &form, &format!("/children/{}/notes/new", child.id)).await;
    }
    let mut errors = FieldErrors::new();
    let note_type = NoteType::from_code(&form.get("note_type"));
    if note_type.is_none() {
        errors.add("note_type", "Select the kind of note");
    }
    let date = crate::pages::past_date(&form, &mut errors, "date", "the date", state.clock.today(), true);
    let text = required_text(&mut errors, "text", "the note", &form.get("text"), 10_000);
    let (Some(note_type), Some(date), true) = (note_type, date, errors.is_empty()) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(note_form(&ctx, &child, &form, &errors))?).into_response());
    };
    let note =
        CaseNote { date, note_type: note_type.code().into(), text, significant: form.get("significant") == "yes" };
    state.store.add_child_note(&ctx.audit(&state), &child.id, &note).await?;
    state.store.discard_draft(&ctx.user()?.user_id, &key).await?;
    Ok(Redirect::to(&format!("/children/{}", child.id)).into_response())
}
