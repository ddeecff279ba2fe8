//! `canopy bench`: the speed figures that the tests do not time. It builds the demo organisation
//! scaled to the children asked for, then drives the real router in-process (every layer: the
//! session, the policy, the store, the rendering) and prints percentiles.

use crate::{demo, demo_budgets, demo_care, demo_children, demo_workforce};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use canopy_domain::calendar::Clock;
use canopy_store::Store;
use canopy_web::clock::SystemClock;
use canopy_web::{AppState, PasswordHasher, Settings};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

struct Client {
    app: axum::Router,
    cookie: String,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{what}: n={} p50={:.2} ms p99={:.2} ms max={:.2} ms",
        times.len(),
        ms(percentile(&times, 50.0)),
        ms(percentile(&times, 99.0)),
        ms(times.last().copied().unwrap_or_default())
    );
}

async fn body_text(response: axum::response::Response) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 10 * 1024 * 1024).await.unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

impl Client {
    /// A client signed in as `user_id` (the bench knows who it is, so it skips the password and
    /// the throttle that would otherwise slow a burst of sign-ins from one place).
    async fn signed_in(app: &axum::Router, store: &Store, user_id: &str) -> Result<Self, String> {
        let token = canopy_web::open_session(store, &crate::cli_ctx(), user_id).await.map_err(|e| e.to_string())?;
        Ok(Self { app: app.clone(), cookie: format!("canopy-session={token}") })
    }

    /// Submits a form as multipart (as the spend form is) and returns where it redirects to.
    async fn post_multipart(&self, path: &str, fields: &[(String, String)]) -> Result<String, String> {
        let boundary = "canopy-bench-boundary";
        let mut body = String::new();
        for (k, v) in fields {
            body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        self.post(path, &format!("multipart/form-data; boundary={boundary}"), body).await
    }

    /// Submits a plain form and returns where it redirects to.
    async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Result<String, String> {
        let body = fields.iter().map(|(k, v)| format!("{k}={}", v.replace(' ', "+"))).collect::<Vec<_>>().join("&");
        self.post(path, "application/x-www-form-urlencoded", body).await
    }

    async fn post(&self, path: &str, content_type: &str, body: String) -> Result<String, String> {
        let response = self
            .app
            .clone()
            .oneshot(
                Request::post(path)
                    .header(header::COOKIE, &self.cookie)
                    .header(header::CONTENT_TYPE, content_type)
                    .body(Body::from(body))
                    .map_err(|e| e.to_string())?,
            )
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let location = response.headers().get(header::LOCATION).and_then(|l| l.to_str().ok()).map(str::to_string);
        match (status, location) {
            (StatusCode::SEE_OTHER, Some(l)) => Ok(l),
            (status, _) => Err(format!(
                "{path} answered {status}: {}",
                body_text(response).await.chars().take(300).collect::<String>()
            )),
        }
    }

    /// Opens a form and returns its CSRF token.
    async fn csrf_of(&self, path: &str) -> Result<String, String> {
        let (status, form, _) = self.get(path).await?;
        if status != StatusCode::OK {
            return Err(format!("{path} answered {status}"));
        }
        Ok(form
            .split("name=\"csrf_token\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or_default()
            .to_string())
    }

    async fn get(&self, path: &str) -> Result<(StatusCode, String, Duration), String> {
        let start = Instant::now();
        let response = self
            .app
            .clone()
            .oneshot(
                Request::get(path)
                    .header(header::COOKIE, &self.cookie)
                    .body(Body::empty())
                    .map_err(|e| e.to_string())?,
            )
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let body = body_text(response).await;
        Ok((status, body, start.elapsed()))
    }
}

/// What the bench times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Part {
    /// Child records and work trays.
    Records,
    /// Devolved budget spends by many practitioners at once.
    Spends,
    /// One council with many looked-after children: their records, visits, the IRO's list, the
    /// adoption board, and recomputing every clock in the council.
    Care,
    /// Every workforce measure at each month end of five years, for the organisation and each council.
    Workforce,
    /// The CIN census and SSDA903 of the largest council, then at 50,000 children: export, read,
    /// the DfE's rules and one child's re-check, beside the sector's Python validators.
    Returns,
    All,
}

/// How big the bench is.
pub struct Plan {
    pub children: usize,
    pub samples: usize,
    pub part: Part,
    pub users: usize,
    pub spends_each: usize,
    pub think_ms: u64,
    /// How many children of one council are looked after in the care bench.
    pub looked_after: usize,
    /// How many children the returns bench scales the census to.
    pub returns_children: usize,
}

/// Builds the scaled demo in `store` and prints the figures.
pub async fn run(store: Store, plan: &Plan) -> Result<(), String> {
    let started = Instant::now();
    demo::ensure(&store).await?;
    let count = demo_children::ensure(&store, plan.children, SystemClock.today()).await?;
    println!("demo: {count} children ready in {:.1} s", started.elapsed().as_secs_f64());
    let documents = std::env::temp_dir().join(format!("canopy-bench-documents-{}", std::process::id()));
    let settings = Settings { documents_dir: documents.clone(), ..Settings::default() };
    let hasher = PasswordHasher::new()?;
    let state = AppState::new(store.clone(), Arc::new(SystemClock), settings, hasher);
    let app = canopy_web::build_router(state);
    if matches!(plan.part, Part::Records | Part::All) {
        records(&store, &app, plan.samples).await?;
    }
    if matches!(plan.part, Part::Care | Part::All) {
        care(&store, &app, plan).await?;
    }
    if matches!(plan.part, Part::Workforce | Part::All) {
        workforce(&store).await?;
    }
    if matches!(plan.part, Part::Returns | Part::All) {
        let started = Instant::now();
        let looked_after = demo_care::ensure(&store, SystemClock.today()).await?;
        demo_workforce::ensure(&store, SystemClock.today()).await?;
        println!(
            "demo: {looked_after} looked-after children and the workforce ready in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        crate::bench_returns::returns(&store, plan.returns_children).await?;
    }
    if matches!(plan.part, Part::Spends | Part::All) {
        let started = Instant::now();
        let made = demo_budgets::ensure(&store, SystemClock.today()).await?;
        println!("demo: {made} devolved budget spends ready in {:.1} s", started.elapsed().as_secs_f64());
        spends(&store, &app, plan).await?;
    }
    let _ = std::fs::remove_dir_all(documents);
    Ok(())
}

/// Child records, then the work trays of the busiest workers.
async fn records(store: &Store, app: &axum::Router, samples: usize) -> Result<(), String> {
    let (store, app) = (store.clone(), app.clone());
    let director_id = store
        .credentials_by_email("director@canopy.example")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the demo has no director")?
        .user_id;
    let director = Client::signed_in(&app, &store, &director_id).await?;

    let mut rng = StdRng::seed_from_u64(7);
    let mut child_ids = store.sample_children_with_clocks(samples as i64).await.map_err(|e| e.to_string())?;
    child_ids.shuffle(&mut rng);
    let mut record_times = Vec::new();
    for id in &child_ids {
        let (status, _, took) = director.get(&format!("/children/{id}")).await?;
        if status != StatusCode::OK {
            return Err(format!("child record {id} answered {status}"));
        }
        record_times.push(took);
    }
    report("child record page", record_times);

    // The 50 workers with the most children: their work trays, one after another, as a manager
    // opening each in turn would.
    let mut workers = store.caseloads().await.map_err(|e| e.to_string())?;
    workers.truncate(50);
    let users = store.list_users().await.map_err(|e| e.to_string())?;
    let mut tray_times = Vec::new();
    let mut team_total = Duration::ZERO;
    for (worker, _) in &workers {
        let email = users.iter().find(|u| &u.id == worker).map(|u| u.email.clone()).unwrap_or_default();
        let client = Client::signed_in(&app, &store, worker).await?;
        let (status, _, took) = client.get("/work-tray").await?;
        if status != StatusCode::OK {
            return Err(format!("the work tray of {email} answered {status}"));
        }
        team_total += took;
        tray_times.push(took);
    }
    let average = workers.iter().map(|w| w.1).sum::<i64>() / (workers.len().max(1) as i64);
    report(&format!("work tray page (50 busiest workers, about {average} children each)"), tray_times);
    println!("every work tray of a 50-person team: {:.1} ms in all", team_total.as_secs_f64() * 1000.0);
    Ok(())
}

/// `users` practitioners at once, each making `each` small spends for a child they hold, with a
/// random pause between them: the time from submitting the form to the "approved" page.
async fn spends(store: &Store, app: &axum::Router, plan: &Plan) -> Result<(), String> {
    let (users, each, think_ms) = (plan.users, plan.spends_each, plan.think_ms);
    let today = SystemClock.today();
    let budgets = store
        .budgets(&canopy_store::budgets::BudgetFilter {
            open_only: true,
            ..canopy_store::budgets::BudgetFilter::in_scope(canopy_store::Scope::Organisation)
        })
        .await
        .map_err(|e| e.to_string())?;
    let teams = store.list_teams(&canopy_store::Scope::Organisation).await.map_err(|e| e.to_string())?;
    let people = store.list_users().await.map_err(|e| e.to_string())?;
    // Practitioners with a child in a cluster that holds an open budget, and room in their limit.
    let mut spenders = Vec::new();
    for (worker, _) in store.caseloads().await.map_err(|e| e.to_string())? {
        if spenders.len() == users {
            break;
        }
        let Some(user) = people.iter().find(|u| u.id == worker) else { continue };
        let clusters: Vec<&String> =
            teams.iter().filter(|t| user.team_ids.contains(&t.id)).filter_map(|t| t.cluster_id.as_ref()).collect();
        let held = store.children_held(Some(&worker), &[], false).await.map_err(|e| e.to_string())?;
        let Some(child) = held.into_iter().find(|c| {
            budgets
                .iter()
                .any(|b| b.council_id == c.council_id && b.cluster_id.as_ref().is_some_and(|k| clusters.contains(&k)))
        }) else {
            continue;
        };
        let (limit, spent) =
            store.spender_position(&child.council_id, &worker, today).await.map_err(|e| e.to_string())?;
        if limit.is_none_or(|(l, _)| (l.per_month - spent).0 < 100 * each as i64) {
            continue;
        }
        let client = Client::signed_in(app, store, &worker).await?;
        let (status, form, _) = client.get(&format!("/children/{}/spends/new", child.id)).await?;
        if status != StatusCode::OK {
            return Err(format!("the spend form for {} answered {status}", user.email));
        }
        let csrf = form
            .split("name=\"csrf_token\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or_default()
            .to_string();
        let budget =
            form.split("name=\"budget_id\" value=\"").nth(1).and_then(|r| r.split('"').next()).map(str::to_string);
        let Some(budget) = budget else { continue };
        spenders.push((client, child.id, budget, csrf));
    }
    if spenders.len() < users {
        println!("spends: only {} practitioners could spend (asked for {users})", spenders.len());
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (n, (client, child, budget, csrf)) in spenders.into_iter().enumerate() {
        let mut pauses = StdRng::seed_from_u64(n as u64);
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            for i in 0..each {
                if think_ms > 0 {
                    let pause = rand::Rng::gen_range(&mut pauses, 0..=2 * think_ms);
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                }
                let fields = [
                    ("csrf_token", csrf.as_str()),
                    ("budget_id", budget.as_str()),
                    ("amount", "1.00"),
                    ("category", "activities"),
                    ("purpose", "Bench: a drink during a visit"),
                    ("supplier", "Cafe"),
                    ("method", "card"),
                    ("spent_on-day", &today.format("%-d").to_string()),
                    ("spent_on-month", &today.format("%-m").to_string()),
                    ("spent_on-year", &today.format("%Y").to_string()),
                ]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>();
                let start = Instant::now();
                let location = client.post_multipart(&format!("/children/{child}/spends/new"), &fields).await?;
                let (status, page, _) = client.get(&location).await?;
                let took = start.elapsed();
                if status != StatusCode::OK || !page.contains("Approved:") {
                    return Err(format!("spend {i} by a bench user was not approved at once ({status})"));
                }
                times.push(took);
            }
            Ok::<_, String>(times)
        }));
    }
    let mut times = Vec::new();
    for t in tasks {
        times.extend(t.await.map_err(|e| e.to_string())??);
    }
    let wall = started.elapsed();
    let n = times.len();
    let pace = if think_ms == 0 {
        "with no pause between spends".to_string()
    } else {
        format!("pausing 0-{} ms between spends", 2 * think_ms)
    };
    report(&format!("within-limit spend, submit to approved page ({users} practitioners at once, {pace})"), times);
    println!("spends: {n} approved in {:.1} s, {:.0} a second", wall.as_secs_f64(), n as f64 / wall.as_secs_f64());
    match store.check_ledger().await.map_err(|e| e.to_string())? {
        Ok(postings) => println!("ledger: {postings} postings, every one balanced, no budget below zero"),
        Err(problem) => return Err(format!("the ledger is wrong after the bench: {problem}")),
    }
    Ok(())
}

/// The council with the most children, with `plan.looked_after` of them looked after: their
/// records, a statutory visit recorded by each one's worker, the IROs' lists, the adoption
/// board, and a closure day that makes the council recompute every clock it has.
async fn care(store: &Store, app: &axum::Router, plan: &Plan) -> Result<(), String> {
    let err = |e: canopy_store::StoreError| e.to_string();
    let today = SystemClock.today();
    let councils = store.list_councils(&canopy_store::Scope::Organisation).await.map_err(err)?;
    let mut biggest = (0, None);
    for c in &councils {
        let n = store.count_children_in_council(&c.id).await.map_err(err)?;
        if n > biggest.0 {
            biggest = (n, Some(c));
        }
    }
    let council = biggest.1.ok_or("the demo has no councils")?;
    let started = Instant::now();
    let intake = demo_care::Intake::Council { id: &council.id, up_to: plan.looked_after };
    let made = demo_care::ensure_with(store, today, intake).await?;
    let looked_after = store.looked_after_in(&council.id).await.map_err(err)?;
    println!(
        "demo: {} of {} children in {} have been looked after ({made} made in {:.1} s)",
        looked_after.len(),
        biggest.0,
        council.name,
        started.elapsed().as_secs_f64()
    );
    let director_id =
        store.credentials_by_email("director@canopy.example").await.map_err(err)?.ok_or("no director")?.user_id;
    let director = Client::signed_in(app, store, &director_id).await?;
    let mut rng = StdRng::seed_from_u64(11);
    let mut sample = looked_after.clone();
    sample.shuffle(&mut rng);
    sample.truncate(plan.samples);
    let mut times = Vec::new();
    for id in &sample {
        let (status, _, took) = director.get(&format!("/children/{id}")).await?;
        if status != StatusCode::OK {
            return Err(format!("the record of looked-after child {id} answered {status}"));
        }
        times.push(took);
    }
    report("looked-after child's record page", times);

    // Each child's own worker records a statutory visit: the submit, the rules over the whole
    // care history, the clocks and the audit row, to the redirect.
    let mut times = Vec::new();
    let day = [("date-day", today.format("%-d").to_string()), ("date-month", today.format("%-m").to_string())];
    let due = store
        .clocks(&canopy_store::children::ClockFilter {
            councils: Some(vec![council.id.clone()]),
            kinds: Some(vec!["statutory_visit".into()]),
            ..canopy_store::children::ClockFilter::default()
        })
        .await
        .map_err(err)?;
    for clock in due.iter().take(100) {
        let (id, child) = (&clock.child.id, &clock.child);
        let Some(worker) = &child.allocated_to else { continue };
        let client = Client::signed_in(app, store, worker).await?;
        let path = format!("/children/{id}/care/visit");
        let csrf = client.csrf_of(&path).await?;
        let year = today.format("%Y").to_string();
        let fields = [
            ("csrf_token", csrf.as_str()),
            (day[0].0, day[0].1.as_str()),
            (day[1].0, day[1].1.as_str()),
            ("date-year", year.as_str()),
            ("seen_alone", "yes"),
        ];
        let start = Instant::now();
        client.post_form(&path, &fields).await?;
        times.push(start.elapsed());
    }
    report("record a statutory visit, submit to redirect", times);

    let mut iros: Vec<(String, usize)> = Vec::new();
    for id in &looked_after {
        if let Some(iro) = store.get_child(id).await.map_err(err)?.iro_id {
            match iros.iter_mut().find(|(i, _)| *i == iro) {
                Some((_, n)) => *n += 1,
                None => iros.push((iro, 1)),
            }
        }
    }
    iros.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    let mut times = Vec::new();
    for (iro, _) in iros.iter().take(10) {
        let client = Client::signed_in(app, store, iro).await?;
        let (status, _, took) = client.get("/reviews").await?;
        if status != StatusCode::OK {
            return Err(format!("an IRO's list answered {status}"));
        }
        times.push(took);
    }
    let most = iros.first().map(|(_, n)| *n).unwrap_or(0);
    report(&format!("IRO's list of reviews (10 busiest IROs, up to {most} children each)"), times);

    let roles = store.list_roles().await.map_err(err)?;
    let adoption_role = roles.iter().find(|r| r.key == "adoption_service").map(|r| r.id.clone()).unwrap_or_default();
    let users = store.list_users().await.map_err(err)?;
    if let Some(service) = users.iter().find(|u| u.role_ids.contains(&adoption_role)) {
        let client = Client::signed_in(app, store, &service.id).await?;
        let mut times = Vec::new();
        for _ in 0..20 {
            let (status, _, took) = client.get("/adoption").await?;
            if status != StatusCode::OK {
                return Err(format!("the adoption board answered {status}"));
            }
            times.push(took);
        }
        report("adoption board", times);
    }

    // A closure day for the council: every child's journey, care and early help clocks recomputed.
    let admin_id = store.credentials_by_email("admin@canopy.example").await.map_err(err)?.ok_or("no admin")?.user_id;
    let admin = Client::signed_in(app, store, &admin_id).await?;
    let path = format!("/admin/councils/{}/calendar", council.id);
    let csrf = admin.csrf_of(&path).await?;
    let mut closure = today + chrono::Days::new(30);
    while matches!(chrono::Datelike::weekday(&closure), chrono::Weekday::Sat | chrono::Weekday::Sun) {
        closure = closure + chrono::Days::new(1);
    }
    let (d, m, y) =
        (closure.format("%-d").to_string(), closure.format("%-m").to_string(), closure.format("%Y").to_string());
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("day-day", &d),
        ("day-month", &m),
        ("day-year", &y),
        ("reason", "Bench closure"),
    ];
    let start = Instant::now();
    admin.post_form(&path, &fields).await?;
    println!(
        "closure day for {} ({} children, {} looked after): every clock recomputed in {:.1} s",
        council.name,
        biggest.0,
        looked_after.len(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The demo's staff with five years of history: reading every history, then every measure at
/// each of the 60 month ends, for the organisation and for each council.
async fn workforce(store: &Store) -> Result<(), String> {
    use canopy_domain::workforce::{
        absence_days_per_fte, agency_conversions, agency_rate, headcount, month_ends, social_work_fte, staff_record,
        turnover, Unit,
    };
    let err = |e: canopy_store::StoreError| e.to_string();
    let today = SystemClock.today();
    let started = Instant::now();
    let staff = demo_workforce::ensure(store, today).await?;
    println!("demo: {staff} staff records ready in {:.1} s", started.elapsed().as_secs_f64());
    let councils = store.list_councils(&canopy_store::Scope::Organisation).await.map_err(err)?;
    let mut times = Vec::new();
    let mut last = (0.0, 0.0);
    for _ in 0..5 {
        let start = Instant::now();
        // Every child's case, with its council's rules, for the caseloads.
        let mut cases = Vec::new();
        for c in &councils {
            let calendar = store.council_calendar(&c.id).await.map_err(err)?;
            let rules = store.clock_rules(&c.id).await.map_err(err)?;
            let mut list = Vec::new();
            for h in store.case_histories_in_council(&c.id).await.map_err(err)? {
                let context = canopy_domain::cases::RuleContext { calendar: &calendar, rules: &rules };
                list.push(canopy_domain::workforce::Case::read(&h.events, &h.care, &h.allocations, &context)?);
            }
            cases.push((rules, list));
        }
        let records = store
            .all_staff_events()
            .await
            .map_err(err)?
            .iter()
            .map(|(_, events)| staff_record(events).map_err(|e| e.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        let units: Vec<Unit> =
            std::iter::once(Unit::Organisation).chain(councils.iter().map(|c| Unit::Council(&c.id))).collect();
        let points = month_ends(today.checked_sub_months(chrono::Months::new(59)).unwrap_or(today), today);
        let mut checksum = 0.0;
        for unit in &units {
            for day in &points {
                let day = (*day).min(today);
                checksum += agency_rate(&records, day, *unit).unwrap_or(0.0)
                    + headcount(&records, day, *unit) as f64
                    + social_work_fte(&records, day, *unit).0
                    + turnover(&records, day, *unit).unwrap_or(0.0)
                    + absence_days_per_fte(&records, day, *unit).unwrap_or(0.0)
                    + agency_conversions(&records, day, *unit) as f64;
            }
        }
        for day in &points {
            for (rules, list) in &cases {
                let loads = canopy_domain::workforce::caseloads(list, (*day).min(today), rules);
                checksum += loads.values().sum::<f64>();
            }
        }
        let first = agency_rate(&records, points[0], Unit::Organisation).unwrap_or(0.0);
        let now = agency_rate(&records, today, Unit::Organisation).unwrap_or(0.0);
        last = (first, now);
        std::hint::black_box(checksum);
        times.push(start.elapsed());
    }
    report(
        &format!(
            "every workforce measure (caseloads from every child's history too), 60 month ends, organisation and {} councils, {staff} staff",
            councils.len()
        ),
        times,
    );
    println!("agency rate: {:.1}% five years ago, {:.1}% now", last.0 * 100.0, last.1 * 100.0);
    Ok(())
}
