//! The CIN census: one council's children in need over a collection year, as the DfE's XML
//! describes them. Codes are kept as written, so that a file from anywhere can be checked.

mod build;
pub mod import;
pub mod rules;

pub use build::{census, child_in_period, CensusChild};

use chrono::NaiveDate;

/// A whole return: the header and every child.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CinReturn {
    pub header: CinHeader,
    pub children: Vec<CinChild>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CinHeader {
    pub collection: Option<String>,
    pub year: Option<String>,
    pub reference_date: Option<NaiveDate>,
    pub source_level: Option<String>,
    /// The council's three-digit DfE LA code.
    pub lea: Option<String>,
    pub software_code: Option<String>,
    pub release: Option<String>,
    pub serial_no: Option<String>,
    pub date_time: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CinChild {
    pub la_child_id: Option<String>,
    pub upn: Option<String>,
    pub former_upn: Option<String>,
    pub upn_unknown: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub expected_birth_date: Option<NaiveDate>,
    pub sex: Option<String>,
    pub death_date: Option<NaiveDate>,
    pub ethnicity: Option<String>,
    pub disabilities: Vec<String>,
    pub details: Vec<CinDetails>,
    /// The line the child starts on, for a file that was read.
    pub line: Option<u64>,
    /// Values a file gave that could not be read, such as a date that is not a date: they are
    /// kept as missing, and said here.
    pub unreadable: Vec<Unreadable>,
}

/// A value in a file that could not be read as what its element holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub element: String,
    pub value: String,
    pub line: u64,
}

/// One referral episode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CinDetails {
    pub referral_date: Option<NaiveDate>,
    pub referral_source: Option<String>,
    pub primary_need: Option<String>,
    pub closure_date: Option<NaiveDate>,
    pub reason_for_closure: Option<String>,
    pub date_of_initial_cpc: Option<NaiveDate>,
    pub assessments: Vec<CinAssessment>,
    pub cin_plans: Vec<CinPlan>,
    pub section47s: Vec<CinSection47>,
    /// `0`/`1` (or `false`/`true`) as written.
    pub referral_nfa: Option<String>,
    pub cp_plans: Vec<CinProtectionPlan>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CinAssessment {
    pub start: Option<NaiveDate>,
    pub internal_review: Option<NaiveDate>,
    pub authorised: Option<NaiveDate>,
    pub factors: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CinPlan {
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CinSection47 {
    pub start: Option<NaiveDate>,
    /// Kept as written: the DfE's validator reads it as text, not as a date.
    pub icpc_target: Option<String>,
    pub date_of_initial_cpc: Option<NaiveDate>,
    pub icpc_not_required: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CinProtectionPlan {
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub initial_category: Option<String>,
    pub latest_category: Option<String>,
    pub number_of_previous: Option<String>,
    /// Review dates; a review element with no date is kept as `None`.
    pub reviews: Vec<Option<NaiveDate>>,
}

/// A `0`/`1`/`true`/`false` flag as the census writes it: true, false, or neither.
pub fn flag(value: Option<&str>) -> Option<bool> {
    match value.map(str::trim) {
        Some("1") | Some("true") => Some(true),
        Some("0") | Some("false") => Some(false),
        _ => None,
    }
}

impl CinDetails {
    /// Whether the referral is marked no further action.
    pub fn nfa(&self) -> bool {
        flag(self.referral_nfa.as_deref()) == Some(true)
    }
}
