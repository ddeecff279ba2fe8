//! The Children's Social Work Workforce census (CSWW) code lists, and the Social Work England
//! registration number.

use crate::code_list;
use std::fmt;

code_list!(
    /// A social worker's role (CSWW OrgRole); staff who are not social workers have none.
    OrgRole {
        SeniorManager = "1": "Senior manager",
        MiddleManager = "2": "Middle manager",
        FirstLineManager = "3": "First line manager",
        SeniorPractitioner = "4": "Senior practitioner",
        CaseHolder = "5": "Case holder",
        QualifiedWithoutCases = "6": "Qualified, without cases",
    }
);

code_list!(
    /// Where a social worker came from (CSWW StartOrigin).
    StartOrigin {
        NewlyQualified = "1": "Newly qualified social worker",
        OtherCouncil = "2": "Social work role in another council in England",
        OutsideEngland = "3": "Social work role outside England",
        Agency = "4": "Agency or consultancy in social work (in England)",
        OtherSocialWork = "5": "Other social work role, not a council (in England)",
        OtherSocialCare = "6": "Other social care role (in England)",
        NonSocialCare = "7": "Non-social care role, outside England, no employment or a career break",
        Other = "8": "Other",
        NotKnown = "9": "Not known",
        NotYetCollected = "10": "Not yet collected",
    }
);

code_list!(
    /// Where a leaver went (CSWW LeaverDestination).
    LeaverDestination {
        OtherCouncil = "1": "Social work role in another council in England",
        OutsideEngland = "2": "Social work role outside England",
        Agency = "3": "Agency or consultancy in social work (in England)",
        OtherSocialWork = "4": "Other social work role, not a council (in England)",
        OtherSocialCare = "5": "Other social care role (in England)",
        NonSocialCare = "6": "Non-social care role, outside England, no employment or a career break",
        Other = "7": "Other",
        NotKnown = "8": "Not known",
        NotYetCollected = "9": "Not yet collected",
    }
);

code_list!(
    /// Why a leaver left (CSWW ReasonLeave).
    ReasonLeave {
        Resigned = "1": "Resignation",
        VoluntaryRedundancy = "2": "Voluntary redundancy",
        CompulsoryRedundancy = "3": "Compulsory redundancy",
        Dismissed = "4": "Dismissed",
        Retired = "5": "Retired",
        Died = "6": "Deceased",
        OtherRoleInCouncil = "7": "Moved to a role outside child and family social work in the council",
        Other = "8": "Other",
        NotKnown = "9": "Not known",
        NotYetCollected = "10": "Not yet collected",
    }
);

code_list!(
    /// Why a worker was absent (CSWW ReasonAbsence).
    AbsenceReason {
        Parental = "MAT": "Maternity, paternity or adoption leave",
        OtherPaid = "OTH": "Other paid authorised absence",
        PublicDuty = "PUB": "Paid absence for public duties, such as jury service",
        Sick = "SIC": "Sick leave",
        Training = "TRN": "Training",
        Unauthorised = "UNA": "Unauthorised absence",
        UnpaidAuthorised = "UNP": "Unpaid authorised absence",
    }
);

code_list!(
    /// Where a worker stands on the knowledge and skills statements (CSWW CFKSSstatus).
    Cfkss {
        Asye = "1": "Assessed and supported year in employment (ASYE)",
        FrontlinePractitioner = "2": "Frontline practitioner",
        PracticeSupervisor = "3": "Practice supervisor",
        PracticeLeader = "4": "Practice leader",
    }
);

code_list!(
    /// The level of a social worker's qualification (CSWW QualLevel).
    QualificationLevel {
        Undergraduate = "1": "Undergraduate",
        Postgraduate = "2": "Postgraduate",
        Other = "3": "Other",
    }
);

/// A Social Work England registration number: "SW" and its digits, as on the register.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SweNumber(String);

impl SweNumber {
    /// Reads "SW123456" in any case, with or without spaces.
    pub fn parse(text: &str) -> Result<Self, String> {
        let compact: String = text.split_whitespace().collect::<String>().to_ascii_uppercase();
        let digits = compact.strip_prefix("SW").unwrap_or("");
        if digits.is_empty() || digits.len() > 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "'{}' is not a Social Work England registration number (SW followed by up to 10 digits, like SW123456)",
                text.trim()
            ));
        }
        Ok(Self(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As the census wants it: two letters and ten digits, the number padded with zeros.
    pub fn census_form(&self) -> String {
        format!("SW{:0>10}", &self.0[2..])
    }
}

impl TryFrom<String> for SweNumber {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        Self::parse(&text)
    }
}

impl From<SweNumber> for String {
    fn from(n: SweNumber) -> String {
        n.0
    }
}

impl fmt::Display for SweNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
