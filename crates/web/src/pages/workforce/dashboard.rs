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
use canopy_domain::cases::{ClockRules, RuleContext};
use canopy_domain::workforce::{
    absence_days_per_fte, agency_conversions, agency_rate, average_time_to_hire, caseload_figures, caseloads,
    headcount, month_ends, social_work_fte, staff_record, turnover, vacancy_rate, vacant_fte, Case, OpenPost, OrgRole,
    StaffEvent, StaffRecord, Unit,
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
    Caseload,
    OverThreshold,
    TimeToHire,
}

impl Measure {
    const ALL: [Measure; 10] = [
        Measure::AgencyRate,
        Measure::VacancyRate,
        Measure::Headcount,
        Measure::Fte,
        Measure::Turnover,
        Measure::Absence,
        Measure::Conversions,
        Measure::Caseload,
        Measure::OverThreshold,
        Measure::TimeToHire,
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
            Measure::Caseload => "caseload",
            Measure::OverThreshold => "over_threshold",
            Measure::TimeToHire => "time_to_hire",
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
            Measure::Caseload => "Average weighted caseload of case holders",
            Measure::OverThreshold => "Case holders over the caseload threshold",
            Measure::TimeToHire => "Average days to hire, for posts filled in 12 months",
        }
    }

    fn value(self, figures: &Figures, day: NaiveDate) -> f64 {
        let (staff, posts, unit) = (&figures.staff[..], &figures.posts[..], figures.unit());
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
            Measure::Caseload => figures.caseloads(day).map(|(average, _)| average).unwrap_or(0.0),
            Measure::OverThreshold => figures.caseloads(day).map(|(_, over)| over).unwrap_or(0.0),
            Measure::TimeToHire => average_time_to_hire(posts, day).unwrap_or(0.0),
        }
    }

    fn show(self) -> fn(f64) -> String {
        match self {
            Measure::AgencyRate | Measure::VacancyRate | Measure::Turnover | Measure::OverThreshold => {
                |v| format!("{:.1}%", v * 100.0)
            }
            Measure::Fte | Measure::Absence | Measure::Caseload => |v| format!("{v:.1}"),
            Measure::Headcount | Measure::Conversions | Measure::TimeToHire => |v| format!("{v:.0}"),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    #[serde(default)]
    pub council: String,
    #[serde(default)]
    pub cluster: String,
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub measure: String,
    /// The day the figures are as at (YYYY-MM-DD); today when absent.
    #[serde(default)]
    pub as_at: String,
}

/// What figures are asked for: a team, a cluster, a council, or (all empty) the organisation.
pub(crate) struct Of<'a> {
    pub council: &'a str,
    pub cluster: &'a str,
    pub team: &'a str,
}

/// What the figures are of: the council (none for the organisation) the user may see the
/// figures of, the day they are as at, every worker's record, and the social work vacancies.
pub(crate) struct Figures {
    pub council: Option<canopy_store::org::CouncilRow>,
    /// The teams the figures are of, for a cluster or a team.
    pub teams: Option<Vec<String>>,
    /// What the figures are of, in words.
    pub label: String,
    pub as_at: NaiveDate,
    pub staff: Vec<StaffRecord>,
    /// The user account of each worker in `staff`, to find their caseload.
    pub owners: Vec<Option<String>>,
    pub posts: Vec<OpenPost>,
    /// Each council's children's cases, with that council's rules.
    pub cases: Vec<(ClockRules, Vec<Case>)>,
    /// The rules of the unit (its council's, or the national defaults for the organisation).
    pub rules: ClockRules,
}

impl Figures {
    pub(crate) async fn load(state: &AppState, ctx: &Ctx, of: &Of<'_>, as_at: &str) -> Result<Self, AppError> {
        let user = ctx.user()?;
        let councils = state.store.list_councils(&canopy_store::Scope::Organisation).await?;
        let all_teams = state.store.list_teams(&canopy_store::Scope::Organisation).await?;
        let found = councils.iter().find(|c| c.id == of.council).cloned();
        // A team, a cluster's teams, a council or the organisation; the user may see any of
        // them where the policy allows it in one of their councils.
        let (teams, in_councils, label): (Option<Vec<String>>, Vec<String>, String) = if !of.team.is_empty() {
            let team = all_teams.iter().find(|t| t.id == of.team).ok_or(AppError::NotFound)?;
            let allowed = team
                .council_ids
                .iter()
                .any(|c| may(&user.actor, Action::ViewWorkforceFigures, &Resource::team(&team.id, c)));
            if !allowed {
                return Err(AppError::NotFound);
            }
            (Some(vec![team.id.clone()]), team.council_ids.clone(), team.name.clone())
        } else if !of.cluster.is_empty() {
            let clusters = state.store.list_clusters(&canopy_store::Scope::Organisation).await?;
            let cluster = clusters.iter().find(|c| c.id == of.cluster).ok_or(AppError::NotFound)?;
            if !cluster
                .council_ids
                .iter()
                .any(|c| may(&user.actor, Action::ViewWorkforceFigures, &Resource::in_council(c)))
            {
                return Err(AppError::NotFound);
            }
            let ids =
                all_teams.iter().filter(|t| t.cluster_id.as_ref() == Some(&cluster.id)).map(|t| t.id.clone()).collect();
            (Some(ids), cluster.council_ids.clone(), format!("{} cluster", cluster.name))
        } else {
            let resource = found.as_ref().map(|c| Resource::in_council(&c.id)).unwrap_or_else(Resource::organisation);
            if !may(&user.actor, Action::ViewWorkforceFigures, &resource) || (!of.council.is_empty() && found.is_none())
            {
                return Err(AppError::NotFound);
            }
            let label = found.as_ref().map(|c| c.name.clone()).unwrap_or_else(|| "The whole organisation".into());
            let in_councils = match &found {
                Some(c) => vec![c.id.clone()],
                None => councils.iter().map(|c| c.id.clone()).collect(),
            };
            (None, in_councils, label)
        };
        let as_at = match as_at.trim() {
            "" => state.clock.today(),
            text => NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| AppError::NotFound)?,
        };
        let rows = state.store.staff().await?;
        let histories: std::collections::HashMap<String, Vec<StaffEvent>> =
            state.store.all_staff_events().await?.into_iter().collect();
        let mut staff = Vec::new();
        let mut owners = Vec::new();
        for row in &rows {
            let events = histories.get(&row.id).map(Vec::as_slice).unwrap_or_default();
            staff.push(
                staff_record(events)
                    .map_err(|e| AppError::Internal(format!("stored staff history of {}: {e}", row.id)))?,
            );
            owners.push(row.user_id.clone());
        }
        let mut cases = Vec::new();
        let all_councils = state.store.list_councils(&canopy_store::Scope::Organisation).await?;
        for c in all_councils.iter().filter(|c| in_councils.contains(&c.id)) {
            let calendar = state.store.council_calendar(&c.id).await?;
            let rules = state.store.clock_rules(&c.id).await?;
            let mut list = Vec::new();
            for h in state.store.case_histories_in_council(&c.id).await? {
                let context = RuleContext { calendar: &calendar, rules: &rules };
                let case = Case::read(&h.events, &h.care, &h.allocations, &context)
                    .map_err(|e| AppError::Internal(format!("stored record of {}: {e}", h.child_id)))?;
                list.push(case);
            }
            cases.push((rules, list));
        }
        let rules = match (&found, in_councils.as_slice()) {
            (Some(c), _) => state.store.clock_rules(&c.id).await?,
            (None, [only]) if teams.is_some() => state.store.clock_rules(only).await?,
            _ => ClockRules::default(),
        };
        let posts = state
            .store
            .vacancies()
            .await?
            .iter()
            .filter(|v| v.org_role.is_some())
            .filter(|v| match &teams {
                Some(teams) => teams.contains(&v.team_id),
                None => v.council_ids.iter().any(|c| in_councils.contains(c)),
            })
            .map(|v| v.open_post())
            .collect();
        Ok(Self { council: found, teams, label, as_at, staff, owners, posts, cases, rules })
    }

    /// The average weighted caseload of the unit's case holders on `day`, and the share over
    /// the threshold.
    fn caseloads(&self, day: NaiveDate) -> Option<(f64, f64)> {
        let mut loads: std::collections::HashMap<String, f64> = std::collections::HashMap::new();
        for (rules, cases) in &self.cases {
            for (worker, load) in caseloads(cases, day, rules) {
                *loads.entry(worker).or_default() += load;
            }
        }
        let unit = self.unit();
        let holders: Vec<&str> = self
            .staff
            .iter()
            .zip(&self.owners)
            .filter_map(|(record, owner)| {
                let state = record.on(day)?;
                let holds_cases =
                    matches!(state.post.org_role, Some(OrgRole::CaseHolder | OrgRole::SeniorPractitioner));
                (holds_cases && state.employment.works_here() && unit.holds(state)).then_some(owner.as_deref()?)
            })
            .collect();
        caseload_figures(&loads, &holders, &self.rules)
    }

    pub(crate) fn unit(&self) -> Unit<'_> {
        match (&self.teams, &self.council) {
            (Some(teams), _) => Unit::Teams(teams),
            (None, Some(c)) => Unit::Council(&c.id),
            (None, None) => Unit::Organisation,
        }
    }

    /// Every measure as at the day, by its name.
    pub(crate) fn all(&self) -> Vec<(&'static str, f64)> {
        Measure::ALL.iter().map(|m| (m.slug(), m.value(self, self.as_at))).collect()
    }
}

pub async fn dashboard(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<DashboardQuery>,
) -> Result<Html<String>, AppError> {
    let user = ctx.user()?;
    let of = Of { council: &query.council, cluster: &query.cluster, team: &query.team };
    let figures = Figures::load(&state, &ctx, &of, &query.as_at).await?;
    let councils = state.store.list_councils(&canopy_store::Scope::Organisation).await?;
    let council = figures.council.as_ref();
    let measure = Measure::ALL.into_iter().find(|m| m.slug() == query.measure).unwrap_or(Measure::AgencyRate);
    let as_at = figures.as_at;
    let scope_name = figures.label.clone();
    let mut page = DetailPage::new(&ctx, "Workforce", "/workforce");
    page.caption = scope_name.clone();
    page.intro =
        format!("As at {}. Social workers only, as the workforce census counts them.", as_at.format("%-d %B %Y"));
    let here = |of: &str, measure: Measure| format!("/workforce?{of}&measure={}&as_at={as_at}", measure.slug());
    let this = match (query.team.is_empty(), query.cluster.is_empty()) {
        (false, _) => format!("team={}", query.team),
        (_, false) => format!("cluster={}", query.cluster),
        _ => format!("council={}", query.council),
    };
    page.summary = Measure::ALL.iter().map(|m| (m.title().to_string(), (m.show())(m.value(&figures, as_at)))).collect();
    for m in Measure::ALL.into_iter().filter(|m| *m != measure) {
        page.actions.push(Link::new(here(&this, m), format!("Show {} over time", m.title().to_lowercase())));
    }
    let viewing_org = council.is_none() && figures.teams.is_none();
    if !viewing_org && may(&user.actor, Action::ViewWorkforceFigures, &Resource::organisation()) {
        page.actions.push(Link::new(here("council=", measure), "The whole organisation"));
    }
    for c in councils.iter().filter(|c| Some(&c.id) != council.map(|k| &k.id)) {
        if may(&user.actor, Action::ViewWorkforceFigures, &Resource::in_council(&c.id)) {
            page.actions.push(Link::new(here(&format!("council={}", c.id), measure), c.name.clone()));
        }
    }
    // From a council, its clusters; from a cluster, its teams.
    if let (Some(c), None) = (council, &figures.teams) {
        for cluster in state
            .store
            .list_clusters(&canopy_store::Scope::Organisation)
            .await?
            .iter()
            .filter(|k| k.council_ids.contains(&c.id))
        {
            page.actions.push(Link::new(
                here(&format!("cluster={}", cluster.id), measure),
                format!("{} cluster", cluster.name),
            ));
        }
    }
    if !query.cluster.is_empty() {
        for team in state
            .store
            .list_teams(&canopy_store::Scope::Organisation)
            .await?
            .iter()
            .filter(|t| t.cluster_id.as_deref() == Some(query.cluster.as_str()))
        {
            page.actions.push(Link::new(here(&format!("team={}", team.id), measure), team.name.clone()));
        }
    }
    if user.actor.holds(canopy_domain::access::Permission::WorkforceView) {
        page.actions.push(Link::new("/workforce/staff", "Staff directory"));
    }
    let from = as_at.checked_sub_months(Months::new(59)).unwrap_or(as_at);
    let points: Vec<(String, f64)> = month_ends(from, as_at)
        .into_iter()
        .map(|d| d.min(as_at))
        .map(|d| (d.format("%b %Y").to_string(), measure.value(&figures, d)))
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
