//! The child's journey: the front door, referrals and child in need episodes, assessments,
//! strategy discussions, section 47 enquiries, conferences and plans; their lifecycle rules and
//! their statutory clocks.

mod allocation;
pub mod care;
mod clocks;
mod codes;
mod journey;
#[cfg(test)]
mod tests;

pub use allocation::{check_worker_change, worker_episodes, Allocation, WorkerChangeReason, WorkerEpisode};
pub use clocks::{clock_status, running_clocks, ClockKind, ClockRules, ClockSource, ClockStatus, RunningClock};
pub use codes::{
    check_factors, AbuseCategory, AssessmentFactor, AssessmentOutcome, ClosureReason, ContactDecision, NoteType,
    PrimaryNeed, ReferralSource,
};
pub use journey::{
    Assessment, ChildInNeedPlan, ChildProtectionPlan, Contact, Episode, Event, Journey, RuleBroken, RuleContext,
    Section47, Visit,
};
