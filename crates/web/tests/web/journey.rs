//! A child's journey through the pages, on both engines: search before create, the front door,
//! referral, assessment, strategy, section 47, conference, plans and closure; and who may see it.

use crate::support::{Browser, TestApp};
use canopy_domain::access::Sensitivity;
use canopy_store::children::ChildAccess;
use canopy_store::on_both_engines;
use reqwest::StatusCode;

fn access(sensitivity: Sensitivity, named: &[&String], excluded: &[&String], reason: &str) -> ChildAccess {
    ChildAccess {
        sensitivity,
        named: named.iter().map(|s| s.to_string()).collect(),
        excluded: excluded.iter().map(|s| s.to_string()).collect(),
        reason: reason.into(),
    }
}

fn date(y: i32, m: u32, d: u32) -> [(&'static str, String); 3] {
    [("date-day", d.to_string()), ("date-month", m.to_string()), ("date-year", y.to_string())]
}

/// Records one step through its form and expects the record page next.
pub(crate) async fn step(
    app: &TestApp,
    b: &mut Browser,
    child: &str,
    step: &str,
    on: (i32, u32, u32),
    fields: &[(&str, &str)],
) {
    let (status, _) = app.page(&format!("/children/{child}/record/{step}"), b).await;
    assert_eq!(status, StatusCode::OK, "the {step} form opens");
    let d = date(on.0, on.1, on.2);
    let mut all: Vec<(&str, &str)> = d.iter().map(|(k, v)| (*k, v.as_str())).collect();
    all.extend_from_slice(fields);
    let r = app.post(&format!("/children/{child}/record/{step}"), b, &all).await;
    let status = r.status();
    let body = r.text().await.expect("body");
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "{step} should be recorded: {}",
        body.split("govuk-error-summary__list").nth(1).unwrap_or(&body[..body.len().min(300)])
    );
}

pub(crate) async fn add_maya(app: &TestApp, b: &mut Browser) -> String {
    app.page("/children/new", b).await;
    let fields = [
        ("first_name", "Maya"),
        ("last_name", "Okafor"),
        ("date_of_birth-day", "4"),
        ("date_of_birth-month", "5"),
        ("date_of_birth-year", "2016"),
        ("sex", "F"),
        ("ethnicity", "BAFR"),
        ("nhs_number", "943 476 5919"),
        ("postcode", "KT1 1EU"),
    ];
    let r = app.post("/children/new", b, &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap_or_default());
    r.headers()["location"].to_str().expect("location").trim_start_matches("/children/").to_string()
}

on_both_engines!(a_childs_journey_from_contact_to_closure_through_the_pages, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let (_, found) = app.page("/children?last_name=Okafor", &mut worker).await;
    assert!(found.contains("No child matches"));
    let child = add_maya(app, &mut worker).await;

    // Adding her again is caught as a likely duplicate.
    app.page("/children/new", &mut worker).await;
    let again = app
        .post(
            "/children/new",
            &mut worker,
            &[
                ("first_name", "Maya"),
                ("last_name", "Okafor"),
                ("date_of_birth-day", "4"),
                ("date_of_birth-month", "5"),
                ("date_of_birth-year", "2016"),
                ("sex", "F"),
                ("postcode", "KT1 2AA"),
            ],
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(again.text().await.expect("body").contains("Is this a child we already know?"));
    let (_, found) = app.page("/children?first_name=Maia&last_name=Okafor&date_of_birth-day=4&date_of_birth-month=5&date_of_birth-year=2016", &mut worker).await;
    assert!(found.contains("Likely the same child"), "fuzzy search finds her");

    step(app, &mut worker, &child, "contact", (2026, 1, 12), &[("source", "2A"), ("worry", "Bruising seen at school")])
        .await;
    let mut manager = app.sign_in("manager@test.example").await;
    let (_, queue) = app.page("/front-door", &mut manager).await;
    assert!(queue.contains("Maya Okafor") && queue.contains("Overdue"), "the undecided contact is overdue by now");
    assert!(
        queue.contains("<th scope=\"col\" class=\"govuk-table__header\">Cluster</th>"),
        "the queue says which cluster each child is in"
    );
    step(app, &mut worker, &child, "contact_decision", (2026, 1, 13), &[("decision", "referral")]).await;
    step(app, &mut worker, &child, "referral", (2026, 1, 13), &[("source", "2A"), ("nfa", "no")]).await;
    step(app, &mut worker, &child, "assessment_start", (2026, 1, 13), &[]).await;
    step(app, &mut worker, &child, "child_seen", (2026, 1, 14), &[]).await;
    app.page(&format!("/children/{child}/record/strategy"), &mut worker).await;
    let no_one = app
        .post(
            &format!("/children/{child}/record/strategy"),
            &mut worker,
            &[("date-day", "14"), ("date-month", "1"), ("date-year", "2026"), ("section47_needed", "yes")],
        )
        .await;
    assert!(no_one.text().await.expect("body").contains("Enter who took part"));
    step(
        app,
        &mut worker,
        &child,
        "strategy",
        (2026, 1, 14),
        &[("section47_needed", "yes"), ("participants", "Social worker, police, school nurse")],
    )
    .await;
    step(app, &mut worker, &child, "section47_start", (2026, 1, 14), &[]).await;
    step(app, &mut worker, &child, "section47_conclude", (2026, 1, 28), &[("icpc_needed", "yes")]).await;
    step(app, &mut worker, &child, "initial_conference", (2026, 2, 3), &[("category", "PHY")]).await;
    step(app, &mut worker, &child, "core_group", (2026, 2, 12), &[]).await;
    step(
        app,
        &mut worker,
        &child,
        "visit",
        (2026, 2, 10),
        &[("seen", "yes"), ("seen_alone", "yes"), ("bedroom_seen", "no")],
    )
    .await;
    step(
        app,
        &mut worker,
        &child,
        "assessment_complete",
        (2026, 2, 20),
        &[("factors", "3B"), ("factors", "17A"), ("primary_need", "N1"), ("outcome", "strategy")],
    )
    .await;
    step(app, &mut worker, &child, "assessment_authorise", (2026, 2, 23), &[]).await;
    step(
        app,
        &mut worker,
        &child,
        "review_conference",
        (2026, 4, 28),
        &[("category", "EMO"), ("continue_plan", "yes")],
    )
    .await;

    // A plan cannot end on the day it started: the domain's message comes back on the form.
    app.page(&format!("/children/{child}/record/protection_plan_end"), &mut worker).await;
    let d = date(2026, 2, 3);
    let r = app
        .post(
            &format!("/children/{child}/record/protection_plan_end"),
            &mut worker,
            &[("date-day", d[0].1.as_str()), ("date-month", d[1].1.as_str()), ("date-year", d[2].1.as_str())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("never on it"));
    // A child in need plan is not offered while the protection plan is open.
    let (status, _) = app.page(&format!("/children/{child}/record/cin_plan_start"), &mut worker).await;
    assert_eq!(status, StatusCode::CONFLICT);

    step(app, &mut worker, &child, "protection_plan_end", (2026, 10, 20), &[]).await;
    step(app, &mut worker, &child, "cin_plan_start", (2026, 10, 20), &[]).await;
    step(app, &mut worker, &child, "cin_plan_end", (2026, 11, 20), &[]).await;
    step(app, &mut worker, &child, "close_episode", (2026, 11, 20), &[("reason", "RC7")]).await;

    let (status, record) = app.page(&format!("/children/{child}"), &mut worker).await;
    assert_eq!(status, StatusCode::OK);
    for line in [
        "Contact from schools: Bruising seen at school",
        "Front door decision: referral to children",
        "Strategy discussion with Social worker, police, school nurse: section 47 enquiry to start",
        "Section 47 enquiry started",
        "Initial child protection conference: plan for physical abuse",
        "Review conference: plan continues",
        "Child in need plan started",
        "Episode closed: services ceased",
    ] {
        assert!(record.contains(line), "the chronology shows '{line}'");
    }
    assert!(record.contains("Nothing is due for this child."));
    let events = app.db.store.journey_events(&child).await.expect("events");
    assert_eq!(events.len(), 18);
    let reads = app.db.store.recent_audit(400).await.expect("audit");
    assert!(reads.iter().any(|r| r.entry.action == "view_child" && r.entry.record_id == child), "reads are audited");
    assert!(reads.iter().any(|r| r.entry.action == "record_journey_event" && r.entry.record_id == child));
});

on_both_engines!(the_team_manager_allocates_and_the_work_tray_shows_the_clocks, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let child = add_maya(app, &mut worker).await;
    step(app, &mut worker, &child, "referral", (2026, 11, 16), &[("source", "6"), ("nfa", "no")]).await;
    let mut manager = app.sign_in("manager@test.example").await;
    let team = app.ids["kingston_team"].clone();
    let (status, queue) = app.page(&format!("/teams/{team}/allocation"), &mut manager).await;
    assert_eq!(status, StatusCode::OK);
    assert!(queue.contains("Maya Okafor"));
    let colleague = app.ids["colleague"].clone();
    let r = app
        .post(
            &format!("/teams/{team}/allocation"),
            &mut manager,
            &[("child_id", child.as_str()), ("worker_id", colleague.as_str())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mut colleague_browser = app.sign_in("colleague@test.example").await;
    let (_, tray) = app.page("/work-tray", &mut colleague_browser).await;
    assert!(tray.contains("Maya Okafor") && tray.contains("Complete and authorise the assessment"), "{tray}");
    assert!(tray.contains("Children allocated to you"));
    // The practitioner cannot reach the allocation queue.
    assert_eq!(app.get(&format!("/teams/{team}/allocation"), &mut worker).await.status(), StatusCode::FORBIDDEN);
});

on_both_engines!(children_outside_the_users_scope_answer_like_missing_ones, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let child = add_maya(app, &mut worker).await;
    let missing = "01900000-0000-7000-8000-000000000000";
    // A practitioner in another council's team.
    let mut windsor = app.sign_in("windsor.worker@test.example").await;
    let (s1, b1) = app.page(&format!("/children/{child}"), &mut windsor).await;
    let (s2, b2) = app.page(&format!("/children/{missing}"), &mut windsor).await;
    assert_eq!((s1, s2), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(b1, b2);
    let (_, found) = app.page("/children?last_name=Okafor", &mut windsor).await;
    assert!(!found.contains("Maya"), "search hides her too");

    // Restricted to named people: the colleague in the same team no longer sees her.
    let mut colleague = app.sign_in("colleague@test.example").await;
    assert_eq!(app.page(&format!("/children/{child}"), &mut colleague).await.0, StatusCode::OK);
    let ctx = canopy_store::AuditContext { actor_id: "test".into(), source: "test".into(), at_ms: 0 };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    app.db
        .store
        .set_child_access(
            &ctx,
            &child,
            &access(Sensitivity::Restricted, &[&app.ids["practitioner"]], &[], "High-profile case"),
            today,
        )
        .await
        .expect("restrict");
    let (s3, b3) = app.page(&format!("/children/{child}"), &mut colleague).await;
    assert_eq!(s3, StatusCode::NOT_FOUND);
    assert_eq!(b3, b2);
    assert_eq!(app.page(&format!("/children/{child}"), &mut worker).await.0, StatusCode::OK, "named people still can");

    // A staff member who is family of the child can never open the record, named or not.
    app.db
        .store
        .set_child_access(
            &ctx,
            &child,
            &access(
                Sensitivity::Normal,
                &[&app.ids["practitioner"]],
                &[&app.ids["practitioner"]],
                "Worker's own relative",
            ),
            today,
        )
        .await
        .expect("exclude");
    let (s4, b4) = app.page(&format!("/children/{child}"), &mut worker).await;
    assert_eq!(s4, StatusCode::NOT_FOUND);
    assert_eq!(b4, b2);
    let denied = app.db.store.recent_audit(50).await.expect("audit");
    assert!(
        denied.iter().any(|r| r.entry.action == "open_child" && r.entry.outcome == "denied"),
        "refusals are audited"
    );
});

on_both_engines!(the_journey_through_the_api_is_checked_by_the_same_rules, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let child = add_maya(app, &mut worker).await;
    let token = app.api_token(&mut worker, "case script").await;
    let post = |event: serde_json::Value| {
        app.client
            .post(app.url(&format!("/api/v1/children/{child}/events")))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "event": event }))
            .send()
    };
    let r = post(serde_json::json!({"kind": "referral_accepted", "episode": "e1", "date": "2026-11-02", "source": "6", "nfa": false})).await.expect("post");
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = post(
        serde_json::json!({"kind": "assessment_started", "episode": "e1", "assessment": "a1", "date": "2026-11-01"}),
    )
    .await
    .expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: serde_json::Value = r.json().await.expect("json");
    assert!(problem["errors"][0]["message"].as_str().expect("message").contains("before its referral"));
    let r = post(serde_json::json!({"kind": "no_such_step", "date": "2026-11-01"})).await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(serde_json::json!({"kind": "visit_recorded", "date": "2027-01-01", "seen": true, "seen_alone": false, "bedroom_seen": false})).await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "no events in the future");

    let record = app.api_json(&token, &format!("/api/v1/children/{child}")).await;
    assert_eq!(record["child"]["last_name"], "Okafor");
    assert_eq!(record["due"][0]["kind"], "assessment");
    assert_eq!(
        record["due"][0]["due"], "2027-01-07",
        "45 working days from 2 November 2026, past Christmas, Boxing Day and New Year"
    );
    let found: serde_json::Value = app
        .client
        .get(app.url("/api/v1/children?last_name=okafor"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(found[0]["child"]["id"], child.as_str());
    let bad = app.client.get(app.url("/api/v1/children")).bearer_auth(&token).send().await.expect("get");
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Another council's worker gets the same 404 problem as for a missing child.
    let mut windsor = app.sign_in("windsor.worker@test.example").await;
    let other = app.api_token(&mut windsor, "w").await;
    let theirs =
        app.client.get(app.url(&format!("/api/v1/children/{child}"))).bearer_auth(&other).send().await.expect("get");
    let missing = app
        .client
        .get(app.url("/api/v1/children/01900000-0000-7000-8000-000000000000"))
        .bearer_auth(&other)
        .send()
        .await
        .expect("get");
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
    assert_eq!(theirs.text().await.expect("a"), missing.text().await.expect("b"));
});

on_both_engines!(case_notes_are_kept_and_significant_ones_join_the_chronology, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let child = add_maya(app, &mut worker).await;
    let (status, _) = app.page(&format!("/children/{child}/notes/new"), &mut worker).await;
    assert_eq!(status, StatusCode::OK);
    let path = format!("/children/{child}/notes/new");
    let r = app
        .post(
            &path,
            &mut worker,
            &[
                ("note_type", "home_visit"),
                ("date-day", "20"),
                ("date-month", "11"),
                ("date-year", "2026"),
                ("text", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("Enter the note"));
    let r = app
        .post(
            &path,
            &mut worker,
            &[
                ("note_type", "home_visit"),
                ("date-day", "20"),
                ("date-month", "11"),
                ("date-year", "2026"),
                ("text", "Maya showed me her drawings"),
                ("significant", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .post(
            &path,
            &mut worker,
            &[
                ("note_type", "telephone"),
                ("date-day", "21"),
                ("date-month", "11"),
                ("date-year", "2026"),
                ("text", "Called school"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, record) = app.page(&format!("/children/{child}"), &mut worker).await;
    assert!(record.contains("Home visit: Maya showed me her drawings"), "significant notes are in the chronology");
    assert!(record.contains("Called school"), "every note is in the notes");
    assert_eq!(record.matches("Called school").count(), 1, "an ordinary note is not in the chronology");
});

on_both_engines!(a_council_sets_its_own_clock_rules_and_running_clocks_follow, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let child = add_maya(app, &mut worker).await;
    step(app, &mut worker, &child, "referral", (2026, 11, 2), &[("source", "6"), ("nfa", "no")]).await;
    let due = |app: &TestApp| {
        let child = child.clone();
        let store = app.db.store.clone();
        async move {
            let clocks = store.clocks(&canopy_store::children::ClockFilter::default()).await.expect("clocks");
            clocks.into_iter().find(|c| c.child.id == child && c.kind == "assessment").map(|c| c.due)
        }
    };
    assert_eq!(due(app).await, chrono::NaiveDate::from_ymd_opt(2027, 1, 7));
    let mut admin = app.sign_in("admin@test.example").await;
    let kingston = app.ids["kingston"].clone();
    let path = format!("/admin/councils/{kingston}/clock-rules");
    let (status, form) = app.page(&path, &mut admin).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("National default: 45"));
    let mut fields: Vec<(&str, String)> = canopy_domain::cases::ClockRules::KEYS
        .iter()
        .map(|(k, _)| (*k, canopy_domain::cases::ClockRules::default().get(k).unwrap_or_default().to_string()))
        .collect();
    fields.iter_mut().find(|(k, _)| *k == "cin_visit_working_days").expect("rule").1 = "0".into();
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app.post(&path, &mut admin, &borrowed).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("between 1 and 365"));
    fields.iter_mut().find(|(k, _)| *k == "cin_visit_working_days").expect("rule").1 = "15".into();
    fields.iter_mut().find(|(k, _)| *k == "assessment_working_days").expect("rule").1 = "40".into();
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app.post(&path, &mut admin, &borrowed).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.db.store.clock_rules(&kingston).await.expect("rules").assessment_working_days, 40);
    assert_eq!(due(app).await, chrono::NaiveDate::from_ymd_opt(2026, 12, 30), "the running clock was worked out again");
    // A closure day moves it too.
    let cal = format!("/admin/councils/{kingston}/calendar");
    app.page(&cal, &mut admin).await;
    let r = app
        .post(&cal, &mut admin, &[("day-day", "29"), ("day-month", "12"), ("day-year", "2026"), ("reason", "Closed")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(due(app).await, chrono::NaiveDate::from_ymd_opt(2026, 12, 31));
});

on_both_engines!(the_duty_board_shows_demand_and_a_manager_lends_a_worker, TestApp, |app| {
    use canopy_domain::org::{validate_cluster, validate_team, ClusterInput, TeamInput};
    let store = &app.db.store;
    let ctx = canopy_store::AuditContext { actor_id: "test".into(), source: "test".into(), at_ms: 0 };
    let kingston = app.ids["kingston"].clone();
    let councils = store.council_coverage().await.expect("coverage");
    let cluster = validate_cluster(
        &ClusterInput { name: "South West".into(), areas: "KT1, KT2".into(), council_ids: vec![kingston.clone()] },
        &councils,
        &[],
    )
    .expect("cluster");
    let cluster_id = store.save_cluster(&ctx, None, &cluster).await.expect("save cluster");
    let clusters: Vec<_> = store.cluster_coverage().await.expect("clusters").into_iter().map(|(c, _)| c).collect();
    let team = |name: &str| TeamInput {
        name: name.into(),
        service: "safeguarding".into(),
        cluster_id: Some(cluster_id.clone()),
        council_ids: vec![kingston.clone()],
    };
    let moved = validate_team(&team("Kingston safeguarding"), &councils, &clusters).expect("team");
    store.save_team(&ctx, Some(&app.ids["kingston_team"]), &moved).await.expect("move team");
    let duty_team = store
        .save_team(&ctx, None, &validate_team(&team("South West duty"), &councils, &clusters).expect("team"))
        .await
        .expect("duty team");

    let mut worker = app.sign_in("worker@test.example").await;
    let child = add_maya(app, &mut worker).await;
    step(app, &mut worker, &child, "contact", (2026, 11, 19), &[("source", "6"), ("worry", "Police call-out")]).await;
    let mut manager = app.sign_in("manager@test.example").await;
    let (_, index) = app.page("/duty", &mut manager).await;
    assert!(index.contains(&format!("/clusters/{cluster_id}/duty")));
    let (status, board) = app.page(&format!("/clusters/{cluster_id}/duty"), &mut manager).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        board.contains("Maya Okafor") && board.contains("Overdue") && board.contains("Decide the contact"),
        "{board}"
    );
    assert!(board.contains("Waiting for a worker"));
    let (status, json) = app.page(&format!("/api/v1/clusters/{cluster_id}/duty"), &mut manager).await;
    assert_eq!(status, StatusCode::OK);
    let api: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(api["teams"].as_array().map(Vec::len), Some(2));
    assert_eq!(api["pressing"][0]["kind"], "contact_decision");
    assert_eq!(api["pressing"][0]["status"], "overdue");

    // A child held by the duty team, unseen by the colleague until they are lent to it.
    let other = store
        .create_child(
            &ctx,
            &canopy_domain::people::validate_child(
                &canopy_domain::people::ChildInput {
                    first_name: "Sol".into(),
                    last_name: "Reyes".into(),
                    date_of_birth: chrono::NaiveDate::from_ymd_opt(2018, 2, 2),
                    sex: "M".into(),
                    ..Default::default()
                },
                chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"),
            )
            .expect("child"),
            &canopy_store::children::Placement {
                council_id: kingston.clone(),
                team_id: Some(duty_team.clone()),
                ..Default::default()
            },
            chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"),
        )
        .await
        .expect("child");
    let mut colleague = app.sign_in("colleague@test.example").await;
    assert_eq!(app.page(&format!("/children/{other}"), &mut colleague).await.0, StatusCode::NOT_FOUND);
    let home_team = app.ids["kingston_team"].clone();
    let lend = format!("/teams/{home_team}/loans");
    app.page(&lend, &mut manager).await;
    let colleague_id = app.ids["colleague"].clone();
    let windsor_team = app.ids["windsor_team"].clone();
    let refused = app
        .post(
            &lend,
            &mut manager,
            &[
                ("worker_id", colleague_id.as_str()),
                ("to_team", windsor_team.as_str()),
                ("until-day", "30"),
                ("until-month", "11"),
                ("until-year", "2026"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.expect("body").contains("does not serve any council of that team"));
    let ok = app
        .post(
            &lend,
            &mut manager,
            &[
                ("worker_id", colleague_id.as_str()),
                ("to_team", duty_team.as_str()),
                ("until-day", "30"),
                ("until-month", "11"),
                ("until-year", "2026"),
            ],
        )
        .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.page(&format!("/children/{other}"), &mut colleague).await.0,
        StatusCode::OK,
        "lent to the duty team, they see its work"
    );
    app.clock.advance(chrono::Duration::days(8));
    let mut later = app.sign_in("colleague@test.example").await;
    assert_eq!(
        app.page(&format!("/children/{other}"), &mut later).await.0,
        StatusCode::NOT_FOUND,
        "the loan has ended"
    );
    let mut manager = app.sign_in("manager@test.example").await;
    let (status, board) = app.page(&format!("/clusters/{cluster_id}/duty"), &mut manager).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        board.contains("Demand by team") && !board.contains("Workers lent to this cluster"),
        "ended loans are not shown"
    );
});

on_both_engines!(family_members_are_recorded_and_staff_relatives_and_their_teams_are_shut_out, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let child = add_maya(app, &mut worker).await;
    let path = format!("/children/{child}/people/new");
    app.page(&path, &mut worker).await;
    let r = app.post(&path, &mut worker, &[("first_name", "Ana"), ("last_name", "Okafor")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.expect("body");
    assert!(body.contains("Select how they relate to the child") && body.contains("value=\"Ana\""));
    let r = app
        .post(
            &path,
            &mut worker,
            &[("first_name", "Ana"), ("last_name", "Okafor"), ("relationship", "mother"), ("same_household", "yes")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .post(
            &path,
            &mut worker,
            &[
                ("first_name", "Uncle"),
                ("last_name", "Okafor"),
                ("relationship", "aunt_or_uncle"),
                ("same_household", "no"),
                ("work_email", "nobody@test.example"),
            ],
        )
        .await;
    assert!(r.text().await.expect("body").contains("No member of staff has that email"));
    let (_, record) = app.page(&format!("/children/{child}"), &mut worker).await;
    assert!(record.contains("Ana Okafor") && record.contains("Mother"));
    assert!(record.contains("Ana Okafor added to the record"), "the chronology shows it");

    // A relative who works in another council's team: they and their team are excluded.
    app.page(&path, &mut worker).await;
    let r = app
        .post(
            &path,
            &mut worker,
            &[
                ("first_name", "Wes"),
                ("last_name", "Okafor"),
                ("relationship", "father"),
                ("same_household", "no"),
                ("work_email", "windsor.worker@test.example"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let stored = app.db.store.get_child(&child).await.expect("child");
    assert!(stored.excluded_people.contains(&app.ids["windsor_worker"]));
    assert!(stored.excluded_teams.contains(&app.ids["windsor_team"]));
    assert_eq!(app.page(&format!("/children/{child}"), &mut worker).await.0, StatusCode::OK);

    // A relative in the worker's own team: the whole team is shut out, the worker included.
    let mut colleague = app.sign_in("colleague@test.example").await;
    assert_eq!(app.page(&format!("/children/{child}"), &mut colleague).await.0, StatusCode::OK);
    app.page(&path, &mut worker).await;
    let r = app
        .post(
            &path,
            &mut worker,
            &[
                ("first_name", "Cara"),
                ("last_name", "Okafor"),
                ("relationship", "aunt_or_uncle"),
                ("same_household", "no"),
                ("work_email", "colleague@test.example"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.page(&format!("/children/{child}"), &mut colleague).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.page(&format!("/children/{child}"), &mut worker).await.0,
        StatusCode::NOT_FOUND,
        "the relative's team cannot open it"
    );
    let (_, found) = app.page("/children?last_name=Okafor", &mut worker).await;
    assert!(!found.contains("Maya Okafor"), "nor find it in a search");
});

on_both_engines!(documents_are_checked_kept_outside_the_web_root_and_sent_as_downloads, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let child = add_maya(app, &mut worker).await;
    let (status, form) = app.page(&format!("/children/{child}/documents/new"), &mut worker).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("enctype=\"multipart/form-data\""));
    let upload = |title: &str, name: &str, bytes: Vec<u8>, token: &str| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
        let form = reqwest::multipart::Form::new()
            .text("csrf_token", token.to_string())
            .text("title", title.to_string())
            .part("file", part);
        app.client
            .post(app.url(&format!("/children/{child}/documents/new")))
            .header("cookie", worker.cookie_header())
            .multipart(form)
            .send()
    };
    let pdf = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer\n%%EOF\n".to_vec();
    let forged = upload("Minutes", "minutes.pdf", pdf.clone(), "not-the-token").await.expect("post");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let disguised = upload("Minutes", "minutes.pdf", b"<html><script>alert(1)</script>".to_vec(), &worker.csrf)
        .await
        .expect("post");
    assert_eq!(disguised.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(disguised.text().await.expect("body").contains("must be a PDF, a PNG or JPEG image"));
    let huge = upload("Scan", "scan.pdf", [b"%PDF-".to_vec(), vec![b'x'; 11 * 1024 * 1024]].concat(), &worker.csrf)
        .await
        .expect("post");
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let ok = upload("Core group minutes 12/02", "minutes.pdf", pdf.clone(), &worker.csrf).await.expect("post");
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let docs = app.db.store.documents(&child).await.expect("documents");
    assert_eq!(docs.len(), 1);
    let (_, record) = app.page(&format!("/children/{child}"), &mut worker).await;
    assert!(record.contains("Core group minutes 12/02"));
    let link = format!("/children/{child}/documents/{}", docs[0].id);
    let r = app.get(&link, &mut worker).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.headers()["content-disposition"], "attachment; filename=\"Core group minutes 12_02.pdf\"");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.expect("bytes").to_vec(), pdf);
    // The file sits under a random key, outside the assets the server serves.
    assert!(!docs[0].storage_key.contains(&child));
    assert_eq!(app.get(&format!("/assets/{}", docs[0].storage_key), &mut worker).await.status(), StatusCode::NOT_FOUND);
    let mut windsor = app.sign_in("windsor.worker@test.example").await;
    assert_eq!(app.get(&link, &mut windsor).await.status(), StatusCode::NOT_FOUND);
    let audit = app.db.store.recent_audit(30).await.expect("audit");
    assert!(audit.iter().any(|r| r.entry.action == "download_document"));
});

on_both_engines!(a_childs_moves_are_kept_and_a_move_to_another_council_is_a_transfer, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let child = add_maya(app, &mut worker).await;
    let path = format!("/children/{child}/address");
    app.page(&path, &mut worker).await;
    let mv = |line1: &'static str, postcode: &'static str, day: &'static str, month: &'static str| {
        [
            ("line1", line1),
            ("town", "Kingston"),
            ("postcode", postcode),
            ("moved_in-day", day),
            ("moved_in-month", month),
            ("moved_in-year", "2026"),
        ]
    };
    let r = app.post(&path, &mut worker, &mv("1 Windsor Road", "SL6 1AA", "1", "9")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("That address is in Windsor and Maidenhead"));
    let r = app.post(&path, &mut worker, &mv("4 Fairfield Road", "KT2 6AA", "1", "9")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app.post(&path, &mut worker, &mv("9 Park Road", "KT1 9XX", "1", "8")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a move comes after the current address began");
    let r = app.post(&path, &mut worker, &mv("12 Deansgate", "M3 4LQ", "1", "11")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "a move out of the area keeps the council's record");
    let addresses = app.db.store.addresses(&child).await.expect("addresses");
    assert_eq!(addresses.len(), 2);
    assert_eq!(addresses[0].postcode, "M3 4LQ");
    assert_eq!(addresses[1].moved_out, chrono::NaiveDate::from_ymd_opt(2026, 11, 1));
    let (_, record) = app.page(&format!("/children/{child}"), &mut worker).await;
    assert!(record.contains("Moved to KT2 6AA") && record.contains("Moved to M3 4LQ"));
    assert_eq!(app.db.store.get_child(&child).await.expect("child").postcode.as_deref(), Some("M3 4LQ"));
});

on_both_engines!(a_manager_merges_a_duplicate_and_the_whole_history_comes_across, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let keep = add_maya(app, &mut worker).await;
    step(app, &mut worker, &keep, "referral", (2026, 11, 2), &[("source", "6"), ("nfa", "no")]).await;
    // A second record of the same child, made before anyone searched.
    app.page("/children/new", &mut worker).await;
    let fields = [
        ("first_name", "Maia"),
        ("last_name", "Okafor"),
        ("date_of_birth-day", "4"),
        ("date_of_birth-month", "5"),
        ("date_of_birth-year", "2016"),
        ("sex", "F"),
        ("postcode", "KT1 3AB"),
        ("confirmed_new", "yes"),
    ];
    let r = app.post("/children/new", &mut worker, &fields).await;
    let duplicate = r.headers()["location"].to_str().expect("location").trim_start_matches("/children/").to_string();
    step(
        app,
        &mut worker,
        &duplicate,
        "contact",
        (2026, 11, 16),
        &[("source", "2A"), ("worry", "School worried about attendance")],
    )
    .await;
    let people = format!("/children/{duplicate}/people/new");
    app.page(&people, &mut worker).await;
    app.post(
        &people,
        &mut worker,
        &[
            ("first_name", "Wes"),
            ("last_name", "Okafor"),
            ("relationship", "father"),
            ("same_household", "no"),
            ("work_email", "windsor.worker@test.example"),
        ],
    )
    .await;

    assert_eq!(
        app.get(&format!("/children/{keep}/merge"), &mut worker).await.status(),
        StatusCode::FORBIDDEN,
        "practitioners do not merge"
    );
    let mut manager = app.sign_in("manager@test.example").await;
    let path = format!("/children/{keep}/merge");
    let (status, form) = app.page(&path, &mut manager).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Maia Okafor"));
    let r = app.post(&path, &mut manager, &[("duplicate_id", duplicate.as_str())]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.post(&path, &mut manager, &[("duplicate_id", duplicate.as_str()), ("confirm", "yes")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let events = app.db.store.journey_events(&keep).await.expect("events");
    assert_eq!(events.len(), 2, "the referral and the duplicate's contact");
    let history = app.db.store.child_history(&keep).await.expect("history");
    assert!(history.iter().any(|h| h.reason.starts_with(&format!("merged from record {duplicate}"))));
    let kept = app.db.store.get_child(&keep).await.expect("child");
    assert!(kept.excluded_people.contains(&app.ids["windsor_worker"]), "exclusions come across");
    let old = app.get(&format!("/children/{duplicate}"), &mut manager).await;
    assert_eq!(old.status(), StatusCode::SEE_OTHER);
    assert_eq!(old.headers()["location"], format!("/children/{keep}").as_str());
    assert_eq!(
        app.get(&format!("/children/{duplicate}/record/visit"), &mut manager).await.status(),
        StatusCode::CONFLICT
    );
    let (_, record) = app.page(&format!("/children/{keep}"), &mut manager).await;
    assert!(
        record.contains("Contact from schools: School worried about attendance") && record.contains("Records merged")
    );
    let (_, found) = app.page("/children?last_name=Okafor", &mut manager).await;
    assert!(!found.contains("Maia"), "a merged record no longer turns up in searches");
});

on_both_engines!(two_records_with_open_episodes_are_not_merged_until_one_is_closed, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let keep = add_maya(app, &mut worker).await;
    step(app, &mut worker, &keep, "referral", (2026, 11, 2), &[("source", "6"), ("nfa", "no")]).await;
    app.page("/children/new", &mut worker).await;
    let r = app
        .post(
            "/children/new",
            &mut worker,
            &[
                ("first_name", "Maya"),
                ("last_name", "Okafor"),
                ("date_of_birth-day", "4"),
                ("date_of_birth-month", "5"),
                ("date_of_birth-year", "2016"),
                ("sex", "F"),
                ("postcode", "KT1 3AB"),
                ("confirmed_new", "yes"),
            ],
        )
        .await;
    let duplicate = r.headers()["location"].to_str().expect("location").trim_start_matches("/children/").to_string();
    step(app, &mut worker, &duplicate, "referral", (2026, 11, 9), &[("source", "2A"), ("nfa", "no")]).await;
    let mut manager = app.sign_in("manager@test.example").await;
    let path = format!("/children/{keep}/merge");
    app.page(&path, &mut manager).await;
    let r = app.post(&path, &mut manager, &[("duplicate_id", duplicate.as_str()), ("confirm", "yes")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("already has an open episode"));
    assert!(app.db.store.get_child(&duplicate).await.expect("child").merged_into.is_none(), "nothing moved");
});

on_both_engines!(a_long_form_saved_as_a_draft_comes_back_as_it_was_typed, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let child = add_maya(app, &mut worker).await;
    let path = format!("/children/{child}/notes/new");
    app.page(&path, &mut worker).await;
    let r = app
        .post(
            &path,
            &mut worker,
            &[
                ("note_type", "home_visit"),
                ("date-day", "20"),
                ("date-month", "11"),
                ("date-year", "2026"),
                ("text", "Half-written: Maya was"),
                ("save_draft", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], path.as_str());
    assert!(app.db.store.journey_events(&child).await.expect("events").is_empty());
    let (_, form) = app.page(&path, &mut worker).await;
    assert!(form.contains("Your draft from") && form.contains("Half-written: Maya was"), "the draft comes back");
    let r = app
        .post(
            &path,
            &mut worker,
            &[
                ("note_type", "home_visit"),
                ("date-day", "20"),
                ("date-month", "11"),
                ("date-year", "2026"),
                ("text", "Maya was cheerful"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, form) = app.page(&path, &mut worker).await;
    assert!(!form.contains("Your draft from"), "the draft is gone once the note is saved");
    // Drafts are each user's own.
    let mut colleague = app.sign_in("colleague@test.example").await;
    let step = format!("/children/{child}/record/visit");
    app.page(&step, &mut worker).await;
    app.post(&step, &mut worker, &[("seen", "yes"), ("save_draft", "yes")]).await;
    let (_, mine) = app.page(&step, &mut worker).await;
    assert!(mine.contains("Your draft from"));
    let (_, theirs) = app.page(&step, &mut colleague).await;
    assert!(!theirs.contains("Your draft from"));
});

on_both_engines!(a_contact_about_siblings_is_recorded_for_each_and_decided_once, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let maya = add_maya(app, &mut worker).await;
    app.page("/children/new", &mut worker).await;
    let r = app
        .post(
            "/children/new",
            &mut worker,
            &[
                ("first_name", "Leo"),
                ("last_name", "Okafor"),
                ("date_of_birth-day", "9"),
                ("date_of_birth-month", "1"),
                ("date_of_birth-year", "2019"),
                ("sex", "M"),
                ("postcode", "KT1 1EU"),
            ],
        )
        .await;
    let leo = r.headers()["location"].to_str().expect("location").trim_start_matches("/children/").to_string();
    let (_, form) = app.page(&format!("/children/{maya}/record/contact"), &mut worker).await;
    assert!(form.contains("Other children this contact is about") && form.contains("Leo Okafor"));
    let r = app
        .post(
            &format!("/children/{maya}/record/contact"),
            &mut worker,
            &[
                ("date-day", "20"),
                ("date-month", "11"),
                ("date-year", "2026"),
                ("source", "6"),
                ("worry", "Police called to the home"),
                ("also_about", leo.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.db.store.journey_events(&leo).await.expect("events").len(), 1, "Leo has the contact too");
    step(app, &mut worker, &maya, "contact_decision", (2026, 11, 20), &[("decision", "referral")]).await;
    let leo_events = app.db.store.journey_events(&leo).await.expect("events");
    assert_eq!(leo_events.len(), 2, "deciding for Maya decided for Leo");
    let clocks = app.db.store.clocks(&canopy_store::children::ClockFilter::default()).await.expect("clocks");
    assert!(!clocks.iter().any(|c| c.kind == "contact_decision"), "nothing is left at the front door");
    // And their records are linked as siblings, both ways.
    let link = format!("/children/{maya}/siblings");
    let (_, form) = app.page(&link, &mut worker).await;
    assert!(form.contains("Leo Okafor"));
    let r = app.post(&link, &mut worker, &[("other_child_id", "someone-else"), ("relationship", "sibling")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.post(&link, &mut worker, &[("other_child_id", leo.as_str()), ("relationship", "sibling")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, record) = app.page(&format!("/children/{leo}"), &mut worker).await;
    assert!(record.contains(&format!("href=\"/children/{maya}\"")) && record.contains("Linked to a sibling"));
});

on_both_engines!(children_are_added_allocated_and_noted_through_the_api, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let token = app.api_token(&mut worker, "script").await;
    let kingston = app.ids["kingston"].clone();
    let body = serde_json::json!({"first_name": "Maya", "last_name": "Okafor", "date_of_birth": "2016-05-04", "sex": "F", "council_id": kingston, "postcode": "KT1 1EU", "nhs_number": "9434765919"});
    let r = app.client.post(app.url("/api/v1/children")).bearer_auth(&token).json(&body).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: serde_json::Value = r.json().await.expect("json");
    let id = created["id"].as_str().expect("id").to_string();
    let again =
        app.client.post(app.url("/api/v1/children")).bearer_auth(&token).json(&body).send().await.expect("post");
    assert_eq!(again.status(), StatusCode::CONFLICT, "a likely duplicate is answered with the matches");
    let matches: serde_json::Value = again.json().await.expect("json");
    assert_eq!(matches[0]["child"]["id"], id.as_str());
    let bad = serde_json::json!({"first_name": "", "last_name": "X", "date_of_birth": "2030-01-01", "sex": "Q", "council_id": app.ids["windsor"]});
    let r = app.client.post(app.url("/api/v1/children")).bearer_auth(&token).json(&bad).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: serde_json::Value = r.json().await.expect("json");
    let fields: Vec<&str> =
        problem["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    for f in ["first_name", "date_of_birth", "sex", "council_id"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    let note = serde_json::json!({"note_type": "telephone", "date": "2026-11-20", "text": "Spoke to school", "significant": true});
    let r = app
        .client
        .post(app.url(&format!("/api/v1/children/{id}/notes")))
        .bearer_auth(&token)
        .json(&note)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::CREATED);
    let allocation = serde_json::json!({"team_id": app.ids["kingston_team"], "worker_id": app.ids["colleague"]});
    let r = app
        .client
        .post(app.url(&format!("/api/v1/children/{id}/allocation")))
        .bearer_auth(&token)
        .json(&allocation)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "practitioners do not allocate");
    let mut manager = app.sign_in("manager@test.example").await;
    let manager_token = app.api_token(&mut manager, "script").await;
    let wrong = serde_json::json!({"team_id": app.ids["kingston_team"], "worker_id": app.ids["windsor_worker"]});
    let r = app
        .client
        .post(app.url(&format!("/api/v1/children/{id}/allocation")))
        .bearer_auth(&manager_token)
        .json(&wrong)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .client
        .post(app.url(&format!("/api/v1/children/{id}/allocation")))
        .bearer_auth(&manager_token)
        .json(&allocation)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.db.store.get_child(&id).await.expect("child").allocated_to, Some(app.ids["colleague"].clone()));
});

on_both_engines!(a_manager_restricts_a_record_to_named_people_through_the_page, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let child = add_maya(app, &mut worker).await;
    let mut colleague = app.sign_in("colleague@test.example").await;
    assert_eq!(app.page(&format!("/children/{child}"), &mut colleague).await.0, StatusCode::OK);
    let mut manager = app.sign_in("manager@test.example").await;
    let path = format!("/children/{child}/access");
    assert_eq!(
        app.get(&path, &mut worker).await.status(),
        StatusCode::FORBIDDEN,
        "practitioners do not restrict records"
    );
    app.page(&path, &mut manager).await;
    let r = app
        .post(&path, &mut manager, &[("sensitivity", "restricted"), ("named", ""), ("reason", "High-profile case")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("Name at least one person"));
    let r = app
        .post(
            &path,
            &mut manager,
            &[
                ("sensitivity", "restricted"),
                ("named", "manager@test.example\nnobody@test.example"),
                ("reason", "High-profile case"),
            ],
        )
        .await;
    assert!(r.text().await.expect("body").contains("No active member of staff has the email nobody@test.example"));
    let r = app
        .post(
            &path,
            &mut manager,
            &[
                ("sensitivity", "restricted"),
                ("named", "manager@test.example\nworker@test.example"),
                ("reason", "High-profile case"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.page(&format!("/children/{child}"), &mut colleague).await.0,
        StatusCode::NOT_FOUND,
        "not named, not found"
    );
    assert_eq!(app.page(&format!("/children/{child}"), &mut worker).await.0, StatusCode::OK);
    let history = app.db.store.child_history(&child).await.expect("history");
    assert!(history.iter().any(|h| h.kind == "access_changed" && h.reason == "High-profile case"));
});

on_both_engines!(family_moves_merges_documents_and_duty_through_the_api, TestApp, |app| {
    let token_of = |email: &'static str| async move {
        let mut b = app.sign_in(email).await;
        app.api_token(&mut b, "script").await
    };
    let mut worker = app.sign_in("worker@test.example").await;
    let keep = add_maya(app, &mut worker).await;
    let token = token_of("worker@test.example").await;
    let post = |path: String, body: serde_json::Value, token: String| async move {
        app.client.post(app.url(&path)).bearer_auth(token).json(&body).send().await.expect("post")
    };
    let r = post(format!("/api/v1/children/{keep}/people"), serde_json::json!({"first_name": "Ana", "last_name": "Okafor", "relationship": "mother", "same_household": true}), token.clone()).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = post(
        format!("/api/v1/children/{keep}/people"),
        serde_json::json!({"first_name": "", "last_name": "Okafor", "relationship": "cousin", "same_household": true}),
        token.clone(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let people: serde_json::Value = app
        .client
        .get(app.url(&format!("/api/v1/children/{keep}/people")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(people[0]["relationship"], "mother");
    let r = post(format!("/api/v1/children/{keep}/addresses"), serde_json::json!({"line1": "1 Windsor Road", "town": "Windsor", "postcode": "SL6 1AA", "moved_in": "2026-09-01"}), token.clone()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "another council's address is a transfer");
    let r = post(format!("/api/v1/children/{keep}/addresses"), serde_json::json!({"line1": "4 Fairfield Road", "town": "Kingston", "postcode": "KT2 6AA", "moved_in": "2026-09-01"}), token.clone()).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let docs: serde_json::Value = app
        .client
        .get(app.url(&format!("/api/v1/children/{keep}/documents")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(docs.as_array().map(Vec::len), Some(0));
    // A duplicate, merged by a manager.
    let dup_body = serde_json::json!({"first_name": "Maia", "last_name": "Okafor", "date_of_birth": "2016-05-04", "sex": "F", "council_id": app.ids["kingston"], "confirmed_new": true});
    let created: serde_json::Value =
        post("/api/v1/children".into(), dup_body, token.clone()).await.json().await.expect("json");
    let duplicate = created["id"].as_str().expect("id").to_string();
    let manager = token_of("manager@test.example").await;
    let r = post(
        format!("/api/v1/children/{keep}/merge"),
        serde_json::json!({"duplicate_id": "not-a-record"}),
        manager.clone(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r =
        post(format!("/api/v1/children/{keep}/merge"), serde_json::json!({"duplicate_id": duplicate}), manager.clone())
            .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.db.store.get_child(&duplicate).await.expect("child").merged_into.as_deref(), Some(keep.as_str()));
    // The duty board of a cluster that does not exist, or is out of scope, is not found.
    let r = app
        .client
        .get(app.url("/api/v1/clusters/01900000-0000-7000-8000-000000000000/duty"))
        .bearer_auth(&manager)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
});

on_both_engines!(a_childs_details_are_corrected_with_a_reason_and_the_old_ones_kept, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let child = add_maya(app, &mut worker).await;
    let path = format!("/children/{child}/details");
    let (status, form) = app.page(&path, &mut worker).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains("value=\"Maya\"") && form.contains("value=\"9434765919\""),
        "the form starts from the record"
    );
    let base = [
        ("first_name", "Maya"),
        ("last_name", "Okafor-Reid"),
        ("date_of_birth-day", "4"),
        ("date_of_birth-month", "5"),
        ("date_of_birth-year", "2016"),
        ("sex", "F"),
        ("ethnicity", "BAFR"),
        ("nhs_number", "9434765919"),
    ];
    let mut bad = base.to_vec();
    bad.extend([
        ("date_of_death-day", "1"),
        ("date_of_death-month", "1"),
        ("date_of_death-year", "2015"),
        ("reason", ""),
    ]);
    let r = app.post(&path, &mut worker, &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.expect("body");
    assert!(body.contains("cannot be before the date of birth") && body.contains("Enter why the details are changing"));
    let mut good = base.to_vec();
    good.push(("reason", "Surname changed by deed poll"));
    let r = app.post(&path, &mut worker, &good).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let stored = app.db.store.get_child(&child).await.expect("child");
    assert_eq!(stored.last_name, "Okafor-Reid");
    let history = app.db.store.child_history(&child).await.expect("history");
    let change = history.iter().find(|h| h.kind == "details_changed").expect("a details entry");
    assert_eq!(change.reason, "Surname changed by deed poll");
    assert!(
        history.iter().any(|h| h.kind == "record_created" && h.payload.contains("\"last_name\":\"Okafor\"")),
        "the old details are kept"
    );
});
