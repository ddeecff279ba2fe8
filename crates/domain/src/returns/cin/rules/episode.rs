//! Rules about referral episodes (CINdetails), their assessments and their child in need plans.

use super::{episodes, eq, further_action, is, le, lt, nfa, At, Check, Rule};
use super::{CinChild, CinDetails, Period};
use chrono::NaiveDate;

const REFERRAL_SOURCES: &[&str] = &[
    "1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F", "4", "5A", "5B", "5C", "5D", "6", "7", "8",
    "9", "10",
];
const PRIMARY_NEEDS: &[&str] = &["N0", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9"];
const CLOSURE_REASONS: &[&str] = &["RC1", "RC2", "RC3", "RC4", "RC5", "RC6", "RC7", "RC8", "RC9"];
/// Closed after assessment: with no further action (RC8), or referred to early help (RC9).
const CLOSED_AFTER_ASSESSMENT: &[&str] = &["RC8", "RC9"];
const FACTORS: &[&str] = &[
    "1A", "1B", "1C", "2A", "2B", "2C", "3A", "3B", "3C", "4A", "4B", "4C", "5A", "5B", "5C", "6A", "6B", "6C", "7A",
    "8B", "8C", "8D", "8E", "8F", "9A", "10A", "11A", "12A", "13A", "14A", "15A", "16A", "17A", "18A", "18B", "18C",
    "19A", "19B", "19C", "20", "21", "22A", "23A", "24A",
];
/// The DfE's sources of referral apply to referrals from this day.
const SOURCES_FROM: Option<NaiveDate> = NaiveDate::from_ymd_opt(2013, 4, 1);

fn each_episode(c: &CinChild, out: &mut Vec<At>, test: impl Fn(&CinDetails) -> bool) {
    for (i, d) in episodes(c) {
        if test(d) {
            out.push(At::Episode(i))
        }
    }
}

/// Whether one spell (a) starts while another (b) is running: on or after b's start, and before
/// b's end, or b is still open at the reference date.
fn starts_within(a: NaiveDate, b_start: NaiveDate, b_end: Option<NaiveDate>, end: NaiveDate, inclusive: bool) -> bool {
    a >= b_start
        && match b_end {
            Some(e) if inclusive => a <= e,
            Some(e) => a < e,
            None => a <= end,
        }
}

/// Every activity date of an episode: what must not come after its closure.
fn activity(d: &CinDetails) -> impl Iterator<Item = NaiveDate> + '_ {
    let assessments = d.assessments.iter().flat_map(|a| [a.start, a.authorised]);
    let enquiries = d.section47s.iter().flat_map(|s| [s.start, s.date_of_initial_cpc]);
    let plans = d.cin_plans.iter().flat_map(|p| [p.start, p.end]);
    let protection = d.cp_plans.iter().map(|p| p.end);
    assessments.chain(enquiries).chain(plans).chain(protection).chain([d.date_of_initial_cpc]).flatten()
}

fn each_assessment(c: &CinChild, out: &mut Vec<At>, test: impl Fn(&CinDetails, &super::super::CinAssessment) -> bool) {
    for (i, d) in episodes(c) {
        for (j, a) in d.assessments.iter().enumerate() {
            if test(d, a) {
                out.push(At::Item(i, "Assessments", j))
            }
        }
    }
}

fn each_cin_plan(c: &CinChild, out: &mut Vec<At>, test: impl Fn(&CinDetails, &super::super::CinPlan) -> bool) {
    for (i, d) in episodes(c) {
        for (j, p) in d.cin_plans.iter().enumerate() {
            if test(d, p) {
                out.push(At::Item(i, "CINPlanDates", j))
            }
        }
    }
}

fn factor_used(c: &CinChild, out: &mut Vec<At>, code: &str) {
    each_assessment(c, out, |_, a| a.factors.iter().any(|f| f.eq_ignore_ascii_case(code)))
}

/// Every item of the child's of some kind, with its place: for rules that compare pairs.
fn all_plans(c: &CinChild) -> Vec<(At, Option<NaiveDate>, Option<NaiveDate>)> {
    episodes(c)
        .flat_map(|(i, d)| {
            d.cin_plans.iter().enumerate().map(move |(j, p)| (At::Item(i, "CINPlanDates", j), p.start, p.end))
        })
        .collect()
}

fn in_period_or_flag(p: &Period, day: Option<NaiveDate>) -> bool {
    day.is_some() && !p.contains(day)
}

pub(super) const RULES: &[Rule] = &[
    Rule {
        code: "8600",
        message: "Child referral date missing or after data collection period",
        fields: &["CINreferralDate"],
        check: Check::Child(|c, p, out| each_episode(c, out, |d| d.referral_date.is_none_or(|r| r > p.end))),
    },
    Rule {
        code: "8610",
        message: "Primary Need code is missing for a referral which led to further action.",
        fields: &["ReferralNFA", "PrimaryNeedCode"],
        check: Check::Child(|c, _, out| each_episode(c, out, |d| further_action(d) && d.primary_need.is_none())),
    },
    Rule {
        code: "8650",
        message: "Primary Need Code invalid (see Primary Need table in CIN census code set)",
        fields: &["PrimaryNeedCode"],
        check: Check::Child(|c, _, out| each_episode(c, out, |d| d.primary_need.is_some() && !is(&d.primary_need, PRIMARY_NEEDS))),
    },
    Rule {
        code: "8640",
        message: "CIN Reason for closure code invalid (see Reason for Closure table in CIN Census code set)",
        fields: &["ReasonForClosure"],
        check: Check::Child(|c, _, out| {
            each_episode(c, out, |d| d.reason_for_closure.is_some() && !is(&d.reason_for_closure, CLOSURE_REASONS))
        }),
    },
    Rule {
        code: "8568",
        message: "RNFA flag is missing or invalid",
        fields: &["ReferralNFA"],
        check: Check::Child(|c, _, out| {
            each_episode(c, out, |d| {
                !d.referral_nfa.as_deref().is_some_and(|f| matches!(f.to_lowercase().as_str(), "1" | "0" | "true" | "false"))
            })
        }),
    },
    Rule {
        code: "8569Q",
        message: "A case with referral date before one working day prior to the collection start date must not be flagged as a no further action case",
        fields: &["ReferralNFA"],
        check: Check::Child(|c, p, out| each_episode(c, out, |d| lt(d.referral_date, Some(p.start)) && !further_action(d))),
    },
    Rule {
        code: "8620",
        message: "CIN Closure Date present and does not fall within the Census year",
        fields: &["CINclosureDate"],
        check: Check::Child(|c, p, out| each_episode(c, out, |d| in_period_or_flag(p, d.closure_date))),
    },
    Rule {
        code: "8630",
        message: "CIN Closure Date is before CIN Referral Date for the same CIN episode",
        fields: &["CINreferralDate", "CINclosureDate"],
        check: Check::Child(|c, _, out| each_episode(c, out, |d| lt(d.closure_date, d.referral_date))),
    },
    Rule {
        code: "8805",
        message: "A CIN case cannot have a CIN closure date without a Reason for Closure",
        fields: &["CINclosureDate", "ReasonForClosure"],
        check: Check::Child(|c, _, out| each_episode(c, out, |d| d.closure_date.is_some() && d.reason_for_closure.is_none())),
    },
    Rule {
        code: "8810",
        message: "A CIN case cannot have a Reason for Closure without a CIN Closure Date",
        fields: &["ReasonForClosure", "CINclosureDate"],
        check: Check::Child(|c, _, out| each_episode(c, out, |d| d.reason_for_closure.is_some() && d.closure_date.is_none())),
    },
    Rule {
        code: "8815",
        message: "More than one open CIN Details episode (a module with no CIN Closure Date) has been provided for this child and case is not a referral with no further action.",
        fields: &["ReferralNFA", "CINclosureDate"],
        check: Check::Child(|c, _, out| {
            let open_with_action = c.details.iter().filter(|d| d.closure_date.is_none() && further_action(d)).count();
            if open_with_action > 1 {
                each_episode(c, out, |d| d.closure_date.is_none())
            }
        }),
    },
    Rule {
        code: "8816",
        message: "An open CIN episode is shown and case is not a referral with no further action, but it is not the latest episode.",
        fields: &["CINreferralDate", "ReferralNFA"],
        check: Check::Child(|c, _, out| {
            // The latest episode: the first with the latest referral date.
            let mut latest: Option<(usize, NaiveDate)> = None;
            for (i, d) in episodes(c) {
                if let Some(r) = d.referral_date {
                    if latest.is_none_or(|(_, l)| r > l) {
                        latest = Some((i, r));
                    }
                }
            }
            let Some((latest, _)) = latest else { return };
            for (i, d) in episodes(c) {
                if i != latest && d.referral_date.is_some() && d.closure_date.is_none() && further_action(d) {
                    out.push(At::Episode(i))
                }
            }
        }),
    },
    Rule {
        code: "8820",
        message: "The dates on the CIN episodes for this child overlap",
        fields: &["CINreferralDate", "CINclosureDate"],
        check: Check::Child(|c, p, out| {
            for (i, a) in episodes(c) {
                let Some(a_start) = a.referral_date else { continue };
                for (j, b) in episodes(c) {
                    let Some(b_start) = b.referral_date else { continue };
                    if i == j || a_start < b_start {
                        continue;
                    }
                    let during = match b.closure_date {
                        Some(close) => a_start < close,
                        None => a_start < p.end && further_action(b),
                    };
                    if during {
                        out.push(At::Episode(i));
                        out.push(At::Episode(j));
                    }
                }
            }
        }),
    },
    Rule {
        code: "8866",
        message: "Source of Referral is missing or an invalid code",
        fields: &["CINreferralDate", "ReferralSource"],
        check: Check::Child(|c, _, out| {
            each_episode(c, out, |d| le(SOURCES_FROM, d.referral_date) && !is(&d.referral_source, REFERRAL_SOURCES))
        }),
    },
    Rule {
        code: "8565",
        message: "Activity shown after a case has been closed",
        fields: &["CINclosureDate", "DateOfInitialCPC", "AssessmentActualStartDate", "AssessmentAuthorisationDate", "S47ActualStartDate", "CPPendDate", "CINPlanStartDate", "CINPlanEndDate"],
        check: Check::Child(|c, _, out| {
            each_episode(c, out, |d| d.closure_date.is_some_and(|close| activity(d).any(|day| day > close)))
        }),
    },
    Rule {
        code: "2990",
        message: "Activity is recorded against a case marked as ‘Case closed after assessment, no further action’ or 'case closed after assessment, referred to early help'.",
        fields: &["ReasonForClosure"],
        check: Check::Child(|c, _, out| {
            each_episode(c, out, |d| {
                is(&d.reason_for_closure, CLOSED_AFTER_ASSESSMENT)
                    && (d.date_of_initial_cpc.is_some()
                        || !d.cp_plans.is_empty()
                        || !d.section47s.is_empty()
                        || !d.cin_plans.is_empty())
            })
        }),
    },
    Rule {
        code: "8831",
        message: "Activity is recorded against a case marked as a referral with no further action",
        fields: &["AssessmentActualStartDate", "AssessmentAuthorisationDate", "S47ActualStartDate", "DateOfInitialCPC"],
        check: Check::Child(|c, _, out| {
            each_episode(c, out, |d| {
                nfa(d)
                    && (d.date_of_initial_cpc.is_some()
                        || d.section47s.iter().any(|s| s.start.is_some())
                        || d.assessments.iter().any(|a| a.start.is_some() || a.authorised.is_some()))
            })
        }),
    },
    Rule {
        code: "4000",
        message: "CIN Plan details provided for a referral with no further action",
        fields: &["ReferralNFA"],
        check: Check::Child(|c, _, out| each_episode(c, out, |d| nfa(d) && !d.cin_plans.is_empty())),
    },
    Rule {
        code: "8825Q",
        message: "Please check and either amend data or provide a reason: Reason for Closure code RC8 (case closed after assessment) or RC9 (case closed after assessment, referred to early help) has been returned but there is no assessment present for the episode.",
        fields: &["ReasonForClosure"],
        check: Check::Child(|c, _, out| {
            each_episode(c, out, |d| is(&d.reason_for_closure, CLOSED_AFTER_ASSESSMENT) && d.assessments.is_empty())
        }),
    },
    Rule {
        code: "8873Q",
        message: "Please check and either amend data or provide a reason: When there is only one assessment on the episode and the factors code “21 No factors identified” has been used for the completed assessment, the reason for closure ‘RC8’ or 'RC9' should be used.",
        fields: &["ReasonForClosure"],
        check: Check::Child(|c, _, out| {
            each_episode(c, out, |d| {
                d.assessments.len() == 1
                    && d.assessments[0].factors.iter().any(|f| f.contains("21"))
                    && !is(&d.reason_for_closure, CLOSED_AFTER_ASSESSMENT)
            })
        }),
    },
    Rule {
        code: "2991Q",
        message: "Please check and either amend data or provide a reason: A Section 47 module is recorded and there is no assessment on the episode",
        fields: &["CINdetailsID"],
        check: Check::Child(|c, _, out| each_episode(c, out, |d| !d.section47s.is_empty() && d.assessments.is_empty())),
    },
    Rule {
        code: "8867",
        message: "CIN episode is shown as closed, however Assessment is not shown as completed",
        fields: &["CINclosureDate", "AssessmentAuthorisationDate"],
        check: Check::Child(|c, _, out| {
            each_episode(c, out, |d| d.closure_date.is_some() && d.assessments.iter().any(|a| a.authorised.is_none()))
        }),
    },
    Rule {
        code: "1103",
        message: "The assessment start date cannot be before the referral date",
        fields: &["AssessmentActualStartDate", "CINreferralDate"],
        check: Check::Child(|c, _, out| each_assessment(c, out, |d, a| lt(a.start, d.referral_date))),
    },
    Rule {
        code: "8608",
        message: "Assessment Start Date cannot be later than its End Date",
        fields: &["AssessmentActualStartDate", "AssessmentAuthorisationDate"],
        check: Check::Child(|c, _, out| each_assessment(c, out, |_, a| lt(a.authorised, a.start))),
    },
    Rule {
        code: "8614",
        message: "Parental or child factors at assessment should only be present for a completed assessment.",
        fields: &["AssessmentFactors"],
        check: Check::Child(|c, _, out| each_assessment(c, out, |_, a| a.authorised.is_none() && !a.factors.is_empty())),
    },
    Rule {
        code: "8696",
        message: "Assessment end date must fall within the census year",
        fields: &["AssessmentAuthorisationDate", "ReferenceDate"],
        check: Check::Child(|c, p, out| each_assessment(c, out, |_, a| in_period_or_flag(p, a.authorised))),
    },
    Rule {
        code: "8736",
        message: "For an Assessment that has not been completed, the start date must fall within the census year",
        fields: &["AssessmentAuthorisationDate", "AssessmentActualStartDate"],
        check: Check::Child(|c, p, out| each_assessment(c, out, |_, a| a.authorised.is_none() && !p.contains(a.start))),
    },
    Rule {
        code: "8670Q",
        message: "Please check and either amend data or provide a reason: Assessment started more than 45 working days before the end of the census year. However, there is no Assessment end date.",
        fields: &["AssessmentActualStartDate"],
        check: Check::Child(|c, p, out| {
            let latest = Some(p.assessments_due);
            each_assessment(c, out, |_, a| a.authorised.is_none() && lt(a.start, latest))
        }),
    },
    Rule {
        code: "8863Q",
        message: "An Assessment is shown as starting when there is another Assessment ongoing.",
        fields: &["AssessmentActualStartDate", "AssessmentAuthorisationDate"],
        check: Check::Child(|c, p, out| {
            for (i, d) in episodes(c) {
                for (j, a) in d.assessments.iter().enumerate() {
                    let Some(a_start) = a.start else { continue };
                    for (k, b) in d.assessments.iter().enumerate() {
                        let Some(b_start) = b.start else { continue };
                        let duplicate = a_start == b_start && a.authorised == b.authorised;
                        if !duplicate && starts_within(a_start, b_start, b.authorised, p.end, true) {
                            out.push(At::Item(i, "Assessments", j));
                            out.push(At::Item(i, "Assessments", k));
                        }
                    }
                }
            }
        }),
    },
    Rule {
        code: "8869",
        message: "The assessment factors code “21” cannot be used in conjunction with any other assessment factors.",
        fields: &["AssessmentFactors"],
        check: Check::Child(|c, _, out| {
            each_assessment(c, out, |_, a| a.factors.len() > 1 && a.factors.iter().any(|f| f == "21"))
        }),
    },
    Rule {
        code: "8896",
        message: "Within one CINDetails group there are 2 or more open Assessments groups",
        fields: &["AssessmentAuthorisationDate"],
        check: Check::Child(|c, _, out| {
            each_episode(c, out, |d| d.assessments.iter().filter(|a| a.authorised.is_none()).count() > 1)
        }),
    },
    Rule {
        code: "8897Q",
        message: "Parental or child factors at assessment information is missing from a completed assessment",
        fields: &["AssessmentFactors"],
        check: Check::Child(|c, p, out| {
            each_assessment(c, out, |_, a| {
                le(Some(p.start), a.authorised)
                    && (a.factors.is_empty() || a.factors.iter().any(|f| !FACTORS.contains(&f.as_str())))
            })
        }),
    },
    Rule {
        code: "8898",
        message: " The assessment has more than one parental or child factors with the same code",
        fields: &["AssessmentFactors"],
        check: Check::Child(|c, _, out| {
            each_assessment(c, out, |_, a| a.factors.iter().enumerate().any(|(i, f)| a.factors[..i].contains(f)))
        }),
    },
    Rule {
        code: "8945Q",
        message: "Please check and either amend data or provide a reason: the assessment factors code '18A' should not be used ('18B' or '18C' should be used instead)",
        fields: &["AssessmentFactors"],
        check: Check::Child(|c, _, out| factor_used(c, out, "18A")),
    },
    Rule {
        code: "8950Q",
        message: "Please check and either amend data or provide a reason: the assessment factors code '19A' should not be used ('19B' or '19C' should be used instead)",
        fields: &["AssessmentFactors"],
        check: Check::Child(|c, _, out| factor_used(c, out, "19A")),
    },
    Rule {
        code: "4004",
        message: "This child is showing more than one open CIN Plan, i.e. with no End Date",
        fields: &["CINPlanEndDate"],
        check: Check::Child(|c, _, out| each_episode(c, out, |d| d.cin_plans.iter().filter(|p| p.end.is_none()).count() > 1)),
    },
    Rule {
        code: "4008",
        message: "CIN Plan shown as starting after the child’s Date of Death.",
        fields: &["PersonDeathDate", "CINPlanStartDate"],
        check: Check::Child(|c, _, out| each_cin_plan(c, out, |_, p| lt(c.death_date, p.start))),
    },
    Rule {
        code: "4009Q",
        message: "CIN Plan cannot end after the child’s Date of Death",
        fields: &["PersonDeathDate", "CINPlanEndDate"],
        check: Check::Child(|c, _, out| each_cin_plan(c, out, |_, p| lt(c.death_date, p.end))),
    },
    Rule {
        code: "4010",
        message: "CIN Plan start date is missing or out of data collection period",
        fields: &["CINPlanStartDate"],
        check: Check::Child(|c, period, out| each_cin_plan(c, out, |_, p| p.start.is_none_or(|s| s > period.end))),
    },
    Rule {
        code: "4011",
        message: "CIN Plan End Date earlier than Start Date",
        fields: &["CINPlanStartDate", "CINPlanEndDate"],
        check: Check::Child(|c, _, out| each_cin_plan(c, out, |_, p| lt(p.end, p.start))),
    },
    Rule {
        code: "4012Q",
        message: "Please check and either amend or provide a reason: CIN Plan shown as starting and ending on the same day",
        fields: &["CINPlanStartDate", "CINPlanEndDate"],
        check: Check::Child(|c, _, out| each_cin_plan(c, out, |_, p| eq(p.start, p.end))),
    },
    Rule {
        code: "4013",
        message: "CIN Plan end date must fall within the census year",
        fields: &["CINPlanEndDate"],
        check: Check::Child(|c, period, out| each_cin_plan(c, out, |_, p| in_period_or_flag(period, p.end))),
    },
    Rule {
        code: "4014",
        message: "CIN Plan data contains overlapping dates",
        fields: &["CINPlanStartDate", "CINPlanEndDate"],
        check: Check::Child(|c, p, out| {
            let plans = all_plans(c);
            for (i, (a_at, a_start, _)) in plans.iter().enumerate() {
                let Some(a_start) = *a_start else { continue };
                for (j, (b_at, b_start, b_end)) in plans.iter().enumerate() {
                    let Some(b_start) = *b_start else { continue };
                    if i != j && starts_within(a_start, b_start, *b_end, p.end, true) {
                        out.push(*a_at);
                        out.push(*b_at);
                    }
                }
            }
        }),
    },
    Rule {
        code: "4015",
        message: "The CIN Plan start date cannot be before the referral date",
        fields: &["CINPlanStartDate", "CINreferralDate"],
        check: Check::Child(|c, _, out| each_cin_plan(c, out, |d, p| lt(p.start, d.referral_date))),
    },
];
