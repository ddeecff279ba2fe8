//! Roles and their permissions.

#[allow(unused_imports)]
use super::*;

pub async fn roles(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let rows = state.store.list_roles().await?;
    let mut page = DetailPage::new(&ctx, "Roles", "/admin");
    page.page.back_link = Some("/admin".into());
    page.actions.push(Link::new("/admin/roles/new", "Add a role"));
    page.tables.push(Table::new(
        "Roles",
        &["Role", "Reach", "Permissions"],
        rows.iter()
            .map(|r| {
                vec![
                    Cell::link(&r.name, format!("/admin/roles/{}/edit", r.id)),
                    Cell::text(Reach::from_code(&r.reach).map(|x| x.label()).unwrap_or("")),
                    Cell::text(
                        r.permissions
                            .iter()
                            .filter_map(|p| Permission::from_code(p))
                            .map(|p| p.label())
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                ]
            })
            .collect(),
    ));
    render(page)
}

struct RoleInput {
    key: String,
    name: String,
    description: String,
    reach: String,
    permissions: Vec<String>,
}

fn role_form(ctx: &Ctx, id: Option<&str>, r: &RoleInput, errors: &FieldErrors) -> FormPage {
    let reaches = Reach::ALL.iter().map(|x| (x.code().to_string(), x.label().to_string())).collect();
    let perms = Permission::ALL.iter().map(|p| (p.code().to_string(), p.label().to_string())).collect();
    let mut fields = Vec::new();
    if id.is_none() {
        fields.push(
            Field::text("key", "Key", &r.key).hint("Lower-case letters and underscores, for example duty_manager"),
        );
    }
    fields.push(Field::text("name", "Role name", &r.name));
    fields.push(Field::text("description", "What the role does", &r.description).kind("textarea"));
    fields.push(Field::choices("reach", "How far it reaches", "radios", reaches, std::slice::from_ref(&r.reach)));
    fields.push(Field::choices("permissions", "Permissions", "checkboxes", perms, &r.permissions));
    let (title, action) = match id {
        Some(id) => ("Change a role".to_string(), format!("/admin/roles/{id}/edit")),
        None => ("Add a role".to_string(), "/admin/roles/new".to_string()),
    };
    FormPage::new(ctx, &title, "/admin", &action, "Save role", fields, errors).back("/admin/roles")
}

pub async fn new_role(ctx: Ctx) -> Result<Html<String>, AppError> {
    let input = RoleInput {
        key: String::new(),
        name: String::new(),
        description: String::new(),
        reach: Reach::Team.code().into(),
        permissions: vec![],
    };
    render(role_form(&ctx, None, &input, &FieldErrors::new()))
}

pub async fn edit_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let r = state.store.list_roles().await?.into_iter().find(|r| r.id == id).ok_or(AppError::NotFound)?;
    let input =
        RoleInput { key: r.key, name: r.name, description: r.description, reach: r.reach, permissions: r.permissions };
    render(role_form(&ctx, Some(&id), &input, &FieldErrors::new()))
}

async fn save_role(state: &AppState, ctx: &Ctx, id: Option<&str>, form: FormData) -> PageResult {
    let mut errors = FieldErrors::new();
    let existing = match id {
        Some(id) => Some(state.store.list_roles().await?.into_iter().find(|r| r.id == id).ok_or(AppError::NotFound)?),
        None => None,
    };
    let input = RoleInput {
        key: existing.as_ref().map(|r| r.key.clone()).unwrap_or_else(|| form.get("key").trim().to_string()),
        name: required_text(&mut errors, "name", "the role's name", &form.get("name"), 80),
        description: required_text(&mut errors, "description", "what the role does", &form.get("description"), 500),
        reach: form.get("reach"),
        permissions: form.all("permissions"),
    };
    if input.key.is_empty() || input.key.len() > 40 || !input.key.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        errors.add("key", "Enter a key of lower-case letters and underscores, up to 40");
    }
    let reach = Reach::from_code(&input.reach);
    if reach.is_none() {
        errors.add("reach", "Select how far the role reaches");
    }
    let perms: Vec<Permission> = input.permissions.iter().filter_map(|p| Permission::from_code(p)).collect();
    if perms.len() != input.permissions.len() {
        errors.add("permissions", "Select permissions from the list");
    }
    if let (true, Some(reach)) = (errors.is_empty(), reach) {
        let details = RoleDetails {
            key: input.key.clone(),
            name: input.name.clone(),
            description: input.description.clone(),
            reach,
            permissions: perms,
        };
        let saved = state.store.save_role(&ctx.audit(state), id, &details).await;
        match conflict_to_field(saved)? {
            Ok(_) => return Ok(Redirect::to("/admin/roles").into_response()),
            Err(e) => errors = e,
        }
    }
    invalid(role_form(ctx, id, &input, &errors))
}

pub async fn create_role(State(state): State<AppState>, ctx: Ctx, form: FormData) -> PageResult {
    save_role(&state, &ctx, None, form).await
}

pub async fn update_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    save_role(&state, &ctx, Some(&id), form).await
}
