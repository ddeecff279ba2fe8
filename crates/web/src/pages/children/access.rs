//! Restricting a child's record: a manager marks it restricted or sealed and names the people who
//! may open it. Everyone else then gets the same "not found" as for a record that does not exist.
//! Staff shut out as family stay shut out whatever is chosen here.

use super::{child_for, render, Cell, Ctx, Field, FormPage, Table};
use crate::forms::FormData;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::{Action, Sensitivity};
use canopy_domain::validation::{looks_like_email, required_text, FieldErrors};
use canopy_store::children::{sensitivity_from_code, ChildAccess, ChildRow};

fn access_form(ctx: &Ctx, child: &ChildRow, form: &FormData, errors: &FieldErrors, named: Vec<Vec<Cell>>) -> FormPage {
    let levels = vec![
        ("normal".into(), "Normal: the child's teams and allocated workers".into()),
        ("restricted".into(), "Restricted: named people only (break-glass possible)".into()),
        ("sealed".into(), "Sealed: named people only".into()),
    ];
    let fields = vec![
        Field::choices("sensitivity", "Who may open the record", "radios", levels, &[form.get("sensitivity")]),
        Field::text("named", "Named people (work emails, one a line)", form.get("named"))
            .kind("textarea")
            .hint("Include yourself and the allocated worker if they should keep access"),
        Field::text("reason", "Why", form.get("reason"))
            .kind("textarea")
            .hint("For example: the child of a member of staff, or a high-profile case"),
    ];
    let action = format!("/children/{}/access", child.id);
    let mut page =
        FormPage::new(ctx, "Restrict access to this record", "/work-tray", &action, "Save access", fields, errors)
            .back(&format!("/children/{}", child.id));
    page.caption = child.full_name();
    let mut table = Table::new("Named people now", &["Name", "Email"], named);
    table.empty = "Nobody is named.".into();
    page.tables.push(table);
    page
}

async fn named_rows(state: &AppState, child: &ChildRow) -> Result<(Vec<Vec<Cell>>, String), AppError> {
    let mut rows = Vec::new();
    let mut emails = Vec::new();
    for id in &child.named_people {
        if let Ok(u) = state.store.get_user(id).await {
            rows.push(vec![Cell::text(&u.display_name), Cell::text(&u.email)]);
            emails.push(u.email);
        }
    }
    Ok((rows, emails.join("\n")))
}

pub async fn show_access(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let (rows, emails) = named_rows(&state, &child).await?;
    let form = FormData(vec![("sensitivity".into(), child.sensitivity.clone()), ("named".into(), emails)]);
    render(access_form(&ctx, &child, &form, &FieldErrors::new(), rows))
}

pub async fn save_access(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let mut errors = FieldErrors::new();
    let level = form.get("sensitivity");
    if !["normal", "restricted", "sealed"].contains(&level.as_str()) {
        errors.add("sensitivity", "Select who may open the record");
    }
    let sensitivity = sensitivity_from_code(&level);
    let mut named = Vec::new();
    for email in form.get("named").split(['\n', ',', ';']).map(str::trim).filter(|e| !e.is_empty()) {
        if !looks_like_email(email) {
            errors.add("named", format!("'{email}' is not an email address"));
            continue;
        }
        match state.store.credentials_by_email(email).await? {
            Some(c) if !c.disabled => named.push(c.user_id),
            _ => errors.add("named", format!("No active member of staff has the email {email}")),
        }
    }
    if sensitivity != Sensitivity::Normal && named.is_empty() && errors.for_field("named").is_none() {
        errors.add("named", "Name at least one person who may open a restricted or sealed record");
    }
    let reason = required_text(&mut errors, "reason", "why access is changing", &form.get("reason"), 500);
    if !errors.is_empty() {
        let (rows, _) = named_rows(&state, &child).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(access_form(&ctx, &child, &form, &errors, rows))?)
            .into_response());
    }
    // Exclusions (staff who are family) are kept as they are.
    let access = ChildAccess { sensitivity, named, excluded: child.excluded_people.clone(), reason };
    state.store.set_child_access(&ctx.audit(&state), &child.id, &access, state.clock.today()).await?;
    Ok(Redirect::to(&format!("/children/{}", child.id)).into_response())
}
