//! The audit log, for auditors: the latest rows and whether the chain verifies.

use super::{render, show_time, Cell, Ctx, DetailPage, Table};
use crate::state::AppState;
use crate::AppError;
use axum::extract::State;
use axum::response::Html;

pub async fn show(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let rows = state.store.recent_audit(200).await?;
    let verdict = match state.store.verify_audit_chain().await? {
        Ok(n) => format!("All {n} rows verify: none has been changed or removed."),
        Err(b) => format!("The chain is broken at row {}: {}.", b.seq, b.reason),
    };
    let mut page = DetailPage::new(&ctx, "Audit log", "/audit");
    page.intro = verdict;
    page.tables.push(Table::new(
        "Latest 200 rows",
        &["Row", "When", "Who", "Action", "Record", "From", "Outcome"],
        rows.iter()
            .map(|r| {
                let e = &r.entry;
                vec![
                    Cell::text(e.seq.to_string()),
                    Cell::text(show_time(e.at_ms)),
                    Cell::text(if e.actor_id.is_empty() { "anonymous".to_string() } else { e.actor_id.clone() }),
                    Cell::text(&e.action),
                    Cell::text(format!("{} {}", e.record_kind, e.record_id)),
                    Cell::text(&e.source),
                    Cell::text(&e.outcome),
                ]
            })
            .collect(),
    ));
    render(page)
}
