//! Linking the records of siblings: chosen among the children at the same address whom the user
//! may work with, so a link never reveals a record the user cannot see.

use super::{child_for, children_at_home, render, Ctx, Field, FormPage};
use crate::forms::FormData;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::Action;
use canopy_domain::people::Relationship;
use canopy_domain::validation::FieldErrors;
use canopy_store::children::ChildRow;

fn sibling_form(
    ctx: &Ctx,
    child: &ChildRow,
    household: Vec<(String, String)>,
    form: &FormData,
    errors: &FieldErrors,
) -> FormPage {
    let kinds = [Relationship::Sibling, Relationship::HalfSibling]
        .iter()
        .map(|r| (r.code().to_string(), r.label().to_string()))
        .collect();
    let mut fields = vec![Field::choices(
        "other_child_id",
        "Which child",
        "radios",
        household.clone(),
        &[form.get("other_child_id")],
    )
    .hint("Children living at the same address")];
    fields.push(Field::choices("relationship", "Relationship", "radios", kinds, &[form.get("relationship")]));
    let action = format!("/children/{}/siblings", child.id);
    let mut page = FormPage::new(ctx, "Link a sibling's record", "/work-tray", &action, "Link records", fields, errors)
        .back(&format!("/children/{}", child.id));
    page.caption = child.full_name();
    if household.is_empty() {
        page.intro =
            "No other child you work with lives at this address. Add a sibling without a record as a family member."
                .into();
    }
    page
}

pub async fn new_sibling(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let household = children_at_home(&state, &ctx, &child).await?;
    render(sibling_form(&ctx, &child, household, &FormData::default(), &FieldErrors::new()))
}

pub async fn link_sibling(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let household = children_at_home(&state, &ctx, &child).await?;
    let mut errors = FieldErrors::new();
    let other = form.get("other_child_id");
    if !household.iter().any(|(h, _)| *h == other) {
        errors.add("other_child_id", "Select one of the children at this address");
    }
    let relationship = Relationship::from_code(&form.get("relationship"))
        .filter(|r| matches!(r, Relationship::Sibling | Relationship::HalfSibling));
    if relationship.is_none() {
        errors.add("relationship", "Select sibling or half-sibling");
    }
    let (Some(relationship), true) = (relationship, errors.is_empty()) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(sibling_form(&ctx, &child, household, &form, &errors))?)
            .into_response());
    };
    state.store.link_children(&ctx.audit(&state), &child.id, &other, relationship.code(), state.clock.today()).await?;
    Ok(Redirect::to(&format!("/children/{}", child.id)).into_response())
}
