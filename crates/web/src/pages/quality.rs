//! Live data quality: each child re-checked against the DfE's rules when their record changes,
//! their problems on their record and in their worker's tray, and each council's open errors and
//! queries by rule and team, over time.

use super::workforce::chart::LineChart;
use super::{render, Cell, Ctx, DetailPage, Figure, Link, Table};
use crate::{AppError, AppState};
use axum::extract::{Query, State};
use axum::response::Html;
use canopy_domain::access::{may, Action, Resource};
use canopy_domain::cases::RuleContext;
use canopy_domain::returns::quality::open_years;
use canopy_store::quality::Counts;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use std::collections::HashMap;

/// Re-checks one child against the rules of the open returns and records what is found: only
/// this child is read, never the council.
pub async fn recheck(state: &AppState, child_id: &str, at_ms: i64) -> Result<(), AppError> {
    let child = state.store.get_child(child_id).await?;
    let history = state.store.case_history(&child.id).await?;
    let calendar = state.store.council_calendar(&child.council_id).await?;
    let rules = state.store.clock_rules(&child.council_id).await?;
    let ons = state.store.council_ons_code(&child.council_id).await?;
    let ctx = RuleContext { calendar: &calendar, rules: &rules };
    let found = state.store.data_quality_findings(&child, &history, &ctx, ons.as_deref(), state.clock.today()).await?;
    state.store.record_data_quality(&child.id, &child.council_id, &found, at_ms).await?;
    Ok(())
}

/// The child's open problems, for their record.
pub async fn child_table(state: &AppState, child_id: &str) -> Result<Table, AppError> {
    let open = state.store.open_data_quality(child_id).await?;
    let rows = open
        .iter()
        .map(|r| {
            vec![
                Cell::text(&r.finding.severity),
                Cell::text(format!(
                    "{} {} (year to 31 March {})",
                    r.finding.statutory_return, r.finding.rule, r.finding.collection_year
                )),
                Cell::text(&r.finding.place),
                Cell::text(&r.finding.message),
            ]
        })
        .collect();
    let mut table = Table::new("Data quality", &["Kind", "DfE rule", "Where", "What to put right"], rows);
    table.empty = "The record meets the DfE's rules for the open returns.".into();
    Ok(table)
}

/// The signed-in worker's children with open problems, for their work tray.
pub async fn tray_table(state: &AppState, ctx: &Ctx) -> Result<Option<Table>, AppError> {
    let user = ctx.user()?;
    let mine = state.store.data_quality_of_worker(&user.user_id).await?;
    if mine.is_empty() {
        return Ok(None);
    }
    let mut rows = Vec::new();
    for (child, counts) in mine {
        if !may(&user.actor, Action::ViewChildRecord, &child.resource()) {
            continue;
        }
        rows.push(vec![
            Cell::link(child.full_name(), format!("/children/{}", child.id)),
            Cell::text(counts.errors.to_string()),
            Cell::text(counts.queries.to_string()),
        ]);
    }
    Ok(Some(Table::new("Data quality of your children", &["Child", "Errors", "Queries"], rows)))
}

#[derive(Debug, Deserialize, Default)]
pub struct QualityQuery {
    #[serde(default)]
    pub council: String,
    #[serde(default)]
    pub year: Option<i32>,
}

/// The ends of the last eleven months, oldest first, then today.
fn month_ends(today: NaiveDate) -> Vec<NaiveDate> {
    let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    let mut days: Vec<NaiveDate> = (0..11u32)
        .rev()
        .filter_map(|k| this_month.checked_sub_months(chrono::Months::new(k)))
        .map(|first| first - chrono::Days::new(1))
        .collect();
    days.push(today);
    days
}

fn end_of_day_ms(day: NaiveDate) -> i64 {
    day.and_hms_opt(23, 59, 59).map(|t| t.and_utc().timestamp_millis()).unwrap_or(0)
}

/// A council's data quality for one return, as figures.
pub struct CouncilQuality {
    pub council_id: String,
    pub council_name: String,
    pub year: i32,
    pub open: Counts,
    pub by_rule: Vec<canopy_store::quality::RuleCount>,
    pub by_team: Vec<(String, Counts)>,
    pub over_time: Vec<(NaiveDate, Counts)>,
}

/// Reads a council's figures, if the user may see them.
pub async fn council_quality(
    state: &AppState,
    ctx: &Ctx,
    council_id: &str,
    year: Option<i32>,
) -> Result<CouncilQuality, AppError> {
    let user = ctx.user()?;
    if !may(&user.actor, Action::ViewDataQuality, &Resource::in_council(council_id)) {
        return Err(AppError::NotFound);
    }
    let council = state.store.get_council(&canopy_store::Scope::Organisation, council_id).await?;
    let today = state.clock.today();
    let year = year.or_else(|| open_years(today).last().map(|y| y.0)).unwrap_or(today.year());
    let by_rule = state.store.data_quality_by_rule(&council.id, year).await?;
    let teams: HashMap<String, String> =
        state.store.list_teams(&canopy_store::Scope::Organisation).await?.into_iter().map(|t| (t.id, t.name)).collect();
    let by_team = state
        .store
        .data_quality_by_team(&council.id, year)
        .await?
        .into_iter()
        .map(|(team, counts)| {
            (team.and_then(|t| teams.get(&t).cloned()).unwrap_or_else(|| "No team holds the child".into()), counts)
        })
        .collect();
    let days = month_ends(today);
    let moments: Vec<i64> = days.iter().map(|d| end_of_day_ms(*d)).collect();
    let counts = state.store.data_quality_open_at(&council.id, year, &moments).await?;
    let over_time: Vec<(NaiveDate, Counts)> = days.into_iter().zip(counts.into_iter().map(|(_, c)| c)).collect();
    let open = over_time.last().map(|(_, c)| *c).unwrap_or_default();
    Ok(CouncilQuality { council_id: council.id, council_name: council.name, year, open, by_rule, by_team, over_time })
}

/// The data quality dashboard: a council's open errors and queries, by rule and team, over time.
pub async fn dashboard(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<QualityQuery>,
) -> Result<Html<String>, AppError> {
    let user = ctx.user()?.clone();
    let councils = state.store.list_councils(&canopy_store::Scope::Organisation).await?;
    let visible: Vec<_> =
        councils.iter().filter(|c| may(&user.actor, Action::ViewDataQuality, &Resource::in_council(&c.id))).collect();
    let chosen = visible.iter().find(|c| c.id == query.council).or(visible.first()).ok_or(AppError::NotFound)?;
    let q = council_quality(&state, &ctx, &chosen.id, query.year).await?;
    let mut page = DetailPage::new(&ctx, "Data quality", "/data-quality");
    page.caption = q.council_name.clone();
    page.intro = format!(
        "The DfE's CIN census and SSDA903 rules for the year to 31 March {}, checked on each child as their record changes. \
         Errors must be put right before the return; queries must be explained.",
        q.year
    );
    page.summary = vec![
        ("Open errors".into(), q.open.errors.to_string()),
        ("Open queries".into(), q.open.queries.to_string()),
        ("Rules with findings".into(), q.by_rule.len().to_string()),
    ];
    for c in visible.iter().filter(|c| c.id != q.council_id) {
        page.actions.push(Link::new(format!("/data-quality?council={}&year={}", c.id, q.year), c.name.clone()));
    }
    if may(&user.actor, Action::PrepareReturns, &Resource::in_council(&q.council_id)) {
        page.actions.push(Link::new(format!("/returns?council={}", q.council_id), "Download the returns"));
    }
    let points: Vec<(String, f64)> =
        q.over_time.iter().map(|(d, c)| (d.format("%b %Y").to_string(), (c.errors + c.queries) as f64)).collect();
    let title = "Open errors and queries at each month end";
    page.figure = Some(Figure {
        title: title.into(),
        svg: LineChart { title, points: &points, show: |v| format!("{v:.0}") }.svg(),
    });
    let mut by_rule = Table::new(
        "Open findings by rule",
        &["DfE rule", "Kind", "Children", "Findings", "What it checks"],
        q.by_rule
            .iter()
            .map(|r| {
                vec![
                    Cell::text(format!("{} {}", r.statutory_return, r.rule)),
                    Cell::text(&r.severity),
                    Cell::text(r.children.to_string()),
                    Cell::text(r.findings.to_string()),
                    Cell::text(&r.message),
                ]
            })
            .collect(),
    );
    by_rule.empty = "No child's record breaks a rule.".into();
    page.tables.push(by_rule);
    let mut by_team = Table::new(
        "Open findings by team",
        &["Team", "Errors", "Queries"],
        q.by_team
            .iter()
            .map(|(team, c)| {
                vec![Cell::text(team), Cell::text(c.errors.to_string()), Cell::text(c.queries.to_string())]
            })
            .collect(),
    );
    by_team.empty = "No team has open findings.".into();
    page.tables.push(by_team);
    page.tables.push(Table::new(
        "Open findings at each month end",
        &["Month end", "Errors", "Queries"],
        q.over_time
            .iter()
            .map(|(d, c)| {
                vec![
                    Cell::text(d.format("%-d %B %Y").to_string()),
                    Cell::text(c.errors.to_string()),
                    Cell::text(c.queries.to_string()),
                ]
            })
            .collect(),
    ));
    render(page)
}
