//! The care part of a child's record: what may be recorded now, the summary lines, the episodes
//! and the other tables, and the care clocks.

use super::forms::What;
use crate::pages::{show_date, Cell, Link, Table};
use canopy_domain::calendar::WorkingCalendar;
use canopy_domain::cases::care::{leaver_category, support_ends, CareHistory, PlacementLocation};
use canopy_store::children::ChildRow;
use chrono::NaiveDate;

/// What the record page shows of a child's care.
#[derive(Debug, Default)]
pub(crate) struct CareSection {
    pub links: Vec<Link>,
    pub summary: Vec<(String, String)>,
    pub tables: Vec<Table>,
    pub due: Vec<(String, NaiveDate)>,
}

fn maybe_day(d: Option<NaiveDate>, otherwise: &str) -> String {
    d.map(show_date).unwrap_or_else(|| otherwise.to_string())
}

fn table(title: &str, head: &[&str], rows: Vec<Vec<Cell>>) -> Option<Table> {
    (!rows.is_empty()).then(|| Table::new(title, head, rows))
}

/// The record's care section. `may_edit` shows the links to record; `adoption_service` adds the
/// match, which only the adoption service makes.
pub(crate) fn care_section(
    child: &ChildRow,
    history: &CareHistory,
    locations: &[PlacementLocation],
    calendar: &WorkingCalendar,
    today: NaiveDate,
    may_edit: bool,
    adoption_service: bool,
) -> CareSection {
    let mut section = CareSection::default();
    if may_edit {
        section.links = What::open_now(history, adoption_service)
            .into_iter()
            .map(|w| Link::new(format!("/children/{}/care/{}", child.id, w.slug()), w.title()))
            .collect();
    }
    section.summary = summary(child, history, today);
    section.tables = [
        episodes(history, locations),
        adoption(history),
        reviews(history),
        health(history),
        missing(history),
        leaving(history),
    ]
    .into_iter()
    .flatten()
    .collect();
    section.due = history
        .clocks(calendar, child.date_of_birth)
        .into_iter()
        .map(|c| (c.kind.label().to_string(), c.due))
        .collect();
    section
}

fn summary(child: &ChildRow, history: &CareHistory, today: NaiveDate) -> Vec<(String, String)> {
    let mut lines = Vec::new();
    if let Some(iro) = &history.iro {
        lines.push(("Independent reviewing officer".into(), format!("{} (since {})", iro.name, show_date(iro.since))));
    }
    if let Some(plan) = &history.care_plan {
        lines.push(("Plan for permanence".into(), format!("{} ({})", plan.permanence.label(), show_date(plan.date))));
    }
    if history.unaccompanied.last().is_some_and(|(_, to)| to.is_none()) {
        lines.push(("Unaccompanied asylum-seeking child".into(), "Yes".into()));
    }
    if let Some(stage) = history.adoption_stage() {
        lines.push(("Adoption".into(), stage.label().into()));
    }
    if let Some(known) = history.leaving.left_before_record {
        let from = format!("Looked after, and left care before this record began (known from {})", show_date(known));
        lines.push(("Care before this record".into(), from));
    }
    if let Some(dob) = child.date_of_birth {
        if let Some(category) = leaver_category(dob, &history.episodes, &history.leaving, today) {
            lines.push(("Leaving care".into(), category.label().into()));
            lines.push(("Leaving-care support until".into(), show_date(support_ends(dob, &history.leaving))));
        }
    }
    if let Some((_, adviser)) = &history.leaving.adviser {
        lines.push(("Personal adviser".into(), adviser.clone()));
    }
    if let Some(until) = history.keep_until(child.date_of_birth) {
        lines.push(("Record kept until".into(), show_date(until)));
    }
    lines
}

/// Inside or outside the council, and how far from home.
fn where_placed(at: Option<&PlacementLocation>) -> String {
    let Some(at) = at else { return String::new() };
    let side = match at.inside_council {
        Some(true) => "Inside the council",
        Some(false) => "Outside the council",
        None => "No postcode",
    };
    match at.distance_miles {
        Some(miles) => format!("{side}, {miles:.1} miles from home"),
        None => side.to_string(),
    }
}

fn episodes(history: &CareHistory, locations: &[PlacementLocation]) -> Option<Table> {
    let rows = history
        .episodes
        .iter()
        .enumerate()
        .rev()
        .map(|(i, e)| {
            vec![
                Cell::text(show_date(e.start)),
                Cell::text(format!("{} ({})", e.reason_new_episode.label(), e.reason_new_episode.code())),
                Cell::text(format!("{} ({})", e.legal_status.label(), e.legal_status.code())),
                Cell::text(format!(
                    "{} ({}), {}{}",
                    e.placement.place.label(),
                    e.placement.place.code(),
                    e.placement.carer,
                    e.placement.address.as_ref().map(|a| format!(", {a}")).unwrap_or_default()
                )),
                Cell::text(where_placed(locations.get(i))),
                Cell::text(maybe_day(e.end, "Now")),
                Cell::text(e.reason_ceased.map(|r| format!("{} ({})", r.label(), r.code())).unwrap_or_default()),
            ]
        })
        .collect();
    table(
        "Care episodes",
        &["From", "Why a new episode", "Legal status", "Placement", "Where", "To", "Why it ended"],
        rows,
    )
}

fn adoption(history: &CareHistory) -> Option<Table> {
    let rows = history
        .adoption
        .iter()
        .rev()
        .map(|a| {
            vec![
                Cell::text(show_date(a.decided)),
                Cell::text(maybe_day(a.placement_order, "")),
                Cell::text(
                    a.matched
                        .as_ref()
                        .map(|m| format!("{}, {}", show_date(m.date), m.adopters_name))
                        .unwrap_or_default(),
                ),
                Cell::text(maybe_day(a.placed, "")),
                Cell::text(match (a.adopted, a.ceased) {
                    (Some(adopted), _) => format!("Adopted {}", show_date(adopted)),
                    (None, Some((date, reason))) => format!("Reversed {}: {}", show_date(date), reason.label()),
                    _ => a.stage().label().into(),
                }),
            ]
        })
        .collect();
    table("Adoption", &["Decision", "Placement order", "Matched", "Placed", "Outcome"], rows)
}

fn reviews(history: &CareHistory) -> Option<Table> {
    let iro = history.iro.as_ref();
    let rows = history
        .reviews
        .iter()
        .rev()
        .map(|r| {
            let chair = match (&r.chair, iro) {
                (Some(chair), Some(iro)) if *chair == iro.user_id => iro.name.clone(),
                (Some(_), _) => "A previous IRO".into(),
                (None, _) => "Not recorded".into(),
            };
            vec![
                Cell::text(show_date(r.date)),
                Cell::text(format!("{} ({})", r.participation.label(), r.participation.code())),
                Cell::text(chair),
            ]
        })
        .collect();
    table("Looked-after reviews", &["Date", "How the child took part", "Chaired by"], rows)
}

fn health(history: &CareHistory) -> Option<Table> {
    let checks = history.health.iter().map(|(date, check)| (*date, check.label().to_string()));
    let sdq = history.sdq.iter().map(|s| {
        let what = match (s.score, s.reason) {
            (Some(score), _) => format!("SDQ score {score}"),
            (None, Some(reason)) => format!("No SDQ score: {}", reason.label().to_lowercase()),
            _ => "SDQ".into(),
        };
        (s.date, what)
    });
    let mut all: Vec<(NaiveDate, String)> = checks.chain(sdq).collect();
    all.sort_by_key(|r| std::cmp::Reverse(r.0));
    let rows = all.into_iter().map(|(date, what)| vec![Cell::text(show_date(date)), Cell::text(what)]).collect();
    table("Health", &["Date", "Check"], rows)
}

fn missing(history: &CareHistory) -> Option<Table> {
    let rows = history
        .missing
        .iter()
        .rev()
        .map(|m| {
            vec![
                Cell::text(show_date(m.start)),
                Cell::text(maybe_day(m.end, "Not back")),
                Cell::text(if m.away { "Away (A)" } else { "Missing (M)" }),
                Cell::text(match (m.end.is_some(), m.interview_offered, m.interview_accepted) {
                    (false, _, _) => "",
                    (true, true, true) => "Offered and accepted",
                    (true, true, false) => "Offered, not accepted",
                    (true, false, _) => "Not offered",
                }),
            ]
        })
        .collect();
    table("Missing and away from placement", &["From", "To", "Missing or away", "Return interview"], rows)
}

fn leaving(history: &CareHistory) -> Option<Table> {
    let contacts = history.leaving.contacts.iter().map(|c| {
        let accommodation = c
            .accommodation
            .map(|a| {
                let code = a.code_with_suitability(c.suitable);
                let suitable = if code.ends_with('1') { "suitable" } else { "not suitable" };
                format!("{} ({code}, {suitable})", a.label())
            })
            .unwrap_or_default();
        let activity = c.activity.map(|a| format!("{} ({})", a.label(), a.code())).unwrap_or_default();
        (c.date, format!("{} ({})", c.in_touch.label(), c.in_touch.code()), accommodation, activity)
    });
    let plans =
        history.leaving.plan_reviews.iter().map(|d| (*d, "Pathway plan reviewed".into(), String::new(), String::new()));
    let mut all: Vec<(NaiveDate, String, String, String)> = contacts.chain(plans).collect();
    all.sort_by_key(|r| std::cmp::Reverse(r.0));
    let rows = all
        .into_iter()
        .map(|(date, what, accommodation, activity)| {
            vec![Cell::text(show_date(date)), Cell::text(what), Cell::text(accommodation), Cell::text(activity)]
        })
        .collect();
    table("Leaving care: pathway plan and contact", &["Date", "What", "Accommodation", "Activity"], rows)
}
