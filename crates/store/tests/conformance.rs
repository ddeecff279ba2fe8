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

/// A child for a story to record things about.
fn maya() -> canopy_domain::people::ValidChild {
    use canopy_domain::people::{Ethnicity, Sex, ValidChild};
    ValidChild {
        first_name: "Maya".into(),
        last_name: "Okafor".into(),
        date_of_birth: NaiveDate::from_ymd_opt(2015, 3, 1),
        expected_date_of_birth: None,
        sex: Sex::Female,
        ethnicity: Ethnicity::WhiteBritish,
        disabilities: vec![],
        nhs_number: None,
        upn: None,
        former_upn: None,
        upn_unknown: None,
        local_id: String::new(),
        date_of_death: None,
    }
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

mod budgets {
    use super::*;
    use canopy_domain::budgets::{FinancialYear, LimitRule, LimitSubject, PaymentMethod, Pence, SpendLimit};
    use canopy_store::budgets::{NewBudget, NewSpend};
    use canopy_store::children::Placement;

    pub fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).expect("date")
    }

    /// A council with a child, a budget of `allocation` pence, practitioners `workers` with the
    /// practitioner limit, and a manager.
    pub struct World {
        pub council: String,
        pub child: String,
        pub budget: String,
        pub workers: Vec<String>,
        pub manager: String,
    }

    pub async fn world(store: &Store, allocation: i64, workers: usize) -> World {
        store.ensure_reference_data(&ctx()).await.expect("reference data");
        let roles = store.list_roles().await.expect("roles");
        let role = |key: &str| roles.iter().find(|r| r.key == key).expect("role").id.clone();
        let council = council(store, "Kingston upon Thames", "314", "E09000021", "KT1").await;
        let user = |name: String, role_id: String| {
            let details = UserDetails {
                email: format!("{name}@example.org"),
                display_name: name,
                job_title: "Social worker".into(),
                role_ids: vec![role_id],
                team_ids: vec![],
                council_ids: vec![council.clone()],
            };
            async move { store.create_user(&ctx(), &details, "hash", false).await.expect("user") }
        };
        let mut ids = Vec::new();
        for i in 0..workers {
            ids.push(user(format!("worker{i}"), role("practitioner")).await);
        }
        let manager = user("manager".into(), role("team_manager")).await;
        let child = maya();
        let placement = Placement {
            council_id: council.clone(),
            postcode: None,
            cluster_id: None,
            team_id: None,
            allocated_to: None,
        };
        let child = store.create_child(&ctx(), &child, &placement, today()).await.expect("child");
        let budget = NewBudget {
            council_id: council.clone(),
            cluster_id: None,
            team_id: None,
            name: "Direct help to families".into(),
            year: FinancialYear(2026),
            allocation: Some(Pence(allocation)),
        };
        let budget = store.create_budget(&ctx(), &budget, today()).await.expect("budget");
        let limit = LimitRule {
            subject: LimitSubject::Role("practitioner".into()),
            limit: SpendLimit { per_spend: Pence(25_000), per_month: Pence(100_000) },
        };
        store.set_limit(&ctx(), &council, &limit).await.expect("limit");
        World { council, child, budget, workers: ids, manager }
    }

    pub fn spend(w: &World, amount: i64, method: PaymentMethod) -> NewSpend {
        NewSpend {
            budget_id: w.budget.clone(),
            child_id: w.child.clone(),
            for_family: false,
            amount: Pence(amount),
            category_code: "clothing".into(),
            purpose: "School uniform".into(),
            supplier: "Uniform shop".into(),
            method,
            spent_on: today(),
            receipt_document_id: None,
        }
    }

    pub fn as_user(id: &str) -> AuditContext {
        AuditContext { actor_id: id.into(), ..ctx() }
    }
}

on_both_engines!(budgets_spend_within_and_over_limits_with_a_true_ledger, TestDb, |db| {
    use budgets::*;
    use canopy_domain::budgets::{FinancialYear, PaymentMethod, Pence, SpendChange, SpendStatus};
    use canopy_store::budgets::{BudgetFilter, NewBudget, SpendFilter};
    let store = db.store.clone();
    let w = world(&store, 100_000, 1).await;
    let worker = as_user(&w.workers[0]);
    let manager = as_user(&w.manager);
    let scope = Scope::Organisation;

    // Within the limit: approved and paid at once, in one transaction.
    let done =
        store.record_spend(&worker, &spend(&w, 4_500, PaymentMethod::PurchaseCard), today()).await.expect("spend");
    assert_eq!(done.status, SpendStatus::Paid);
    // Over the per-spend limit: waits for a manager, and takes nothing yet.
    let big = store.record_spend(&worker, &spend(&w, 30_000, PaymentMethod::Invoice), today()).await.expect("spend");
    assert_eq!(big.status, SpendStatus::AwaitingApproval);
    assert_eq!(big.limit_reasons.len(), 1, "{:?}", big.limit_reasons);
    let b = store.budget(&scope, &w.budget).await.expect("budget");
    assert_eq!(
        (b.allocated, b.available, b.committed, b.spent),
        (Pence(100_000), Pence(95_500), Pence(0), Pence(4_500))
    );
    // The maker cannot approve their own spend; the manager can, and an invoice is committed.
    assert!(matches!(store.decide_spend(&worker, &big.id, true, "", today()).await, Err(StoreError::Conflict { .. })));
    let status = store.decide_spend(&manager, &big.id, true, "Fridge broke", today()).await.expect("decide");
    assert_eq!(status, SpendStatus::Committed);
    assert!(matches!(store.decide_spend(&manager, &big.id, true, "", today()).await, Err(StoreError::Conflict { .. })));
    let b = store.budget(&scope, &w.budget).await.expect("budget");
    assert_eq!((b.available, b.committed), (Pence(65_500), Pence(30_000)));
    // Paying settles the commitment; refunding reverses both postings exactly.
    store.settle_spend(&worker, &big.id, SpendChange::Pay, "Invoice 991", today()).await.expect("pay");
    store.settle_spend(&worker, &done.id, SpendChange::Refund, "Wrong size", today()).await.expect("refund");
    let b = store.budget(&scope, &w.budget).await.expect("budget");
    assert_eq!((b.available, b.committed, b.spent), (Pence(70_000), Pence(0), Pence(30_000)));
    assert!(matches!(
        store.settle_spend(&worker, &done.id, SpendChange::Refund, "", today()).await,
        Err(StoreError::Conflict { .. })
    ));
    // A rolling monthly limit: £1,000 a month; the refunded spend no longer counts.
    let (limit, spent) = store.spender_position(&w.council, &w.workers[0], today()).await.expect("position");
    assert_eq!((limit.map(|l| l.0.per_month), spent), (Some(Pence(100_000)), Pence(0)));

    // The balances are the sum of the entries, every posting balances, nothing is below zero.
    let entries = store.ledger_entries(&scope, Some(&w.budget), None).await.expect("ledger");
    let sum = |kind: &str| -> i64 {
        entries.iter().filter(|e| e.account.kind() == kind && e.account.owner() == w.budget).map(|e| e.amount.0).sum()
    };
    assert_eq!((sum("available"), sum("committed"), sum("spent")), (70_000, 0, 30_000));
    let reversals = entries.iter().filter(|e| e.reverses.is_some()).count();
    assert_eq!(reversals, 4, "a refund reverses the payment and the commitment, two lines each");
    // Allocation, two commitments, two payments, two reversals.
    assert_eq!(store.check_ledger().await.expect("check"), Ok(7));
    // The ledger is append-only, on both engines.
    assert!(db.raw("UPDATE ledger_lines SET amount_pence = 1").await.is_err());
    assert!(db.raw("DELETE FROM ledger_postings").await.is_err());

    // Spends list by child and by a manager's queue.
    let for_child = SpendFilter { child_id: Some(w.child.clone()), ..SpendFilter::in_scope(scope.clone()) };
    assert_eq!(store.spends(&for_child).await.expect("spends").len(), 2);
    let other_council = Scope::Councils(vec!["elsewhere".into()]);
    assert!(store.spends(&SpendFilter::in_scope(other_council.clone())).await.expect("spends").is_empty());
    assert!(matches!(store.budget(&other_council, &w.budget).await, Err(StoreError::NotFound)));

    // Bad input: too much for the budget; a budget in another council; a closed budget.
    let err = store.record_spend(&manager, &spend(&w, 80_000, PaymentMethod::Cash), today()).await.unwrap_err();
    match err {
        StoreError::Conflict { field, message } => {
            assert_eq!(field, "amount");
            assert!(message.contains("£700.00 left"), "{message}");
        }
        other => panic!("expected overspend, got {other:?}"),
    }
    let r = council(&store, "Richmond upon Thames", "318", "E09000027", "TW9").await;
    let richmond_budget = NewBudget {
        council_id: r.clone(),
        cluster_id: None,
        team_id: None,
        name: "Richmond direct help".into(),
        year: FinancialYear(2026),
        allocation: Some(Pence(10_000)),
    };
    let rb = store.create_budget(&ctx(), &richmond_budget, today()).await.expect("budget");
    let mut wrong = spend(&w, 1_000, PaymentMethod::Cash);
    wrong.budget_id = rb.clone();
    assert!(matches!(
        store.record_spend(&worker, &wrong, today()).await,
        Err(StoreError::Conflict { field, .. }) if field == "budget_id"
    ));
    assert!(matches!(
        store.transfer(&ctx(), &w.budget, &rb, Pence(100), "", today()).await,
        Err(StoreError::Conflict { field, .. }) if field == "to_budget"
    ));

    // Year end: a commitment blocks closing; then the rest carries forward only when asked.
    let open = store.record_spend(&worker, &spend(&w, 2_000, PaymentMethod::Invoice), today()).await.expect("spend");
    assert_eq!(open.status, SpendStatus::Committed);
    assert!(matches!(store.close_budget(&ctx(), &w.budget, None, today()).await, Err(StoreError::Conflict { .. })));
    store.settle_spend(&worker, &open.id, SpendChange::Cancel, "Not needed", today()).await.expect("cancel");
    let next = NewBudget {
        council_id: w.council.clone(),
        cluster_id: None,
        team_id: None,
        name: "Direct help to families".into(),
        year: FinancialYear(2027),
        allocation: None,
    };
    let next = store.create_budget(&ctx(), &next, today()).await.expect("next year");
    let carried = store.close_budget(&ctx(), &w.budget, Some(&next), today()).await.expect("close");
    assert_eq!(carried, Pence(70_000));
    let closed = store.budget(&scope, &w.budget).await.expect("budget");
    assert!(!closed.open);
    assert_eq!((closed.available, closed.allocated), (Pence(0), Pence(100_000)));
    assert_eq!(store.budget(&scope, &next).await.expect("next").available, Pence(70_000));
    assert!(matches!(
        store.record_spend(&worker, &spend(&w, 100, PaymentMethod::Cash), today()).await,
        Err(StoreError::Conflict { field, .. }) if field == "budget_id"
    ));
    let listed = store.budgets(&BudgetFilter { open_only: true, ..BudgetFilter::in_scope(scope.clone()) }).await;
    assert_eq!(listed.expect("budgets").len(), 2);
    assert!(store.check_ledger().await.expect("check").is_ok());
    assert_eq!(
        store.verify_audit_chain().await.expect("verify"),
        Ok(store.recent_audit(10_000).await.expect("audit").len() as u64)
    );
});

on_both_engines!(budgets_are_never_overspent_under_concurrent_spends, TestDb, |db| {
    use budgets::*;
    use canopy_domain::budgets::{PaymentMethod, Pence, SpendStatus};
    let store = db.store.clone();
    // £1,000 in the budget, 40 workers each spending £60 at the same moment: 16 fit.
    let w = world(&store, 100_000, 40).await;
    let mut tasks = Vec::new();
    for worker in &w.workers {
        let store = store.clone();
        let ctx = as_user(worker);
        let s = spend(&w, 6_000, PaymentMethod::PurchaseCard);
        tasks.push(tokio::spawn(async move { store.record_spend(&ctx, &s, today()).await }));
    }
    let mut approved = Vec::new();
    let mut refused = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(outcome) => {
                assert_eq!(outcome.status, SpendStatus::Paid);
                approved.push(outcome.id);
            }
            Err(StoreError::Conflict { field, .. }) if field == "amount" => refused += 1,
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
    assert_eq!((approved.len(), refused), (16, 24));
    let b = store.budget(&Scope::Organisation, &w.budget).await.expect("budget");
    assert_eq!((b.available, b.spent), (Pence(4_000), Pence(96_000)));
    // Every approved spend is in the ledger, and nothing else is.
    let entries = store.ledger_entries(&Scope::Organisation, Some(&w.budget), None).await.expect("ledger");
    for id in &approved {
        assert_eq!(entries.iter().filter(|e| e.spend_id.as_deref() == Some(id)).count(), 4, "commitment and payment");
    }
    assert_eq!(entries.iter().filter(|e| e.spend_id.is_some()).count(), approved.len() * 4);
    assert!(store.check_ledger().await.expect("check").is_ok());
});

on_both_engines!(data_quality_findings_open_when_found_and_close_when_put_right, TestDb, |db| {
    use canopy_store::children::Placement;
    use canopy_store::quality::QualityFinding;
    let store = &db.store;
    let council = council(store, "Kingston upon Thames", "314", "E09000021", "KT1").await;
    let child = maya();
    let placement =
        Placement { council_id: council.clone(), postcode: None, cluster_id: None, team_id: None, allocated_to: None };
    let today = NaiveDate::from_ymd_opt(2026, 12, 2).expect("date");
    let child = store.create_child(&ctx(), &child, &placement, today).await.expect("child");
    let finding = |rule: &str, severity: &str| QualityFinding {
        statutory_return: "CIN".into(),
        collection_year: 2027,
        rule: rule.into(),
        severity: severity.into(),
        place: "CINdetails 1".into(),
        message: format!("rule {rule}"),
    };
    let found = [finding("8610", "Error"), finding("8670Q", "Query")];
    assert_eq!(store.record_data_quality(&child, &council, &found, 1_000).await.expect("check"), (2, 0));
    assert_eq!(store.record_data_quality(&child, &council, &found, 2_000).await.expect("again"), (0, 0), "idempotent");
    assert_eq!(store.open_data_quality(&child).await.expect("open").len(), 2);
    let by_rule = store.data_quality_by_rule(&council, 2027).await.expect("by rule");
    assert_eq!(
        by_rule.iter().map(|r| (r.rule.as_str(), r.children)).collect::<Vec<_>>(),
        vec![("8610", 1), ("8670Q", 1)]
    );
    // The primary need is recorded: 8610 closes, the query stays.
    assert_eq!(store.record_data_quality(&child, &council, &found[1..], 3_000).await.expect("fixed"), (0, 1));
    let open = store.open_data_quality(&child).await.expect("open");
    assert_eq!(open.iter().map(|r| r.finding.rule.as_str()).collect::<Vec<_>>(), vec!["8670Q"]);
    let over_time = store.data_quality_open_at(&council, 2027, &[500, 1_500, 3_500]).await.expect("history");
    assert_eq!(over_time.iter().map(|(_, c)| c.errors).collect::<Vec<_>>(), vec![0, 1, 0]);
    assert_eq!(over_time.iter().map(|(_, c)| c.queries).collect::<Vec<_>>(), vec![0, 1, 1]);
    let teams = store.data_quality_by_team(&council, 2027).await.expect("teams");
    assert_eq!(teams.iter().map(|(_, c)| c.queries).sum::<i64>(), 1);
    assert!(store.data_quality_by_rule(&council, 2026).await.expect("other year").is_empty());
});

on_both_engines!(the_cin_census_is_read_from_every_childs_journey_in_order, TestDb, |db| {
    use canopy_domain::cases::RuleContext;
    use canopy_domain::people::Disability;
    use canopy_domain::returns::cin::import::journey_events;
    use canopy_domain::returns::cin::{CinAssessment, CinChild, CinDetails};
    use canopy_domain::returns::CollectionYear;
    use canopy_store::children::{ChildWithHistory, Placement};
    let store = &db.store;
    let kingston = council(store, "Kingston upon Thames", "314", "E09000021", "KT1").await;
    let (calendar, rules) = (
        store.council_calendar(&kingston).await.expect("calendar"),
        store.clock_rules(&kingston).await.expect("rules"),
    );
    let rule_context = RuleContext { calendar: &calendar, rules: &rules };
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
    // Ids that JSON and SQL must escape, and a child with no journey, who is in no census.
    let ids = ["K\"1\\a", "K2 'it''s'", "K3\tx", "K4"];
    let mut wanted = Vec::new();
    let mut batch = Vec::new();
    for (n, id) in ids.iter().enumerate() {
        let mut child = maya();
        child.local_id = id.to_string();
        child.disabilities = if n == 0 { vec![Disability::HandFunction, Disability::Mobility] } else { vec![] };
        let referred = d(2025, 5, 1 + n as u32).expect("date");
        let in_need = CinChild {
            la_child_id: Some(id.to_string()),
            details: vec![CinDetails {
                referral_date: Some(referred),
                referral_source: Some("1A".into()),
                primary_need: Some("N1".into()),
                referral_nfa: Some("0".into()),
                assessments: vec![CinAssessment {
                    start: Some(referred),
                    authorised: referred.checked_add_days(chrono::Days::new(20)),
                    factors: vec!["21".into()],
                    ..CinAssessment::default()
                }],
                ..CinDetails::default()
            }],
            ..CinChild::default()
        };
        let events = if n < 3 { journey_events(&in_need, &rule_context).expect("a journey").0 } else { vec![] };
        assert!(n == 3 || events.len() > 1, "a journey of several events, kept in order");
        if n < 3 {
            wanted.push(in_need);
        }
        let placement = Placement {
            council_id: kingston.clone(),
            postcode: None,
            cluster_id: None,
            team_id: None,
            allocated_to: None,
        };
        batch.push(ChildWithHistory {
            child,
            placement,
            created_on: referred,
            events,
            clocks: vec![],
            care: vec![],
            care_clocks: vec![],
            workers: vec![],
            adopters: None,
        });
    }
    store.add_children_with_history(&ctx(), &batch).await.expect("children");
    let audited = store.verify_audit_chain().await.expect("audit").expect("the chain holds");
    assert!(audited >= 4, "each child added is audited, chained to the one before: {audited}");
    let census = store.cin_return(&kingston, "314", CollectionYear(2026), "2026-04-02T09:00:00").await.expect("census");
    let got: Vec<Option<&str>> = census.children.iter().map(|c| c.la_child_id.as_deref()).collect();
    assert_eq!(got, vec![Some(ids[0]), Some(ids[1]), Some(ids[2])], "in the order the children were added");
    for (ours, theirs) in census.children.iter().zip(&wanted) {
        assert_eq!(ours.details[0].referral_date, theirs.details[0].referral_date);
        assert_eq!(ours.details[0].assessments[0].authorised, theirs.details[0].assessments[0].authorised);
    }
    assert_eq!(census.children[0].disabilities, vec!["HAND".to_string(), "MOB".to_string()]);
    assert_eq!(census.children[0].birth_date, d(2015, 3, 1));
    let other = council(store, "Richmond upon Thames", "318", "E09000027", "TW9").await;
    let none = store.cin_return(&other, "318", CollectionYear(2026), "2026-04-02T09:00:00").await.expect("empty");
    assert!(none.children.is_empty(), "another council's census holds none of them");
});
