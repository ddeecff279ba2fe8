//! Server-rendered pages. Each capability has its own file; they share the page chrome, the
//! generic form and detail templates, and the request context.

pub mod account;
pub mod admin;
pub mod adoption;
pub mod audit;
pub mod auth;
pub mod budgets;
pub mod children;
pub mod home;
pub mod quality;
pub mod returns;
pub mod workforce;

use crate::security::{client_source, CurrentUser, Nonce};
use crate::state::AppState;
use crate::AppError;
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Html;
use canopy_domain::access::{Action, Permission};
use canopy_domain::validation::{FieldError, FieldErrors};
use canopy_store::AuditContext;

/// A link in a list or the menu.
#[derive(Debug, Clone)]
pub struct Link {
    pub href: String,
    pub label: String,
    pub current: bool,
}

impl Link {
    pub fn new(href: impl Into<String>, label: impl Into<String>) -> Self {
        Self { href: href.into(), label: label.into(), current: false }
    }
}

/// What the layout needs on every page.
#[derive(Debug, Clone, Default)]
pub struct Chrome {
    pub title: String,
    pub nonce: String,
    pub csrf: String,
    pub user_name: Option<String>,
    pub nav: Vec<Link>,
    pub back_link: Option<String>,
    pub notice: Option<String>,
    /// Non-empty when the page shows validation errors (the title then starts "Error:").
    pub errors_title: String,
}

/// The request as pages see it: who is signed in, the CSP nonce, and where the request came from.
#[derive(Clone)]
pub struct Ctx {
    pub user: Option<CurrentUser>,
    pub nonce: String,
    pub source: String,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        let source = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        let _ = client_source;
        Ok(Self {
            user: parts.extensions.get::<CurrentUser>().cloned(),
            nonce: parts.extensions.get::<Nonce>().map(|n| n.0.clone()).unwrap_or_default(),
            source,
        })
    }
}

impl Ctx {
    /// The signed-in user; routes that declare an action never run without one.
    pub fn user(&self) -> Result<&CurrentUser, AppError> {
        self.user.as_ref().ok_or(AppError::Unauthorized)
    }

    pub fn audit(&self, state: &AppState) -> AuditContext {
        AuditContext {
            actor_id: self.user.as_ref().map(|u| u.user_id.clone()).unwrap_or_default(),
            source: self.source.clone(),
            at_ms: state.now_ms(),
        }
    }

    pub fn csrf(&self) -> String {
        self.user.as_ref().map(|u| u.csrf_token.clone()).unwrap_or_default()
    }

    /// The chrome of a page titled `title`, with the menu the user's permissions allow.
    pub fn chrome(&self, title: &str, current: &str) -> Chrome {
        let mut nav = Vec::new();
        if let Some(u) = &self.user {
            nav.push(Link::new("/", "Home"));
            if u.actor.holds(Permission::CaseView) {
                nav.push(Link::new("/work-tray", "Your work"));
                nav.push(Link::new("/front-door", "Front door"));
                nav.push(Link::new("/duty", "Duty"));
                nav.push(Link::new("/children", "Children"));
            }
            if u.actor.holds(Permission::Adoption) {
                nav.push(Link::new("/adoption", "Adoption"));
            }
            if u.actor.holds(Permission::BudgetManage) {
                nav.push(Link::new("/budgets", "Budgets"));
            } else if u.actor.holds(Permission::BudgetSpend) {
                nav.push(Link::new("/budgets/mine", "Spending"));
            }
            if u.actor.holds(Permission::BudgetApprove) {
                nav.push(Link::new("/budgets/approvals", "Approvals"));
            }
            if u.actor.holds(Permission::WorkforceView) {
                nav.push(Link::new("/workforce", "Workforce"));
            }
            if u.actor.holds(Permission::PerformanceView) {
                nav.push(Link::new("/data-quality", "Data quality"));
            }
            if u.actor.holds(Permission::ReturnsManage) {
                nav.push(Link::new("/returns", "Returns"));
            }
            if u.actor.holds(Permission::OrgView) {
                nav.push(Link::new("/organisation", "Organisation"));
            }
            if u.actor.holds(Permission::OrgAdmin) || u.actor.holds(Permission::UsersAdmin) {
                nav.push(Link::new("/admin", "Admin"));
            }
            if u.actor.holds(Permission::AuditView) {
                nav.push(Link::new("/audit", "Audit log"));
            }
            nav.push(Link::new("/workforce/training", "Training"));
            nav.push(Link::new("/account/tokens", "API tokens"));
            for link in &mut nav {
                link.current = link.href == current || (link.href != "/" && current.starts_with(&link.href));
            }
        }
        Chrome {
            title: title.to_string(),
            nonce: self.nonce.clone(),
            csrf: self.csrf(),
            user_name: self.user.as_ref().map(|u| u.display_name.clone()),
            nav,
            ..Chrome::default()
        }
    }

    /// Whether the user may do an organisation-level action (used to show or hide links).
    pub fn may_org(&self, action: Action) -> bool {
        self.user.as_ref().is_some_and(|u| {
            canopy_domain::access::may(&u.actor, action, &canopy_domain::access::Resource::organisation())
        })
    }
}

/// One choice in a select, radios or checkboxes.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// One field of a generic form.
#[derive(Debug, Clone, Default)]
pub struct Field {
    pub name: String,
    pub label: String,
    pub hint: String,
    /// text, email, password, textarea, select, radios or checkboxes.
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<Choice>,
    pub error: Option<String>,
    pub autocomplete: String,
    pub width: &'static str,
}

impl Field {
    pub fn text(name: &str, label: &str, value: impl Into<String>) -> Self {
        Self { name: name.into(), label: label.into(), kind: "text", value: value.into(), ..Self::default() }
    }

    pub fn kind(mut self, kind: &'static str) -> Self {
        self.kind = kind;
        self
    }

    pub fn hint(mut self, hint: &str) -> Self {
        self.hint = hint.into();
        self
    }

    pub fn width(mut self, width: &'static str) -> Self {
        self.width = width;
        self
    }

    pub fn autocomplete(mut self, value: &str) -> Self {
        self.autocomplete = value.into();
        self
    }

    /// A date typed as day, month and year; the values are kept as typed.
    pub fn date(name: &str, label: &str, form: &crate::forms::FormData) -> Self {
        let part = |p: &str| Choice {
            value: form.get(&format!("{name}-{}", p.to_lowercase())),
            label: p.to_string(),
            checked: false,
        };
        Self {
            name: name.into(),
            label: label.into(),
            kind: "date",
            options: vec![part("Day"), part("Month"), part("Year")],
            hint: "For example, 29 12 2026".into(),
            ..Self::default()
        }
    }

    /// A choice field, with `selected` values checked.
    pub fn choices(
        name: &str,
        label: &str,
        kind: &'static str,
        options: Vec<(String, String)>,
        selected: &[String],
    ) -> Self {
        Self {
            name: name.into(),
            label: label.into(),
            kind,
            options: options
                .into_iter()
                .map(|(value, label)| Choice { checked: selected.contains(&value), value, label })
                .collect(),
            ..Self::default()
        }
    }
}

#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage {
    pub page: Chrome,
    pub caption: String,
    pub heading: String,
    pub intro: String,
    pub action: String,
    pub submit_label: String,
    pub csrf: String,
    pub errors: Vec<FieldError>,
    pub fields: Vec<Field>,
    pub extra_actions: Vec<Link>,
    pub tables: Vec<Table>,
    /// A search form: submitted with GET, so it carries no CSRF token.
    pub method_get: bool,
    /// Hidden fields carried with the form.
    pub hidden: Vec<(String, String)>,
    /// Links shown under the form.
    pub extra_links: Vec<Link>,
    /// An upload form (multipart/form-data).
    pub multipart: bool,
    /// A long form that can be saved as a draft and finished later.
    pub draft: bool,
    /// Show the tables above the form (what a decision is about), not below it.
    pub tables_first: bool,
    /// A chart, with its data in one of the tables.
    pub figure: Option<Figure>,
}

impl FormPage {
    /// A form page; errors are attached to their fields and listed in the summary.
    pub fn new(
        ctx: &Ctx,
        title: &str,
        current: &str,
        action: &str,
        submit: &str,
        mut fields: Vec<Field>,
        errors: &FieldErrors,
    ) -> Self {
        for f in &mut fields {
            f.error = errors.for_field(&f.name).map(str::to_string);
        }
        let mut page = ctx.chrome(title, current);
        if !errors.is_empty() {
            page.errors_title = "Error".into();
        }
        Self {
            page,
            caption: String::new(),
            heading: title.to_string(),
            intro: String::new(),
            action: action.to_string(),
            submit_label: submit.to_string(),
            csrf: ctx.csrf(),
            errors: errors.0.clone(),
            fields,
            extra_actions: Vec::new(),
            tables: Vec::new(),
            method_get: false,
            hidden: Vec::new(),
            extra_links: Vec::new(),
            multipart: false,
            draft: false,
            tables_first: false,
            figure: None,
        }
    }

    pub fn back(mut self, href: &str) -> Self {
        self.page.back_link = Some(href.into());
        self
    }
}

/// A cell of a table, perhaps a link.
#[derive(Debug, Clone)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Self {
        Self { text: text.into(), href: None }
    }

    pub fn link(text: impl Into<String>, href: impl Into<String>) -> Self {
        Self { text: text.into(), href: Some(href.into()) }
    }
}

#[derive(Debug, Clone)]
pub struct Table {
    pub title: String,
    pub empty: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(title: &str, head: &[&str], rows: Vec<Vec<Cell>>) -> Self {
        Self {
            title: title.into(),
            empty: "There is nothing here yet.".into(),
            head: head.iter().map(|h| h.to_string()).collect(),
            rows,
        }
    }
}

#[derive(Template)]
#[template(path = "detail.html")]
pub struct DetailPage {
    pub page: Chrome,
    pub caption: String,
    pub heading: String,
    pub intro: String,
    pub actions: Vec<Link>,
    pub summary: Vec<(String, String)>,
    pub tables: Vec<Table>,
    /// A chart, with its data in one of the tables.
    pub figure: Option<Figure>,
}

/// A chart drawn on the server as SVG. The markup is built by Canopy from numbers and fixed
/// labels only, never from user input, so it is rendered as it is.
#[derive(Debug, Clone)]
pub struct Figure {
    pub title: String,
    pub svg: String,
}

impl DetailPage {
    pub fn new(ctx: &Ctx, title: &str, current: &str) -> Self {
        Self {
            page: ctx.chrome(title, current),
            caption: String::new(),
            heading: title.into(),
            intro: String::new(),
            actions: Vec::new(),
            summary: Vec::new(),
            tables: Vec::new(),
            figure: None,
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    detail: &'a str,
}

/// A page for an error, with no user data in it, so "not found" is always the same page.
pub fn error_page(title: &str, detail: &str) -> Html<String> {
    Html(ErrorPage { title, detail }.render().unwrap_or_else(|_| title.to_string()))
}

/// Renders a template, turning a template failure into an internal error.
pub fn render<T: Template>(template: T) -> Result<Html<String>, AppError> {
    template.render().map(Html).map_err(|e| AppError::Internal(e.to_string()))
}

/// A date typed in the GOV.UK date input named `field` (its -day, -month and -year parts), which
/// must be today or earlier. Left empty it is `None`, with an error only when it is `required`.
pub fn past_date(
    form: &crate::forms::FormData,
    errors: &mut FieldErrors,
    field: &str,
    label: &str,
    today: chrono::NaiveDate,
    required: bool,
) -> Option<chrono::NaiveDate> {
    let part = |p: &str| form.get(&format!("{field}-{p}"));
    let (d, m, y) = (part("day"), part("month"), part("year"));
    if !required && [&d, &m, &y].iter().all(|p| p.trim().is_empty()) {
        return None;
    }
    match canopy_domain::validation::date_from_parts(label, &d, &m, &y) {
        Ok(date) if date > today => {
            let mut chars = label.chars();
            let first: String = chars.next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
            errors.add(field, format!("{first}{} must be today or in the past", chars.as_str()));
            None
        }
        Ok(date) => Some(date),
        Err(message) => {
            errors.add(field, message);
            None
        }
    }
}

/// A choice read from a select by its code, or "Select …" on the field.
pub(crate) fn chosen<T>(
    errors: &mut FieldErrors,
    form: &crate::forms::FormData,
    field: &str,
    parse: fn(&str) -> Option<T>,
    what: &str,
) -> Option<T> {
    let value = parse(&form.get(field));
    if value.is_none() {
        errors.add(field, format!("Select {what}"));
    }
    value
}

/// The choices of a code list for a select: "Choose one", then each label with its code.
pub(crate) fn codes<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<(String, String)> {
    std::iter::once((String::new(), "Choose one".to_string()))
        .chain(all.iter().map(|c| (code(*c).to_string(), format!("{} ({})", label(*c), code(*c)))))
        .collect()
}

/// A date field's three parts, filled with `date`, for a form that starts at today.
pub fn date_parts(field: &str, date: chrono::NaiveDate) -> Vec<(String, String)> {
    vec![
        (format!("{field}-day"), date.format("%-d").to_string()),
        (format!("{field}-month"), date.format("%-m").to_string()),
        (format!("{field}-year"), date.format("%Y").to_string()),
    ]
}

/// A date and time from milliseconds, for display.
/// A day as pages show it: "4 May 2026".
pub fn show_date(d: chrono::NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

pub fn show_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.format("%-d %b %Y %H:%M").to_string()).unwrap_or_default()
}

/// A file to download, named.
pub(crate) fn download(bytes: Vec<u8>, media_type: &'static str, file_name: &str) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    use axum::response::IntoResponse;
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}
