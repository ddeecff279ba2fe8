//! The browser test: Debian's Chromium through chromedriver signs in, visits every page built so
//! far, runs axe-core on each with zero violations allowed, and checks each works at 320 px.

use crate::support::{TestApp, PASSWORD};
use canopy_store::testing::TestEngine;
use fantoccini::{ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};

fn find(binary: &str) -> Option<String> {
    ["/usr/bin", "/usr/local/bin", "/usr/lib/chromium"]
        .iter()
        .map(|d| format!("{d}/{binary}"))
        .find(|p| std::path::Path::new(p).exists())
}

/// chromedriver, and the browser it starts: both are stopped when the test ends, pass or fail.
struct Driver(Child, std::path::PathBuf);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        // A failed test never reaches `close`, and Chromium outlives its driver: stop it by profile.
        let _ = Command::new("pkill").arg("-f").arg(self.1.display().to_string()).status();
        let _ = std::fs::remove_dir_all(&self.1);
    }
}

#[tokio::test]
async fn every_page_passes_axe_and_works_at_320_pixels() {
    let required = std::env::var("CANOPY_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let (Some(driver_bin), Some(chromium)) = (find("chromedriver"), find("chromium")) else {
        assert!(!required, "CANOPY_REQUIRE_BROWSER=1 but chromium or chromedriver is missing");
        eprintln!("skipped: browser test (install chromium and chromium-driver to run it)");
        return;
    };
    let axe_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../node_modules/axe-core/axe.min.js");
    let assets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/dist/canopy.css");
    if !axe_path.exists() || !assets.exists() {
        assert!(!required, "run `npm ci && npm run build` first: axe-core and the assets are needed");
        eprintln!("skipped: browser test (run `npm ci && npm run build` first)");
        return;
    }
    let axe = std::fs::read_to_string(&axe_path).expect("axe-core");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let app = TestApp::spawn(TestEngine::Sqlite).await.expect("sqlite always runs");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        l.local_addr().expect("addr").port()
    };
    let profile = std::env::temp_dir().join(format!("canopy-chrome-{port}"));
    let _driver = Driver(
        Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
        profile.clone(),
    );
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,900",
                     format!("--user-data-dir={}", profile.display())]
        }
    });
    let mut client = None;
    for _ in 0..50 {
        let caps = caps.as_object().expect("caps").clone();
        match ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => {
                client = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
        }
    }
    let c = client.expect("chromedriver answers");

    // Sign in through the form, as a person would.
    c.goto(&app.url("/sign-in")).await.expect("sign-in page");
    c.find(Locator::Id("email")).await.expect("email").send_keys("admin@test.example").await.expect("type");
    c.find(Locator::Id("password")).await.expect("password").send_keys(PASSWORD).await.expect("type");
    c.find(Locator::Css("form[action='/sign-in'] button")).await.expect("button").click().await.expect("submit");
    // The sign-out button shows only once the signed-in page has loaded.
    c.wait().for_element(Locator::Css("form[action='/sign-out']")).await.expect("signed in");
    let heading = c.find(Locator::Css("h1.govuk-heading-l")).await.expect("h1").text().await.expect("text");
    assert!(heading.starts_with("Welcome"), "{heading}");

    let pages = [
        "/sign-in-is-checked-separately",
        "/",
        "/organisation",
        &format!("/councils/{}", app.ids["kingston"]),
        &format!("/teams/{}", app.ids["kingston_team"]),
        "/admin",
        "/admin/organisation",
        "/admin/councils",
        "/admin/councils/new",
        &format!("/admin/councils/{}/edit", app.ids["kingston"]),
        &format!("/admin/councils/{}/calendar", app.ids["kingston"]),
        &format!("/admin/councils/{}/clock-rules", app.ids["kingston"]),
        "/admin/clusters",
        "/admin/clusters/new",
        "/admin/teams",
        "/admin/teams/new",
        &format!("/admin/teams/{}/edit", app.ids["kingston_team"]),
        "/admin/users",
        "/admin/users/new",
        &format!("/admin/users/{}/edit", app.ids["practitioner"]),
        "/admin/roles",
        "/admin/roles/new",
        "/account/tokens",
        "/account/password",
    ];
    let mut failures = Vec::new();
    check_pages(&c, &app, &axe, &pages[1..], &mut failures).await;
    // The sign-in page, and a form with its errors showing, are checked signed out and after a bad submit.
    c.goto(&app.url("/admin/councils/new")).await.expect("form");
    c.find(Locator::Css("form[action='/admin/councils/new'] button"))
        .await
        .expect("save")
        .click()
        .await
        .expect("submit");
    let summary = c.wait().for_element(Locator::Css(".govuk-error-summary")).await;
    assert!(summary.is_ok(), "the error summary shows");
    c.execute(&axe, vec![]).await.expect("axe");
    let with_errors = c
        .execute_async(
            "const done = arguments[arguments.length - 1]; axe.run().then(r => done(r.violations.map(v => v.id)));",
            vec![],
        )
        .await
        .expect("axe runs");
    for v in with_errors.as_array().expect("violations") {
        failures.push(format!("council form with errors: {v}"));
    }
    c.find(Locator::Css("form[action='/sign-out'] button")).await.expect("sign out").click().await.expect("sign out");
    c.wait().for_element(Locator::Id("email")).await.expect("signed out");
    c.goto(&app.url("/sign-in")).await.expect("sign-in");
    c.execute(&axe, vec![]).await.expect("axe");
    let signin = c
        .execute_async(
            "const done = arguments[arguments.length - 1]; axe.run().then(r => done(r.violations.map(v => v.id)));",
            vec![],
        )
        .await
        .expect("axe runs");
    for v in signin.as_array().expect("violations") {
        failures.push(format!("sign-in: {v}"));
    }
    // A manager walks the start of a child's journey: add a child, record a contact, decide it.
    sign_in(&c, &app, "manager@test.example").await;
    c.goto(&app.url("/children/new")).await.expect("new child");
    for (id, value) in [
        ("first_name", "Leo"),
        ("last_name", "Marsh"),
        ("date_of_birth-day", "3"),
        ("date_of_birth-month", "9"),
        ("date_of_birth-year", "2019"),
        ("postcode", "KT2 5AA"),
    ] {
        c.find(Locator::Id(id)).await.expect("field").send_keys(value).await.expect("type");
    }
    c.find(Locator::Css("input[name=sex][value=M]")).await.expect("sex").click().await.expect("choose");
    c.find(Locator::Css("form[action='/children/new'] button")).await.expect("add").click().await.expect("submit");
    c.wait()
        .for_element(Locator::Css("a[href$='/record/contact']"))
        .await
        .expect("child record")
        .click()
        .await
        .expect("contact form");
    c.wait()
        .for_element(Locator::Id("worry"))
        .await
        .expect("worry")
        .send_keys("Neighbour worried about shouting")
        .await
        .expect("type");
    c.find(Locator::Css("form button[type=submit]:not(.canopy-link-button)"))
        .await
        .expect("save")
        .click()
        .await
        .expect("submit");
    c.wait().for_element(Locator::Css("a[href$='/record/contact_decision']")).await.expect("decision link");
    let record = c.current_url().await.expect("url").path().to_string();
    let child_id = record.trim_start_matches("/children/").to_string();
    let journey_pages = [
        "/work-tray".to_string(),
        "/front-door".to_string(),
        "/children".to_string(),
        "/children?last_name=Marsh".to_string(),
        "/children/new".to_string(),
        format!("/children/{child_id}"),
        format!("/children/{child_id}/record/contact_decision"),
        format!("/children/{child_id}/record/referral"),
        format!("/children/{child_id}/record/visit"),
        format!("/children/{child_id}/notes/new"),
        format!("/children/{child_id}/people/new"),
        format!("/children/{child_id}/documents/new"),
        format!("/children/{child_id}/address"),
        format!("/children/{child_id}/merge"),
        format!("/children/{child_id}/access"),
        format!("/children/{child_id}/siblings"),
        format!("/children/{child_id}/details"),
        format!("/teams/{}/allocation", app.ids["kingston_team"]),
        format!("/teams/{}/loans", app.ids["kingston_team"]),
        "/duty".to_string(),
    ];
    let mut journey_pages = journey_pages.to_vec();
    journey_pages.extend(every_step_form(&app).await);
    let journey_refs: Vec<&str> = journey_pages.iter().map(String::as_str).collect();
    check_pages(&c, &app, &axe, &journey_refs, &mut failures).await;
    spend_and_approve(&c, &app, &axe, &child_id, &mut failures).await;
    vacancy_to_hire(&c, &app, &axe, &mut failures).await;
    app.clock.advance(chrono::Duration::minutes(2));
    sign_in(&c, &app, "analyst@test.example").await;
    check_pages(&c, &app, &axe, &["/data-quality", "/returns"], &mut failures).await;
    c.close().await.expect("close");
    app.stop().await;
    assert!(failures.is_empty(), "accessibility or layout problems:\n{}", failures.join("\n"));
}

/// A practitioner spends within their limit in three screens (the child's record, the form, the
/// approved spend), then over it; the manager approves that from the queue. Every budget page is
/// checked with axe on the way.
async fn spend_and_approve(
    c: &fantoccini::Client,
    app: &TestApp,
    axe: &str,
    child_id: &str,
    failures: &mut Vec<String>,
) {
    let ctx = canopy_store::AuditContext { actor_id: app.ids["finance"].clone(), source: "test".into(), at_ms: 0 };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    let budget = canopy_store::budgets::NewBudget {
        council_id: app.ids["kingston"].clone(),
        cluster_id: None,
        team_id: Some(app.ids["kingston_team"].clone()),
        name: "Direct help to families".into(),
        year: canopy_domain::budgets::FinancialYear(2026),
        allocation: Some(canopy_domain::budgets::Pence(100_000)),
    };
    let budget = app.db.store.create_budget(&ctx, &budget, today).await.expect("budget");
    let limit = canopy_domain::budgets::LimitRule {
        subject: canopy_domain::budgets::LimitSubject::Role("practitioner".into()),
        limit: canopy_domain::budgets::SpendLimit {
            per_spend: canopy_domain::budgets::Pence(25_000),
            per_month: canopy_domain::budgets::Pence(100_000),
        },
    };
    app.db.store.set_limit(&ctx, &app.ids["kingston"], &limit).await.expect("limit");

    sign_in(c, app, "worker@test.example").await;
    let spend = |amount: &'static str| async move {
        // Screen 1: the child's record.
        c.goto(&app.url(&format!("/children/{child_id}"))).await.expect("record");
        c.find(Locator::Css("a[href$='/spends/new']")).await.expect("spend link").click().await.expect("open form");
        // Screen 2: the form.
        c.wait().for_element(Locator::Id("amount")).await.expect("amount").send_keys(amount).await.expect("type");
        c.find(Locator::Css("#category option[value=clothing]")).await.expect("kind").click().await.expect("choose");
        c.find(Locator::Id("purpose")).await.expect("purpose").send_keys("School shoes").await.expect("type");
        c.find(Locator::Id("supplier")).await.expect("supplier").send_keys("Clarks").await.expect("type");
        c.find(Locator::Css("form[action$='/spends/new'] button")).await.expect("submit").click().await.expect("send");
        // Screen 3: the spend, with what became of it.
        c.wait()
            .for_element(Locator::Css(".govuk-notification-banner"))
            .await
            .expect("banner")
            .text()
            .await
            .expect("text")
    };
    let banner = spend("45.00").await;
    assert!(banner.contains("Approved: £45.00"), "{banner}");
    let approved = c.current_url().await.expect("url").path().to_string();
    let banner = spend("320.00").await;
    assert!(banner.contains("Sent to your manager"), "{banner}");
    let waiting = c.current_url().await.expect("url").path().to_string();
    check_pages(
        c,
        app,
        axe,
        &[&approved, &waiting, "/budgets/mine", &format!("/children/{child_id}/spends/new")],
        failures,
    )
    .await;

    sign_in(c, app, "manager@test.example").await;
    c.goto(&app.url("/budgets/approvals")).await.expect("queue");
    c.find(Locator::Css(&format!("a[href='{waiting}/decision']")))
        .await
        .expect("in the queue")
        .click()
        .await
        .expect("open");
    check_pages(c, app, axe, &[&format!("{waiting}/decision"), "/budgets/approvals", "/budgets/measures"], failures)
        .await;
    c.goto(&app.url(&format!("{waiting}/decision"))).await.expect("decision");
    c.find(Locator::Css("input[name=decision][value=approve]")).await.expect("approve").click().await.expect("choose");
    c.find(Locator::Id("note")).await.expect("note").send_keys("Agreed").await.expect("type");
    c.find(Locator::Css("form[action$='/decision'] button")).await.expect("submit").click().await.expect("send");
    c.wait().for_element(Locator::Css("dl.govuk-summary-list")).await.expect("spend page");
    let status = c.find(Locator::Css("dl.govuk-summary-list")).await.expect("summary").text().await.expect("text");
    assert!(status.contains("Approved and paid"), "{status}");

    // Sign-ins from one place are throttled, so the manager, still signed in, records the care.
    move_and_visit(c, app, axe, child_id, failures).await;
    sign_in(c, app, "finance@test.example").await;
    let pages = [
        "/budgets".to_string(),
        format!("/budgets/{budget}"),
        "/budgets/new".to_string(),
        "/budgets/limits".to_string(),
        "/budgets/categories".to_string(),
        format!("/budgets/{budget}/allocate"),
        format!("/budgets/{budget}/transfer"),
        format!("/budgets/{budget}/close"),
        format!("{approved}/settle"),
        waiting.clone(),
    ];
    let refs: Vec<&str> = pages.iter().map(String::as_str).collect();
    check_pages(c, app, axe, &refs, failures).await;
}

/// A looked-after child moves placement and has a statutory visit, recorded through the forms by
/// whoever is signed in (a worker who may edit the record), and the forms are checked with axe.
async fn move_and_visit(c: &fantoccini::Client, app: &TestApp, axe: &str, child_id: &str, failures: &mut Vec<String>) {
    use canopy_domain::cases::care::{care_history, CareChange, CareEntry, LegalStatus, Placement, PlacementType};
    let ctx = canopy_store::AuditContext { actor_id: app.ids["manager"].clone(), source: "test".into(), at_ms: 0 };
    let started = CareEntry::Change {
        change: CareChange::StartedToBeLookedAfter {
            date: chrono::NaiveDate::from_ymd_opt(2026, 9, 1).expect("date"),
            legal_status: LegalStatus::V2,
            placement: Placement {
                place: PlacementType::U6,
                provider: None,
                carer: "Smith family".into(),
                postcode: None,
                urn: None,
                address: None,
            },
            category_of_need: None,
            carried_on: None,
        },
    };
    let calendar = canopy_domain::calendar::WorkingCalendar::england_and_wales();
    let check = |entries: &[CareEntry]| care_history(entries).map(|h| h.projection(&calendar, None));
    app.db.store.record_care_entry(&ctx, child_id, &started, None, check).await.expect("store").expect("care starts");
    c.goto(&app.url(&format!("/children/{child_id}"))).await.expect("record");
    c.find(Locator::Css("a[href$='/care/placement']")).await.expect("move link").click().await.expect("open");
    c.wait().for_element(Locator::Css("#place option[value=U4]")).await.expect("types").click().await.expect("type");
    c.find(Locator::Css("#provider option[value=PR1]")).await.expect("provider").click().await.expect("provider");
    c.find(Locator::Id("carer")).await.expect("carer").send_keys("Jones family").await.expect("type");
    c.find(Locator::Css("#reason option[value=CARPL]")).await.expect("reason").click().await.expect("reason");
    c.find(Locator::Css("form[action$='/care/placement'] button")).await.expect("save").click().await.expect("save");
    c.wait()
        .for_element(Locator::Css("a[href$='/care/visit']"))
        .await
        .expect("back on the record")
        .click()
        .await
        .expect("open");
    c.wait().for_element(Locator::Id("seen_alone")).await.expect("seen alone").click().await.expect("tick");
    c.find(Locator::Css("form[action$='/care/visit'] button")).await.expect("save").click().await.expect("save");
    c.wait().for_element(Locator::Css("a[href$='/care/visit']")).await.expect("record again");
    let page = c.source().await.expect("source");
    assert!(page.contains("Jones family") && page.contains("(P)"), "the move is an episode with RNE P");
    let care_forms = [
        "placement",
        "visit",
        "review",
        "legal-status",
        "leave",
        "missing",
        "returned",
        "health",
        "sdq",
        "uasc",
        "care-plan",
        "iro",
        "adoption-decision",
        "adoption-reversed",
        "adoption-review",
        "personal-adviser",
        "pathway-plan",
        "leaver-contact",
        "support-to-25",
    ];
    let early_help_forms = [
        "start",
        "lead",
        "assessment",
        "assessment-completed",
        "member",
        "member-left",
        "meeting",
        "plan",
        "review",
        "close",
        "step-up",
    ];
    let pages: Vec<String> = care_forms
        .iter()
        .map(|w| format!("/children/{child_id}/care/{w}"))
        .chain(early_help_forms.iter().map(|w| format!("/children/{child_id}/early-help/{w}")))
        .chain([
            format!("/children/{child_id}"),
            format!("/children/{child_id}/worker"),
            "/adoption".to_string(),
            "/reviews".to_string(),
        ])
        .collect();
    let refs: Vec<&str> = pages.iter().map(String::as_str).collect();
    check_pages(c, app, axe, &refs, failures).await;
}

async fn sign_in(c: &fantoccini::Client, app: &TestApp, email: &str) {
    c.set_window_size(1280, 900).await.expect("resize");
    // Whoever is signed in signs out first.
    c.goto(&app.url("/")).await.expect("home");
    if let Ok(button) = c.find(Locator::Css("form[action='/sign-out'] button")).await {
        button.click().await.expect("sign out");
        c.wait().for_element(Locator::Id("email")).await.expect("signed out");
    }
    c.goto(&app.url("/sign-in")).await.expect("sign-in page");
    c.find(Locator::Id("email")).await.expect("email").send_keys(email).await.expect("type");
    c.find(Locator::Id("password")).await.expect("password").send_keys(PASSWORD).await.expect("type");
    c.find(Locator::Css("form[action='/sign-in'] button")).await.expect("button").click().await.expect("submit");
    // The sign-out button shows only once the signed-in page has loaded.
    c.wait().for_element(Locator::Css("form[action='/sign-out']")).await.expect("signed in");
    let heading = c.find(Locator::Css("h1.govuk-heading-l")).await.expect("h1").text().await.expect("text");
    assert!(heading.starts_with("Welcome"), "{heading}");
}

/// Visits each page at 1280 and 320 pixels wide, runs axe-core, and notes every violation and
/// any sideways scrolling on a phone.
async fn check_pages(c: &fantoccini::Client, app: &TestApp, axe: &str, pages: &[&str], failures: &mut Vec<String>) {
    for path in pages {
        for width in [1280, 320] {
            c.set_window_size(width, 900).await.expect("resize");
            c.goto(&app.url(path)).await.expect("page");
            let title = c.title().await.unwrap_or_default();
            if ["Page not found", "conflicts", "Sorry", "do not have access", "Sign in"]
                .iter()
                .any(|t| title.contains(t))
            {
                failures.push(format!("{path} did not open: {title}"));
            }
            c.execute(axe, vec![]).await.expect("axe loads");
            let result = c
                .execute_async(
                    "const done = arguments[arguments.length - 1];
                     axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))));",
                    vec![],
                )
                .await
                .expect("axe runs");
            for v in result.as_array().expect("violations") {
                failures.push(format!("{path} at {width}px: {v}"));
            }
            if width == 320 {
                let overflow = c
                    .execute(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
                        vec![],
                    )
                    .await
                    .expect("measure");
                if overflow.as_i64().unwrap_or(0) > 0 {
                    failures.push(format!("{path} scrolls sideways at 320px by {overflow}px"));
                }
            }
        }
    }
}

/// Children at each stage of the journey, so that every step's form can be checked: returns the
/// form of each step that is open for each child.
async fn every_step_form(app: &TestApp) -> Vec<String> {
    use canopy_domain::cases::{
        AbuseCategory, AssessmentFactor, AssessmentOutcome, Event::*, PrimaryNeed, ReferralSource,
    };
    let d = |m: u32, day: u32| chrono::NaiveDate::from_ymd_opt(2026, m, day).expect("date");
    let referral = |nfa: bool| ReferralAccepted {
        episode: "e".into(),
        date: d(9, 1),
        source: ReferralSource::Police,
        nfa,
        primary_need: None,
    };
    let started = AssessmentStarted { episode: "e".into(), assessment: "a".into(), date: d(9, 1) };
    let strategy = StrategyDiscussionHeld {
        episode: "e".into(),
        strategy: "s".into(),
        date: d(9, 2),
        section47_needed: true,
        participants: "Social care, police, health".into(),
    };
    let s47 = Section47Started { episode: "e".into(), section47: "q".into(), strategy: "s".into(), date: d(9, 2) };
    let concluded = Section47Concluded { section47: "q".into(), date: d(9, 8), icpc_needed: true };
    let completed = AssessmentCompleted {
        assessment: "a".into(),
        date: d(9, 20),
        factors: vec![AssessmentFactor::Neglect],
        primary_need: PrimaryNeed::AbuseOrNeglect,
        outcome: AssessmentOutcome::ChildInNeed,
    };
    let stages: Vec<(&str, Vec<canopy_domain::cases::Event>, Vec<&str>)> = vec![
        ("Referred", vec![referral(false)], vec!["assessment_start"]),
        ("Assessing", vec![referral(false), started.clone()], vec!["child_seen", "assessment_complete", "strategy"]),
        (
            "Assessed",
            vec![referral(false), started.clone(), completed.clone(), strategy.clone()],
            vec!["assessment_authorise", "section47_start"],
        ),
        ("Enquiring", vec![referral(false), strategy.clone(), s47.clone()], vec!["section47_conclude"]),
        (
            "Conferencing",
            vec![referral(false), strategy.clone(), s47.clone(), concluded.clone()],
            vec!["initial_conference"],
        ),
        (
            "Protected",
            vec![
                referral(false),
                strategy.clone(),
                s47.clone(),
                concluded.clone(),
                InitialConferenceHeld {
                    episode: "e".into(),
                    conference: "c".into(),
                    section47: "q".into(),
                    date: d(9, 15),
                    plan: Some(AbuseCategory::Neglect),
                },
            ],
            vec!["core_group", "review_conference", "protection_plan_end"],
        ),
        (
            "Supported",
            vec![referral(false), ChildInNeedPlanStarted { episode: "e".into(), plan: "p".into(), date: d(9, 3) }],
            vec!["cin_plan_review", "cin_plan_end"],
        ),
        ("Closing", vec![referral(true)], vec!["close_episode"]),
    ];
    let ctx = canopy_store::AuditContext { actor_id: "test".into(), source: "test".into(), at_ms: 0 };
    let today = d(11, 23);
    let mut pages = Vec::new();
    for (name, events, steps) in stages {
        let child = canopy_domain::people::validate_child(
            &canopy_domain::people::ChildInput {
                first_name: name.into(),
                last_name: "Stage".into(),
                date_of_birth: Some(d(1, 1)),
                sex: "U".into(),
                ..Default::default()
            },
            today,
        )
        .expect("child");
        let placement = canopy_store::children::Placement {
            council_id: app.ids["kingston"].clone(),
            team_id: Some(app.ids["kingston_team"].clone()),
            ..Default::default()
        };
        let id = app.db.store.create_child(&ctx, &child, &placement, today).await.expect("create");
        for event in &events {
            let calendar = app.db.store.council_calendar(&placement.council_id).await.expect("calendar");
            let rules = canopy_domain::cases::ClockRules::default();
            app.db
                .store
                .record_journey_event(&ctx, std::slice::from_ref(&id), event, "", |_, so_far| {
                    let journey = canopy_domain::cases::Journey::with_event(
                        so_far,
                        event,
                        &canopy_domain::cases::RuleContext { calendar: &calendar, rules: &rules },
                    )?;
                    Ok(canopy_domain::cases::running_clocks(&journey, &calendar, &rules))
                })
                .await
                .expect("store")
                .expect("the stage's journey keeps the rules");
        }
        pages.extend(steps.into_iter().map(|s| format!("/children/{id}/record/{s}")));
    }
    pages
}

/// Fills a form field by name: picks an option, ticks a box or radio, or types.
async fn fill(c: &fantoccini::Client, name: &str, value: &str) {
    let field = c.find(Locator::Css(&format!("[name='{name}']"))).await.unwrap_or_else(|_| panic!("field {name}"));
    let tag = field.tag_name().await.expect("tag");
    let kind = field.attr("type").await.expect("type").unwrap_or_default();
    if tag == "select" {
        field
            .find(Locator::Css(&format!("option[value='{value}']")))
            .await
            .expect("option")
            .click()
            .await
            .expect("pick");
    } else if kind == "radio" || kind == "checkbox" {
        let choice = format!("input[name='{name}'][value='{value}']");
        c.find(Locator::Css(&choice)).await.expect("choice").click().await.expect("tick");
    } else {
        field.clear().await.expect("clear");
        field.send_keys(value).await.expect("type");
    }
}

/// Opens `path`, fills the fields, submits, and waits for the page it leads to.
async fn submit(c: &fantoccini::Client, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> String {
    c.goto(&app.url(path)).await.expect("form");
    for (name, value) in fields {
        fill(c, name, value).await;
    }
    c.find(Locator::Css(&format!("form[action='{path}'] button"))).await.expect("submit").click().await.expect("send");
    c.wait().for_element(Locator::Css("h1")).await.expect("next page");
    let page = c.source().await.expect("source");
    assert!(!page.contains("govuk-error-summary"), "the form at {path} was refused");
    c.current_url().await.expect("url").path().to_string()
}

/// HR opens a vacancy, takes a candidate from application to their first day, with a recruitment
/// champion on the panel, and the new worker's record and the workforce dashboard follow; every
/// workforce page is checked with axe.
async fn vacancy_to_hire(c: &fantoccini::Client, app: &TestApp, axe: &str, failures: &mut Vec<String>) {
    use canopy_store::users::UserDetails;
    let store = &app.db.store;
    let ctx = canopy_store::AuditContext { actor_id: "test".into(), source: "test".into(), at_ms: 0 };
    let roles = store.list_roles().await.expect("roles");
    let role = |key: &str| roles.iter().find(|r| r.key == key).map(|r| r.id.clone()).expect("role");
    let hash = app.state.hasher.hash(PASSWORD.into()).await.expect("hash");
    let mut ids = Vec::new();
    for (email, key) in [("hr@test.example", "workforce_officer"), ("champion@test.example", "recruitment_champion")] {
        let details = UserDetails {
            email: email.into(),
            display_name: format!("Test {key}"),
            job_title: "Tester".into(),
            role_ids: vec![role(key)],
            team_ids: vec![app.ids["kingston_team"].clone()],
            council_ids: vec![],
        };
        ids.push(store.create_user(&ctx, &details, &hash, false).await.expect("user"));
    }
    // Sign-ins from one place are throttled; a little later, HR signs in.
    app.clock.advance(chrono::Duration::minutes(2));
    sign_in(c, app, "hr@test.example").await;
    let team = app.ids["kingston_team"].clone();
    let vacancy = submit(
        c,
        app,
        "/workforce/vacancies/new",
        &[("team_id", &team), ("job_title", "Social worker"), ("org_role", "5"), ("fte", "1")],
    )
    .await;
    let application = submit(
        c,
        app,
        &format!("{vacancy}/apply"),
        &[("name", "Dana Reyes"), ("email", "dana@example.com"), ("phone", "07700 900123")],
    )
    .await;
    submit(c, app, &format!("{application}/shortlist"), &[]).await;
    submit(c, app, &format!("{application}/interview"), &[("panel", &ids[1])]).await;
    submit(c, app, &format!("{application}/offer"), &[]).await;
    submit(c, app, &format!("{application}/accept"), &[]).await;
    submit(
        c,
        app,
        &format!("{application}/start"),
        &[("swe_number", "SW777777"), ("grade", "SW2"), ("start_origin", "2")],
    )
    .await;
    let page = c.source().await.expect("source");
    assert!(page.contains("Started"), "the candidate started");
    let staff = store.staff().await.expect("staff");
    let hired = staff.iter().find(|s| s.name == "Dana Reyes").expect("hired into a staff record");
    let record = format!("/workforce/staff/{}", hired.id);
    let pages: Vec<String> = [
        "/workforce".to_string(),
        "/workforce?measure=vacancy_rate".to_string(),
        "/workforce/staff".to_string(),
        "/workforce/staff/new".to_string(),
        record.clone(),
        "/workforce/vacancies".to_string(),
        "/workforce/vacancies/new".to_string(),
        vacancy.clone(),
        application.clone(),
        format!("{application}/withdraw"),
        "/workforce/interviews".to_string(),
        "/workforce/training".to_string(),
        "/workforce/training/new".to_string(),
    ]
    .into_iter()
    .chain(
        ["team", "role", "hours", "employment", "absence", "cfkss", "asye", "leaving"]
            .iter()
            .map(|w| format!("{record}/{w}")),
    )
    .collect();
    let refs: Vec<&str> = pages.iter().map(String::as_str).collect();
    check_pages(c, app, axe, &refs, failures).await;
}
