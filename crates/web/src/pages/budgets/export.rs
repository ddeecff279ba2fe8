//! The ledger as CSV and as an Excel workbook, for finance. Text that a spreadsheet would read as
//! a formula is escaped; amounts go out as numbers.

use super::finance::BudgetQuery;
use super::scope_of;
use crate::pages::{download, Ctx};
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Query, State};
use axum::response::Response;
use canopy_domain::access::Permission;
use canopy_store::budgets::LedgerEntry;
use canopy_store::{AuditEvent, Scope};

const HEADINGS: [&str; 13] = [
    "Posting",
    "Date",
    "What",
    "Council",
    "Budget",
    "Account",
    "Amount (£)",
    "Spend",
    "Kind of spend",
    "Paid to",
    "Paid by",
    "Note",
    "Reverses",
];

/// A text cell that a spreadsheet cannot take for a formula: one starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return gets a leading apostrophe.
pub fn escape_formula(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// One ledger line as its text cells (escaped) and its amount.
fn cells(e: &LedgerEntry, council_names: &[(String, String)]) -> (Vec<String>, String) {
    let council = council_names.iter().find(|(id, _)| id == &e.council_id).map(|(_, n)| n.as_str()).unwrap_or("");
    let text = [
        e.posting_id.as_str(),
        e.posted_on.as_str(),
        e.kind.label(),
        council,
        e.budget_name.as_str(),
        e.account.kind(),
    ]
    .iter()
    .map(|t| escape_formula(t))
    .collect::<Vec<_>>();
    let rest = [
        e.spend_id.as_deref().unwrap_or(""),
        e.category_name.as_str(),
        e.supplier.as_str(),
        e.method.as_str(),
        e.memo.as_str(),
        e.reverses.as_deref().unwrap_or(""),
    ]
    .iter()
    .map(|t| escape_formula(t))
    .collect::<Vec<_>>();
    ([text, rest].concat(), e.amount.decimal())
}

/// The ledger lines the user may export, for the council and year asked for; the export is
/// audited.
async fn entries(
    state: &AppState,
    ctx: &Ctx,
    query: &BudgetQuery,
    format: &str,
) -> Result<(Vec<LedgerEntry>, Vec<(String, String)>), AppError> {
    let scope = scope_of(ctx, Permission::BudgetManage)?;
    let scope = match query.council() {
        Some(c) => match state.store.get_council(&scope, &c).await {
            Ok(council) => Scope::Councils(vec![council.id]),
            Err(_) => return Err(AppError::NotFound),
        },
        None => scope,
    };
    let year = query.year_or(state.clock.today());
    let budget = (!query.budget.is_empty()).then_some(query.budget.as_str());
    let entries = state.store.ledger_entries(&scope, budget, Some(year)).await?;
    let councils = state.store.list_councils(&scope).await?.into_iter().map(|c| (c.id, c.name)).collect();
    let event = AuditEvent::succeeded("export_ledger", "ledger", &year.label()).with_detail(format!(
        "{format}, {} lines, council {}",
        entries.len(),
        query.council
    ));
    state.store.audit(&ctx.audit(state), event).await?;
    Ok((entries, councils))
}

pub async fn export_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<BudgetQuery>,
) -> Result<Response, AppError> {
    let (entries, councils) = entries(&state, &ctx, &query, "csv").await?;
    let mut out = HEADINGS.join(",");
    out.push_str("\r\n");
    for e in &entries {
        let (mut text, amount) = cells(e, &councils);
        text.insert(6, amount);
        out.push_str(&text.iter().map(|t| csv_field(t)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    Ok(download(out.into_bytes(), "text/csv; charset=utf-8", "canopy-ledger.csv"))
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<BudgetQuery>,
) -> Result<Response, AppError> {
    let (entries, councils) = entries(&state, &ctx, &query, "xlsx").await?;
    let bytes = workbook(&entries, &councils).map_err(|e| AppError::Internal(format!("writing the workbook: {e}")))?;
    Ok(download(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "canopy-ledger.xlsx"))
}

fn workbook(entries: &[LedgerEntry], councils: &[(String, String)]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Ledger")?;
    for (col, heading) in HEADINGS.iter().enumerate() {
        sheet.write_string(0, col as u16, *heading)?;
    }
    for (i, e) in entries.iter().enumerate() {
        let row = i as u32 + 1;
        let (text, _) = cells(e, councils);
        for (j, value) in text.iter().enumerate() {
            let col = if j < 6 { j } else { j + 1 } as u16;
            sheet.write_string(row, col, value)?;
        }
        sheet.write_number(row, 6, e.amount.0 as f64 / 100.0)?;
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_looks_like_a_formula_is_escaped() {
        assert_eq!(escape_formula("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(escape_formula("+44 20"), "'+44 20");
        assert_eq!(escape_formula("-1"), "'-1");
        assert_eq!(escape_formula("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(escape_formula("\tx"), "'\tx");
        assert_eq!(escape_formula("Uniform shop"), "Uniform shop");
        assert_eq!(csv_field("a, \"b\""), "\"a, \"\"b\"\"\"");
    }
}
