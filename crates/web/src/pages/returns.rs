//! The statutory returns for performance analysts: each council's CIN census and SSDA903 to
//! download for a collection year, built from the records at the moment of download.

use super::{download, render, Cell, Ctx, DetailPage, Table};
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::response::{Html, Response};
use canopy_domain::access::{may, Action, Resource};
use canopy_domain::returns::CollectionYear;
use canopy_store::AuditEvent;
use serde::Deserialize;

#[derive(Debug, Deserialize, Default)]
pub struct ReturnsQuery {
    #[serde(default)]
    pub council: String,
    #[serde(default)]
    pub year: Option<i32>,
}

/// The council asked for, if the user may prepare its returns.
async fn council_for(state: &AppState, ctx: &Ctx, id: &str) -> Result<canopy_store::org::CouncilRow, AppError> {
    let user = ctx.user()?;
    if !may(&user.actor, Action::PrepareReturns, &Resource::in_council(id)) {
        return Err(AppError::NotFound);
    }
    Ok(state.store.get_council(&canopy_store::Scope::Organisation, id).await?)
}

fn year_of(query: &ReturnsQuery) -> Result<CollectionYear, AppError> {
    let year = query.year.unwrap_or(CollectionYear::SUPPORTED[0].0);
    CollectionYear::new(year).map_err(AppError::BadRequest)
}

/// Every council the user prepares returns for, with its files for each collection year.
pub async fn downloads(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let user = ctx.user()?.clone();
    let councils = state.store.list_councils(&canopy_store::Scope::Organisation).await?;
    let mut page = DetailPage::new(&ctx, "Statutory returns", "/returns");
    page.intro = "Each file is built from the records when you download it. The SSDA903 is one CSV file per table; \
                  check any file with canopy validate."
        .into();
    let mine: Vec<_> =
        councils.iter().filter(|c| may(&user.actor, Action::PrepareReturns, &Resource::in_council(&c.id))).collect();
    let tables = canopy_domain::returns::ssda903::Ssda903Return::default().tables();
    let mut cin = Vec::new();
    let mut lac = Vec::new();
    for c in &mine {
        for year in CollectionYear::SUPPORTED {
            let q = format!("council={}&year={}", c.id, year.0);
            let span = format!("1 April {} to 31 March {}", year.0 - 1, year.0);
            cin.push(vec![
                Cell::text(&c.name),
                Cell::text(&span),
                Cell::link(format!("CIN census {} (XML)", year.0), format!("/returns/cin?{q}")),
            ]);
            for t in &tables {
                lac.push(vec![
                    Cell::text(&c.name),
                    Cell::text(&span),
                    Cell::link(format!("{} {} (CSV)", t.name, year.0), format!("/returns/ssda903/{}?{q}", t.name)),
                ]);
            }
        }
    }
    let mut table = Table::new("CIN census", &["Council", "Collection year", "File"], cin);
    table.empty = "You do not prepare returns for any council.".into();
    page.tables.push(table);
    let mut table = Table::new("SSDA903, a file for each table", &["Council", "Collection year", "File"], lac);
    table.empty = "You do not prepare returns for any council.".into();
    page.tables.push(table);
    render(page)
}

async fn audit_export(state: &AppState, ctx: &Ctx, what: &str, council: &str, detail: String) -> Result<(), AppError> {
    let event = AuditEvent::succeeded(what, "council", council).with_council(council).with_detail(detail);
    Ok(state.store.audit(&ctx.audit(state), event).await?)
}

/// The CIN census XML of a council for a collection year.
pub async fn cin_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<ReturnsQuery>,
) -> Result<Response, AppError> {
    let council = council_for(&state, &ctx, &query.council).await?;
    let year = year_of(&query)?;
    let written_at = state.clock.now().format("%Y-%m-%dT%H:%M:%S").to_string();
    let census = state.store.cin_return(&council.id, &council.la_code, year, &written_at).await?;
    let mut xml = Vec::new();
    canopy_interop::cin_xml::write_cin(&census, &mut xml).map_err(|e| AppError::Internal(e.to_string()))?;
    audit_export(
        &state,
        &ctx,
        "export_cin_census",
        &council.id,
        format!("{}, {} children", year.0, census.children.len()),
    )
    .await?;
    Ok(download(xml, "application/xml", &format!("cin-census-{}-{}.xml", council.la_code, year.0)))
}

/// One SSDA903 table of a council for a collection year, as CSV.
pub async fn ssda903_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(table): Path<String>,
    Query(query): Query<ReturnsQuery>,
) -> Result<Response, AppError> {
    let council = council_for(&state, &ctx, &query.council).await?;
    let year = year_of(&query)?;
    let census = state.store.ssda903_return(&council.id, year).await?;
    let tables = census.tables();
    let Some(chosen) = tables.iter().find(|t| t.name == table) else { return Err(AppError::NotFound) };
    let mut csv = canopy_interop::report::csv_row(chosen.columns.iter().copied());
    for row in &chosen.rows {
        csv.push_str(&canopy_interop::report::csv_row(row.iter().map(String::as_str)));
    }
    audit_export(
        &state,
        &ctx,
        "export_ssda903",
        &council.id,
        format!("{}, {}, {} rows", year.0, chosen.name, chosen.rows.len()),
    )
    .await?;
    Ok(download(
        csv.into_bytes(),
        "text/csv; charset=utf-8",
        &format!("ssda903-{}-{}-{}.csv", council.la_code, year.0, chosen.name),
    ))
}
