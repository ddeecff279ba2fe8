//! Rules about who the child is: identifiers, dates of birth and death, sex, ethnicity and
//! disability; and the rules about the return as a whole.

use super::{episodes, further_action, is, le, lt, nfa, At, Check, Rule};
use crate::people::Upn;
use chrono::{Months, NaiveDate};
use std::collections::HashMap;

const SEXES: &[&str] = &["M", "F", "U"];

const ETHNICITIES: &[&str] = &[
    "ABAN", "AIND", "AOTH", "APKN", "BAFR", "BCRB", "BOTH", "CHNE", "MOTH", "MWAS", "MWBA", "MWBC", "NOBT", "OOTH",
    "REFU", "WBRI", "WIRI", "WIRT", "WOTH", "WROM",
];

const DISABILITIES: &[&str] =
    &["NONE", "MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT", "DDA"];

/// The reasons a UPN may be missing that count for a child of school age.
const UPN_UNKNOWN_AT_SCHOOL_AGE: &[&str] = &["UN2", "UN3", "UN4", "UN5", "UN6", "UN7"];

/// The LA codes a UPN's characters 2–4 may hold.
fn upn_la_code(code: &str) -> bool {
    const RANGES: &[(u16, u16)] = &[
        (201, 213),
        (301, 320),
        (330, 336),
        (340, 344),
        (350, 359),
        (370, 373),
        (380, 384),
        (390, 394),
        (660, 681),
        (701, 708),
        (800, 803),
        (805, 808),
        (810, 813),
        (820, 823),
        (835, 839),
        (850, 852),
        (855, 857),
        (865, 896),
        (935, 938),
        (940, 941),
    ];
    const SINGLE: &[u16] = &[
        420, 815, 816, 825, 826, 830, 831, 840, 841, 845, 846, 860, 861, 908, 909, 916, 919, 921, 925, 926, 928, 929,
        931, 933, 942, 943,
    ];
    if matches!(code, "001" | "002" | "003" | "004" | "005") {
        return true;
    }
    if code.len() != 3 || code.starts_with('0') {
        return false;
    }
    code.parse::<u16>().is_ok_and(|n| SINGLE.contains(&n) || RANGES.iter().any(|(a, b)| (*a..=*b).contains(&n)))
}

fn years_before(day: NaiveDate, years: u32) -> Option<NaiveDate> {
    day.checked_sub_months(Months::new(12 * years))
}

pub(super) const RULES: &[Rule] = &[
    Rule {
        code: "100",
        message: "Reference Date is incorrect",
        fields: &["ReferenceDate"],
        check: Check::Return(|census, _, out| {
            let h = &census.header;
            let expected = h.year.as_deref().and_then(|y| y.trim().parse().ok()).and_then(|y| NaiveDate::from_ymd_opt(y, 3, 31));
            if h.reference_date.is_none() || h.reference_date != expected {
                out.push((None, At::Child));
            }
        }),
    },
    Rule {
        code: "8500",
        message: "LA Child ID missing",
        fields: &["LAchildID"],
        check: Check::Child(|c, _, out| {
            if c.la_child_id.is_none() {
                out.push(At::Child)
            }
        }),
    },
    Rule {
        code: "8510",
        message: "More than one child record with the same LA Child ID",
        fields: &["LAchildID"],
        check: Check::Return(|census, _, out| {
            duplicates(census.children.iter().map(|c| c.la_child_id.as_deref()), out);
        }),
    },
    Rule {
        code: "1520",
        message: "More than one record with the same UPN.",
        fields: &["UPN"],
        check: Check::Return(|census, _, out| duplicates(census.children.iter().map(|c| c.upn.as_deref()), out)),
    },
    Rule {
        code: "1510",
        message: "UPN invalid (wrong check letter at character 1)",
        fields: &["UPN"],
        check: Check::Child(|c, _, out| {
            if let Some(upn) = c.upn.as_deref() {
                let rest = upn.get(1..).unwrap_or("");
                if upn.len() == 13
                    && rest.bytes().all(|b| b.is_ascii_digit())
                    && Upn::check_letter(rest).is_some_and(|letter| !upn.starts_with(letter))
                {
                    out.push(At::Child)
                }
            }
        }),
    },
    Rule {
        code: "1530",
        message: "UPN invalid (characters 2-4 not a recognised LA code)",
        fields: &["UPN"],
        check: Check::Child(|c, _, out| {
            if let Some(upn) = c.upn.as_deref().filter(|u| u.chars().count() == 13) {
                if !upn.get(1..4).is_some_and(upn_la_code) {
                    out.push(At::Child)
                }
            }
        }),
    },
    Rule {
        code: "1540",
        message: "UPN invalid (characters 5-12 not all numeric)",
        fields: &["UPN"],
        check: Check::Child(|c, _, out| {
            if let Some(upn) = c.upn.as_deref() {
                let chars: Vec<char> = upn.chars().skip(4).take(8).collect();
                if chars.is_empty() || !chars.iter().all(char::is_ascii_digit) {
                    out.push(At::Child)
                }
            }
        }),
    },
    Rule {
        code: "1550",
        message: "UPN invalid (character 13 not a recognised value)",
        fields: &["UPN"],
        check: Check::Child(|c, _, out| {
            if let Some(upn) = c.upn.as_deref().filter(|u| u.chars().count() == 13) {
                let last = upn.chars().last().unwrap_or(' ');
                if !(last.is_ascii_digit() || "ABCDEFGHJKLMNPQRTUVWXYZ".contains(last)) {
                    out.push(At::Child)
                }
            }
        }),
    },
    Rule {
        code: "1560Q",
        message: "Please check and either amend or provide a reason: Former UPN wrongly formatted",
        fields: &["FormerUPN"],
        check: Check::Child(|c, _, out| {
            if let Some(upn) = c.former_upn.as_deref() {
                let mut chars = upn.chars();
                let first_letter = chars.next().is_some_and(char::is_alphabetic);
                let rest: Vec<char> = chars.collect();
                if upn.chars().count() != 13 || !first_letter || rest.is_empty() || !rest.iter().all(char::is_ascii_digit) {
                    out.push(At::Child)
                }
            }
        }),
    },
    Rule {
        code: "1570",
        message: "LA Child ID must not be longer than 20 characters",
        fields: &["LAchildID"],
        check: Check::Child(|c, _, out| {
            if c.la_child_id.as_deref().is_some_and(|id| id.chars().count() > 20) {
                out.push(At::Child)
            }
        }),
    },
    Rule {
        code: "1580",
        message: "LA Child ID must not contain any non-alphanumeric characters",
        fields: &["LAchildID"],
        check: Check::Child(|c, _, out| {
            if c.la_child_id.as_deref().is_some_and(|id| !id.chars().all(char::is_alphanumeric)) {
                out.push(At::Child)
            }
        }),
    },
    Rule {
        code: "4180",
        message: "Sex must be provided and equal M, F, or U",
        fields: &["Sex"],
        check: Check::Child(|c, _, out| {
            if !is(&c.sex, SEXES) {
                out.push(At::Child)
            }
        }),
    },
    Rule {
        code: "8750",
        message: "Sex must equal U for an unborn child",
        fields: &["Sex", "ExpectedPersonBirthDate"],
        check: Check::Child(|c, _, out| {
            if c.birth_date.is_none() && c.expected_birth_date.is_some() && c.sex.as_deref() != Some("U") {
                out.push(At::Child)
            }
        }),
    },
    Rule {
        code: "4220",
        message: "Ethnicity is missing or invalid (see Ethnicity table)",
        fields: &["Ethnicity"],
        check: Check::Child(|c, _, out| {
            if !is(&c.ethnicity, ETHNICITIES) {
                out.push(At::Child)
            }
        }),
    },
    Rule {
        code: "8520",
        message: "Date of Birth is after data collection period (must be on or before the end of the census period)",
        fields: &["PersonBirthDate"],
        check: Check::Child(|c, p, out| {
            if lt(Some(p.end), c.birth_date) {
                out.push(At::Child)
            }
        }),
    },
    Rule {
        code: "8525Q",
        message: "Either Date of Birth or Expected Date of Birth must be provided (but not both)",
        fields: &["PersonBirthDate", "ExpectedPersonBirthDate"],
        check: Check::Child(|c, _, out| {
            if c.birth_date.is_some() == c.expected_birth_date.is_some() {
                out.push(At::Child)
            }
        }),
    },
    Rule {
        code: "8530Q",
        message: "Please check and either amend data or provide a reason: Expected Date of Birth is outside the expected range for this census (March to December of the Census Year end)",
        fields: &["ExpectedPersonBirthDate"],
        check: Check::Child(|c, p, out| {
            if let Some(expected) = c.expected_birth_date {
                let earliest = p.end - chrono::Duration::days(30);
                let latest = p.end.checked_add_months(Months::new(9)).unwrap_or(p.end);
                if expected >= latest || expected <= earliest {
                    out.push(At::Child)
                }
            }
        }),
    },
    Rule {
        code: "8535Q",
        message: "Please check and either amend data or provide a reason: Child’s date of death should not be prior to the date of birth",
        fields: &["PersonDeathDate", "PersonBirthDate"],
        check: Check::Child(|c, _, out| {
            if c.death_date.is_some() && (c.birth_date.is_none() || lt(c.death_date, c.birth_date)) {
                out.push(At::Child)
            }
        }),
    },
    Rule {
        code: "8545Q",
        message: "Please check and either amend data or provide a reason: Child's date of death should be within the census year",
        fields: &["PersonDeathDate"],
        check: Check::Child(|c, p, out| {
            if c.death_date.is_some() && !p.contains(c.death_date) {
                out.push(At::Child)
            }
        }),
    },
    Rule {
        code: "8540",
        message: "Child’s disability is missing or invalid (see Disability table)",
        fields: &["Disability"],
        check: Check::Child(|c, _, out| {
            let invalid = c.disabilities.is_empty() || c.disabilities.iter().any(|d| !DISABILITIES.contains(&d.as_str()));
            if invalid && c.birth_date.is_some() && c.details.iter().any(further_action) {
                out.push(At::Child)
            }
        }),
    },
    Rule {
        code: "8790",
        message: "Disability information includes both None and other values",
        fields: &["Disability"],
        check: Check::Child(|c, _, out| {
            let none = |d: &String| d.eq_ignore_ascii_case("NONE");
            if c.disabilities.iter().any(none) && !c.disabilities.iter().all(none) {
                out.push(At::Child)
            }
        }),
    },
    Rule {
        code: "8794",
        message: "Child has two or more disabilities with the same code",
        fields: &["Disability"],
        check: Check::Child(|c, _, out| {
            if c.disabilities.iter().enumerate().any(|(i, d)| c.disabilities[..i].contains(d)) {
                out.push(At::Child)
            }
        }),
    },
    Rule {
        code: "2886Q",
        message: "Please check and either amend or provide a reason: Percentage of children with no sex recorded is more than 2% (excluding unborns)",
        fields: &["Sex"],
        check: Check::Return(|census, _, out| {
            let unknown = census
                .children
                .iter()
                .filter(|c| matches!(c.sex.as_deref(), None | Some("U")) && c.expected_birth_date.is_none())
                .count();
            if !census.children.is_empty() && unknown as f64 / census.children.len() as f64 > 0.02 {
                out.push((None, At::Child));
            }
        }),
    },
    Rule {
        code: "2887Q",
        message: "Please check and either amend or provide a reason: Less than 8 disability codes have been used in your return",
        fields: &["Disability"],
        // Counted as the sector's validator counts it: the children recorded with NONE.
        check: Check::Return(|census, _, out| {
            let none = census.children.iter().flat_map(|c| &c.disabilities).filter(|d| *d == "NONE").count();
            if none <= 7 {
                out.push((None, At::Child));
            }
        }),
    },
    Rule {
        code: "2888Q",
        message: "Please check and either amend or provide a reason: Only one disability code is recorded per child and multiple disabilities should be recorded where possible.",
        fields: &["Disability"],
        check: Check::Return(|census, _, out| {
            let most =
                census.children.iter().map(|c| c.disabilities.iter().filter(|d| *d != "NONE").count()).max().unwrap_or(0);
            if most == 1 {
                out.push((None, At::Child));
            }
        }),
    },
    Rule {
        code: "8590",
        message: "Child does not have a recorded CIN episode.",
        fields: &["LAchildID"],
        check: Check::Child(|c, _, out| {
            if c.details.is_empty() {
                out.push(At::Child)
            }
        }),
    },
    Rule {
        code: "8770Q",
        message: "Please check and either amend data or provide a reason: UPN is missing or reason UPN is missing or is UN1 for a child who is of school age.",
        fields: &["UPN", "UPNunknown"],
        check: Check::Child(|c, p, out| {
            // Of school age by the September after the reference date.
            let school_start = p.end.checked_add_months(Months::new(4)).map(|d| d + chrono::Duration::days(31));
            let Some(eldest_not_at_school) = school_start.and_then(|d| years_before(d, 6)) else { return };
            let school_age = le(c.birth_date, Some(eldest_not_at_school));
            let reason = c.upn_unknown.as_deref().map(str::to_uppercase);
            let known_reason = reason.as_deref().is_some_and(|r| UPN_UNKNOWN_AT_SCHOOL_AGE.contains(&r));
            if school_age && c.details.iter().any(further_action) && c.upn.is_none() && !known_reason {
                out.push(At::Child)
            }
        }),
    },
    Rule {
        code: "8772",
        message: "UPN unknown reason is UN7 (Referral with no further action) but at least one CIN details is a referral going on to further action",
        fields: &["UPNunknown", "ReferralNFA"],
        check: Check::Child(|c, _, out| {
            if c.upn_unknown.as_deref() == Some("UN7") && (c.details.is_empty() || c.details.iter().any(|d| !nfa(d))) {
                out.push(At::Child)
            }
        }),
    },
    Rule {
        code: "8775Q",
        message: "Please check and either amend data or provide a reason: Child is over 25 years old",
        fields: &["PersonBirthDate", "CINclosureDate"],
        check: Check::Child(|c, p, out| {
            let (Some(born), Some(cutoff)) = (c.birth_date, years_before(p.end, 25)) else { return };
            let twenty_fifth = born.checked_add_months(Months::new(300));
            if born < cutoff {
                for (i, d) in episodes(c) {
                    if d.closure_date.is_none() || lt(twenty_fifth, d.closure_date) {
                        out.push(At::Episode(i))
                    }
                }
            }
        }),
    },
    Rule {
        code: "8606",
        message: "Child referral date is more than 40 weeks before DOB or expected DOB",
        fields: &["CINreferralDate", "PersonBirthDate", "ExpectedPersonBirthDate"],
        check: Check::Child(|c, _, out| {
            let weeks_40 = chrono::Duration::days(280);
            for (i, d) in episodes(c) {
                if lt(d.referral_date, c.birth_date.map(|b| b - weeks_40))
                    || lt(d.referral_date, c.expected_birth_date.map(|b| b - weeks_40))
                {
                    out.push(At::Episode(i))
                }
            }
        }),
    },
    Rule {
        code: "8555Q",
        message: "Child cannot be referred after its recorded date of death",
        fields: &["PersonDeathDate", "CINreferralDate"],
        check: Check::Child(|c, _, out| {
            for (i, d) in episodes(c) {
                if lt(c.death_date, d.referral_date) {
                    out.push(At::Episode(i))
                }
            }
        }),
    },
    Rule {
        code: "8585Q",
        message: "Please check and either amend or provide a reason: CIN episode shows Died as the Closure Reason, however child has no recorded Date of Death",
        fields: &["ReasonForClosure", "PersonDeathDate"],
        check: Check::Child(|c, _, out| {
            for (i, d) in episodes(c) {
                if d.reason_for_closure.as_deref() == Some("RC2") && c.death_date.is_none() {
                    out.push(At::Episode(i))
                }
            }
        }),
    },
];

/// Every child whose value is shared with another child.
fn duplicates<'a>(values: impl Iterator<Item = Option<&'a str>>, out: &mut Vec<(Option<usize>, At)>) {
    let mut seen: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, v) in values.enumerate() {
        if let Some(v) = v {
            seen.entry(v).or_default().push(i);
        }
    }
    let mut shared: Vec<usize> = seen.into_values().filter(|ids| ids.len() > 1).flatten().collect();
    shared.sort_unstable();
    out.extend(shared.into_iter().map(|i| (Some(i), At::Child)));
}
