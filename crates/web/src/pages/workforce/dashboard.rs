//! The workforce dashboard: each measure for the organisation or one council, as at any day, and
//! as a monthly series over five years with its chart and data table. Worked out from every
//! worker's history each time, so a correction to the history corrects the figures.

use super::chart::LineChart;
use super::{render, Cell, Ctx, DetailPage, Link, Table};
use crate::pages::Figure;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Query, State};
use axum::response::Html;
use canopy_domain::access::{may, Action, Resource};
use canopy_domain::workforce::{
    absence_days_per_fte, agency_conversions, agency_rate, headcount, month_ends, social_work_fte, staff_record,
    turnover, vacancy_rate, vacant_fte, OpenPost, StaffRecord, Unit,
};
use chrono::{Months, NaiveDate};
use serde::Deserialize;

/// One measure the dashboard shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
    AgencyRate,
    VacancyRate,
    Headcount,
    Fte,
    Turnover,
    Absence,
    Conversions,
}

impl Measure {
    const ALL: [Measure; 7] = [
        Measure::AgencyRate,
        Measure::VacancyRate,
        Measure::Headcount,
        Measure::Fte,
        Measure::Turnover,
        Measure::Absence,
        Measure::Conversions,
    ];

    fn slug(self) -> &'static str {
        match self {
            Measure::AgencyRate => "agency_rate",
            Measure::VacancyRate => "vacancy_rate",
            Measure::Headcount => "headcount",
            Measure::Fte => "fte",
            Measure::Turnover => "turnover",
            Measure::Absence => "absence",
            Measure::Conversions => "conversions",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Measure::AgencyRate => "Agency rate (agency FTE over all social work FTE in post)",
            Measure::VacancyRate => "Vacancy rate (vacant social work FTE over vacant and filled)",
            Measure::Headcount => "Social workers in post (headcount)",
            Measure::Fte => "Social work FTE in post",
            Measure::Turnover => "Turnover (leavers in 12 months over average headcount)",
            Measure::Absence => "Working days lost to absence in 12 months, per FTE",
            Measure::Conversions => "Agency workers made permanent in 12 months",
        }
    }

    fn value(self, staff: &[StaffRecord], posts: &[OpenPost], day: NaiveDate, unit: Unit) -> f64 {
        match self {
            Measure::AgencyRate => agency_rate(staff, day, unit).unwrap_or(0.0),
            Measure::VacancyRate => {
                let (own, agency) = social_work_fte(staff, day, unit);
                vacancy_rate(vacant_fte(posts, day), own + agency).unwrap_or(0.0)
            }
            Measure::Headcount => headcount(staff, day, unit) as f64,
            Measure::Fte => {
                let (own, agency) = social_work_fte(staff, day, unit);
                own + agency
            }
            Measure::Turnover => turnover(staff, day, unit).unwrap_or(0.0),
            Measure::Absence => absence_days_per_fte(staff, day, unit).unwrap_or(0.0),
            Measure::Conversions => agency_conversions(staff, day, unit) as f64,
        }
    }

    fn show(self) -> fn(f64) -> String {
        match self {
            Measure::AgencyRate | Measure::VacancyRate | Measure::Turnover => |v| format!("{:.1}%", v * 100.0),
            Measure::Fte | Measure::Absence => |v| format!("{v:.1}"),
            Measure::Headcount | Measure::Conversions => |v| format!("{v:.0}"),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    #[serde(default)]
    pub council: String,
    #[serde(default)]
    pub measure: String,
    /// The day the figures are as at (YYYY-MM-DD); today when absent.
    #[serde(default)]
    pub as_at: String,
}

/// Every worker's record, read from their history.
async fn all_records(state: &AppState) -> Result<Vec<StaffRecord>, AppError> {
    state
        .store
        .all_staff_events()
        .await?
        .iter()
        .map(|(id, events)| {
            staff_record(events).map_err(|e| AppError::Internal(format!("stored staff history of {id}: {e}")))
        })
        .collect()
}

/// What the figures are of: the council (none for the organisation) the user may see the
/// figures of, the day they are as at, every worker's record, and the social work vacancies.
pub(crate) struct Figures {
    pub council: Option<canopy_store::org::CouncilRow>,
    pub as_at: NaiveDate,
    pub staff: Vec<StaffRecord>,
    pub posts: Vec<OpenPost>,
}

impl Figures {
    pub(crate) async fn load(state: &AppState, ctx: &Ctx, council: &str, as_at: &str) -> Result<Self, AppError> {
        let user = ctx.user()?;
        let councils = state.store.list_councils(&canopy_store::Scope::Organisation).await?;
        let found = councils.into_iter().find(|c| c.id == council);
        let resource = found.as_ref().map(|c| Resource::in_council(&c.id)).unwrap_or_else(Resource::organisation);
        if !may(&user.actor, Action::ViewWorkforceFigures, &resource) || (!council.is_empty() && found.is_none()) {
            return Err(AppError::NotFound);
        }
        let as_at = match as_at.trim() {
            "" => state.clock.today(),
            text => NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| AppError::NotFound)?,
        };
        let staff = all_records(state).await?;
        let posts = state
            .store
            .vacancies()
            .await?
            .iter()
            .filter(|v| v.org_role.is_some())
            .filter(|v| found.as_ref().is_none_or(|c| v.council_ids.contains(&c.id)))
            .map(|v| v.open_post())
            .collect();
        Ok(Self { council: found, as_at, staff, posts })
    }

    pub(crate) fn unit(&self) -> Unit<'_> {
        self.council.as_ref().map(|c| Unit::Council(&c.id)).unwrap_or(Unit::Organisation)
    }

    /// Every measure as at the day, by its name.
    pub(crate) fn all(&self) -> Vec<(&'static str, f64)> {
        Measure::ALL.iter().map(|m| (m.slug(), m.value(&self.staff, &self.posts, self.as_at, self.unit()))).collect()
    }
}

pub async fn dashboard(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<DashboardQuery>,
) -> Result<Html<String>, AppError> {
    let user = ctx.user()?;
    let figures = Figures::load(&state, &ctx, &query.council, &query.as_at).await?;
    let councils = state.store.list_councils(&canopy_store::Scope::Organisation).await?;
    let council = figures.council.as_ref();
    let unit = figures.unit();
    let measure = Measure::ALL.into_iter().find(|m| m.slug() == query.measure).unwrap_or(Measure::AgencyRate);
    let (as_at, staff, posts) = (figures.as_at, &figures.staff, &figures.posts);
    let scope_name = council.map(|c| c.name.clone()).unwrap_or_else(|| "The whole organisation".into());
    let mut page = DetailPage::new(&ctx, "Workforce", "/workforce");
    page.caption = scope_name.clone();
    page.intro =
        format!("As at {}. Social workers only, as the workforce census counts them.", as_at.format("%-d %B %Y"));
    let here = |council: &str, measure: Measure| {
        format!("/workforce?council={council}&measure={}&as_at={as_at}", measure.slug())
    };
    page.summary =
        Measure::ALL.iter().map(|m| (m.title().to_string(), (m.show())(m.value(staff, posts, as_at, unit)))).collect();
    let code = council.map(|c| c.id.as_str()).unwrap_or("");
    for m in Measure::ALL.into_iter().filter(|m| *m != measure) {
        page.actions.push(Link::new(here(code, m), format!("Show {} over time", m.title().to_lowercase())));
    }
    if council.is_some() && may(&user.actor, Action::ViewWorkforceFigures, &Resource::organisation()) {
        page.actions.push(Link::new(here("", measure), "The whole organisation"));
    }
    for c in councils.iter().filter(|c| Some(&c.id) != council.map(|k| &k.id)) {
        if may(&user.actor, Action::ViewWorkforceFigures, &Resource::in_council(&c.id)) {
            page.actions.push(Link::new(here(&c.id, measure), c.name.clone()));
        }
    }
    if user.actor.holds(canopy_domain::access::Permission::WorkforceView) {
        page.actions.push(Link::new("/workforce/staff", "Staff directory"));
    }
    let from = as_at.checked_sub_months(Months::new(59)).unwrap_or(as_at);
    let points: Vec<(String, f64)> = month_ends(from, as_at)
        .into_iter()
        .map(|d| d.min(as_at))
        .map(|d| (d.format("%b %Y").to_string(), measure.value(staff, posts, d, unit)))
        .collect();
    let title = format!("{}, {}", measure.title(), scope_name);
    let chart = LineChart { title: &title, points: &points, show: measure.show() };
    page.figure = Some(Figure { title: title.clone(), svg: chart.svg() });
    let rows = points
        .iter()
        .rev()
        .map(|(month, value)| vec![Cell::text(month), Cell::text((measure.show())(*value))])
        .collect();
    page.tables.push(Table::new(measure.title(), &["Month end", "Figure"], rows));
    render(page)
}
