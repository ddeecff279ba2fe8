//! A looked-after child's care through the pages: starting care under section 20, a care order,
//! a placement move and a statutory visit, with the 903 episodes worked out and shown, the clocks
//! that follow, and what the rules refuse.

use crate::journey::add_maya;
use crate::support::{Browser, TestApp};
use canopy_store::on_both_engines;
use reqwest::StatusCode;

fn on(day: &str, month: &str) -> Vec<(&'static str, String)> {
    vec![("date-day", day.to_string()), ("date-month", month.to_string()), ("date-year", "2026".to_string())]
}

/// Opens one of the care forms and submits it.
async fn save_care(
    app: &TestApp,
    worker: &mut Browser,
    child: &str,
    what: &str,
    fields: Vec<(&'static str, String)>,
) -> reqwest::Response {
    let path = format!("/children/{child}/care/{what}");
    app.page(&path, worker).await;
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post(&path, worker, &refs).await
}

on_both_engines!(a_childs_care_is_recorded_as_what_happened_and_read_as_903_episodes, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let child = add_maya(app, &mut worker).await;
    let (_, record) = app.page(&format!("/children/{child}"), &mut worker).await;
    assert!(record.contains(&format!("/children/{child}/care/start")));
    assert!(!record.contains(&format!("/children/{child}/care/visit")), "no visits before care begins");
    let placement = |carer: &str, postcode: &str| {
        vec![
            ("place", "U6".to_string()),
            ("provider", "PR1".to_string()),
            ("carer", carer.to_string()),
            ("postcode", postcode.to_string()),
        ]
    };
    // The gazetteer knows Kingston and Reading, so a placement's distance from home can be told.
    let gazetteer =
        canopy_domain::org::parse_gazetteer("district,latitude,longitude\nKT1,51.41,-0.30\nRG1,51.455,-0.972\n")
            .expect("gazetteer");
    let ctx = canopy_store::AuditContext { actor_id: app.ids["admin"].clone(), source: "test".into(), at_ms: 0 };
    app.db.store.load_district_centres(&ctx, &gazetteer).await.expect("load");
    // A temporary placement cannot begin care; the rule is named on the date.
    let mut fields = on("1", "9");
    fields.extend([
        ("legal_status", "V2".to_string()),
        ("place", "T1".into()),
        ("provider", "PR3".into()),
        ("carer", "Hospital".into()),
    ]);
    let r = save_care(app, &mut worker, &child, "start", fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("a period of care cannot start with a temporary placement"));
    let mut fields = on("1", "9");
    fields.push(("legal_status", "V2".to_string()));
    fields.extend(placement("Smith family", "KT1 2AB"));
    assert_eq!(save_care(app, &mut worker, &child, "start", fields).await.status(), StatusCode::SEE_OTHER);
    let mut fields = on("1", "11");
    fields.push(("legal_status", "C2".to_string()));
    assert_eq!(save_care(app, &mut worker, &child, "legal-status", fields).await.status(), StatusCode::SEE_OTHER);
    let mut fields = on("10", "11");
    fields.extend(placement("Jones family", "RG1 2CD"));
    fields.push(("address", "12 Elm Road, Reading".to_string()));
    fields.push(("reason", "CARPL".to_string()));
    assert_eq!(save_care(app, &mut worker, &child, "placement", fields).await.status(), StatusCode::SEE_OTHER);
    let mut fields = on("12", "11");
    fields.push(("seen_alone", "yes".to_string()));
    assert_eq!(save_care(app, &mut worker, &child, "visit", fields).await.status(), StatusCode::SEE_OTHER);
    // Missing choices are named field by field.
    let r = save_care(app, &mut worker, &child, "placement", on("14", "11")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.expect("body");
    for message in ["Select the type of placement", "Select who provides the placement", "Enter the carers or home"] {
        assert!(body.contains(message), "{message}");
    }

    let (_, record) = app.page(&format!("/children/{child}"), &mut worker).await;
    assert!(record.contains("Care episodes"));
    for code in [
        "(S)",
        "(L)",
        "(P)",
        "(X1)",
        "Jones family, 12 Elm Road, Reading",
        "Inside the council, 0.0 miles",
        "Outside the council, 2",
    ] {
        assert!(record.contains(code), "{code} on the record");
    }
    // A visit is due 6 weeks after the last, in the placement's first year; the first review
    // was due 20 working days after care began and has not been held.
    assert!(record.contains("Statutory visit") && record.contains("24 Dec 2026"), "visit clock");
    assert!(record.contains("Hold the looked-after review") && record.contains("29 Sep 2026"), "review clock");
    // The same clocks are in the worker's tray, beside the journey's, once she is theirs.
    let ctx = canopy_store::AuditContext { actor_id: app.ids["manager"].clone(), source: "test".into(), at_ms: 0 };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    let (team, worker_id) = (app.ids["kingston_team"].clone(), app.ids["practitioner"].clone());
    app.db.store.allocate_child(&ctx, &child, Some(&team), Some(&worker_id), None, today).await.expect("allocate");
    let (_, tray) = app.page("/work-tray", &mut worker).await;
    assert!(tray.contains("Statutory visit to the looked-after child"), "care clocks in the work tray");
    assert!(tray.contains("Hold the looked-after review"));
    // The history and the audit log both have it.
    let history = app.db.store.care_entries(&child).await.expect("entries");
    assert_eq!(history.len(), 4, "start, care order, move, visit");
    let audit = app.db.store.recent_audit(100).await.expect("audit");
    assert!(audit.iter().any(|a| a.entry.action == "record_care" && a.entry.detail.starts_with("Moved placement")));
    // Someone outside the record's scope cannot record anything.
    let mut windsor = app.sign_in("windsor.worker@test.example").await;
    let (status, _) = app.page(&format!("/children/{child}/care/visit"), &mut windsor).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.page(&format!("/children/{child}/care/nonsense"), &mut worker).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The API reads the same episodes with their codes, and records through the same rules.
    let token = app.api_token(&mut worker, "care").await;
    let api = |method: reqwest::Method, path: String| app.client.request(method, app.url(&path)).bearer_auth(&token);
    let visit = serde_json::json!({"entry": {"entry": "visit", "date": "2026-11-19", "seen_alone": false}});
    let r =
        api(reqwest::Method::POST, format!("/api/v1/children/{child}/care")).json(&visit).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::CREATED);
    let wrong = serde_json::json!({"entry": {"entry": "change", "change": {"kind": "legal_status_changed", "date": "2026-11-19", "legal_status": "C9"}}});
    let r =
        api(reqwest::Method::POST, format!("/api/v1/children/{child}/care")).json(&wrong).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("not one Canopy knows"));
    let again = serde_json::json!({"entry": {"entry": "change", "change": {"kind": "legal_status_changed", "date": "2026-11-19", "legal_status": "C2"}}});
    let r =
        api(reqwest::Method::POST, format!("/api/v1/children/{child}/care")).json(&again).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("nothing changed"));
    let care = app.api_json(&token, &format!("/api/v1/children/{child}/care")).await;
    let rne: Vec<&str> = care["episodes"]
        .as_array()
        .expect("episodes")
        .iter()
        .filter_map(|e| e["reason_new_episode"].as_str())
        .collect();
    assert_eq!(rne, vec!["S", "L", "P"]);
    assert_eq!(care["episodes"][0]["reason_ceased"], "X1");
    // Inside the council and at home's district, then a move out of the area, about 29 miles.
    assert_eq!(
        (care["episodes"][0]["inside_council"].as_bool(), care["episodes"][0]["distance_miles"].as_f64()),
        (Some(true), Some(0.0))
    );
    assert_eq!(care["episodes"][2]["inside_council"].as_bool(), Some(false));
    assert_eq!(care["episodes"][2]["address"], "12 Elm Road, Reading");
    let miles = care["episodes"][2]["distance_miles"].as_f64().expect("distance");
    assert!((28.0..30.0).contains(&miles), "{miles}");
    assert_eq!(care["visits"].as_array().map(Vec::len), Some(2));
    let record = app.api_json(&token, &format!("/api/v1/children/{child}")).await;
    assert!(record["due"].as_array().expect("due").iter().any(|d| d["kind"] == "statutory_visit"));

    // Missing, then back with a return interview offered and accepted.
    let mut fields = on("15", "11");
    fields.push(("away", "missing".to_string()));
    assert_eq!(save_care(app, &mut worker, &child, "missing", fields).await.status(), StatusCode::SEE_OTHER);
    let (_, record) = app.page(&format!("/children/{child}"), &mut worker).await;
    assert!(record.contains(&format!("/children/{child}/care/returned")) && record.contains("Not back"));
    let r = save_care(app, &mut worker, &child, "missing", on("16", "11")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "already missing, and no choice made");
    let mut fields = on("16", "11");
    fields.extend([("interview", "offered".to_string()), ("interview", "accepted".to_string())]);
    assert_eq!(save_care(app, &mut worker, &child, "returned", fields).await.status(), StatusCode::SEE_OTHER);
    let (_, record) = app.page(&format!("/children/{child}"), &mut worker).await;
    assert!(record.contains("Missing (M)") && record.contains("Offered and accepted"));

    // Leaving care; then a visit after care ended is refused.
    let mut fields = on("20", "11");
    fields.push(("reason", "E4A".to_string()));
    assert_eq!(save_care(app, &mut worker, &child, "leave", fields).await.status(), StatusCode::SEE_OTHER);
    let r = save_care(app, &mut worker, &child, "visit", on("21", "11")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("not looked after"));
    // Once care has ended its clocks stop, in the record and the tray alike.
    let (_, tray) = app.page("/work-tray", &mut worker).await;
    assert!(!tray.contains("Statutory visit to the looked-after child"));
});

on_both_engines!(a_change_of_social_worker_says_why_and_the_record_keeps_every_worker, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let child = add_maya(app, &mut worker).await;
    let mut manager = app.sign_in("manager@test.example").await;
    let path = format!("/children/{child}/worker");
    let (status, form) = app.page(&path, &mut manager).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("The social worker left their role (LEFTRL)"), "the 903 reasons are offered");
    let team = app.ids["kingston_team"].clone();
    let first = format!("{team}:{}", app.ids["practitioner"]);
    let second = format!("{team}:{}", app.ids["colleague"]);
    // The first worker needs no reason.
    let r = app.post(&path, &mut manager, &[("worker_id", first.as_str()), ("reason", "")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Handing the case on does, and an unknown worker is named as the problem.
    app.page(&path, &mut manager).await;
    let r = app.post(&path, &mut manager, &[("worker_id", second.as_str()), ("reason", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("Select why the social worker is changing"));
    app.page(&path, &mut manager).await;
    let r = app.post(&path, &mut manager, &[("worker_id", "nobody:nobody"), ("reason", "LEFTRL")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("Select a worker in a team you allocate for"));
    app.page(&path, &mut manager).await;
    let r = app.post(&path, &mut manager, &[("worker_id", second.as_str()), ("reason", "LEFTRL")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, record) = app.page(&format!("/children/{child}"), &mut manager).await;
    assert!(record.contains("Social workers") && record.contains("(LEFTRL)"), "the episodes are on the record");
    // A practitioner may not hand cases around.
    let (status, _) = app.page(&path, &mut worker).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Through the API: a change needs a known reason; the care record lists the 903 episodes.
    let token = app.api_token(&mut manager, "allocation").await;
    let allocate = |body: serde_json::Value| {
        app.client.post(app.url(&format!("/api/v1/children/{child}/allocation"))).bearer_auth(&token).json(&body).send()
    };
    let practitioner = app.ids["practitioner"].clone();
    let r = allocate(serde_json::json!({"team_id": team, "worker_id": practitioner, "reason": "BORED"}))
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("'BORED' is not a SW_REASON code"));
    let r = allocate(serde_json::json!({"team_id": team, "worker_id": practitioner})).await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = allocate(serde_json::json!({"team_id": team, "worker_id": practitioner, "reason": "CHCHAN"}))
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let care = app.api_json(&token, &format!("/api/v1/children/{child}/care")).await;
    let episodes = care["social_workers"].as_array().expect("episodes");
    let rows: Vec<(&str, Option<&str>, bool)> = episodes
        .iter()
        .map(|e| (e["worker"].as_str().unwrap_or(""), e["reason"].as_str(), e["end"].is_null()))
        .collect();
    let colleague = app.ids["colleague"].as_str();
    // Same-day changes leave only the last worker of the day, taking over for the child's reason.
    assert_eq!(rows, vec![(practitioner.as_str(), Some("CHCHAN"), true)], "{colleague} held it for no days");
    let audit = app.db.store.recent_audit(200).await.expect("audit");
    assert_eq!(audit.iter().filter(|a| a.entry.action == "allocate_child").count(), 3);
});

on_both_engines!(a_care_entry_rechecks_the_child_against_the_903_rules, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let child = add_maya(app, &mut worker).await;
    let mut fields = on("1", "9");
    fields.extend([
        ("legal_status", "V2".to_string()),
        ("place", "U6".into()),
        ("provider", "PR1".into()),
        ("carer", "Smith family".into()),
        ("postcode", "KT1 2AB".into()),
    ]);
    assert_eq!(save_care(app, &mut worker, &child, "start", fields).await.status(), StatusCode::SEE_OTHER);
    // A foster placement needs its agency's Ofsted URN: SSDA903 rule 218, on the record at once.
    let (_, record) = app.page(&format!("/children/{child}"), &mut worker).await;
    assert!(record.contains("SSDA903 218"), "the missing URN is found on saving the care");
    assert!(record.contains("Started to be looked after"), "the chronology says what the care entry was");
    let kingston = app.db.store.get_child(&child).await.expect("child").council_id;
    let mut analyst = app.sign_in("analyst@test.example").await;
    let token = app.api_token(&mut analyst, "figures").await;
    let figures = app.api_json(&token, &format!("/api/v1/data-quality?council={kingston}")).await;
    let rules = figures["by_rule"].as_array().expect("rules");
    assert!(rules.iter().any(|r| r["statutory_return"] == "SSDA903" && r["rule"] == "218"), "{figures}");
    // The placement moves to a home with its URN: the new episode has what 218 needs.
    let mut fields = on("1", "10");
    fields.extend([
        ("place", "K2".to_string()),
        ("provider", "PR1".into()),
        ("carer", "Elm House".into()),
        ("postcode", "KT1 3CD".into()),
        ("urn", "SC123456".into()),
        ("reason", "CARPL".into()),
    ]);
    assert_eq!(save_care(app, &mut worker, &child, "placement", fields).await.status(), StatusCode::SEE_OTHER);
    let open = app.db.store.open_data_quality(&child).await.expect("open");
    let urn_missing: Vec<&str> =
        open.iter().filter(|r| r.finding.rule == "218").map(|r| r.finding.place.as_str()).collect();
    assert_eq!(urn_missing, vec!["Episodes row 1"], "only the first placement lacks its URN");
});
