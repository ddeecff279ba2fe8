//! Geographic clusters.

#[allow(unused_imports)]
use super::*;

pub fn council_options(councils: &[CouncilCoverage]) -> Vec<(String, String)> {
    councils.iter().map(|c| (c.id.clone(), c.name.clone())).collect()
}

pub async fn clusters(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let rows = state.store.list_clusters(&Scope::Organisation).await?;
    let councils = state.store.council_coverage().await?;
    let mut page = DetailPage::new(&ctx, "Clusters", "/admin");
    page.page.back_link = Some("/admin".into());
    page.actions.push(Link::new("/admin/clusters/new", "Add a cluster"));
    page.tables.push(Table::new(
        "Clusters",
        &["Cluster", "Councils", "Postcode areas"],
        rows.iter()
            .map(|c| {
                vec![
                    Cell::link(&c.name, format!("/admin/clusters/{}/edit", c.id)),
                    Cell::text(
                        councils
                            .iter()
                            .filter(|k| c.council_ids.contains(&k.id))
                            .map(|k| k.name.clone())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    Cell::text(c.areas.join(", ")),
                ]
            })
            .collect(),
    ));
    render(page)
}

fn cluster_form(
    ctx: &Ctx,
    id: Option<&str>,
    input: &ClusterInput,
    councils: &[CouncilCoverage],
    errors: &FieldErrors,
) -> FormPage {
    let fields = vec![
        Field::text("name", "Cluster name", &input.name).hint("For example North or South West"),
        Field::choices(
            "council_ids",
            "Councils the cluster serves",
            "checkboxes",
            council_options(councils),
            &input.council_ids,
        ),
        Field::text("areas", "Postcode areas", &input.areas)
            .kind("textarea")
            .hint("Districts or sectors of those councils, separated by commas, for example KT2, KT1 4"),
    ];
    let (title, action) = match id {
        Some(id) => ("Change a cluster".to_string(), format!("/admin/clusters/{id}/edit")),
        None => ("Add a cluster".to_string(), "/admin/clusters/new".to_string()),
    };
    FormPage::new(ctx, &title, "/admin", &action, "Save cluster", fields, errors).back("/admin/clusters")
}

pub async fn new_cluster(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    render(cluster_form(
        &ctx,
        None,
        &ClusterInput::default(),
        &state.store.council_coverage().await?,
        &FieldErrors::new(),
    ))
}

pub async fn edit_cluster(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let c = state
        .store
        .list_clusters(&Scope::Organisation)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(AppError::NotFound)?;
    let input = ClusterInput { name: c.name, areas: c.areas.join(", "), council_ids: c.council_ids };
    render(cluster_form(&ctx, Some(&id), &input, &state.store.council_coverage().await?, &FieldErrors::new()))
}

async fn save_cluster(state: &AppState, ctx: &Ctx, id: Option<&str>, form: FormData) -> PageResult {
    let input = ClusterInput { name: form.get("name"), areas: form.get("areas"), council_ids: form.all("council_ids") };
    let councils = state.store.council_coverage().await?;
    let other_names: Vec<String> = state
        .store
        .list_clusters(&Scope::Organisation)
        .await?
        .into_iter()
        .filter(|c| Some(c.id.as_str()) != id)
        .map(|c| c.name)
        .collect();
    let result = match validate_cluster(&input, &councils, &other_names) {
        Ok(valid) => conflict_to_field(state.store.save_cluster(&ctx.audit(state), id, &valid).await)?.map(|_| ()),
        Err(errors) => Err(errors),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/clusters").into_response()),
        Err(errors) => invalid(cluster_form(ctx, id, &input, &councils, &errors)),
    }
}

pub async fn create_cluster(State(state): State<AppState>, ctx: Ctx, form: FormData) -> PageResult {
    save_cluster(&state, &ctx, None, form).await
}

pub async fn update_cluster(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    if !state.store.list_clusters(&Scope::Organisation).await?.iter().any(|c| c.id == id) {
        return Err(AppError::NotFound);
    }
    save_cluster(&state, &ctx, Some(&id), form).await
}
