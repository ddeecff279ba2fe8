//! Rules about section 47 enquiries, initial conferences, child protection plans and their
//! reviews, and how plans sit beside child in need plans.

use super::{episodes, eq, flag, lt, nfa, weekend, At, Check, Rule};
use super::{CinChild, CinDetails};
use crate::returns::cin::{CinProtectionPlan, CinSection47};
use chrono::NaiveDate;

const ABUSE_CATEGORIES: &[&str] = &["NEG", "PHY", "SAB", "EMO", "MUL"];

fn each_enquiry(c: &CinChild, out: &mut Vec<At>, test: impl Fn(&CinDetails, &CinSection47) -> bool) {
    for (i, d) in episodes(c) {
        for (j, s) in d.section47s.iter().enumerate() {
            if test(d, s) {
                out.push(At::Item(i, "Section47", j))
            }
        }
    }
}

fn each_plan(c: &CinChild, out: &mut Vec<At>, test: impl Fn(&CinDetails, &CinProtectionPlan) -> bool) {
    for (i, d) in episodes(c) {
        for (j, p) in d.cp_plans.iter().enumerate() {
            if test(d, p) {
                out.push(At::Item(i, "ChildProtectionPlans", j))
            }
        }
    }
}

/// Whether an enquiry was marked as needing no conference (`1`/`true`).
fn no_conference_needed(s: &CinSection47) -> bool {
    flag(s.icpc_not_required.as_deref()) == Some(true)
}

/// The child's protection plans with their places.
fn plans(c: &CinChild) -> Vec<(At, &CinProtectionPlan)> {
    episodes(c)
        .flat_map(|(i, d)| d.cp_plans.iter().enumerate().map(move |(j, p)| (At::Item(i, "ChildProtectionPlans", j), p)))
        .collect()
}

/// The child's child in need plans with their places.
fn cin_plans(c: &CinChild) -> Vec<(At, Option<NaiveDate>, Option<NaiveDate>)> {
    episodes(c)
        .flat_map(|(i, d)| {
            d.cin_plans.iter().enumerate().map(move |(j, p)| (At::Item(i, "CINPlanDates", j), p.start, p.end))
        })
        .collect()
}

/// A conference target date as written: `YYYY-MM-DD`, or `DD-MM-YYYY` as some systems write it.
fn target_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    NaiveDate::parse_from_str(t.get(..10).unwrap_or(t), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%d-%m-%Y"))
        .ok()
}

pub(super) const RULES: &[Rule] = &[
    Rule {
        code: "2889",
        message: "The S47 start date cannot be before the referral date.",
        fields: &["S47ActualStartDate", "CINreferralDate"],
        check: Check::Child(|c, _, out| each_enquiry(c, out, |d, s| lt(s.start, d.referral_date))),
    },
    Rule {
        code: "1104",
        message: "The date of the initial child protection conference cannot be before the referral date",
        fields: &["CINreferralDate", "DateOfInitialCPC"],
        check: Check::Child(|c, _, out| each_enquiry(c, out, |d, s| lt(s.date_of_initial_cpc, d.referral_date))),
    },
    Rule {
        code: "8615",
        message: "Section 47 Enquiry Start Date must be present and cannot be later than the date of the initial Child Protection Conference",
        fields: &["S47ActualStartDate", "DateOfInitialCPC"],
        check: Check::Child(|c, _, out| {
            each_enquiry(c, out, |_, s| {
                lt(s.date_of_initial_cpc, s.start) || (s.date_of_initial_cpc.is_some() && s.start.is_none())
            })
        }),
    },
    Rule {
        code: "8675Q",
        message: "Please check and either amend data or provide a reason: S47 Enquiry started more than 15 working days before the end of the census year. However, there is no date of Initial Child Protection Conference.",
        fields: &["DateOfInitialCPC", "S47ActualStartDate", "ICPCnotRequired"],
        check: Check::Child(|c, p, out| {
            let latest = Some(p.enquiries_due);
            each_enquiry(c, out, |_, s| {
                s.date_of_initial_cpc.is_none()
                    && flag(s.icpc_not_required.as_deref()) == Some(false)
                    && lt(s.start, latest)
            })
        }),
    },
    Rule {
        code: "8715",
        message: "Date of Initial Child Protection Conference must fall within the census year",
        fields: &["DateOfInitialCPC", "ReferenceDate"],
        check: Check::Child(|c, p, out| {
            each_enquiry(c, out, |_, s| s.date_of_initial_cpc.is_some() && !p.contains(s.date_of_initial_cpc))
        }),
    },
    Rule {
        code: "8740",
        message: "For a Section 47 Enquiry that has not held the Initial Child Protection Conference by the end of the census year, the start date must fall within the census year",
        fields: &["S47ActualStartDate", "DateOfInitialCPC", "ICPCnotRequired"],
        check: Check::Child(|c, p, out| {
            each_enquiry(c, out, |_, s| {
                s.date_of_initial_cpc.is_none()
                    && s.icpc_not_required.as_deref() == Some("0")
                    && s.start.is_some()
                    && !p.contains(s.start)
            })
        }),
    },
    Rule {
        code: "8839",
        message: "Within one CINDetails group there are 2 or more open S47 Assessments",
        fields: &["DateOfInitialCPC", "ICPCnotRequired"],
        check: Check::Child(|c, _, out| {
            for (i, d) in episodes(c) {
                let open: Vec<usize> = d
                    .section47s
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| !no_conference_needed(s) && s.date_of_initial_cpc.is_none())
                    .map(|(j, _)| j)
                    .collect();
                if open.len() > 1 {
                    out.extend(open.into_iter().map(|j| At::Item(i, "Section47", j)));
                }
            }
        }),
    },
    Rule {
        code: "8870Q",
        message: "Please check and either amend or provide a reason: The Target Date for Initial Child Protection Conference should not be a weekend",
        fields: &["InitialCPCtarget"],
        check: Check::Child(|c, _, out| {
            each_enquiry(c, out, |_, s| weekend(s.icpc_target.as_deref().and_then(target_date)))
        }),
    },
    Rule {
        code: "8875",
        message: "The Date of Initial Child Protection Conference cannot be a weekend",
        fields: &["DateOfInitialCPC"],
        check: Check::Child(|c, _, out| each_enquiry(c, out, |_, s| weekend(s.date_of_initial_cpc))),
    },
    Rule {
        code: "8890",
        message: "A Section 47 enquiry is shown as starting when there is another Section 47 Enquiry ongoing",
        fields: &["S47ActualStartDate"],
        check: Check::Child(|c, p, out| {
            for (i, d) in episodes(c) {
                for (j, a) in d.section47s.iter().enumerate() {
                    let Some(a_start) = a.start else { continue };
                    for (k, b) in d.section47s.iter().enumerate() {
                        let Some(b_start) = b.start else { continue };
                        if a_start == b_start && a.date_of_initial_cpc == b.date_of_initial_cpc {
                            continue;
                        }
                        let during = match b.date_of_initial_cpc {
                            Some(icpc) => a_start <= icpc,
                            None => a_start <= p.end && !no_conference_needed(b),
                        };
                        if a_start >= b_start && during {
                            out.push(At::Item(i, "Section47", j));
                            out.push(At::Item(i, "Section47", k));
                        }
                    }
                }
            }
        }),
    },
    Rule {
        code: "8868",
        message: "CIN episode is shown as closed, however Section 47 enquiry is not shown as completed by ICPC date or ICPC not required flag",
        fields: &["ICPCnotRequired", "CINclosureDate", "DateOfInitialCPC"],
        check: Check::Child(|c, _, out| {
            each_enquiry(c, out, |d, s| {
                d.closure_date.is_some() && (s.date_of_initial_cpc.is_none() != no_conference_needed(s))
            })
        }),
    },
    Rule {
        code: "2884",
        message: "An initial child protection conference is recorded at both the S47 and CIN Details level and it should only be recorded in one",
        fields: &["DateOfInitialCPC"],
        check: Check::Child(|c, _, out| {
            for (i, d) in episodes(c) {
                if d.date_of_initial_cpc.is_some()
                    && c.details.iter().flat_map(|e| &e.section47s).any(|s| eq(s.date_of_initial_cpc, d.date_of_initial_cpc))
                {
                    out.push(At::Episode(i))
                }
            }
        }),
    },
    Rule {
        code: "2883",
        message: "There are more child protection plans starting than initial conferences taking place",
        fields: &["CPPstartDate", "DateOfInitialCPC"],
        check: Check::Return(|census, p, out| {
            let details = census.children.iter().flat_map(|c| &c.details);
            let plans = details.clone().flat_map(|d| &d.cp_plans).filter(|cp| p.contains(cp.start)).count();
            let at_episode = details.clone().filter(|d| p.contains(d.date_of_initial_cpc)).count();
            let at_enquiry =
                details.flat_map(|d| &d.section47s).filter(|s| p.contains(s.date_of_initial_cpc)).count();
            if plans > at_episode + at_enquiry {
                out.push((None, At::Child));
            }
        }),
    },
    Rule {
        code: "2885",
        message: "Child protection plan shown as starting a different day to the initial child protection conference.",
        fields: &["CPPstartDate", "DateOfInitialCPC"],
        check: Check::Child(|c, p, out| {
            each_plan(c, out, |d, plan| {
                if !p.contains(plan.start) {
                    return false;
                }
                let enquiries: Vec<&CinSection47> =
                    d.section47s.iter().filter(|s| s.icpc_not_required.as_deref() != Some("1")).collect();
                if enquiries.is_empty() {
                    !eq(plan.start, d.date_of_initial_cpc)
                } else {
                    !enquiries.iter().any(|s| eq(plan.start, s.date_of_initial_cpc))
                }
            })
        }),
    },
    Rule {
        code: "8832",
        message: "Child Protection details provided for a referral with no further action.",
        fields: &["CINdetailsID", "ReferralNFA"],
        check: Check::Child(|c, _, out| each_plan(c, out, |d, _| nfa(d))),
    },
    Rule {
        code: "1105",
        message: "The child protection plan start date cannot be before the referral date",
        fields: &["CPPstartDate", "CINreferralDate"],
        check: Check::Child(|c, _, out| each_plan(c, out, |d, plan| lt(plan.start, d.referral_date))),
    },
    Rule {
        code: "8720",
        message: "Child Protection Plan Start Date missing or out of data collection period",
        fields: &["CPPstartDate", "ReferenceDate"],
        check: Check::Child(|c, p, out| each_plan(c, out, |_, plan| plan.start.is_none_or(|s| s > p.end))),
    },
    Rule {
        code: "8730",
        message: "Total Number of previous Child Protection Plans missing",
        fields: &["NumberOfPreviousCPP"],
        check: Check::Child(|c, _, out| {
            each_plan(c, out, |_, plan| plan.number_of_previous.as_deref().is_none_or(|n| n.trim().parse::<u32>().is_err()))
        }),
    },
    Rule {
        code: "8840",
        message: "Child Protection Plan cannot start and end on the same day",
        fields: &["CPPstartDate", "CPPendDate"],
        check: Check::Child(|c, _, out| each_plan(c, out, |_, plan| eq(plan.start, plan.end))),
    },
    Rule {
        code: "8925",
        message: "Child Protection Plan End Date earlier than Start Date",
        fields: &["CPPstartDate", "CPPendDate"],
        check: Check::Child(|c, _, out| each_plan(c, out, |_, plan| lt(plan.end, plan.start))),
    },
    Rule {
        code: "8905",
        message: "Initial Category of Abuse code missing or invalid (see Category of Abuse table in CIN Census code set)",
        fields: &["InitialCategoryOfAbuse"],
        check: Check::Child(|c, _, out| each_plan(c, out, |_, plan| !super::is(&plan.initial_category, ABUSE_CATEGORIES))),
    },
    Rule {
        code: "8910",
        message: "Latest Category of Abuse code missing or invalid (see Category of Abuse table in CIN Census code set)",
        fields: &["LatestCategoryOfAbuse"],
        check: Check::Child(|c, _, out| each_plan(c, out, |_, plan| !super::is(&plan.latest_category, ABUSE_CATEGORIES))),
    },
    Rule {
        code: "8915",
        message: "Child Protection Plan shown as starting after the child’s Date of Death",
        fields: &["CPPstartDate", "PersonDeathDate"],
        check: Check::Child(|c, _, out| each_plan(c, out, |_, plan| lt(c.death_date, plan.start))),
    },
    Rule {
        code: "8920",
        message: "Child Protection Plan cannot end after the child’s Date of Death",
        fields: &["PersonDeathDate", "CPPendDate"],
        check: Check::Child(|c, _, out| each_plan(c, out, |_, plan| lt(c.death_date, plan.end))),
    },
    Rule {
        code: "8930",
        message: "Child Protection Plan End Date must fall within the census year",
        fields: &["CPPendDate"],
        check: Check::Child(|c, p, out| each_plan(c, out, |_, plan| plan.end.is_some() && !p.contains(plan.end))),
    },
    Rule {
        code: "8935",
        message: "This child is showing more than one open Child Protection plan, i.e. with no End Date",
        fields: &["CPPendDate"],
        check: Check::Child(|c, _, out| {
            let open: Vec<At> = plans(c).into_iter().filter(|(_, p)| p.end.is_none()).map(|(at, _)| at).collect();
            if open.len() > 1 {
                out.extend(open);
            }
        }),
    },
    Rule {
        code: "8940",
        message: "Child Protection Plan data contains overlapping dates",
        fields: &["CPPstartDate", "CPPendDate"],
        check: Check::Child(|c, p, out| {
            let all = plans(c);
            for (i, (a_at, a)) in all.iter().enumerate() {
                let Some(a_start) = a.start else { continue };
                for (j, (b_at, b)) in all.iter().enumerate() {
                    let Some(b_start) = b.start else { continue };
                    let during = match b.end {
                        Some(end) => a_start <= end,
                        None => a_start <= p.end,
                    };
                    if i != j && a_start >= b_start && during {
                        out.push(*a_at);
                        out.push(*b_at);
                    }
                }
            }
        }),
    },
    Rule {
        code: "8841",
        message: "The review date cannot be on the same day or before the Child protection Plan start date.",
        fields: &["CPPstartDate", "CPPreviewDate"],
        check: Check::Child(|c, _, out| {
            each_plan(c, out, |_, plan| plan.reviews.iter().any(|r| r.is_some() && plan.start.is_some() && *r <= plan.start))
        }),
    },
    Rule {
        code: "8842Q",
        message: "Please check and either amend or provide a reason: Review Record has a missing date",
        fields: &["CPPreviewDate"],
        check: Check::Child(|c, _, out| each_plan(c, out, |_, plan| plan.reviews.iter().any(Option::is_none))),
    },
    Rule {
        code: "4001",
        message: "A CIN Plan cannot run concurrently with a Child Protection Plan",
        fields: &["CINPlanEndDate", "CPPendDate"],
        check: Check::Child(|c, _, out| {
            for (i, d) in episodes(c) {
                let open_cin = d.cin_plans.iter().any(|p| p.start.is_some() && p.end.is_none());
                for (j, plan) in d.cp_plans.iter().enumerate() {
                    if plan.end.is_none() && open_cin {
                        out.push(At::Item(i, "ChildProtectionPlans", j))
                    }
                }
            }
        }),
    },
    Rule {
        code: "4003",
        message: "A CPP review date is shown as being held at the same time as an open CIN Plan.",
        fields: &["CINPlanStartDate", "CINPlanEndDate", "CPPreviewDate"],
        check: Check::Child(|c, _, out| {
            let cin = cin_plans(c);
            for (at, plan) in plans(c) {
                // As the DfE's validator reads it: only plans that have ended are compared.
                if plan.end.is_none() {
                    continue;
                }
                for review in plan.reviews.iter().flatten() {
                    let during = cin.iter().any(|(_, start, end)| {
                        start.is_some_and(|s| *review >= s) && end.is_some_and(|e| *review < e)
                    });
                    if during && Some(*review) != plan.end {
                        out.push(at);
                    }
                }
            }
        }),
    },
    Rule {
        code: "4016",
        message: "A CIN Plan has been reported as open at the same time as a Child Protection Plan.",
        fields: &["CINPlanStartDate", "CPPstartDate", "CPPendDate"],
        check: Check::Child(|c, p, out| {
            let protection = plans(c);
            for (at, start, _) in cin_plans(c) {
                let Some(start) = start else { continue };
                let during = protection.iter().any(|(_, plan)| {
                    plan.start.is_some_and(|s| start >= s)
                        && match plan.end {
                            Some(end) => start < end,
                            None => start <= p.end,
                        }
                });
                if during {
                    out.push(at);
                }
            }
        }),
    },
    Rule {
        code: "4017",
        message: "A CIN Plan has been reported as open at the same time as a Child Protection Plan.",
        fields: &["CINPlanStartDate", "CINPlanEndDate", "CPPstartDate"],
        check: Check::Child(|c, p, out| {
            let cin = cin_plans(c);
            for (at, plan) in plans(c) {
                let Some(start) = plan.start else { continue };
                let during = cin.iter().any(|(_, cin_start, cin_end)| {
                    cin_start.is_some_and(|s| start >= s)
                        && match cin_end {
                            Some(end) => start < *end,
                            None => start <= p.end,
                        }
                });
                if during {
                    out.push(at);
                }
            }
        }),
    },
];
