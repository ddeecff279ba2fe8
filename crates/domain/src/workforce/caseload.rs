//! Caseloads counted from allocations: on any day, each worker's children, each weighted by the
//! kind of case it was that day (looked after, on a protection plan, in need, or other) with the
//! council's weights.

use crate::cases::care::{care_history, CareEntry, CareEpisode};
use crate::cases::{worker_episodes, Allocation, ClockRules, Event, Journey, RuleContext, WorkerEpisode};
use chrono::NaiveDate;
use std::collections::HashMap;

/// The kind of case a child is on a day, most demanding first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CaseKind {
    LookedAfter,
    Protection,
    InNeed,
    Other,
}

impl CaseKind {
    /// The case's weight under the council's rules.
    pub fn weight(self, rules: &ClockRules) -> f64 {
        let tenths = match self {
            CaseKind::LookedAfter => rules.caseload_weight_looked_after,
            CaseKind::Protection => rules.caseload_weight_protection,
            CaseKind::InNeed => rules.caseload_weight_in_need,
            CaseKind::Other => rules.caseload_weight_other,
        };
        f64::from(tenths) / 10.0
    }
}

/// One child's case over time: who held it, and what kind of case it was when.
#[derive(Debug, Clone, Default)]
pub struct Case {
    pub workers: Vec<WorkerEpisode>,
    /// (from, to inclusive if any, kind).
    pub periods: Vec<(NaiveDate, Option<NaiveDate>, CaseKind)>,
}

impl Case {
    /// The periods of each kind, from the child's journey and their care episodes.
    pub fn new(workers: Vec<WorkerEpisode>, journey: &Journey, care: &[CareEpisode]) -> Self {
        let mut periods = Vec::new();
        for e in journey.episodes.iter().filter(|e| !e.nfa) {
            periods.push((e.referral_date, e.closed.map(|(d, _)| d), CaseKind::InNeed));
            periods.extend(e.cp_plans.iter().map(|p| (p.start, p.end, CaseKind::Protection)));
        }
        periods.extend(care.iter().map(|e| (e.start, e.end, CaseKind::LookedAfter)));
        Self { workers, periods }
    }

    /// A child's case read from their recorded journey, care and allocations.
    pub fn read(
        events: &[Event],
        care: &[CareEntry],
        allocations: &[Allocation],
        context: &RuleContext,
    ) -> Result<Self, String> {
        let journey = Journey::replay(events, context).map_err(|e| format!("the journey no longer replays: {e}"))?;
        let care = care_history(care).map_err(|e| format!("the care no longer reads: {e}"))?;
        Ok(Self::new(worker_episodes(allocations), &journey, &care.episodes))
    }

    /// The worker holding the case on `day`, if any.
    pub fn worker_on(&self, day: NaiveDate) -> Option<&str> {
        self.workers.iter().find(|w| w.start <= day && w.end.is_none_or(|end| end > day)).map(|w| w.worker.as_str())
    }

    /// The kind of case on `day`: the most demanding that applies.
    pub fn kind_on(&self, day: NaiveDate) -> CaseKind {
        self.periods
            .iter()
            .filter(|(from, to, _)| *from <= day && to.is_none_or(|t| t >= day))
            .map(|(_, _, kind)| *kind)
            .min()
            .unwrap_or(CaseKind::Other)
    }
}

/// Each worker's weighted caseload on `day`.
pub fn caseloads(cases: &[Case], day: NaiveDate, rules: &ClockRules) -> HashMap<String, f64> {
    let mut loads: HashMap<String, f64> = HashMap::new();
    for case in cases {
        if let Some(worker) = case.worker_on(day) {
            *loads.entry(worker.to_string()).or_default() += case.kind_on(day).weight(rules);
        }
    }
    loads
}

/// The average weighted caseload of `holders`, and the share of them over the council's threshold.
pub fn caseload_figures(loads: &HashMap<String, f64>, holders: &[&str], rules: &ClockRules) -> Option<(f64, f64)> {
    if holders.is_empty() {
        return None;
    }
    let of = |h: &&str| loads.get(*h).copied().unwrap_or(0.0);
    let total: f64 = holders.iter().map(of).sum();
    let over = holders.iter().filter(|h| of(h) > f64::from(rules.caseload_threshold)).count();
    let n = holders.len() as f64;
    Some((total / n, over as f64 / n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).expect("date")
    }

    fn held(by: &str, from: NaiveDate, to: Option<NaiveDate>) -> WorkerEpisode {
        WorkerEpisode { worker: by.into(), start: from, end: to, reason: None }
    }

    #[test]
    fn caseloads_weigh_each_child_by_the_kind_of_case_it_was_that_day() {
        let rules = ClockRules::default();
        let looked_after = Case {
            workers: vec![held("ana", d(1, 1), None)],
            periods: vec![(d(1, 1), None, CaseKind::InNeed), (d(3, 1), None, CaseKind::LookedAfter)],
        };
        let in_need = Case {
            workers: vec![held("ana", d(1, 1), Some(d(6, 1))), held("ben", d(6, 1), None)],
            periods: vec![(d(1, 1), None, CaseKind::InNeed)],
        };
        let other = Case { workers: vec![held("ana", d(1, 1), None)], periods: vec![] };
        let cases = [looked_after, in_need, other];
        let feb = caseloads(&cases, d(2, 1), &rules);
        assert_eq!(feb.get("ana"), Some(&2.5), "in need 1.0 + in need 1.0 + other 0.5");
        let april = caseloads(&cases, d(4, 1), &rules);
        assert_eq!(april.get("ana"), Some(&3.0), "looked after now weighs 1.5");
        let july = caseloads(&cases, d(7, 1), &rules);
        assert_eq!((july.get("ana"), july.get("ben")), (Some(&2.0), Some(&1.0)), "the case moved to Ben on 1 June");
        let heavier = rules.clone().with_override("caseload_weight_other", 10).expect("rule");
        assert_eq!(caseloads(&cases, d(2, 1), &heavier).get("ana"), Some(&3.0), "the council's own weights");
    }

    #[test]
    fn the_share_over_the_threshold_counts_case_holders_with_more_than_it() {
        let rules = ClockRules::default().with_override("caseload_threshold", 2).expect("rule");
        let loads: HashMap<String, f64> = [("ana".to_string(), 3.0), ("ben".to_string(), 2.0)].into_iter().collect();
        let (average, over) = caseload_figures(&loads, &["ana", "ben", "cat"], &rules).expect("figures");
        assert!((average - 5.0 / 3.0).abs() < 1e-9);
        assert!((over - 1.0 / 3.0).abs() < 1e-9, "only Ana is over 2; Cat holds none");
        assert_eq!(caseload_figures(&loads, &[], &rules), None);
    }
}
