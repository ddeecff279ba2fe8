//! Children's records: search before create, the record itself, and the forms for each step of
//! the journey. Every read and change goes through the policy and is audited; a record the user
//! may not open is "not found", exactly like a missing one.

mod access;
mod address;
mod care;
mod details;
mod documents;
mod duty;
mod early_help;
mod family;
mod merge;
mod notes;
pub(crate) mod search;
mod siblings;
mod steps;
mod trays;
mod worker;

pub use access::{save_access, show_access};
pub(crate) use address::parse_move;
pub use address::{move_child, new_address};
pub(crate) use care::{episode_locations, history_of as care_history_of, record_entry as record_care_entry};
pub use care::{save_care, show_care};
pub use details::{save_details, show_details};
pub(crate) use documents::send_document;
pub(crate) use early_help::{history_of as early_help_of, record_entry as record_early_help};
pub use early_help::{save_early_help, show_early_help};

pub use documents::{download, new_document, upload};
pub(crate) use duty::case_scope;
pub(crate) use duty::duty_board_data;
pub use duty::{duty_board, duty_index, lend, show_lend};
pub(crate) use family::parse_member;
pub use family::{add_member, new_member};
pub(crate) use merge::merge_records;
pub use merge::{merge, show_merge};
pub use notes::{add_note, new_note};
pub(crate) use search::matches;
pub use search::{create_child, new_child, search};
pub use siblings::{link_sibling, new_sibling};
pub use steps::Step;
pub use trays::{allocate, allocation, front_door, work_tray};
pub(crate) use worker::change_worker;
pub use worker::{save_worker, show_worker};

use super::{render, show_date, show_time, Cell, Ctx, DetailPage, Field, FormPage, Link, Table};
use crate::forms::FormData;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::{may, Action};
use canopy_domain::cases::{clock_status, running_clocks, ClockKind, Event, Journey, NoteType, RuleContext};
use canopy_domain::people::{Ethnicity, Sex};
use canopy_domain::validation::FieldErrors;
use canopy_store::children::ChildRow;
use chrono::NaiveDate;

/// Loads a child the user may act on, auditing the read; otherwise "not found".
pub async fn child_for(state: &AppState, ctx: &Ctx, id: &str, action: Action) -> Result<ChildRow, AppError> {
    let child = child_unaudited(state, ctx, id, action).await?;
    let what = if action == Action::EditChildRecord { "edit_child" } else { "view_child" };
    state.store.audit_child_read(&ctx.audit(state), &child, what).await?;
    Ok(child)
}

/// The child's record if the policy allows `action`, for a change whose own audit row, written
/// in the same transaction, records the access. A refusal is still audited here. The caller
/// must audit a read itself if it shows the record without making the change.
pub(crate) async fn child_for_change(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    action: Action,
) -> Result<ChildRow, AppError> {
    child_unaudited(state, ctx, id, action).await
}

async fn child_unaudited(state: &AppState, ctx: &Ctx, id: &str, action: Action) -> Result<ChildRow, AppError> {
    let user = ctx.user()?;
    let child = match state.store.get_child(id).await {
        Ok(c) => c,
        Err(canopy_store::StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    if !may(&user.actor, action, &child.resource()) {
        // Refusals are audited too: a pattern of them is worth an auditor's look.
        let event = canopy_store::AuditEvent::succeeded("open_child", "child", id).with_outcome("denied");
        state.store.audit(&ctx.audit(state), event).await?;
        return Err(AppError::NotFound);
    }
    if let (Some(kept), Action::EditChildRecord) = (&child.merged_into, action) {
        return Err(AppError::Conflict(format!("This record was merged into record {kept}: record work there")));
    }
    Ok(child)
}

/// The child's journey and the council's rules, replayed from the history.
pub async fn journey_of(state: &AppState, child: &ChildRow) -> Result<Journey, AppError> {
    let calendar = state.store.council_calendar(&child.council_id).await?;
    let rules = state.store.clock_rules(&child.council_id).await?;
    let events = state.store.journey_events(&child.id).await?;
    Journey::replay(&events, &RuleContext { calendar: &calendar, rules: &rules })
        .map_err(|e| AppError::Internal(format!("stored journey of {} no longer replays: {e}", child.id)))
}

fn birth(child: &ChildRow) -> String {
    match (child.date_of_birth, child.expected_date_of_birth) {
        (Some(d), _) => d.format("%-d %B %Y").to_string(),
        (None, Some(e)) => format!("Unborn, expected {}", e.format("%-d %B %Y")),
        _ => String::new(),
    }
}

pub async fn record(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, AppError> {
    let child = child_for(&state, &ctx, &id, Action::ViewChildRecord).await?;
    if let Some(kept) = &child.merged_into {
        return Ok(Redirect::to(&format!("/children/{kept}")).into_response());
    }
    let user = ctx.user()?;
    let narrative = may(&user.actor, Action::ViewCaseNarrative, &child.resource());
    let journey = journey_of(&state, &child).await?;
    let calendar = state.store.council_calendar(&child.council_id).await?;
    let rules = state.store.clock_rules(&child.council_id).await?;
    let today = state.clock.today();
    let council = state.store.get_council(&canopy_store::Scope::Organisation, &child.council_id).await?;
    let worker = match &child.allocated_to {
        Some(w) => state.store.get_user(w).await.map(|u| u.display_name).unwrap_or_default(),
        None => "Not allocated".into(),
    };
    let mut page = DetailPage::new(&ctx, &child.full_name(), "/work-tray");
    page.caption = format!(
        "{} · {}",
        council.name,
        if child.sensitivity == "normal" {
            "Child's record".to_string()
        } else {
            format!("{} record", child.sensitivity)
        }
    );
    page.summary = vec![
        ("Date of birth".into(), birth(&child)),
        ("Sex".into(), Sex::from_code(&child.sex).map(|s| s.label()).unwrap_or("").into()),
        ("Ethnicity".into(), Ethnicity::from_code(&child.ethnicity).map(|e| e.label()).unwrap_or("").into()),
        ("NHS number".into(), child.nhs_number.clone().unwrap_or_else(|| "Not known".into())),
        ("UPN".into(), child.upn.clone().or_else(|| child.upn_unknown.clone()).unwrap_or_default()),
        ("Local id".into(), child.local_id.clone()),
        ("Postcode".into(), child.postcode.clone().unwrap_or_default()),
        ("Allocated worker".into(), worker),
    ];
    if let Some(died) = child.date_of_death {
        page.summary.push(("Date of death".into(), show_date(died)));
    }
    if may(&user.actor, Action::EditChildRecord, &child.resource()) {
        for step in steps::open_steps(&journey) {
            page.actions.push(Link::new(format!("/children/{}/record/{}", child.id, step.code()), step.label()));
        }
    }
    if may(&user.actor, Action::EditChildRecord, &child.resource()) {
        page.actions.push(Link::new(format!("/children/{}/notes/new", child.id), "Add a case note"));
        page.actions.push(Link::new(format!("/children/{}/details", child.id), "Change the child's details"));
        page.actions.push(Link::new(format!("/children/{}/people/new", child.id), "Add a family member"));
        page.actions.push(Link::new(format!("/children/{}/siblings", child.id), "Link a sibling's record"));
        page.actions.push(Link::new(format!("/children/{}/documents/new", child.id), "Attach a document"));
        page.actions.push(Link::new(format!("/children/{}/address", child.id), "Record a new address"));
        if user.actor.holds(canopy_domain::access::Permission::CaseAllocate) {
            page.actions.push(Link::new(format!("/children/{}/worker", child.id), "Change the social worker"));
            page.actions.push(Link::new(format!("/children/{}/merge", child.id), "Merge a duplicate record"));
            page.actions.push(Link::new(format!("/children/{}/access", child.id), "Restrict access to this record"));
        }
    }
    let care = care::history_of(&state, &child).await?;
    let may_edit = may(&user.actor, Action::EditChildRecord, &child.resource());
    let locations = care::episode_locations(&state, &child, &care).await?;
    let care = care::care_section(
        &child,
        &care,
        &locations,
        &calendar,
        state.clock.today(),
        may_edit,
        ctx.may_org(Action::WorkInAdoption),
    );
    page.actions.extend(care.links);
    page.summary.extend(care.summary);
    let early_help = early_help::history_of(&state, &child, &journey).await?;
    let early_help = early_help::early_help_section(&child, &early_help, may_edit);
    page.actions.extend(early_help.links);
    page.summary.extend(early_help.summary);
    if user.actor.holds(canopy_domain::access::Permission::BudgetSpend) && may_edit {
        page.actions.insert(0, Link::new(format!("/children/{}/spends/new", child.id), "Record a spend"));
    }
    page.tables.push(worker::workers_table(&state, &child).await?);
    page.tables.push(super::budgets::child_spends_table(&state, &child).await?);
    let addresses = state.store.addresses(&child.id).await?;
    if !addresses.is_empty() {
        page.tables.push(Table::new(
            "Addresses",
            &["Address", "Postcode", "From", "To"],
            addresses
                .iter()
                .map(|a| {
                    vec![
                        Cell::text(format!("{}, {}", a.line1, a.town)),
                        Cell::text(&a.postcode),
                        Cell::text(show_date(a.moved_in)),
                        Cell::text(a.moved_out.map(show_date).unwrap_or_else(|| "Now".into())),
                    ]
                })
                .collect(),
        ));
    }
    let people = state.store.relationships(&child.id).await?;
    let mut table = Table::new(
        "People and relationships",
        &["Name", "Relationship", "Lives with the child"],
        people
            .iter()
            .map(|p| {
                let relationship =
                    canopy_domain::people::Relationship::from_code(&p.relationship).map(|r| r.label()).unwrap_or("");
                vec![
                    Cell::text(format!("{} {}", p.first_name, p.last_name)),
                    Cell::text(relationship),
                    Cell::text(if p.same_household { "Yes" } else { "No" }),
                ]
            })
            .collect(),
    );
    for (sibling, relationship) in state.store.linked_children(&child.id).await? {
        if may(&user.actor, Action::ViewChildRecord, &sibling.resource()) {
            let label = canopy_domain::people::Relationship::from_code(&relationship).map(|r| r.label()).unwrap_or("");
            table.rows.push(vec![
                Cell::link(sibling.full_name(), format!("/children/{}", sibling.id)),
                Cell::text(label),
                Cell::text(if sibling.postcode.is_some() && sibling.postcode == child.postcode { "Yes" } else { "No" }),
            ]);
        }
    }
    table.empty = "No family members or other adults are recorded.".into();
    page.tables.push(table);
    let clocks = running_clocks(&journey, &calendar, &rules);
    let mut clock_table = Table::new(
        "What is due",
        &["Status", "What", "Due"],
        clocks
            .iter()
            .map(|c| {
                vec![
                    Cell::text(clock_status(c.due, today, &calendar).label()),
                    Cell::text(c.kind.label()),
                    Cell::text(show_date(c.due)),
                ]
            })
            .collect(),
    );
    for (what, due) in care.due {
        clock_table.rows.push(vec![
            Cell::text(clock_status(due, today, &calendar).label()),
            Cell::text(what),
            Cell::text(show_date(due)),
        ]);
    }
    clock_table.empty = "Nothing is due for this child.".into();
    page.tables.push(clock_table);
    page.tables.extend(care.tables);
    page.tables.extend(early_help.tables);
    let episodes = journey
        .episodes
        .iter()
        .rev()
        .map(|e| {
            let status = match e.closed {
                Some((d, r)) => format!("Closed {} ({})", show_date(d), r.code()),
                None => "Open".into(),
            };
            let plans = e.cp_plans.len() + e.cin_plans.len();
            vec![
                Cell::text(show_date(e.referral_date)),
                Cell::text(e.source.label()),
                Cell::text(e.primary_need.map(|n| n.code()).unwrap_or("")),
                Cell::text(format!(
                    "{} assessments, {} enquiries, {plans} plans",
                    e.assessments.len(),
                    e.section47s.len()
                )),
                Cell::text(status),
            ]
        })
        .collect();
    page.tables.push(Table::new("Episodes", &["Referral", "Source", "Need", "Work", "Status"], episodes));
    page.tables.push(crate::pages::quality::child_table(&state, &child.id).await?);
    let history = state.store.child_history(&child.id).await?;
    let mut chronology: Vec<(NaiveDate, i64, String, String)> = Vec::new();
    for h in &history {
        let what = match h.kind.as_str() {
            "journey" => match serde_json::from_str::<Event>(&h.payload) {
                // Finance and HR never see narrative: the worry in a contact is narrative.
                Ok(Event::ContactReceived { source, .. }) if !narrative => {
                    format!("Contact from {}", source.label().to_lowercase())
                }
                Ok(e) => e.describe(),
                Err(_) => "Journey event".into(),
            },
            "early_help" => match serde_json::from_str::<canopy_domain::early_help::EarlyHelpEntry>(&h.payload) {
                Ok(e) => e.describe(),
                Err(_) => "Early help".into(),
            },
            "record_created" => "Record created".into(),
            "details_changed" => format!(
                "Details changed{}",
                if h.reason.is_empty() { String::new() } else { format!(": {}", h.reason) }
            ),
            "note" => {
                let note: serde_json::Value = serde_json::from_str(&h.payload).unwrap_or_default();
                if note["significant"] != true {
                    continue;
                }
                let kind =
                    note["note_type"].as_str().and_then(NoteType::from_code).map(|t| t.label()).unwrap_or("Note");
                if narrative {
                    format!("{kind}: {}", note["text"].as_str().unwrap_or_default())
                } else {
                    kind.to_string()
                }
            }
            "care" => match serde_json::from_str::<canopy_domain::cases::care::CareEntry>(&h.payload) {
                Ok(e) => e.describe(),
                Err(_) => "Care".into(),
            },
            "allocated" => "Allocated".into(),
            "document_added" => "Document attached".into(),
            "merged" => "Records merged".into(),
            "child_linked" => "Linked to a sibling's record".into(),
            "moved" => {
                let moved: serde_json::Value = serde_json::from_str(&h.payload).unwrap_or_default();
                format!("Moved to {}", moved["postcode"].as_str().unwrap_or("a new address"))
            }
            "family_member_added" => {
                let added: serde_json::Value = serde_json::from_str(&h.payload).unwrap_or_default();
                format!("{} added to the record", added["name"].as_str().unwrap_or("A person"))
            }
            "access_changed" => "Access to the record changed".into(),
            other => other.replace('_', " "),
        };
        chronology.push((h.event_date, h.seq, what, show_time(h.at_ms)));
    }
    chronology.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    if narrative {
        let notes: Vec<Vec<Cell>> = history
            .iter()
            .rev()
            .filter(|h| h.kind == "note")
            .map(|h| {
                let note: serde_json::Value = serde_json::from_str(&h.payload).unwrap_or_default();
                let kind =
                    note["note_type"].as_str().and_then(NoteType::from_code).map(|t| t.label()).unwrap_or("Note");
                vec![
                    Cell::text(show_date(h.event_date)),
                    Cell::text(kind),
                    Cell::text(note["text"].as_str().unwrap_or_default()),
                ]
            })
            .collect();
        let mut table = Table::new("Case notes", &["Date", "Kind", "Note"], notes);
        table.empty = "No case notes yet.".into();
        page.tables.push(table);
        let documents = state
            .store
            .documents(&child.id)
            .await?
            .into_iter()
            .map(|d| {
                vec![
                    Cell::link(&d.title, format!("/children/{}/documents/{}", child.id, d.id)),
                    Cell::text(d.kind.to_uppercase()),
                    Cell::text(format!("{} KB", (d.size_bytes + 1023) / 1024)),
                    Cell::text(show_time(d.uploaded_at)),
                ]
            })
            .collect();
        let mut table = Table::new("Documents", &["Document", "Type", "Size", "Added"], documents);
        table.empty = "No documents are attached.".into();
        page.tables.push(table);
    }
    page.tables.push(Table::new(
        "Chronology",
        &["Date", "What happened", "Recorded"],
        chronology
            .into_iter()
            .map(|(d, _, what, at)| vec![Cell::text(show_date(d)), Cell::text(what), Cell::text(at)])
            .collect(),
    ));
    Ok(render(page)?.into_response())
}

fn step_form(
    ctx: &Ctx,
    child: &ChildRow,
    step: Step,
    form: &FormData,
    errors: &FieldErrors,
    household: &[(String, String)],
) -> FormPage {
    let mut fields = steps::fields(step, form);
    if step == Step::Contact && !household.is_empty() {
        fields.push(
            Field::choices(
                "also_about",
                "Other children this contact is about",
                "checkboxes",
                household.to_vec(),
                &form.all("also_about"),
            )
            .hint("Children at the same address: the contact is recorded for each, and decided once for all"),
        );
    }
    fields.push(Field::text("reason", "Note for the record (optional)", form.get("reason")).kind("textarea"));
    let action = format!("/children/{}/record/{}", child.id, step.code());
    let mut page = FormPage::new(ctx, step.label(), "/work-tray", &action, "Save", fields, errors)
        .back(&format!("/children/{}", child.id));
    page.caption = child.full_name();
    page.draft = true;
    page
}

fn today_form(today: NaiveDate) -> FormData {
    FormData(crate::pages::date_parts("date", today))
}

fn open_step(journey: &Journey, code: &str) -> Result<Step, AppError> {
    let step = Step::from_code(code).ok_or(AppError::NotFound)?;
    if !steps::open_steps(journey).contains(&step) {
        return Err(AppError::Conflict(format!("'{}' is not open for this child now", step.label())));
    }
    Ok(step)
}

/// The form as the user left it in a draft, if they saved one, with a notice saying so.
pub(crate) async fn restore_draft(
    state: &AppState,
    ctx: &Ctx,
    key: &str,
    fresh: FormData,
) -> Result<(FormData, Option<String>), AppError> {
    match state.store.draft(&ctx.user()?.user_id, key).await? {
        Some((fields, at)) => {
            Ok((FormData(fields), Some(format!("Your draft from {} is shown. Save it to record it.", show_time(at)))))
        }
        None => Ok((fresh, None)),
    }
}

/// Keeps what was typed as a draft and goes back to the form.
pub(crate) async fn keep_draft(
    state: &AppState,
    ctx: &Ctx,
    key: &str,
    form: &FormData,
    back_to: &str,
) -> Result<Response, AppError> {
    let fields: Vec<(String, String)> =
        form.0.iter().filter(|(k, _)| k != "csrf_token" && k != "save_draft").cloned().collect();
    state.store.save_draft(&ctx.user()?.user_id, key, &fields, state.now_ms()).await?;
    Ok(Redirect::to(back_to).into_response())
}

pub async fn show_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let journey = journey_of(&state, &child).await?;
    let step = open_step(&journey, &code)?;
    let key = format!("child:{}:{}", child.id, step.code());
    let (form, notice) = restore_draft(&state, &ctx, &key, today_form(state.clock.today())).await?;
    let household = household_of(&state, &ctx, &child, step).await?;
    let mut page = step_form(&ctx, &child, step, &form, &FieldErrors::new(), &household);
    page.page.notice = notice;
    render(page)
}

/// Records a step: the form is read into an event, and the store adds it only if the domain
/// accepts it against the history read inside the same transaction.
pub async fn save_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, AppError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let journey = journey_of(&state, &child).await?;
    let step = open_step(&journey, &code)?;
    let key = format!("child:{}:{}", child.id, step.code());
    if form.get("save_draft") == "yes" {
        return keep_draft(&state, &ctx, &key, &form, &format!("/children/{}/record/{}", child.id, step.code())).await;
    }
    let household = household_of(&state, &ctx, &child, step).await?;
    let invalid = |errors: FieldErrors| -> Result<Response, AppError> {
        Ok((StatusCode::UNPROCESSABLE_ENTITY, render(step_form(&ctx, &child, step, &form, &errors, &household))?)
            .into_response())
    };
    let event = match steps::build_event(step, &form, &journey, state.clock.today(), &mut canopy_store::new_id) {
        Ok(e) => e,
        Err(errors) => return invalid(errors),
    };
    let reason = form.get("reason").trim().to_string();
    let also: Vec<String> =
        form.all("also_about").into_iter().filter(|id| household.iter().any(|(h, _)| h == id)).collect();
    match record_event(&state, &ctx, &child, &event, &reason, &also).await? {
        Ok(()) => {
            state.store.discard_draft(&ctx.user()?.user_id, &key).await?;
            Ok(Redirect::to(&format!("/children/{}", child.id)).into_response())
        }
        Err(broken) => invalid(FieldErrors::one("date", broken.0)),
    }
}

/// Records `event` on the child (and, for a contact decision, on every child the contact is
/// about), checked by the domain against the history read inside the same transaction.
pub async fn record_event(
    state: &AppState,
    ctx: &Ctx,
    child: &ChildRow,
    event: &Event,
    reason: &str,
    also_about: &[String],
) -> Result<Result<(), canopy_domain::cases::RuleBroken>, AppError> {
    // A contact may be about several children of a household: it is recorded for each of them.
    let mut children = vec![child.id.clone()];
    if let Event::ContactReceived { .. } = event {
        for other in also_about {
            let sibling = child_for(state, ctx, other, Action::EditChildRecord).await?;
            if sibling.council_id == child.council_id && sibling.id != child.id {
                children.push(sibling.id);
            }
        }
    }
    // A contact about siblings is decided once, for all of them.
    if let Event::ContactDecided { contact, .. } = event {
        for sibling in state.store.children_with_contact(contact).await? {
            if sibling != child.id {
                children.push(child_for(state, ctx, &sibling, Action::EditChildRecord).await?.id);
            }
        }
    }
    let calendar = state.store.council_calendar(&child.council_id).await?;
    let rules = state.store.clock_rules(&child.council_id).await?;
    let audit = ctx.audit(state);
    let recorded = state
        .store
        .record_journey_event(&audit, &children, event, reason, |_, events| {
            let journey = Journey::with_event(events, event, &RuleContext { calendar: &calendar, rules: &rules })?;
            Ok(running_clocks(&journey, &calendar, &rules))
        })
        .await?;
    if recorded.is_ok() {
        for id in &children {
            crate::pages::quality::recheck(state, id, audit.at_ms).await?;
        }
    }
    Ok(recorded)
}

/// A council's calendar and clock rules, which work out every kind of clock.
struct CouncilClocks {
    calendar: canopy_domain::calendar::WorkingCalendar,
    rules: canopy_domain::cases::ClockRules,
}

impl canopy_store::children::ClockRebuild for CouncilClocks {
    fn journey(&mut self, events: &[Event]) -> Result<Vec<canopy_domain::cases::RunningClock>, String> {
        let journey = Journey::replay(events, &RuleContext { calendar: &self.calendar, rules: &self.rules })
            .map_err(|e| e.to_string())?;
        Ok(running_clocks(&journey, &self.calendar, &self.rules))
    }

    fn care(
        &mut self,
        entries: &[canopy_domain::cases::care::CareEntry],
        date_of_birth: Option<NaiveDate>,
    ) -> Result<Vec<canopy_domain::cases::RunningClock>, String> {
        canopy_domain::cases::care::care_history(entries)
            .map(|h| h.clocks(&self.calendar, date_of_birth))
            .map_err(|e| e.to_string())
    }

    fn early_help(
        &mut self,
        entries: &[canopy_domain::early_help::EarlyHelpEntry],
        events: &[Event],
    ) -> Result<Vec<canopy_domain::cases::RunningClock>, String> {
        let journey = Journey::replay(events, &RuleContext { calendar: &self.calendar, rules: &self.rules })
            .map_err(|e| e.to_string())?;
        canopy_domain::early_help::early_help_history(entries, &journey)
            .map(|h| h.clocks(&self.calendar, &self.rules))
            .map_err(|e| e.to_string())
    }
}

/// Recomputes every clock in a council after its calendar or clock rules change.
pub async fn rebuild_clocks(state: &AppState, council_id: &str) -> Result<usize, AppError> {
    let calendar = state.store.council_calendar(council_id).await?;
    let rules = state.store.clock_rules(council_id).await?;
    Ok(state.store.rebuild_council_clocks(council_id, &mut CouncilClocks { calendar, rules }).await?)
}

/// The other children at the same address as `child` whom the user may work with, for a
/// contact about a household.
async fn household_of(
    state: &AppState,
    ctx: &Ctx,
    child: &ChildRow,
    step: Step,
) -> Result<Vec<(String, String)>, AppError> {
    if step != Step::Contact {
        return Ok(Vec::new());
    }
    children_at_home(state, ctx, child).await
}

/// The other children at the same address as `child` whom the user may work with.
pub(crate) async fn children_at_home(
    state: &AppState,
    ctx: &Ctx,
    child: &ChildRow,
) -> Result<Vec<(String, String)>, AppError> {
    let Some(postcode) = &child.postcode else { return Ok(Vec::new()) };
    let user = ctx.user()?;
    Ok(state
        .store
        .children_at_postcode(&child.council_id, postcode)
        .await?
        .into_iter()
        .filter(|c| c.id != child.id && may(&user.actor, Action::EditChildRecord, &c.resource()))
        .map(|c| (c.id.clone(), c.full_name()))
        .collect())
}

/// The label of a stored clock kind.
pub fn clock_label(code: &str) -> &'static str {
    ClockKind::from_code(code).map(|k| k.label()).unwrap_or("Due")
}
