//! Merging two records of the same child: a manager picks the duplicate among the likely matches,
//! and the domain checks that the two journeys make one valid story before anything moves.

use super::{child_for, matches, render, Cell, Ctx, Field, FormPage, Table};
use crate::forms::FormData;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::Action;
use canopy_domain::cases::{running_clocks, Journey, RuleContext};
use canopy_domain::people::{MatchFacts, MatchStrength};
use canopy_domain::validation::FieldErrors;
use canopy_store::children::ChildRow;

/// Merges `duplicate_id` into `child` once the domain accepts the two journeys as one story;
/// otherwise says why not.
pub(crate) async fn merge_records(
    state: &AppState,
    ctx: &Ctx,
    child: &ChildRow,
    duplicate_id: &str,
) -> Result<Result<(), String>, AppError> {
    if !candidates(state, ctx, child).await?.iter().any(|c| c.id == duplicate_id) {
        return Ok(Err("That record does not look like the same child, or is not one you may change".into()));
    }
    let duplicate = child_for(state, ctx, duplicate_id, Action::EditChildRecord).await?;
    let calendar = state.store.council_calendar(&child.council_id).await?;
    let rules = state.store.clock_rules(&child.council_id).await?;
    let audit = ctx.audit(state);
    let result = state
        .store
        .merge_children(&audit, &child.id, &duplicate.id, state.clock.today(), |events| {
            let journey = Journey::replay(events, &RuleContext { calendar: &calendar, rules: &rules })?;
            Ok(running_clocks(&journey, &calendar, &rules))
        })
        .await?;
    if result.is_ok() {
        // The kept record holds both stories now; the merged one is no longer counted.
        crate::pages::quality::recheck(state, &child.id, audit.at_ms).await?;
        state.store.record_data_quality(&duplicate.id, &duplicate.council_id, &[], audit.at_ms).await?;
    }
    Ok(result.map_err(|broken| format!("These records cannot be merged as they are: {}", broken.0)))
}

async fn candidates(state: &AppState, ctx: &Ctx, child: &ChildRow) -> Result<Vec<ChildRow>, AppError> {
    let facts = MatchFacts {
        first_name: child.first_name.clone(),
        last_name: child.last_name.clone(),
        date_of_birth: child.date_of_birth.or(child.expected_date_of_birth),
        nhs_number: child.nhs_number.clone(),
        upn: child.upn.clone(),
        local_id: Some(child.local_id.clone()).filter(|l| !l.is_empty()),
    };
    Ok(matches(state, ctx, &facts)
        .await?
        .into_iter()
        .filter(|(s, c)| c.id != child.id && c.council_id == child.council_id && *s >= MatchStrength::Possible)
        .map(|(_, c)| c)
        .collect())
}

async fn merge_form(
    state: &AppState,
    ctx: &Ctx,
    child: &ChildRow,
    form: &FormData,
    errors: &FieldErrors,
) -> Result<FormPage, AppError> {
    let found = candidates(state, ctx, child).await?;
    let options = found
        .iter()
        .map(|c| {
            let born = c.date_of_birth.map(|d| d.format("%-d %b %Y").to_string()).unwrap_or_default();
            (
                c.id.clone(),
                format!(
                    "{} (born {born}, NHS {})",
                    c.full_name(),
                    c.nhs_number.clone().unwrap_or_else(|| "not known".into())
                ),
            )
        })
        .collect();
    let fields = vec![
        Field::choices(
            "duplicate_id",
            "Which record is the same child?",
            "radios",
            options,
            &[form.get("duplicate_id")],
        ),
        Field::choices(
            "confirm",
            "Confirm",
            "checkboxes",
            vec![("yes".into(), "I have checked these are the same child".into())],
            &form.all("confirm"),
        ),
    ];
    let action = format!("/children/{}/merge", child.id);
    let mut page =
        FormPage::new(ctx, "Merge a duplicate record", "/work-tray", &action, "Merge into this record", fields, errors)
            .back(&format!("/children/{}", child.id));
    page.caption = child.full_name();
    page.intro = "The duplicate's whole history, family, documents and addresses join this record. The duplicate is kept, marked as merged, and points here.".into();
    if found.is_empty() {
        let mut table = Table::new("Possible duplicates", &["Name"], Vec::<Vec<Cell>>::new());
        table.empty = "No other record in this council looks like this child.".into();
        page.tables.push(table);
    }
    Ok(page)
}

pub async fn show_merge(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    render(merge_form(&state, &ctx, &child, &FormData::default(), &FieldErrors::new()).await?)
}

pub async fn merge(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let mut errors = FieldErrors::new();
    let chosen = form.get("duplicate_id");
    let allowed = candidates(&state, &ctx, &child).await?;
    if !allowed.iter().any(|c| c.id == chosen) {
        errors.add("duplicate_id", "Select the record that is the same child");
    }
    if form.get("confirm") != "yes" {
        errors.add("confirm", "Confirm that you have checked these are the same child");
    }
    if !errors.is_empty() {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(merge_form(&state, &ctx, &child, &form, &errors).await?)?,
        )
            .into_response());
    }
    let result = merge_records(&state, &ctx, &child, &chosen).await?;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/children/{}", child.id)).into_response()),
        Err(message) => {
            let errors = FieldErrors::one("duplicate_id", message);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(merge_form(&state, &ctx, &child, &form, &errors).await?)?)
                .into_response())
        }
    }
}
