//! Who has held a child's case: each change of allocated social worker, with the reason it
//! changed, from which SSDA903 SWEpisodes are read without re-keying.

use crate::code_list;
use crate::validation::FieldErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_list!(
    /// Why the allocated social worker changed (903 SW_REASON).
    WorkerChangeReason {
        Manage = "MANAGE": "Management decision, such as balancing caseloads",
        FirstContact = "FCONTA": "First contact: the child's first social worker",
        LeftRole = "LEFTRL": "The social worker left their role",
        Restructure = "ORGRST": "Organisational restructure",
        TransferProcedure = "TSPROC": "Transfer between teams under the service's procedures",
        Absence = "ABSENC": "The social worker is absent (long-term sickness, parental leave)",
        ChildAsked = "CHCHAN": "The child asked for a change",
        ParentAsked = "PCCHAN": "A parent or carer asked for a change",
        WorkerDied = "SWDIED": "The social worker died",
        Other = "OTHERS": "Other reason",
    }
);

impl WorkerChangeReason {
    /// The reasons a manager may give for handing a case over: all but first contact, which
    /// only the first worker a child has can be.
    pub fn for_hand_over() -> impl Iterator<Item = WorkerChangeReason> {
        Self::ALL.iter().copied().filter(|r| *r != WorkerChangeReason::FirstContact)
    }
}

/// One allocation as recorded: from `date` the case is held by `worker` (or by nobody).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub date: NaiveDate,
    pub worker: Option<String>,
    pub reason: Option<WorkerChangeReason>,
}

/// A period with one allocated social worker (a 903 SWEpisodes row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkerEpisode {
    pub worker: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// Why this worker took over: for the first worker a child ever has, first contact.
    pub reason: Option<WorkerChangeReason>,
}

/// Checks a new allocation against the worker who holds the case now: handing it from one
/// worker to another needs the reason.
pub fn check_worker_change(
    current: Option<&str>,
    new: Option<&str>,
    reason: Option<WorkerChangeReason>,
) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    let hand_over = matches!((current, new), (Some(c), Some(n)) if c != n);
    if hand_over && reason.is_none() {
        errors.add("reason", "Select why the social worker is changing");
    }
    if hand_over && reason == Some(WorkerChangeReason::FirstContact) {
        errors.add("reason", "First contact is only for a child's first social worker: select why it is changing");
    }
    errors.into_result(())
}

/// Works out the social worker episodes from the allocations, in date order. Re-allocating to the
/// same worker (a team move) continues the episode; an allocation to nobody ends it; a worker
/// replaced on the day they were allocated leaves no episode.
pub fn worker_episodes(allocations: &[Allocation]) -> Vec<WorkerEpisode> {
    let mut ordered: Vec<&Allocation> = allocations.iter().collect();
    ordered.sort_by_key(|a| a.date);
    let mut episodes: Vec<WorkerEpisode> = Vec::new();
    for allocation in ordered {
        let open = episodes.last().filter(|e| e.end.is_none());
        if open.map(|e| Some(&e.worker)) == Some(allocation.worker.as_ref()) {
            continue;
        }
        if open.is_some() {
            let last = episodes.len() - 1;
            if episodes[last].start == allocation.date {
                episodes.pop();
            } else {
                episodes[last].end = Some(allocation.date);
            }
        }
        if let Some(worker) = &allocation.worker {
            let reason = if episodes.is_empty() {
                allocation.reason.or(Some(WorkerChangeReason::FirstContact))
            } else {
                allocation.reason.or(Some(WorkerChangeReason::Other))
            };
            episodes.push(WorkerEpisode { worker: worker.clone(), start: allocation.date, end: None, reason });
        }
    }
    episodes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).expect("date")
    }

    fn to(worker: Option<&str>, date: NaiveDate, reason: Option<WorkerChangeReason>) -> Allocation {
        Allocation { date, worker: worker.map(str::to_string), reason }
    }

    #[test]
    fn each_change_of_worker_starts_an_episode_the_day_the_last_ends() {
        let episodes = worker_episodes(&[
            to(Some("ana"), day(1, 5), None),
            to(Some("ben"), day(3, 2), Some(WorkerChangeReason::LeftRole)),
            to(Some("cat"), day(6, 1), Some(WorkerChangeReason::ChildAsked)),
        ]);
        let rows: Vec<_> = episodes.iter().map(|e| (e.worker.as_str(), e.start, e.end, e.reason)).collect();
        assert_eq!(
            rows,
            vec![
                ("ana", day(1, 5), Some(day(3, 2)), Some(WorkerChangeReason::FirstContact)),
                ("ben", day(3, 2), Some(day(6, 1)), Some(WorkerChangeReason::LeftRole)),
                ("cat", day(6, 1), None, Some(WorkerChangeReason::ChildAsked)),
            ]
        );
    }

    #[test]
    fn a_team_move_with_the_same_worker_continues_the_episode() {
        let episodes = worker_episodes(&[to(Some("ana"), day(1, 5), None), to(Some("ana"), day(2, 5), None)]);
        assert_eq!(episodes.len(), 1);
        assert_eq!(episodes[0].end, None);
    }

    #[test]
    fn unallocating_ends_the_episode_and_a_later_worker_starts_one() {
        let episodes = worker_episodes(&[
            to(Some("ana"), day(1, 5), None),
            to(None, day(2, 1), None),
            to(Some("ben"), day(2, 20), Some(WorkerChangeReason::Absence)),
        ]);
        assert_eq!(episodes[0].end, Some(day(2, 1)));
        assert_eq!((episodes[1].start, episodes[1].end), (day(2, 20), None));
        assert_eq!(episodes[1].reason, Some(WorkerChangeReason::Absence));
        assert_eq!(episodes.iter().filter(|e| e.end.is_none()).count(), 1, "only the last is open");
    }

    #[test]
    fn a_worker_replaced_on_the_day_leaves_no_episode() {
        let episodes = worker_episodes(&[
            to(Some("ana"), day(1, 5), None),
            to(Some("ben"), day(4, 1), Some(WorkerChangeReason::Manage)),
            to(Some("cat"), day(4, 1), Some(WorkerChangeReason::Manage)),
        ]);
        let workers: Vec<_> = episodes.iter().map(|e| (e.worker.as_str(), e.end)).collect();
        assert_eq!(workers, vec![("ana", Some(day(4, 1))), ("cat", None)]);
    }

    #[test]
    fn allocations_are_read_in_date_order_and_a_missing_reason_after_the_first_reads_as_other() {
        let episodes = worker_episodes(&[to(Some("ben"), day(3, 1), None), to(Some("ana"), day(1, 1), None)]);
        assert_eq!(episodes[0].worker, "ana");
        assert_eq!(episodes[1].reason, Some(WorkerChangeReason::Other));
    }

    #[test]
    fn handing_a_case_to_another_worker_needs_a_reason() {
        let refused = check_worker_change(Some("ana"), Some("ben"), None).expect_err("no reason");
        assert_eq!(refused.0[0].field, "reason");
        assert!(check_worker_change(Some("ana"), Some("ben"), Some(WorkerChangeReason::LeftRole)).is_ok());
        assert!(check_worker_change(None, Some("ben"), None).is_ok(), "a first worker needs none");
        assert!(check_worker_change(Some("ana"), Some("ana"), None).is_ok(), "the same worker is no change");
    }

    #[test]
    fn the_reason_codes_are_the_903_list() {
        let codes: Vec<_> = WorkerChangeReason::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(
            codes,
            ["MANAGE", "FCONTA", "LEFTRL", "ORGRST", "TSPROC", "ABSENC", "CHCHAN", "PCCHAN", "SWDIED", "OTHERS"]
        );
        assert_eq!(WorkerChangeReason::from_code("leftrl"), Some(WorkerChangeReason::LeftRole));
    }
}
