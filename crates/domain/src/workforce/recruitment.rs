//! Recruitment: vacancies, and candidates' applications moving through their stages (applied,
//! shortlisted, interviewed by a panel of recruitment champions, offered, accepted, started, or
//! withdrawn). A start fills the vacancy; time to hire runs from the day it opened.

use crate::code_list;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_list!(
    /// Where an application stands.
    ApplicationStage {
        Applied = "applied": "Applied",
        Shortlisted = "shortlisted": "Shortlisted",
        Interviewed = "interviewed": "Interviewed",
        Offered = "offered": "Offered",
        Accepted = "accepted": "Accepted",
        Started = "started": "Started",
        Withdrawn = "withdrawn": "Withdrawn",
    }
);

impl ApplicationStage {
    /// The stage that follows in order, if the application is still open.
    pub fn next(self) -> Option<ApplicationStage> {
        use ApplicationStage::*;
        match self {
            Applied => Some(Shortlisted),
            Shortlisted => Some(Interviewed),
            Interviewed => Some(Offered),
            Offered => Some(Accepted),
            Accepted => Some(Started),
            Started | Withdrawn => None,
        }
    }

    pub fn is_open(self) -> bool {
        self.next().is_some()
    }
}

/// Something that happened to an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ApplicationStep {
    Applied {
        date: NaiveDate,
    },
    Shortlisted {
        date: NaiveDate,
    },
    /// The interview, with its panel of recruitment champions (user ids).
    Interviewed {
        date: NaiveDate,
        panel: Vec<String>,
    },
    Offered {
        date: NaiveDate,
    },
    Accepted {
        date: NaiveDate,
    },
    Started {
        date: NaiveDate,
    },
    Withdrawn {
        date: NaiveDate,
        reason: String,
    },
}

impl ApplicationStep {
    pub fn date(&self) -> NaiveDate {
        use ApplicationStep::*;
        match self {
            Applied { date }
            | Shortlisted { date }
            | Interviewed { date, .. }
            | Offered { date }
            | Accepted { date }
            | Started { date }
            | Withdrawn { date, .. } => *date,
        }
    }

    pub fn stage(&self) -> ApplicationStage {
        use ApplicationStep::*;
        match self {
            Applied { .. } => ApplicationStage::Applied,
            Shortlisted { .. } => ApplicationStage::Shortlisted,
            Interviewed { .. } => ApplicationStage::Interviewed,
            Offered { .. } => ApplicationStage::Offered,
            Accepted { .. } => ApplicationStage::Accepted,
            Started { .. } => ApplicationStage::Started,
            Withdrawn { .. } => ApplicationStage::Withdrawn,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            ApplicationStep::Interviewed { panel, .. } => format!("Interviewed by a panel of {}", panel.len()),
            ApplicationStep::Withdrawn { reason, .. } if !reason.is_empty() => format!("Withdrawn: {reason}"),
            step => step.stage().label().to_string(),
        }
    }
}

/// Why a step cannot be taken, in words staff can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RecruitmentRuleBroken(pub String);

/// Checks the next step of an application at `current` (since `since`), on a vacancy opened on
/// `opened` that is still open: steps go in order, never back in time, and an interview has a
/// panel. Returns the stage it moves to.
pub fn take_step(
    current: ApplicationStage,
    since: NaiveDate,
    opened: NaiveDate,
    vacancy_open: bool,
    step: &ApplicationStep,
) -> Result<ApplicationStage, RecruitmentRuleBroken> {
    let broken = |m: &str| Err(RecruitmentRuleBroken(m.into()));
    if !current.is_open() {
        return broken("the application has ended");
    }
    if step.date() < since || step.date() < opened {
        return broken("a step cannot be dated before the last one or before the vacancy opened");
    }
    let to = step.stage();
    if to != ApplicationStage::Withdrawn && current.next() != Some(to) {
        return broken(&format!(
            "an application at {} moves on to {}",
            current.label().to_lowercase(),
            current.next().map(|n| n.label().to_lowercase()).unwrap_or_default()
        ));
    }
    if to == ApplicationStage::Started && !vacancy_open {
        return broken("the vacancy has already been filled or closed");
    }
    if let ApplicationStep::Interviewed { panel, .. } = step {
        if panel.is_empty() {
            return broken("an interview needs a panel of at least one recruitment champion");
        }
    }
    Ok(to)
}

/// Days from a vacancy opening to the day its new worker started.
pub fn time_to_hire(opened: NaiveDate, started: NaiveDate) -> i64 {
    (started - opened).num_days()
}

/// A vacancy, for the vacancy rate: its FTE, and the days it was open.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OpenPost {
    pub fte: f64,
    pub opened: NaiveDate,
    /// The day it was filled or closed; still vacant before then.
    pub closed: Option<NaiveDate>,
    /// Whether it closed because someone started in it.
    pub filled: bool,
}

/// The average days to hire of the posts filled in the 12 months to `day`.
pub fn average_time_to_hire(posts: &[OpenPost], day: NaiveDate) -> Option<f64> {
    let start = day.checked_sub_months(chrono::Months::new(12)).unwrap_or(day);
    let days: Vec<i64> = posts
        .iter()
        .filter_map(|p| p.closed.filter(|c| p.filled && *c > start && *c <= day).map(|c| time_to_hire(p.opened, c)))
        .collect();
    (!days.is_empty()).then(|| days.iter().sum::<i64>() as f64 / days.len() as f64)
}

/// Vacant FTE on `day`.
pub fn vacant_fte(posts: &[OpenPost], day: NaiveDate) -> f64 {
    posts.iter().filter(|p| p.opened <= day && p.closed.is_none_or(|c| c > day)).map(|p| p.fte).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).expect("date")
    }

    #[test]
    fn an_application_moves_through_its_stages_in_order() {
        let opened = d(1, 5);
        let mut stage = ApplicationStage::Applied;
        let mut since = d(1, 10);
        let steps = [
            ApplicationStep::Shortlisted { date: d(1, 20) },
            ApplicationStep::Interviewed { date: d(2, 3), panel: vec!["champion".into()] },
            ApplicationStep::Offered { date: d(2, 5) },
            ApplicationStep::Accepted { date: d(2, 9) },
            ApplicationStep::Started { date: d(4, 1) },
        ];
        for step in &steps {
            stage = take_step(stage, since, opened, true, step).expect("in order");
            since = step.date();
        }
        assert_eq!(stage, ApplicationStage::Started);
        assert_eq!(time_to_hire(opened, d(4, 1)), 86);
        let after =
            take_step(stage, since, opened, true, &ApplicationStep::Withdrawn { date: d(4, 2), reason: String::new() });
        assert!(after.is_err(), "an ended application takes no more steps");
    }

    #[test]
    fn steps_out_of_order_back_in_time_or_without_a_panel_are_refused() {
        let opened = d(1, 5);
        let skip =
            take_step(ApplicationStage::Applied, d(1, 10), opened, true, &ApplicationStep::Offered { date: d(1, 11) });
        assert!(skip.expect_err("skips").0.contains("moves on to shortlisted"));
        let early = take_step(
            ApplicationStage::Applied,
            d(1, 10),
            opened,
            true,
            &ApplicationStep::Shortlisted { date: d(1, 9) },
        );
        assert!(early.is_err());
        let no_panel = take_step(
            ApplicationStage::Shortlisted,
            d(1, 10),
            opened,
            true,
            &ApplicationStep::Interviewed { date: d(1, 12), panel: vec![] },
        );
        assert!(no_panel.expect_err("no panel").0.contains("panel"));
        let filled =
            take_step(ApplicationStage::Accepted, d(1, 10), opened, false, &ApplicationStep::Started { date: d(2, 1) });
        assert!(filled.expect_err("filled").0.contains("already been filled"));
        let withdraw = take_step(
            ApplicationStage::Interviewed,
            d(1, 10),
            opened,
            true,
            &ApplicationStep::Withdrawn { date: d(1, 12), reason: "Took another job".into() },
        );
        assert_eq!(withdraw, Ok(ApplicationStage::Withdrawn), "withdrawing is open at any stage");
    }

    #[test]
    fn vacant_fte_counts_posts_open_on_the_day() {
        let posts = [
            OpenPost { fte: 1.0, opened: d(1, 1), closed: Some(d(3, 1)), filled: true },
            OpenPost { fte: 0.5, opened: d(2, 1), closed: None, filled: false },
            OpenPost { fte: 1.0, opened: d(1, 1), closed: Some(d(1, 31)), filled: false },
        ];
        assert_eq!(vacant_fte(&posts, d(1, 15)), 2.0);
        assert_eq!(vacant_fte(&posts, d(2, 15)), 1.5);
        assert_eq!(vacant_fte(&posts, d(3, 1)), 0.5, "filled on the 1st");
        assert_eq!(average_time_to_hire(&posts, d(6, 1)), Some(59.0), "only the filled post counts");
        assert_eq!(average_time_to_hire(&posts, d(2, 1)), None);
    }
}
