//! A child's moves: each new address is placed by its postcode, and the record follows it to the
//! right cluster. A move to another council we serve is a transfer between councils' records, so
//! it is refused here with the way to do it.

use super::{child_for, render, Ctx, Field, FormPage};
use crate::forms::FormData;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::Action;
use canopy_domain::org::{place_postcode, Postcode, PostcodeArea};
use canopy_domain::validation::{required_text, FieldErrors};
use canopy_store::addresses::NewAddress;
use canopy_store::children::ChildRow;
use canopy_store::{Scope, StoreError};

fn address_form(ctx: &Ctx, child: &ChildRow, form: &FormData, errors: &FieldErrors) -> FormPage {
    let fields = vec![
        Field::text("line1", "Address line 1", form.get("line1")).autocomplete("off"),
        Field::text("town", "Town or city", form.get("town")).width("govuk-!-width-two-thirds"),
        Field::text("postcode", "Postcode", form.get("postcode")).width("govuk-input--width-10"),
        Field::date("moved_in", "Date they moved in", form),
    ];
    let action = format!("/children/{}/address", child.id);
    let mut page = FormPage::new(ctx, "Record a new address", "/work-tray", &action, "Save address", fields, errors)
        .back(&format!("/children/{}", child.id));
    page.caption = child.full_name();
    page
}

pub async fn new_address(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    render(address_form(&ctx, &child, &FormData::default(), &FieldErrors::new()))
}

/// Reads a move from a form (the page's, or the API's body turned into one), placing the new
/// address by its postcode.
pub(crate) async fn parse_move(
    state: &AppState,
    child: &ChildRow,
    form: &FormData,
) -> Result<Result<NewAddress, FieldErrors>, AppError> {
    let mut errors = FieldErrors::new();
    let line1 = required_text(&mut errors, "line1", "the first line of the address", &form.get("line1"), 120);
    let town = required_text(&mut errors, "town", "the town or city", &form.get("town"), 60);
    let postcode = match Postcode::parse(&form.get("postcode")) {
        Ok(p) => Some(p),
        Err(message) => {
            errors.add("postcode", message);
            None
        }
    };
    let moved_in =
        crate::pages::past_date(form, &mut errors, "moved_in", "the date they moved in", state.clock.today(), true);
    let mut cluster_id = None;
    if let Some(p) = &postcode {
        let councils = state.store.council_coverage().await?;
        let clusters: Vec<(String, Vec<String>, Vec<PostcodeArea>)> = state
            .store
            .list_clusters(&Scope::Organisation)
            .await?
            .into_iter()
            .map(|c| (c.id, c.council_ids, c.areas.iter().filter_map(|a| PostcodeArea::parse(a).ok()).collect()))
            .collect();
        let (council, cluster) = place_postcode(p, &councils, &clusters);
        match council {
            Some(c) if c != child.council_id => {
                let name = councils.iter().find(|k| k.id == c).map(|k| k.name.clone()).unwrap_or_default();
                errors.add(
                    "postcode",
                    format!("That address is in {name}: close this council's episode as a transfer (RC5) and add the child in {name}"),
                );
            }
            _ => cluster_id = cluster,
        }
    }
    Ok(match (postcode, moved_in, errors.is_empty()) {
        (Some(postcode), Some(moved_in), true) => {
            Ok(NewAddress { line1, town, postcode: postcode.to_string(), moved_in, cluster_id })
        }
        _ => Err(errors),
    })
}

pub async fn move_child(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let address = match parse_move(&state, &child, &form).await? {
        Ok(a) => a,
        Err(errors) => {
            return Ok(
                (StatusCode::UNPROCESSABLE_ENTITY, render(address_form(&ctx, &child, &form, &errors))?).into_response()
            )
        }
    };
    match state.store.move_child(&ctx.audit(&state), &child.id, &address).await {
        Ok(()) => Ok(Redirect::to(&format!("/children/{}", child.id)).into_response()),
        Err(StoreError::Conflict { field, message }) => {
            let errors = FieldErrors::one(&field, message);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(address_form(&ctx, &child, &form, &errors))?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
