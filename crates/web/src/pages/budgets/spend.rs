//! Spending for a child or family: the form on the child's record, the spend's own page, the
//! manager's decision on a spend over a limit, and paying, cancelling or refunding.

use super::spendable_budgets;
use crate::forms::FormData;
use crate::pages::children::{child_for, child_for_change};
use crate::pages::{render, Cell, Ctx, DetailPage, Field, FormPage, Link, Table};
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::{may, Action};
use canopy_domain::budgets::{validate_spend, PaymentMethod, SpendChange, SpendInput, SpendStatus};
use canopy_domain::documents::recognise;
use canopy_domain::validation::{date_from_parts, FieldErrors};
use canopy_store::budgets::{BudgetRow, NewSpend, SpendFilter, SpendRow};
use canopy_store::children::ChildRow;
use canopy_store::documents::NewDocument;
use canopy_store::{AuditEvent, Scope};

/// The spend form's text, and what the spender's limit leaves them.
async fn limit_text(state: &AppState, ctx: &Ctx, council_id: &str) -> Result<String, AppError> {
    let user = ctx.user()?;
    let (limit, spent) = state.store.spender_position(council_id, &user.user_id, state.clock.today()).await?;
    Ok(match limit {
        Some((l, _)) => format!(
            "You can spend up to {} at once, and {} in a month. You have {} left this month. A spend within your limit is approved at once; a larger one goes to your manager.",
            l.per_spend.display(),
            l.per_month.display(),
            l.left_in_month(spent).display()
        ),
        None => "You have no spending limit in this council, so your manager decides each spend.".into(),
    })
}

fn spend_form(
    ctx: &Ctx,
    child: &ChildRow,
    budgets: &[BudgetRow],
    categories: &[(String, String)],
    form: &FormData,
    errors: &FieldErrors,
) -> FormPage {
    let budget_options =
        budgets.iter().map(|b| (b.id.clone(), format!("{} ({} left)", b.name, b.available.display()))).collect();
    let methods = PaymentMethod::ALL.iter().map(|m| (m.code().to_string(), m.label().to_string())).collect();
    let mut fields = Vec::new();
    if budgets.len() > 1 || budgets.is_empty() {
        fields.push(Field::choices("budget_id", "Budget", "select", budget_options, &[form.get("budget_id")]));
    }
    fields.extend([
        Field::text("amount", "Amount", form.get("amount")).kind("money").hint("In pounds and pence, like 24.99"),
        Field::choices(
            "category",
            "What kind of spend",
            "select",
            std::iter::once((String::new(), "Choose one".to_string())).chain(categories.iter().cloned()).collect(),
            &[form.get("category")],
        ),
        Field::text("purpose", "What it is for", form.get("purpose"))
            .kind("textarea")
            .hint("In plain words, for example: school shoes for the start of term"),
        Field::text("supplier", "Who was paid", form.get("supplier")).hint("The shop, company or person"),
        Field::choices("method", "How it was paid", "radios", methods, &[form.get("method")]),
        Field::date("spent_on", "Date of the spend", form),
        Field::choices(
            "for_family",
            "Who it helps",
            "checkboxes",
            vec![("yes".into(), "The whole family, not only this child".into())],
            &form.all("for_family"),
        ),
        Field::text("receipt", "Receipt (optional)", "").kind("file").hint("A photo or PDF of the receipt"),
    ]);
    let action = format!("/children/{}/spends/new", child.id);
    let mut page = FormPage::new(ctx, "Record a spend", "/budgets/mine", &action, "Record spend", fields, errors)
        .back(&format!("/children/{}", child.id));
    page.caption = child.full_name();
    page.multipart = true;
    if budgets.len() == 1 {
        page.hidden.push(("budget_id".into(), budgets[0].id.clone()));
        page.extra_links.push(Link::new(
            "/budgets/mine",
            format!("From {}, which has {} left", budgets[0].name, budgets[0].available.display()),
        ));
    }
    page
}

pub async fn new_spend(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let budgets = spendable_budgets(&state, &ctx, &child.council_id).await?;
    let categories = state.store.budget_categories(&child.council_id).await?;
    let today = state.clock.today();
    let form = FormData(
        [
            crate::pages::date_parts("spent_on", today),
            vec![("method".into(), PaymentMethod::PurchaseCard.code().into())],
        ]
        .concat(),
    );
    let mut page = spend_form(&ctx, &child, &budgets, &categories, &form, &FieldErrors::new());
    page.intro = limit_text(&state, &ctx, &child.council_id).await?;
    if budgets.is_empty() {
        page.intro = "There is no open budget that your team or cluster holds in this child's council. Ask finance to set one up.".into();
    }
    render(page)
}

/// Checks a spend for a child, as typed in the form or sent to the API: the budget must be one
/// the user may spend from in the child's council.
pub(crate) async fn parse_spend(
    state: &AppState,
    ctx: &Ctx,
    child: &ChildRow,
    form: &FormData,
) -> Result<Result<NewSpend, FieldErrors>, AppError> {
    let categories = state.store.budget_categories(&child.council_id).await?;
    let mut errors = FieldErrors::new();
    let budget_id = form.get("budget_id");
    let actor = &ctx.user()?.actor;
    let found = match state.store.budget(&Scope::Organisation, &budget_id).await {
        Ok(b) => Some(b),
        Err(canopy_store::StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let budget = match &found {
        Some(b) if b.council_id != child.council_id => {
            errors.add("budget_id", "That budget belongs to another council. Choose a budget of the child's council.");
            None
        }
        Some(b) if !b.open => {
            errors.add("budget_id", "That budget is closed for the year");
            None
        }
        Some(b) if may(actor, Action::SpendFromBudget, &b.resource()) => Some(b),
        _ => {
            errors.add("budget_id", "Select a budget your team or cluster holds");
            None
        }
    };
    let date_error = date_from_parts(
        "the date of the spend",
        &form.get("spent_on-day"),
        &form.get("spent_on-month"),
        &form.get("spent_on-year"),
    );
    let spent_on = date_error.as_ref().ok().copied();
    if let Err(message) = &date_error {
        errors.add("spent_on", message.clone());
    }
    let input = SpendInput {
        amount: &form.get("amount"),
        category: &form.get("category"),
        purpose: &form.get("purpose"),
        supplier: &form.get("supplier"),
        method: &form.get("method"),
        spent_on,
    };
    let year = budget.map(|b| b.year).unwrap_or_else(|| canopy_domain::budgets::FinancialYear::of(state.clock.today()));
    let valid = validate_spend(&input, &categories, year, state.clock.today());
    let valid = match valid {
        Ok(v) => Some(v),
        Err(found) => {
            for e in found.0 {
                if !(e.field == "spent_on" && errors.for_field("spent_on").is_some()) {
                    errors.add(&e.field, e.message);
                }
            }
            None
        }
    };
    let (Some(valid), Some(budget), true) = (valid, budget, errors.is_empty()) else {
        return Ok(Err(errors));
    };
    Ok(Ok(NewSpend {
        budget_id: budget.id.clone(),
        child_id: child.id.clone(),
        for_family: form.get("for_family") == "yes",
        amount: valid.amount,
        category_code: valid.category_code,
        purpose: valid.purpose,
        supplier: valid.supplier,
        method: valid.method,
        spent_on: valid.spent_on,
        receipt_document_id: None,
    }))
}

pub async fn create_spend(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    // The spend's own audit row records this use of the record; a refused form audits the read.
    let child = child_for_change(&state, &ctx, &id, Action::EditChildRecord).await?;
    let (form, receipt) = crate::forms::read_multipart(multipart, "receipt").await?;
    let parsed = parse_spend(&state, &ctx, &child, &form).await?;
    let mut errors = parsed.as_ref().err().cloned().unwrap_or_default();
    let receipt_kind = match &receipt {
        Some((name, bytes)) => recognise(bytes, name).map_err(|m| errors.add("receipt", m)).ok(),
        None => None,
    };
    let spend = match parsed {
        Ok(spend) if errors.is_empty() => spend,
        _ => return refuse_spend(&state, &ctx, &child, &form, &errors).await,
    };
    let audit = ctx.audit(&state);
    let outcome = match state.store.record_spend(&audit, &spend, state.clock.today()).await {
        Ok(o) => o,
        Err(canopy_store::StoreError::Conflict { field, message }) => {
            return refuse_spend(&state, &ctx, &child, &form, &FieldErrors::one(&field, message)).await;
        }
        Err(e) => return Err(e.into()),
    };
    if let (Some((_, bytes)), Some(kind)) = (&receipt, receipt_kind) {
        store_receipt(&state, &audit, &spend, &outcome.id, bytes, kind).await?;
    }
    Ok(Redirect::to(&format!("/spends/{}", outcome.id)).into_response())
}

/// The spend form again, with what was typed and what is wrong.
async fn refuse_spend(
    state: &AppState,
    ctx: &Ctx,
    child: &ChildRow,
    form: &FormData,
    errors: &FieldErrors,
) -> Result<Response, AppError> {
    state.store.audit_child_read(&ctx.audit(state), child, "edit_child").await?;
    let budgets = spendable_budgets(state, ctx, &child.council_id).await?;
    let categories = state.store.budget_categories(&child.council_id).await?;
    let mut page = spend_form(ctx, child, &budgets, &categories, form, errors);
    page.intro = limit_text(state, ctx, &child.council_id).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
}

/// Keeps a receipt as a document on the child's record and links it to the spend.
pub(crate) async fn store_receipt(
    state: &AppState,
    audit: &canopy_store::AuditContext,
    spend: &NewSpend,
    spend_id: &str,
    bytes: &[u8],
    kind: canopy_domain::documents::DocumentKind,
) -> Result<(), AppError> {
    let title = format!("Receipt: {} {}", spend.supplier, spend.amount.display());
    let document = NewDocument { child_id: &spend.child_id, title: &title, kind: kind.code(), bytes };
    let doc = state.store.add_document(audit, &state.files, &document, state.clock.today()).await?;
    state.store.attach_receipt(audit, spend_id, &doc).await?;
    Ok(())
}

/// A spend and what the user may do with it, decided by the policy.
pub(crate) struct SpendAccess {
    pub spend: SpendRow,
    /// The user may see the child's record, and so the child's name and the purpose.
    pub sees_child: bool,
    pub may_decide: bool,
    pub may_manage: bool,
    pub own: bool,
}

impl SpendAccess {
    /// The changes this user may make now.
    pub fn changes(&self) -> Vec<SpendChange> {
        let mut out = Vec::new();
        let handles = self.own || self.may_decide || self.may_manage;
        match self.spend.status {
            SpendStatus::Committed if handles => out.extend([SpendChange::Pay, SpendChange::Cancel]),
            SpendStatus::AwaitingApproval if self.own => out.push(SpendChange::Cancel),
            SpendStatus::Paid if self.may_manage || self.may_decide => out.push(SpendChange::Refund),
            _ => {}
        }
        out
    }
}

/// Loads a spend if the user may see it: its maker, a manager who may decide it, finance, or
/// anyone who may open the child's record. Everyone else gets "not found". The read is audited.
pub(crate) async fn spend_for(state: &AppState, ctx: &Ctx, id: &str) -> Result<SpendAccess, AppError> {
    let user = ctx.user()?;
    let spend = state.store.spend(&Scope::Organisation, id).await?;
    let budget = state.store.budget(&Scope::Organisation, &spend.budget_id).await?;
    let child = state.store.get_child(&spend.child_id).await?;
    let sees_child = may(&user.actor, Action::ViewChildRecord, &child.resource());
    let may_decide = may(&user.actor, Action::DecideSpend, &budget.resource()) && spend.requested_by != user.user_id;
    let may_manage = may(&user.actor, Action::ManageBudgets, &budget.resource());
    let own = spend.requested_by == user.user_id;
    let allowed = sees_child || may_decide || may_manage || own;
    let event = AuditEvent::succeeded("view_spend", "spend", id)
        .with_council(&spend.council_id)
        .with_detail(format!("child {}", spend.child_id));
    state.store.audit(&ctx.audit(state), if allowed { event } else { event.with_outcome("denied") }).await?;
    if !allowed {
        return Err(AppError::NotFound);
    }
    Ok(SpendAccess { spend, sees_child, may_decide, may_manage, own })
}

/// The facts of a spend as rows; the child and the purpose only for those who may see them.
fn spend_facts(access: &SpendAccess) -> Vec<(String, String)> {
    let s = &access.spend;
    let mut rows = vec![
        ("Status".to_string(), s.status.label().to_string()),
        ("Amount".into(), s.amount.display()),
        ("Budget".into(), s.budget_name.clone()),
        ("Kind of spend".into(), s.category_name.clone()),
        ("Paid to".into(), s.supplier.clone()),
        ("Paid by".into(), s.method.label().into()),
        ("Date".into(), s.spent_on.format("%-d %B %Y").to_string()),
        ("Made by".into(), s.requested_by_name.clone()),
    ];
    if access.sees_child {
        rows.insert(1, ("For".into(), format!("{}{}", s.child_name, if s.for_family { " and family" } else { "" })));
        rows.push(("What it is for".into(), s.purpose.clone()));
    }
    if !s.limit_reasons.is_empty() {
        rows.push(("Why it needed a decision".into(), s.limit_reasons.join(". ")));
    }
    if let (Some(by), Some(at)) = (&s.decided_by_name, s.decided_at) {
        let how = if s.at_once {
            "Approved at once, within the limit".to_string()
        } else {
            format!("{by}, {}", crate::pages::show_time(at))
        };
        rows.push(("Decided".into(), how));
    }
    if !s.decision_note.is_empty() {
        rows.push(("Decision note".into(), s.decision_note.clone()));
    }
    if !s.settle_note.is_empty() {
        rows.push(("Note".into(), s.settle_note.clone()));
    }
    rows
}

pub async fn show_spend(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let access = spend_for(&state, &ctx, &id).await?;
    let s = &access.spend;
    let mut page = DetailPage::new(&ctx, &format!("Spend of {}", s.amount.display()), "/budgets/mine");
    page.caption = if access.sees_child { s.child_name.clone() } else { "Devolved budget spend".into() };
    page.page.notice = match s.status {
        SpendStatus::Paid | SpendStatus::Committed if s.at_once && access.own => Some(format!(
            "Approved: {} from {}{}",
            s.amount.display(),
            s.budget_name,
            if s.status == SpendStatus::Committed { ", to be paid when the invoice comes" } else { "" }
        )),
        SpendStatus::AwaitingApproval if access.own => {
            Some("Sent to your manager: this spend is over your limit, so a manager decides it".into())
        }
        _ => None,
    };
    page.summary = spend_facts(&access);
    if access.may_decide && s.status == SpendStatus::AwaitingApproval {
        page.actions.push(Link::new(format!("/spends/{}/decision", s.id), "Approve or decline"));
    }
    if !access.changes().is_empty() {
        page.actions.push(Link::new(format!("/spends/{}/settle", s.id), "Pay, cancel or refund"));
    }
    if s.receipt_document_id.is_some() {
        page.actions.push(Link::new(format!("/spends/{}/receipt", s.id), "Download the receipt"));
    }
    if access.sees_child {
        page.actions.push(Link::new(format!("/children/{}", s.child_id), "Back to the child's record"));
    }
    render(page)
}

/// The family's recent spends, beside a decision.
async fn recent_for_family(state: &AppState, access: &SpendAccess) -> Result<Table, AppError> {
    let since = state.clock.today() - chrono::Days::new(365);
    let filter = SpendFilter {
        child_id: Some(access.spend.child_id.clone()),
        since: Some(since),
        ..SpendFilter::in_scope(Scope::Organisation)
    };
    let mut spends = state.store.spends(&filter).await?;
    spends.retain(|s| s.id != access.spend.id);
    let mut table = super::spends_table("This family's spends in the last year", "What for", &spends, |s| {
        if access.sees_child {
            format!("{}: {}", s.category_name, s.purpose)
        } else {
            s.category_name.clone()
        }
    });
    table.empty = "Nothing else has been spent for this family in the last year.".into();
    Ok(table)
}

fn decision_form(
    ctx: &Ctx,
    access: &SpendAccess,
    form: &FormData,
    errors: &FieldErrors,
    tables: Vec<Table>,
) -> FormPage {
    let s = &access.spend;
    let fields = vec![
        Field::choices(
            "decision",
            "Your decision",
            "radios",
            vec![("approve".into(), "Approve".into()), ("decline".into(), "Decline".into())],
            &[form.get("decision")],
        ),
        Field::text("note", "Note", form.get("note"))
            .kind("textarea")
            .hint("Needed when you decline: the maker sees it"),
    ];
    let action = format!("/spends/{}/decision", s.id);
    let mut page = FormPage::new(
        ctx,
        &format!("Decide a spend of {}", s.amount.display()),
        "/budgets/approvals",
        &action,
        "Record decision",
        fields,
        errors,
    )
    .back("/budgets/approvals");
    page.caption = format!("{} asked on {}", s.requested_by_name, crate::pages::show_time(s.requested_at));
    let mut facts = Table::new(
        "The spend",
        &["", ""],
        spend_facts(access).into_iter().map(|(k, v)| vec![Cell::text(k), Cell::text(v)]).collect(),
    );
    facts.head = vec!["Detail".into(), "Value".into()];
    page.tables = std::iter::once(facts).chain(tables).collect();
    page.tables_first = true;
    page
}

/// What a manager is told when declining without saying why.
pub(crate) const DECLINE_NOTE: &str = "Say why you are declining the spend";

/// Checks the note of a decision or settlement: at most 1,000 characters, and present when
/// `needed` says why it must be.
pub(crate) fn check_note(errors: &mut FieldErrors, note: &str, needed: Option<&str>) {
    if let (Some(message), true) = (needed, note.is_empty()) {
        errors.add("note", message);
    }
    if note.chars().count() > 1_000 {
        errors.add("note", "The note must be 1,000 characters or fewer");
    }
}

/// A spend the user may decide; their own spend is a conflict, anyone else's out of reach is
/// not found.
pub(crate) async fn decidable(state: &AppState, ctx: &Ctx, id: &str) -> Result<SpendAccess, AppError> {
    let access = spend_for(state, ctx, id).await?;
    if !access.may_decide {
        return Err(if access.own {
            AppError::Conflict("You cannot decide your own spend: another manager decides it".into())
        } else {
            AppError::NotFound
        });
    }
    Ok(access)
}

pub async fn show_decision(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let access = decidable(&state, &ctx, &id).await?;
    let family = recent_for_family(&state, &access).await?;
    render(decision_form(&ctx, &access, &FormData::default(), &FieldErrors::new(), vec![family]))
}

pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let access = decidable(&state, &ctx, &id).await?;
    let mut errors = FieldErrors::new();
    let decision = form.get("decision");
    let note = form.get("note").trim().to_string();
    if decision != "approve" && decision != "decline" {
        errors.add("decision", "Select approve or decline");
    }
    check_note(&mut errors, &note, (decision == "decline").then_some(DECLINE_NOTE));
    if errors.is_empty() {
        match state.store.decide_spend(&ctx.audit(&state), &id, decision == "approve", &note, state.clock.today()).await
        {
            Ok(_) => return Ok(Redirect::to(&format!("/spends/{id}")).into_response()),
            Err(canopy_store::StoreError::Conflict { message, .. }) => errors.add("decision", message),
            Err(e) => return Err(e.into()),
        }
    }
    let family = recent_for_family(&state, &access).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(decision_form(&ctx, &access, &form, &errors, vec![family]))?)
        .into_response())
}

fn change_label(change: SpendChange) -> (&'static str, &'static str) {
    match change {
        SpendChange::Pay => ("pay", "It has been paid"),
        SpendChange::Cancel => ("cancel", "Cancel it: the money goes back to the budget"),
        SpendChange::Refund => ("refund", "It was refunded: the money goes back to the budget"),
        SpendChange::Approve => ("approve", "Approve"),
        SpendChange::Decline => ("decline", "Decline"),
    }
}

fn settle_form(ctx: &Ctx, access: &SpendAccess, form: &FormData, errors: &FieldErrors) -> FormPage {
    let options = access
        .changes()
        .into_iter()
        .map(|c| {
            let (v, l) = change_label(c);
            (v.to_string(), l.to_string())
        })
        .collect();
    let fields = vec![
        Field::choices("change", "What happened", "radios", options, &[form.get("change")]),
        Field::text("note", "Note", form.get("note"))
            .kind("textarea")
            .hint("For example, the invoice number or why it was refunded"),
    ];
    let action = format!("/spends/{}/settle", access.spend.id);
    FormPage::new(
        ctx,
        &format!("Settle a spend of {}", access.spend.amount.display()),
        "/budgets/mine",
        &action,
        "Save",
        fields,
        errors,
    )
    .back(&format!("/spends/{}", access.spend.id))
}

pub async fn show_settle(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let access = spend_for(&state, &ctx, &id).await?;
    if access.changes().is_empty() {
        return Err(AppError::Conflict(format!(
            "A spend that is '{}' has nothing left to settle",
            access.spend.status.label().to_lowercase()
        )));
    }
    render(settle_form(&ctx, &access, &FormData::default(), &FieldErrors::new()))
}

pub async fn settle(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let access = spend_for(&state, &ctx, &id).await?;
    let mut errors = FieldErrors::new();
    let change = access.changes().into_iter().find(|c| change_label(*c).0 == form.get("change"));
    let note = form.get("note").trim().to_string();
    if change.is_none() {
        errors.add("change", "Select what happened");
    }
    check_note(&mut errors, &note, (change == Some(SpendChange::Refund)).then_some("Say why it was refunded"));
    if let (Some(change), true) = (change, errors.is_empty()) {
        match state.store.settle_spend(&ctx.audit(&state), &id, change, &note, state.clock.today()).await {
            Ok(_) => return Ok(Redirect::to(&format!("/spends/{id}")).into_response()),
            Err(canopy_store::StoreError::Conflict { message, .. }) => errors.add("change", message),
            Err(e) => return Err(e.into()),
        }
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(settle_form(&ctx, &access, &form, &errors))?).into_response())
}

/// The receipt of a spend, for those who may see the spend (finance included: a receipt is a
/// financial record).
pub async fn receipt(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, AppError> {
    let access = spend_for(&state, &ctx, &id).await?;
    let doc = access.spend.receipt_document_id.as_deref().ok_or(AppError::NotFound)?;
    let document = state.store.document(&access.spend.child_id, doc).await?;
    let event = AuditEvent::succeeded("download_receipt", "spend", &id)
        .with_council(&access.spend.council_id)
        .with_detail(doc.to_string());
    crate::pages::children::send_document(&state, &ctx, &document, event).await
}
