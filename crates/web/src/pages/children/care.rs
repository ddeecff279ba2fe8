//! A looked-after child's care on their record: starting care, changes of legal status and
//! placement, leaving care, statutory visits and reviews. Staff say what happened; the 903
//! episodes and their codes are worked out by the domain and shown on the record.

use super::{child_for, render, Cell, Ctx, Field, FormPage, Link, Table};
use crate::forms::FormData;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::Action;
use canopy_domain::calendar::WorkingCalendar;
use canopy_domain::cases::care::{
    care_history, CareChange, CareEntry, CareHistory, LegalStatus, Placement, PlacementProvider, PlacementType,
    ReasonEpisodeCeased, ReasonPlaceChange, ReviewParticipation,
};
use canopy_domain::validation::{required_text, FieldErrors};
use canopy_store::children::ChildRow;

/// What can be recorded, by the last part of its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    Started,
    LegalStatus,
    Placement,
    Ceased,
    Visit,
    Review,
    Missing,
    Returned,
}

impl What {
    const ALL: [What; 8] = [
        What::Started,
        What::LegalStatus,
        What::Placement,
        What::Ceased,
        What::Visit,
        What::Review,
        What::Missing,
        What::Returned,
    ];

    fn slug(self) -> &'static str {
        match self {
            What::Started => "start",
            What::LegalStatus => "legal-status",
            What::Placement => "placement",
            What::Ceased => "leave",
            What::Visit => "visit",
            What::Review => "review",
            What::Missing => "missing",
            What::Returned => "returned",
        }
    }

    fn title(self) -> &'static str {
        match self {
            What::Started => "Record the child starting to be looked after",
            What::LegalStatus => "Record a change of legal status",
            What::Placement => "Record a placement move",
            What::Ceased => "Record the child leaving care",
            What::Visit => "Record a statutory visit",
            What::Review => "Record a looked-after review",
            What::Missing => "Record the child missing or away",
            What::Returned => "Record the child's return",
        }
    }

    fn from_slug(slug: &str) -> Result<Self, AppError> {
        Self::ALL.into_iter().find(|w| w.slug() == slug).ok_or(AppError::NotFound)
    }

    /// What may be recorded now: starting care when the child is not looked after, the rest
    /// when they are.
    fn open_now(history: &CareHistory) -> Vec<What> {
        let in_care = history.episodes.last().is_some_and(|e| e.end.is_none());
        let missing = history.missing.last().is_some_and(|m| m.end.is_none());
        if in_care {
            let whereabouts = if missing { What::Returned } else { What::Missing };
            vec![What::Placement, What::Visit, What::Review, whereabouts, What::LegalStatus, What::Ceased]
        } else {
            vec![What::Started]
        }
    }
}

fn codes<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<(String, String)> {
    std::iter::once((String::new(), "Choose one".to_string()))
        .chain(all.iter().map(|c| (code(*c).to_string(), format!("{} ({})", label(*c), code(*c)))))
        .collect()
}

fn placement_fields(form: &FormData) -> Vec<Field> {
    vec![
        Field::choices(
            "place",
            "Type of placement",
            "select",
            codes(PlacementType::ALL, PlacementType::code, PlacementType::label),
            &[form.get("place")],
        ),
        Field::choices(
            "provider",
            "Who provides it",
            "select",
            codes(PlacementProvider::ALL, PlacementProvider::code, PlacementProvider::label),
            &[form.get("provider")],
        ),
        Field::text("carer", "Carers or home", form.get("carer"))
            .hint("The foster carers' names or the home's name: the same carers at a new address are the same carers"),
        Field::text("postcode", "Postcode of the placement", form.get("postcode")).width("govuk-input--width-10"),
        Field::text("urn", "Ofsted URN (optional)", form.get("urn")).width("govuk-input--width-10"),
    ]
}

fn care_form(ctx: &Ctx, child: &ChildRow, what: What, form: &FormData, errors: &FieldErrors) -> FormPage {
    let mut fields = vec![Field::date("date", "Date", form)];
    match what {
        What::Started | What::LegalStatus => {
            fields.push(Field::choices(
                "legal_status",
                "Legal status",
                "select",
                codes(LegalStatus::ALL, LegalStatus::code, LegalStatus::label),
                &[form.get("legal_status")],
            ));
            if what == What::Started {
                fields.extend(placement_fields(form));
            }
        }
        What::Placement => {
            fields.extend(placement_fields(form));
            fields.push(Field::choices(
                "reason",
                "Why the placement changed",
                "select",
                codes(ReasonPlaceChange::ALL, ReasonPlaceChange::code, ReasonPlaceChange::label),
                &[form.get("reason")],
            ));
        }
        What::Ceased => {
            let reasons: Vec<ReasonEpisodeCeased> =
                ReasonEpisodeCeased::ALL.iter().copied().filter(|r| *r != ReasonEpisodeCeased::X1).collect();
            fields.push(Field::choices(
                "reason",
                "Why care ended",
                "select",
                codes(&reasons, ReasonEpisodeCeased::code, ReasonEpisodeCeased::label),
                &[form.get("reason")],
            ));
        }
        What::Visit => fields.push(Field::choices(
            "seen_alone",
            "The child",
            "checkboxes",
            vec![("yes".into(), "Was seen alone".into())],
            &form.all("seen_alone"),
        )),
        What::Missing => fields.push(Field::choices(
            "away",
            "Where the child is",
            "radios",
            vec![
                ("missing".into(), "Missing: nobody knows where".into()),
                ("away".into(), "Away from placement without permission, whereabouts known".into()),
            ],
            &[form.get("away")],
        )),
        What::Returned => fields.push(Field::choices(
            "interview",
            "Return interview",
            "checkboxes",
            vec![
                ("offered".into(), "A return interview was offered".into()),
                ("accepted".into(), "The child accepted it".into()),
            ],
            &form.all("interview"),
        )),
        What::Review => fields.push(Field::choices(
            "participation",
            "How the child took part",
            "select",
            codes(ReviewParticipation::ALL, ReviewParticipation::code, ReviewParticipation::label),
            &[form.get("participation")],
        )),
    }
    let action = format!("/children/{}/care/{}", child.id, what.slug());
    let mut page = FormPage::new(ctx, what.title(), "/work-tray", &action, "Save", fields, errors)
        .back(&format!("/children/{}", child.id));
    page.caption = child.full_name();
    page
}

fn chosen<T>(
    errors: &mut FieldErrors,
    form: &FormData,
    field: &str,
    parse: fn(&str) -> Option<T>,
    what: &str,
) -> Option<T> {
    let value = parse(&form.get(field));
    if value.is_none() {
        errors.add(field, format!("Select {what}"));
    }
    value
}

fn parse_placement(form: &FormData, errors: &mut FieldErrors) -> Option<Placement> {
    let place = chosen(errors, form, "place", PlacementType::from_code, "the type of placement");
    let provider = chosen(errors, form, "provider", PlacementProvider::from_code, "who provides the placement");
    let carer = required_text(errors, "carer", "the carers or home", &form.get("carer"), 200);
    let postcode = form.get("postcode").trim().to_uppercase();
    let postcode = if postcode.is_empty() {
        None
    } else {
        match canopy_domain::org::Postcode::parse(&postcode) {
            Ok(p) => Some(p.to_string()),
            Err(e) => {
                errors.add("postcode", e.to_string());
                None
            }
        }
    };
    let urn = form.get("urn").trim().to_string();
    if !urn.is_empty() && (urn.len() > 12 || !urn.chars().all(|c| c.is_ascii_alphanumeric())) {
        errors.add("urn", "An Ofsted URN is letters and numbers, like SC123456");
    }
    Some(Placement { place: place?, provider, carer, postcode, urn: (!urn.is_empty()).then_some(urn) })
}

fn parse_entry(what: What, form: &FormData, today: chrono::NaiveDate) -> Result<CareEntry, FieldErrors> {
    let mut errors = FieldErrors::new();
    let date = crate::pages::past_date(form, &mut errors, "date", "the date", today, true);
    let entry = match what {
        What::Started => {
            let ls = chosen(&mut errors, form, "legal_status", LegalStatus::from_code, "the legal status");
            let placement = parse_placement(form, &mut errors);
            match (date, ls, placement) {
                (Some(date), Some(legal_status), Some(placement)) => Some(CareEntry::Change {
                    change: CareChange::StartedToBeLookedAfter { date, legal_status, placement },
                }),
                _ => None,
            }
        }
        What::LegalStatus => {
            let ls = chosen(&mut errors, form, "legal_status", LegalStatus::from_code, "the legal status");
            match (date, ls) {
                (Some(date), Some(legal_status)) => {
                    Some(CareEntry::Change { change: CareChange::LegalStatusChanged { date, legal_status } })
                }
                _ => None,
            }
        }
        What::Placement => {
            let placement = parse_placement(form, &mut errors);
            let reason = chosen(&mut errors, form, "reason", ReasonPlaceChange::from_code, "why the placement changed");
            match (date, placement, reason) {
                (Some(date), Some(placement), Some(reason)) => Some(CareEntry::Change {
                    change: CareChange::PlacementChanged { date, placement, reason: Some(reason) },
                }),
                _ => None,
            }
        }
        What::Ceased => {
            let reason = chosen(&mut errors, form, "reason", ReasonEpisodeCeased::from_code, "why care ended");
            match (date, reason) {
                (Some(date), Some(reason)) => {
                    Some(CareEntry::Change { change: CareChange::CeasedToBeLookedAfter { date, reason } })
                }
                _ => None,
            }
        }
        What::Visit => date.map(|date| CareEntry::Visit { date, seen_alone: form.get("seen_alone") == "yes" }),
        What::Missing => {
            let away = match form.get("away").as_str() {
                "missing" => Some(false),
                "away" => Some(true),
                _ => {
                    errors.add("away", "Select whether the child is missing or away");
                    None
                }
            };
            match (date, away) {
                (Some(date), Some(away)) => Some(CareEntry::WentMissing { date, away }),
                _ => None,
            }
        }
        What::Returned => {
            let ticked = form.all("interview");
            date.map(|date| CareEntry::Returned {
                date,
                interview_offered: ticked.iter().any(|t| t == "offered"),
                interview_accepted: ticked.iter().any(|t| t == "accepted"),
            })
        }
        What::Review => {
            let participation =
                chosen(&mut errors, form, "participation", ReviewParticipation::from_code, "how the child took part");
            match (date, participation) {
                (Some(date), Some(participation)) => Some(CareEntry::Review { date, participation }),
                _ => None,
            }
        }
    };
    match entry {
        Some(entry) if errors.is_empty() => Ok(entry),
        _ => Err(errors),
    }
}

/// Records a care entry if the child's care still reads with it, and resets their care clocks;
/// for the page and the API alike.
pub(crate) async fn record_entry(
    state: &AppState,
    ctx: &Ctx,
    child: &ChildRow,
    entry: &CareEntry,
) -> Result<Result<(), canopy_domain::cases::care::CareRuleBroken>, AppError> {
    let calendar = state.store.council_calendar(&child.council_id).await?;
    let check = |entries: &[CareEntry]| care_history(entries).map(|h| h.clocks(&calendar));
    Ok(state.store.record_care_entry(&ctx.audit(state), &child.id, entry, check).await?)
}

/// The child's care as the record shows it.
pub(crate) async fn history_of(state: &AppState, child: &ChildRow) -> Result<CareHistory, AppError> {
    let entries = state.store.care_entries(&child.id).await?;
    care_history(&entries).map_err(|e| AppError::Internal(format!("stored care of {} no longer reads: {e}", child.id)))
}

pub async fn show_care(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, what)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let what = What::from_slug(&what)?;
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let today = state.clock.today();
    let form = FormData(crate::pages::date_parts("date", today));
    render(care_form(&ctx, &child, what, &form, &FieldErrors::new()))
}

pub async fn save_care(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, what)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, AppError> {
    let what = What::from_slug(&what)?;
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let errors = match parse_entry(what, &form, state.clock.today()) {
        Ok(entry) => match record_entry(&state, &ctx, &child, &entry).await? {
            Ok(()) => return Ok(Redirect::to(&format!("/children/{}", child.id)).into_response()),
            Err(broken) => FieldErrors::one("date", broken.0),
        },
        Err(errors) => errors,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(care_form(&ctx, &child, what, &form, &errors))?).into_response())
}

/// The record's care section: links for what may be recorded now, the episodes, and the clocks.
pub(crate) fn care_section(
    child: &ChildRow,
    history: &CareHistory,
    calendar: &WorkingCalendar,
    may_edit: bool,
) -> (Vec<Link>, Vec<Table>, Vec<(String, chrono::NaiveDate)>) {
    let links = if may_edit {
        What::open_now(history)
            .into_iter()
            .map(|w| Link::new(format!("/children/{}/care/{}", child.id, w.slug()), w.title()))
            .collect()
    } else {
        Vec::new()
    };
    let table = (!history.episodes.is_empty()).then(|| {
        Table::new(
            "Care episodes",
            &["From", "Why a new episode", "Legal status", "Placement", "To", "Why it ended"],
            history
                .episodes
                .iter()
                .rev()
                .map(|e| {
                    vec![
                        Cell::text(e.start.format("%-d %b %Y").to_string()),
                        Cell::text(format!("{} ({})", e.reason_new_episode.label(), e.reason_new_episode.code())),
                        Cell::text(format!("{} ({})", e.legal_status.label(), e.legal_status.code())),
                        Cell::text(format!(
                            "{} ({}), {}",
                            e.placement.place.label(),
                            e.placement.place.code(),
                            e.placement.carer
                        )),
                        Cell::text(e.end.map(|d| d.format("%-d %b %Y").to_string()).unwrap_or_else(|| "Now".into())),
                        Cell::text(
                            e.reason_ceased.map(|r| format!("{} ({})", r.label(), r.code())).unwrap_or_default(),
                        ),
                    ]
                })
                .collect(),
        )
    });
    let clocks = history.clocks(calendar).into_iter().map(|c| (c.kind.label().to_string(), c.due)).collect();
    let missing = (!history.missing.is_empty()).then(|| {
        Table::new(
            "Missing and away from placement",
            &["From", "To", "Missing or away", "Return interview"],
            history
                .missing
                .iter()
                .rev()
                .map(|m| {
                    vec![
                        Cell::text(m.start.format("%-d %b %Y").to_string()),
                        Cell::text(
                            m.end.map(|d| d.format("%-d %b %Y").to_string()).unwrap_or_else(|| "Not back".into()),
                        ),
                        Cell::text(if m.away { "Away (A)" } else { "Missing (M)" }),
                        Cell::text(match (m.end.is_some(), m.interview_offered, m.interview_accepted) {
                            (false, _, _) => "",
                            (true, true, true) => "Offered and accepted",
                            (true, true, false) => "Offered, not accepted",
                            (true, false, _) => "Not offered",
                        }),
                    ]
                })
                .collect(),
        )
    });
    (links, table.into_iter().chain(missing).collect(), clocks)
}
