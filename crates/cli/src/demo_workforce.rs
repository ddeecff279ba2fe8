//! The demo's workforce: a staff record for every member of staff, and five years of history
//! behind them in which the agency rate falls from about 40% to about 7%. Many of today's social
//! workers were agency workers made permanent; others joined as newly qualified or from other
//! councils; agency workers who have since left are there as leavers. Recorded through the same
//! store calls and rules as the pages.

use canopy_domain::budgets::Pence;
use canopy_domain::workforce::{
    staff_record, validate_staff, AbsenceReason, Cfkss, Employment, Fte, LeaverDestination, OrgRole, Post,
    QualificationLevel, ReasonLeave, StaffEvent, StaffInput, StartOrigin,
};
use canopy_store::{AuditContext, Scope, Store, StoreError};
use chrono::{Days, Months, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const AGENCIES: &[&str] = &["Hays Social Care", "Sanctuary Personnel", "Liquid Personnel", "Caritas Recruitment"];

/// Services whose team managers manage social workers.
const SOCIAL_WORK_SERVICES: &[&str] = &[
    "referral_and_assessment",
    "safeguarding",
    "children_in_care",
    "front_door",
    "adoption",
    "fostering",
    "care_leavers",
    "disabled_children",
];

/// The census role of a demo job, if it is a social work post.
fn org_role(job_title: &str, service: &str, rng: &mut StdRng) -> Option<OrgRole> {
    match job_title {
        "Director of children's services" => Some(OrgRole::SeniorManager),
        "Head of service" => Some(OrgRole::MiddleManager),
        "Independent reviewing officer" => Some(OrgRole::QualifiedWithoutCases),
        "Team manager" if SOCIAL_WORK_SERVICES.contains(&service) => Some(OrgRole::FirstLineManager),
        "Social worker" if rng.gen_ratio(1, 5) => Some(OrgRole::SeniorPractitioner),
        "Social worker" => Some(OrgRole::CaseHolder),
        _ => None,
    }
}

fn agency(rng: &mut StdRng) -> Employment {
    Employment::Agency {
        agency: AGENCIES[rng.gen_range(0..AGENCIES.len())].into(),
        weekly_cost: Pence(rng.gen_range(140_000..210_000)),
        contract_weeks: rng.gen_range(12..53),
    }
}

fn months(from: NaiveDate, n: u32) -> NaiveDate {
    from.checked_add_months(Months::new(n)).unwrap_or(from)
}

fn months_before(from: NaiveDate, n: u32) -> NaiveDate {
    from.checked_sub_months(Months::new(n)).unwrap_or(from)
}

/// One worker's history: how they came to be where they are today (or, for leavers, how they went).
fn story(rng: &mut StdRng, post: Post, five_years_ago: NaiveDate, today: NaiveDate) -> Vec<StaffEvent> {
    let social_worker = post.org_role.is_some();
    let joined = |date, employment, origin| StaffEvent::Joined {
        date,
        post: post.clone(),
        employment,
        start_origin: Some(origin),
    };
    let mut events = match (social_worker, rng.gen_range(0..100)) {
        // Long-serving, permanent all along.
        (false, _) | (true, 0..44) => {
            vec![joined(
                months_before(five_years_ago, rng.gen_range(1..96)),
                Employment::Permanent,
                StartOrigin::OtherCouncil,
            )]
        }
        // An agency worker five years ago, made permanent by a recruitment champion since.
        (true, 44..64) => vec![
            joined(months_before(five_years_ago, rng.gen_range(1..24)), agency(rng), StartOrigin::Agency),
            StaffEvent::EmploymentChanged {
                date: months(five_years_ago, rng.gen_range(3..54)),
                employment: Employment::Permanent,
            },
        ],
        // Joined permanent since, newly qualified or from another council.
        (true, 64..94) => {
            let origin = if rng.gen_ratio(1, 2) { StartOrigin::NewlyQualified } else { StartOrigin::OtherCouncil };
            let mut events = vec![joined(months(five_years_ago, rng.gen_range(1..58)), Employment::Permanent, origin)];
            if origin == StartOrigin::NewlyQualified {
                events.push(StaffEvent::CfkssReached { date: events[0].date(), status: Cfkss::Asye });
            }
            events
        }
        // Agency now, covering a vacancy.
        (true, _) => vec![joined(months_before(today, rng.gen_range(1..24)), agency(rng), StartOrigin::Agency)],
    };
    let start = events[0].date();
    if rng.gen_ratio(1, 3) {
        let off = start.max(five_years_ago) + Days::new(rng.gen_range(30..1500));
        if off < today - Days::new(20) && events.iter().all(|e| e.date() <= off) {
            let days = rng.gen_range(1..12);
            let end = off + Days::new(days + days / 5 * 2);
            events.push(StaffEvent::Absent {
                start: off,
                end,
                reason: AbsenceReason::Sick,
                working_days_lost: days as u32 * 100,
            });
        }
    }
    events.sort_by_key(StaffEvent::date);
    events
}

/// Adds staff records for the demo's staff, and the leavers of five years, unless there are some.
pub async fn ensure(store: &Store, today: NaiveDate) -> Result<i64, String> {
    let err = |e: StoreError| e.to_string();
    if store.count_staff().await.map_err(err)? > 0 {
        return store.count_staff().await.map_err(err);
    }
    let teams = store.list_teams(&Scope::Organisation).await.map_err(err)?;
    let users = store.list_users().await.map_err(err)?;
    let roles = store.list_roles().await.map_err(err)?;
    let hr_role = roles.iter().find(|r| r.key == "workforce_officer").map(|r| r.id.clone()).unwrap_or_default();
    let hr = users.iter().find(|u| u.role_ids.contains(&hr_role)).map(|u| u.id.clone()).unwrap_or_default();
    let ctx = AuditContext { actor_id: hr, source: "demo".into(), at_ms: 0 };
    let five_years_ago = months_before(today, 60);
    let mut rng = StdRng::seed_from_u64(40_07);
    let mut serial = 100_000;
    let add = |name: &str, user: Option<&str>, events: Vec<StaffEvent>, social_worker: bool, serial: &mut u32| {
        *serial += 1;
        let input = StaffInput {
            name: name.into(),
            swe_number: if social_worker { format!("SW{serial}") } else { String::new() },
            qualification: if social_worker { QualificationLevel::Undergraduate.code().into() } else { String::new() },
        };
        (input, user.map(str::to_string), events)
    };
    let mut records = Vec::new();
    for user in users.iter().filter(|u| !u.disabled) {
        let Some(team) = user.team_ids.first().and_then(|t| teams.iter().find(|x| &x.id == t)) else { continue };
        let role = org_role(&user.job_title, &team.service, &mut rng);
        let post = Post {
            team_id: team.id.clone(),
            councils: team.council_ids.clone(),
            job_title: user.job_title.clone(),
            org_role: role,
            grade: if role.is_some() { "SW3".into() } else { "Scale 5".into() },
            fte: if rng.gen_ratio(1, 6) { Fte(600) } else { Fte::FULL_TIME },
        };
        let events = story(&mut rng, post, five_years_ago, today);
        records.push(add(&user.display_name, Some(&user.id), events, role.is_some(), &mut serial));
    }
    // The leavers: agency social workers who covered posts since filled, and a few permanent staff.
    let social_teams: Vec<_> = teams
        .iter()
        .filter(|t| SOCIAL_WORK_SERVICES.contains(&t.service.as_str()) && !t.council_ids.is_empty())
        .collect();
    let social_workers = records.iter().filter(|(i, _, _)| !i.swe_number.is_empty()).count();
    for n in 0..(social_workers * 21 / 100) {
        let team = social_teams[n % social_teams.len().max(1)];
        let post = Post {
            team_id: team.id.clone(),
            councils: team.council_ids.clone(),
            job_title: "Social worker".into(),
            org_role: Some(OrgRole::CaseHolder),
            grade: "SW2".into(),
            fte: Fte::FULL_TIME,
        };
        let permanent = n % 3 == 0;
        let (employment, origin) = match permanent {
            true => (Employment::Permanent, StartOrigin::OtherCouncil),
            false => (agency(&mut rng), StartOrigin::Agency),
        };
        let joined = months_before(five_years_ago, rng.gen_range(1..24));
        let last_day = months(five_years_ago, rng.gen_range(1..56)).min(today - Days::new(1));
        let (destination, reason) = match permanent {
            true => (LeaverDestination::OtherCouncil, ReasonLeave::Resigned),
            false => (LeaverDestination::Agency, ReasonLeave::Other),
        };
        let events = vec![
            StaffEvent::Joined { date: joined, post, employment, start_origin: Some(origin) },
            StaffEvent::Left { date: last_day, destination: Some(destination), reason: Some(reason) },
        ];
        let name = format!("Former social worker {}", n + 1);
        records.push(add(&name, None, events, true, &mut serial));
    }
    for (input, user, events) in records {
        let valid = validate_staff(&input).map_err(|e| format!("demo staff {}: {e:?}", input.name))?;
        let Some((first, rest)) = events.split_first() else { continue };
        let id = match store.add_staff(&ctx, &valid, user.as_deref(), first, staff_record).await.map_err(err)? {
            Ok(id) => id,
            Err(broken) => return Err(format!("the demo's staff record for {} breaks a rule: {broken}", input.name)),
        };
        for event in rest {
            if let Err(broken) = store.record_staff_event(&ctx, &id, event, staff_record).await.map_err(err)? {
                return Err(format!("the demo's history for {} breaks a rule: {broken}", input.name));
            }
        }
    }
    store.count_staff().await.map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use canopy_domain::workforce::{agency_conversions, agency_rate, turnover, Unit};

    #[tokio::test]
    async fn the_demo_workforce_falls_from_about_40_to_about_7_percent_agency_over_five_years() {
        let (db, today) = crate::demo_children::demo_for_tests(0).await;
        let store = &db.store;
        let count = ensure(store, today).await.expect("workforce");
        assert!(count >= 800, "staff records: {count}");
        let records: Vec<_> = store
            .all_staff_events()
            .await
            .expect("events")
            .iter()
            .map(|(_, e)| staff_record(e).expect("the demo's histories obey the rules"))
            .collect();
        let then = agency_rate(&records, months_before(today, 59), Unit::Organisation).expect("rate then");
        let now = agency_rate(&records, today, Unit::Organisation).expect("rate now");
        assert!((0.33..=0.47).contains(&then), "about 40% agency five years ago, not {then:.3}");
        assert!((0.04..=0.10).contains(&now), "about 7% agency now, not {now:.3}");
        assert!(agency_conversions(&records, months_before(today, 24), Unit::Organisation) > 10, "conversions");
        assert!(turnover(&records, today, Unit::Organisation).is_some_and(|t| t > 0.0));
        assert_eq!(ensure(store, today).await.expect("again"), count, "the demo is reused, not duplicated");
        db.cleanup().await;
    }
}
