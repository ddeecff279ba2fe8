//! The DfE's code lists for a child's characteristics (CIN census).

use serde::{Deserialize, Serialize};

/// Declares a DfE code list: each variant with its code and label, `ALL`, `code()`,
/// `label()` and `from_code()`.
#[macro_export]
macro_rules! code_list {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal : $label:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant,)+ }

        // Stored and sent as the DfE code, so the history and the API read as the returns do.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let code = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                $name::from_code(&code).ok_or_else(|| {
                    serde::de::Error::custom(format!("'{}' is not a {} code", code, stringify!($name)))
                })
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The DfE code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// What the code means, as staff read it.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }

            /// Reads a DfE code (case and surrounding spaces ignored).
            pub fn from_code(code: &str) -> Option<Self> {
                let code = code.trim();
                Self::ALL.iter().copied().find(|v| v.code().eq_ignore_ascii_case(code))
            }
        }
    };
}

code_list!(
    /// Sex as the CIN census records it.
    Sex {
        Male = "M": "Male",
        Female = "F": "Female",
        Unknown = "U": "Not known",
    }
);

code_list!(
    /// Ethnicity, in the DfE's main codes.
    Ethnicity {
        WhiteBritish = "WBRI": "White British",
        WhiteIrish = "WIRI": "White Irish",
        Traveller = "WIRT": "Traveller of Irish heritage",
        WhiteOther = "WOTH": "Any other White background",
        Roma = "WROM": "Gypsy/Roma",
        WhiteBlackCaribbean = "MWBC": "White and Black Caribbean",
        WhiteBlackAfrican = "MWBA": "White and Black African",
        WhiteAsian = "MWAS": "White and Asian",
        MixedOther = "MOTH": "Any other mixed background",
        Indian = "AIND": "Indian",
        Pakistani = "APKN": "Pakistani",
        Bangladeshi = "ABAN": "Bangladeshi",
        AsianOther = "AOTH": "Any other Asian background",
        Caribbean = "BCRB": "Black Caribbean",
        African = "BAFR": "Black African",
        BlackOther = "BOTH": "Any other Black background",
        Chinese = "CHNE": "Chinese",
        Other = "OOTH": "Any other ethnic group",
        Refused = "REFU": "Refused",
        NotObtained = "NOBT": "Information not yet obtained",
    }
);

code_list!(
    /// Disabilities, as the CIN census records them; NONE stands alone.
    Disability {
        None = "NONE": "No disability",
        Mobility = "MOB": "Mobility",
        HandFunction = "HAND": "Hand function",
        PersonalCare = "PC": "Personal care",
        Incontinence = "INC": "Incontinence",
        Communication = "COMM": "Communication",
        Learning = "LD": "Learning",
        Hearing = "HEAR": "Hearing",
        Vision = "VIS": "Vision",
        Behaviour = "BEH": "Behaviour",
        Consciousness = "CON": "Consciousness",
        Autism = "AUT": "Autism or Asperger syndrome",
        Other = "DDA": "Other disability under the Equality Act",
    }
);

code_list!(
    /// Why a child has no UPN (CIN census UPNunknown).
    UpnUnknown {
        Under5 = "UN1": "Child is not of compulsory school age and has not attended an education setting with a UPN",
        Abroad = "UN2": "Child has never attended a school in England, being educated abroad",
        NotAttending = "UN3": "Child is of compulsory school age and not attending school or attending one without a UPN",
        Unborn = "UN4": "Child is unborn",
        NotYetObtained = "UN5": "Sources collating UPNs reflect a UPN for the child but it has not been obtained",
        ChildLooked = "UN6": "Child is looked after or at home and no UPN has yet been obtained",
        Refugee = "UN7": "Child is a refugee or asylum seeker without a UPN",
    }
);

/// Checks a set of disabilities: NONE stands alone.
pub fn check_disabilities(codes: &[Disability]) -> Result<(), String> {
    if codes.contains(&Disability::None) && codes.len() > 1 {
        return Err("'No disability' cannot be recorded with a disability".into());
    }
    Ok(())
}

/// How one person relates to a child in the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Relationship {
    Mother,
    Father,
    StepParent,
    Sibling,
    HalfSibling,
    Grandparent,
    AuntOrUncle,
    Carer,
    HouseholdMember,
    Other,
}

impl Relationship {
    pub const ALL: [Relationship; 10] = [
        Relationship::Mother,
        Relationship::Father,
        Relationship::StepParent,
        Relationship::Sibling,
        Relationship::HalfSibling,
        Relationship::Grandparent,
        Relationship::AuntOrUncle,
        Relationship::Carer,
        Relationship::HouseholdMember,
        Relationship::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Relationship::Mother => "mother",
            Relationship::Father => "father",
            Relationship::StepParent => "step_parent",
            Relationship::Sibling => "sibling",
            Relationship::HalfSibling => "half_sibling",
            Relationship::Grandparent => "grandparent",
            Relationship::AuntOrUncle => "aunt_or_uncle",
            Relationship::Carer => "carer",
            Relationship::HouseholdMember => "household_member",
            Relationship::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Relationship::Mother => "Mother",
            Relationship::Father => "Father",
            Relationship::StepParent => "Step-parent",
            Relationship::Sibling => "Sibling",
            Relationship::HalfSibling => "Half-sibling",
            Relationship::Grandparent => "Grandparent",
            Relationship::AuntOrUncle => "Aunt or uncle",
            Relationship::Carer => "Carer",
            Relationship::HouseholdMember => "Household member",
            Relationship::Other => "Other",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_and_unknown_codes_are_refused() {
        assert_eq!(Ethnicity::from_code("wbri"), Some(Ethnicity::WhiteBritish));
        assert_eq!(Ethnicity::from_code("XXXX"), None);
        for d in Disability::ALL {
            assert_eq!(Disability::from_code(d.code()), Some(*d));
        }
        assert_eq!(Sex::from_code("F").map(Sex::label), Some("Female"));
    }

    #[test]
    fn no_disability_stands_alone() {
        assert!(check_disabilities(&[Disability::None]).is_ok());
        assert!(check_disabilities(&[Disability::Autism, Disability::Hearing]).is_ok());
        assert!(check_disabilities(&[Disability::None, Disability::Autism]).is_err());
    }
}
