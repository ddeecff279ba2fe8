//! The web layer's stories, end to end over HTTP against a real database: security headers,
//! sign-in and sessions, CSRF, throttling, scoping, the admin forms, the API and the audit log.
//! One test binary (with the browser test in `browser.rs`), so it links once.

mod adoption;
mod browser;
mod budgets;
mod care;
mod early_help;
mod journey;
mod quality;
mod support;
mod workforce;

use canopy_store::on_both_engines;
use reqwest::StatusCode;
use support::{Browser, TestApp, PASSWORD};

on_both_engines!(every_response_carries_the_security_headers, TestApp, |app| {
    let mut anon = Browser::default();
    let mut admin = app.sign_in("admin@test.example").await;
    for r in
        [app.get("/sign-in", &mut anon).await, app.get("/", &mut admin).await, app.get("/nowhere", &mut admin).await]
    {
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().expect("csp");
        assert!(csp.contains("script-src 'self' 'nonce-"), "{csp}");
        assert!(!csp.contains("unsafe-inline"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(h["strict-transport-security"].to_str().expect("hsts").contains("max-age="));
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["cache-control"], "no-store");
    }
    // Each response gets its own nonce, and the page's scripts carry it.
    let a = app.get("/sign-in", &mut anon).await;
    let nonce = a.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .split("'nonce-")
        .nth(1)
        .expect("nonce")
        .split('\'')
        .next()
        .expect("nonce")
        .to_string();
    let body = a.text().await.expect("body");
    assert!(body.contains(&format!("nonce=\"{nonce}\"")));
    let b = app.get("/sign-in", &mut anon).await;
    assert!(!b.headers()["content-security-policy"].to_str().expect("csp").contains(&nonce));
});

on_both_engines!(the_session_cookie_is_http_only_lax_and_new_at_every_sign_in, TestApp, |app| {
    // An attacker plants a session id before the victim signs in.
    let mut victim = Browser::default();
    victim.cookies.insert("canopy-session".into(), "planted-by-attacker".into());
    app.page("/sign-in", &mut victim).await;
    let r = app.post("/sign-in", &mut victim, &[("email", "worker@test.example"), ("password", PASSWORD)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let set: Vec<String> =
        r.headers().get_all("set-cookie").iter().map(|v| v.to_str().expect("cookie").to_string()).collect();
    let session = set.iter().find(|c| c.starts_with("canopy-session=")).expect("session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax") && session.contains("Path=/"));
    let token = victim.cookies["canopy-session"].clone();
    assert_ne!(token, "planted-by-attacker");
    assert_eq!(token.len(), 64, "256 random bits, hex");
    let mut attacker = Browser::default();
    attacker.cookies.insert("canopy-session".into(), "planted-by-attacker".into());
    assert_eq!(app.get("/", &mut attacker).await.status(), StatusCode::SEE_OTHER);

    // Signing in again from a signed-in browser ends the old session rather than reusing it.
    app.page("/", &mut victim).await;
    let old = victim.clone();
    let mut again = old.clone();
    let r = app.post("/sign-in", &mut again, &[("email", "worker@test.example"), ("password", PASSWORD)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_ne!(again.cookies["canopy-session"], old.cookies["canopy-session"]);
    let mut stale = old.clone();
    assert_eq!(app.get("/", &mut stale).await.status(), StatusCode::SEE_OTHER, "the old session no longer works");
    // The store keeps only the hash of a token.
    let raw = again.cookies["canopy-session"].clone();
    assert!(app.db.store.session(&raw).await.expect("lookup").is_none());
});

on_both_engines!(sessions_time_out_after_30_idle_minutes_and_12_hours_in_all, TestApp, |app| {
    let mut b = app.sign_in("worker@test.example").await;
    app.clock.advance(chrono::Duration::minutes(29));
    assert_eq!(app.get("/", &mut b).await.status(), StatusCode::OK);
    app.clock.advance(chrono::Duration::minutes(31));
    let r = app.get("/", &mut b).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/sign-in");

    // A busy session still ends 12 hours after sign-in.
    let mut busy = app.sign_in("worker@test.example").await;
    for _ in 0..(12 * 60 / 20 - 1) {
        app.clock.advance(chrono::Duration::minutes(20));
        assert_eq!(app.get("/", &mut busy).await.status(), StatusCode::OK);
    }
    app.clock.advance(chrono::Duration::minutes(20));
    assert_eq!(app.get("/", &mut busy).await.status(), StatusCode::SEE_OTHER);
});

on_both_engines!(signing_out_and_disabling_an_account_end_sessions_at_once, TestApp, |app| {
    let mut b = app.sign_in("worker@test.example").await;
    let kept = b.clone();
    assert_eq!(app.post("/sign-out", &mut b, &[]).await.status(), StatusCode::SEE_OTHER);
    let mut replay = kept;
    assert_eq!(app.get("/", &mut replay).await.status(), StatusCode::SEE_OTHER);

    let mut worker = app.sign_in("worker@test.example").await;
    let mut admin = app.sign_in("admin@test.example").await;
    let id = app.ids["practitioner"].clone();
    app.page(&format!("/admin/users/{id}/edit"), &mut admin).await;
    assert_eq!(app.post(&format!("/admin/users/{id}/disable"), &mut admin, &[]).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get("/", &mut worker).await.status(), StatusCode::SEE_OTHER);
    let mut fresh = Browser::default();
    app.page("/sign-in", &mut fresh).await;
    let r = app.post("/sign-in", &mut fresh, &[("email", "worker@test.example"), ("password", PASSWORD)]).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "a disabled account cannot sign in");
});

on_both_engines!(a_state_change_without_the_csrf_token_is_refused_and_changes_nothing, TestApp, |app| {
    let mut admin = app.sign_in("admin@test.example").await;
    app.page("/admin/councils/new", &mut admin).await;
    let before = app.council_count().await;
    let fields =
        [("name", "Slough"), ("la_code", "871"), ("ons_code", "E06000039"), ("postcode_districts", "SL1, SL2")];
    let mut no_token = fields.to_vec();
    no_token.push(("csrf_token", ""));
    assert_eq!(app.post("/admin/councils/new", &mut admin, &no_token).await.status(), StatusCode::FORBIDDEN);
    let mut wrong = fields.to_vec();
    wrong.push(("csrf_token", "0000"));
    assert_eq!(app.post("/admin/councils/new", &mut admin, &wrong).await.status(), StatusCode::FORBIDDEN);
    // A cross-site form carries the right cookie but comes from elsewhere.
    let cross = app
        .client
        .post(app.url("/admin/councils/new"))
        .header("cookie", admin.cookie_header())
        .header("origin", "https://evil.example")
        .form(&[
            ("name", "Slough"),
            ("la_code", "871"),
            ("ons_code", "E06000039"),
            ("postcode_districts", "SL1"),
            ("csrf_token", admin.csrf.as_str()),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    let cross_fetch = app
        .client
        .post(app.url("/admin/councils/new"))
        .header("cookie", admin.cookie_header())
        .header("sec-fetch-site", "cross-site")
        .header("origin", "null")
        .form(&[
            ("name", "Slough"),
            ("la_code", "871"),
            ("ons_code", "E06000039"),
            ("postcode_districts", "SL1"),
            ("csrf_token", admin.csrf.as_str()),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(cross_fetch.status(), StatusCode::FORBIDDEN);
    // The sign-in form is protected too, before there is a session.
    let mut anon = Browser::default();
    app.page("/sign-in", &mut anon).await;
    let forged = app
        .post(
            "/sign-in",
            &mut anon,
            &[("email", "admin@test.example"), ("password", PASSWORD), ("csrf_token", "forged")],
        )
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.council_count().await, before, "nothing was written");
    assert_eq!(app.post("/admin/councils/new", &mut admin, &fields).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.council_count().await, before + 1);
});

on_both_engines!(two_hundred_wrong_passwords_in_a_minute_get_about_ten_evaluated, TestApp, |app| {
    let mut b = Browser::default();
    app.page("/sign-in", &mut b).await;
    let (mut evaluated, mut throttled) = (0, 0);
    for _ in 0..200 {
        app.clock.advance(chrono::Duration::milliseconds(300));
        let r =
            app.post("/sign-in", &mut b, &[("email", "worker@test.example"), ("password", "wrong guess here")]).await;
        match r.status() {
            StatusCode::UNAUTHORIZED => evaluated += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert!(r.headers().contains_key("retry-after"));
                throttled += 1
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(evaluated <= 11, "{evaluated} evaluated");
    assert_eq!(evaluated + throttled, 200);
    // No permanent lock-out: the real user gets in after a short wait.
    app.clock.advance(chrono::Duration::seconds(13));
    let r = app.post("/sign-in", &mut b, &[("email", "worker@test.example"), ("password", PASSWORD)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let failures = app
        .db
        .store
        .recent_audit(500)
        .await
        .expect("audit")
        .iter()
        .filter(|r| r.entry.action == "sign_in" && r.entry.outcome == "failed")
        .count();
    assert_eq!(failures, evaluated, "every evaluated failure is audited");
});

on_both_engines!(another_councils_record_answers_exactly_like_a_missing_one, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    let windsor = app.ids["windsor"].clone();
    let kingston = app.ids["kingston"].clone();
    let missing = "01900000-0000-7000-8000-000000000000";
    for (theirs, nothing) in [
        (format!("/councils/{windsor}"), format!("/councils/{missing}")),
        (format!("/teams/{}", app.ids["windsor_team"]), format!("/teams/{missing}")),
        (format!("/api/v1/councils/{windsor}"), format!("/api/v1/councils/{missing}")),
    ] {
        let (s1, b1) = app.page(&theirs, &mut worker).await;
        let (s2, b2) = app.page(&nothing, &mut worker).await;
        assert_eq!(s1, StatusCode::NOT_FOUND, "{theirs}");
        assert_eq!(s1, s2);
        assert_eq!(b1, b2, "{theirs} and {nothing} must not be told apart");
    }
    let (s, body) = app.page(&format!("/councils/{kingston}"), &mut worker).await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("Kingston upon Thames"));
    let (_, list) = app.page("/api/v1/councils", &mut worker).await;
    assert!(list.contains("Kingston") && !list.contains("Windsor"), "lists are scoped too: {list}");
});

on_both_engines!(a_practitioner_cannot_reach_administration, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    for path in ["/admin/councils", "/admin/users", "/admin/roles", "/audit"] {
        assert_eq!(app.get(path, &mut worker).await.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let mut anon = Browser::default();
    let r = app.get("/admin/councils", &mut anon).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/sign-in");
});

on_both_engines!(admin_forms_name_each_problem_and_keep_what_was_typed, TestApp, |app| {
    let mut admin = app.sign_in("admin@test.example").await;
    app.page("/admin/councils/new", &mut admin).await;
    let r = app
        .post(
            "/admin/councils/new",
            &mut admin,
            &[
                ("name", "Kingston Two"),
                ("la_code", "314"),
                ("ons_code", "E0600"),
                ("postcode_districts", "KT1, ZZZ9Z9"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.expect("body");
    assert!(body.contains("govuk-error-summary"));
    assert!(body.contains("<a href=\"#la_code\">LA code 314 already belongs to another council</a>"), "{body}");
    assert!(body.contains("href=\"#ons_code\""));
    assert!(body.contains("KT1 is already covered by Kingston upon Thames"));
    assert!(body.contains("value=\"Kingston Two\""), "typed input is kept");
    assert!(body.contains("<title>Error: "));

    app.page("/admin/organisation", &mut admin).await;
    let r = app.post("/admin/organisation", &mut admin, &[("name", "  ")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("Enter the organisation&#x27;s name"));
    let r = app.post("/admin/organisation", &mut admin, &[("name", "Achieving for Children")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.db.store.organisation_name().await.expect("name").as_deref(), Some("Achieving for Children"));

    app.page("/admin/teams/new", &mut admin).await;
    let r = app
        .post(
            "/admin/teams/new",
            &mut admin,
            &[("name", "Floating team"), ("service", "safeguarding"), ("cluster_id", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("Select at least one council that a team serves"));

    app.page("/admin/clusters/new", &mut admin).await;
    let r = app
        .post(
            "/admin/clusters/new",
            &mut admin,
            &[("name", "East"), ("council_ids", app.ids["kingston"].as_str()), ("areas", "KT1, SL6")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("SL6 is not a postcode district of the councils this cluster serves"));
    let r = app
        .post(
            "/admin/clusters/new",
            &mut admin,
            &[("name", "East"), ("council_ids", app.ids["kingston"].as_str()), ("areas", "KT1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
});

on_both_engines!(a_new_user_signs_in_with_a_one_time_password_and_must_change_it, TestApp, |app| {
    let mut admin = app.sign_in("admin@test.example").await;
    app.page("/admin/users/new", &mut admin).await;
    let team = app.ids["kingston_team"].clone();
    let r = app
        .post(
            "/admin/users/new",
            &mut admin,
            &[
                ("display_name", "Nadia New"),
                ("email", "nadia@test.example"),
                ("job_title", "Social worker"),
                ("team_ids", team.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.expect("body");
    let password = body
        .split("temporary password is ")
        .nth(1)
        .expect("password shown")
        .split('.')
        .next()
        .expect("password")
        .to_string();
    let mut nadia = Browser::default();
    app.page("/sign-in", &mut nadia).await;
    let r = app.post("/sign-in", &mut nadia, &[("email", "nadia@test.example"), ("password", password.as_str())]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app.get("/", &mut nadia).await;
    assert_eq!(r.headers()["location"], "/account/password");
    app.page("/account/password", &mut nadia).await;
    let weak = app
        .post(
            "/account/password",
            &mut nadia,
            &[
                ("current_password", password.as_str()),
                ("new_password", "password123"),
                ("confirm_password", "password123"),
            ],
        )
        .await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let good = "nadia keeps her tea on the windowsill";
    let r = app
        .post(
            "/account/password",
            &mut nadia,
            &[("current_password", password.as_str()), ("new_password", good), ("confirm_password", good)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get("/", &mut nadia).await.status(), StatusCode::OK);
});

on_both_engines!(api_tokens_are_shown_once_scoped_to_their_user_and_revocable, TestApp, |app| {
    let mut worker = app.sign_in("worker@test.example").await;
    app.page("/account/tokens", &mut worker).await;
    let r = app.post("/account/tokens", &mut worker, &[("name", "caseload script")]).await;
    let body = r.text().await.expect("body");
    let token = body
        .split("<code class=\"canopy-token\">")
        .nth(1)
        .expect("token shown")
        .split('<')
        .next()
        .expect("token")
        .to_string();
    assert!(token.starts_with("canopy_"));
    let (_, again) = app.page("/account/tokens", &mut worker).await;
    assert!(!again.contains(&token), "shown once only");
    let api = |t: &str| app.client.get(app.url("/api/v1/me")).bearer_auth(t).send();
    let me: serde_json::Value = api(&token).await.expect("me").json().await.expect("json");
    assert_eq!(me["email"], "worker@test.example");
    let admin_call = app
        .client
        .post(app.url("/api/v1/councils"))
        .bearer_auth(&token)
        .json(
            &serde_json::json!({"name": "X", "la_code": "999", "ons_code": "E06000001", "postcode_districts": ["X1"]}),
        )
        .send()
        .await
        .expect("post");
    assert_eq!(admin_call.status(), StatusCode::FORBIDDEN, "the token has its user's permissions and no more");
    let id = app.db.store.list_api_tokens(&app.ids["practitioner"]).await.expect("tokens")[0].id.clone();
    app.page("/account/tokens", &mut worker).await;
    assert_eq!(
        app.post(&format!("/account/tokens/{id}/revoke"), &mut worker, &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(api(&token).await.expect("me").status(), StatusCode::UNAUTHORIZED);
});

on_both_engines!(the_api_answers_problems_and_rejects_unknown_fields_and_big_bodies, TestApp, |app| {
    let mut admin = app.sign_in("admin@test.example").await;
    let token = app.api_token(&mut admin, "admin script").await;
    let post =
        |json: serde_json::Value| app.client.post(app.url("/api/v1/councils")).bearer_auth(&token).json(&json).send();
    let unknown = post(serde_json::json!({"name": "Slough", "la_code": "871", "ons_code": "E06000039", "postcode_districts": ["SL1"], "mayor": "x"})).await.expect("post");
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    assert_eq!(unknown.headers()["content-type"], "application/problem+json");
    let problem: serde_json::Value = unknown.json().await.expect("json");
    assert!(problem["detail"].as_str().expect("detail").contains("mayor"));
    let invalid = post(
        serde_json::json!({"name": "Slough", "la_code": "314", "ons_code": "E06000039", "postcode_districts": ["SL1"]}),
    )
    .await
    .expect("post");
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: serde_json::Value = invalid.json().await.expect("json");
    assert_eq!(problem["errors"][0]["field"], "la_code");
    let long = post(serde_json::json!({"name": "S".repeat(500), "la_code": "871", "ons_code": "E06000039", "postcode_districts": ["SL1"]})).await.expect("post");
    assert_eq!(long.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let huge = post(serde_json::json!({"name": "x".repeat(200_000), "la_code": "871", "ons_code": "E06000039", "postcode_districts": []})).await.expect("post");
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let created = post(serde_json::json!({"name": "Slough", "la_code": "871", "ons_code": "E06000039", "postcode_districts": ["SL1", "SL2"]})).await.expect("post");
    assert_eq!(created.status(), StatusCode::CREATED);
    let doc: serde_json::Value =
        app.client.get(app.url("/api/v1/openapi.json")).send().await.expect("doc").json().await.expect("json");
    for spec in
        canopy_web::route_table().iter().filter(|s| s.path.starts_with("/api/v1/") && s.path != "/api/v1/openapi.json")
    {
        let method = spec.method.as_str().to_lowercase();
        assert!(
            doc["paths"][spec.path][&method].is_object(),
            "{} {} is in the OpenAPI document",
            spec.method,
            spec.path
        );
    }
});

on_both_engines!(sign_ins_writes_and_denials_are_in_a_verifiable_audit_chain, TestApp, |app| {
    let mut admin = app.sign_in("admin@test.example").await;
    let mut anon = Browser::default();
    app.page("/sign-in", &mut anon).await;
    app.post("/sign-in", &mut anon, &[("email", "nobody@test.example"), ("password", "not a real password")]).await;
    app.page("/admin/councils/new", &mut admin).await;
    app.post(
        "/admin/councils/new",
        &mut admin,
        &[("name", "Slough"), ("la_code", "871"), ("ons_code", "E06000039"), ("postcode_districts", "SL1")],
    )
    .await;
    let rows = app.db.store.recent_audit(100).await.expect("audit");
    let actions: Vec<(&str, &str)> = rows.iter().map(|r| (r.entry.action.as_str(), r.entry.outcome.as_str())).collect();
    assert!(actions.contains(&("sign_in", "succeeded")));
    assert!(actions.contains(&("sign_in", "failed")));
    assert!(actions.contains(&("save_council", "succeeded")));
    let council_row = rows.iter().find(|r| r.entry.action == "save_council").expect("row");
    assert_eq!(council_row.entry.actor_id, app.ids["admin"]);
    assert_eq!(council_row.entry.source, "127.0.0.1");
    let mut auditor = app.sign_in("auditor@test.example").await;
    let (status, page) = app.page("/audit", &mut auditor).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("rows verify"));
});

#[test]
fn only_the_route_table_adds_routes_and_every_route_declares_its_access() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n != "routes.rs") {
                let text = std::fs::read_to_string(&path).expect("source");
                for needle in [".route(", ".route_service(", ".nest(", ".merge("] {
                    assert!(
                        !text.contains(needle),
                        "{} adds a route with {needle} outside the route table",
                        path.display()
                    );
                }
            }
        }
    }
    let table = canopy_web::route_table();
    let mut seen = std::collections::HashSet::new();
    for spec in &table {
        assert!(seen.insert((spec.method.clone(), spec.path)), "{} {} is declared twice", spec.method, spec.path);
        if let canopy_web::Access::Organisation(action) | canopy_web::Access::Scoped(action) = spec.access {
            assert!(
                action.permission().is_some(),
                "{} {} declares an action that needs no permission",
                spec.method,
                spec.path
            );
        }
        if spec.path.starts_with("/admin/") {
            assert!(
                matches!(spec.access, canopy_web::Access::Organisation(_)),
                "{} must be an organisation action",
                spec.path
            );
        }
    }
    let public: Vec<&str> = table.iter().filter(|s| s.access == canopy_web::Access::Public).map(|s| s.path).collect();
    assert_eq!(public, vec!["/healthz", "/assets/{*path}", "/sign-in", "/sign-in", "/api/v1/openapi.json"]);
}

on_both_engines!(a_council_keeps_its_own_closure_days_in_its_working_day_calendar, TestApp, |app| {
    let mut admin = app.sign_in("admin@test.example").await;
    let k = app.ids["kingston"].clone();
    let path = format!("/admin/councils/{k}/calendar");
    let (status, page) = app.page(&path, &mut admin).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("This council has no closure days of its own."));
    let r = app
        .post(&path, &mut admin, &[("day-day", "30"), ("day-month", "2"), ("day-year", "2026"), ("reason", "Closed")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.expect("body");
    assert!(body.contains("<a href=\"#day\">The closure day must be a real date</a>"), "{body}");
    assert!(body.contains("value=\"30\""), "typed input is kept");
    let r = app
        .post(&path, &mut admin, &[("day-day", "26"), ("day-month", "12"), ("day-year", "2026"), ("reason", "Closed")])
        .await;
    assert!(r.text().await.expect("body").contains("That day is a weekend"));
    let r = app
        .post(
            &path,
            &mut admin,
            &[
                ("day-day", "29"),
                ("day-month", "12"),
                ("day-year", "2026"),
                ("reason", "Closed between Christmas and New Year"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.page(&path, &mut admin).await;
    assert!(page.contains("29 December 2026"));
    let cal = app.db.store.council_calendar(&k).await.expect("calendar");
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 29).expect("date");
    assert!(!cal.is_working_day(day));
    assert!(
        app.db.store.council_calendar(&app.ids["richmond"]).await.expect("calendar").is_working_day(day),
        "other councils are untouched"
    );
    let again = app
        .post(&path, &mut admin, &[("day-day", "29"), ("day-month", "12"), ("day-year", "2026"), ("reason", "Again")])
        .await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().await.expect("body").contains("already a closure day"));
});
