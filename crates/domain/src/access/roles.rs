//! Permissions and the roles Canopy ships. Roles are data: these are the defaults an organisation
//! starts with (the first set in the design notes' domain.md), and an admin can change them.

use serde::{Deserialize, Serialize};

/// Something a role allows. Stored by its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Permission {
    OrgView,
    OrgAdmin,
    UsersAdmin,
    AuditView,
    CaseView,
    CaseNarrative,
    CaseEdit,
    CaseAllocate,
    BreakGlass,
    BudgetSpend,
    BudgetApprove,
    BudgetManage,
    WorkforceView,
    WorkforceManage,
    Recruitment,
    ContractsManage,
    PerformanceView,
    ReturnsManage,
    AggregatesView,
    Adoption,
}

impl Permission {
    pub const ALL: [Permission; 20] = [
        Permission::OrgView,
        Permission::OrgAdmin,
        Permission::UsersAdmin,
        Permission::AuditView,
        Permission::CaseView,
        Permission::CaseNarrative,
        Permission::CaseEdit,
        Permission::CaseAllocate,
        Permission::BreakGlass,
        Permission::BudgetSpend,
        Permission::BudgetApprove,
        Permission::BudgetManage,
        Permission::WorkforceView,
        Permission::WorkforceManage,
        Permission::Recruitment,
        Permission::ContractsManage,
        Permission::PerformanceView,
        Permission::ReturnsManage,
        Permission::AggregatesView,
        Permission::Adoption,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Permission::OrgView => "org.view",
            Permission::OrgAdmin => "org.admin",
            Permission::UsersAdmin => "users.admin",
            Permission::AuditView => "audit.view",
            Permission::CaseView => "case.view",
            Permission::CaseNarrative => "case.narrative",
            Permission::CaseEdit => "case.edit",
            Permission::CaseAllocate => "case.allocate",
            Permission::BreakGlass => "case.break_glass",
            Permission::BudgetSpend => "budget.spend",
            Permission::BudgetApprove => "budget.approve",
            Permission::BudgetManage => "budget.manage",
            Permission::WorkforceView => "workforce.view",
            Permission::WorkforceManage => "workforce.manage",
            Permission::Recruitment => "workforce.recruitment",
            Permission::ContractsManage => "contracts.manage",
            Permission::PerformanceView => "performance.view",
            Permission::ReturnsManage => "returns.manage",
            Permission::AggregatesView => "performance.aggregates",
            Permission::Adoption => "adoption.work",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Permission::OrgView => "See the organisation: councils, clusters, teams",
            Permission::OrgAdmin => "Administer councils, clusters and teams",
            Permission::UsersAdmin => "Administer users and roles",
            Permission::AuditView => "Read the audit log",
            Permission::CaseView => "See children's records",
            Permission::CaseNarrative => "Read case narrative (notes, assessments)",
            Permission::CaseEdit => "Record work on children's records",
            Permission::CaseAllocate => "Allocate work",
            Permission::BreakGlass => "Open a restricted record in an emergency, with a reason",
            Permission::BudgetSpend => "Spend from a devolved budget",
            Permission::BudgetApprove => "Approve spends over a limit",
            Permission::BudgetManage => "Manage budgets and the ledger",
            Permission::WorkforceView => "See workforce figures",
            Permission::WorkforceManage => "Manage staff records",
            Permission::Recruitment => "Run recruitment",
            Permission::ContractsManage => "Manage contracts and traded work",
            Permission::PerformanceView => "See performance dashboards",
            Permission::ReturnsManage => "Prepare statutory returns",
            Permission::AggregatesView => "See a council's aggregate figures",
            Permission::Adoption => "Work in the shared adoption service: adopters and the adoption board",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// How far a role's permissions reach: the holder's own teams (and work allocated to them), the
/// councils they serve, or the whole organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Reach {
    Team,
    Council,
    Organisation,
}

impl Reach {
    pub const ALL: [Reach; 3] = [Reach::Team, Reach::Council, Reach::Organisation];

    pub fn code(self) -> &'static str {
        match self {
            Reach::Team => "team",
            Reach::Council => "council",
            Reach::Organisation => "organisation",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Reach::Team => "Their own teams and allocated work",
            Reach::Council => "The councils they serve",
            Reach::Organisation => "The whole organisation",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// A role as the organisation defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleDefinition {
    pub key: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub reach: Reach,
    pub permissions: &'static [Permission],
}

use Permission as P;

/// The roles every new organisation starts with (design notes, domain.md).
pub const BUILTIN_ROLES: &[RoleDefinition] = &[
    RoleDefinition {
        key: "practitioner",
        name: "Practitioner",
        description:
            "Works their caseload, records visits and notes, runs assessments and plans, spends within their limit",
        reach: Reach::Team,
        permissions: &[P::OrgView, P::CaseView, P::CaseNarrative, P::CaseEdit, P::BudgetSpend],
    },
    RoleDefinition {
        key: "team_manager",
        name: "Team manager",
        description: "Allocates work, supervises, approves what needs approval, watches the clocks and caseloads",
        reach: Reach::Team,
        permissions: &[
            P::OrgView,
            P::CaseView,
            P::CaseNarrative,
            P::CaseEdit,
            P::CaseAllocate,
            P::BudgetSpend,
            P::BudgetApprove,
            P::WorkforceView,
        ],
    },
    RoleDefinition {
        key: "head_of_service",
        name: "Head of service",
        description: "Watches a service across teams and councils, runs the performance meeting",
        reach: Reach::Council,
        permissions: &[
            P::OrgView,
            P::CaseView,
            P::CaseNarrative,
            P::CaseEdit,
            P::CaseAllocate,
            P::BreakGlass,
            P::BudgetApprove,
            P::WorkforceView,
            P::PerformanceView,
        ],
    },
    RoleDefinition {
        key: "director",
        name: "Director",
        description: "Sees the whole organisation: performance, money, workforce, contracts",
        reach: Reach::Organisation,
        permissions: &[
            P::OrgView,
            P::CaseView,
            P::CaseNarrative,
            P::BreakGlass,
            P::BudgetManage,
            P::WorkforceView,
            P::ContractsManage,
            P::PerformanceView,
            P::AggregatesView,
        ],
    },
    RoleDefinition {
        key: "adoption_service",
        name: "Adoption service",
        description:
            "Works in the adoption service that every council shares: adopters' records and the adoption board",
        reach: Reach::Organisation,
        permissions: &[P::OrgView, P::Adoption],
    },
    RoleDefinition {
        key: "independent_reviewing_officer",
        name: "Independent reviewing officer",
        description: "Chairs reviews and conferences, independent of the case's line management",
        reach: Reach::Council,
        permissions: &[P::OrgView, P::CaseView, P::CaseNarrative, P::CaseEdit],
    },
    RoleDefinition {
        key: "finance_officer",
        name: "Finance officer",
        description: "Budgets, ledger, income, invoices; never case narrative",
        reach: Reach::Organisation,
        permissions: &[P::OrgView, P::BudgetManage, P::BudgetApprove],
    },
    RoleDefinition {
        key: "workforce_officer",
        name: "Workforce officer",
        description: "Staff records, vacancies, candidates, training; never case narrative",
        reach: Reach::Organisation,
        permissions: &[P::OrgView, P::WorkforceView, P::WorkforceManage, P::Recruitment],
    },
    RoleDefinition {
        key: "recruitment_champion",
        name: "Recruitment champion",
        description: "A social worker or manager who runs interviews and turns agency workers into permanent ones",
        reach: Reach::Team,
        permissions: &[P::OrgView, P::Recruitment],
    },
    RoleDefinition {
        key: "business_development",
        name: "Business development",
        description: "Contracts, traded engagements, secondments and placements",
        reach: Reach::Organisation,
        permissions: &[P::OrgView, P::ContractsManage],
    },
    RoleDefinition {
        key: "performance_analyst",
        name: "Performance analyst",
        description: "Statutory returns, data quality, dashboards",
        reach: Reach::Organisation,
        permissions: &[P::OrgView, P::CaseView, P::PerformanceView, P::ReturnsManage, P::AggregatesView],
    },
    RoleDefinition {
        key: "council_commissioner",
        name: "Council commissioner",
        description: "An owner council's officer: read-only performance and contract figures, no child-level data",
        reach: Reach::Council,
        permissions: &[P::OrgView, P::AggregatesView],
    },
    RoleDefinition {
        key: "auditor",
        name: "Auditor / information governance",
        description: "Audit log, access reviews, subject access requests",
        reach: Reach::Organisation,
        permissions: &[P::OrgView, P::AuditView],
    },
    RoleDefinition {
        key: "org_admin",
        name: "Organisation admin",
        description: "Councils, clusters, teams, users, forms, local rules",
        reach: Reach::Organisation,
        permissions: &[P::OrgView, P::OrgAdmin, P::UsersAdmin],
    },
];
