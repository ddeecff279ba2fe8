//! The people in a child's life: family members and other adults, with how they relate to the
//! child. A member of staff among them is linked to their account, which shuts them, and their
//! team, out of the record.

use super::{child_for, render, Ctx, Field, FormPage};
use crate::forms::FormData;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::Action;
use canopy_domain::people::Relationship;
use canopy_domain::validation::{looks_like_email, required_text, FieldErrors};
use canopy_store::children::{ChildRow, FamilyMember};

fn member_form(ctx: &Ctx, child: &ChildRow, form: &FormData, errors: &FieldErrors) -> FormPage {
    let relationships = Relationship::ALL.iter().map(|r| (r.code().to_string(), r.label().to_string())).collect();
    let fields = vec![
        Field::text("first_name", "First name", form.get("first_name")).autocomplete("off"),
        Field::text("last_name", "Last name", form.get("last_name")).autocomplete("off"),
        Field::date("date_of_birth", "Date of birth, if known", form),
        Field::choices(
            "relationship",
            "Relationship to the child",
            "select",
            relationships,
            &[form.get("relationship")],
        ),
        Field::choices(
            "same_household",
            "Do they live with the child?",
            "radios",
            vec![("yes".into(), "Yes".into()), ("no".into(), "No".into())],
            &[form.get("same_household")],
        ),
        Field::text("work_email", "If they work for us, their work email", form.get("work_email"))
            .kind("email")
            .hint("Staff who are family of a child, and their teams, can never open the child's record"),
    ];
    let action = format!("/children/{}/people/new", child.id);
    let mut page =
        FormPage::new(ctx, "Add a family member or other adult", "/work-tray", &action, "Add person", fields, errors)
            .back(&format!("/children/{}", child.id));
    page.caption = child.full_name();
    page
}

pub async fn new_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    render(member_form(&ctx, &child, &FormData::default(), &FieldErrors::new()))
}

/// Reads a family member from a form (the page's, or the API's body turned into one).
pub(crate) async fn parse_member(
    state: &AppState,
    form: &FormData,
) -> Result<Result<FamilyMember, FieldErrors>, AppError> {
    let mut errors = FieldErrors::new();
    let first_name = required_text(&mut errors, "first_name", "their first name", &form.get("first_name"), 100);
    let last_name = required_text(&mut errors, "last_name", "their last name", &form.get("last_name"), 100);
    let date_of_birth =
        crate::pages::past_date(form, &mut errors, "date_of_birth", "their date of birth", state.clock.today(), false);
    let relationship = Relationship::from_code(&form.get("relationship"));
    if relationship.is_none() {
        errors.add("relationship", "Select how they relate to the child");
    }
    let same_household = match form.get("same_household").as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.add("same_household", "Select whether they live with the child");
            None
        }
    };
    let email = form.get("work_email").trim().to_lowercase();
    let staff_user_id = if email.is_empty() {
        None
    } else if !looks_like_email(&email) {
        errors.add("work_email", "Enter an email address in the right format, like name@example.org");
        None
    } else {
        match state.store.credentials_by_email(&email).await? {
            Some(c) => Some(c.user_id),
            None => {
                errors
                    .add("work_email", "No member of staff has that email; leave it empty if they do not work for us");
                None
            }
        }
    };
    Ok(match (relationship, same_household, errors.is_empty()) {
        (Some(relationship), Some(same_household), true) => Ok(FamilyMember {
            first_name,
            last_name,
            date_of_birth,
            relationship: relationship.code().into(),
            same_household,
            staff_user_id,
        }),
        _ => Err(errors),
    })
}

pub async fn add_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let member = match parse_member(&state, &form).await? {
        Ok(m) => m,
        Err(errors) => {
            return Ok(
                (StatusCode::UNPROCESSABLE_ENTITY, render(member_form(&ctx, &child, &form, &errors))?).into_response()
            )
        }
    };
    state.store.add_family_member(&ctx.audit(&state), &child.id, &member, state.clock.today()).await?;
    // If the worker has just named themselves, the record is closed to them from now on.
    Ok(Redirect::to(&format!("/children/{}", child.id)).into_response())
}
