//! The DfE's CIN census validation rules, chosen by collection year. Each rule has the DfE's
//! code and message. Most look at one child, so a child can be re-checked alone when their
//! record changes; a few look at the whole return (duplicate ids, council-wide proportions).
//! A code ending in Q is a query: to be explained rather than fixed.

mod child;
mod episode;
mod protection;
#[cfg(test)]
mod tests;

use super::{flag, CinChild, CinDetails, CinReturn};
use crate::calendar::WorkingCalendar;
use crate::on_cores::map_on_cores;
use crate::returns::compare::{eq, is, le, lt};
use crate::returns::{CollectionYear, Finding, Severity};
use chrono::{Datelike, NaiveDate, Weekday};
use std::fmt;

/// The census year the rules check against, and the days its timescale rules count back to.
pub struct Period {
    pub start: NaiveDate,
    /// The reference date, 31 March (or, for a year in progress, the day of the check).
    pub end: NaiveDate,
    /// 45 working days back from the end: an assessment open since before is late.
    assessments_due: NaiveDate,
    /// 15 working days back from the end: an enquiry open since before should have conferred.
    enquiries_due: NaiveDate,
}

impl Period {
    /// The period from `start` to `end`, counting working days by `calendar`.
    pub fn new(start: NaiveDate, end: NaiveDate, calendar: &WorkingCalendar) -> Self {
        Self {
            start,
            end,
            assessments_due: working_days_back(calendar, end, 45),
            enquiries_due: working_days_back(calendar, end, 15),
        }
    }

    pub fn of(year: CollectionYear, calendar: &WorkingCalendar) -> Option<Self> {
        Some(Self::new(year.start()?, year.reference_date()?, calendar))
    }

    fn contains(&self, day: Option<NaiveDate>) -> bool {
        day.is_some_and(|d| d >= self.start && d <= self.end)
    }
}

/// The day `n` working days back from `end`, counting `end` itself as the first, as the DfE's
/// timescale rules count.
fn working_days_back(calendar: &WorkingCalendar, end: NaiveDate, n: u32) -> NaiveDate {
    let mut day = end;
    while !calendar.is_working_day(day) {
        day = day.pred_opt().unwrap_or(day);
    }
    calendar.subtract_working_days(day, n.saturating_sub(1))
}

/// Where in a child's record a rule found something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    Child,
    Episode(usize),
    /// An item of an episode: its kind (the XML element) and its place, both counting from 0.
    Item(usize, &'static str, usize),
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Child => f.write_str("ChildIdentifiers"),
            At::Episode(e) => write!(f, "CINdetails {}", e + 1),
            At::Item(e, kind, i) => write!(f, "CINdetails {} {kind} {}", e + 1, i + 1),
        }
    }
}

type ChildCheck = fn(&CinChild, &Period, &mut Vec<At>);
/// A whole-return rule gives the children it is about by their place in the return, or
/// `None` for the return as a whole.
type ReturnCheck = fn(&CinReturn, &Period, &mut Vec<(Option<usize>, At)>);

pub enum Check {
    Child(ChildCheck),
    Return(ReturnCheck),
}

pub struct Rule {
    pub code: &'static str,
    pub message: &'static str,
    /// The census fields the rule is about.
    pub fields: &'static [&'static str],
    pub check: Check,
}

impl Rule {
    pub fn severity(&self) -> Severity {
        if self.code.ends_with('Q') {
            Severity::Query
        } else {
            Severity::Error
        }
    }

    /// Whether the rule looks at one child at a time (and so can be run on a save).
    pub fn is_per_child(&self) -> bool {
        matches!(self.check, Check::Child(_))
    }
}

/// The rules of the collection year, or `None` when Canopy has none for it.
pub fn ruleset(year: CollectionYear) -> Option<Vec<&'static Rule>> {
    match year.0 {
        // cin2026_27 keeps every rule of cin2025_26 as it was.
        2026 | 2027 => Some(child::RULES.iter().chain(episode::RULES).chain(protection::RULES).collect()),
        _ => None,
    }
}

/// Runs the per-child rules on one child.
pub fn check_child(rules: &[&Rule], child: &CinChild, period: &Period) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut places = Vec::new();
    for rule in rules {
        if let Check::Child(check) = rule.check {
            check(child, period, &mut places);
            dedup(&mut places);
            findings.extend(places.drain(..).map(|at| finding(rule, child, at)));
        }
    }
    findings
}

/// Runs every rule on a whole return; the children are shared among the machine's cores.
pub fn check_return(rules: &[&Rule], census: &CinReturn, period: &Period) -> Vec<Finding> {
    let mut findings: Vec<Finding> =
        map_on_cores(&census.children, |c| check_child(rules, c, period)).into_iter().flatten().collect();
    let mut places = Vec::new();
    for rule in rules {
        if let Check::Return(check) = rule.check {
            check(census, period, &mut places);
            places.dedup();
            for (index, at) in places.drain(..) {
                match index.and_then(|i| census.children.get(i)) {
                    Some(child) => findings.push(finding(rule, child, at)),
                    None => findings.push(Finding {
                        rule: rule.code,
                        child: None,
                        fields: rule.fields.to_vec(),
                        at: at.to_string(),
                    }),
                }
            }
        }
    }
    findings
}

fn dedup(places: &mut Vec<At>) {
    let mut seen = Vec::with_capacity(places.len());
    places.retain(|p| {
        let new = !seen.contains(p);
        if new {
            seen.push(*p);
        }
        new
    });
}

fn finding(rule: &Rule, child: &CinChild, at: At) -> Finding {
    Finding { rule: rule.code, child: child.la_child_id.clone(), fields: rule.fields.to_vec(), at: at.to_string() }
}

fn weekend(day: Option<NaiveDate>) -> bool {
    day.is_some_and(|d| matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
}

/// A referral marked no further action (`1`/`true`).
fn nfa(d: &CinDetails) -> bool {
    flag(d.referral_nfa.as_deref()) == Some(true)
}

/// A referral marked as going on to further action (`0`/`false`).
fn further_action(d: &CinDetails) -> bool {
    flag(d.referral_nfa.as_deref()) == Some(false)
}

fn episodes(c: &CinChild) -> impl Iterator<Item = (usize, &CinDetails)> {
    c.details.iter().enumerate()
}
