//! The workforce measures, as the census defines them, for any day and any part of the
//! organisation. They count social workers (staff with an OrgRole) working for the organisation's
//! councils; staff seconded or placed out count where they work, not here.

use super::{InPost, StaffRecord};
use chrono::{Datelike, Months, NaiveDate};

/// The part of the organisation a measure covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit<'a> {
    Organisation,
    /// Workers serving this council.
    Council(&'a str),
    /// Workers in any of these teams (a team, or a cluster's teams).
    Teams(&'a [String]),
}

impl Unit<'_> {
    /// Whether a worker's state on a day puts them in this part of the organisation.
    pub fn holds(&self, state: &InPost) -> bool {
        match self {
            Unit::Organisation => true,
            Unit::Council(id) => state.post.councils.iter().any(|c| c == id),
            Unit::Teams(teams) => teams.contains(&state.post.team_id),
        }
    }
}

/// Social workers in post and working here on `day`, in `unit`.
fn social_workers<'a>(
    staff: &'a [StaffRecord],
    day: NaiveDate,
    unit: Unit<'a>,
) -> impl Iterator<Item = &'a InPost> + 'a {
    staff
        .iter()
        .filter_map(move |s| s.on(day))
        .filter(move |s| s.post.org_role.is_some() && s.employment.works_here() && unit.holds(s))
}

/// How many social workers are in post (the headcount).
pub fn headcount(staff: &[StaffRecord], day: NaiveDate, unit: Unit) -> usize {
    social_workers(staff, day, unit).count()
}

/// Social workers' full-time equivalents in post, split into the organisation's own and agency.
pub fn social_work_fte(staff: &[StaffRecord], day: NaiveDate, unit: Unit) -> (f64, f64) {
    social_workers(staff, day, unit).fold((0.0, 0.0), |(own, agency), s| match s.employment.is_agency() {
        true => (own, agency + s.post.fte.as_f64()),
        false => (own + s.post.fte.as_f64(), agency),
    })
}

/// The agency rate: agency FTE over all social work FTE in post; none with nobody in post.
pub fn agency_rate(staff: &[StaffRecord], day: NaiveDate, unit: Unit) -> Option<f64> {
    let (own, agency) = social_work_fte(staff, day, unit);
    (own + agency > 0.0).then(|| agency / (own + agency))
}

/// The vacancy rate: vacant FTE over vacant and filled FTE.
pub fn vacancy_rate(vacant_fte: f64, in_post_fte: f64) -> Option<f64> {
    (vacant_fte + in_post_fte > 0.0).then(|| vacant_fte / (vacant_fte + in_post_fte))
}

/// The last day of each month from `from`'s month to `to`'s, for monthly series.
pub fn month_ends(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut ends = Vec::new();
    let mut first = from.with_day(1).unwrap_or(from);
    while first <= to {
        let next = first.checked_add_months(Months::new(1)).unwrap_or(first);
        if let Some(end) = next.pred_opt() {
            ends.push(end);
        }
        if next == first {
            break;
        }
        first = next;
    }
    ends
}

/// The 12 months up to and including `day`: (the first day, `day`).
fn year_to(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let start = day.checked_sub_months(Months::new(12)).and_then(|d| d.succ_opt()).unwrap_or(day);
    (start, day)
}

/// Turnover: the social workers who left in the 12 months to `day` (by their post when they
/// left) over the average headcount at the 12 month ends of those months.
pub fn turnover(staff: &[StaffRecord], day: NaiveDate, unit: Unit) -> Option<f64> {
    let (start, end) = year_to(day);
    let leavers = staff
        .iter()
        .flat_map(|s| &s.leavings)
        .filter(|l| l.date >= start && l.date <= end)
        .filter(|l| {
            let state = InPost { post: l.post.clone(), employment: l.employment.clone(), since: l.date };
            l.post.org_role.is_some() && l.employment.works_here() && unit.holds(&state)
        })
        .count();
    let points: Vec<NaiveDate> = (0..12u32).filter_map(|back| day.checked_sub_months(Months::new(back))).collect();
    let average = points.iter().map(|d| headcount(staff, *d, unit)).sum::<usize>() as f64 / points.len() as f64;
    (average > 0.0).then(|| leavers as f64 / average)
}

/// Working days lost to absences that began in the 12 months to `day`, per social work FTE in
/// post on `day`.
pub fn absence_days_per_fte(staff: &[StaffRecord], day: NaiveDate, unit: Unit) -> Option<f64> {
    let (start, end) = year_to(day);
    let (own, agency) = social_work_fte(staff, day, unit);
    let lost: u32 = staff
        .iter()
        .filter(|s| s.on(day).is_some_and(|p| p.post.org_role.is_some() && p.employment.works_here() && unit.holds(p)))
        .flat_map(|s| &s.absences)
        .filter(|a| a.start >= start && a.start <= end)
        .map(|a| a.working_days_lost)
        .sum();
    (own + agency > 0.0).then(|| f64::from(lost) / 100.0 / (own + agency))
}

/// Agency workers made the organisation's own in the 12 months to `day`.
pub fn agency_conversions(staff: &[StaffRecord], day: NaiveDate, unit: Unit) -> usize {
    let (start, end) = year_to(day);
    staff
        .iter()
        .flat_map(|s| s.conversions.iter().map(move |c| (s, c)))
        .filter(|(_, c)| c.date >= start && c.date <= end)
        .filter(|(s, c)| s.on(c.date).is_some_and(|p| unit.holds(p)))
        .count()
}
