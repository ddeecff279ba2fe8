//! People: children (including the unborn), family members and other adults, their
//! identifiers, characteristics, addresses and relationships.

mod codes;
mod identifiers;
mod matching;

pub use codes::{check_disabilities, Disability, Ethnicity, Relationship, Sex, UpnUnknown};
pub use identifiers::{NhsNumber, Upn};
pub use matching::{jaro_winkler, match_strength, normalise_name, MatchFacts, MatchStrength};

use crate::validation::{required_text, FieldErrors};
use chrono::NaiveDate;

/// A child as typed on the "add a child" form or sent to the API, before checking.
#[derive(Debug, Clone, Default)]
pub struct ChildInput {
    pub first_name: String,
    pub last_name: String,
    /// For a child already born.
    pub date_of_birth: Option<NaiveDate>,
    /// For an unborn child.
    pub expected_date_of_birth: Option<NaiveDate>,
    pub sex: String,
    pub ethnicity: String,
    pub disabilities: Vec<String>,
    pub nhs_number: String,
    pub upn: String,
    pub former_upn: String,
    pub upn_unknown: String,
    pub local_id: String,
    pub date_of_death: Option<NaiveDate>,
}

/// A child that has passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidChild {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub expected_date_of_birth: Option<NaiveDate>,
    pub sex: Sex,
    pub ethnicity: Ethnicity,
    pub disabilities: Vec<Disability>,
    pub nhs_number: Option<NhsNumber>,
    pub upn: Option<Upn>,
    pub former_upn: Option<Upn>,
    pub upn_unknown: Option<UpnUnknown>,
    pub local_id: String,
    pub date_of_death: Option<NaiveDate>,
}

fn optional<T>(
    errors: &mut FieldErrors,
    field: &str,
    text: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Option<T> {
    if text.trim().is_empty() {
        return None;
    }
    match parse(text) {
        Ok(v) => Some(v),
        Err(message) => {
            errors.add(field, message);
            None
        }
    }
}

/// Checks a child's details (CIN census rules for identifiers and characteristics): a name (an
/// unborn child may be recorded as "Unborn"), a birth date or an expected one but not both and
/// not in the future, valid NHS number and UPNs, and a reason when there is no UPN.
pub fn validate_child(input: &ChildInput, today: NaiveDate) -> Result<ValidChild, FieldErrors> {
    let mut errors = FieldErrors::new();
    let first_name = required_text(&mut errors, "first_name", "the child's first name", &input.first_name, 100);
    let last_name = required_text(&mut errors, "last_name", "the child's last name", &input.last_name, 100);
    match (input.date_of_birth, input.expected_date_of_birth) {
        (None, None) => {
            errors.add("date_of_birth", "Enter the date of birth, or the expected date of birth for an unborn child")
        }
        (Some(_), Some(_)) => {
            errors.add("expected_date_of_birth", "An unborn child has an expected date of birth only")
        }
        (Some(dob), None) if dob > today => {
            errors.add("date_of_birth", "The date of birth must be today or in the past")
        }
        (Some(dob), None) if dob < today - chrono::Duration::days(366 * 26) => {
            errors.add("date_of_birth", "The date of birth makes the person older than 25: record them as an adult")
        }
        (None, Some(edd)) if edd < today - chrono::Duration::days(31) => {
            errors.add("expected_date_of_birth", "That expected date of birth has passed: record the date of birth")
        }
        _ => {}
    }
    let sex = Sex::from_code(&input.sex);
    if sex.is_none() {
        errors.add("sex", "Select the child's sex, or 'Not known'");
    }
    let ethnicity = if input.ethnicity.trim().is_empty() {
        Some(Ethnicity::NotObtained)
    } else {
        let e = Ethnicity::from_code(&input.ethnicity);
        if e.is_none() {
            errors.add("ethnicity", "Select an ethnicity from the list");
        }
        e
    };
    let mut disabilities = Vec::new();
    for code in &input.disabilities {
        match Disability::from_code(code) {
            Some(d) if !disabilities.contains(&d) => disabilities.push(d),
            Some(_) => {}
            None => errors.add("disabilities", "Select disabilities from the list"),
        }
    }
    if let Err(message) = check_disabilities(&disabilities) {
        errors.add("disabilities", message);
    }
    let nhs_number = optional(&mut errors, "nhs_number", &input.nhs_number, NhsNumber::parse);
    let upn = optional(&mut errors, "upn", &input.upn, Upn::parse);
    let former_upn = optional(&mut errors, "former_upn", &input.former_upn, Upn::parse);
    let upn_unknown = optional(&mut errors, "upn_unknown", &input.upn_unknown, |t| {
        UpnUnknown::from_code(t).ok_or_else(|| "Select why the child has no UPN".to_string())
    });
    if upn.is_some() && upn_unknown.is_some() {
        errors.add("upn_unknown", "A child with a UPN has no reason for not having one");
    }
    if upn.is_some() && upn == former_upn {
        errors.add("former_upn", "The former UPN must differ from the UPN");
    }
    match (input.date_of_death, input.date_of_birth) {
        (Some(death), _) if death > today => {
            errors.add("date_of_death", "The date of death must be today or in the past")
        }
        (Some(death), Some(birth)) if death < birth => {
            errors.add("date_of_death", "The date of death cannot be before the date of birth")
        }
        (Some(_), None) => errors.add("date_of_death", "Record the date of birth before a date of death"),
        _ => {}
    }
    let local_id = input.local_id.trim().to_string();
    if local_id.chars().count() > 20 || !local_id.chars().all(|c| c.is_ascii_alphanumeric()) {
        errors.add("local_id", "The local id is up to 20 letters and digits");
    }
    match (sex, ethnicity) {
        (Some(sex), Some(ethnicity)) if errors.is_empty() => Ok(ValidChild {
            first_name,
            last_name,
            date_of_birth: input.date_of_birth,
            expected_date_of_birth: input.expected_date_of_birth,
            sex,
            ethnicity,
            disabilities,
            nhs_number,
            // An unborn child's UPN reason is UN4 whatever was typed.
            upn_unknown: if input.expected_date_of_birth.is_some() && upn.is_none() {
                Some(UpnUnknown::Unborn)
            } else {
                upn_unknown
            },
            upn,
            former_upn,
            local_id,
            date_of_death: input.date_of_death,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).expect("date")
    }

    fn input() -> ChildInput {
        ChildInput {
            first_name: "Maya".into(),
            last_name: "Okafor".into(),
            date_of_birth: NaiveDate::from_ymd_opt(2016, 5, 4),
            sex: "F".into(),
            ethnicity: "BAFR".into(),
            nhs_number: "943 476 5919".into(),
            ..ChildInput::default()
        }
    }

    #[test]
    fn a_well_formed_child_passes() {
        let c = validate_child(&input(), today()).expect("valid");
        assert_eq!(c.nhs_number.map(|n| n.to_string()), Some("943 476 5919".into()));
        assert_eq!(c.ethnicity, Ethnicity::African);
    }

    #[test]
    fn an_unborn_child_has_an_expected_date_and_un4() {
        let unborn = ChildInput {
            first_name: "Unborn".into(),
            date_of_birth: None,
            expected_date_of_birth: NaiveDate::from_ymd_opt(2027, 2, 1),
            sex: "U".into(),
            nhs_number: String::new(),
            ..input()
        };
        let c = validate_child(&unborn, today()).expect("valid");
        assert_eq!(c.upn_unknown, Some(UpnUnknown::Unborn));
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = ChildInput {
            first_name: " ".into(),
            date_of_birth: NaiveDate::from_ymd_opt(2027, 1, 1),
            sex: "X".into(),
            nhs_number: "123".into(),
            upn: "Z31420012300".into(),
            disabilities: vec!["NONE".into(), "AUT".into()],
            local_id: "has spaces".into(),
            ..input()
        };
        let errors = validate_child(&bad, today()).expect_err("invalid");
        for field in ["first_name", "date_of_birth", "sex", "nhs_number", "upn", "disabilities", "local_id"] {
            assert!(errors.for_field(field).is_some(), "{field}");
        }
    }
}
