//! Every rule is tested twice: a clean return passes it, and the same return with one fault
//! that the rule is about fails it.

use super::*;
use crate::people::Upn;
use crate::returns::cin::{CinAssessment, CinHeader, CinPlan, CinProtectionPlan, CinSection47};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn upn(serial: usize) -> String {
    let body = format!("314123425{serial:03}");
    format!("{}{body}", Upn::check_letter(&body).expect("check letter"))
}

/// A child on a protection plan that ended, then a child in need plan: every rule passes.
fn child(n: usize) -> CinChild {
    CinChild {
        la_child_id: Some(format!("C{n}")),
        upn: Some(upn(n)),
        birth_date: Some(d(2015, 6, 1)),
        sex: Some("F".into()),
        ethnicity: Some("WBRI".into()),
        disabilities: vec!["NONE".into()],
        details: vec![CinDetails {
            referral_date: Some(d(2025, 5, 1)),
            referral_source: Some("2A".into()),
            primary_need: Some("N1".into()),
            assessments: vec![CinAssessment {
                start: Some(d(2025, 5, 2)),
                internal_review: None,
                authorised: Some(d(2025, 6, 2)),
                factors: vec!["1A".into(), "4B".into()],
            }],
            section47s: vec![CinSection47 {
                start: Some(d(2025, 5, 2)),
                icpc_target: Some("2025-05-23".into()),
                date_of_initial_cpc: Some(d(2025, 5, 20)),
                icpc_not_required: Some("0".into()),
            }],
            referral_nfa: Some("0".into()),
            cp_plans: vec![CinProtectionPlan {
                start: Some(d(2025, 5, 20)),
                end: Some(d(2025, 9, 1)),
                initial_category: Some("NEG".into()),
                latest_category: Some("NEG".into()),
                number_of_previous: Some("0".into()),
                reviews: vec![Some(d(2025, 8, 20))],
            }],
            cin_plans: vec![CinPlan { start: Some(d(2025, 9, 1)), end: None }],
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn clean() -> CinReturn {
    CinReturn {
        header: CinHeader {
            collection: Some("CIN".into()),
            year: Some("2026".into()),
            reference_date: Some(d(2026, 3, 31)),
            lea: Some("314".into()),
            ..Default::default()
        },
        children: (1..=10).map(child).collect(),
    }
}

fn c0(r: &mut CinReturn) -> &mut CinChild {
    &mut r.children[0]
}

fn e0(r: &mut CinReturn) -> &mut CinDetails {
    &mut r.children[0].details[0]
}

fn a0(r: &mut CinReturn) -> &mut CinAssessment {
    &mut e0(r).assessments[0]
}

fn s0(r: &mut CinReturn) -> &mut CinSection47 {
    &mut e0(r).section47s[0]
}

fn p0(r: &mut CinReturn) -> &mut CinProtectionPlan {
    &mut e0(r).cp_plans[0]
}

fn n0(r: &mut CinReturn) -> &mut CinPlan {
    &mut e0(r).cin_plans[0]
}

fn close(r: &mut CinReturn, reason: &str) {
    e0(r).closure_date = Some(d(2026, 1, 5));
    e0(r).reason_for_closure = Some(reason.into());
}

fn open_assessment(r: &mut CinReturn) {
    a0(r).authorised = None;
    a0(r).factors.clear();
}

type Fault = fn(&mut CinReturn);

/// For each rule, a fault it must find.
const FAULTS: &[(&str, Fault)] = &[
    ("100", |r| r.header.reference_date = Some(d(2026, 3, 30))),
    ("8500", |r| c0(r).la_child_id = None),
    ("8510", |r| r.children[1].la_child_id = Some("C1".into())),
    ("1520", |r| r.children[1].upn = Some(upn(1))),
    ("1510", |r| c0(r).upn = Some(format!("Z{}", &upn(1)[1..]))),
    ("1530", |r| c0(r).upn = Some("A999123425001".into())),
    ("1540", |r| c0(r).upn = Some("A314ABCD25001".into())),
    ("1550", |r| c0(r).upn = Some("A31412342500I".into())),
    ("1560Q", |r| c0(r).former_upn = Some("123".into())),
    ("1570", |r| c0(r).la_child_id = Some("C".repeat(21))),
    ("1580", |r| c0(r).la_child_id = Some("C-1".into())),
    ("4180", |r| c0(r).sex = Some("X".into())),
    ("8750", |r| {
        c0(r).birth_date = None;
        c0(r).expected_birth_date = Some(d(2026, 5, 1));
    }),
    ("4220", |r| c0(r).ethnicity = Some("XXXX".into())),
    ("8520", |r| c0(r).birth_date = Some(d(2026, 4, 2))),
    ("8525Q", |r| c0(r).expected_birth_date = Some(d(2015, 6, 1))),
    ("8530Q", |r| {
        c0(r).birth_date = None;
        c0(r).expected_birth_date = Some(d(2027, 6, 1));
    }),
    ("8535Q", |r| c0(r).death_date = Some(d(2015, 1, 1))),
    ("8545Q", |r| c0(r).death_date = Some(d(2024, 1, 1))),
    ("8540", |r| c0(r).disabilities = vec!["XYZ".into()]),
    ("8790", |r| c0(r).disabilities = vec!["NONE".into(), "MOB".into()]),
    ("8794", |r| c0(r).disabilities = vec!["MOB".into(), "MOB".into()]),
    ("2886Q", |r| r.children.iter_mut().for_each(|c| c.sex = Some("U".into()))),
    ("2887Q", |r| r.children.iter_mut().for_each(|c| c.disabilities = vec!["MOB".into()])),
    ("2888Q", |r| c0(r).disabilities = vec!["MOB".into()]),
    ("8590", |r| c0(r).details.clear()),
    ("8770Q", |r| c0(r).upn = None),
    ("8772", |r| c0(r).upn_unknown = Some("UN7".into())),
    ("8775Q", |r| c0(r).birth_date = Some(d(1990, 1, 1))),
    ("8606", |r| c0(r).birth_date = Some(d(2026, 3, 20))),
    ("8555Q", |r| c0(r).death_date = Some(d(2025, 4, 15))),
    ("8585Q", |r| close(r, "RC2")),
    ("8600", |r| e0(r).referral_date = None),
    ("8610", |r| e0(r).primary_need = None),
    ("8650", |r| e0(r).primary_need = Some("N10".into())),
    ("8640", |r| close(r, "RC10")),
    ("8568", |r| e0(r).referral_nfa = Some("yes".into())),
    ("8569Q", |r| {
        e0(r).referral_date = Some(d(2025, 3, 1));
        e0(r).referral_nfa = Some("1".into());
    }),
    ("8620", |r| {
        close(r, "RC1");
        e0(r).closure_date = Some(d(2026, 4, 15));
    }),
    ("8630", |r| {
        close(r, "RC1");
        e0(r).closure_date = Some(d(2025, 4, 20));
    }),
    ("8805", |r| e0(r).closure_date = Some(d(2026, 1, 5))),
    ("8810", |r| e0(r).reason_for_closure = Some("RC1".into())),
    ("8815", |r| {
        let second = e0(r).clone();
        c0(r).details.push(second);
    }),
    ("8816", |r| {
        let mut later = e0(r).clone();
        later.referral_date = Some(d(2026, 1, 10));
        later.closure_date = Some(d(2026, 2, 1));
        later.reason_for_closure = Some("RC1".into());
        c0(r).details.push(later);
    }),
    ("8820", |r| {
        let mut during = e0(r).clone();
        during.referral_date = Some(d(2025, 6, 1));
        during.closure_date = Some(d(2025, 7, 1));
        during.reason_for_closure = Some("RC1".into());
        c0(r).details.push(during);
    }),
    ("8866", |r| e0(r).referral_source = Some("99".into())),
    ("8565", |r| {
        close(r, "RC1");
        e0(r).closure_date = Some(d(2025, 5, 10));
    }),
    ("2990", |r| close(r, "RC8")),
    ("8831", |r| e0(r).referral_nfa = Some("1".into())),
    ("4000", |r| e0(r).referral_nfa = Some("1".into())),
    ("8825Q", |r| {
        close(r, "RC8");
        e0(r).assessments.clear();
    }),
    ("8873Q", |r| a0(r).factors = vec!["21".into()]),
    ("2991Q", |r| e0(r).assessments.clear()),
    ("8867", |r| {
        close(r, "RC1");
        open_assessment(r);
    }),
    ("1103", |r| a0(r).start = Some(d(2025, 4, 20))),
    ("8608", |r| a0(r).start = Some(d(2025, 6, 10))),
    ("8614", |r| a0(r).authorised = None),
    ("8696", |r| a0(r).authorised = Some(d(2026, 4, 10))),
    ("8736", |r| {
        open_assessment(r);
        a0(r).start = Some(d(2025, 3, 1));
    }),
    ("8670Q", open_assessment),
    ("8863Q", |r| {
        let mut second = a0(r).clone();
        second.start = Some(d(2025, 5, 10));
        second.authorised = Some(d(2025, 6, 5));
        e0(r).assessments.push(second);
    }),
    ("8869", |r| a0(r).factors = vec!["21".into(), "1A".into()]),
    ("8896", |r| {
        open_assessment(r);
        let second = a0(r).clone();
        e0(r).assessments.push(second);
    }),
    ("8897Q", |r| a0(r).factors.clear()),
    ("8898", |r| a0(r).factors = vec!["1A".into(), "1A".into()]),
    ("8945Q", |r| a0(r).factors = vec!["18A".into()]),
    ("8950Q", |r| a0(r).factors = vec!["19A".into()]),
    ("4004", |r| {
        let second = n0(r).clone();
        e0(r).cin_plans.push(second);
    }),
    ("4008", |r| c0(r).death_date = Some(d(2025, 8, 1))),
    ("4009Q", |r| {
        n0(r).end = Some(d(2025, 12, 1));
        c0(r).death_date = Some(d(2025, 10, 1));
    }),
    ("4010", |r| n0(r).start = None),
    ("4011", |r| n0(r).end = Some(d(2025, 8, 1))),
    ("4012Q", |r| n0(r).end = Some(d(2025, 9, 1))),
    ("4013", |r| n0(r).end = Some(d(2026, 4, 15))),
    ("4014", |r| e0(r).cin_plans.push(CinPlan { start: Some(d(2025, 10, 1)), end: Some(d(2025, 11, 1)) })),
    ("4015", |r| n0(r).start = Some(d(2025, 4, 10))),
    ("2889", |r| s0(r).start = Some(d(2025, 4, 20))),
    ("1104", |r| s0(r).date_of_initial_cpc = Some(d(2025, 4, 22))),
    ("8615", |r| s0(r).start = None),
    ("8675Q", |r| s0(r).date_of_initial_cpc = None),
    ("8715", |r| s0(r).date_of_initial_cpc = Some(d(2026, 4, 14))),
    ("8740", |r| {
        s0(r).date_of_initial_cpc = None;
        s0(r).start = Some(d(2025, 3, 1));
    }),
    ("8839", |r| {
        s0(r).date_of_initial_cpc = None;
        let second = s0(r).clone();
        e0(r).section47s.push(second);
    }),
    ("8870Q", |r| s0(r).icpc_target = Some("2025-05-24".into())),
    ("8875", |r| s0(r).date_of_initial_cpc = Some(d(2025, 5, 24))),
    ("8890", |r| {
        let mut second = s0(r).clone();
        second.start = Some(d(2025, 5, 10));
        e0(r).section47s.push(second);
    }),
    ("8868", |r| {
        close(r, "RC1");
        s0(r).icpc_not_required = Some("1".into());
    }),
    ("2884", |r| e0(r).date_of_initial_cpc = Some(d(2025, 5, 20))),
    ("2883", |r| s0(r).date_of_initial_cpc = None),
    ("2885", |r| p0(r).start = Some(d(2025, 5, 21))),
    ("8832", |r| e0(r).referral_nfa = Some("1".into())),
    ("1105", |r| p0(r).start = Some(d(2025, 4, 20))),
    ("8720", |r| p0(r).start = None),
    ("8730", |r| p0(r).number_of_previous = None),
    ("8840", |r| p0(r).end = Some(d(2025, 5, 20))),
    ("8925", |r| p0(r).end = Some(d(2025, 5, 1))),
    ("8905", |r| p0(r).initial_category = Some("XXX".into())),
    ("8910", |r| p0(r).latest_category = None),
    ("8915", |r| c0(r).death_date = Some(d(2025, 5, 10))),
    ("8920", |r| c0(r).death_date = Some(d(2025, 8, 1))),
    ("8930", |r| p0(r).end = Some(d(2026, 4, 20))),
    ("8935", |r| {
        p0(r).end = None;
        let second = p0(r).clone();
        e0(r).cp_plans.push(second);
    }),
    ("8940", |r| {
        let mut second = p0(r).clone();
        second.start = Some(d(2025, 6, 1));
        second.end = Some(d(2025, 7, 1));
        e0(r).cp_plans.push(second);
    }),
    ("8841", |r| p0(r).reviews = vec![Some(d(2025, 5, 20))]),
    ("8842Q", |r| p0(r).reviews.push(None)),
    ("4001", |r| p0(r).end = None),
    ("4003", |r| e0(r).cin_plans.push(CinPlan { start: Some(d(2025, 8, 1)), end: Some(d(2025, 8, 31)) })),
    ("4016", |r| n0(r).start = Some(d(2025, 6, 1))),
    ("4017", |r| e0(r).cin_plans.push(CinPlan { start: Some(d(2025, 5, 1)), end: Some(d(2025, 6, 1)) })),
];

fn findings_of(rule: &Rule, census: &CinReturn) -> Vec<Finding> {
    let calendar = WorkingCalendar::england_and_wales();
    let period = Period::of(CollectionYear(2026), &calendar).expect("period");
    check_return(&[rule], census, &period)
}

fn rules() -> Vec<&'static Rule> {
    ruleset(CollectionYear(2026)).expect("2026 rules")
}

#[test]
fn the_2026_rule_set_has_every_rule_of_cin2025_26() {
    let rules = rules();
    assert_eq!(rules.len(), 109);
    assert_eq!(rules.iter().filter(|r| r.severity() == Severity::Query).count(), 26);
    let mut codes: Vec<&str> = rules.iter().map(|r| r.code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), 109, "each code once");
    assert!(ruleset(CollectionYear(2025)).is_none());
    assert_eq!(ruleset(CollectionYear(2027)).map(|r| r.len()), Some(109), "cin2026_27 keeps them all");
}

#[test]
fn a_clean_return_passes_every_rule() {
    let census = clean();
    for rule in rules() {
        let found = findings_of(rule, &census);
        assert!(found.is_empty(), "{} fired on the clean return: {found:?}", rule.code);
    }
}

#[test]
fn each_rule_finds_its_fault() {
    let rules = rules();
    for rule in &rules {
        let Some((_, fault)) = FAULTS.iter().find(|(code, _)| *code == rule.code) else {
            panic!("rule {} has no test fault", rule.code)
        };
        let mut census = clean();
        fault(&mut census);
        let found = findings_of(rule, &census);
        assert!(!found.is_empty(), "{} did not find its fault", rule.code);
        assert!(
            found.iter().all(|f| f.rule == rule.code
                && (f.child.is_none()
                    || f.child == census.children[0].la_child_id
                    || f.child == census.children[1].la_child_id)),
            "{} found the wrong children: {found:?}",
            rule.code
        );
    }
    assert_eq!(FAULTS.len(), rules.len(), "a fault for each rule, and no more");
}

#[test]
fn findings_say_which_child_and_where() {
    let mut census = clean();
    census.children[0].details[0].cp_plans[0].end = Some(d(2025, 5, 1));
    let rule = rules().into_iter().find(|r| r.code == "8925").expect("8925");
    let found = findings_of(rule, &census);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].child.as_deref(), Some("C1"));
    assert_eq!(found[0].at, "CINdetails 1 ChildProtectionPlans 1");
    assert_eq!(found[0].fields, vec!["CPPstartDate", "CPPendDate"]);
}

#[test]
fn working_days_count_back_from_the_reference_date() {
    let calendar = WorkingCalendar::england_and_wales();
    let period = Period::of(CollectionYear(2026), &calendar).expect("period");
    // 31 March 2026 is a Tuesday: 15 working days, counting it, go back to Wednesday 11 March.
    assert_eq!(period.enquiries_due, d(2026, 3, 11));
    assert_eq!(working_days_back(&calendar, d(2026, 3, 31), 1), d(2026, 3, 31));
    // From a Sunday, the Friday before is the first.
    assert_eq!(working_days_back(&calendar, d(2026, 3, 29), 1), d(2026, 3, 27));
}
