//! Changing a child's details (a corrected name, a new UPN, a date of death): checked by the same
//! rules as adding a child, with the reason kept in the history beside what changed.

use super::{child_for, render, Ctx, Field, FormPage};
use crate::forms::FormData;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::Action;
use canopy_domain::people::validate_child;
use canopy_domain::validation::{required_text, FieldErrors};
use canopy_store::children::ChildRow;
use chrono::NaiveDate;

fn details_form(ctx: &Ctx, child: &ChildRow, form: &FormData, errors: &FieldErrors) -> FormPage {
    let mut fields = super::search::detail_fields(form);
    fields.push(Field::date("date_of_death", "Date of death, if the child has died", form));
    fields.push(Field::text("reason", "Why the details are changing", form.get("reason")).kind("textarea"));
    let action = format!("/children/{}/details", child.id);
    let mut page =
        FormPage::new(ctx, "Change the child's details", "/work-tray", &action, "Save details", fields, errors)
            .back(&format!("/children/{}", child.id));
    page.caption = child.full_name();
    page
}

fn date_parts(form: &mut FormData, name: &str, date: Option<NaiveDate>) {
    if let Some(d) = date {
        form.0.push((format!("{name}-day"), d.format("%-d").to_string()));
        form.0.push((format!("{name}-month"), d.format("%-m").to_string()));
        form.0.push((format!("{name}-year"), d.format("%Y").to_string()));
    }
}

pub async fn show_details(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let mut form = FormData(vec![
        ("first_name".into(), child.first_name.clone()),
        ("last_name".into(), child.last_name.clone()),
        ("sex".into(), child.sex.clone()),
        ("ethnicity".into(), child.ethnicity.clone()),
        ("nhs_number".into(), child.nhs_number.clone().unwrap_or_default()),
        ("upn".into(), child.upn.clone().unwrap_or_default()),
        ("former_upn".into(), child.former_upn.clone().unwrap_or_default()),
        ("upn_unknown".into(), child.upn_unknown.clone().unwrap_or_default()),
        ("local_id".into(), child.local_id.clone()),
    ]);
    form.0.extend(child.disabilities.iter().map(|d| ("disabilities".to_string(), d.clone())));
    date_parts(&mut form, "date_of_birth", child.date_of_birth);
    date_parts(&mut form, "expected_date_of_birth", child.expected_date_of_birth);
    date_parts(&mut form, "date_of_death", child.date_of_death);
    render(details_form(&ctx, &child, &form, &FieldErrors::new()))
}

pub async fn save_details(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let today = state.clock.today();
    let mut errors = FieldErrors::new();
    let input = super::search::child_input(&form, &mut errors, today);
    let reason = required_text(&mut errors, "reason", "why the details are changing", &form.get("reason"), 500);
    let valid = match validate_child(&input, today) {
        Ok(v) if errors.is_empty() => Some(v),
        Ok(_) => None,
        Err(e) => {
            errors.0.extend(e.0);
            None
        }
    };
    let Some(valid) = valid else {
        return Ok(
            (StatusCode::UNPROCESSABLE_ENTITY, render(details_form(&ctx, &child, &form, &errors))?).into_response()
        );
    };
    let audit = ctx.audit(&state);
    state.store.update_child_details(&audit, &child.id, &valid, &reason, today).await?;
    crate::pages::quality::recheck(&state, &child.id, audit.at_ms).await?;
    Ok(Redirect::to(&format!("/children/{}", child.id)).into_response())
}
