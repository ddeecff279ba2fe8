//! Supervision: sessions between a worker and their supervisor, and the rule for how often they
//! fall due (every 4 weeks; every 2 in the assessed and supported year in employment).

use super::{Cfkss, StaffRecord};
use chrono::{Days, Months, NaiveDate};

/// How often social workers are supervised, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupervisionRule {
    pub every_days: u64,
    pub asye_every_days: u64,
}

impl Default for SupervisionRule {
    fn default() -> Self {
        Self { every_days: 28, asye_every_days: 14 }
    }
}

/// When a worker's next supervision is due, from their last session (or the day they started):
/// none unless they are a social worker in post on `today`.
pub fn supervision_due(
    record: &StaffRecord,
    last_session: Option<NaiveDate>,
    rule: SupervisionRule,
    today: NaiveDate,
) -> Option<NaiveDate> {
    let state = record.on(today)?;
    state.post.org_role?;
    let in_asye = record.cfkss.is_some_and(|(since, status)| {
        status == Cfkss::Asye && since.checked_add_months(Months::new(12)).is_some_and(|end| today < end)
    });
    let every = if in_asye { rule.asye_every_days } else { rule.every_days };
    let from = last_session.filter(|d| *d >= state.since).unwrap_or(state.since);
    from.checked_add_days(Days::new(every))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workforce::{staff_record, Employment, Fte, OrgRole, Post, StaffEvent};

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).expect("date")
    }

    fn worker(role: Option<OrgRole>, asye: bool) -> StaffRecord {
        let post = Post {
            team_id: "t1".into(),
            councils: vec!["k".into()],
            job_title: "Social worker".into(),
            org_role: role,
            grade: String::new(),
            fte: Fte::FULL_TIME,
        };
        let mut events =
            vec![StaffEvent::Joined { date: d(1, 5), post, employment: Employment::Permanent, start_origin: None }];
        if asye {
            events.push(StaffEvent::CfkssReached { date: d(1, 5), status: Cfkss::Asye });
        }
        staff_record(&events).expect("valid")
    }

    #[test]
    fn supervision_falls_due_four_weeks_after_the_last_and_two_in_the_asye_year() {
        let rule = SupervisionRule::default();
        let sw = worker(Some(OrgRole::CaseHolder), false);
        assert_eq!(supervision_due(&sw, None, rule, d(3, 1)), Some(d(2, 2)), "four weeks from starting");
        assert_eq!(supervision_due(&sw, Some(d(2, 20)), rule, d(3, 1)), Some(d(3, 20)));
        let newly_qualified = worker(Some(OrgRole::CaseHolder), true);
        assert_eq!(supervision_due(&newly_qualified, Some(d(2, 20)), rule, d(3, 1)), Some(d(3, 6)));
        assert_eq!(
            supervision_due(&newly_qualified, Some(d(2, 20)), rule, NaiveDate::from_ymd_opt(2027, 2, 1).expect("date")),
            Some(d(3, 20)),
            "after the ASYE year, four weeks"
        );
        assert_eq!(supervision_due(&worker(None, false), None, rule, d(3, 1)), None, "not a social worker");
        assert_eq!(supervision_due(&sw, None, rule, d(1, 1)), None, "not yet in post");
    }
}
