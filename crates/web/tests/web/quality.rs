//! Live data quality on both engines: a save re-checks the child against the DfE's rules, the
//! problem shows on the record, in the worker's tray and on the council's dashboard, and goes
//! when it is put right; and who may see the dashboard and download the returns.

use crate::journey::{add_maya, step};
use crate::support::TestApp;
use canopy_store::on_both_engines;
use reqwest::StatusCode;

on_both_engines!(a_save_rechecks_the_child_and_the_dashboard_counts_what_is_open, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let child = add_maya(app, &mut worker).await;
    step(app, &mut worker, &child, "contact", (2026, 9, 1), &[("source", "2A"), ("worry", "Hungry at school")]).await;
    step(app, &mut worker, &child, "contact_decision", (2026, 9, 2), &[("decision", "referral")]).await;
    // A referral going on to an assessment, with no primary need recorded: rule 8610.
    step(app, &mut worker, &child, "referral", (2026, 9, 2), &[("source", "2A"), ("nfa", "no")]).await;
    step(app, &mut worker, &child, "assessment_start", (2026, 9, 3), &[]).await;
    let (_, record) = app.page(&format!("/children/{child}"), &mut worker).await;
    assert!(record.contains("Data quality"), "the record has its data quality");
    assert!(record.contains("8610"), "no primary need for a referral going on");
    assert!(record.contains("8670Q"), "the assessment is over 45 working days old on 23 November");
    let mut manager = app.sign_in("manager@test.example").await;
    let team = app.ids["kingston_team"].clone();
    app.page(&format!("/teams/{team}/allocation"), &mut manager).await;
    let worker_id = app.ids["practitioner"].clone();
    let r = app
        .post(
            &format!("/teams/{team}/allocation"),
            &mut manager,
            &[("child_id", child.as_str()), ("worker_id", &worker_id)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, tray) = app.page("/work-tray", &mut worker).await;
    assert!(tray.contains("Data quality of your children") && tray.contains("Okafor"), "in the worker's tray");

    let kingston = app.db.store.get_child(&child).await.expect("child").council_id;
    let mut analyst = app.sign_in("analyst@test.example").await;
    let (status, dashboard) = app.page("/data-quality", &mut analyst).await;
    assert_eq!(status, StatusCode::OK);
    assert!(dashboard.contains("8610") && dashboard.contains("Open errors"), "the council's dashboard counts it");
    let token = app.api_token(&mut analyst, "figures").await;
    let figures = app.api_json(&token, &format!("/api/v1/data-quality?council={kingston}")).await;
    assert_eq!(figures["collection_year"], 2027);
    assert_eq!(figures["open"]["errors"], 1, "{figures}");
    assert!(figures["by_rule"].as_array().expect("rules").iter().any(|r| r["rule"] == "8610" && r["children"] == 1));
    assert_eq!(figures["over_time"].as_array().expect("months").len(), 12);

    // The assessment concludes with a primary need: 8610 closes, and only this child was read.
    step(
        app,
        &mut worker,
        &child,
        "assessment_complete",
        (2026, 10, 20),
        &[("factors", "21"), ("primary_need", "N4"), ("outcome", "cin")],
    )
    .await;
    let (_, record) = app.page(&format!("/children/{child}"), &mut worker).await;
    assert!(!record.contains("8610"), "put right");
    let figures = app.api_json(&token, &format!("/api/v1/data-quality?council={kingston}")).await;
    assert_eq!(figures["open"]["errors"], 0, "{figures}");

    // A worker in another council, and practitioners generally, do not see the dashboard.
    let mut windsor = app.sign_in("windsor.worker@test.example").await;
    let (status, body) = app.page("/data-quality", &mut windsor).await;
    assert_ne!(status, StatusCode::OK);
    assert!(!body.contains("8610") && !body.contains("Okafor"));
    let other = app.api_token(&mut windsor, "w").await;
    let r =
        app.client.get(app.url(&format!("/api/v1/data-quality?council={kingston}"))).bearer_auth(&other).send().await;
    assert_ne!(r.expect("request").status(), StatusCode::OK);
});

on_both_engines!(performance_analysts_download_the_returns_and_others_cannot, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let child = add_maya(app, &mut worker).await;
    step(app, &mut worker, &child, "contact", (2026, 9, 1), &[("source", "2A"), ("worry", "Hungry at school")]).await;
    step(app, &mut worker, &child, "contact_decision", (2026, 9, 2), &[("decision", "referral")]).await;
    step(
        app,
        &mut worker,
        &child,
        "referral",
        (2026, 9, 2),
        &[("source", "2A"), ("nfa", "no"), ("primary_need", "N4")],
    )
    .await;
    let kingston = app.db.store.get_child(&child).await.expect("child").council_id;
    let local_id = app.db.store.get_child(&child).await.expect("child").local_id;
    let (status, _) = app.page("/returns", &mut worker).await;
    assert_ne!(status, StatusCode::OK, "a practitioner does not prepare returns");
    let r = app.get(&format!("/returns/cin?council={kingston}&year=2027"), &mut worker).await;
    assert_ne!(r.status(), StatusCode::OK);

    let mut analyst = app.sign_in("analyst@test.example").await;
    let (status, page) = app.page("/returns", &mut analyst).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("CIN census 2027") && page.contains("Episodes 2027"));
    let r = app.get(&format!("/returns/cin?council={kingston}&year=2027"), &mut analyst).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().expect("name").contains("cin-census-"));
    let xml = r.text().await.expect("xml");
    assert!(xml.contains(&format!("<LAchildID>{local_id}</LAchildID>")), "the child is in the census");
    assert!(xml.contains("<PrimaryNeedCode>N4</PrimaryNeedCode>"), "the referral's need");
    let r = app.get(&format!("/returns/ssda903/Header?council={kingston}&year=2027"), &mut analyst).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.expect("csv").starts_with("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\r\n"));
    let r = app.get(&format!("/returns/ssda903/Nonsense?council={kingston}&year=2027"), &mut analyst).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = app.get(&format!("/returns/cin?council={kingston}&year=1999"), &mut analyst).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "a year with no rules is refused");
    let audit = app.db.store.recent_audit(20).await.expect("audit");
    assert!(audit.iter().any(|a| a.entry.action == "export_cin_census"), "downloads are audited");
});
