//! Councils: their codes, postcode districts and calendars.

#[allow(unused_imports)]
use super::*;

pub async fn councils(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let rows = state.store.list_councils(&Scope::Organisation).await?;
    let mut page = DetailPage::new(&ctx, "Councils", "/admin");
    page.page.back_link = Some("/admin".into());
    page.actions.push(Link::new("/admin/councils/new", "Add a council"));
    page.tables.push(Table::new(
        "Councils",
        &["Council", "LA code", "ONS code", "Postcode districts", "Working days", "Clocks"],
        rows.iter()
            .map(|c| {
                vec![
                    Cell::link(&c.name, format!("/admin/councils/{}/edit", c.id)),
                    Cell::text(&c.la_code),
                    Cell::text(&c.ons_code),
                    Cell::text(c.postcode_districts.join(", ")),
                    Cell::link("Calendar", format!("/admin/councils/{}/calendar", c.id)),
                    Cell::link("Clock rules", format!("/admin/councils/{}/clock-rules", c.id)),
                ]
            })
            .collect(),
    ));
    render(page)
}

pub(super) fn council_form(ctx: &Ctx, id: Option<&str>, input: &CouncilInput, errors: &FieldErrors) -> FormPage {
    let fields = vec![
        Field::text("name", "Council name", &input.name),
        Field::text("la_code", "DfE LA code", &input.la_code)
            .hint("Three digits, for example 314")
            .width("govuk-input--width-3"),
        Field::text("ons_code", "ONS code", &input.ons_code)
            .hint("For example E09000021")
            .width("govuk-input--width-10"),
        Field::text("postcode_districts", "Postcode districts", &input.postcode_districts)
            .kind("textarea")
            .hint("The districts the council covers, separated by commas, for example KT1, KT2, KT3"),
    ];
    let (title, action) = match id {
        Some(id) => ("Change a council".to_string(), format!("/admin/councils/{id}/edit")),
        None => ("Add a council".to_string(), "/admin/councils/new".to_string()),
    };
    FormPage::new(ctx, &title, "/admin", &action, "Save council", fields, errors).back("/admin/councils")
}

fn council_input(form: &FormData) -> CouncilInput {
    CouncilInput {
        name: form.get("name"),
        la_code: form.get("la_code"),
        ons_code: form.get("ons_code"),
        postcode_districts: form.get("postcode_districts"),
    }
}

pub async fn new_council(ctx: Ctx) -> Result<Html<String>, AppError> {
    render(council_form(&ctx, None, &CouncilInput::default(), &FieldErrors::new()))
}

pub async fn edit_council(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let c = state.store.get_council(&Scope::Organisation, &id).await?;
    let input = CouncilInput {
        name: c.name,
        la_code: c.la_code,
        ons_code: c.ons_code,
        postcode_districts: c.postcode_districts.join(", "),
    };
    render(council_form(&ctx, Some(&id), &input, &FieldErrors::new()))
}

async fn save_council(state: &AppState, ctx: &Ctx, id: Option<&str>, form: FormData) -> PageResult {
    let input = council_input(&form);
    let others = state.store.other_councils(id).await?;
    let result = match validate_council(&input, &others) {
        Ok(valid) => conflict_to_field(state.store.save_council(&ctx.audit(state), id, &valid).await)?.map(|_| ()),
        Err(errors) => Err(errors),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/councils").into_response()),
        Err(errors) => invalid(council_form(ctx, id, &input, &errors)),
    }
}

pub async fn create_council(State(state): State<AppState>, ctx: Ctx, form: FormData) -> PageResult {
    save_council(&state, &ctx, None, form).await
}

pub async fn update_council(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    state.store.get_council(&Scope::Organisation, &id).await?;
    save_council(&state, &ctx, Some(&id), form).await
}

fn calendar_form(
    ctx: &Ctx,
    council: &CouncilRow,
    days: &[(NaiveDate, String)],
    form: &FormData,
    errors: &FieldErrors,
) -> FormPage {
    let fields = vec![
        Field::date("day", "Closure day", form),
        Field::text("reason", "Reason", form.get("reason"))
            .hint("For example, council offices closed between Christmas and New Year"),
    ];
    let action = format!("/admin/councils/{}/calendar", council.id);
    let mut page = FormPage::new(
        ctx,
        &format!("{}: working-day calendar", council.name),
        "/admin",
        &action,
        "Add closure day",
        fields,
        errors,
    )
    .back("/admin/councils");
    page.intro = "Statutory clocks count working days: not weekends, not the bank holidays of England and Wales, and not this council's own closure days.".into();
    let mut table = Table::new(
        "This council's closure days",
        &["Date", "Reason"],
        days.iter().map(|(d, r)| vec![Cell::text(d.format("%-d %B %Y").to_string()), Cell::text(r)]).collect(),
    );
    table.empty = "This council has no closure days of its own.".into();
    page.tables.push(table);
    page
}

pub async fn calendar(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let council = state.store.get_council(&Scope::Organisation, &id).await?;
    let days = state.store.closure_days(&id).await?;
    render(calendar_form(&ctx, &council, &days, &FormData::default(), &FieldErrors::new()))
}

pub async fn add_closure_day(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let council = state.store.get_council(&Scope::Organisation, &id).await?;
    let mut errors = FieldErrors::new();
    let day =
        match date_from_parts("the closure day", &form.get("day-day"), &form.get("day-month"), &form.get("day-year")) {
            Ok(d) if matches!(d.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) => {
                errors.add("day", "That day is a weekend, which is never a working day");
                None
            }
            Ok(d) => Some(d),
            Err(message) => {
                errors.add("day", message);
                None
            }
        };
    let reason = required_text(&mut errors, "reason", "the reason", &form.get("reason"), 200);
    if let (Some(day), true) = (day, errors.is_empty()) {
        match conflict_to_field(state.store.add_closure_day(&ctx.audit(&state), &id, day, &reason).await)? {
            Ok(()) => {
                crate::pages::children::rebuild_clocks(&state, &id).await?;
                return Ok(Redirect::to(&format!("/admin/councils/{id}/calendar")).into_response());
            }
            Err(e) => errors = e,
        }
    }
    let days = state.store.closure_days(&id).await?;
    invalid(calendar_form(&ctx, &council, &days, &form, &errors))
}

fn clock_rules_form(ctx: &Ctx, council: &CouncilRow, form: &FormData, errors: &FieldErrors) -> FormPage {
    let national = ClockRules::default();
    let fields = ClockRules::KEYS
        .iter()
        .map(|(key, label)| {
            let default = national.get(key).unwrap_or_default();
            Field::text(key, label, form.get(key))
                .width("govuk-input--width-3")
                .hint(&format!("National default: {default}"))
        })
        .collect();
    let action = format!("/admin/councils/{}/clock-rules", council.id);
    let mut page = FormPage::new(
        ctx,
        &format!("{}: clock rules", council.name),
        "/admin",
        &action,
        "Save clock rules",
        fields,
        errors,
    )
    .back("/admin/councils");
    page.intro = "The statutory timescales are national; visit and review frequencies are the council's own. Every running clock in the council is worked out again when these change.".into();
    page
}

pub async fn clock_rules(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let council = state.store.get_council(&Scope::Organisation, &id).await?;
    let rules = state.store.clock_rules(&id).await?;
    let form = FormData(
        ClockRules::KEYS.iter().map(|(k, _)| (k.to_string(), rules.get(k).unwrap_or_default().to_string())).collect(),
    );
    render(clock_rules_form(&ctx, &council, &form, &FieldErrors::new()))
}

pub async fn save_clock_rules(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let council = state.store.get_council(&Scope::Organisation, &id).await?;
    let current = state.store.clock_rules(&id).await?;
    let mut errors = FieldErrors::new();
    let mut changes = Vec::new();
    for (key, _) in ClockRules::KEYS {
        let text = form.get(key);
        match text
            .trim()
            .parse::<u32>()
            .map_err(|_| format!("Enter a whole number for {key}"))
            .and_then(|v| current.clone().with_override(key, v).map(|_| v))
        {
            Ok(v) if current.get(key) != Some(v) => changes.push((key, v)),
            Ok(_) => {}
            Err(message) => errors.add(key, message),
        }
    }
    if !errors.is_empty() {
        return invalid(clock_rules_form(&ctx, &council, &form, &errors));
    }
    for (key, value) in &changes {
        state.store.set_clock_rule(&ctx.audit(&state), &id, key, *value).await?;
    }
    if !changes.is_empty() {
        crate::pages::children::rebuild_clocks(&state, &id).await?;
    }
    Ok(Redirect::to("/admin/councils").into_response())
}
