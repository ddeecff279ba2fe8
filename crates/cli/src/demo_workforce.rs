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

const UNIVERSITIES: &[&str] =
    &["Kingston University", "Royal Holloway", "Brunel University London", "University of Bedfordshire"];

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
            institution: if social_worker {
                UNIVERSITIES[*serial as usize % UNIVERSITIES.len()].into()
            } else {
                String::new()
            },
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
    out_and_about(store, &ctx, today).await?;
    recruitment(store, &ctx, &teams, &users, &roles, today).await?;
    supervision(store, &users, today).await?;
    training(store, &ctx, today).await?;
    store.count_staff().await.map_err(err)
}

/// A few long-serving social workers seconded to councils for improvement work, one back home
/// already, and two placed with a partner council under the Prime scheme.
async fn out_and_about(store: &Store, ctx: &AuditContext, today: NaiveDate) -> Result<(), String> {
    let err = |e: StoreError| e.to_string();
    let staff = store.staff().await.map_err(err)?;
    let long_serving: Vec<_> =
        staff.iter().filter(|s| s.in_post && s.employment == "Permanent" && s.swe_number.is_some()).collect();
    let moves = [
        (
            Employment::SecondedOut {
                to: "Slough Borough Council".into(),
                day_rate: Pence(55_000),
                days: 120,
                until: Some(months(today, 4)),
                cover: None,
            },
            8,
            None,
        ),
        (
            Employment::SecondedOut {
                to: "Sandwell Children's Trust".into(),
                day_rate: Pence(60_000),
                days: 60,
                until: None,
                cover: None,
            },
            10,
            Some(3),
        ),
        (
            Employment::SecondedOut {
                to: "Reading Borough Council".into(),
                day_rate: Pence(52_500),
                days: 90,
                until: Some(months(today, 2)),
                cover: None,
            },
            3,
            None,
        ),
        (
            Employment::PlacedOut {
                partner: "Achieving for Children Prime: Hounslow".into(),
                day_rate: Pence(48_000),
                until: None,
                cover: None,
            },
            14,
            None,
        ),
        (
            Employment::PlacedOut {
                partner: "Achieving for Children Prime: Surrey".into(),
                day_rate: Pence(48_000),
                until: Some(months(today, 6)),
                cover: None,
            },
            6,
            None,
        ),
    ];
    for (worker, (employment, months_ago, back_after)) in long_serving.iter().step_by(37).zip(moves) {
        let date = months_before(today, months_ago);
        store
            .record_staff_event(ctx, &worker.id, &StaffEvent::EmploymentChanged { date, employment }, staff_record)
            .await
            .map_err(err)?
            .map_err(|e| e.0)?;
        if let Some(back) = back_after {
            let event = StaffEvent::EmploymentChanged { date: months(date, back), employment: Employment::Permanent };
            store.record_staff_event(ctx, &worker.id, &event, staff_record).await.map_err(err)?.map_err(|e| e.0)?;
        }
    }
    Ok(())
}

/// Open vacancies in social work teams, some covered by agency workers, with candidates at every
/// stage and recruitment champions on their panels; and some filled this year, with new workers.
async fn recruitment(
    store: &Store,
    ctx: &AuditContext,
    teams: &[canopy_store::org::TeamRow],
    users: &[canopy_store::users::UserRow],
    roles: &[canopy_store::users::RoleRow],
    today: NaiveDate,
) -> Result<(), String> {
    use canopy_domain::workforce::{ApplicationStep, StaffInput};
    use canopy_store::recruitment::{Hire, NewCandidate, NewVacancy};
    let err = |e: StoreError| e.to_string();
    let champion_role =
        roles.iter().find(|r| r.key == "recruitment_champion").map(|r| r.id.clone()).unwrap_or_default();
    let champions: Vec<&str> =
        users.iter().filter(|u| u.role_ids.contains(&champion_role)).map(|u| u.id.as_str()).collect();
    let social: Vec<_> = teams
        .iter()
        .filter(|t| SOCIAL_WORK_SERVICES.contains(&t.service.as_str()) && !t.council_ids.is_empty())
        .collect();
    let mut rng = StdRng::seed_from_u64(19);
    const NAMES: &[&str] = &[
        "Asha Mensah",
        "Tom Fraser",
        "Lina Haddad",
        "Marek Nowak",
        "Grace Obi",
        "Sean Doyle",
        "Ruth Kaplan",
        "Dev Mistry",
    ];
    let mut next_name = 0;
    for n in 0..30 {
        let team = social[n % social.len().max(1)];
        let filled = n % 5 == 0;
        let opened = months_before(today, if filled { rng.gen_range(6..12) } else { rng.gen_range(1..6) });
        let vacancy = NewVacancy {
            team_id: team.id.clone(),
            council_ids: team.council_ids.clone(),
            job_title: if n % 4 == 0 { "Senior practitioner".into() } else { "Social worker".into() },
            org_role: Some(if n % 4 == 0 { OrgRole::SeniorPractitioner } else { OrgRole::CaseHolder }),
            fte: Fte::FULL_TIME,
            opened,
            agency_cover: n % 2 == 1,
        };
        let vacancy_id = store.add_vacancy(ctx, &vacancy).await.map_err(err)?;
        let applicants = if filled { 3 } else { rng.gen_range(0..4) };
        for a in 0..applicants {
            let name = NAMES[next_name % NAMES.len()];
            next_name += 1;
            let candidate = NewCandidate {
                name: format!("{name} ({})", next_name),
                email: format!("candidate{next_name}@example.com"),
                phone: format!("07700 900{:03}", next_name % 1000),
                staff_id: None,
            };
            let applied = opened + Days::new(rng.gen_range(5..20));
            if applied >= today {
                continue;
            }
            let id =
                store.add_application(ctx, &vacancy_id, &candidate, applied).await.map_err(err)?.map_err(|e| e.0)?;
            // How far each got: the last of a filled vacancy starts; others stop along the way.
            let goal = match filled && a == applicants - 1 {
                true => 5,
                false => rng.gen_range(0..4),
            };
            let mut day = applied;
            let panel: Vec<String> =
                (0..2).filter_map(|k| champions.get((n + k) % champions.len().max(1))).map(|c| c.to_string()).collect();
            for stage in 0..goal {
                day = day + Days::new(rng.gen_range(5..21));
                if day >= today {
                    break;
                }
                let step = match stage {
                    0 => ApplicationStep::Shortlisted { date: day },
                    1 => ApplicationStep::Interviewed { date: day, panel: panel.clone() },
                    2 => ApplicationStep::Offered { date: day },
                    3 => ApplicationStep::Accepted { date: day },
                    _ => ApplicationStep::Started { date: day + Days::new(30) },
                };
                let hire = match &step {
                    ApplicationStep::Started { date } => {
                        let input = StaffInput {
                            name: candidate.name.clone(),
                            swe_number: format!("SW{}", 900_000 + n),
                            qualification: "1".into(),
                            institution: UNIVERSITIES[n % UNIVERSITIES.len()].into(),
                        };
                        let staff = validate_staff(&input).map_err(|e| format!("{e:?}"))?;
                        let post = Post {
                            team_id: team.id.clone(),
                            councils: team.council_ids.clone(),
                            job_title: vacancy.job_title.clone(),
                            org_role: vacancy.org_role,
                            grade: "SW2".into(),
                            fte: Fte::FULL_TIME,
                        };
                        let joined = StaffEvent::Joined {
                            date: *date,
                            post,
                            employment: Employment::Permanent,
                            start_origin: Some(StartOrigin::OtherCouncil),
                        };
                        Some(Hire::NewWorker { staff, joined, check: staff_record })
                    }
                    _ => None,
                };
                if step.date() >= today {
                    break;
                }
                store.record_application_step(ctx, &id, &step, hire).await.map_err(err)?.map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(())
}

/// The training catalogue, past and coming, with social workers' requests at every stage.
async fn training(store: &Store, ctx: &AuditContext, today: NaiveDate) -> Result<(), String> {
    use canopy_domain::workforce::{Programme, TrainingStatus};
    use canopy_store::training::NewCourse;
    let err = |e: StoreError| e.to_string();
    let catalogue = [
        (
            "Systemic family therapy: foundation",
            Programme::SystemicFamilyTherapy,
            "Institute of Family Therapy",
            -4,
            20,
        ),
        ("ASYE programme, autumn cohort", Programme::Asye, "Canopy workforce team", -2, 30),
        ("Frontline consultant social worker induction", Programme::Frontline, "Frontline", -1, 12),
        ("Practice educator stage 1", Programme::PracticeEducator, "Kingston University", 1, 10),
        ("Trauma-informed practice", Programme::Course, "Research in Practice", -3, 25),
        ("Court skills", Programme::Course, "Canopy legal team", 2, 20),
    ];
    let staff: Vec<_> =
        store.staff().await.map_err(err)?.into_iter().filter(|s| s.in_post && s.swe_number.is_some()).collect();
    let mut rng = StdRng::seed_from_u64(5);
    for (i, (title, programme, provider, months_away, places)) in catalogue.into_iter().enumerate() {
        let starts = if months_away < 0 {
            months_before(today, (-months_away) as u32)
        } else {
            months(today, months_away as u32)
        };
        let course = NewCourse { title: title.into(), programme, provider: provider.into(), starts, places };
        let id = store.add_course(ctx, &course).await.map_err(err)?;
        for worker in staff.iter().skip(i * 13).take(places as usize / 2) {
            let asked = months_before(starts.min(today), 1);
            let request = store.request_training(ctx, &id, &worker.id, asked).await.map_err(err)?.map_err(|e| e.0)?;
            let mut path = vec![(TrainingStatus::Approved, asked + Days::new(3))];
            if starts < today {
                match rng.gen_range(0..10) {
                    0 => path = vec![(TrainingStatus::Declined, asked + Days::new(3))],
                    1 => path.push((TrainingStatus::Missed, starts)),
                    _ => path.extend([
                        (TrainingStatus::Attended, starts),
                        (TrainingStatus::Completed, starts + Days::new(1)),
                    ]),
                }
            }
            for (to, on) in path.into_iter().filter(|(_, on)| *on <= today) {
                store.record_training_step(ctx, &request, to, on).await.map_err(err)?.map_err(|e| e.0)?;
            }
        }
    }
    Ok(())
}

/// Supervision for each social worker in post: most in the last four weeks, some overdue.
async fn supervision(store: &Store, users: &[canopy_store::users::UserRow], today: NaiveDate) -> Result<(), String> {
    let err = |e: StoreError| e.to_string();
    let mut rng = StdRng::seed_from_u64(28);
    let managers: std::collections::HashMap<&str, &str> = users
        .iter()
        .filter(|u| u.job_title == "Team manager")
        .flat_map(|u| u.team_ids.iter().map(move |t| (t.as_str(), u.id.as_str())))
        .collect();
    for worker in store.staff().await.map_err(err)?.iter().filter(|s| s.in_post && s.swe_number.is_some()) {
        let Some(manager) = worker.team_id.as_deref().and_then(|t| managers.get(t)) else { continue };
        if worker.user_id.as_deref() == Some(*manager) {
            continue;
        }
        let held_on = today - Days::new(rng.gen_range(1..40));
        let ctx = AuditContext { actor_id: manager.to_string(), source: "demo".into(), at_ms: 0 };
        let session = canopy_store::workforce::SupervisionRow {
            held_on,
            supervisor_id: manager.to_string(),
            kind: if rng.gen_ratio(1, 5) { "group".into() } else { "one_to_one".into() },
            note: "Caseload and wellbeing reviewed".into(),
        };
        store.record_supervision(&ctx, &worker.id, &session).await.map_err(err)?;
    }
    Ok(())
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
        assert!(store.count_staff().await.expect("count") == count);
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
        let vacancies = store.vacancies().await.expect("vacancies");
        assert!(vacancies.iter().filter(|v| v.closed.is_none()).count() >= 10, "open vacancies");
        assert!(vacancies.iter().any(|v| v.filled_by.is_some()), "some filled this year");
        let mut stages = std::collections::BTreeSet::new();
        for v in &vacancies {
            stages.extend(store.applications_for(&v.id).await.expect("applications").iter().map(|a| a.stage));
        }
        assert!(stages.len() >= 4, "candidates at several stages: {stages:?}");
        let staff = store.staff().await.expect("staff");
        assert!(
            staff.iter().any(|s| s.employment.starts_with("Seconded out"))
                && staff.iter().any(|s| s.employment.starts_with("Placed out"))
        );
        let courses = store.courses().await.expect("courses");
        assert!(courses.iter().any(|c| c.programme == canopy_domain::workforce::Programme::SystemicFamilyTherapy));
        let mut statuses = std::collections::BTreeSet::new();
        for c in &courses {
            statuses.extend(store.training_for_course(&c.id).await.expect("requests").iter().map(|r| r.status));
        }
        assert!(statuses.contains(&canopy_domain::workforce::TrainingStatus::Completed), "{statuses:?}");
        assert_eq!(ensure(store, today).await.expect("again"), count, "the demo is reused, not duplicated");
        db.cleanup().await;
    }
}
