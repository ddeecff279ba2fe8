//! The store conformance suite: every story here runs against SQLite and PostgreSQL.
//! One test binary, so the suite links once.

use canopy_domain::org::{
    validate_cluster, validate_council, validate_team, ClusterCoverage, ClusterInput, CouncilCoverage, CouncilInput,
    OtherCouncils, PostcodeDistrict, TeamInput,
};
use canopy_store::on_both_engines;
use canopy_store::testing::{add_council, TestDb, TestEngine};
use canopy_store::users::UserDetails;
use canopy_store::{AuditContext, AuditEvent, Scope, Store, StoreError};
use chrono::NaiveDate;

fn ctx() -> AuditContext {
    AuditContext { actor_id: "tester".into(), source: "test".into(), at_ms: 1_795_000_000_000 }
}

async fn council(store: &Store, name: &str, la: &str, ons: &str, districts: &str) -> String {
    add_council(store, name, la, ons, districts).await.expect("council saved").id
}

fn coverage(id: &str, districts: &[&str]) -> CouncilCoverage {
    CouncilCoverage {
        id: id.into(),
        name: id.into(),
        districts: districts.iter().map(|d| PostcodeDistrict::parse(d).expect("district")).collect(),
    }
}

on_both_engines!(councils_are_tenants_and_codes_are_unique, TestDb, |db| {
    let store = db.store.clone();
    {
        let k = council(&store, "Kingston upon Thames", "314", "E09000021", "KT1, KT2").await;
        let r = council(&store, "Richmond upon Thames", "318", "E09000027", "TW9, TW10").await;
        let all = store.list_councils(&Scope::Organisation).await.expect("list");
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].postcode_districts, vec!["KT1".to_string(), "KT2".to_string()]);
        let only_k = store.list_councils(&Scope::Councils(vec![k.clone()])).await.expect("list");
        assert_eq!(only_k.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), vec![k.as_str()]);
        assert!(matches!(store.get_council(&Scope::Councils(vec![k.clone()]), &r).await, Err(StoreError::NotFound)));
        let dup = validate_council(
            &CouncilInput {
                name: "Another".into(),
                la_code: "314".into(),
                ons_code: "E09000099".into(),
                postcode_districts: "SL6".into(),
            },
            &OtherCouncils::default(),
        )
        .expect("valid on its own");
        match store.save_council(&ctx(), None, &dup).await {
            Err(StoreError::Conflict { field, .. }) => assert_eq!(field, "la_code"),
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert_eq!(store.list_councils(&Scope::Organisation).await.expect("list").len(), 2);
    }
});

on_both_engines!(clusters_and_teams_follow_their_councils_scope, TestDb, |db| {
    let store = db.store.clone();
    {
        let k = council(&store, "Kingston upon Thames", "314", "E09000021", "KT1, KT2").await;
        let w = council(&store, "Windsor and Maidenhead", "868", "E06000040", "SL6").await;
        let councils = [coverage(&k, &["KT1", "KT2"]), coverage(&w, &["SL6"])];
        let north = validate_cluster(
            &ClusterInput { name: "North".into(), areas: "KT2, KT1 4".into(), council_ids: vec![k.clone()] },
            &councils,
            &[],
        )
        .expect("cluster");
        let north_id = store.save_cluster(&ctx(), None, &north).await.expect("saved");
        let team = validate_team(
            &TeamInput {
                name: "Safeguarding North".into(),
                service: "safeguarding".into(),
                cluster_id: Some(north_id.clone()),
                council_ids: vec![k.clone()],
            },
            &councils,
            &[ClusterCoverage { id: north_id.clone(), council_ids: vec![k.clone()] }],
        )
        .expect("team");
        let team_id = store.save_team(&ctx(), None, &team).await.expect("team saved");
        let in_windsor = Scope::Councils(vec![w.clone()]);
        assert!(store.list_teams(&in_windsor).await.expect("teams").is_empty());
        assert!(store.list_clusters(&in_windsor).await.expect("clusters").is_empty());
        assert!(matches!(store.get_team(&in_windsor, &team_id).await, Err(StoreError::NotFound)));
        let t = store.get_team(&Scope::Councils(vec![k.clone()]), &team_id).await.expect("visible");
        assert_eq!(t.cluster_id.as_deref(), Some(north_id.as_str()));
        let clusters = store.list_clusters(&Scope::Organisation).await.expect("clusters");
        assert_eq!(clusters[0].areas, vec!["KT1 4".to_string(), "KT2".to_string()]);
    }
});

on_both_engines!(users_roles_sessions_and_tokens, TestDb, |db| {
    let store = db.store.clone();
    {
        store.ensure_reference_data(&ctx()).await.expect("reference data");
        store.ensure_reference_data(&ctx()).await.expect("idempotent");
        let roles = store.list_roles().await.expect("roles");
        assert_eq!(roles.len(), canopy_domain::access::BUILTIN_ROLES.len());
        let practitioner = roles.iter().find(|r| r.key == "practitioner").expect("practitioner");
        let k = council(&store, "Kingston upon Thames", "314", "E09000021", "KT1").await;
        let details = UserDetails {
            email: "Sam.Social@Example.org".into(),
            display_name: "Sam Social".into(),
            job_title: "Social worker".into(),
            role_ids: vec![practitioner.id.clone()],
            team_ids: vec![],
            council_ids: vec![k.clone()],
        };
        let id = store.create_user(&ctx(), &details, "hash", false).await.expect("user");
        match store.create_user(&ctx(), &details, "hash", false).await {
            Err(StoreError::Conflict { field, .. }) => assert_eq!(field, "email"),
            other => panic!("expected conflict, got {other:?}"),
        }
        let creds = store.credentials_by_email(" sam.social@example.org").await.expect("lookup").expect("found");
        assert_eq!(creds.user_id, id);
        let actor =
            store.actor(&id, chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date")).await.expect("actor");
        assert!(actor.holds(canopy_domain::access::Permission::CaseView));
        assert!(actor.councils.contains(&k));

        store.create_session(&ctx(), "tokenhash", &id).await.expect("session");
        assert!(store.session("tokenhash").await.expect("read").is_some());
        store.set_user_disabled(&ctx(), &id, true).await.expect("disable");
        assert!(store.session("tokenhash").await.expect("read").is_none(), "disabling ends sessions");
        store.set_user_disabled(&ctx(), &id, false).await.expect("enable");

        let token_id = store.create_api_token(&ctx(), &id, "reports", "apihash").await.expect("token");
        assert_eq!(store.api_token_user("apihash", 1).await.expect("lookup"), Some(id.clone()));
        assert!(matches!(store.revoke_api_token(&ctx(), "someone-else", &token_id).await, Err(StoreError::NotFound)));
        store.revoke_api_token(&ctx(), &id, &token_id).await.expect("revoke");
        assert_eq!(store.api_token_user("apihash", 2).await.expect("lookup"), None);
    }
});

on_both_engines!(the_audit_log_is_append_only_and_tampering_is_found, TestDb, |db| {
    let store = db.store.clone();
    let postgres = db.url.starts_with("postgres");
    {
        for i in 0..7 {
            store.audit(&ctx(), AuditEvent::succeeded("view_team", "team", &format!("t{i}"))).await.expect("audit");
        }
        assert_eq!(store.verify_audit_chain().await.expect("verify"), Ok(7));
        assert!(db.raw("UPDATE audit_log SET outcome = 'denied' WHERE seq = 4").await.is_err());
        assert!(db.raw("DELETE FROM audit_log WHERE seq = 4").await.is_err());
        // An attacker with the database's own powers switches the guard off and edits a row.
        let tamper = if postgres {
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update; \
             UPDATE audit_log SET record_id = 'someone-else' WHERE seq = 4; \
             ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;"
        } else {
            "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET record_id = 'someone-else' WHERE seq = 4;"
        };
        db.raw(tamper).await.expect("tamper");
        let broken = store.verify_audit_chain().await.expect("verify").expect_err("tampering is found");
        assert_eq!(broken.seq, 4);
    }
});

on_both_engines!(a_council_calendar_adds_its_closure_days_to_the_bank_holidays, TestDb, |db| {
    let store = db.store.clone();
    {
        store.ensure_reference_data(&ctx()).await.expect("reference data");
        let k = council(&store, "Kingston upon Thames", "314", "E09000021", "KT1").await;
        let closure = NaiveDate::from_ymd_opt(2026, 12, 29).expect("date");
        store.add_closure_day(&ctx(), &k, closure, "Council closure").await.expect("closure");
        let cal = store.council_calendar(&k).await.expect("calendar");
        assert!(!cal.is_working_day(closure));
        assert!(!cal.is_working_day(NaiveDate::from_ymd_opt(2026, 12, 25).expect("date")));
        assert!(cal.is_working_day(NaiveDate::from_ymd_opt(2026, 12, 30).expect("date")));
        assert!(matches!(store.add_closure_day(&ctx(), &k, closure, "again").await, Err(StoreError::Conflict { .. })));
    }
});

#[tokio::test]
async fn both_engines_migrate_to_the_same_schema() {
    let Some(pg) = TestDb::new(TestEngine::Postgres).await.expect("postgres") else {
        return;
    };
    let lite = TestDb::new(TestEngine::Sqlite).await.expect("sqlite").expect("sqlite always runs");
    let a = lite.store.schema_outline().await.expect("sqlite schema");
    let b = pg.store.schema_outline().await.expect("postgres schema");
    assert!(a.len() > 50, "the schema has its tables");
    assert_eq!(a, b);
    lite.cleanup().await;
    pg.cleanup().await;
}

#[tokio::test]
async fn sqlite_runs_with_wal_full_sync_and_foreign_keys() {
    let db = TestDb::new(TestEngine::Sqlite).await.expect("sqlite").expect("sqlite always runs");
    assert!(db.raw("INSERT INTO team_councils (team_id, council_id) VALUES ('none', 'none')").await.is_err());
    let wal = std::path::Path::new(db.url.trim_start_matches("sqlite://").trim_end_matches("?mode=rwc"));
    assert!(wal.exists());
    db.cleanup().await;
}

#[tokio::test]
async fn postgres_without_synchronous_commit_is_refused() {
    let Some(db) = TestDb::new(TestEngine::Postgres).await.expect("postgres") else {
        return;
    };
    let unsafe_url = format!("{}?options=-c%20synchronous_commit%3Doff", db.url);
    match Store::open(&unsafe_url).await {
        Err(StoreError::UnsafeSettings(message)) => assert!(message.contains("synchronous_commit"), "{message}"),
        Err(other) => panic!("expected a refusal for unsafe settings, got {other}"),
        Ok(_) => panic!("a store with synchronous_commit off must not open"),
    }
    db.cleanup().await;
}

#[tokio::test]
async fn an_unknown_database_url_is_refused_with_a_clear_error() {
    match Store::open("mysql://localhost/canopy").await {
        Err(StoreError::UnsupportedUrl(message)) => {
            assert!(message.contains("sqlite://") && message.contains("postgres://"))
        }
        Err(other) => panic!("expected UnsupportedUrl, got {other}"),
        Ok(_) => panic!("mysql is not supported"),
    }
}
