//! Search before create: finding a child by name, date of birth or identifier, and adding a new
//! child only after the likely matches have been seen.

use super::{render, Cell, Ctx, Field, FormPage, Table};
use crate::forms::FormData;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::{may, Action, Permission, Reach, Resource};
use canopy_domain::org::{place_postcode, Postcode, PostcodeArea};
use canopy_domain::people::{
    match_strength, normalise_name, validate_child, ChildInput, MatchFacts, MatchStrength, NhsNumber, Upn,
};
use canopy_domain::validation::{date_from_parts, FieldErrors};
use canopy_store::children::{CandidateSearch, ChildRow, Placement};
use canopy_store::Scope;
use chrono::NaiveDate;
use std::collections::HashMap;

fn facts_of(child: &ChildRow) -> MatchFacts {
    MatchFacts {
        first_name: child.first_name.clone(),
        last_name: child.last_name.clone(),
        date_of_birth: child.date_of_birth.or(child.expected_date_of_birth),
        nhs_number: child.nhs_number.clone(),
        upn: child.upn.clone(),
        local_id: Some(child.local_id.clone()).filter(|l| !l.is_empty()),
    }
}

/// The children the user may see who match `query`, strongest first.
pub(crate) async fn matches(
    state: &AppState,
    ctx: &Ctx,
    query: &MatchFacts,
) -> Result<Vec<(MatchStrength, ChildRow)>, AppError> {
    let user = ctx.user()?;
    let scope = match user.actor.reach_of(Permission::CaseView) {
        Some(Reach::Organisation) => Scope::Organisation,
        _ => Scope::Councils(user.actor.councils.iter().cloned().collect()),
    };
    let last = normalise_name(&query.last_name);
    let search = CandidateSearch {
        last_name_prefix: last.chars().take(2).collect(),
        date_of_birth: query.date_of_birth,
        nhs_number: query.nhs_number.clone(),
        upn: query.upn.clone(),
        local_id: query.local_id.clone(),
    };
    let mut found: Vec<(MatchStrength, ChildRow)> = state
        .store
        .child_candidates(&scope, &search)
        .await?
        .into_iter()
        .filter_map(|c| match_strength(query, &facts_of(&c)).map(|s| (s, c)))
        // Search results obey the policy as records do: restricted children stay hidden.
        .filter(|(_, c)| may(&user.actor, Action::ViewChildRecord, &c.resource()))
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.last_name.cmp(&b.1.last_name)));
    found.truncate(50);
    Ok(found)
}

fn strength_label(s: MatchStrength) -> &'static str {
    match s {
        MatchStrength::Certain => "Same identifier",
        MatchStrength::Likely => "Likely the same child",
        MatchStrength::Possible => "Possible match",
    }
}

fn dob_from(form: &FormData, errors: &mut FieldErrors, field: &str, label: &str) -> Option<NaiveDate> {
    let (d, m, y) =
        (form.get(&format!("{field}-day")), form.get(&format!("{field}-month")), form.get(&format!("{field}-year")));
    if d.trim().is_empty() && m.trim().is_empty() && y.trim().is_empty() {
        return None;
    }
    date_from_parts(label, &d, &m, &y).map_err(|e| errors.add(field, e)).ok()
}

fn search_fields(form: &FormData) -> Vec<Field> {
    vec![
        Field::text("first_name", "First name", form.get("first_name")).autocomplete("off"),
        Field::text("last_name", "Last name", form.get("last_name")).autocomplete("off"),
        Field::date("date_of_birth", "Date of birth", form),
        Field::text("identifier", "NHS number, UPN or local id", form.get("identifier")).width("govuk-input--width-20"),
    ]
}

fn query_facts(form: &FormData, errors: &mut FieldErrors) -> MatchFacts {
    let identifier = form.get("identifier").trim().to_string();
    let nhs = NhsNumber::parse(&identifier).ok().map(|n| n.as_str().to_string());
    let upn = Upn::parse(&identifier).ok().map(|u| u.as_str().to_string());
    MatchFacts {
        first_name: form.get("first_name"),
        last_name: form.get("last_name"),
        date_of_birth: dob_from(form, errors, "date_of_birth", "the date of birth"),
        local_id: Some(identifier.clone()).filter(|i| !i.is_empty() && nhs.is_none() && upn.is_none()),
        nhs_number: nhs,
        upn,
    }
}

/// Finds children by name, date of birth or identifier (a GET form, so results can be bookmarked).
pub async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let form = FormData(params);
    let mut errors = FieldErrors::new();
    let facts = query_facts(&form, &mut errors);
    let searched = !form.0.is_empty();
    let nothing = facts.first_name.trim().is_empty()
        && facts.last_name.trim().is_empty()
        && facts.date_of_birth.is_none()
        && facts.nhs_number.is_none()
        && facts.upn.is_none()
        && facts.local_id.is_none();
    if searched && nothing && errors.is_empty() {
        errors.add("last_name", "Enter a name, a date of birth or an identifier to search for");
    }
    let mut page =
        FormPage::new(&ctx, "Find a child", "/children", "/children", "Search", search_fields(&form), &errors);
    page.intro = "Search before you add a child, so that nobody has two records.".into();
    if searched && errors.is_empty() {
        let found = matches(&state, &ctx, &facts).await?;
        let rows = found
            .iter()
            .map(|(s, c)| {
                vec![
                    Cell::link(c.full_name(), format!("/children/{}", c.id)),
                    Cell::text(
                        c.date_of_birth
                            .or(c.expected_date_of_birth)
                            .map(|d| d.format("%-d %b %Y").to_string())
                            .unwrap_or_default(),
                    ),
                    Cell::text(c.nhs_number.clone().unwrap_or_default()),
                    Cell::text(strength_label(*s)),
                ]
            })
            .collect();
        let mut table = Table::new("Children found", &["Name", "Date of birth", "NHS number", "Match"], rows);
        table.empty = "No child matches. Check the spelling, or add the child.".into();
        page.tables.push(table);
    }
    // A GET form: the search form posts back to this page as a query.
    page.method_get = true;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(page)?).into_response())
}

async fn council_choices(state: &AppState, ctx: &Ctx) -> Result<Vec<(String, String)>, AppError> {
    let user = ctx.user()?;
    Ok(state
        .store
        .list_councils(&Scope::Organisation)
        .await?
        .into_iter()
        .filter(|c| {
            may(&user.actor, Action::EditChildRecord, &Resource::in_council(&c.id))
                || user.actor.councils.contains(&c.id)
        })
        .map(|c| (c.id, c.name))
        .collect())
}

/// The fields of a child's details, shared by the "add a child" and "change details" forms.
pub(crate) fn detail_fields(form: &FormData) -> Vec<Field> {
    let sexes = canopy_domain::people::Sex::ALL.iter().map(|s| (s.code().to_string(), s.label().to_string())).collect();
    let mut ethnicities = vec![(String::new(), "Not yet known".to_string())];
    ethnicities.extend(
        canopy_domain::people::Ethnicity::ALL
            .iter()
            .map(|e| (e.code().to_string(), format!("{} ({})", e.label(), e.code()))),
    );
    let disabilities =
        canopy_domain::people::Disability::ALL.iter().map(|d| (d.code().to_string(), d.label().to_string())).collect();
    let mut upn_unknown = vec![(String::new(), "The child has a UPN, or it is not yet known why not".to_string())];
    upn_unknown.extend(
        canopy_domain::people::UpnUnknown::ALL
            .iter()
            .map(|u| (u.code().to_string(), format!("{}: {}", u.code(), u.label()))),
    );
    vec![
        Field::text("first_name", "First name", form.get("first_name"))
            .hint("For an unborn child, write Unborn")
            .autocomplete("off"),
        Field::text("last_name", "Last name", form.get("last_name")).autocomplete("off"),
        Field::date("date_of_birth", "Date of birth", form),
        Field::date("expected_date_of_birth", "Expected date of birth, for an unborn child", form),
        Field::choices("sex", "Sex", "radios", sexes, &[form.get("sex")]),
        Field::choices("ethnicity", "Ethnicity", "select", ethnicities, &[form.get("ethnicity")]),
        Field::choices("disabilities", "Disabilities", "checkboxes", disabilities, &form.all("disabilities")),
        Field::text("nhs_number", "NHS number", form.get("nhs_number")).width("govuk-input--width-10"),
        Field::text("upn", "Unique pupil number (UPN)", form.get("upn")).width("govuk-input--width-20"),
        Field::text("former_upn", "Former UPN", form.get("former_upn")).width("govuk-input--width-20"),
        Field::choices("upn_unknown", "Why there is no UPN", "select", upn_unknown, &[form.get("upn_unknown")]),
        Field::text("local_id", "The council's own id for the child, if it has one", form.get("local_id"))
            .width("govuk-input--width-20"),
    ]
}

/// A child's details as typed, for the domain to check.
pub(crate) fn child_input(form: &FormData, errors: &mut FieldErrors, today: NaiveDate) -> ChildInput {
    ChildInput {
        first_name: form.get("first_name"),
        last_name: form.get("last_name"),
        date_of_birth: dob_from(form, errors, "date_of_birth", "the date of birth"),
        expected_date_of_birth: dob_from(form, errors, "expected_date_of_birth", "the expected date of birth"),
        sex: form.get("sex"),
        ethnicity: form.get("ethnicity"),
        disabilities: form.all("disabilities"),
        nhs_number: form.get("nhs_number"),
        upn: form.get("upn"),
        former_upn: form.get("former_upn"),
        upn_unknown: form.get("upn_unknown"),
        local_id: form.get("local_id"),
        date_of_death: crate::pages::past_date(form, errors, "date_of_death", "the date of death", today, false),
    }
}

async fn child_form(state: &AppState, ctx: &Ctx, form: &FormData, errors: &FieldErrors) -> Result<FormPage, AppError> {
    let mut councils = vec![(String::new(), "Work it out from the postcode".to_string())];
    councils.extend(council_choices(state, ctx).await?);
    let mut fields = detail_fields(form);
    fields.extend([
        Field::text("postcode", "Home postcode", form.get("postcode"))
            .width("govuk-input--width-10")
            .hint("The postcode places the child in a council and cluster"),
        Field::choices("council_id", "Council", "select", councils, &[form.get("council_id")]),
    ]);
    let mut page = FormPage::new(ctx, "Add a child", "/children", "/children/new", "Add the child", fields, errors)
        .back("/children");
    if form.get("confirmed_new") == "yes" {
        page.hidden.push(("confirmed_new".into(), "yes".into()));
    }
    Ok(page)
}

pub async fn new_child(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    render(child_form(&state, &ctx, &FormData::default(), &FieldErrors::new()).await?)
}

/// Adds a child: checks the details, places the child by postcode, warns of likely duplicates
/// (the user confirms it is a different child), and only then creates the record.
pub async fn create_child(State(state): State<AppState>, ctx: Ctx, form: FormData) -> Result<Response, AppError> {
    let user = ctx.user()?.clone();
    let today = state.clock.today();
    let mut errors = FieldErrors::new();
    let input = child_input(&form, &mut errors, today);
    let valid = match validate_child(&input, today) {
        Ok(v) if errors.is_empty() => Some(v),
        Ok(_) => None,
        Err(e) => {
            errors.0.extend(e.0);
            None
        }
    };
    let postcode_text = form.get("postcode");
    let postcode = if postcode_text.trim().is_empty() {
        None
    } else {
        match Postcode::parse(&postcode_text) {
            Ok(p) => Some(p),
            Err(message) => {
                errors.add("postcode", message);
                None
            }
        }
    };
    let councils = state.store.council_coverage().await?;
    let clusters: Vec<(String, Vec<String>, Vec<PostcodeArea>)> = state
        .store
        .list_clusters(&Scope::Organisation)
        .await?
        .into_iter()
        .map(|c| (c.id, c.council_ids, c.areas.iter().filter_map(|a| PostcodeArea::parse(a).ok()).collect()))
        .collect();
    let (placed_council, cluster_id) = match &postcode {
        Some(p) => place_postcode(p, &councils, &clusters),
        None => (None, None),
    };
    let chosen = Some(form.get("council_id")).filter(|c| !c.is_empty());
    let council_id = match (chosen, placed_council) {
        (Some(c), _) => Some(c),
        (None, Some(c)) => Some(c),
        (None, None) => {
            errors.add("council_id", "Select the council: the postcode does not place the child in a council we serve");
            None
        }
    };
    let allowed: HashMap<String, String> = council_choices(&state, &ctx).await?.into_iter().collect();
    if let Some(c) = &council_id {
        if !allowed.contains_key(c) {
            errors.add("council_id", "You cannot add children in that council");
        }
    }
    let (Some(valid), Some(council_id), true) = (valid, council_id, errors.is_empty()) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(child_form(&state, &ctx, &form, &errors).await?)?)
            .into_response());
    };
    if form.get("confirmed_new") != "yes" {
        let facts = MatchFacts {
            first_name: valid.first_name.clone(),
            last_name: valid.last_name.clone(),
            date_of_birth: valid.date_of_birth.or(valid.expected_date_of_birth),
            nhs_number: valid.nhs_number.as_ref().map(|n| n.as_str().to_string()),
            upn: valid.upn.as_ref().map(|u| u.as_str().to_string()),
            local_id: Some(valid.local_id.clone()).filter(|l| !l.is_empty()),
        };
        let likely: Vec<(MatchStrength, ChildRow)> =
            matches(&state, &ctx, &facts).await?.into_iter().filter(|(s, _)| *s >= MatchStrength::Likely).collect();
        if !likely.is_empty() {
            let mut again = form.clone();
            again.0.push(("confirmed_new".into(), "yes".into()));
            let mut page = child_form(&state, &ctx, &again, &FieldErrors::new()).await?;
            page.heading = "Is this a child we already know?".into();
            page.intro = "These records look like the child you are adding. Open one if it is the same child. If it is a different child, check the details and add them.".into();
            page.submit_label = "This is a different child: add them".into();
            page.tables.push(Table::new(
                "Records that look the same",
                &["Name", "Date of birth", "Match"],
                likely
                    .iter()
                    .map(|(s, c)| {
                        vec![
                            Cell::link(c.full_name(), format!("/children/{}", c.id)),
                            Cell::text(c.date_of_birth.map(|d| d.format("%-d %b %Y").to_string()).unwrap_or_default()),
                            Cell::text(strength_label(*s)),
                        ]
                    })
                    .collect(),
            ));
            return Ok((StatusCode::CONFLICT, render(page)?).into_response());
        }
    }
    // The child starts with the adding worker's team that serves the council, unallocated, so it
    // shows in that team's allocation queue.
    let team_id = state
        .store
        .list_teams(&Scope::Councils(vec![council_id.clone()]))
        .await?
        .into_iter()
        .find(|t| user.actor.teams.contains(&t.id))
        .map(|t| t.id);
    let placement =
        Placement { council_id, postcode: postcode.map(|p| p.to_string()), cluster_id, team_id, allocated_to: None };
    let id = state.store.create_child(&ctx.audit(&state), &valid, &placement, today).await?;
    Ok(Redirect::to(&format!("/children/{id}")).into_response())
}
