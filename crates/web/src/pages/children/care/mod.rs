//! A looked-after child's care on their record: starting care, changes of legal status and
//! placement, leaving care, visits, reviews, health, the care plan, the IRO, the adoption steps
//! and leaving-care support. The 903 episodes and their codes are worked out by the domain and
//! shown on the record.

mod forms;
mod section;

pub(crate) use section::care_section;

use super::{child_for, render, Ctx};
use crate::forms::FormData;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::Action;
use canopy_domain::adoption::{AdopterEvent, AdopterStage};
use canopy_domain::cases::care::{
    care_history, placement_location, CareChange, CareEntry, CareHistory, CareRuleBroken, PlacementLocation,
};
use canopy_domain::org::PostcodeDistrict;
use canopy_domain::validation::FieldErrors;
use canopy_store::children::ChildRow;
use forms::{care_form, parse_entry, Choices, What};

/// The role whose holders chair looked-after reviews.
const IRO_ROLE: &str = "independent_reviewing_officer";

/// Records a care entry if the child's care still reads with it, and keeps the child's care
/// clocks, IRO and adoption stage; for the page and the API alike. A review is chaired by the
/// child's IRO; a match is made only by the adoption service, with approved adopters, and moves
/// them on in the same transaction, as placing the child with them does.
pub(crate) async fn record_entry(
    state: &AppState,
    ctx: &Ctx,
    child: &ChildRow,
    entry: &CareEntry,
) -> Result<Result<(), CareRuleBroken>, AppError> {
    let calendar = state.store.council_calendar(&child.council_id).await?;
    let history = history_of(state, child).await?;
    let mut entry = entry.clone();
    let adopter_event = match &mut entry {
        CareEntry::Review { chair, .. } => {
            *chair = history.iro.as_ref().map(|i| i.user_id.clone());
            None
        }
        CareEntry::MatchedWithAdopters { date, adopters, adopters_name, .. } => {
            if !ctx.may_org(Action::WorkInAdoption) {
                return Ok(Err(CareRuleBroken("only the adoption service records a match with adopters".into())));
            }
            match state.store.adopter(adopters).await {
                Ok(row) => *adopters_name = row.name,
                Err(canopy_store::StoreError::NotFound) => {
                    return Ok(Err(CareRuleBroken("there are no such adopters in the adoption service".into())))
                }
                Err(e) => return Err(e.into()),
            }
            Some((adopters.clone(), AdopterEvent::MatchedWithChild { date: *date, child: child.id.clone() }))
        }
        CareEntry::Change { change: CareChange::PlacementChanged { date, placement, .. } }
            if placement.place.is_placed_for_adoption() =>
        {
            let matched = history.adoption_in_force().and_then(|a| a.matched.as_ref());
            matched.map(|m| (m.adopters.clone(), AdopterEvent::ChildPlaced { date: *date, child: child.id.clone() }))
        }
        _ => None,
    };
    let date_of_birth = child.date_of_birth;
    let check = |entries: &[CareEntry]| care_history(entries).map(|h| h.projection(&calendar, date_of_birth));
    let adopter_event = adopter_event.as_ref().map(|(id, e)| (id.as_str(), e.clone()));
    let audit = ctx.audit(state);
    let recorded = state.store.record_care_entry(&audit, &child.id, &entry, adopter_event, check).await?;
    if recorded.is_ok() {
        crate::pages::quality::recheck(state, &child.id, audit.at_ms).await?;
    }
    Ok(recorded)
}

/// The child's care as the record shows it.
pub(crate) async fn history_of(state: &AppState, child: &ChildRow) -> Result<CareHistory, AppError> {
    let entries = state.store.care_entries(&child.id).await?;
    care_history(&entries).map_err(|e| AppError::Internal(format!("stored care of {} no longer reads: {e}", child.id)))
}

/// Where each episode's placement is, seen from the home the child had when the episode began.
pub(crate) async fn episode_locations(
    state: &AppState,
    child: &ChildRow,
    history: &CareHistory,
) -> Result<Vec<PlacementLocation>, AppError> {
    if history.episodes.is_empty() {
        return Ok(Vec::new());
    }
    let addresses = state.store.addresses(&child.id).await?;
    let home_at = |day: chrono::NaiveDate| {
        addresses
            .iter()
            .find(|a| a.moved_in <= day && a.moved_out.is_none_or(|out| out >= day))
            .map(|a| a.postcode.clone())
            .or_else(|| child.postcode.clone())
    };
    let pairs: Vec<(Option<String>, Option<String>)> =
        history.episodes.iter().map(|e| (home_at(e.start), e.placement.postcode.clone())).collect();
    let districts: Vec<String> = pairs
        .iter()
        .flat_map(|(h, p)| [h, p])
        .filter_map(|p| p.as_deref().and_then(PostcodeDistrict::of))
        .map(|d| d.as_str().to_string())
        .collect();
    let centres = state.store.district_centres(&districts).await?;
    let council = state.store.get_council(&canopy_store::Scope::Organisation, &child.council_id).await?;
    let council_districts: Vec<PostcodeDistrict> =
        council.postcode_districts.iter().filter_map(|d| PostcodeDistrict::parse(d).ok()).collect();
    Ok(pairs
        .iter()
        .map(|(home, placed)| {
            placement_location(home.as_deref(), placed.as_deref(), &council_districts, |d| {
                centres.get(d.as_str()).copied()
            })
        })
        .collect())
}

/// The people a form offers: IROs serving the child's council, and the adopters approved and
/// waiting (shown only to the adoption service).
async fn choices_for(state: &AppState, ctx: &Ctx, child: &ChildRow, what: What) -> Result<Choices, AppError> {
    let mut choices = Choices::default();
    if what == What::Iro {
        let roles = state.store.list_roles().await?;
        let iro_role = roles.iter().find(|r| r.key == IRO_ROLE).map(|r| r.id.clone()).unwrap_or_default();
        choices.iros = state
            .store
            .list_users()
            .await?
            .into_iter()
            .filter(|u| !u.disabled && u.role_ids.contains(&iro_role) && u.council_ids.contains(&child.council_id))
            .map(|u| (u.id, u.display_name))
            .collect();
    }
    if what == What::Match {
        if !ctx.may_org(Action::WorkInAdoption) {
            return Err(AppError::NotFound);
        }
        choices.adopters = state
            .store
            .adopters()
            .await?
            .into_iter()
            .filter(|a| a.stage == AdopterStage::Approved)
            .map(|a| (a.id, a.name))
            .collect();
    }
    Ok(choices)
}

pub async fn show_care(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, what)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let what = What::from_slug(&what)?;
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let choices = choices_for(&state, &ctx, &child, what).await?;
    let today = state.clock.today();
    let form = FormData(crate::pages::date_parts("date", today));
    render(care_form(&ctx, &child, what, &choices, &form, &FieldErrors::new()))
}

pub async fn save_care(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, what)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, AppError> {
    let what = What::from_slug(&what)?;
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let choices = choices_for(&state, &ctx, &child, what).await?;
    let errors = match parse_entry(what, &form, &choices, state.clock.today()) {
        Ok(entry) => match record_entry(&state, &ctx, &child, &entry).await? {
            Ok(()) => return Ok(Redirect::to(&format!("/children/{}", child.id)).into_response()),
            Err(broken) => FieldErrors::one("date", broken.0),
        },
        Err(errors) => errors,
    };
    let page = care_form(&ctx, &child, what, &choices, &form, &errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
}
