//! User accounts.

#[allow(unused_imports)]
use super::*;

pub async fn users(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let rows = state.store.list_users().await?;
    let roles = state.store.list_roles().await?;
    let mut page = DetailPage::new(&ctx, "Users", "/admin");
    page.page.back_link = Some("/admin".into());
    page.actions.push(Link::new("/admin/users/new", "Add a user"));
    page.intro = format!("{} accounts.", rows.len());
    page.tables.push(Table::new(
        "Users",
        &["Name", "Email", "Roles", "Status"],
        rows.iter()
            .map(|u| {
                vec![
                    Cell::link(&u.display_name, format!("/admin/users/{}/edit", u.id)),
                    Cell::text(&u.email),
                    Cell::text(
                        roles
                            .iter()
                            .filter(|r| u.role_ids.contains(&r.id))
                            .map(|r| r.name.clone())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    Cell::text(if u.disabled { "Disabled" } else { "Active" }),
                ]
            })
            .collect(),
    ));
    render(page)
}

async fn user_form(
    state: &AppState,
    ctx: &Ctx,
    id: Option<&str>,
    d: &UserDetails,
    errors: &FieldErrors,
) -> Result<FormPage, AppError> {
    let roles = state.store.list_roles().await?.into_iter().map(|r| (r.id, r.name)).collect();
    let teams = state.store.list_teams(&Scope::Organisation).await?.into_iter().map(|t| (t.id, t.name)).collect();
    let councils = council_options(&state.store.council_coverage().await?);
    let fields = vec![
        Field::text("display_name", "Full name", &d.display_name).autocomplete("off"),
        Field::text("email", "Work email address", &d.email).kind("email").autocomplete("off"),
        Field::text("job_title", "Job title", &d.job_title),
        Field::choices("role_ids", "Roles", "checkboxes", roles, &d.role_ids),
        Field::choices("team_ids", "Teams", "checkboxes", teams, &d.team_ids)
            .hint("A member of a team serves that team's councils"),
        Field::choices("council_ids", "Other councils they serve", "checkboxes", councils, &d.council_ids)
            .hint("Only for councils that none of their teams serves"),
    ];
    let (title, action) = match id {
        Some(id) => ("Change a user".to_string(), format!("/admin/users/{id}/edit")),
        None => ("Add a user".to_string(), "/admin/users/new".to_string()),
    };
    let mut page = FormPage::new(ctx, &title, "/admin", &action, "Save user", fields, errors).back("/admin/users");
    if let Some(id) = id {
        let disabled = state.store.get_user(id).await?.disabled;
        page.extra_actions
            .push(Link::new(format!("/admin/users/{id}/reset-password"), "Give a new temporary password"));
        page.extra_actions.push(if disabled {
            Link::new(format!("/admin/users/{id}/enable"), "Enable this account")
        } else {
            Link::new(format!("/admin/users/{id}/disable"), "Disable this account")
        });
    }
    Ok(page)
}

fn user_details(form: &FormData, errors: &mut FieldErrors) -> UserDetails {
    let email = required_text(errors, "email", "a work email address", &form.get("email"), 254);
    if !email.is_empty() && !looks_like_email(&email) {
        errors.add("email", "Enter an email address in the right format, like name@example.org");
    }
    UserDetails {
        email,
        display_name: required_text(errors, "display_name", "their full name", &form.get("display_name"), 120),
        job_title: required_text(errors, "job_title", "their job title", &form.get("job_title"), 120),
        role_ids: form.all("role_ids"),
        team_ids: form.all("team_ids"),
        council_ids: form.all("council_ids"),
    }
}

/// A one-time password for a new account or a reset: four random words' worth of entropy.
pub fn temporary_password() -> String {
    let raw: [u8; 12] = rand::random();
    let text = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, raw);
    format!("{}-{}-{}-{}", &text[0..4], &text[4..8], &text[8..12], &text[12..16])
}

pub async fn new_user(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    render(user_form(&state, &ctx, None, &UserDetails::default(), &FieldErrors::new()).await?)
}

pub async fn edit_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let u = state.store.get_user(&id).await?;
    let d = UserDetails::from(u);
    render(user_form(&state, &ctx, Some(&id), &d, &FieldErrors::new()).await?)
}

pub async fn create_user(State(state): State<AppState>, ctx: Ctx, form: FormData) -> PageResult {
    let mut errors = FieldErrors::new();
    let details = user_details(&form, &mut errors);
    if errors.is_empty() {
        let password = temporary_password();
        let hash = state.hasher.hash(password.clone()).await.map_err(AppError::Internal)?;
        match conflict_to_field(state.store.create_user(&ctx.audit(&state), &details, &hash, true).await)? {
            Ok(id) => {
                let mut page = user_form(&state, &ctx, Some(&id), &details, &FieldErrors::new()).await?;
                page.page.notice = Some(format!(
                    "Account created. Their temporary password is {password}. Give it to them in person; they choose their own when they first sign in."
                ));
                return Ok(render(page)?.into_response());
            }
            Err(e) => errors = e,
        }
    }
    invalid(user_form(&state, &ctx, None, &details, &errors).await?)
}

pub async fn update_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    state.store.get_user(&id).await?;
    let mut errors = FieldErrors::new();
    let details = user_details(&form, &mut errors);
    if errors.is_empty() {
        match conflict_to_field(state.store.update_user(&ctx.audit(&state), &id, &details).await)? {
            Ok(()) => return Ok(Redirect::to("/admin/users").into_response()),
            Err(e) => errors = e,
        }
    }
    invalid(user_form(&state, &ctx, Some(&id), &details, &errors).await?)
}

pub async fn disable_user(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    if ctx.user()?.user_id == id {
        return Err(AppError::BadRequest("You cannot disable your own account".into()));
    }
    state.store.set_user_disabled(&ctx.audit(&state), &id, true).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}/edit")).into_response())
}

pub async fn enable_user(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    state.store.set_user_disabled(&ctx.audit(&state), &id, false).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}/edit")).into_response())
}

pub async fn reset_password(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let u = state.store.get_user(&id).await?;
    let password = temporary_password();
    let hash = state.hasher.hash(password.clone()).await.map_err(AppError::Internal)?;
    state.store.set_password(&ctx.audit(&state), &id, &hash, true).await?;
    let d = UserDetails::from(u);
    let mut page = user_form(&state, &ctx, Some(&id), &d, &FieldErrors::new()).await?;
    page.page.notice = Some(format!("Their sessions have ended. Their new temporary password is {password}."));
    Ok(render(page)?.into_response())
}
