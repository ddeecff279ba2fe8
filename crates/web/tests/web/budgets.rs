//! Devolved budgets over HTTP: finance sets up a budget and limits, a practitioner spends within
//! their limit at once and over it through their manager, bad input is refused field by field,
//! finance sees money but not narrative, the ledger exports safely, and the API does the same.

use crate::journey::add_maya;
use crate::support::{Browser, TestApp};
use canopy_store::on_both_engines;
use reqwest::StatusCode;

/// Finance sets up a Kingston budget held by the Kingston team, with £500 in it, and the
/// practitioner limit of £250 a spend and £1,000 a month. Returns the budget's id.
pub(crate) async fn set_up_budget(app: &TestApp, finance: &mut Browser) -> String {
    let (status, form) = app.page("/budgets/new", finance).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Set up a budget"));
    let team = format!("team:{}", app.ids["kingston_team"]);
    let r = app
        .post(
            "/budgets/new",
            finance,
            &[
                ("council_id", &app.ids["kingston"]),
                ("holder", &team),
                ("name", "Direct help to families"),
                ("year", "2026/27"),
                ("allocation", "500.00"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap_or_default());
    let budget = r.headers()["location"].to_str().expect("location").trim_start_matches("/budgets/").to_string();
    let limits = format!("/budgets/limits?council={}", app.ids["kingston"]);
    app.page(&limits, finance).await;
    let r = app
        .post(&limits, finance, &[("subject", "role:practitioner"), ("per_spend", "250"), ("per_month", "1000")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap_or_default());
    budget
}

pub(crate) fn spend_fields<'a>(amount: &'a str, supplier: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("amount", amount),
        ("category", "clothing"),
        ("purpose", "School shoes for the start of term"),
        ("supplier", supplier),
        ("method", "card"),
        ("spent_on-day", "20"),
        ("spent_on-month", "11"),
        ("spent_on-year", "2026"),
    ]
}

on_both_engines!(a_spend_within_the_limit_is_approved_at_once_and_one_over_it_goes_to_the_manager, TestApp, |app| {
    let mut finance = app.sign_in("finance@test.example").await;
    let budget = set_up_budget(app, &mut finance).await;
    let mut worker = app.sign_in("worker@test.example").await;
    let child = add_maya(app, &mut worker).await;

    // Screen 1: the child's record offers the spend. Screen 2: the form. Screen 3: approved.
    let (_, record) = app.page(&format!("/children/{child}"), &mut worker).await;
    assert!(record.contains(&format!("/children/{child}/spends/new")));
    let (status, form) = app.page(&format!("/children/{child}/spends/new"), &mut worker).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("You can spend up to £250.00 at once, and £1,000.00 in a month"), "{form}");
    assert!(form.contains("name=\"budget_id\" value=\"") && form.contains(&budget), "one budget is chosen for you");
    let mut fields = spend_fields("45.50", "Clarks, Kingston");
    fields.push(("budget_id", &budget));
    let receipt = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer\n%%EOF\n".to_vec();
    let r = app
        .post_multipart(
            &format!("/children/{child}/spends/new"),
            &mut worker,
            &fields,
            Some(("receipt", "r.pdf", receipt)),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap_or_default());
    let spend_page = r.headers()["location"].to_str().expect("location").to_string();
    let (_, approved) = app.page(&spend_page, &mut worker).await;
    assert!(approved.contains("Approved: £45.50 from Direct help to families"), "{approved}");
    assert!(approved.contains("Approved and paid"));
    let receipt = app.get(&format!("{spend_page}/receipt"), &mut worker).await;
    assert_eq!(receipt.status(), StatusCode::OK);
    assert!(receipt.bytes().await.expect("bytes").starts_with(b"%PDF"));
    let (_, record) = app.page(&format!("/children/{child}"), &mut worker).await;
    assert!(record.contains("Spent for this child and family") && record.contains("£45.50"));
    let (_, mine) = app.page("/budgets/mine", &mut worker).await;
    assert!(mine.contains("£954.50"), "£1,000 less £45.50 is left this month: {mine}");

    // Over the limit: it waits for the manager, who sees why and the family's other spends.
    let mut fields = spend_fields("300", "Currys");
    fields.push(("budget_id", &budget));
    let r = app.post_multipart(&format!("/children/{child}/spends/new"), &mut worker, &fields, None).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let waiting = r.headers()["location"].to_str().expect("location").to_string();
    let (_, page) = app.page(&waiting, &mut worker).await;
    assert!(page.contains("Sent to your manager"));
    let id = waiting.trim_start_matches("/spends/");
    let r = app.get(&format!("/spends/{id}/decision"), &mut worker).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a practitioner cannot decide spends");
    let mut manager = app.sign_in("manager@test.example").await;
    let (_, queue) = app.page("/budgets/approvals", &mut manager).await;
    assert!(queue.contains(&format!("/spends/{id}/decision")), "{queue}");
    assert!(queue.contains("£300.00 is over the limit of £250.00 for one spend"));
    let (_, decision) = app.page(&format!("/spends/{id}/decision"), &mut manager).await;
    assert!(
        decision.contains("This family&#x27;s spends in the last year") || decision.contains("This family's spends")
    );
    assert!(decision.contains("£45.50"), "the earlier spend is beside the decision");
    let r = app.post(&format!("/spends/{id}/decision"), &mut manager, &[("decision", "decline")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("Say why you are declining the spend"));
    let r = app
        .post(&format!("/spends/{id}/decision"), &mut manager, &[("decision", "approve"), ("note", "Fridge broke")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.page(&waiting, &mut manager).await;
    assert!(page.contains("Approved and paid") && page.contains("Test manager"), "{page}");
    let r = app.post(&format!("/spends/{id}/decision"), &mut manager, &[("decision", "approve")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a decided spend cannot be decided again");

    // Finance sees the money and the supplier, not the child or the purpose.
    let (status, page) = app.page(&waiting, &mut finance).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Currys") && page.contains("£300.00"));
    assert!(!page.contains("Maya") && !page.contains("School shoes"), "no case narrative for finance");
    let (_, budget_page) = app.page(&format!("/budgets/{budget}"), &mut finance).await;
    assert!(budget_page.contains("£154.50"), "£500 less £345.50: {budget_page}");
    assert!(budget_page.contains("<svg") && budget_page.contains("Spend by month, 2026/27"));
    assert!(!budget_page.contains("Maya"));
    // A worker in another council cannot see the spend at all.
    let mut windsor = app.sign_in("windsor.worker@test.example").await;
    let (status, _) = app.page(&waiting, &mut windsor).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Refunds reverse the ledger; the budget gets its money back.
    app.page(&format!("{waiting}/settle"), &mut finance).await;
    let r = app
        .post(&format!("{waiting}/settle"), &mut finance, &[("change", "refund"), ("note", "Returned unused")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, budget_page) = app.page(&format!("/budgets/{budget}"), &mut finance).await;
    assert!(budget_page.contains("£454.50"), "{budget_page}");
    assert_eq!(app.db.store.check_ledger().await.expect("check").map(|n| n > 0), Ok(true));
});

on_both_engines!(bad_spends_are_refused_with_the_field_and_reason, TestApp, |app| {
    let mut finance = app.sign_in("finance@test.example").await;
    let budget = set_up_budget(app, &mut finance).await;
    let mut worker = app.sign_in("worker@test.example").await;
    let child = add_maya(app, &mut worker).await;
    app.page(&format!("/children/{child}/spends/new"), &mut worker).await;
    let path = format!("/children/{child}/spends/new");
    for (amount, message) in [
        ("0", "The amount must be more than £0"),
        ("-12", "The amount must be more than £0"),
        ("12.345", "The amount can have at most 2 decimal places"),
        ("six", "Enter the amount in pounds and pence"),
        ("600", "The budget has £500.00 left, which is not enough for £600.00"),
    ] {
        let mut fields = spend_fields(amount, "Shop");
        fields.push(("budget_id", &budget));
        let r = app.post_multipart(&path, &mut worker, &fields, None).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{amount}");
        let body = r.text().await.expect("body");
        assert!(body.contains(message), "{amount}: {message} in {body}");
        assert!(body.contains("href=\"#amount\""), "the error summary links to the field");
    }
    // A budget of another council.
    let windsor_budget = app
        .db
        .store
        .create_budget(
            &canopy_store::AuditContext { actor_id: app.ids["finance"].clone(), source: "test".into(), at_ms: 0 },
            &canopy_store::budgets::NewBudget {
                council_id: app.ids["windsor"].clone(),
                cluster_id: None,
                team_id: Some(app.ids["windsor_team"].clone()),
                name: "Windsor help".into(),
                year: canopy_domain::budgets::FinancialYear(2026),
                allocation: Some(canopy_domain::budgets::Pence(10_000)),
            },
            chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"),
        )
        .await
        .expect("budget");
    let mut fields = spend_fields("10", "Shop");
    fields.push(("budget_id", &windsor_budget));
    let r = app.post_multipart(&path, &mut worker, &fields, None).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("That budget belongs to another council"));
    // A receipt that is not what it says.
    let mut fields = spend_fields("10", "Shop");
    fields.push(("budget_id", &budget));
    let r = app
        .post_multipart(&path, &mut worker, &fields, Some(("receipt", "r.pdf", b"<script>alert(1)</script>".to_vec())))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A child outside the spender's scope is not found, the same as no child at all.
    let mut windsor = app.sign_in("windsor.worker@test.example").await;
    let (status, _) = app.page(&path, &mut windsor).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.page("/children/nobody/spends/new", &mut windsor).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Nothing was taken from the budget by any of it.
    let b = app.db.store.budget(&canopy_store::Scope::Organisation, &budget).await.expect("budget");
    assert_eq!(b.available, canopy_domain::budgets::Pence(50_000));
    // Finance pages are finance's alone.
    let (status, _) = app.page("/budgets", &mut worker).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
});

on_both_engines!(finance_exports_the_ledger_with_formulas_escaped_and_the_api_spends_too, TestApp, |app| {
    let mut finance = app.sign_in("finance@test.example").await;
    let budget = set_up_budget(app, &mut finance).await;
    let mut worker = app.sign_in("worker@test.example").await;
    let child = add_maya(app, &mut worker).await;
    let token = app.api_token(&mut worker, "spends").await;
    let api = |method: reqwest::Method, path: &str| app.client.request(method, app.url(path)).bearer_auth(&token);
    let body = serde_json::json!({
        "budget_id": budget, "amount": "20.00", "category": "activities", "purpose": "Cinema trip",
        "supplier": "=HYPERLINK(\"http://evil\")", "method": "voucher", "spent_on": "2026-11-21"
    });
    let r =
        api(reqwest::Method::POST, &format!("/api/v1/children/{child}/spends")).json(&body).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::CREATED);
    let spend: serde_json::Value = r.json().await.expect("json");
    assert_eq!((spend["status"].as_str(), spend["amount_pence"].as_i64()), (Some("paid"), Some(2000)));
    assert_eq!(spend["purpose"], "Cinema trip");
    let bad = serde_json::json!({
        "budget_id": budget, "amount": "0", "category": "nope", "purpose": "", "supplier": "x", "method": "card", "spent_on": "2026-11-21"
    });
    let r =
        api(reqwest::Method::POST, &format!("/api/v1/children/{child}/spends")).json(&bad).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: serde_json::Value = r.json().await.expect("json");
    let fields: Vec<&str> =
        problem["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, vec!["amount", "category", "purpose"], "{problem}");

    let (status, overview) = app.page("/budgets", &mut finance).await;
    assert_eq!(status, StatusCode::OK);
    assert!(overview.contains("Direct help to families") && overview.contains("Activities and relationship-building"));
    // By council and by the team that holds it; another team's view has none of it.
    let (_, by_team) = app.page(&format!("/budgets?holder=team:{}", app.ids["kingston_team"]), &mut finance).await;
    assert!(by_team.contains("Direct help to families"));
    let (_, other) = app.page(&format!("/budgets?holder=team:{}", app.ids["windsor_team"]), &mut finance).await;
    assert!(!other.contains("Direct help to families"));
    let (_, windsor) = app.page(&format!("/budgets?council={}", app.ids["windsor"]), &mut finance).await;
    assert!(!windsor.contains("Direct help to families"));
    let csv = app.get("/budgets/ledger.csv?year=2026/27", &mut finance).await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-disposition"].to_str().expect("header").contains("attachment"));
    let text = csv.text().await.expect("csv");
    assert!(text.starts_with("Posting,Date,What,Council,Budget,Account,Amount (£)"));
    assert!(text.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""), "formula escaped: {text}");
    assert!(text.contains(",-20.00,"), "amounts are plain numbers");
    assert!(!text.contains("Cinema trip"), "no narrative in the export");
    let xlsx = app.get("/budgets/ledger.xlsx?year=2026/27", &mut finance).await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert!(xlsx.bytes().await.expect("bytes").starts_with(b"PK"), "an xlsx is a zip file");
    let elsewhere = app.get("/budgets/ledger.csv?council=nowhere", &mut finance).await;
    assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND);

    // Finance reads the spend through the API without the narrative, and the ledger balances.
    let finance_token = app.api_token(&mut finance, "ledger").await;
    let id = spend["id"].as_str().expect("id");
    let r =
        app.client.get(app.url(&format!("/api/v1/spends/{id}"))).bearer_auth(&finance_token).send().await.expect("get");
    let seen: serde_json::Value = r.json().await.expect("json");
    assert!(seen["purpose"].is_null() && seen["child_id"].is_null(), "{seen}");
    let r = app
        .client
        .get(app.url(&format!("/api/v1/budgets/{budget}/ledger")))
        .bearer_auth(&finance_token)
        .send()
        .await
        .expect("get");
    let lines: Vec<serde_json::Value> = r.json().await.expect("json");
    assert_eq!(lines.iter().map(|l| l["amount_pence"].as_i64().unwrap_or(0)).sum::<i64>(), 0, "every posting balances");
    let r = api(reqwest::Method::GET, &format!("/api/v1/budgets/{budget}/ledger")).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a practitioner cannot read the ledger");
    let (_, audit) = (0, app.db.store.recent_audit(200).await.expect("audit"));
    assert!(audit.iter().any(|a| a.entry.action == "export_ledger"));
    assert!(audit.iter().any(|a| a.entry.action == "record_spend" && a.entry.actor_id == app.ids["practitioner"]));
});
