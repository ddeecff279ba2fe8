//! Teams.

#[allow(unused_imports)]
use super::*;

pub async fn teams(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let rows = state.store.list_teams(&Scope::Organisation).await?;
    let councils = state.store.council_coverage().await?;
    let clusters = state.store.cluster_coverage().await?;
    let mut page = DetailPage::new(&ctx, "Teams", "/admin");
    page.page.back_link = Some("/admin".into());
    page.actions.push(Link::new("/admin/teams/new", "Add a team"));
    page.tables.push(Table::new(
        "Teams",
        &["Team", "Service", "Cluster", "Councils"],
        rows.iter()
            .map(|t| {
                vec![
                    Cell::link(&t.name, format!("/admin/teams/{}/edit", t.id)),
                    Cell::text(Service::from_code(&t.service).map(|s| s.label()).unwrap_or("")),
                    Cell::text(
                        t.cluster_id
                            .as_ref()
                            .and_then(|id| clusters.iter().find(|(c, _)| &c.id == id))
                            .map(|(_, n)| n.clone())
                            .unwrap_or_else(|| "Central".into()),
                    ),
                    Cell::text(
                        councils
                            .iter()
                            .filter(|k| t.council_ids.contains(&k.id))
                            .map(|k| k.name.clone())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                ]
            })
            .collect(),
    ));
    render(page)
}

fn team_form(
    ctx: &Ctx,
    id: Option<&str>,
    input: &TeamInput,
    councils: &[CouncilCoverage],
    clusters: &[(ClusterCoverage, String)],
    errors: &FieldErrors,
) -> FormPage {
    let services = Service::ALL.iter().map(|s| (s.code().to_string(), s.label().to_string())).collect();
    let mut cluster_options = vec![(String::new(), "None: a central team".to_string())];
    cluster_options.extend(clusters.iter().map(|(c, n)| (c.id.clone(), n.clone())));
    let fields = vec![
        Field::text("name", "Team name", &input.name),
        Field::choices("service", "Service", "select", services, std::slice::from_ref(&input.service)),
        Field::choices(
            "cluster_id",
            "Cluster",
            "select",
            cluster_options,
            &[input.cluster_id.clone().unwrap_or_default()],
        )
        .hint("Central teams serve every council they are set to serve, from no one cluster"),
        Field::choices(
            "council_ids",
            "Councils the team serves",
            "checkboxes",
            council_options(councils),
            &input.council_ids,
        ),
    ];
    let (title, action) = match id {
        Some(id) => ("Change a team".to_string(), format!("/admin/teams/{id}/edit")),
        None => ("Add a team".to_string(), "/admin/teams/new".to_string()),
    };
    FormPage::new(ctx, &title, "/admin", &action, "Save team", fields, errors).back("/admin/teams")
}

pub async fn new_team(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let input = TeamInput { service: Service::Safeguarding.code().into(), ..TeamInput::default() };
    render(team_form(
        &ctx,
        None,
        &input,
        &state.store.council_coverage().await?,
        &state.store.cluster_coverage().await?,
        &FieldErrors::new(),
    ))
}

pub async fn edit_team(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let t = state.store.get_team(&Scope::Organisation, &id).await?;
    let input = TeamInput { name: t.name, service: t.service, cluster_id: t.cluster_id, council_ids: t.council_ids };
    render(team_form(
        &ctx,
        Some(&id),
        &input,
        &state.store.council_coverage().await?,
        &state.store.cluster_coverage().await?,
        &FieldErrors::new(),
    ))
}

async fn save_team(state: &AppState, ctx: &Ctx, id: Option<&str>, form: FormData) -> PageResult {
    let input = TeamInput {
        name: form.get("name"),
        service: form.get("service"),
        cluster_id: Some(form.get("cluster_id")).filter(|c| !c.is_empty()),
        council_ids: form.all("council_ids"),
    };
    let councils = state.store.council_coverage().await?;
    let clusters = state.store.cluster_coverage().await?;
    let plain: Vec<ClusterCoverage> = clusters.iter().map(|(c, _)| c.clone()).collect();
    let result = match validate_team(&input, &councils, &plain) {
        Ok(valid) => conflict_to_field(state.store.save_team(&ctx.audit(state), id, &valid).await)?.map(|_| ()),
        Err(errors) => Err(errors),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/teams").into_response()),
        Err(errors) => invalid(team_form(ctx, id, &input, &councils, &clusters, &errors)),
    }
}

pub async fn create_team(State(state): State<AppState>, ctx: Ctx, form: FormData) -> PageResult {
    save_team(&state, &ctx, None, form).await
}

pub async fn update_team(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    state.store.get_team(&Scope::Organisation, &id).await?;
    save_team(&state, &ctx, Some(&id), form).await
}
