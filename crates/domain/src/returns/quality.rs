//! Live data quality: the DfE's rules run on one child whenever their record changes, for the
//! returns still open, so that errors are put right as the work is done.

use super::cin::rules::{check_child, ruleset, Period};
use super::cin::{child_in_period, CensusChild};
use super::ssda903::rules as lac;
use super::ssda903::{return_903, return_903_as_at, CareChild, Ssda903Return};
use super::{CollectionYear, Severity};
use crate::cases::RuleContext;
use chrono::{Datelike, NaiveDate};

/// The statutory returns whose rules are run on a save.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StatutoryReturn {
    Cin,
    Ssda903,
}

impl StatutoryReturn {
    pub fn label(self) -> &'static str {
        match self {
            StatutoryReturn::Cin => "CIN",
            StatutoryReturn::Ssda903 => "SSDA903",
        }
    }
}

/// Something the rules found in a child's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub statutory_return: StatutoryReturn,
    pub year: CollectionYear,
    pub rule: &'static str,
    pub severity: Severity,
    pub message: &'static str,
    /// Where in the record, such as "CINdetails 1 Assessments 1".
    pub at: String,
}

/// The returns still open on `today`: the year in progress and, from April to July while its
/// return is being prepared, the year just ended. Only years Canopy has rules for.
pub fn open_years(today: NaiveDate) -> Vec<CollectionYear> {
    let in_progress = if today.month() >= 4 { today.year() + 1 } else { today.year() };
    let mut years = Vec::new();
    if (4..=7).contains(&today.month()) {
        years.push(CollectionYear(in_progress - 1));
    }
    years.push(CollectionYear(in_progress));
    years.retain(|y| CollectionYear::SUPPORTED.contains(y));
    years
}

/// What the CIN census rules find in one child's record on `today`, for each open return. For
/// the year in progress the census is taken as at today: an assessment is late when it is late
/// now, not when the year ends.
pub fn cin_problems(child: &CensusChild, today: NaiveDate, ctx: &RuleContext) -> Result<Vec<Problem>, String> {
    let mut problems = Vec::new();
    for year in open_years(today) {
        let (Some(start), Some(reference)) = (year.start(), year.reference_date()) else { continue };
        let end = reference.min(today);
        let Some(census_child) = child_in_period(child, start, end, ctx)? else { continue };
        let Some(rules) = ruleset(year) else { continue };
        let period = Period::new(start, end, ctx.calendar);
        for finding in check_child(&rules, &census_child, &period) {
            let Some(rule) = rules.iter().find(|r| r.code == finding.rule) else { continue };
            problems.push(Problem {
                statutory_return: StatutoryReturn::Cin,
                year,
                rule: rule.code,
                severity: rule.severity(),
                message: rule.message.trim(),
                at: finding.at,
            });
        }
    }
    Ok(problems)
}

/// The child's returns for every year before `year` since their care began, as one: the rules
/// that compare with "last year" are written for the DfE's tool, which has only the year before,
/// and Canopy has the whole record. A later year's copy of a row (an episode open at one year's end
/// and ended in the next) is the one kept.
fn before(child: &CareChild, year: CollectionYear) -> Ssda903Return {
    let collection_year = |d: NaiveDate| if d.month() >= 4 { d.year() + 1 } else { d.year() };
    let first = child.care.episodes.iter().map(|e| collection_year(e.start)).min().unwrap_or(year.0);
    let mut all = Ssda903Return::default();
    for y in first..year.0 {
        let r = return_903(CollectionYear(y), [*child]);
        if !r.header.is_empty() {
            all.header = r.header;
        }
        all.episodes.retain(|e| !r.episodes.iter().any(|n| n.decom == e.decom));
        all.episodes.extend(r.episodes);
        macro_rules! once {
            ($($table:ident),+) => {$(
                for row in r.$table {
                    if !all.$table.contains(&row) {
                        all.$table.push(row);
                    }
                }
            )+};
        }
        once!(reviews, uasc, oc2, oc3, ad1, placed_adoption, prev_perm, missing, sw_episodes, dolo);
    }
    all
}

/// What the SSDA903 rules find in one looked-after child's care on `today`, for each open
/// return. The child's returns for the years before are built from the same records, so the rules
/// that compare with last year run too; those that need Ofsted's lists or the postcode directory
/// do not. For the year in progress the year is taken to end today.
pub fn ssda903_problems(child: &CareChild, local_authority: Option<&str>, today: NaiveDate) -> Vec<Problem> {
    let mut problems = Vec::new();
    for year in open_years(today) {
        let Some(rules) = lac::ruleset(year) else { continue };
        let rules: Vec<&lac::Rule> = rules.into_iter().filter(|r| r.is_per_child()).collect();
        let this_year = return_903_as_at(year, today, [*child]);
        if this_year.header.is_empty() {
            continue;
        }
        let last_year = before(child, year);
        let inputs = lac::Inputs { local_authority, last_year: Some(&last_year), ..Default::default() };
        let Some(cx) = lac::Context::new(year, &this_year, inputs).map(|cx| cx.as_at(today)) else { continue };
        for record in lac::care_records(&this_year) {
            for finding in lac::check_child(&rules, &record, &cx) {
                let Some(rule) = rules.iter().find(|r| r.code == finding.rule) else { continue };
                problems.push(Problem {
                    statutory_return: StatutoryReturn::Ssda903,
                    year,
                    rule: rule.code,
                    severity: rule.severity(),
                    message: rule.message.trim(),
                    at: finding.at,
                });
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::WorkingCalendar;
    use crate::cases::{ClockRules, Event, ReferralSource};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn the_open_returns_are_the_year_in_progress_and_in_summer_the_year_just_ended() {
        assert_eq!(open_years(d(2026, 12, 2)), vec![CollectionYear(2027)]);
        assert_eq!(open_years(d(2026, 5, 1)), vec![CollectionYear(2026), CollectionYear(2027)]);
        assert_eq!(open_years(d(2026, 2, 1)), vec![CollectionYear(2026)]);
        assert_eq!(open_years(d(2030, 2, 1)), vec![], "no rules for 2030 yet");
    }

    #[test]
    fn a_child_is_checked_as_their_record_stands_today() {
        let calendar = WorkingCalendar::england_and_wales();
        let rules = ClockRules::default();
        let ctx = RuleContext { calendar: &calendar, rules: &rules };
        let events = vec![
            Event::ReferralAccepted {
                episode: "e1".into(),
                date: d(2026, 9, 1),
                source: ReferralSource::School,
                nfa: false,
                primary_need: None,
            },
            Event::AssessmentStarted { episode: "e1".into(), assessment: "a1".into(), date: d(2026, 9, 2) },
        ];
        let disabilities = vec!["NONE".to_string()];
        let child = CensusChild {
            local_id: "K1",
            upn: None,
            former_upn: None,
            upn_unknown: Some("UN2"),
            birth_date: Some(d(2015, 6, 1)),
            expected_birth_date: None,
            sex: "F",
            death_date: None,
            ethnicity: "WBRI",
            disabilities: &disabilities,
            events: &events,
        };
        let problems = cin_problems(&child, d(2026, 12, 2), &ctx).expect("checked");
        let rules: Vec<&str> = problems.iter().map(|p| p.rule).collect();
        assert!(rules.contains(&"8610"), "no primary need for a referral going on: {rules:?}");
        assert!(rules.contains(&"8670Q"), "the assessment is over 45 working days old today: {rules:?}");
        assert!(problems.iter().all(|p| p.year == CollectionYear(2027)));
        let early = cin_problems(&child, d(2026, 9, 10), &ctx).expect("checked");
        assert!(!early.iter().any(|p| p.rule == "8670Q"), "not late in September");
    }
}
