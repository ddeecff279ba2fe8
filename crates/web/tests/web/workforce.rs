//! Staff records and the workforce measures through the pages: HR adds an agency social worker
//! and later makes them permanent; the agency rate follows, as at any day; managers see their own
//! team's records, each worker their own, and nobody else any.

use crate::support::{Browser, TestApp, PASSWORD};
use canopy_store::on_both_engines;
use canopy_store::users::UserDetails;
use reqwest::StatusCode;

/// Adds a user holding `role` (in the Kingston team when `team`) and returns their id.
async fn user_with(app: &TestApp, email: &str, role: &str, team: bool) -> String {
    let store = &app.db.store;
    let ctx = canopy_store::AuditContext { actor_id: "test".into(), source: "test".into(), at_ms: 0 };
    let role = store.list_roles().await.expect("roles").into_iter().find(|r| r.key == role).expect("role");
    let hash = app.state.hasher.hash(PASSWORD.into()).await.expect("hash");
    let details = UserDetails {
        email: email.into(),
        display_name: format!("Test {email}"),
        job_title: "Tester".into(),
        role_ids: vec![role.id],
        team_ids: if team { vec![app.ids["kingston_team"].clone()] } else { vec![] },
        council_ids: vec![],
    };
    store.create_user(&ctx, &details, &hash, false).await.expect("user")
}

/// A workforce officer, signed in.
async fn hr(app: &TestApp) -> Browser {
    user_with(app, "hr@test.example", "workforce_officer", false).await;
    app.sign_in("hr@test.example").await
}

async fn add_worker(app: &TestApp, b: &mut Browser, fields: &[(&str, &str)]) -> reqwest::Response {
    app.page("/workforce/staff/new", b).await;
    app.post("/workforce/staff/new", b, fields).await
}

on_both_engines!(hr_keeps_staff_records_and_the_agency_rate_follows_them_as_at_any_day, TestApp, |app| {
    let mut hr = hr(app).await;
    let team = app.ids["kingston_team"].clone();
    let agency_worker = [
        ("name", "Ana Silva"),
        ("email", "worker@test.example"),
        ("swe_number", "SW123456"),
        ("qualification", "2"),
        ("institution", "Kingston University"),
        ("date-day", "5"),
        ("date-month", "1"),
        ("date-year", "2026"),
        ("start_origin", "4"),
        ("team_id", team.as_str()),
        ("job_title", "Social worker"),
        ("org_role", "5"),
        ("grade", "SW2"),
        ("fte", "1"),
        ("employment", "agency"),
        ("agency", "Hays Social Care"),
        ("weekly_cost", "1650.00"),
        ("contract_weeks", "26"),
    ];
    // Each problem is named on its field: no number for a social worker, a bad FTE, no agency.
    let mut wrong: Vec<(&str, &str)> = agency_worker.to_vec();
    wrong.retain(|(k, _)| !["swe_number", "fte", "agency"].contains(k));
    wrong.extend([("swe_number", ""), ("fte", "1.5"), ("agency", "")]);
    let r = add_worker(app, &mut hr, &wrong).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.expect("body");
    assert!(body.contains("is not a full-time equivalent") && body.contains("Enter the agency"), "field errors");
    let mut no_number: Vec<(&str, &str)> = agency_worker.to_vec();
    no_number.retain(|(k, _)| *k != "swe_number");
    let r = add_worker(app, &mut hr, &no_number).await;
    assert!(r.text().await.expect("body").contains("needs their Social Work England number"));
    let r = add_worker(app, &mut hr, &agency_worker).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap_or_default());
    let ana = r.headers()["location"].to_str().expect("location").to_string();
    // The same number twice is refused.
    let r = add_worker(app, &mut hr, &agency_worker).await;
    assert!(r.text().await.expect("body").contains("Another worker has that Social Work England number"));
    let colleague = [
        ("name", "Ben Okoro"),
        ("email", "colleague@test.example"),
        ("swe_number", "SW654321"),
        ("date-day", "5"),
        ("date-month", "1"),
        ("date-year", "2026"),
        ("team_id", team.as_str()),
        ("job_title", "Social worker"),
        ("org_role", "5"),
        ("fte", "1"),
        ("employment", "permanent"),
    ];
    assert_eq!(add_worker(app, &mut hr, &colleague).await.status(), StatusCode::SEE_OTHER);

    // Half the social work FTE is agency until Ana is made permanent on 1 June.
    let (_, page) = app.page("/workforce?measure=agency_rate&as_at=2026-03-31", &mut hr).await;
    assert!(page.contains("50.0%"), "half agency in March");
    app.page(&format!("{ana}/employment"), &mut hr).await;
    let fields = [("date-day", "1"), ("date-month", "6"), ("date-year", "2026"), ("employment", "permanent")];
    let r = app.post(&format!("{ana}/employment"), &mut hr, &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, record) = app.page(&ana, &mut hr).await;
    assert!(
        record.contains("Employment changed: Permanent")
            && record.contains("Joined as Social worker (Agency (Hays Social Care))")
    );
    assert!(record.contains("Kingston University"), "where she qualified");
    let (_, now) = app.page("/workforce?measure=agency_rate", &mut hr).await;
    assert!(now.contains("Agency workers made permanent in 12 months") && now.contains("<svg"), "chart and measures");
    let (_, march) = app.page("/workforce?measure=agency_rate&as_at=2026-03-31", &mut hr).await;
    assert!(march.contains("50.0%"), "history is kept, so March still reads as it was");
    // A date before joining is refused, and named.
    app.page(&format!("{ana}/hours"), &mut hr).await;
    let r = app
        .post(
            &format!("{ana}/hours"),
            &mut hr,
            &[("date-day", "1"), ("date-month", "1"), ("date-year", "2025"), ("fte", "0.6")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("before the last thing recorded"));

    // The team's manager sees the team's records and Kingston's figures, not the organisation's.
    let mut manager = app.sign_in("manager@test.example").await;
    let (_, directory) = app.page("/workforce/staff", &mut manager).await;
    assert!(directory.contains("Ana Silva") && directory.contains("Ben Okoro"));
    assert_eq!(app.page(&ana, &mut manager).await.0, StatusCode::OK);
    assert_eq!(app.page("/workforce", &mut manager).await.0, StatusCode::NOT_FOUND);
    let kingston = app.ids["kingston"].clone();
    assert_eq!(app.page(&format!("/workforce?council={kingston}"), &mut manager).await.0, StatusCode::OK);
    assert_eq!(
        app.page(&format!("{ana}/leaving"), &mut manager).await.0,
        StatusCode::FORBIDDEN,
        "only HR changes records"
    );

    // Supervision: both are overdue in the manager's tray until a session is recorded.
    let (_, tray) = app.page("/work-tray", &mut manager).await;
    assert!(tray.contains("Supervision due in your teams") && tray.contains("Ben Okoro") && tray.contains("Overdue"));
    let staff = app.db.store.staff().await.expect("staff");
    let ben_id = staff.iter().find(|s| s.name == "Ben Okoro").expect("ben").id.clone();
    let path = format!("/workforce/staff/{ben_id}/supervision");
    app.page(&path, &mut manager).await;
    let r = app.post(&path, &mut manager, &[("date-day", "20"), ("date-month", "11"), ("date-year", "2026")]).await;
    assert!(r.text().await.expect("body").contains("Select the kind of supervision"));
    let fields = [
        ("date-day", "20"),
        ("date-month", "11"),
        ("date-year", "2026"),
        ("kind", "one_to_one"),
        ("note", "Caseload reviewed"),
    ];
    assert_eq!(app.post(&path, &mut manager, &fields).await.status(), StatusCode::SEE_OTHER);
    let (_, record) = app.page(&format!("/workforce/staff/{ben_id}"), &mut manager).await;
    assert!(record.contains("Caseload reviewed") && record.contains("18 Dec 2026"), "next due four weeks on");
    let (_, tray) = app.page("/work-tray", &mut manager).await;
    assert!(!tray.contains("Ben Okoro") && tray.contains("Ana Silva"), "Ben is in hand, Ana still due");

    // Ana sees her own record, not Ben's, and no directory; nor may she record supervision.
    let mut worker = app.sign_in("worker@test.example").await;
    let r = app.get("/account/staff-record", &mut worker).await;
    assert_eq!(r.headers()["location"].to_str().expect("location"), ana);
    assert_eq!(app.page(&ana, &mut worker).await.0, StatusCode::OK);
    let staff = app.db.store.staff().await.expect("staff");
    let ben = staff.iter().find(|s| s.name == "Ben Okoro").expect("ben").id.clone();
    assert_eq!(app.page(&format!("/workforce/staff/{ben}"), &mut worker).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.page("/workforce/staff", &mut worker).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.page(&format!("{ana}/supervision"), &mut worker).await.0, StatusCode::FORBIDDEN);
    let mut windsor = app.sign_in("windsor.worker@test.example").await;
    assert_eq!(app.page(&ana, &mut windsor).await.0, StatusCode::NOT_FOUND);
    // The API gives the same figures and records, under the same policy.
    let token = app.api_token(&mut hr, "workforce").await;
    let march = app.api_json(&token, "/api/v1/workforce/measures?as_at=2026-03-31").await;
    assert_eq!(march["measures"]["agency_rate"], 0.5);
    assert_eq!(march["measures"]["headcount"], 2.0);
    let by_team = app.api_json(&token, &format!("/api/v1/workforce/measures?team={team}&as_at=2026-03-31")).await;
    assert_eq!(
        (by_team["measures"]["headcount"].as_f64(), by_team["of"].as_str()),
        (Some(2.0), Some("Kingston safeguarding"))
    );
    let r =
        app.client.get(app.url("/api/v1/workforce/measures?team=nope")).bearer_auth(&token).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.page(&format!("/workforce?team={team}"), &mut manager).await.0,
        StatusCode::OK,
        "a manager's own team"
    );
    let listed = app.api_json(&token, "/api/v1/workforce/staff").await;
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    let ana_id = ana.trim_start_matches("/workforce/staff/");
    let record = app.api_json(&token, &format!("/api/v1/workforce/staff/{ana_id}")).await;
    assert_eq!(record["history"][1]["event"], "employment_changed");
    let own = app.api_token(&mut worker, "mine").await;
    let get = |t: &str, path: String| app.client.get(app.url(&path)).bearer_auth(t.to_string()).send();
    assert_eq!(get(&own, format!("/api/v1/workforce/staff/{ana_id}")).await.expect("get").status(), StatusCode::OK);
    assert_eq!(get(&own, format!("/api/v1/workforce/staff/{ben}")).await.expect("get").status(), StatusCode::NOT_FOUND);
    assert_eq!(get(&own, "/api/v1/workforce/staff".into()).await.expect("get").status(), StatusCode::FORBIDDEN);
    // Training: HR adds a course, Ana asks for a place, her manager approves, HR records the rest.
    let course = [
        ("title", "Trauma-informed practice"),
        ("programme", "course"),
        ("provider", "Research in Practice"),
        ("starts-day", "1"),
        ("starts-month", "6"),
        ("starts-year", "2026"),
        ("places", "1"),
    ];
    app.page("/workforce/training/new", &mut hr).await;
    let r = app.post("/workforce/training/new", &mut hr, &course).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap_or_default());
    let course_path = r.headers()["location"].to_str().expect("location").to_string();
    let asked = [("date-day", "2"), ("date-month", "5"), ("date-year", "2026")];
    app.page(&format!("{course_path}/request"), &mut worker).await;
    assert_eq!(app.post(&format!("{course_path}/request"), &mut worker, &asked).await.status(), StatusCode::SEE_OTHER);
    app.page(&format!("{course_path}/request"), &mut worker).await;
    let again = app.post(&format!("{course_path}/request"), &mut worker, &asked).await;
    assert!(again.text().await.expect("body").contains("already asked for a place"));
    let mut ben_browser = app.sign_in("colleague@test.example").await;
    let (_, page) = app.page(&course_path, &mut ben_browser).await;
    assert!(
        !page.contains("Ana Silva") && !page.contains("Ask for a place"),
        "the course is full and Ana's request is hers"
    );
    let requests = app.db.store.training_for_staff(ana_id).await.expect("requests");
    let request = format!("/workforce/training/requests/{}", requests[0].id);
    assert_eq!(app.page(&request, &mut worker).await.0, StatusCode::FORBIDDEN, "Ana does not approve her own");
    app.page(&request, &mut manager).await;
    let approve = [("status", "approved"), ("date-day", "3"), ("date-month", "5"), ("date-year", "2026")];
    assert_eq!(app.post(&request, &mut manager, &approve).await.status(), StatusCode::SEE_OTHER);
    app.page(&request, &mut hr).await;
    let early = [("status", "attended"), ("date-day", "20"), ("date-month", "5"), ("date-year", "2026")];
    assert!(app
        .post(&request, &mut hr, &early)
        .await
        .text()
        .await
        .expect("body")
        .contains("once the course has begun"));
    for (status, day) in [("attended", "1"), ("completed", "2")] {
        let fields = [("status", status), ("date-day", day), ("date-month", "6"), ("date-year", "2026")];
        assert_eq!(app.post(&request, &mut hr, &fields).await.status(), StatusCode::SEE_OTHER, "{status}");
    }
    let (_, record) = app.page(&ana, &mut worker).await;
    assert!(record.contains("Trauma-informed practice") && record.contains("Completed"));

    // Ana starts her ASYE, and passes its first milestone.
    for (slug, fields) in [
        ("cfkss", vec![("status", "1"), ("date-day", "1"), ("date-month", "7"), ("date-year", "2026")]),
        (
            "asye",
            vec![("milestone", "Three-month review"), ("date-day", "2"), ("date-month", "10"), ("date-year", "2026")],
        ),
    ] {
        app.page(&format!("{ana}/{slug}"), &mut hr).await;
        let r = app.post(&format!("{ana}/{slug}"), &mut hr, &fields).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{slug}: {}", r.text().await.unwrap_or_default());
    }
    let (_, record) = app.page(&ana, &mut hr).await;
    assert!(record.contains("Passed 2 Oct 2026") && record.contains("Due 1 Jan 2027"), "ASYE milestones");

    // Ben is seconded to Slough for improvement work and stops counting here until he is back.
    let ben_path = format!("/workforce/staff/{ben}/employment");
    app.page(&ben_path, &mut hr).await;
    let mut seconded =
        vec![("date-day", "1"), ("date-month", "7"), ("date-year", "2026"), ("employment", "seconded_out")];
    seconded.extend([("other_council", "Slough Borough Council"), ("day_rate", "550.00")]);
    let r = app.post(&ben_path, &mut hr, &seconded).await;
    assert!(r.text().await.expect("body").contains("Enter the days agreed"), "a secondment says how many days");
    seconded.extend([("days", "60"), ("until-day", "31"), ("until-month", "12"), ("until-year", "2026")]);
    seconded.push(("cover", "somebody-else"));
    let r = app.post(&ben_path, &mut hr, &seconded).await;
    assert!(r.text().await.expect("body").contains("Select a worker in post to cover"));
    seconded.pop();
    let ana_staff_id = ana.trim_start_matches("/workforce/staff/").to_string();
    seconded.push(("cover", ana_staff_id.as_str()));
    assert_eq!(app.post(&ben_path, &mut hr, &seconded).await.status(), StatusCode::SEE_OTHER);
    let july = app.api_json(&token, "/api/v1/workforce/measures?as_at=2026-07-31").await;
    assert_eq!(july["measures"]["headcount"], 1.0, "Ben works in Slough in July");
    let (_, record) = app.page(&format!("/workforce/staff/{ben}"), &mut hr).await;
    assert!(record.contains("Seconded out to Slough Borough Council") && record.contains("Covered at home by"));
    assert!(record.contains("Ana Silva"), "her cover is named");
    let history = app.api_json(&token, &format!("/api/v1/workforce/staff/{ben}")).await;
    assert_eq!(history["history"][1]["employment"]["day_rate"], 55_000, "the day rate is kept for billing");
    let back = [("date-day", "1"), ("date-month", "10"), ("date-year", "2026"), ("employment", "permanent")];
    app.page(&ben_path, &mut hr).await;
    assert_eq!(app.post(&ben_path, &mut hr, &back).await.status(), StatusCode::SEE_OTHER);
    let october = app.api_json(&token, "/api/v1/workforce/measures?as_at=2026-10-31").await;
    assert_eq!(october["measures"]["headcount"], 2.0, "back home");
    assert_eq!(october["measures"]["conversions"], 1.0, "a secondment's end is no conversion; Ana's is");

    // Caseloads come from the allocations: one child with no plan yet weighs half a case.
    let child = crate::journey::add_maya(app, &mut worker).await;
    let ctx = canopy_store::AuditContext { actor_id: app.ids["manager"].clone(), source: "test".into(), at_ms: 0 };
    let today = app.state.clock.today();
    let practitioner = app.ids["practitioner"].clone();
    app.db.store.allocate_child(&ctx, &child, Some(&team), Some(&practitioner), None, today).await.expect("allocate");
    let kingston = app.ids["kingston"].clone();
    let now = app.api_json(&token, &format!("/api/v1/workforce/measures?council={kingston}")).await;
    assert_eq!(now["measures"]["caseload"], 0.25, "Ana 0.5 and Ben nothing, averaged");
    assert_eq!(now["measures"]["over_threshold"], 0.0);
    let audit = app.db.store.recent_audit(300).await.expect("audit");
    assert!(audit.iter().filter(|a| a.entry.action == "view_staff").count() >= 4, "every read is audited");
    assert!(audit.iter().any(|a| a.entry.action == "record_staff_event" && a.entry.detail.contains("Permanent")));
});

async fn step(app: &TestApp, b: &mut Browser, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    app.page(path, b).await;
    app.post(path, b, fields).await
}

on_both_engines!(a_vacancy_is_filled_through_the_pipeline_and_an_agency_worker_is_made_permanent, TestApp, |app| {
    let mut hr = hr(app).await;
    let champion = user_with(app, "champion@test.example", "recruitment_champion", true).await;
    user_with(app, "other.champion@test.example", "recruitment_champion", true).await;
    let team = app.ids["kingston_team"].clone();
    let on = |d: &'static str, m: &'static str| [("date-day", d), ("date-month", m), ("date-year", "2026")];
    let mut open = vec![("team_id", team.as_str()), ("job_title", "Social worker"), ("org_role", "5"), ("fte", "1")];
    open.extend(on("2", "3"));
    let r = step(app, &mut hr, "/workforce/vacancies/new", &open).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap_or_default());
    let vacancy = r.headers()["location"].to_str().expect("location").to_string();
    let mut second = open.clone();
    second.push(("agency_cover", "yes"));
    let other_vacancy = step(app, &mut hr, "/workforce/vacancies/new", &second).await.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let (_, board) = app.page("/workforce/vacancies", &mut hr).await;
    assert!(board.contains("Open vacancies") && board.matches("Social worker").count() >= 2);
    let mut apply = vec![("name", "Dana Reyes"), ("email", "not an email"), ("phone", "07700 900123")];
    apply.extend(on("9", "3"));
    let r = step(app, &mut hr, &format!("{vacancy}/apply"), &apply).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    apply[1] = ("email", "dana@example.com");
    let r = step(app, &mut hr, &format!("{vacancy}/apply"), &apply).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let dana = r.headers()["location"].to_str().expect("location").to_string();
    // Steps go in order; an interview needs a panel of champions.
    let r = step(app, &mut hr, &format!("{dana}/offer"), &on("10", "3")).await;
    assert!(r.text().await.expect("body").contains("moves on to shortlisted"));
    assert_eq!(step(app, &mut hr, &format!("{dana}/shortlist"), &on("12", "3")).await.status(), StatusCode::SEE_OTHER);
    let r = step(app, &mut hr, &format!("{dana}/interview"), &on("20", "3")).await;
    assert!(r.text().await.expect("body").contains("Select at least one recruitment champion"));
    let mut interview = on("20", "3").to_vec();
    interview.push(("panel", champion.as_str()));
    assert_eq!(step(app, &mut hr, &format!("{dana}/interview"), &interview).await.status(), StatusCode::SEE_OTHER);
    // The panel's champion sees the candidate and their interview list; another champion and the
    // team's manager do not.
    let mut panel = app.sign_in("champion@test.example").await;
    let (_, list) = app.page("/workforce/interviews", &mut panel).await;
    assert!(list.contains("Dana Reyes"));
    let (status, record) = app.page(&dana, &mut panel).await;
    assert_eq!(status, StatusCode::OK);
    assert!(record.contains("dana@example.com"));
    let mut other = app.sign_in("other.champion@test.example").await;
    assert_eq!(app.page(&dana, &mut other).await.0, StatusCode::NOT_FOUND);
    let (_, vacancy_page) = app.page(&vacancy, &mut other).await;
    assert!(vacancy_page.contains("A candidate") && !vacancy_page.contains("Dana Reyes"), "no name without the panel");
    let mut manager = app.sign_in("manager@test.example").await;
    assert_eq!(app.page(&dana, &mut manager).await.0, StatusCode::FORBIDDEN, "managers do not hold recruitment");
    assert_eq!(step(app, &mut hr, &format!("{dana}/offer"), &on("23", "3")).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(step(app, &mut hr, &format!("{dana}/accept"), &on("25", "3")).await.status(), StatusCode::SEE_OTHER);
    let mut start = on("1", "5").to_vec();
    start.extend([("grade", "SW2"), ("start_origin", "2")]);
    let r = step(app, &mut hr, &format!("{dana}/start"), &start).await;
    assert!(r.text().await.expect("body").contains("needs their Social Work England number"));
    start.push(("swe_number", "SW777777"));
    assert_eq!(step(app, &mut hr, &format!("{dana}/start"), &start).await.status(), StatusCode::SEE_OTHER);
    let staff = app.db.store.staff().await.expect("staff");
    let hired = staff.iter().find(|s| s.name == "Dana Reyes").expect("a staff record for the new worker");
    assert!(hired.in_post && hired.employment == "Permanent");
    let (_, vacancy_page) = app.page(&vacancy, &mut hr).await;
    assert!(vacancy_page.contains("Filled 1 May 2026 (60 days to hire)"), "time to hire");

    // An agency worker applies for the second vacancy and is made permanent on starting.
    let mut agency = vec![
        ("name", "Eli Grant"),
        ("swe_number", "SW888888"),
        ("team_id", team.as_str()),
        ("job_title", "Social worker"),
        ("org_role", "5"),
        ("fte", "1"),
        ("employment", "agency"),
        ("agency", "Sanctuary"),
        ("weekly_cost", "1700"),
        ("contract_weeks", "12"),
    ];
    agency.extend(on("5", "1"));
    let eli = step(app, &mut hr, "/workforce/staff/new", &agency).await.headers()["location"]
        .to_str()
        .expect("location")
        .trim_start_matches("/workforce/staff/")
        .to_string();
    let mut internal =
        vec![("staff_id", eli.as_str()), ("name", "Eli Grant"), ("email", "eli@example.com"), ("phone", "")];
    internal.extend(on("10", "3"));
    let app_path = step(app, &mut hr, &format!("{other_vacancy}/apply"), &internal).await.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let mut panel_fields = on("15", "3").to_vec();
    panel_fields.push(("panel", champion.as_str()));
    for (slug, fields) in [
        ("shortlist", on("11", "3").to_vec()),
        ("interview", panel_fields),
        ("offer", on("16", "3").to_vec()),
        ("accept", on("17", "3").to_vec()),
        ("start", on("1", "4").to_vec()),
    ] {
        let r = step(app, &mut hr, &format!("{app_path}/{slug}"), &fields).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{slug}: {}", r.text().await.unwrap_or_default());
    }
    let eli_row = app.db.store.staff_member(&eli).await.expect("eli");
    assert_eq!(eli_row.employment, "Permanent", "the agency worker is now permanent");
    let (_, figures) = app.page("/workforce?measure=conversions", &mut hr).await;
    assert!(figures.contains("Agency workers made permanent in 12 months"));
    let (_, rate) = app.page("/workforce?measure=vacancy_rate&as_at=2026-03-31", &mut hr).await;
    assert!(rate.contains("66.7%"), "two vacant posts beside one agency worker in post in March");
    // Time to hire, the pipeline and the vacancies through the API.
    let token = app.api_token(&mut hr, "recruitment").await;
    let june = app.api_json(&token, "/api/v1/workforce/measures?as_at=2026-06-01").await;
    assert_eq!(june["measures"]["time_to_hire"], 45.0, "60 days for Dana's post, 30 for Eli's");
    let listed = app.api_json(&token, "/api/v1/workforce/vacancies").await;
    let filled: Vec<i64> =
        listed.as_array().expect("vacancies").iter().filter_map(|v| v["time_to_hire"].as_i64()).collect();
    assert_eq!(filled.len(), 2);
    assert_eq!(listed[0]["applications"]["started"], 1);
    let (_, board) = app.page("/workforce/vacancies", &mut hr).await;
    assert!(board.contains("The pipeline: applications to open vacancies by stage"));
    let audit = app.db.store.recent_audit(400).await.expect("audit");
    assert!(audit.iter().any(|a| a.entry.action == "view_candidate"), "reads of candidates are audited");
});
