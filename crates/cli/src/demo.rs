//! The demo organisation: three real councils with their DfE and ONS codes and postcode
//! districts, four geographic clusters, central teams, and over 800 staff, made from a fixed
//! seed so every machine gets the same organisation.

use crate::cli_ctx;
use canopy_domain::org::{
    validate_cluster, validate_council, validate_team, ClusterCoverage, ClusterInput, CouncilCoverage, CouncilInput,
    OtherCouncils, Service, TeamInput,
};
use canopy_store::users::UserDetails;
use canopy_store::Store;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;

/// The password of every demo account. Demo only: one hash is shared by all demo users so that
/// the demo builds in seconds.
pub const DEMO_PASSWORD: &str = "demo canopy password";

const SEED: u64 = 2014;

const COUNCILS: [(&str, &str, &str, &str); 3] = [
    ("Kingston upon Thames", "314", "E09000021", "KT1, KT2, KT3, KT4, KT5, KT6, KT9"),
    ("Richmond upon Thames", "318", "E09000027", "TW1, TW2, TW9, TW10, TW11, TW12, SW13, SW14"),
    ("Windsor and Maidenhead", "868", "E06000040", "SL4, SL5, SL6"),
];

/// Clusters: name, the councils they serve (by LA code), and their postcode areas.
const CLUSTERS: [(&str, &[&str], &str); 4] = [
    ("North", &["318"], "TW1, TW9, TW10, SW13, SW14"),
    ("South West", &["318", "314"], "TW2, TW11, TW12, KT1, KT2"),
    ("South", &["314"], "KT3, KT4, KT5, KT6, KT9"),
    ("Windsor and Maidenhead", &["868"], "SL4, SL5, SL6"),
];

/// Teams in each cluster: suffix, service, and how many staff.
const CLUSTER_TEAMS: [(&str, Service, usize); 7] = [
    ("referral and assessment", Service::ReferralAndAssessment, 18),
    ("safeguarding 1", Service::Safeguarding, 16),
    ("safeguarding 2", Service::Safeguarding, 16),
    ("children in care", Service::ChildrenInCare, 16),
    ("early help", Service::EarlyHelp, 20),
    ("education welfare", Service::EducationWelfare, 10),
    ("family support", Service::EarlyHelp, 12),
];

/// Central teams: name, service, the councils they serve (empty: all), and how many staff.
const CENTRAL_TEAMS: [(&str, Service, &[&str], usize); 15] = [
    ("Kingston and Richmond single point of access", Service::FrontDoor, &["314", "318"], 24),
    ("Windsor and Maidenhead front door", Service::FrontDoor, &["868"], 14),
    ("Adoption (shared service)", Service::Adoption, &[], 26),
    ("Fostering", Service::Fostering, &[], 40),
    ("Care leavers", Service::CareLeavers, &[], 40),
    ("Disabled children", Service::DisabledChildren, &[], 40),
    ("Independent reviewing", Service::IndependentReviewing, &[], 22),
    ("Systemic family therapy", Service::Therapy, &[], 18),
    ("Leadership", Service::Leadership, &[], 14),
    ("Finance", Service::Finance, &[], 16),
    ("Workforce and HR", Service::Workforce, &[], 18),
    ("Performance and data", Service::Performance, &[], 12),
    ("Business development", Service::BusinessDevelopment, &[], 10),
    ("Business support", Service::BusinessSupport, &[], 80),
    ("Information governance", Service::BusinessSupport, &[], 8),
];

const FIRST: [&str; 40] = [
    "Amara", "Ben", "Chloe", "Daniel", "Ella", "Farah", "George", "Hannah", "Imran", "Jess", "Kwame", "Laura",
    "Mohammed", "Niamh", "Oliver", "Priya", "Quentin", "Rosa", "Sam", "Tariq", "Uma", "Victor", "Wendy", "Xavier",
    "Yasmin", "Zoe", "Aidan", "Bea", "Callum", "Deborah", "Emeka", "Fiona", "Gareth", "Helen", "Isla", "Jamal", "Kate",
    "Leon", "Maya", "Noah",
];
const LAST: [&str; 40] = [
    "Adeyemi",
    "Brown",
    "Chen",
    "Davies",
    "Evans",
    "Fraser",
    "Gupta",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Murphy",
    "Nowak",
    "O'Brien",
    "Patel",
    "Quinn",
    "Roberts",
    "Smith",
    "Taylor",
    "Usman",
    "Vaughan",
    "Walker",
    "Xu",
    "Young",
    "Zielinski",
    "Ahmed",
    "Baker",
    "Clarke",
    "Dixon",
    "Edwards",
    "Fisher",
    "Green",
    "Hall",
    "Ibrahim",
    "Jackson",
    "Kelly",
    "Lopez",
    "Mensah",
    "Nguyen",
];

fn job(service: Service, lead: bool) -> (&'static str, &'static [&'static str]) {
    match (service, lead) {
        (Service::Leadership, true) => ("Director of children's services", &["director"]),
        (Service::Leadership, false) => ("Head of service", &["head_of_service"]),
        (Service::Finance, _) => ("Finance officer", &["finance_officer"]),
        (Service::Workforce, _) => ("Workforce officer", &["workforce_officer"]),
        (Service::Performance, _) => ("Performance analyst", &["performance_analyst"]),
        (Service::BusinessDevelopment, _) => ("Business development manager", &["business_development"]),
        (Service::IndependentReviewing, _) => ("Independent reviewing officer", &["independent_reviewing_officer"]),
        (Service::BusinessSupport, _) => ("Business support officer", &[]),
        (_, true) => ("Team manager", &["team_manager"]),
        (Service::EarlyHelp, false) => ("Early help practitioner", &["practitioner"]),
        (Service::EducationWelfare, false) => ("Education welfare officer", &["practitioner"]),
        (Service::Therapy, false) => ("Systemic family therapist", &["practitioner"]),
        (_, false) => ("Social worker", &["practitioner"]),
    }
}

/// Builds the demo organisation unless it is there already, and returns the demo sign-ins.
pub async fn ensure(store: &Store) -> Result<Vec<(&'static str, String)>, String> {
    let logins = vec![
        ("practitioner", "practitioner@canopy.example".to_string()),
        ("team manager", "manager@canopy.example".to_string()),
        ("director", "director@canopy.example".to_string()),
        ("performance analyst", "analyst@canopy.example".to_string()),
        ("admin", "admin@canopy.example".to_string()),
    ];
    if store.count_users().await.map_err(|e| e.to_string())? > 0 {
        return Ok(logins);
    }
    let ctx = cli_ctx();
    let err = |e: canopy_store::StoreError| e.to_string();
    store.set_organisation_name(&ctx, "Achieving for Children (demo)").await.map_err(err)?;
    // The demo's own districts and the towns its out-of-area placements are in.
    let gazetteer = canopy_domain::org::parse_gazetteer(include_str!("demo_gazetteer.csv"))
        .map_err(|problems| format!("the demo gazetteer is wrong: {problems:?}"))?;
    store.load_district_centres(&ctx, &gazetteer).await.map_err(err)?;
    let mut council_ids: HashMap<&str, String> = HashMap::new();
    let mut coverage = Vec::new();
    for (name, la, ons, districts) in COUNCILS {
        let valid = validate_council(
            &CouncilInput {
                name: name.into(),
                la_code: la.into(),
                ons_code: ons.into(),
                postcode_districts: districts.into(),
            },
            &OtherCouncils::default(),
        )
        .map_err(|e| e.to_string())?;
        let id = store.save_council(&ctx, None, &valid).await.map_err(err)?;
        coverage.push(CouncilCoverage {
            id: id.clone(),
            name: name.into(),
            districts: valid.postcode_districts.clone(),
        });
        council_ids.insert(la, id);
    }
    let ids_of = |codes: &[&str]| -> Vec<String> {
        if codes.is_empty() {
            council_ids.values().cloned().collect()
        } else {
            codes.iter().filter_map(|c| council_ids.get(c).cloned()).collect()
        }
    };
    let mut teams: Vec<(String, Service, usize)> = Vec::new();
    let mut cluster_cover = Vec::new();
    for (name, councils, areas) in CLUSTERS {
        let valid = validate_cluster(
            &ClusterInput { name: name.into(), areas: areas.into(), council_ids: ids_of(councils) },
            &coverage,
            &[],
        )
        .map_err(|e| e.to_string())?;
        let id = store.save_cluster(&ctx, None, &valid).await.map_err(err)?;
        cluster_cover.push(ClusterCoverage { id: id.clone(), council_ids: valid.council_ids.clone() });
        for (suffix, service, size) in CLUSTER_TEAMS {
            let team = validate_team(
                &TeamInput {
                    name: format!("{name} {suffix}"),
                    service: service.code().into(),
                    cluster_id: Some(id.clone()),
                    council_ids: valid.council_ids.clone(),
                },
                &coverage,
                &cluster_cover,
            )
            .map_err(|e| e.to_string())?;
            teams.push((store.save_team(&ctx, None, &team).await.map_err(err)?, service, size));
        }
    }
    for (name, service, councils, size) in CENTRAL_TEAMS {
        let team = validate_team(
            &TeamInput {
                name: name.into(),
                service: service.code().into(),
                cluster_id: None,
                council_ids: ids_of(councils),
            },
            &coverage,
            &cluster_cover,
        )
        .map_err(|e| e.to_string())?;
        teams.push((store.save_team(&ctx, None, &team).await.map_err(err)?, service, size));
    }
    let roles: HashMap<String, String> =
        store.list_roles().await.map_err(err)?.into_iter().map(|r| (r.key, r.id)).collect();
    let hash = canopy_web::hash_password(DEMO_PASSWORD)?;
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut used: HashMap<String, usize> = HashMap::new();
    let mut named = logins.iter().map(|(who, email)| (*who, email.clone())).collect::<HashMap<_, _>>();
    for (team_id, service, size) in &teams {
        for i in 0..*size {
            let lead = i == 0;
            let (title, role_keys) = job(*service, lead);
            let first = FIRST[rng.gen_range(0..FIRST.len())];
            let last = LAST[rng.gen_range(0..LAST.len())];
            let base = format!("{}.{}", first.to_lowercase(), last.to_lowercase().replace('\'', ""));
            let n = used.entry(base.clone()).or_insert(0);
            *n += 1;
            let mut email =
                if *n == 1 { format!("{base}@canopy.example") } else { format!("{base}{n}@canopy.example") };
            let mut keys: Vec<&str> = role_keys.to_vec();
            // The printed sign-ins are the first practitioner, team manager, director and
            // performance analyst made.
            let special = match (*service, lead, keys.first().copied()) {
                (Service::Safeguarding, false, Some("practitioner")) => named.remove("practitioner"),
                (Service::Safeguarding, true, _) => named.remove("team manager"),
                (Service::Leadership, true, _) => named.remove("director"),
                (Service::Performance, true, _) => named.remove("performance analyst"),
                (Service::BusinessSupport, true, _) => {
                    keys.push("org_admin");
                    named.remove("admin")
                }
                _ => None,
            };
            if let Some(fixed) = special {
                email = fixed;
            }
            if matches!(keys.first(), Some(&"practitioner") | Some(&"team_manager")) && rng.gen_ratio(1, 12) {
                keys.push("recruitment_champion");
            }
            if *service == Service::Adoption {
                keys.push("adoption_service");
            }
            if *service == Service::BusinessSupport && i % 20 == 1 {
                keys.push("auditor");
            }
            let details = UserDetails {
                email,
                display_name: format!("{first} {last}"),
                job_title: title.into(),
                role_ids: keys.iter().filter_map(|k| roles.get(*k).cloned()).collect(),
                team_ids: vec![team_id.clone()],
                council_ids: if *service == Service::Leadership {
                    council_ids.values().cloned().collect()
                } else {
                    vec![]
                },
            };
            store.create_user(&ctx, &details, &hash, false).await.map_err(err)?;
        }
    }
    Ok(logins)
}

#[cfg(test)]
mod tests {
    use super::*;
    use canopy_domain::access::{Permission, Reach};
    use canopy_store::testing::{TestDb, TestEngine};
    use canopy_store::Scope;

    #[tokio::test]
    async fn the_demo_is_three_real_councils_four_clusters_and_over_800_staff_whose_printed_sign_ins_work() {
        let db = TestDb::new(TestEngine::Sqlite).await.expect("db").expect("sqlite always runs");
        let store = &db.store;
        store.ensure_reference_data(&cli_ctx()).await.expect("reference data");
        let logins = ensure(store).await.expect("demo");
        let councils = store.list_councils(&Scope::Organisation).await.expect("councils");
        let codes: Vec<(&str, &str)> = councils.iter().map(|c| (c.la_code.as_str(), c.ons_code.as_str())).collect();
        assert_eq!(codes, vec![("314", "E09000021"), ("318", "E09000027"), ("868", "E06000040")]);
        assert_eq!(store.list_clusters(&Scope::Organisation).await.expect("clusters").len(), 4);
        let teams = store.list_teams(&Scope::Organisation).await.expect("teams");
        assert!(
            teams.iter().any(|t| t.cluster_id.is_none() && t.council_ids.len() == 3),
            "a central team serves every council"
        );
        assert!(store.count_users().await.expect("users") >= 800);

        let hasher = canopy_web::PasswordHasher::with_params(19 * 1024, 2).expect("hasher");
        for (who, email) in &logins {
            let creds = store.credentials_by_email(email).await.expect("lookup").expect("demo login exists");
            assert!(hasher.verify(Some(creds.password_hash), DEMO_PASSWORD.into()).await, "{who} signs in");
            let actor = store
                .actor(&creds.user_id, chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"))
                .await
                .expect("actor");
            let expected = match *who {
                "practitioner" => actor.reach_of(Permission::CaseEdit) == Some(Reach::Team),
                "team manager" => actor.holds(Permission::CaseAllocate),
                "director" => actor.reach_of(Permission::PerformanceView) == Some(Reach::Organisation),
                "performance analyst" => actor.reach_of(Permission::ReturnsManage) == Some(Reach::Organisation),
                _ => actor.holds(Permission::OrgAdmin) && actor.holds(Permission::UsersAdmin),
            };
            assert!(expected, "{who} has the right roles");
        }
        let before = store.count_users().await.expect("users");
        ensure(store).await.expect("demo again");
        assert_eq!(store.count_users().await.expect("users"), before, "the demo is reused, not duplicated");
        db.cleanup().await;
    }
}
