//! A looked-after child's whole way to adoption through the pages, with the shared adoption
//! service's adopters and board; and a care leaver from 16 to 21 through the API.

use crate::support::{Browser, TestApp, PASSWORD};
use canopy_domain::org::{validate_team, TeamInput};
use canopy_store::on_both_engines;
use canopy_store::users::UserDetails;
use reqwest::StatusCode;

fn on(day: &str, month: &str, year: &str) -> Vec<(&'static str, String)> {
    vec![("date-day", day.into()), ("date-month", month.into()), ("date-year", year.into())]
}

async fn save(app: &TestApp, b: &mut Browser, path: &str, fields: Vec<(&'static str, String)>) -> reqwest::Response {
    app.page(path, b).await;
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post(path, b, &refs).await
}

async fn care(app: &TestApp, b: &mut Browser, child: &str, what: &str, fields: Vec<(&'static str, String)>) {
    let r = save(app, b, &format!("/children/{child}/care/{what}"), fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{what}: {}", r.text().await.unwrap_or_default());
}

/// The shared adoption service's team (serving Kingston) with one worker, and an IRO.
async fn adoption_service_and_iro(app: &TestApp) -> (String, String) {
    let store = &app.db.store;
    let ctx = canopy_store::AuditContext { actor_id: "test".into(), source: "test".into(), at_ms: 0 };
    let coverage = store.council_coverage().await.expect("councils");
    let input = TeamInput {
        name: "Adoption (shared service)".into(),
        service: "adoption".into(),
        cluster_id: None,
        council_ids: coverage.iter().map(|c| c.id.clone()).collect(),
    };
    let team = store.save_team(&ctx, None, &validate_team(&input, &coverage, &[]).expect("team")).await.expect("team");
    let roles = store.list_roles().await.expect("roles");
    let role = |key: &str| roles.iter().find(|r| r.key == key).map(|r| r.id.clone()).expect("role");
    let hash = app.state.hasher.hash(PASSWORD.into()).await.expect("hash");
    let mut ids = Vec::new();
    for (email, role_ids, teams, councils) in [
        ("adoption@test.example", vec![role("practitioner"), role("adoption_service")], vec![team.clone()], vec![]),
        ("iro@test.example", vec![role("independent_reviewing_officer")], vec![], vec![app.ids["kingston"].clone()]),
    ] {
        let details = UserDetails {
            email: email.into(),
            display_name: format!("Test {email}"),
            job_title: "Tester".into(),
            role_ids,
            team_ids: teams,
            council_ids: councils,
        };
        ids.push(store.create_user(&ctx, &details, &hash, false).await.expect("user"));
    }
    (ids[0].clone(), ids[1].clone())
}

async fn add_child(app: &TestApp, b: &mut Browser, first: &str, dob: (&str, &str, &str)) -> String {
    let fields = vec![
        ("first_name", first.to_string()),
        ("last_name", "Adeyemi".to_string()),
        ("date_of_birth-day", dob.0.into()),
        ("date_of_birth-month", dob.1.into()),
        ("date_of_birth-year", dob.2.into()),
        ("sex", "M".into()),
        ("ethnicity", "BAFR".into()),
        ("postcode", "KT1 1EU".into()),
    ];
    let r = save(app, b, "/children/new", fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap_or_default());
    r.headers()["location"].to_str().expect("location").trim_start_matches("/children/").to_string()
}

fn placement(place: &str, carer: &str) -> Vec<(&'static str, String)> {
    vec![("place", place.into()), ("provider", "PR1".into()), ("carer", carer.into()), ("reason", "CARPL".into())]
}

on_both_engines!(a_looked_after_child_goes_from_section_20_to_adoption_with_the_shared_service, TestApp, |app| {
    let (_, iro) = adoption_service_and_iro(app).await;
    let mut worker = app.sign_in("worker@test.example").await;
    let mut service = app.sign_in("adoption@test.example").await;
    let child = add_child(app, &mut worker, "Tobi", ("3", "2", "2024")).await;
    let with = |mut date: Vec<(&'static str, String)>, more: Vec<(&'static str, String)>| {
        date.extend(more);
        date
    };
    care(
        app,
        &mut worker,
        &child,
        "start",
        with(on("6", "1", "2025"), [vec![("legal_status", "V2".into())], placement("U6", "Ash family")].concat()),
    )
    .await;
    care(app, &mut worker, &child, "iro", with(on("8", "1", "2025"), vec![("iro", iro.clone())])).await;
    care(app, &mut worker, &child, "legal-status", with(on("3", "2", "2025"), vec![("legal_status", "C1".into())]))
        .await;
    care(app, &mut worker, &child, "placement", with(on("10", "3", "2025"), placement("U4", "Birch family"))).await;
    care(app, &mut worker, &child, "review", with(on("3", "2", "2025"), vec![("participation", "PN0".into())])).await;
    care(app, &mut worker, &child, "legal-status", with(on("2", "6", "2025"), vec![("legal_status", "C2".into())]))
        .await;
    care(app, &mut worker, &child, "placement", with(on("14", "7", "2025"), placement("U5", "Cedar family"))).await;
    care(app, &mut worker, &child, "health", with(on("20", "7", "2025"), vec![("check", "health_assessment".into())]))
        .await;
    care(app, &mut worker, &child, "adoption-decision", on("1", "8", "2025")).await;

    // The adoption service now works with the record, across councils, and keeps the adopters.
    let (status, board) = app.page("/adoption", &mut service).await;
    assert_eq!(status, StatusCode::OK);
    assert!(board.contains("Tobi Adeyemi") && board.contains("Should be placed for adoption"));
    let mut fields = on("5", "1", "2025");
    fields.extend([("name", "Sam and Alex Taylor".into()), ("sexes", "MF".into()), ("legal_status", "L12".into())]);
    let r = save(app, &mut service, "/adoption/adopters/new", fields.clone()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a same-sex couple's code with MF is refused");
    fields.retain(|(k, _)| *k != "sexes");
    fields.push(("sexes", "MM".into()));
    let r = save(app, &mut service, "/adoption/adopters/new", fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let adopters = r.headers()["location"].to_str().expect("location").to_string();
    let adopters_id = adopters.trim_start_matches("/adoption/adopters/").to_string();
    // A match before approval is refused by the adopters' own rules.
    care(app, &mut worker, &child, "legal-status", with(on("6", "10", "2025"), vec![("legal_status", "E1".into())]))
        .await;
    let early = save(
        app,
        &mut service,
        &format!("/children/{child}/care/match"),
        with(on("1", "12", "2025"), vec![("adopters", adopters_id.clone())]),
    )
    .await;
    assert_eq!(early.status(), StatusCode::UNPROCESSABLE_ENTITY, "the adopters are not yet approved");
    for (day, month) in [("20", "1"), ("10", "3"), ("1", "7")] {
        let r = save(app, &mut service, &format!("{adopters}/move-on"), on(day, month, "2025")).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let (status, _) = app.page(&format!("/children/{child}/care/match"), &mut worker).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "only the adoption service makes a match");
    care(app, &mut service, &child, "match", with(on("1", "12", "2025"), vec![("adopters", adopters_id.clone())]))
        .await;
    care(app, &mut worker, &child, "placement", with(on("12", "1", "2026"), placement("A6", "Sam and Alex Taylor")))
        .await;
    care(app, &mut worker, &child, "adoption-review", on("6", "2", "2026")).await;
    let (_, page) = app.page(&adopters, &mut service).await;
    assert!(page.contains("A child placed with them"), "placing the child moved the adopters on");

    // The IRO's list shows the review they chaired.
    let mut iro_browser = app.sign_in("iro@test.example").await;
    let (_, reviews) = app.page("/reviews", &mut iro_browser).await;
    assert!(reviews.contains("Tobi Adeyemi") && reviews.contains("Under 4 at the review"));
    // The adoption order ends care; the record is restricted to those working with it.
    care(app, &mut worker, &child, "leave", with(on("15", "6", "2026"), vec![("reason", "E12".into())])).await;
    let (_, record) = app.page(&format!("/children/{child}"), &mut worker).await;
    assert!(record.contains("Adopted") && record.contains("15 Jun 2126"), "kept for 100 years");
    let rnes: Vec<&str> =
        ["Started to be looked after (S)", "Change of legal status only (L)", "Change of placement and carer (P)"]
            .to_vec();
    for rne in rnes {
        assert!(record.contains(rne), "{rne}");
    }
    let mut colleague = app.sign_in("colleague@test.example").await;
    let (status, _) = app.page(&format!("/children/{child}"), &mut colleague).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a colleague not working with the adopted child cannot open the record");
    let (status, _) = app.page(&format!("/children/{child}"), &mut service).await;
    assert_eq!(status, StatusCode::OK, "the adoption service still can");
    let (status, _) = app.page("/adoption/adopters/new", &mut worker).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "adopters' records are the adoption service's alone");

    let mut windsor = app.sign_in("windsor.worker@test.example").await;
    let (_, board) = app.page("/adoption", &mut windsor).await;
    assert!(!board.contains("Tobi Adeyemi"), "another council's worker does not see the child on the board");

    // The same board and adopters through the API.
    let token = app.api_token(&mut service, "adoption").await;
    let board = app.api_json(&token, "/api/v1/adoption").await;
    assert!(board["children"]
        .as_array()
        .expect("children")
        .iter()
        .any(|c| c["child"]["id"] == child.as_str() && c["stage"] == "adopted"));
    assert!(board["adopters"]
        .as_array()
        .expect("adopters")
        .iter()
        .any(|a| a["id"] == adopters_id.as_str() && a["stage"] == "placed"));
    let record = app.api_json(&token, &format!("/api/v1/adoption/adopters/{adopters_id}")).await;
    assert_eq!(record["sexes"], "MM");
    assert!(record["history"].as_array().expect("history").len() >= 5, "enquiry, three stages, match, placing");
    let post =
        |path: String, body: serde_json::Value| app.client.post(app.url(&path)).bearer_auth(&token).json(&body).send();
    let bad = serde_json::json!({"name": "", "sexes": "MF", "legal_status": "L12", "enquired": "2026-09-01"});
    let r = post("/api/v1/adoption/adopters".into(), bad).await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("\"field\":\"name\""));
    let good =
        serde_json::json!({"name": "Priya Shah", "sexes": "F1", "legal_status": "L11", "enquired": "2026-09-01"});
    let r = post("/api/v1/adoption/adopters".into(), good).await.expect("post");
    assert_eq!(r.status(), StatusCode::CREATED);
    let location = r.headers()["location"].to_str().expect("location").to_string();
    let steps = format!("{location}/steps");
    let r = post(steps.clone(), serde_json::json!({"step": "move_on", "date": "2026-09-20"})).await.expect("post");
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(app.api_json(&token, &location).await["stage"], "stage_1");
    let r = post(steps, serde_json::json!({"step": "move_on", "date": "2026-09-10"})).await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a step dated before the last is refused");
    let outsider = app.api_token(&mut windsor, "nosy").await;
    let r = app.client.get(app.url(&location)).bearer_auth(&outsider).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "adopters are the adoption service's alone");
    let board = app.api_json(&outsider, "/api/v1/adoption").await;
    assert_eq!(board["adopters"].as_array().map(Vec::len), Some(0));
});

on_both_engines!(a_care_leaver_is_supported_from_16_to_21_and_on_to_25_if_they_ask, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let child = add_child(app, &mut worker, "Kemi", ("1", "9", "2005")).await;
    let token = app.api_token(&mut worker, "leaving care").await;
    let post = |entry: serde_json::Value| {
        let url = app.url(&format!("/api/v1/children/{child}/care"));
        let client = app.client.clone();
        let token = token.clone();
        async move {
            client.post(url).bearer_auth(token).json(&serde_json::json!({ "entry": entry })).send().await.expect("post")
        }
    };
    let placement =
        serde_json::json!({ "place": "U4", "provider": "PR1", "carer": "Ash family", "postcode": null, "urn": null });
    let steps = [
        serde_json::json!({ "entry": "change", "change": { "kind": "started_to_be_looked_after", "date": "2020-03-02", "legal_status": "C2", "placement": placement } }),
        serde_json::json!({ "entry": "pathway_plan_reviewed", "date": "2021-10-15" }),
        serde_json::json!({ "entry": "personal_adviser", "date": "2021-09-01", "adviser": "Jo Bell" }),
        serde_json::json!({ "entry": "change", "change": { "kind": "ceased_to_be_looked_after", "date": "2023-09-01", "reason": "E17" } }),
    ];
    for step in steps {
        let r = post(step).await;
        assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap_or_default());
    }
    let contact = |date: &str| serde_json::json!({ "entry": "leaver_contact", "date": date, "in_touch": "YES", "accommodation": "U", "suitable": true, "activity": "F4" });
    let in_care = post(serde_json::json!({ "entry": "leaver_contact", "date": "2022-01-10", "in_touch": "YES", "accommodation": null, "suitable": false, "activity": null })).await;
    assert_eq!(in_care.status(), StatusCode::UNPROCESSABLE_ENTITY, "contact as a care leaver waits until care ends");
    assert_eq!(post(contact("2026-07-20")).await.status(), StatusCode::CREATED);
    let care = app.api_json(&token, &format!("/api/v1/children/{child}/care")).await;
    assert_eq!(care["leaving_care"], serde_json::Value::Null, "support ended at 21 on 1 September 2026");
    let record = app.api_json(&token, &format!("/api/v1/children/{child}")).await;
    let due = record["due"].as_array().expect("due").iter().filter(|d| d["kind"] == "personal_adviser_contact").count();
    assert_eq!(due, 0, "no adviser contact is due after 21");
    assert_eq!(
        post(serde_json::json!({ "entry": "support_to_25", "date": "2026-08-01" })).await.status(),
        StatusCode::CREATED
    );
    let care = app.api_json(&token, &format!("/api/v1/children/{child}/care")).await;
    assert_eq!(care["leaving_care"], "former_relevant");
    let record = app.api_json(&token, &format!("/api/v1/children/{child}")).await;
    let due: Vec<&serde_json::Value> =
        record["due"].as_array().expect("due").iter().filter(|d| d["kind"] == "personal_adviser_contact").collect();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0]["due"], "2026-09-20", "every 2 months from the last contact");
    let (_, page) = app.page(&format!("/children/{child}"), &mut worker).await;
    assert!(
        page.contains("Former relevant")
            && page.contains("Independent living (U1, suitable)")
            && page.contains("Jo Bell")
    );
    let mut windsor = app.sign_in("windsor.worker@test.example").await;
    let (status, _) = app.page(&format!("/children/{child}"), &mut windsor).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another council's worker cannot open the care leaver's record");
});
