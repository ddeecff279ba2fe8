use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn role(key: &str) -> &'static RoleDefinition {
    BUILTIN_ROLES.iter().find(|r| r.key == key).expect("built-in role")
}

fn actor(id: &str, roles: &[&str], councils: &[&str], teams: &[&str]) -> Actor {
    Actor {
        user_id: id.into(),
        grants: grants_of(roles.iter().map(|k| (role(k).reach, role(k).permissions))),
        councils: councils.iter().map(|c| c.to_string()).collect(),
        teams: teams.iter().map(|t| t.to_string()).collect(),
        break_glass: BTreeSet::new(),
    }
}

fn child(council: &str, team: &str) -> Resource {
    Resource {
        id: "child-1".into(),
        council_id: Some(council.into()),
        team_id: Some(team.into()),
        ..Resource::default()
    }
}

#[test]
fn a_practitioner_sees_children_of_their_own_team_in_their_council() {
    let worker = actor("w", &["practitioner"], &["kingston"], &["north-safeguarding"]);
    assert!(may(&worker, Action::ViewChildRecord, &child("kingston", "north-safeguarding")));
    assert!(!may(&worker, Action::ViewChildRecord, &child("kingston", "south-safeguarding")));
    assert!(!may(&worker, Action::ViewChildRecord, &child("windsor", "north-safeguarding")));
}

#[test]
fn work_allocated_to_a_lent_worker_opens_to_them() {
    let worker = actor("w", &["practitioner"], &["kingston"], &["north"]);
    let mut record = child("windsor", "windsor-duty");
    assert!(!may(&worker, Action::ViewChildRecord, &record));
    record.allocated_to = Some("w".into());
    assert!(may(&worker, Action::ViewChildRecord, &record));
}

#[test]
fn a_head_of_service_sees_their_councils_but_not_others() {
    let head = actor("h", &["head_of_service"], &["kingston", "richmond"], &[]);
    assert!(may(&head, Action::ViewChildRecord, &child("richmond", "any")));
    assert!(!may(&head, Action::ViewChildRecord, &child("windsor", "any")));
}

#[test]
fn finance_and_hr_never_get_case_narrative() {
    for key in ["finance_officer", "workforce_officer", "council_commissioner", "performance_analyst"] {
        let person = actor("f", &[key], &["kingston"], &["t"]);
        assert!(!may(&person, Action::ViewCaseNarrative, &child("kingston", "t")), "{key}");
    }
}

#[test]
fn commissioners_see_their_council_aggregates_only_and_no_child_records() {
    let commissioner = actor("c", &["council_commissioner"], &["kingston"], &[]);
    assert!(may(&commissioner, Action::ViewCouncilAggregates, &Resource::in_council("kingston")));
    assert!(!may(&commissioner, Action::ViewCouncilAggregates, &Resource::in_council("richmond")));
    assert!(!may(&commissioner, Action::ViewChildRecord, &child("kingston", "t")));
}

#[test]
fn a_restricted_record_opens_to_named_people_and_break_glass_only() {
    let director = actor("d", &["director"], &[], &[]);
    let mut record = child("kingston", "t");
    record.sensitivity = Sensitivity::Restricted;
    assert!(!may(&director, Action::ViewChildRecord, &record));
    let mut glass = director.clone();
    glass.break_glass.insert("child-1".into());
    assert!(may(&glass, Action::ViewChildRecord, &record));
    record.sensitivity = Sensitivity::Sealed;
    assert!(!may(&glass, Action::ViewChildRecord, &record), "break-glass does not open sealed records");
    record.named_people.push("d".into());
    assert!(may(&director, Action::ViewChildRecord, &record));
}

#[test]
fn a_staff_member_in_a_record_can_never_open_it() {
    let mut manager = actor("m", &["team_manager", "director"], &["kingston"], &["t"]);
    manager.break_glass.insert("child-1".into());
    let mut record = child("kingston", "t");
    record.named_people.push("m".into());
    record.excluded_people.push("m".into());
    assert!(!may(&manager, Action::ViewChildRecord, &record));
}

#[test]
fn nobody_in_the_team_of_a_staff_member_in_the_record_may_open_it() {
    let teammate = actor("t", &["team_manager"], &["kingston"], &["north"]);
    let mut record = child("kingston", "north");
    assert!(may(&teammate, Action::ViewChildRecord, &record));
    record.excluded_teams.push("north".into());
    assert!(!may(&teammate, Action::ViewChildRecord, &record));
    let elsewhere = actor("h", &["head_of_service"], &["kingston"], &["south"]);
    assert!(may(&elsewhere, Action::ViewChildRecord, &record), "other teams are not affected");
}

#[test]
fn organisation_administration_needs_organisation_reach() {
    let admin = actor("a", &["org_admin"], &[], &[]);
    let manager = actor("m", &["team_manager"], &["kingston"], &["t"]);
    assert!(may(&admin, Action::AdministerOrganisation, &Resource::organisation()));
    assert!(!may(&manager, Action::AdministerOrganisation, &Resource::organisation()));
    assert!(may(&manager, Action::UseOwnAccount, &Resource::organisation()));
}

#[test]
fn every_permission_and_reach_code_reads_back() {
    for p in Permission::ALL {
        assert_eq!(Permission::from_code(p.code()), Some(p));
    }
    for r in Reach::ALL {
        assert_eq!(Reach::from_code(r.code()), Some(r));
    }
}

// The reference model: the same rules written as explicit tables, one per question, so that a
// slip in the policy's logic shows as a difference.
#[derive(Debug, Clone)]
struct Org {
    users: Vec<Actor>,
    records: Vec<Resource>,
}

fn reference_may(user: &Actor, action: Action, record: &Resource) -> bool {
    let subject: BTreeSet<&String> = record.excluded_people.iter().collect();
    let subject_teams: BTreeSet<&String> = record.excluded_teams.iter().collect();
    if subject.contains(&user.user_id) || user.teams.iter().any(|t| subject_teams.contains(t)) {
        return false;
    }
    if action == Action::ViewOwnStaffRecord {
        return record.owner.as_deref() == Some(user.user_id.as_str());
    }
    let Some(needed) = action.permission() else {
        return true;
    };
    // Where each reach lets the user act, as a table of (council, team-or-*) places.
    let mut places: BTreeMap<Reach, BTreeSet<(String, String)>> = BTreeMap::new();
    let council = record.council_id.clone().unwrap_or_default();
    let holders: BTreeSet<String> = record.team_id.iter().chain(&record.shared_teams).cloned().collect();
    for c in &user.councils {
        places.entry(Reach::Council).or_default().insert((c.clone(), "*".into()));
        for t in &user.teams {
            places.entry(Reach::Team).or_default().insert((c.clone(), t.clone()));
        }
    }
    let case = matches!(action, Action::ViewChildRecord | Action::ViewCaseNarrative | Action::EditChildRecord);
    let team_scoped = case
        || matches!(
            action,
            Action::SpendFromBudget | Action::DecideSpend | Action::ViewStaffRecords | Action::SuperviseStaff
        );
    let allowed_by = |reach: Reach| -> bool {
        match reach {
            Reach::Organisation => true,
            _ if record.council_id.is_none() => false,
            Reach::Council => places.get(&Reach::Council).is_some_and(|p| p.contains(&(council.clone(), "*".into()))),
            Reach::Team if !team_scoped => {
                places.get(&Reach::Council).is_some_and(|p| p.contains(&(council.clone(), "*".into())))
            }
            Reach::Team => {
                record.allocated_to.as_deref() == Some(user.user_id.as_str())
                    || holders.iter().any(|team| {
                        places.get(&Reach::Team).is_some_and(|p| p.contains(&(council.clone(), team.clone())))
                    })
            }
        }
    };
    let granted = user.grants.iter().any(|g| g.permission == needed && allowed_by(g.reach));
    if !granted {
        return false;
    }
    if action == Action::ViewCandidate {
        let org = user.grants.iter().any(|g| g.permission == needed && g.reach == Reach::Organisation);
        return org || record.named_people.contains(&user.user_id);
    }
    if !case {
        return true;
    }
    let named: BTreeSet<&String> = record.named_people.iter().collect();
    match record.sensitivity {
        Sensitivity::Normal => true,
        Sensitivity::Restricted => named.contains(&user.user_id) || user.break_glass.contains(&record.id),
        Sensitivity::Sealed => named.contains(&user.user_id),
    }
}

fn arb_org() -> impl Strategy<Value = Org> {
    let councils = ["k", "r", "w", "x"];
    let teams = ["t1", "t2", "t3", "t4", "t5"];
    let users = ["u0", "u1", "u2", "u3", "u4", "u5"];
    let user = (
        0..users.len(),
        proptest::collection::vec(0..BUILTIN_ROLES.len(), 0..3),
        proptest::collection::btree_set(0..councils.len(), 0..3),
        proptest::collection::btree_set(0..teams.len(), 0..3),
        proptest::collection::btree_set(0..8usize, 0..2),
    )
        .prop_map(move |(u, roles, cs, ts, glass)| Actor {
            user_id: users[u].to_string(),
            grants: grants_of(roles.iter().map(|&i| (BUILTIN_ROLES[i].reach, BUILTIN_ROLES[i].permissions))),
            councils: cs.into_iter().map(|i| councils[i].to_string()).collect(),
            teams: ts.into_iter().map(|i| teams[i].to_string()).collect(),
            break_glass: glass.into_iter().map(|i| format!("rec{i}")).collect(),
        });
    let record = (
        0..8usize,
        proptest::option::weighted(0.9, 0..councils.len()),
        proptest::option::of(0..teams.len()),
        proptest::option::of(0..users.len()),
        0..3u8,
        proptest::collection::vec(0..users.len(), 0..2),
        proptest::collection::vec(0..users.len(), 0..2),
        proptest::option::weighted(0.2, 0..teams.len()),
        proptest::collection::vec(0..teams.len(), 0..3),
        proptest::option::of(0..users.len()),
    )
        .prop_map(move |(id, c, t, alloc, sens, named, excluded, excluded_team, shared, owner)| Resource {
            id: format!("rec{id}"),
            council_id: c.map(|i| councils[i].to_string()),
            team_id: t.map(|i| teams[i].to_string()),
            allocated_to: alloc.map(|i| users[i].to_string()),
            sensitivity: match sens {
                0 => Sensitivity::Normal,
                1 => Sensitivity::Restricted,
                _ => Sensitivity::Sealed,
            },
            named_people: named.into_iter().map(|i| users[i].to_string()).collect(),
            excluded_people: excluded.into_iter().map(|i| users[i].to_string()).collect(),
            excluded_teams: excluded_team.into_iter().map(|i| teams[i].to_string()).collect(),
            shared_teams: shared.into_iter().map(|i| teams[i].to_string()).collect(),
            owner: owner.map(|i| users[i].to_string()),
        });
    (proptest::collection::vec(user, 1..6), proptest::collection::vec(record, 1..10))
        .prop_map(|(users, records)| Org { users, records })
}

const ACTIONS: [Action; 23] = [
    Action::UseOwnAccount,
    Action::ViewOrganisation,
    Action::AdministerOrganisation,
    Action::AdministerUsers,
    Action::ViewAuditLog,
    Action::ViewChildRecord,
    Action::ViewCaseNarrative,
    Action::EditChildRecord,
    Action::ViewCouncilAggregates,
    Action::AllocateWork,
    Action::SpendFromBudget,
    Action::DecideSpend,
    Action::ManageBudgets,
    Action::WorkInAdoption,
    Action::ViewStaffRecords,
    Action::ViewOwnStaffRecord,
    Action::ManageStaffRecords,
    Action::ViewWorkforceFigures,
    Action::RunRecruitment,
    Action::ViewCandidate,
    Action::SuperviseStaff,
    Action::ViewDataQuality,
    Action::PrepareReturns,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_policy_agrees_with_the_reference_model(org in arb_org()) {
        for user in &org.users {
            for record in &org.records {
                for action in ACTIONS {
                    prop_assert_eq!(
                        may(user, action, record),
                        reference_may(user, action, record),
                        "user {:?} action {:?} record {:?}", user, action, record
                    );
                }
            }
        }
    }

    #[test]
    fn a_user_with_no_roles_may_only_use_their_own_account_and_read_their_own_staff_record(org in arb_org()) {
        for record in &org.records {
            let nobody = Actor { grants: BTreeSet::new(), ..org.users[0].clone() };
            for action in ACTIONS {
                let allowed = may(&nobody, action, record);
                let not_excluded = !record.excluded_people.contains(&nobody.user_id)
                    && !nobody.teams.iter().any(|t| record.excluded_teams.contains(t));
                let own = match action {
                    Action::UseOwnAccount => true,
                    Action::ViewOwnStaffRecord => record.owner.as_ref() == Some(&nobody.user_id),
                    _ => false,
                };
                prop_assert_eq!(allowed, own && not_excluded);
            }
        }
    }
}

#[test]
fn staff_records_are_for_workforce_staff_managers_of_the_team_and_the_worker_themselves() {
    let record = Resource {
        id: "staff-1".into(),
        council_id: Some("kingston".into()),
        team_id: Some("kt-team".into()),
        owner: Some("ana".into()),
        ..Resource::default()
    };
    let hr = actor("hr", &["workforce_officer"], &["kingston"], &[]);
    let manager = actor("mgr", &["team_manager"], &["kingston"], &["kt-team"]);
    let other_manager = actor("mgr2", &["team_manager"], &["kingston"], &["other-team"]);
    let ana = actor("ana", &["practitioner"], &["kingston"], &["kt-team"]);
    let colleague = actor("ben", &["practitioner"], &["kingston"], &["kt-team"]);
    assert!(may(&hr, Action::ViewStaffRecords, &record) && may(&hr, Action::ManageStaffRecords, &record));
    assert!(may(&manager, Action::ViewStaffRecords, &record), "the team's manager");
    assert!(!may(&manager, Action::ManageStaffRecords, &record));
    assert!(!may(&other_manager, Action::ViewStaffRecords, &record), "another team's manager");
    assert!(!may(&ana, Action::ViewStaffRecords, &record) && may(&ana, Action::ViewOwnStaffRecord, &record));
    assert!(!may(&colleague, Action::ViewOwnStaffRecord, &record), "a colleague's record is not their own");
    assert!(may(&manager, Action::ViewWorkforceFigures, &Resource::in_council("kingston")));
    assert!(
        !may(&manager, Action::ViewWorkforceFigures, &Resource::organisation()),
        "the organisation's figures need org reach"
    );
    assert!(!may(&ana, Action::ViewWorkforceFigures, &Resource::in_council("kingston")));
}

#[test]
fn a_candidates_personal_data_is_for_workforce_staff_and_their_panel_only() {
    let application = Resource {
        id: "app-1".into(),
        council_id: Some("kingston".into()),
        team_id: Some("kt-team".into()),
        named_people: vec!["champion".into()],
        ..Resource::default()
    };
    let hr = actor("hr", &["workforce_officer"], &["kingston"], &[]);
    let panel = actor("champion", &["recruitment_champion"], &["kingston"], &["kt-team"]);
    let other_champion = actor("other", &["recruitment_champion"], &["kingston"], &["kt-team"]);
    let manager = actor("mgr", &["team_manager"], &["kingston"], &["kt-team"]);
    assert!(may(&hr, Action::ViewCandidate, &application) && may(&hr, Action::RunRecruitment, &application));
    assert!(may(&panel, Action::ViewCandidate, &application), "the panel");
    assert!(!may(&other_champion, Action::ViewCandidate, &application), "a champion not on the panel");
    assert!(!may(&manager, Action::ViewCandidate, &application), "the team's manager");
    assert!(
        !may(&panel, Action::RunRecruitment, &Resource::organisation()),
        "champions interview; HR runs recruitment"
    );
}
