//! A family's early help through the pages and the API: the front door decides early help, a
//! school leads it with an assessment, a team around the family and a plan; worries rise and it
//! steps up to social care as a contact carrying its history; the child in need episode that
//! follows closes and steps down to early help again, linked to it. Outsiders see none of it.

use crate::journey::{add_maya, step};
use crate::support::{Browser, TestApp};
use canopy_store::on_both_engines;
use reqwest::StatusCode;

async fn save(
    app: &TestApp,
    b: &mut Browser,
    child: &str,
    what: &str,
    on: (u32, u32),
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let path = format!("/children/{child}/early-help/{what}");
    let (status, _) = app.page(&path, b).await;
    assert_eq!(status, StatusCode::OK, "the {what} form opens");
    let (day, month) = (on.1.to_string(), on.0.to_string());
    let mut all: Vec<(&str, &str)> = vec![("date-day", &day), ("date-month", &month), ("date-year", "2026")];
    all.extend_from_slice(fields);
    app.post(&path, b, &all).await
}

async fn ok(app: &TestApp, b: &mut Browser, child: &str, what: &str, on: (u32, u32), fields: &[(&str, &str)]) {
    let r = save(app, b, child, what, on, fields).await;
    let status = r.status();
    assert_eq!(status, StatusCode::SEE_OTHER, "{what}: {}", r.text().await.unwrap_or_default());
}

on_both_engines!(early_help_steps_up_to_social_care_and_back_down_keeping_its_history, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let child = add_maya(app, &mut worker).await;
    let (_, record) = app.page(&format!("/children/{child}"), &mut worker).await;
    assert!(record.contains(&format!("/children/{child}/early-help/start")));
    step(
        app,
        &mut worker,
        &child,
        "contact",
        (2026, 3, 2),
        &[("source", "2A"), ("worry", "Often late, tired in class")],
    )
    .await;
    step(app, &mut worker, &child, "contact_decision", (2026, 3, 2), &[("decision", "early_help")]).await;

    // Only the ways that fit the record are offered: no closed episode yet to step down from.
    let (_, form) = app.page(&format!("/children/{child}/early-help/start"), &mut worker).await;
    assert!(form.contains("value=\"front_door\"") && !form.contains("value=\"step_down\""));
    let r = save(
        app,
        &mut worker,
        &child,
        "start",
        (3, 3),
        &[("how", "step_down"), ("lead_name", ""), ("lead_agency", "")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.expect("body");
    for message in
        ["Select how early help began", "Enter the lead professional", "Select the lead professional&#x27;s agency"]
    {
        assert!(body.contains(message), "{message}");
    }
    let lead = [("how", "front_door"), ("lead_name", "Ms Adeyemi"), ("lead_agency", "school")];
    ok(app, &mut worker, &child, "start", (3, 3), &lead).await;
    ok(app, &mut worker, &child, "assessment", (3, 4), &[("organisation", "Fern Hill Primary")]).await;
    let clocks = app.db.store.clocks(&canopy_store::children::ClockFilter::default()).await.expect("clocks");
    assert!(clocks.iter().any(|c| c.child.id == child && c.kind == "early_help_assessment"), "the assessment is due");
    // A plan waits for the completed assessment; the rule is named.
    let r = save(app, &mut worker, &child, "plan", (3, 5), &[("goals", "Attendance over 95%")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("the plan follows the completed early help assessment"));
    ok(app, &mut worker, &child, "assessment-completed", (3, 20), &[]).await;
    let nurse = [("name", "Jo Patel"), ("role", "School nurse"), ("agency", "health")];
    ok(app, &mut worker, &child, "member", (3, 21), &nurse).await;
    ok(app, &mut worker, &child, "member", (3, 21), &[("name", "Ms Adeyemi"), ("role", "SENCO"), ("agency", "school")])
        .await;
    ok(app, &mut worker, &child, "meeting", (3, 27), &[("attended", "Jo Patel"), ("attended", "Ms Adeyemi")]).await;
    ok(app, &mut worker, &child, "plan", (3, 27), &[("goals", "Attendance over 95%\nA bedtime routine\n")]).await;
    ok(app, &mut worker, &child, "review", (4, 24), &[("goals_met", "A bedtime routine"), ("note", "Sleeping better")])
        .await;
    let (_, record) = app.page(&format!("/children/{child}"), &mut worker).await;
    for shown in [
        "Team around the family",
        "Jo Patel",
        "Early help plan, agreed 27 Mar 2026",
        "A bedtime routine",
        "24 Apr 2026",
        "Ms Adeyemi (School or college)",
    ] {
        assert!(record.contains(shown), "{shown} on the record");
    }
    let clocks = app.db.store.clocks(&canopy_store::children::ClockFilter::default()).await.expect("clocks");
    assert!(clocks.iter().any(|c| c.child.id == child && c.kind == "early_help_review"));
    assert!(!clocks.iter().any(|c| c.child.id == child && c.kind == "early_help_assessment"), "the assessment is done");

    // Stepping up makes a front-door contact that carries the history, and closes early help.
    ok(app, &mut worker, &child, "step-up", (5, 1), &[("reason", "Disclosure of harm at school")]).await;
    let events = app.db.store.journey_events(&child).await.expect("events");
    let Some(canopy_domain::cases::Event::ContactReceived { source, worry, .. }) = events.last() else {
        panic!("a step up adds a contact: {events:?}");
    };
    assert_eq!(source.code(), "5D", "the contact comes from early help");
    for part in ["Disclosure of harm at school", "Ms Adeyemi", "Fern Hill Primary", "Jo Patel", "1 of 2 met"] {
        assert!(worry.contains(part), "{part} in the contact");
    }
    let clocks = app.db.store.clocks(&canopy_store::children::ClockFilter::default()).await.expect("clocks");
    assert!(clocks.iter().any(|c| c.child.id == child && c.kind == "contact_decision"), "the front door must decide");
    assert!(!clocks.iter().any(|c| c.child.id == child && c.kind.starts_with("early_help")), "early help has closed");
    let (_, record) = app.page(&format!("/children/{child}"), &mut worker).await;
    assert!(record.contains("Stepped up to children&#x27;s social care"), "the outcome is on the record");
    assert!(
        record.contains("Early help began, led by Ms Adeyemi")
            && record.contains("Contact from la services: early help: Stepped up from early help"),
        "one chronology"
    );

    // Social care takes it on, then closes, and the family steps down to early help again.
    step(app, &mut worker, &child, "contact_decision", (2026, 5, 1), &[("decision", "referral")]).await;
    step(app, &mut worker, &child, "referral", (2026, 5, 1), &[("source", "5D"), ("nfa", "yes")]).await;
    step(app, &mut worker, &child, "close_episode", (2026, 5, 4), &[("reason", "RC9")]).await;
    let (_, form) = app.page(&format!("/children/{child}/early-help/start"), &mut worker).await;
    assert!(form.contains("value=\"step_down\""));
    ok(
        app,
        &mut worker,
        &child,
        "start",
        (5, 5),
        &[("how", "step_down"), ("lead_name", "Sam Reid"), ("lead_agency", "early_help")],
    )
    .await;

    // The API reads both episodes, the first linked to its contact and the second to the episode.
    let token = app.api_token(&mut worker, "early help").await;
    let early_help = app.api_json(&token, &format!("/api/v1/children/{child}/early-help")).await;
    let episodes = early_help["episodes"].as_array().expect("episodes");
    assert_eq!(episodes.len(), 2);
    assert_eq!(episodes[0]["closed"][1], "stepped_up");
    assert!(episodes[0]["stepped_up_to"].is_string());
    assert_eq!(episodes[1]["how"]["kind"], "stepped_down");
    let post = |body: serde_json::Value| {
        app.client.post(app.url(&format!("/api/v1/children/{child}/early-help"))).bearer_auth(&token).json(&body).send()
    };
    let joined = serde_json::json!({"entry": {"entry": "member_joined", "date": "2026-05-06", "name": "PC Hall", "agency": "police", "role": "Schools officer"}});
    assert_eq!(post(joined).await.expect("post").status(), StatusCode::CREATED);
    let wrong = serde_json::json!({"entry": {"entry": "member_joined", "date": "2026-05-06", "name": "X", "agency": "circus", "role": "Clown"}});
    let r = post(wrong).await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("not one Canopy knows"));
    let met =
        serde_json::json!({"entry": {"entry": "plan_reviewed", "date": "2026-05-06", "goals_met": [], "note": ""}});
    let r = post(met).await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("no early help plan"));

    // Someone outside the record's scope sees and records nothing.
    let mut windsor = app.sign_in("windsor.worker@test.example").await;
    let (status, _) = app.page(&format!("/children/{child}/early-help/member"), &mut windsor).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let outsider = app.api_token(&mut windsor, "nosy").await;
    let r = app
        .client
        .get(app.url(&format!("/api/v1/children/{child}/early-help")))
        .bearer_auth(&outsider)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let audit = app.db.store.recent_audit(300).await.expect("audit");
    assert!(audit.iter().filter(|a| a.entry.action == "record_early_help").count() >= 10, "every entry is audited");
});
