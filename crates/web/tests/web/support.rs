//! A running Canopy for tests: a real server on a loopback port, a real database, a pinned clock,
//! and a client that carries cookies the way a browser does (by hand, so tests can see them).

use canopy_domain::access::BUILTIN_ROLES;
use canopy_domain::calendar::FixedClock;
use canopy_domain::org::{validate_team, TeamInput};
use canopy_store::testing::{add_council, TestDb, TestEngine};
use canopy_store::users::UserDetails;
use canopy_store::AuditContext;
use canopy_web::{AppState, PasswordHasher, Settings};
use chrono::TimeZone;
use reqwest::header::{HeaderMap, COOKIE, SET_COOKIE};
use reqwest::{redirect, Response, StatusCode};
use std::collections::HashMap;
use std::sync::Arc;

pub const PASSWORD: &str = "a long and memorable test phrase";

pub struct TestApp {
    pub base: String,
    pub db: TestDb,
    pub clock: Arc<FixedClock>,
    pub client: reqwest::Client,
    pub state: AppState,
    /// Ids of the seeded organisation, by short name.
    pub ids: HashMap<&'static str, String>,
    server: tokio::task::JoinHandle<()>,
}

/// A browser's cookies and the page's CSRF token.
#[derive(Clone, Debug, Default)]
pub struct Browser {
    pub cookies: HashMap<String, String>,
    pub csrf: String,
}

impl Browser {
    pub fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub fn absorb(&mut self, headers: &HeaderMap) {
        for v in headers.get_all(SET_COOKIE) {
            let text = v.to_str().unwrap_or_default();
            let first = text.split(';').next().unwrap_or_default();
            if let Some((k, v)) = first.split_once('=') {
                if v.is_empty() || text.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
    }
}

/// Finds the first `csrf_token` value in a page.
pub fn csrf_in(html: &str) -> String {
    html.split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string()
}

fn ctx() -> AuditContext {
    AuditContext { actor_id: "test-setup".into(), source: "test".into(), at_ms: 0 }
}

impl TestApp {
    /// Starts Canopy on `engine` with a seeded organisation; `None` when that engine is not
    /// configured here.
    pub async fn spawn(engine: TestEngine) -> Option<Self> {
        let db = TestDb::new(engine).await.expect("test database")?;
        let clock =
            Arc::new(FixedClock::new(chrono::Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).single().expect("time")));
        let hasher = PasswordHasher::with_params(19 * 1024, 2).expect("hasher");
        let assets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/dist");
        let documents_dir = std::env::temp_dir().join(format!("canopy-documents-{}", uuid::Uuid::now_v7().simple()));
        let settings = Settings { assets_dir: assets, documents_dir, ..Settings::default() };
        let state = AppState::new(db.store.clone(), clock.clone(), settings, hasher);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let app = canopy_web::build_router(state.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>();
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let client = reqwest::Client::builder().redirect(redirect::Policy::none()).build().expect("client");
        let mut app = Self { base, db, clock, client, state, ids: HashMap::new(), server };
        app.seed().await;
        Some(app)
    }

    async fn seed(&mut self) {
        let store = self.db.store.clone();
        store.ensure_reference_data(&ctx()).await.expect("reference data");
        let mut coverage = Vec::new();
        for (key, name, la, ons, districts) in [
            ("kingston", "Kingston upon Thames", "314", "E09000021", "KT1, KT2"),
            ("richmond", "Richmond upon Thames", "318", "E09000027", "TW9, TW10"),
            ("windsor", "Windsor and Maidenhead", "868", "E06000040", "SL4, SL6"),
        ] {
            let council = add_council(&store, name, la, ons, districts).await.expect("council");
            let id = council.id.clone();
            coverage.push(council);
            self.ids.insert(key, id);
        }
        for (key, name, council) in [
            ("kingston_team", "Kingston safeguarding", "kingston"),
            ("windsor_team", "Windsor safeguarding", "windsor"),
        ] {
            let valid = validate_team(
                &TeamInput {
                    name: name.into(),
                    service: "safeguarding".into(),
                    cluster_id: None,
                    council_ids: vec![self.ids[council].clone()],
                },
                &coverage,
                &[],
            )
            .expect("team");
            let id = store.save_team(&ctx(), None, &valid).await.expect("save team");
            self.ids.insert(key, id);
        }
        let hash = self.state.hasher.hash(PASSWORD.into()).await.expect("hash");
        for (key, email, role, team) in [
            ("admin", "admin@test.example", "org_admin", None),
            ("practitioner", "worker@test.example", "practitioner", Some("kingston_team")),
            ("auditor", "auditor@test.example", "auditor", None),
            ("manager", "manager@test.example", "team_manager", Some("kingston_team")),
            ("windsor_worker", "windsor.worker@test.example", "practitioner", Some("windsor_team")),
            ("colleague", "colleague@test.example", "practitioner", Some("kingston_team")),
            ("finance", "finance@test.example", "finance_officer", None),
            ("analyst", "analyst@test.example", "performance_analyst", None),
        ] {
            let role_id = store
                .list_roles()
                .await
                .expect("roles")
                .into_iter()
                .find(|r| r.key == role)
                .map(|r| r.id)
                .expect("role");
            let details = UserDetails {
                email: email.into(),
                display_name: format!("Test {key}"),
                job_title: "Tester".into(),
                role_ids: vec![role_id],
                team_ids: team.map(|t| vec![self.ids[t].clone()]).unwrap_or_default(),
                council_ids: vec![],
            };
            let id = store.create_user(&ctx(), &details, &hash, false).await.expect("user");
            self.ids.insert(key, id);
        }
        assert!(BUILTIN_ROLES.len() > 10);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str, browser: &mut Browser) -> Response {
        let r = self.client.get(self.url(path)).header(COOKIE, browser.cookie_header()).send().await.expect("request");
        browser.absorb(r.headers());
        r
    }

    /// GETs a page and returns its status and body, keeping its CSRF token.
    pub async fn page(&self, path: &str, browser: &mut Browser) -> (StatusCode, String) {
        let r = self.get(path, browser).await;
        let status = r.status();
        let body = r.text().await.expect("body");
        let token = csrf_in(&body);
        if !token.is_empty() {
            browser.csrf = token;
        }
        (status, body)
    }

    /// POSTs a form as a browser would (the page's CSRF token unless `fields` has its own).
    pub async fn post(&self, path: &str, browser: &mut Browser, fields: &[(&str, &str)]) -> Response {
        let mut form: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        if !fields.iter().any(|(k, _)| *k == "csrf_token") {
            form.push(("csrf_token".into(), browser.csrf.clone()));
        }
        let r = self
            .client
            .post(self.url(path))
            .header(COOKIE, browser.cookie_header())
            .form(&form)
            .send()
            .await
            .expect("request");
        browser.absorb(r.headers());
        r
    }

    /// POSTs a multipart form as a browser would, with the page's CSRF token and perhaps a file.
    pub async fn post_multipart(
        &self,
        path: &str,
        browser: &mut Browser,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, Vec<u8>)>,
    ) -> Response {
        let mut form = reqwest::multipart::Form::new().text("csrf_token", browser.csrf.clone());
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        if let Some((field, name, bytes)) = file {
            form = form.part(field.to_string(), reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
        }
        let r = self
            .client
            .post(self.url(path))
            .header(COOKIE, browser.cookie_header())
            .multipart(form)
            .send()
            .await
            .expect("request");
        browser.absorb(r.headers());
        r
    }

    /// Signs in through the real form, and returns the browser with its session.
    pub async fn sign_in(&self, email: &str) -> Browser {
        let mut b = Browser::default();
        self.page("/sign-in", &mut b).await;
        let r = self.post("/sign-in", &mut b, &[("email", email), ("password", PASSWORD)]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "sign-in of {email} should succeed");
        self.page("/", &mut b).await;
        b
    }

    /// Makes an API token through the tokens page, as the browser's user, and returns it.
    pub async fn api_token(&self, browser: &mut Browser, name: &str) -> String {
        self.page("/account/tokens", browser).await;
        let body = self.post("/account/tokens", browser, &[("name", name)]).await.text().await.expect("body");
        body.split("<code class=\"canopy-token\">")
            .nth(1)
            .expect("token shown")
            .split('<')
            .next()
            .expect("token")
            .to_string()
    }

    /// GETs an API path with a token and reads the JSON answer.
    pub async fn api_json(&self, token: &str, path: &str) -> serde_json::Value {
        let r = self.client.get(self.url(path)).bearer_auth(token).send().await.expect("request");
        r.json().await.expect("json")
    }

    pub async fn council_count(&self) -> usize {
        self.db.store.list_councils(&canopy_store::Scope::Organisation).await.expect("councils").len()
    }

    pub async fn stop(self) {
        self.server.abort();
        let _ = std::fs::remove_dir_all(&self.state.settings.documents_dir);
        self.db.cleanup().await;
    }
}

impl canopy_store::testing::TestFixture for TestApp {
    async fn start(engine: TestEngine) -> Option<Self> {
        TestApp::spawn(engine).await
    }

    async fn finish(self) {
        self.stop().await
    }
}
