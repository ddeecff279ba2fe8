//! The organisation: councils as tenants, geographic clusters, teams and their services.

mod codes;
mod geography;
#[cfg(test)]
mod tests;

pub use codes::{parse_area_list, LaCode, OnsCode, Postcode, PostcodeArea, PostcodeDistrict};
pub use geography::{miles_between, parse_district_centre, parse_gazetteer, DistrictCentre};

use crate::validation::{required_text, FieldErrors};
use serde::{Deserialize, Serialize};

/// What a team does. Teams are grouped on the duty board and in returns by their service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    FrontDoor,
    ReferralAndAssessment,
    Safeguarding,
    ChildrenInCare,
    CareLeavers,
    Adoption,
    EarlyHelp,
    EducationWelfare,
    DisabledChildren,
    Fostering,
    Therapy,
    IndependentReviewing,
    Leadership,
    Finance,
    Workforce,
    Performance,
    BusinessDevelopment,
    BusinessSupport,
}

impl Service {
    /// Every service, in the order forms list them.
    pub const ALL: [Service; 18] = [
        Service::FrontDoor,
        Service::ReferralAndAssessment,
        Service::Safeguarding,
        Service::ChildrenInCare,
        Service::CareLeavers,
        Service::Adoption,
        Service::EarlyHelp,
        Service::EducationWelfare,
        Service::DisabledChildren,
        Service::Fostering,
        Service::Therapy,
        Service::IndependentReviewing,
        Service::Leadership,
        Service::Finance,
        Service::Workforce,
        Service::Performance,
        Service::BusinessDevelopment,
        Service::BusinessSupport,
    ];

    /// The code stored in the database and used in forms.
    pub fn code(self) -> &'static str {
        match self {
            Service::FrontDoor => "front_door",
            Service::ReferralAndAssessment => "referral_and_assessment",
            Service::Safeguarding => "safeguarding",
            Service::ChildrenInCare => "children_in_care",
            Service::CareLeavers => "care_leavers",
            Service::Adoption => "adoption",
            Service::EarlyHelp => "early_help",
            Service::EducationWelfare => "education_welfare",
            Service::DisabledChildren => "disabled_children",
            Service::Fostering => "fostering",
            Service::Therapy => "therapy",
            Service::IndependentReviewing => "independent_reviewing",
            Service::Leadership => "leadership",
            Service::Finance => "finance",
            Service::Workforce => "workforce",
            Service::Performance => "performance",
            Service::BusinessDevelopment => "business_development",
            Service::BusinessSupport => "business_support",
        }
    }

    /// The service's name as staff say it.
    pub fn label(self) -> &'static str {
        match self {
            Service::FrontDoor => "Front door (MASH)",
            Service::ReferralAndAssessment => "Referral and assessment",
            Service::Safeguarding => "Safeguarding",
            Service::ChildrenInCare => "Children in care",
            Service::CareLeavers => "Care leavers",
            Service::Adoption => "Adoption",
            Service::EarlyHelp => "Early help",
            Service::EducationWelfare => "Education welfare",
            Service::DisabledChildren => "Disabled children",
            Service::Fostering => "Fostering",
            Service::Therapy => "Therapy",
            Service::IndependentReviewing => "Independent reviewing",
            Service::Leadership => "Leadership",
            Service::Finance => "Finance",
            Service::Workforce => "Workforce and HR",
            Service::Performance => "Performance and data",
            Service::BusinessDevelopment => "Business development",
            Service::BusinessSupport => "Business support",
        }
    }

    /// Reads a stored or submitted code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// A council as submitted on the admin form or through the API, before checking.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CouncilInput {
    pub name: String,
    pub la_code: String,
    pub ons_code: String,
    pub postcode_districts: String,
}

/// A council that has passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCouncil {
    pub name: String,
    pub la_code: LaCode,
    pub ons_code: OnsCode,
    pub postcode_districts: Vec<PostcodeDistrict>,
}

/// What the other councils already hold, which a new or edited council must not repeat.
#[derive(Debug, Clone, Default)]
pub struct OtherCouncils {
    pub la_codes: Vec<LaCode>,
    pub ons_codes: Vec<OnsCode>,
    pub names: Vec<String>,
    /// Each district claimed by another council, with that council's name.
    pub districts: Vec<(PostcodeDistrict, String)>,
}

/// Checks a council: a name, a unique three-digit LA code, a unique ONS code, and at least one
/// postcode district that no other council already covers.
pub fn validate_council(input: &CouncilInput, others: &OtherCouncils) -> Result<ValidCouncil, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = required_text(&mut errors, "name", "the council's name", &input.name, 120);
    if others.names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
        errors.add("name", format!("A council called {name} already exists"));
    }
    let la_code = match LaCode::parse(&input.la_code) {
        Ok(code) if others.la_codes.contains(&code) => {
            errors.add("la_code", format!("LA code {code} already belongs to another council"));
            None
        }
        Ok(code) => Some(code),
        Err(message) => {
            errors.add("la_code", message);
            None
        }
    };
    let ons_code = match OnsCode::parse(&input.ons_code) {
        Ok(code) if others.ons_codes.contains(&code) => {
            errors.add("ons_code", format!("ONS code {code} already belongs to another council"));
            None
        }
        Ok(code) => Some(code),
        Err(message) => {
            errors.add("ons_code", message);
            None
        }
    };
    let mut districts = Vec::new();
    for part in split_list(&input.postcode_districts) {
        match PostcodeDistrict::parse(part) {
            Ok(d) => {
                if let Some((_, owner)) = others.districts.iter().find(|(od, _)| *od == d) {
                    errors.add("postcode_districts", format!("{d} is already covered by {owner}"));
                } else if !districts.contains(&d) {
                    districts.push(d);
                }
            }
            Err(message) => errors.add("postcode_districts", message),
        }
    }
    if districts.is_empty() && errors.for_field("postcode_districts").is_none() {
        errors.add("postcode_districts", "Enter at least one postcode district, like KT1");
    }
    match (la_code, ons_code) {
        (Some(la_code), Some(ons_code)) if errors.is_empty() => {
            Ok(ValidCouncil { name, la_code, ons_code, postcode_districts: districts })
        }
        _ => Err(errors),
    }
}

/// A cluster as submitted, before checking. `council_ids` are the councils it serves.
#[derive(Debug, Clone, Default)]
pub struct ClusterInput {
    pub name: String,
    pub areas: String,
    pub council_ids: Vec<String>,
}

/// A cluster that has passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCluster {
    pub name: String,
    pub areas: Vec<PostcodeArea>,
    pub council_ids: Vec<String>,
}

/// A council as a cluster or team sees it: its id, name and districts.
#[derive(Debug, Clone)]
pub struct CouncilCoverage {
    pub id: String,
    pub name: String,
    pub districts: Vec<PostcodeDistrict>,
}

/// Checks a geographic cluster: a unique name, at least one council, and areas that each lie in
/// a district of one of those councils (an unknown district is refused).
pub fn validate_cluster(
    input: &ClusterInput,
    councils: &[CouncilCoverage],
    other_cluster_names: &[String],
) -> Result<ValidCluster, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = required_text(&mut errors, "name", "the cluster's name", &input.name, 80);
    if other_cluster_names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
        errors.add("name", format!("A cluster called {name} already exists"));
    }
    let served = known_councils(&mut errors, &input.council_ids, councils, "council_ids", "a cluster");
    let mut areas = Vec::new();
    for part in split_list(&input.areas) {
        match PostcodeArea::parse(part) {
            Ok(area) => {
                if !served.iter().any(|c| c.districts.contains(&area.district)) {
                    errors.add(
                        "areas",
                        format!("{} is not a postcode district of the councils this cluster serves", area.district),
                    );
                } else if !areas.contains(&area) {
                    areas.push(area);
                }
            }
            Err(message) => errors.add("areas", message),
        }
    }
    if areas.is_empty() && errors.for_field("areas").is_none() {
        errors.add("areas", "Enter at least one postcode district or sector, like KT1 or KT1 2");
    }
    errors.into_result(ValidCluster { name, areas, council_ids: served.iter().map(|c| c.id.clone()).collect() })
}

/// A team as submitted, before checking. With no cluster, the team is central and may serve
/// every council.
#[derive(Debug, Clone, Default)]
pub struct TeamInput {
    pub name: String,
    pub service: String,
    pub cluster_id: Option<String>,
    pub council_ids: Vec<String>,
}

/// A team that has passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTeam {
    pub name: String,
    pub service: Service,
    pub cluster_id: Option<String>,
    pub council_ids: Vec<String>,
}

/// A cluster as a team sees it: its id and the councils it serves.
#[derive(Debug, Clone)]
pub struct ClusterCoverage {
    pub id: String,
    pub council_ids: Vec<String>,
}

/// Checks a team: a name, a known service, at least one council, and, for a team in a cluster,
/// only councils that the cluster serves.
pub fn validate_team(
    input: &TeamInput,
    councils: &[CouncilCoverage],
    clusters: &[ClusterCoverage],
) -> Result<ValidTeam, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = required_text(&mut errors, "name", "the team's name", &input.name, 120);
    let service = Service::from_code(input.service.trim());
    if service.is_none() {
        errors.add("service", "Select the team's service");
    }
    let cluster = match input.cluster_id.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(id) => match clusters.iter().find(|c| c.id == id) {
            Some(c) => Some(c),
            None => {
                errors.add("cluster_id", "Select a cluster from the list, or none for a central team");
                None
            }
        },
    };
    let served = known_councils(&mut errors, &input.council_ids, councils, "council_ids", "a team");
    if let Some(cluster) = cluster {
        for council in &served {
            if !cluster.council_ids.contains(&council.id) {
                errors.add(
                    "council_ids",
                    format!("The team's cluster does not serve {}; choose a central team for that", council.name),
                );
            }
        }
    }
    match service {
        Some(service) if errors.is_empty() => Ok(ValidTeam {
            name,
            service,
            cluster_id: cluster.map(|c| c.id.clone()),
            council_ids: served.iter().map(|c| c.id.clone()).collect(),
        }),
        _ => Err(errors),
    }
}

fn known_councils<'a>(
    errors: &mut FieldErrors,
    ids: &[String],
    councils: &'a [CouncilCoverage],
    field: &str,
    what: &str,
) -> Vec<&'a CouncilCoverage> {
    let mut served: Vec<&CouncilCoverage> = Vec::new();
    for id in ids.iter().filter(|i| !i.is_empty()) {
        match councils.iter().find(|c| &c.id == id) {
            Some(c) if !served.iter().any(|s| s.id == c.id) => served.push(c),
            Some(_) => {}
            None => errors.add(field, "Select councils from the list"),
        }
    }
    if served.is_empty() && errors.for_field(field).is_none() {
        errors.add(field, format!("Select at least one council that {what} serves"));
    }
    served
}

fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', '\n', ';']).map(str::trim).filter(|p| !p.is_empty())
}

/// Where a postcode places an address: the council whose districts hold it and, within that
/// council, the cluster whose areas hold it (a sector beats a whole district).
pub fn place_postcode(
    postcode: &Postcode,
    councils: &[CouncilCoverage],
    clusters: &[(String, Vec<String>, Vec<PostcodeArea>)],
) -> (Option<String>, Option<String>) {
    let council = councils.iter().find(|c| c.districts.contains(&postcode.district)).map(|c| c.id.clone());
    let Some(council_id) = council else {
        return (None, None);
    };
    let mut best: Option<(&String, bool)> = None;
    for (id, council_ids, areas) in clusters {
        if !council_ids.contains(&council_id) {
            continue;
        }
        for area in areas.iter().filter(|a| a.contains(postcode)) {
            let by_sector = area.sector.is_some();
            if best.is_none_or(|(_, b)| by_sector && !b) {
                best = Some((id, by_sector));
            }
        }
    }
    (Some(council_id), best.map(|(id, _)| id.clone()))
}
