//! Training and development: courses, events and programmes (the ASYE, Frontline, practice
//! educators, the systemic family therapy programme), workers' requests for places, their
//! manager's approval, attendance and completion; and the ASYE's milestones.

use crate::code_list;
use chrono::{Months, NaiveDate};

code_list!(
    /// What kind of training a course is.
    Programme {
        Course = "course": "Course or event",
        Asye = "asye": "Assessed and supported year in employment (ASYE) programme",
        Frontline = "frontline": "Frontline programme (students and their consultant social workers)",
        PracticeEducator = "practice_educator": "Practice educator training",
        SystemicFamilyTherapy = "sft": "Systemic family therapy programme",
    }
);

code_list!(
    /// Where a worker's request for a place stands.
    TrainingStatus {
        Requested = "requested": "Requested",
        Approved = "approved": "Approved",
        Declined = "declined": "Declined",
        Attended = "attended": "Attended",
        Missed = "missed": "Did not attend",
        Completed = "completed": "Completed",
    }
);

impl TrainingStatus {
    /// Where a request may go next: a manager decides it, then HR records attendance and completion.
    pub fn next(self) -> &'static [TrainingStatus] {
        use TrainingStatus::*;
        match self {
            Requested => &[Approved, Declined],
            Approved => &[Attended, Missed],
            Attended => &[Completed],
            Declined | Missed | Completed => &[],
        }
    }

    /// Whether a request at this status holds a place on the course.
    pub fn holds_place(self) -> bool {
        !matches!(self, TrainingStatus::Declined | TrainingStatus::Missed)
    }

    /// Whether the worker's manager decides this step (the rest are HR's).
    pub fn is_decision(self) -> bool {
        matches!(self, TrainingStatus::Approved | TrainingStatus::Declined)
    }
}

/// Why a step cannot be taken, in words staff can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TrainingRuleBroken(pub String);

/// Checks a request's move from `current` (since `since`) to `to` on `date`, for a course that
/// starts on `starts`: in order, not back in time, and attendance only once the course began.
pub fn check_training_step(
    current: TrainingStatus,
    since: NaiveDate,
    to: TrainingStatus,
    date: NaiveDate,
    starts: NaiveDate,
) -> Result<(), TrainingRuleBroken> {
    let broken = |m: String| Err(TrainingRuleBroken(m));
    if !current.next().contains(&to) {
        return broken(format!(
            "a request that is {} cannot become {}",
            current.label().to_lowercase(),
            to.label().to_lowercase()
        ));
    }
    if date < since {
        return broken("a step cannot be dated before the last one".into());
    }
    if matches!(to, TrainingStatus::Attended | TrainingStatus::Missed | TrainingStatus::Completed) && date < starts {
        return broken("attendance is recorded once the course has begun".into());
    }
    Ok(())
}

/// The ASYE's milestones from the day it began: reviews at 3 and 6 months, the final assessment
/// at 12.
pub fn asye_milestones(began: NaiveDate) -> Vec<(&'static str, NaiveDate)> {
    [("Three-month review", 3), ("Six-month review", 6), ("Final assessment", 12)]
        .into_iter()
        .filter_map(|(name, months)| began.checked_add_months(Months::new(months)).map(|d| (name, d)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use TrainingStatus::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).expect("date")
    }

    #[test]
    fn a_request_is_decided_then_attended_then_completed_in_order() {
        let starts = d(5, 1);
        assert!(check_training_step(Requested, d(3, 1), Approved, d(3, 2), starts).is_ok());
        assert!(check_training_step(Approved, d(3, 2), Attended, d(5, 1), starts).is_ok());
        assert!(check_training_step(Attended, d(5, 1), Completed, d(5, 3), starts).is_ok());
        let skip = check_training_step(Requested, d(3, 1), Completed, d(6, 1), starts).expect_err("skips");
        assert!(skip.0.contains("cannot become completed"));
        assert!(check_training_step(Approved, d(3, 2), Attended, d(4, 30), starts)
            .expect_err("early")
            .0
            .contains("once the course"));
        assert!(check_training_step(Requested, d(3, 5), Declined, d(3, 4), starts).is_err(), "back in time");
        assert!(Declined.next().is_empty() && Completed.next().is_empty());
        assert!(Approved.is_decision() && !Attended.is_decision());
    }

    #[test]
    fn the_asye_has_reviews_at_three_and_six_months_and_a_final_assessment_at_twelve() {
        let milestones = asye_milestones(d(1, 5));
        assert_eq!(
            milestones,
            vec![
                ("Three-month review", d(4, 5)),
                ("Six-month review", d(7, 5)),
                ("Final assessment", NaiveDate::from_ymd_opt(2027, 1, 5).expect("date"))
            ]
        );
    }
}
