//! `canopy bench`: the speed figures that the tests do not time. It builds the demo organisation
//! scaled to the children asked for, then drives the real router in-process (every layer: the
//! session, the policy, the store, the rendering) and prints percentiles.

use crate::{demo, demo_children};
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

/// Builds the scaled demo in `store` and prints the figures.
pub async fn run(store: Store, children: usize, samples: usize) -> Result<(), String> {
    let started = Instant::now();
    demo::ensure(&store).await?;
    let count = demo_children::ensure(&store, children, SystemClock.today()).await?;
    println!("demo: {count} children ready in {:.1} s", started.elapsed().as_secs_f64());
    let hasher = PasswordHasher::new()?;
    let state = AppState::new(store.clone(), Arc::new(SystemClock), Settings::default(), hasher);
    let app = canopy_web::build_router(state);
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
