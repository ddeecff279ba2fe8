//! The CIN census built from Canopy's own records: each child's journey as it stood at the
//! reference date, cut to what the census year covers.

use super::{CinAssessment, CinChild, CinDetails, CinHeader, CinPlan, CinProtectionPlan, CinReturn, CinSection47};
use crate::cases::{Event, Journey, RuleContext};
use crate::on_cores::map_on_cores;
use crate::returns::CollectionYear;
use chrono::NaiveDate;

/// What the census needs of one child's record.
pub struct CensusChild<'a> {
    pub local_id: &'a str,
    pub upn: Option<&'a str>,
    pub former_upn: Option<&'a str>,
    pub upn_unknown: Option<&'a str>,
    pub birth_date: Option<NaiveDate>,
    pub expected_birth_date: Option<NaiveDate>,
    pub sex: &'a str,
    pub death_date: Option<NaiveDate>,
    pub ethnicity: &'a str,
    pub disabilities: &'a [String],
    pub events: &'a [Event],
}

/// The census of a council for `year`: the header, and every child with an episode open at
/// some point in the year, in the order given. A child whose journey no longer replays is
/// named in the error rather than left out.
pub fn census<'a>(
    la_code: &str,
    year: CollectionYear,
    written_at: &str,
    children: &[CensusChild<'a>],
    ctx: &RuleContext,
) -> Result<CinReturn, String> {
    let (Some(start), Some(end)) = (year.start(), year.reference_date()) else {
        return Err(format!("{} has no census period", year.0));
    };
    let mut out = Vec::new();
    for child in map_on_cores(children, |child| child_in_period(child, start, end, ctx)) {
        out.extend(child?);
    }
    Ok(CinReturn {
        header: CinHeader {
            collection: Some("CIN".into()),
            year: Some(year.0.to_string()),
            reference_date: Some(end),
            source_level: Some("L".into()),
            lea: Some(la_code.into()),
            software_code: Some("Canopy".into()),
            release: Some(env!("CARGO_PKG_VERSION").into()),
            serial_no: Some("001".into()),
            date_time: Some(written_at.into()),
        },
        children: out,
    })
}

/// Whether something that ended on `end`, if it has, was still going when the year began.
fn reaches(end: Option<NaiveDate>, start: NaiveDate) -> bool {
    end.is_none_or(|t| t >= start)
}

/// The child as the census of the period from `start` to `end` shows them, from their journey as
/// it stood at `end`; `None` when no episode of theirs was open in the period.
pub fn child_in_period(
    child: &CensusChild,
    start: NaiveDate,
    end: NaiveDate,
    ctx: &RuleContext,
) -> Result<Option<CinChild>, String> {
    let as_at = child.events.iter().filter(|e| e.date() <= end);
    let journey = Journey::replay(as_at, ctx)
        .map_err(|e| format!("the journey of child {} no longer replays: {e}", child.local_id))?;
    Ok(census_child(child, &journey, start, end, ctx))
}

fn census_child(
    child: &CensusChild,
    journey: &Journey,
    start: NaiveDate,
    end: NaiveDate,
    ctx: &RuleContext,
) -> Option<CinChild> {
    let all_plans: Vec<NaiveDate> = journey.episodes.iter().flat_map(|e| e.cp_plans.iter().map(|p| p.start)).collect();
    let details: Vec<CinDetails> = journey
        .episodes
        .iter()
        .filter(|e| reaches(e.closed.map(|c| c.0), start))
        .map(|e| CinDetails {
            referral_date: Some(e.referral_date),
            referral_source: Some(e.source.code().into()),
            primary_need: e.primary_need.map(|n| n.code().into()),
            closure_date: e.closed.map(|c| c.0),
            reason_for_closure: e.closed.map(|c| c.1.code().into()),
            date_of_initial_cpc: None,
            assessments: e
                .assessments
                .iter()
                .filter(|a| reaches(a.authorised, start))
                .map(|a| CinAssessment {
                    start: Some(a.start),
                    internal_review: None,
                    authorised: a.authorised,
                    factors: if a.authorised.is_some() {
                        a.factors.iter().map(|f| f.code().to_string()).collect()
                    } else {
                        vec![]
                    },
                })
                .collect(),
            cin_plans: e
                .cin_plans
                .iter()
                .filter(|p| reaches(p.end, start))
                .map(|p| CinPlan { start: Some(p.start), end: p.end })
                .collect(),
            section47s: e
                .section47s
                .iter()
                .filter_map(|s| {
                    let conference = match s.concluded {
                        Some((_, true)) => e.conferences.iter().map(|c| c.1).find(|d| *d >= s.start),
                        _ => None,
                    };
                    let not_required = matches!(s.concluded, Some((_, false)));
                    // Enquiries of the year, and any still open when it began.
                    let counted = s.start >= start || conference.is_some_and(|d| d >= start) || s.concluded.is_none();
                    counted.then(|| CinSection47 {
                        start: Some(s.start),
                        icpc_target: Some(ctx.calendar.add_working_days(s.start, 15).to_string()),
                        date_of_initial_cpc: conference,
                        icpc_not_required: Some(if not_required { "1" } else { "0" }.into()),
                    })
                })
                .collect(),
            referral_nfa: Some(if e.nfa { "1" } else { "0" }.into()),
            cp_plans: e
                .cp_plans
                .iter()
                .filter(|p| reaches(p.end, start))
                .map(|p| CinProtectionPlan {
                    start: Some(p.start),
                    end: p.end,
                    initial_category: Some(p.initial_category.code().into()),
                    latest_category: Some(p.latest_category.code().into()),
                    number_of_previous: Some(all_plans.iter().filter(|s| **s < p.start).count().to_string()),
                    reviews: p.reviews.iter().filter(|r| **r >= start && **r <= end).map(|r| Some(*r)).collect(),
                })
                .collect(),
        })
        .collect();
    if details.is_empty() {
        return None;
    }
    let text = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    Some(CinChild {
        la_child_id: Some(child.local_id.to_string()),
        upn: text(child.upn),
        former_upn: text(child.former_upn),
        upn_unknown: text(child.upn_unknown),
        birth_date: child.birth_date,
        expected_birth_date: child.birth_date.is_none().then_some(child.expected_birth_date).flatten(),
        sex: text(Some(child.sex)),
        death_date: child.death_date.filter(|d| *d <= end),
        ethnicity: text(Some(child.ethnicity)),
        disabilities: if child.disabilities.is_empty() { vec!["NONE".into()] } else { child.disabilities.to_vec() },
        details,
        line: None,
        unreadable: vec![],
    })
}
