//! The one access policy: `may(actor, action, resource)`.
//!
//! Every route names the [`Action`] it needs; the web layer asks this module and nothing else.
//! A record outside the actor's scope is reported by the callers exactly like a missing one.

mod roles;
#[cfg(test)]
mod tests;

pub use roles::{Permission, Reach, RoleDefinition, BUILTIN_ROLES};

use std::collections::BTreeSet;

/// One permission held with one reach, from one of the actor's roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Grant {
    pub permission: Permission,
    pub reach: Reach,
}

/// The signed-in person, as the policy sees them: their grants, the councils and teams they
/// work in, and any restricted records they may open by break-glass right now.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: String,
    pub grants: BTreeSet<Grant>,
    pub councils: BTreeSet<String>,
    pub teams: BTreeSet<String>,
    pub break_glass: BTreeSet<String>,
}

impl Actor {
    /// Whether any of the actor's roles grants `permission`, with any reach.
    pub fn holds(&self, permission: Permission) -> bool {
        self.grants.iter().any(|g| g.permission == permission)
    }

    /// The widest reach with which the actor holds `permission`.
    pub fn reach_of(&self, permission: Permission) -> Option<Reach> {
        self.grants.iter().filter(|g| g.permission == permission).map(|g| g.reach).max()
    }
}

/// How sensitive a record is. Restricted records open only to named people (or by break-glass);
/// sealed records open only to named people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Sensitivity {
    #[default]
    Normal,
    Restricted,
    Sealed,
}

/// What a rule is asked about: a record and where it sits.
#[derive(Debug, Clone, Default)]
pub struct Resource {
    /// The record's own id, for break-glass grants.
    pub id: String,
    /// The council whose record it is; `None` for organisation-wide things.
    pub council_id: Option<String>,
    /// The team that holds it, if any.
    pub team_id: Option<String>,
    /// The worker it is allocated to, if any.
    pub allocated_to: Option<String>,
    pub sensitivity: Sensitivity,
    /// The people named as allowed to open a restricted or sealed record.
    pub named_people: Vec<String>,
    /// Staff who are the subject of the record, or relatives in it: never allowed to open it.
    pub excluded_people: Vec<String>,
    /// The teams of those staff: nobody in them may open it either (security.md).
    pub excluded_teams: Vec<String>,
    /// Other teams that hold it together with `team_id`, such as every team of a cluster that
    /// shares a budget.
    pub shared_teams: Vec<String>,
    /// The user the record is about, such as a staff record's worker.
    pub owner: Option<String>,
}

impl Resource {
    /// Something that belongs to the organisation as a whole, such as the list of councils.
    pub fn organisation() -> Self {
        Self::default()
    }

    /// Something that belongs to one council, such as the council itself.
    pub fn in_council(council_id: &str) -> Self {
        Self { id: council_id.to_string(), council_id: Some(council_id.to_string()), ..Self::default() }
    }

    /// A team's own record: it belongs to the team and to each council it serves; the policy is
    /// asked once per council, and the caller allows the team if any answer allows.
    pub fn team(team_id: &str, council_id: &str) -> Self {
        Self {
            id: team_id.to_string(),
            council_id: Some(council_id.to_string()),
            team_id: Some(team_id.to_string()),
            ..Self::default()
        }
    }
}

/// What a route or command does. Each one needs a permission; some need none beyond signing in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See one's own home page, account and API tokens.
    UseOwnAccount,
    /// See councils, clusters and teams.
    ViewOrganisation,
    /// Create and change councils, clusters and teams.
    AdministerOrganisation,
    /// Create and change users and roles.
    AdministerUsers,
    /// Read the audit log and verify its chain.
    ViewAuditLog,
    /// Open a child's record (summary, episodes).
    ViewChildRecord,
    /// Read case narrative: notes, assessments, reports.
    ViewCaseNarrative,
    /// Record work on a child's record.
    EditChildRecord,
    /// See a council's aggregate figures.
    ViewCouncilAggregates,
    /// Allocate work to a worker, in a team.
    AllocateWork,
    /// Spend from a devolved budget held by one's team or cluster.
    SpendFromBudget,
    /// Approve or decline a spend that went over its maker's limit.
    DecideSpend,
    /// Create budgets, move money, set limits, read and export the ledger.
    ManageBudgets,
    /// Keep adopters' records and see the adoption service's board, for every council.
    WorkInAdoption,
    /// Read staff records (HR and workforce staff; managers for their own teams).
    ViewStaffRecords,
    /// Read one's own staff record.
    ViewOwnStaffRecord,
    /// Add staff and record their employment.
    ManageStaffRecords,
    /// See the workforce measures of a council or the organisation.
    ViewWorkforceFigures,
    /// Open vacancies and take applications through their stages.
    RunRecruitment,
    /// See a candidate's personal data: workforce staff with organisation reach, and the
    /// recruitment champions on their panel.
    ViewCandidate,
    /// Record a worker's supervision (the managers who allocate their work).
    SuperviseStaff,
    /// See a council's data quality: the DfE rules' open errors and queries, by rule and team.
    ViewDataQuality,
    /// Download a council's statutory returns, and check files against the DfE's rules.
    PrepareReturns,
}

impl Action {
    /// The permission the action needs; `None` for what every signed-in user may do.
    pub fn permission(self) -> Option<Permission> {
        match self {
            Action::UseOwnAccount => None,
            Action::ViewOrganisation => Some(Permission::OrgView),
            Action::AdministerOrganisation => Some(Permission::OrgAdmin),
            Action::AdministerUsers => Some(Permission::UsersAdmin),
            Action::ViewAuditLog => Some(Permission::AuditView),
            Action::ViewChildRecord => Some(Permission::CaseView),
            Action::ViewCaseNarrative => Some(Permission::CaseNarrative),
            Action::EditChildRecord => Some(Permission::CaseEdit),
            Action::ViewCouncilAggregates => Some(Permission::AggregatesView),
            Action::AllocateWork => Some(Permission::CaseAllocate),
            Action::SpendFromBudget => Some(Permission::BudgetSpend),
            Action::DecideSpend => Some(Permission::BudgetApprove),
            Action::ManageBudgets => Some(Permission::BudgetManage),
            Action::WorkInAdoption => Some(Permission::Adoption),
            Action::ViewStaffRecords | Action::ViewWorkforceFigures => Some(Permission::WorkforceView),
            Action::ViewOwnStaffRecord => None,
            Action::ManageStaffRecords => Some(Permission::WorkforceManage),
            Action::RunRecruitment | Action::ViewCandidate => Some(Permission::Recruitment),
            Action::SuperviseStaff => Some(Permission::CaseAllocate),
            Action::ViewDataQuality => Some(Permission::PerformanceView),
            Action::PrepareReturns => Some(Permission::ReturnsManage),
        }
    }

    /// Whether the action touches a child's record, and so is subject to sensitivity rules.
    fn is_case_action(self) -> bool {
        matches!(self, Action::ViewChildRecord | Action::ViewCaseNarrative | Action::EditChildRecord)
    }

    /// Whether a team reach covers only the actor's own teams (and allocations), rather than
    /// everything in their councils: true of case records and of team budgets.
    fn is_team_scoped(self) -> bool {
        self.is_case_action()
            || matches!(
                self,
                Action::SpendFromBudget | Action::DecideSpend | Action::ViewStaffRecords | Action::SuperviseStaff
            )
    }
}

/// Whether `actor` may do `action` to `resource`.
///
/// The order of the checks is the policy: a staff member who is the subject of a record or
/// family in it, and anyone in their team, is refused first, whatever else they hold; then the permission; then its reach (organisation,
/// council, or own team and allocations); then, for case records, the sensitivity.
pub fn may(actor: &Actor, action: Action, resource: &Resource) -> bool {
    if resource.excluded_people.iter().any(|p| p == &actor.user_id)
        || resource.excluded_teams.iter().any(|t| actor.teams.contains(t))
    {
        return false;
    }
    if action == Action::ViewOwnStaffRecord {
        return resource.owner.as_ref() == Some(&actor.user_id);
    }
    let Some(permission) = action.permission() else {
        return true;
    };
    let in_reach = actor
        .grants
        .iter()
        .filter(|g| g.permission == permission)
        .any(|g| reaches(actor, g.reach, resource, action.is_team_scoped()));
    if !in_reach {
        return false;
    }
    if action == Action::ViewCandidate {
        return actor.reach_of(permission) == Some(Reach::Organisation)
            || resource.named_people.iter().any(|p| p == &actor.user_id);
    }
    if !action.is_case_action() {
        return true;
    }
    let named = resource.named_people.iter().any(|p| p == &actor.user_id);
    match resource.sensitivity {
        Sensitivity::Normal => true,
        Sensitivity::Restricted => named || actor.break_glass.contains(&resource.id),
        Sensitivity::Sealed => named,
    }
}

fn reaches(actor: &Actor, reach: Reach, resource: &Resource, team_scoped: bool) -> bool {
    match (reach, &resource.council_id) {
        (Reach::Organisation, _) => true,
        // Organisation-wide things need organisation reach.
        (_, None) => false,
        (Reach::Council, Some(council)) => actor.councils.contains(council),
        // The structure of one's own councils is open to their teams; case records are not.
        (Reach::Team, Some(council)) if !team_scoped => actor.councils.contains(council),
        (Reach::Team, Some(council)) => {
            let own_team = resource.team_id.iter().chain(&resource.shared_teams).any(|t| actor.teams.contains(t));
            // Allocation is a manager's deliberate act, so it opens the record even to a worker
            // lent from another council.
            let allocated = resource.allocated_to.as_ref() == Some(&actor.user_id);
            (own_team && actor.councils.contains(council)) || allocated
        }
    }
}

/// Builds the grants of a set of roles, given each role's reach and permissions.
pub fn grants_of<'a>(roles: impl IntoIterator<Item = (Reach, &'a [Permission])>) -> BTreeSet<Grant> {
    roles
        .into_iter()
        .flat_map(|(reach, perms)| perms.iter().map(move |&permission| Grant { permission, reach }))
        .collect()
}
