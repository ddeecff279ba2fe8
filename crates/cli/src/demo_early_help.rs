//! Early help for the demo: families whose contact the front door sent to early help, and some
//! whose child in need episode closed and stepped down, move to an early help team in their
//! cluster. A school or the early help service leads; there is an assessment, a team around the
//! family, a plan with goals and reviews every six weeks or so, and older episodes have closed.
//! Recorded through the same store call and rules as the pages.

use canopy_domain::calendar::WorkingCalendar;
use canopy_domain::cases::{ClockRules, ContactDecision, Event, Journey, RuleContext, WorkerChangeReason};
use canopy_domain::early_help::{
    early_help_history, EarlyHelpEntry, EarlyHelpOutcome, EarlyHelpStart, LeadProfessional, PartnerAgency,
};
use canopy_store::early_help::EarlyHelpClocks;
use canopy_store::{AuditContext, Scope, Store, StoreError};
use chrono::{Days, NaiveDate};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;

const GOALS: &[&str] = &[
    "School attendance above 95%",
    "A settled bedtime routine",
    "Mum has support with her low mood",
    "The family's rent arrears are in hand",
    "Fewer arguments at home, by the family's own account",
    "The children get to their health appointments",
];

const MEMBERS: &[(&str, PartnerAgency, &str)] = &[
    ("Ms Adeyemi", PartnerAgency::School, "SENCO"),
    ("Jo Patel", PartnerAgency::Health, "School nurse"),
    ("Kerry Lyons", PartnerAgency::Health, "Health visitor"),
    ("Tom Briggs", PartnerAgency::Housing, "Housing officer"),
    ("Aisha Khan", PartnerAgency::Voluntary, "Family support worker, Home-Start"),
];

/// Where a family's early help begins, from their journey: the front door's decision, or a step
/// down from a closed episode.
fn start_of(journey: &Journey, rng: &mut StdRng) -> Option<(NaiveDate, EarlyHelpStart)> {
    if let Some(c) = journey.contacts.iter().rev().find(|c| matches!(c.decided, Some((_, ContactDecision::EarlyHelp))))
    {
        let (day, _) = c.decided?;
        return Some((day + Days::new(2), EarlyHelpStart::FrontDoor { contact: c.id.clone() }));
    }
    let closed = journey.episodes.last().filter(|_| journey.episodes.iter().all(|x| x.closed.is_some()))?;
    let (day, _) = closed.closed?;
    rng.gen_ratio(1, 3).then(|| (day + Days::new(3), EarlyHelpStart::SteppedDown { episode: closed.id.clone() }))
}

/// One family's early help, in the order it happened, up to `today`.
fn story(
    rng: &mut StdRng,
    start: NaiveDate,
    how: EarlyHelpStart,
    lead: LeadProfessional,
    today: NaiveDate,
) -> Vec<EarlyHelpEntry> {
    use EarlyHelpEntry::*;
    let mut entries = vec![Started { date: start, how, lead }];
    let assessing = start + Days::new(rng.gen_range(2..8));
    if assessing >= today {
        return entries;
    }
    let organisation = if rng.gen_bool(0.5) { "The child's school" } else { "The early help service" };
    entries.push(AssessmentStarted { date: assessing, organisation: organisation.into() });
    let done = assessing + Days::new(rng.gen_range(12..40));
    if done >= today {
        return entries;
    }
    entries.push(AssessmentCompleted { date: done });
    let how_many = rng.gen_range(2..4);
    let members: Vec<_> = MEMBERS.choose_multiple(rng, how_many).collect();
    for (name, agency, role) in &members {
        entries.push(MemberJoined { date: done, name: name.to_string(), agency: *agency, role: role.to_string() });
    }
    let meeting = done + Days::new(rng.gen_range(3..10));
    if meeting >= today {
        return entries;
    }
    let attended: Vec<String> = members.iter().map(|(n, _, _)| n.to_string()).collect();
    entries.push(MeetingHeld { date: meeting, attended: attended.clone() });
    let how_many = rng.gen_range(2..4);
    let goals: Vec<String> = GOALS.choose_multiple(rng, how_many).map(|g| g.to_string()).collect();
    entries.push(PlanAgreed { date: meeting, goals: goals.clone() });
    let mut unmet = goals;
    let mut review = meeting + Days::new(rng.gen_range(35..45));
    while review < today {
        let met: Vec<String> = if !unmet.is_empty() && rng.gen_ratio(1, 3) { vec![unmet.remove(0)] } else { vec![] };
        entries.push(MeetingHeld { date: review, attended: attended.clone() });
        entries.push(PlanReviewed { date: review, goals_met: met, note: "Reviewed with the family".into() });
        if unmet.is_empty() || (today - start).num_days() > 300 && rng.gen_ratio(1, 2) {
            let outcome = if unmet.is_empty() { EarlyHelpOutcome::NeedsMet } else { EarlyHelpOutcome::Universal };
            entries.push(Closed { date: review + Days::new(1), outcome });
            break;
        }
        review = review + Days::new(rng.gen_range(35..45));
    }
    entries.retain(|e| e.date() < today);
    entries
}

/// Adds early help to the demo unless some child has it already; returns how many children have it.
pub async fn ensure(store: &Store, today: NaiveDate) -> Result<i64, String> {
    let err = |e: StoreError| e.to_string();
    let already = store.count_children_with_early_help().await.map_err(err)?;
    if already > 0 {
        return Ok(already);
    }
    let teams = store.list_teams(&Scope::Organisation).await.map_err(err)?;
    let users = store.list_users().await.map_err(err)?;
    let ids: Vec<String> = teams.iter().map(|t| t.id.clone()).collect();
    let mut calendars: HashMap<String, (WorkingCalendar, ClockRules)> = HashMap::new();
    let mut rng = StdRng::seed_from_u64(20_15);
    for child in store.children_held(None, &ids, false).await.map_err(err)? {
        if !calendars.contains_key(&child.council_id) {
            let calendar = store.council_calendar(&child.council_id).await.map_err(err)?;
            let rules = store.clock_rules(&child.council_id).await.map_err(err)?;
            calendars.insert(child.council_id.clone(), (calendar, rules));
        }
        let Some((calendar, rules)) = calendars.get(&child.council_id) else { continue };
        // A looked-after child is not offered early help.
        if !store.care_entries(&child.id).await.map_err(err)?.is_empty() {
            continue;
        }
        let events = store.journey_events(&child.id).await.map_err(err)?;
        let journey = Journey::replay(&events, &RuleContext { calendar, rules }).map_err(|e| e.to_string())?;
        let Some((start, how)) = start_of(&journey, &mut rng) else { continue };
        let team = teams.iter().find(|t| {
            t.service == "early_help" && t.council_ids.contains(&child.council_id) && t.cluster_id == child.cluster_id
        });
        let Some(team) = team else { continue };
        let workers: Vec<_> = users.iter().filter(|u| !u.disabled && u.team_ids.contains(&team.id)).collect();
        let Some(worker) = workers.choose(&mut rng) else { continue };
        if start >= today {
            continue;
        }
        let ctx = AuditContext { actor_id: worker.id.clone(), source: "demo".into(), at_ms: 0 };
        let reason = child.allocated_to.is_some().then_some(WorkerChangeReason::TransferProcedure);
        store.allocate_child(&ctx, &child.id, Some(&team.id), Some(&worker.id), reason, start).await.map_err(err)?;
        let lead = if rng.gen_bool(0.6) {
            LeadProfessional {
                name: worker.display_name.clone(),
                agency: PartnerAgency::EarlyHelpService,
                user_id: Some(worker.id.clone()),
            }
        } else {
            LeadProfessional { name: "Ms Adeyemi".into(), agency: PartnerAgency::School, user_id: None }
        };
        for entry in story(&mut rng, start, how, lead, today) {
            let check = |entries: &[EarlyHelpEntry], _: &[Event]| {
                let history = early_help_history(entries, &journey)?;
                Ok(EarlyHelpClocks { early_help: history.clocks(calendar, rules), journey: None })
            };
            if let Err(broken) = store.record_early_help(&ctx, &child.id, &entry, None, check).await.map_err(err)? {
                return Err(format!("the demo's early help for {} breaks a rule: {broken}", child.id));
            }
        }
    }
    store.count_children_with_early_help().await.map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_demo_has_families_in_early_help_whose_records_obey_its_rules() {
        let (db, today) = crate::demo_children::demo_for_tests(900).await;
        let store = &db.store;
        let count = ensure(store, today).await.expect("early help");
        assert!(count >= 10, "families in early help: {count}");
        let clocks = store
            .clocks(&canopy_store::children::ClockFilter {
                kinds: Some(vec!["early_help_review".into()]),
                ..canopy_store::children::ClockFilter::default()
            })
            .await
            .expect("clocks");
        assert!(!clocks.is_empty(), "plan reviews are due in early help workers' trays");
        let child = &clocks[0].child;
        let team = store.get_team(&Scope::Organisation, child.team_id.as_deref().unwrap_or("")).await.expect("team");
        assert_eq!(team.service, "early_help", "the family is held by an early help team");
        assert_eq!(ensure(store, today).await.expect("again"), count, "the demo is reused, not duplicated");
        db.cleanup().await;
    }
}
