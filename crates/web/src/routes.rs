//! The route table: every route, the action it needs, and its handler, in one place. This is the
//! only file that adds routes to the router (a test checks), so no route can skip the policy.

use crate::security::{access_layer, csrf_layer, headers_layer, session_layer, AccessTable};
use crate::state::AppState;
use crate::{api, pages};
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;
use canopy_domain::access::Action;
use std::collections::HashMap;
use std::sync::Arc;

/// What a route needs before its handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (sign-in, assets, the API description).
    Public,
    /// Any signed-in user.
    SignedIn,
    /// An organisation-wide action, decided entirely before the handler.
    Organisation(Action),
    /// An action on a particular record: the user must hold the permission, and the handler asks
    /// the policy about the record itself.
    Scoped(Action),
}

/// One row of the route table.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

type Row = (RouteSpec, MethodRouter<AppState>);

fn route<H, T>(method: Method, path: &'static str, access: Access, handler: H) -> Row
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let filter = if method == Method::POST { MethodFilter::POST } else { MethodFilter::GET };
    (RouteSpec { method, path, access }, on(filter, handler))
}

/// A route that takes a document upload, and so a larger body than any other form.
fn upload((spec, handler): Row) -> Row {
    (spec, handler.layer(DefaultBodyLimit::max(canopy_domain::documents::MAX_DOCUMENT_BYTES + 64 * 1024)))
}

fn table() -> Vec<Row> {
    use pages::{account, admin, adoption, audit, auth, budgets, children, home, quality, returns, workforce};
    use Access::*;
    use Action::*;
    let get = Method::GET;
    let post = Method::POST;
    let org = Organisation(AdministerOrganisation);
    let users = Organisation(AdministerUsers);
    vec![
        route(get.clone(), "/healthz", Public, || async { "ok" }),
        route(get.clone(), "/assets/{*path}", Public, crate::security::asset),
        route(get.clone(), "/sign-in", Public, auth::show_sign_in),
        route(post.clone(), "/sign-in", Public, auth::sign_in),
        route(post.clone(), "/sign-out", SignedIn, auth::sign_out),
        route(get.clone(), "/account/password", SignedIn, auth::show_password),
        route(post.clone(), "/account/password", SignedIn, auth::change_password),
        route(get.clone(), "/account/tokens", SignedIn, account::show),
        route(post.clone(), "/account/tokens", SignedIn, account::create),
        route(post.clone(), "/account/tokens/{id}/revoke", SignedIn, account::revoke),
        route(get.clone(), "/", SignedIn, home::home),
        route(get.clone(), "/organisation", Scoped(ViewOrganisation), home::organisation),
        route(get.clone(), "/councils/{id}", Scoped(ViewOrganisation), home::council),
        route(get.clone(), "/teams/{id}", Scoped(ViewOrganisation), home::team),
        route(get.clone(), "/audit", Organisation(ViewAuditLog), audit::show),
        route(get.clone(), "/work-tray", SignedIn, children::work_tray),
        route(get.clone(), "/front-door", Scoped(ViewChildRecord), children::front_door),
        route(get.clone(), "/children", Scoped(ViewChildRecord), children::search),
        route(get.clone(), "/children/new", Scoped(EditChildRecord), children::new_child),
        route(post.clone(), "/children/new", Scoped(EditChildRecord), children::create_child),
        route(get.clone(), "/children/{id}", Scoped(ViewChildRecord), children::record),
        route(get.clone(), "/children/{id}/record/{step}", Scoped(EditChildRecord), children::show_step),
        route(post.clone(), "/children/{id}/record/{step}", Scoped(EditChildRecord), children::save_step),
        route(get.clone(), "/children/{id}/people/new", Scoped(EditChildRecord), children::new_member),
        route(post.clone(), "/children/{id}/people/new", Scoped(EditChildRecord), children::add_member),
        route(get.clone(), "/children/{id}/documents/new", Scoped(EditChildRecord), children::new_document),
        upload(route(post.clone(), "/children/{id}/documents/new", Scoped(EditChildRecord), children::upload)),
        route(get.clone(), "/children/{id}/documents/{doc}", Scoped(ViewCaseNarrative), children::download),
        route(get.clone(), "/children/{id}/address", Scoped(EditChildRecord), children::new_address),
        route(post.clone(), "/children/{id}/address", Scoped(EditChildRecord), children::move_child),
        route(get.clone(), "/children/{id}/worker", Scoped(AllocateWork), children::show_worker),
        route(post.clone(), "/children/{id}/worker", Scoped(AllocateWork), children::save_worker),
        route(get.clone(), "/children/{id}/merge", Scoped(AllocateWork), children::show_merge),
        route(post.clone(), "/children/{id}/merge", Scoped(AllocateWork), children::merge),
        route(get.clone(), "/children/{id}/access", Scoped(AllocateWork), children::show_access),
        route(post.clone(), "/children/{id}/access", Scoped(AllocateWork), children::save_access),
        route(get.clone(), "/children/{id}/siblings", Scoped(EditChildRecord), children::new_sibling),
        route(post.clone(), "/children/{id}/siblings", Scoped(EditChildRecord), children::link_sibling),
        route(get.clone(), "/children/{id}/details", Scoped(EditChildRecord), children::show_details),
        route(post.clone(), "/children/{id}/details", Scoped(EditChildRecord), children::save_details),
        route(get.clone(), "/children/{id}/notes/new", Scoped(EditChildRecord), children::new_note),
        route(post.clone(), "/children/{id}/notes/new", Scoped(EditChildRecord), children::add_note),
        route(get.clone(), "/children/{id}/early-help/{what}", Scoped(EditChildRecord), children::show_early_help),
        route(post.clone(), "/children/{id}/early-help/{what}", Scoped(EditChildRecord), children::save_early_help),
        route(get.clone(), "/children/{id}/care/{what}", Scoped(EditChildRecord), children::show_care),
        route(post.clone(), "/children/{id}/care/{what}", Scoped(EditChildRecord), children::save_care),
        route(get.clone(), "/children/{id}/spends/new", Scoped(SpendFromBudget), budgets::new_spend),
        upload(route(post.clone(), "/children/{id}/spends/new", Scoped(SpendFromBudget), budgets::create_spend)),
        route(get.clone(), "/spends/{id}", SignedIn, budgets::show_spend),
        route(get.clone(), "/spends/{id}/receipt", SignedIn, budgets::receipt),
        route(get.clone(), "/spends/{id}/decision", Scoped(DecideSpend), budgets::show_decision),
        route(post.clone(), "/spends/{id}/decision", Scoped(DecideSpend), budgets::decide),
        route(get.clone(), "/spends/{id}/settle", SignedIn, budgets::show_settle),
        route(post.clone(), "/spends/{id}/settle", SignedIn, budgets::settle),
        route(get.clone(), "/budgets/mine", Scoped(SpendFromBudget), budgets::mine),
        route(get.clone(), "/budgets/approvals", Scoped(DecideSpend), budgets::approvals),
        route(get.clone(), "/budgets/measures", SignedIn, budgets::measures),
        route(get.clone(), "/budgets", Scoped(ManageBudgets), budgets::overview),
        route(get.clone(), "/budgets/new", Scoped(ManageBudgets), budgets::new_budget),
        route(post.clone(), "/budgets/new", Scoped(ManageBudgets), budgets::create_budget),
        route(get.clone(), "/budgets/limits", Scoped(ManageBudgets), budgets::show_limits),
        route(post.clone(), "/budgets/limits", Scoped(ManageBudgets), budgets::set_limit),
        route(post.clone(), "/budgets/limits/remove", Scoped(ManageBudgets), budgets::remove_limit),
        route(get.clone(), "/budgets/categories", Scoped(ManageBudgets), budgets::categories),
        route(post.clone(), "/budgets/categories", Scoped(ManageBudgets), budgets::save_category),
        route(get.clone(), "/budgets/ledger.csv", Scoped(ManageBudgets), budgets::export_csv),
        route(get.clone(), "/budgets/ledger.xlsx", Scoped(ManageBudgets), budgets::export_xlsx),
        route(get.clone(), "/budgets/{id}", SignedIn, budgets::budget),
        route(get.clone(), "/budgets/{id}/allocate", Scoped(ManageBudgets), budgets::show_allocate),
        route(post.clone(), "/budgets/{id}/allocate", Scoped(ManageBudgets), budgets::allocate),
        route(get.clone(), "/budgets/{id}/transfer", Scoped(ManageBudgets), budgets::show_transfer),
        route(post.clone(), "/budgets/{id}/transfer", Scoped(ManageBudgets), budgets::transfer),
        route(get.clone(), "/budgets/{id}/close", Scoped(ManageBudgets), budgets::show_close),
        route(post.clone(), "/budgets/{id}/close", Scoped(ManageBudgets), budgets::close),
        route(get.clone(), "/adoption", Scoped(ViewChildRecord), adoption::board),
        route(get.clone(), "/adoption/adopters/new", Organisation(WorkInAdoption), adoption::new_adopters),
        route(post.clone(), "/adoption/adopters/new", Organisation(WorkInAdoption), adoption::create_adopters),
        route(get.clone(), "/adoption/adopters/{id}", Organisation(WorkInAdoption), adoption::adopters_record),
        route(get.clone(), "/adoption/adopters/{id}/{step}", Organisation(WorkInAdoption), adoption::show_adopter_step),
        route(
            post.clone(),
            "/adoption/adopters/{id}/{step}",
            Organisation(WorkInAdoption),
            adoption::save_adopter_step,
        ),
        route(get.clone(), "/reviews", Scoped(ViewChildRecord), adoption::iro_reviews),
        route(get.clone(), "/workforce", Scoped(ViewWorkforceFigures), workforce::dashboard),
        route(get.clone(), "/data-quality", Scoped(ViewDataQuality), quality::dashboard),
        route(get.clone(), "/returns", Scoped(PrepareReturns), returns::downloads),
        route(get.clone(), "/returns/cin", Scoped(PrepareReturns), returns::cin_file),
        route(get.clone(), "/returns/ssda903/{table}", Scoped(PrepareReturns), returns::ssda903_file),
        route(get.clone(), "/workforce/staff", Scoped(ViewStaffRecords), workforce::directory),
        route(get.clone(), "/workforce/staff/new", Organisation(ManageStaffRecords), workforce::new_staff),
        route(post.clone(), "/workforce/staff/new", Organisation(ManageStaffRecords), workforce::create_staff),
        route(get.clone(), "/workforce/staff/{id}", SignedIn, workforce::staff_page),
        route(get.clone(), "/workforce/staff/{id}/supervision", Scoped(SuperviseStaff), workforce::show_supervision),
        route(post.clone(), "/workforce/staff/{id}/supervision", Scoped(SuperviseStaff), workforce::save_supervision),
        route(get.clone(), "/workforce/staff/{id}/{change}", Organisation(ManageStaffRecords), workforce::show_change),
        route(post.clone(), "/workforce/staff/{id}/{change}", Organisation(ManageStaffRecords), workforce::save_change),
        route(get.clone(), "/account/staff-record", SignedIn, workforce::own_record),
        route(get.clone(), "/workforce/vacancies", Scoped(RunRecruitment), workforce::vacancies),
        route(get.clone(), "/workforce/vacancies/new", Organisation(RunRecruitment), workforce::new_vacancy),
        route(post.clone(), "/workforce/vacancies/new", Organisation(RunRecruitment), workforce::create_vacancy),
        route(get.clone(), "/workforce/vacancies/{id}", Scoped(RunRecruitment), workforce::vacancy),
        route(get.clone(), "/workforce/vacancies/{id}/apply", Organisation(RunRecruitment), workforce::show_apply),
        route(post.clone(), "/workforce/vacancies/{id}/apply", Organisation(RunRecruitment), workforce::save_apply),
        route(get.clone(), "/workforce/applications/{id}", Scoped(ViewCandidate), workforce::application),
        route(get.clone(), "/workforce/applications/{id}/{step}", Organisation(RunRecruitment), workforce::show_step),
        route(post.clone(), "/workforce/applications/{id}/{step}", Organisation(RunRecruitment), workforce::save_step),
        route(get.clone(), "/workforce/interviews", Scoped(ViewCandidate), workforce::interviews),
        route(get.clone(), "/workforce/training", SignedIn, workforce::catalogue),
        route(get.clone(), "/workforce/training/new", Organisation(ManageStaffRecords), workforce::new_course),
        route(post.clone(), "/workforce/training/new", Organisation(ManageStaffRecords), workforce::create_course),
        route(get.clone(), "/workforce/training/{id}", SignedIn, workforce::course),
        route(get.clone(), "/workforce/training/{id}/request", SignedIn, workforce::show_request),
        route(post.clone(), "/workforce/training/{id}/request", SignedIn, workforce::save_request),
        route(get.clone(), "/workforce/training/requests/{id}", SignedIn, workforce::show_training_step),
        route(post.clone(), "/workforce/training/requests/{id}", SignedIn, workforce::save_training_step),
        route(get.clone(), "/duty", Scoped(ViewChildRecord), children::duty_index),
        route(get.clone(), "/clusters/{id}/duty", Scoped(ViewChildRecord), children::duty_board),
        route(get.clone(), "/teams/{id}/loans", Scoped(AllocateWork), children::show_lend),
        route(post.clone(), "/teams/{id}/loans", Scoped(AllocateWork), children::lend),
        route(get.clone(), "/teams/{id}/allocation", Scoped(AllocateWork), children::allocation),
        route(post.clone(), "/teams/{id}/allocation", Scoped(AllocateWork), children::allocate),
        route(get.clone(), "/admin", SignedIn, admin::index),
        route(get.clone(), "/admin/organisation", org, admin::organisation),
        route(post.clone(), "/admin/organisation", org, admin::save_organisation),
        route(get.clone(), "/admin/councils", org, admin::councils),
        route(get.clone(), "/admin/councils/new", org, admin::new_council),
        route(post.clone(), "/admin/councils/new", org, admin::create_council),
        route(get.clone(), "/admin/councils/{id}/edit", org, admin::edit_council),
        route(post.clone(), "/admin/councils/{id}/edit", org, admin::update_council),
        route(get.clone(), "/admin/councils/{id}/calendar", org, admin::calendar),
        route(post.clone(), "/admin/councils/{id}/calendar", org, admin::add_closure_day),
        route(get.clone(), "/admin/councils/{id}/clock-rules", org, admin::clock_rules),
        route(post.clone(), "/admin/councils/{id}/clock-rules", org, admin::save_clock_rules),
        route(get.clone(), "/admin/clusters", org, admin::clusters),
        route(get.clone(), "/admin/clusters/new", org, admin::new_cluster),
        route(post.clone(), "/admin/clusters/new", org, admin::create_cluster),
        route(get.clone(), "/admin/clusters/{id}/edit", org, admin::edit_cluster),
        route(post.clone(), "/admin/clusters/{id}/edit", org, admin::update_cluster),
        route(get.clone(), "/admin/teams", org, admin::teams),
        route(get.clone(), "/admin/teams/new", org, admin::new_team),
        route(post.clone(), "/admin/teams/new", org, admin::create_team),
        route(get.clone(), "/admin/teams/{id}/edit", org, admin::edit_team),
        route(post.clone(), "/admin/teams/{id}/edit", org, admin::update_team),
        route(get.clone(), "/admin/users", users, admin::users),
        route(get.clone(), "/admin/users/new", users, admin::new_user),
        route(post.clone(), "/admin/users/new", users, admin::create_user),
        route(get.clone(), "/admin/users/{id}/edit", users, admin::edit_user),
        route(post.clone(), "/admin/users/{id}/edit", users, admin::update_user),
        route(post.clone(), "/admin/users/{id}/disable", users, admin::disable_user),
        route(post.clone(), "/admin/users/{id}/enable", users, admin::enable_user),
        route(post.clone(), "/admin/users/{id}/reset-password", users, admin::reset_password),
        route(get.clone(), "/admin/roles", users, admin::roles),
        route(get.clone(), "/admin/roles/new", users, admin::new_role),
        route(post.clone(), "/admin/roles/new", users, admin::create_role),
        route(get.clone(), "/admin/roles/{id}/edit", users, admin::edit_role),
        route(post.clone(), "/admin/roles/{id}/edit", users, admin::update_role),
        route(get.clone(), "/api/v1/openapi.json", Public, api::openapi),
        route(get.clone(), "/api/v1/me", SignedIn, api::me),
        route(get.clone(), "/api/v1/councils", Scoped(ViewOrganisation), api::list_councils),
        route(post.clone(), "/api/v1/councils", org, api::create_council),
        route(get.clone(), "/api/v1/councils/{id}", Scoped(ViewOrganisation), api::get_council),
        route(get.clone(), "/api/v1/teams", Scoped(ViewOrganisation), api::list_teams),
        route(get.clone(), "/api/v1/children", Scoped(ViewChildRecord), api::children::search),
        route(get.clone(), "/api/v1/workforce/staff", Scoped(ViewStaffRecords), api::workforce::staff),
        route(get.clone(), "/api/v1/workforce/staff/{id}", SignedIn, api::workforce::staff_record),
        route(get.clone(), "/api/v1/workforce/measures", Scoped(ViewWorkforceFigures), api::workforce::measures),
        route(get.clone(), "/api/v1/data-quality", Scoped(ViewDataQuality), api::quality::data_quality),
        route(get.clone(), "/api/v1/workforce/vacancies", Scoped(RunRecruitment), api::workforce::vacancies),
        route(get.clone(), "/api/v1/adoption", Scoped(ViewChildRecord), api::adoption::board),
        route(post.clone(), "/api/v1/adoption/adopters", Organisation(WorkInAdoption), api::adoption::create_adopters),
        route(get.clone(), "/api/v1/adoption/adopters/{id}", Organisation(WorkInAdoption), api::adoption::adopters),
        route(
            post.clone(),
            "/api/v1/adoption/adopters/{id}/steps",
            Organisation(WorkInAdoption),
            api::adoption::adopter_step,
        ),
        route(get.clone(), "/api/v1/children/{id}/early-help", Scoped(ViewChildRecord), api::children::early_help),
        route(post.clone(), "/api/v1/children/{id}/early-help", Scoped(EditChildRecord), api::children::add_early_help),
        route(get.clone(), "/api/v1/children/{id}/care", Scoped(ViewChildRecord), api::children::care),
        route(post.clone(), "/api/v1/children/{id}/care", Scoped(EditChildRecord), api::children::add_care),
        route(get.clone(), "/api/v1/budgets", Scoped(ManageBudgets), api::budgets::list),
        route(get.clone(), "/api/v1/budgets/{id}/ledger", Scoped(ManageBudgets), api::budgets::ledger),
        route(post.clone(), "/api/v1/children/{id}/spends", Scoped(SpendFromBudget), api::budgets::create),
        route(get.clone(), "/api/v1/spends/{id}", SignedIn, api::budgets::get),
        route(post.clone(), "/api/v1/spends/{id}/decision", Scoped(DecideSpend), api::budgets::decide),
        route(post.clone(), "/api/v1/children", Scoped(EditChildRecord), api::children::create),
        route(post.clone(), "/api/v1/children/{id}/allocation", Scoped(AllocateWork), api::children::allocate),
        route(post.clone(), "/api/v1/children/{id}/notes", Scoped(EditChildRecord), api::children::add_note),
        route(get.clone(), "/api/v1/children/{id}/people", Scoped(ViewChildRecord), api::children::people),
        route(post.clone(), "/api/v1/children/{id}/people", Scoped(EditChildRecord), api::children::add_person),
        route(post.clone(), "/api/v1/children/{id}/addresses", Scoped(EditChildRecord), api::children::add_address),
        route(post.clone(), "/api/v1/children/{id}/merge", Scoped(AllocateWork), api::children::merge),
        route(get.clone(), "/api/v1/children/{id}/documents", Scoped(ViewCaseNarrative), api::children::documents),
        route(get.clone(), "/api/v1/clusters/{id}/duty", Scoped(ViewChildRecord), api::children::duty_board),
        route(get.clone(), "/api/v1/children/{id}", Scoped(ViewChildRecord), api::children::record),
        route(post.clone(), "/api/v1/children/{id}/events", Scoped(EditChildRecord), api::children::add_event),
        route(get.clone(), "/api/v1/work-tray", SignedIn, api::children::work_tray),
        route(get, "/api/v1/front-door", Scoped(ViewChildRecord), api::children::front_door),
    ]
}

/// Every route with its declared access, for tests and documentation.
pub fn route_table() -> Vec<RouteSpec> {
    table().into_iter().map(|(spec, _)| spec).collect()
}

/// The whole application.
pub fn build_router(state: AppState) -> Router {
    let mut router: Router<AppState> = Router::new();
    let mut access = HashMap::new();
    for (spec, handler) in table() {
        access.insert((spec.method.clone(), spec.path.to_string()), spec.access);
        router = router.route(spec.path, handler);
    }
    let access = AccessTable(Arc::new(access));
    router
        .fallback(|| async { crate::AppError::NotFound })
        .layer(axum::middleware::from_fn_with_state((state.clone(), access), access_layer))
        .layer(axum::middleware::from_fn_with_state(state.clone(), csrf_layer))
        .layer(axum::middleware::from_fn_with_state(state.clone(), session_layer))
        .layer(DefaultBodyLimit::max(state.settings.body_limit))
        .layer(axum::middleware::from_fn(headers_layer))
        .with_state(state)
}
