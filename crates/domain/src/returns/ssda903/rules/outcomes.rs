//! Outcomes for children looked after for a year (OC2), reviews, missing periods and previous
//! permanence.

use super::*;

/// The OC2 items about health and offending, in the table's order.
fn health_items(o: &Oc2Row) -> [&Option<String>; 8] {
    [
        &o.convicted,
        &o.health_check,
        &o.immunisations,
        &o.teeth_check,
        &o.health_assessment,
        &o.substance_misuse,
        &o.intervention_received,
        &o.intervention_offered,
    ]
}

/// The four items every child in the OC2 cohort has.
fn core_items(o: &Oc2Row) -> [&Option<String>; 4] {
    [&o.immunisations, &o.teeth_check, &o.health_assessment, &o.substance_misuse]
}

fn sdq_given(o: &Oc2Row) -> bool {
    o.sdq_score.is_some() || o.sdq_reason.is_some()
}

/// A previous permanence date as the 903 allows it: `dd/mm/yyyy`, with ZZ for a day or month
/// not known (taken as the latest it could be) and ZZZZ for a year not known.
fn permanence_date(text: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = text.split('/').collect();
    let [day, month, year] = parts[..] else { return None };
    let day_unknown = day == "ZZ";
    let month_unknown = month == "ZZ";
    let year = if year == "ZZZZ" { "2000" } else { year };
    let date = parse_date(&format!(
        "{}/{}/{year}",
        if day_unknown { "01" } else { day },
        if month_unknown { "01" } else { month }
    ))?;
    if month_unknown {
        date.checked_add_months(Months::new(12))?.pred_opt()
    } else if day_unknown {
        date.checked_add_months(Months::new(1))?.pred_opt()
    } else {
        Some(date)
    }
}

/// The child's periods of care: runs of episodes each starting no later than the one before
/// ended, as (start, end of the last episode).
pub(super) fn periods_of_care(c: &CareRecord) -> Vec<(Option<NaiveDate>, Option<NaiveDate>)> {
    let mut periods: Vec<(Option<NaiveDate>, Option<NaiveDate>)> = Vec::new();
    let mut previous_end = None;
    for e in c.episodes.iter().filter(|e| e.decom.is_some()) {
        match periods.last_mut() {
            Some(p) if !gt(e.decom, previous_end) => p.1 = e.dec,
            _ => periods.push((e.decom, e.dec)),
        }
        previous_end = e.dec;
    }
    periods
}

pub(super) const RULES: &[Rule] = &[
    rule("157", "Child is aged 4 years or over at the beginning of the year or 16 years or under at the end of the year and Strengths and Difficulties Questionnaire (SDQ) 1 has been recorded as the reason for no Strengths and Difficulties Questionnaire (SDQ) score.",
        &["SDQ_REASON", "DOB"], |c, x, out| {
        let cla = x.looked_after_all_year(c);
        each(&c.oc2, Table::Oc2, out, |o| {
            cla && le(birthday(o.dob, 4), Some(x.start))
                && ge(birthday(o.dob, 16), Some(x.end))
                && o.sdq_score.is_none()
                && is(&o.sdq_reason, &["SDQ1"])
        });
    }),
    rule("158", "If a child has been recorded as receiving an intervention for their substance misuse problem, then the additional item on whether an intervention was offered should be left blank.",
        &["INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"], |c, _, out| {
        each(&c.oc2, Table::Oc2, out, |o| is(&o.intervention_received, &["1"]) && o.intervention_offered.is_some());
    }),
    rule("159", "If a child has been recorded as not receiving an intervention for their substance misuse problem, then the additional item on whether an intervention was offered should be completed as well.",
        &["SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"], |c, _, out| {
        each(&c.oc2, Table::Oc2, out, |o| {
            is(&o.substance_misuse, &["1"]) && is(&o.intervention_received, &["0"]) && o.intervention_offered.is_none()
        });
    }),
    rule("166", "Date of review is invalid or blank.", &["REVIEW"], |c, _, out| {
        each(&c.reviews, Table::Reviews, out, |r| r.review.is_none());
    }),
    rule("167", "Data entry for participation is invalid or blank.", &["REVIEW_CODE"], |c, x, out| {
        const PARTICIPATION: &[&str] = &["PN0", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"];
        let bad = |r: &Row<ReviewRow>| {
            let dated = given(x, Table::Reviews, r.at, "REVIEW", r.review);
            !((dated && is(&r.review_code, PARTICIPATION)) || (!dated && r.review_code.is_none()))
        };
        out.extend(c.reviews.iter().filter(|r| bad(r)).map(|r| at(Table::Reviews, r)));
    }),
    rule("180", "Data entry for the strengths and difficulties questionnaire (SDQ) score is invalid.", &["SDQ_SCORE"], |c, _, out| {
        let valid = |s: &str| s.parse::<f64>().is_ok_and(|n| n.fract() == 0.0 && (0.0..=40.0).contains(&n));
        each(&c.oc2, Table::Oc2, out, |o| o.sdq_score.as_deref().is_some_and(|s| !valid(s)));
    }),
    rule("181", "Data items relating to children looked after continuously for 12 months should be completed with a 0 or 1.",
        &["CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"], |c, _, out| {
        each(&c.oc2, Table::Oc2, out, |o| health_items(o).iter().any(|v| not_in(v, &["0", "1"])));
    }),
    rule("182", "Data entries on immunisations, teeth checks, health assessments and substance misuse problem identified should be completed or all OC2 fields should be left blank.",
        &["IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "CONVICTED", "HEALTH_CHECK", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"], |c, _, out| {
        each(&c.oc2, Table::Oc2, out, |o| {
            let others = [&o.convicted, &o.health_check, &o.intervention_received, &o.intervention_offered];
            core_items(o).iter().any(|v| v.is_none()) && others.iter().any(|v| v.is_some())
        });
    }),
    rule("185", "Child has not been looked after continuously for at least 12 months at 31 March but a Strengths and Difficulties (SDQ) score has been completed.",
        &["SDQ_SCORE"], |c, x, out| {
        let cla = x.looked_after_all_year(c);
        each(&c.oc2, Table::Oc2, out, |o| !cla && o.sdq_score.is_some());
    }),
    rule("186", "Children aged 4 or over at the start of the year and children aged under 17 at the end of the year and who have been looked after for at least 12 months continuously should have a Strengths and Difficulties (SDQ) score completed.",
        &["SDQ_SCORE"], |c, x, out| {
        let cla = x.looked_after_all_year(c);
        each(&c.oc2, Table::Oc2, out, |o| {
            cla && le(birthday(o.dob, 4), Some(x.start)) && gt(birthday(o.dob, 17), Some(x.end)) && !sdq_given(o)
        });
    }),
    rule("187", "Child cannot be looked after continuously for 12 months at 31 March (OC2) and have any of adoption or care leavers returns completed.",
        &["DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR", "IN_TOUCH", "ACTIV", "ACCOM"], |c, x, out| {
        if !x.looked_after_all_year(c) {
            return;
        }
        each(&c.oc3, Table::Oc3, out, any_oc3);
        each(&c.ad1, Table::Ad1, out, any_ad1);
    }),
    rule("188", "Child is aged under 4 years at the end of the year, but a Strengths and Difficulties (SDQ) score or a reason for no SDQ score has been completed. ",
        &["SDQ_SCORE", "SDQ_REASON"], |c, x, out| {
        each(&c.oc2, Table::Oc2, out, |o| gt(birthday(o.dob, 4), Some(x.end)) && sdq_given(o));
    }),
    rule("189", "Child is aged 17 years or over at the beginning of the year, but an Strengths and Difficulties (SDQ) score or a reason for no Strengths and Difficulties (SDQ) score has been completed.",
        &["DOB", "SDQ_SCORE", "SDQ_REASON"], |c, x, out| {
        each(&c.oc2, Table::Oc2, out, |o| lt(birthday(o.dob, 17), Some(x.start)) && sdq_given(o));
    }),
    rule("190", "Child has not been looked after continuously for at least 12 months at 31 March but one or more data items relating to children looked after for 12 months have been completed.",
        &["CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"], |c, x, out| {
        let cla = x.looked_after_all_year(c);
        each(&c.oc2, Table::Oc2, out, |o| !cla && health_items(o).iter().any(|v| v.is_some()));
    }),
    rule("191", "Child has been looked after continuously for at least 12 months at 31 March but one or more data items relating to children looked after for 12 months have been left blank.",
        &["IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "CHILD"], |c, x, out| {
        if !x.looked_after_all_year(c) {
            return;
        }
        each(&c.oc2, Table::Oc2, out, |o| core_items(o).iter().any(|v| v.is_none()));
        if c.oc2.is_empty() {
            out.extend(c.first_episode().map(|e| at(Table::Episodes, &e)));
        }
    }),
    rule("192", "Child has been identified as having a substance misuse problem but the additional item on whether an intervention was received has been left blank.",
        &["SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED"], |c, _, out| {
        each(&c.oc2, Table::Oc2, out, |o| is(&o.substance_misuse, &["1"]) && o.intervention_received.is_none());
    }),
    rule("193", "Child not identified as having a substance misuse problem but at least one of the two additional items on whether an intervention were offered and received have been completed.",
        &["SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"], |c, _, out| {
        each(&c.oc2, Table::Oc2, out, |o| {
            (o.substance_misuse.is_none() || is(&o.substance_misuse, &["0"]))
                && (o.intervention_received.is_some() || o.intervention_offered.is_some())
        });
    }),
    rule("196", "Strengths and Difficulties (SDQ) reason is not a valid code.", &["SDQ_REASON"], |c, _, out| {
        each(&c.oc2, Table::Oc2, out, |o| not_in(&o.sdq_reason, &["SDQ1", "SDQ2", "SDQ3", "SDQ4", "SDQ5"]));
    }),
    rule("197B", "SDQ score or reason for no SDQ should be reported for 4- or 17-year-olds.", &["SDQ_REASON", "DOB"], |c, x, out| {
        let cla = x.looked_after_all_year(c);
        let in_year = |d: Option<NaiveDate>| d.is_some_and(|d| d >= x.start && d <= x.end);
        each(&c.oc2, Table::Oc2, out, |o| {
            cla && (in_year(birthday(o.dob, 4)) || in_year(birthday(o.dob, 17))) && !sdq_given(o)
        });
    }),
    rule("197a", "Reason for no Strengths and Difficulties (SDQ) score is not required if Strengths and Difficulties Questionnaire score is filled in.",
        &["SDQ_SCORE", "SDQ_REASON"], |c, _, out| {
        each(&c.oc2, Table::Oc2, out, |o| o.sdq_score.is_some() && o.sdq_reason.is_some());
    }),
    rule("198", "Child has not been looked after continuously for at least 12 months at 31 March but a reason for no Strengths and Difficulties (SDQ) score has been completed. ",
        &["SDQ_REASON"], |c, x, out| {
        let cla = x.looked_after_all_year(c);
        each(&c.oc2, Table::Oc2, out, |o| !cla && o.sdq_reason.is_some());
    }),
    rule("215", "Child has care leaver information but one or more data items relating to children looked after for 12 months have been completed.",
        &["IN_TOUCH", "ACTIV", "ACCOM", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"], |c, _, out| {
        for o3 in c.oc3.iter().filter(|o| any_oc3(o)) {
            for o2 in c.oc2.iter().filter(|o| health_items(o).iter().any(|v| v.is_some())) {
                out.push(at(Table::Oc3, o3));
                out.push(at(Table::Oc2, o2));
            }
        }
    }),
    rule("399", "Mother field, review field or participation field are completed but child is looked after under legal status V3 or V4.",
        &["MOTHER", "LS", "REVIEW", "REVIEW_CODE"], |c, x, out| {
        if c.episodes.is_empty() || !c.episodes.iter().all(|e| is(&e.ls, SHORT_BREAKS)) {
            return;
        }
        let mother = c.header.iter().filter(|h| h.mother.is_some()).collect::<Vec<_>>();
        let reviewed = |r: &&Row<ReviewRow>| given(x, Table::Reviews, r.at, "REVIEW", r.review) || r.review_code.is_some();
        let reviews: Vec<_> = c.reviews.iter().filter(reviewed).collect();
        if mother.is_empty() && reviews.is_empty() {
            return;
        }
        out.extend(c.episodes.iter().map(|e| at(Table::Episodes, e)));
        // A mother flags her header row with every review; a review flags itself with every header row.
        let flagged_headers: Vec<_> = if mother.is_empty() { c.header.iter().collect() } else { mother.clone() };
        out.extend(flagged_headers.iter().map(|h| at(Table::Header, h)));
        if mother.is_empty() {
            out.extend(reviews.iter().map(|r| at(Table::Reviews, r)));
        } else {
            out.extend(c.reviews.iter().map(|r| at(Table::Reviews, r)));
        }
    }),
    rule("440", "Participation method indicates child was under 4 years old at the time of the review, but date of birth and review date indicates the child was 4 years old or over.",
        &["DOB", "REVIEW", "REVIEW_CODE"], |c, _, out| {
        each(&c.reviews, Table::Reviews, out, |r| is(&r.review_code, &["PN0"]) && gt(r.review, birthday(r.dob, 4)));
    }),
    rule("441", "Participation method indicates child was 4 years old or over at the time of the review, but the date of birth and review date indicates the child was under 4 years old.",
        &["DOB", "REVIEW", "REVIEW_CODE"], |c, _, out| {
        const OVER_4: &[&str] = &["PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"];
        each(&c.reviews, Table::Reviews, out, |r| is(&r.review_code, OVER_4) && lt(r.review, birthday(r.dob, 4)));
    }),
    rule("542", "A child aged under 10 at 31 March should not have conviction information completed.", &["CONVICTED"], |c, x, out| {
        each(&c.oc2, Table::Oc2, out, |o| gt(birthday(o.dob, 10), Some(x.end)) && o.convicted.is_some());
    }),
    rule("543", "Child is aged 10 or over at 31 March and has been looked after continuously for 12 months yet conviction information has not been completed.",
        &["DOB", "CONVICTED"], |c, x, out| {
        let cla = x.looked_after_all_year(c);
        each(&c.oc2, Table::Oc2, out, |o| cla && lt(birthday(o.dob, 10), Some(x.end)) && o.convicted.is_none());
    }),
    rule("544", "Any child who has conviction information completed must also have immunisation, teeth check, health assessment and substance misuse problem identified fields completed.",
        &["CONVICTED", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE"], |c, _, out| {
        each(&c.oc2, Table::Oc2, out, |o| is(&o.convicted, &["1"]) && core_items(o).iter().any(|v| v.is_none()));
    }),
    rule("545", "Child is aged under 5 at 31 March and has been looked after continuously for 12 months yet health promotion information has not been completed.",
        &["DOB", "HEALTH_CHECK"], |c, x, out| {
        let cla = x.looked_after_all_year(c);
        each(&c.oc2, Table::Oc2, out, |o| cla && gt(birthday(o.dob, 5), Some(x.end)) && o.health_check.is_none());
    }),
    rule("546", "Children aged 5 or over at 31 March should not have health promotion information completed.", &["DOB", "HEALTH_CHECK"], |c, x, out| {
        let cla = x.looked_after_all_year(c);
        each(&c.oc2, Table::Oc2, out, |o| cla && le(birthday(o.dob, 5), Some(x.end)) && o.health_check.is_some());
    }),
    rule("547", "Any child who has health promotion information completed must also have immunisation, teeth check, health assessment and substance misuse problem identified fields completed.",
        &["HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE"], |c, _, out| {
        each(&c.oc2, Table::Oc2, out, |o| is(&o.health_check, &["1"]) && core_items(o).iter().any(|v| v.is_none()));
    }),
    rule("1004", "The start date of the missing episode or episode that the child was away from placement without authorisation is not a valid date.",
        &["MIS_START"], |c, _, out| {
        each(&c.missing, Table::Missing, out, |m| m.mis_start.is_none());
    }),
    rule("1005", "The end date of the missing episode or episode that the child was away from placement without authorisation is not a valid date.",
        &["MIS_END"], |c, x, out| {
        out.extend(c.missing.iter().filter(|m| x.unreadable(Table::Missing, m.at, "MIS_END")).map(|m| at(Table::Missing, m)));
    }),
    rule("1006", "Missing type invalid.", &["MISSING"], |c, _, out| {
        each(&c.missing, Table::Missing, out, |m| not_in(&m.missing, &["M", "A"]));
    }),
    rule("564", "Child was missing or away from placement without authorisation and the date started is blank.", &["MISSING", "MIS_START"], |c, x, out| {
        let bad = |m: &Row<MissingRow>| is(&m.missing, &["M", "A"]) && !given(x, Table::Missing, m.at, "MIS_START", m.mis_start);
        out.extend(c.missing.iter().filter(|m| bad(m)).map(|m| at(Table::Missing, m)));
    }),
    rule("565", "The date that the child started to be missing or away from placement without authorisation has been completed but whether the child was missing or away from placement without authorisation has not been completed.",
        &["MISSING", "MIS_START"], |c, x, out| {
        let bad = |m: &Row<MissingRow>| m.missing.is_none() && given(x, Table::Missing, m.at, "MIS_START", m.mis_start);
        out.extend(c.missing.iter().filter(|m| bad(m)).map(|m| at(Table::Missing, m)));
    }),
    rule("566", "The date that the child's episode of being missing or away from placement without authorisation ended has been completed but whether the child was missing or away without authorisation has not been completed.",
        &["MISSING", "MIS_END"], |c, x, out| {
        let bad = |m: &Row<MissingRow>| m.missing.is_none() && given(x, Table::Missing, m.at, "MIS_END", m.mis_end);
        out.extend(c.missing.iter().filter(|m| bad(m)).map(|m| at(Table::Missing, m)));
    }),
    rule("567", "The date that the missing episode or episode that the child was away from placement without authorisation ended is before the date that it started.",
        &["MIS_START", "MIS_END"], |c, _, out| {
        each(&c.missing, Table::Missing, out, |m| gt(m.mis_start, m.mis_end));
    }),
    rule("570", "The date that the child started to be missing or away from placement without authorisation is after the end of the collection year.",
        &["MIS_START"], |c, x, out| {
        each(&c.missing, Table::Missing, out, |m| gt(m.mis_start, Some(x.end)));
    }),
    rule("571", "The date that the child ceased to be missing or away from placement without authorisation is before the start or after the end of the collection year.",
        &["MIS_END"], |c, x, out| {
        each(&c.missing, Table::Missing, out, |m| lt(m.mis_end, Some(x.start)) || gt(m.mis_end, Some(x.end)));
    }),
    rule("574", "A new missing/away from placement without authorisation period cannot start when the previous missing/away from placement without authorisation period is still open. Missing/away from placement without authorisation periods should also not overlap.",
        &["MIS_START", "MIS_END"], |c, _, out| {
        let mut periods: Vec<&Row<MissingRow>> = c.missing.iter().collect();
        periods.sort_by_key(|m| {
            let end = m.mis_end.or(m.mis_start);
            (end.is_none(), end, m.mis_start.is_none(), m.mis_start, m.at)
        });
        for pair in periods.windows(2) {
            if pair[0].mis_end.is_none() || lt(pair[1].mis_start, pair[0].mis_end) {
                out.push(at(Table::Missing, pair[1]));
            }
        }
    }),
    rule("575", "If the placement from which the child goes missing/away from placement without authorisation ends, the missing/away from placement without authorisation period in the missing module must also have an end date.",
        &["MIS_END"], |c, x, out| {
        let open = |m: &Row<MissingRow>| !given(x, Table::Missing, m.at, "MIS_END", m.mis_end);
        for m in c.missing.iter().filter(|m| open(m)) {
            if c.episodes.iter().any(|e| e.dec.is_some() && ge(m.mis_start, e.decom) && le(m.mis_start, e.dec)) {
                out.push(at(Table::Missing, m));
            }
        }
    }),
    rule("576", "There is an open missing/away from placement without authorisation period in last year’s return and there is no corresponding period recorded at the start of this year.",
        &["CHILD"], |c, x, out| {
        let Some(Some(last)) = x.last_year(c.child) else { return };
        let first = c.missing.iter().min_by_key(|m| (m.mis_start.is_none(), m.mis_start, m.at));
        let Some(first) = first else { return };
        for open in last.missing.iter().filter(|m| m.mis_end.is_none() && m.mis_start.is_some()) {
            if first.mis_start != open.mis_start {
                out.push(at(Table::Missing, first));
            }
        }
    }),
    rule("577", "Child ceased to be looked after but there is a missing/away from placement without authorisation period without an end date.",
        &["MIS_END"], |c, _, out| {
        let periods = periods_of_care(c);
        if periods.is_empty() {
            return;
        }
        for m in c.missing.iter().filter(|m| m.mis_start.is_some()) {
            let outside = |(start, end): &(Option<NaiveDate>, Option<NaiveDate>)| {
                (m.mis_end.is_none() && end.is_some())
                    || (m.mis_end.is_none() && lt(m.mis_start, *start))
                    || gt(m.mis_end, *end)
                    || lt(m.mis_end, *start)
            };
            if periods.iter().all(outside) {
                out.push(at(Table::Missing, m));
            }
        }
    }),
    rule("578", "The date that the child started to be missing is after the child ceased to be looked after.", &["MIS_START"], |c, _, out| {
        let periods = periods_of_care(c);
        if periods.is_empty() {
            return;
        }
        for m in &c.missing {
            let outside = |(start, end): &(Option<NaiveDate>, Option<NaiveDate>)| lt(m.mis_start, *start) || gt(m.mis_start, *end);
            if periods.iter().all(outside) {
                out.push(at(Table::Missing, m));
            }
        }
    }),
    rule("580", "Child is missing when cease being looked after but reason episode ceased not ‘E8’.", &["REC"], |c, _, out| {
        for m in &c.missing {
            let eighteen = birthday(m.dob, 18);
            each(&c.episodes, Table::Episodes, out, |e| {
                eq(eighteen, m.mis_end) && eq(m.mis_end, e.dec) && !is(&e.rec, &["E8"])
            });
        }
    }),
    rule("581", "Child is missing but has not yet started to be looked after.", &["MIS_START"], |c, _, out| {
        if c.episodes.is_empty() {
            return;
        }
        let in_care = |day: Option<NaiveDate>| {
            c.episodes.iter().any(|e| ge(day, e.decom) && (le(day, e.dec) || e.dec.is_none()))
        };
        each(&c.missing, Table::Missing, out, |m| !in_care(m.mis_start));
    }),
    rule("586", "Dates of missing periods are before child’s date of birth.", &["MIS_START"], |c, _, out| {
        each(&c.missing, Table::Missing, out, |m| le(m.mis_start, m.dob));
    }),
    rule("630", "Information on previous permanence option should be returned.", &["RNE"], |c, x, out| {
        let incomplete = |p: &PrevPermRow| {
            p.prev_perm.is_none() || (!is(&p.prev_perm, &["Z1"]) && (p.la_perm.is_none() || p.date_perm.is_none()))
        };
        let missing = c.prev_perm.is_empty() || c.prev_perm.iter().any(|p| incomplete(p));
        each(&c.episodes, Table::Episodes, out, |e| missing && is(&e.rne, &["S"]) && ge(e.decom, Some(x.start)));
    }),
    rule("631", "Previous permanence option not a valid value.", &["PREV_PERM"], |c, _, out| {
        each(&c.prev_perm, Table::PrevPerm, out, |p| not_in(&p.prev_perm, &["P1", "P2", "P3", "P4", "Z1"]));
    }),
    rule("632", "Date of previous permanence order not a valid value. NOTE: This rule may result in false negatives where the period of care started before the current collection year",
        &["DATE_PERM", "DECOM"], |c, _, out| {
        let Some(first) = c.first_episode() else { return };
        for p in &c.prev_perm {
            let date = p.date_perm.as_deref().map(permanence_date);
            let bad = match date {
                Some(Some(d)) => ge(Some(d), first.decom),
                Some(None) => true,
                None => false,
            };
            if bad {
                out.push(at(Table::Episodes, &first));
                out.push(at(Table::PrevPerm, p));
            }
        }
    }),
    rule("633", "Local authority code where previous permanence option was arranged is not a valid value.", &["LA_PERM"], |c, _, out| {
        each(&c.prev_perm, Table::PrevPerm, out, |p| p.la_perm.as_deref().is_some_and(|la| !LA_CODES.contains(&la)));
    }),
    rule("634", "There are entries for previous permanence options, but child has not started to be looked after from 1 April 2016 onwards.",
        &["LA_PERM", "PREV_PERM", "DATE_PERM", "DECOM"], |c, x, out| {
        let latest = c.episodes.iter().filter_map(|e| e.decom).max();
        if !lt(latest, Some(x.start)) {
            return;
        }
        for p in c.prev_perm.iter().filter(|p| p.prev_perm.is_some() || p.date_perm.is_some() || p.la_perm.is_some()) {
            out.push(at(Table::PrevPerm, p));
            out.extend(c.episodes.iter().map(|e| at(Table::Episodes, e)));
        }
    }),
    rule("635", "There are entries for date of order and local authority code where previous permanence option was arranged but previous permanence code is Z1",
        &["LA_PERM", "DATE_PERM", "PREV_PERM"], |c, _, out| {
        each(&c.prev_perm, Table::PrevPerm, out, |p| (p.la_perm.is_some() || p.date_perm.is_some()) && p.prev_perm.is_none());
    }),
];

/// The councils' old three-digit codes, and the nations outside England, that LA_PERM may hold.
const LA_CODES: &[&str] = &[
    "800", "889", "822", "301", "304", "303", "330", "825", "837", "302", "846", "370", "350", "890", "867", "380",
    "305", "801", "351", "873", "823", "895", "896", "381", "909", "202", "908", "331", "306", "841", "830", "831",
    "878", "371", "835", "332", "840", "307", "308", "811", "881", "845", "390", "916", "203", "876", "850", "311",
    "204", "884", "312", "205", "313", "805", "919", "310", "309", "420", "921", "206", "207", "886", "810", "382",
    "314", "340", "888", "208", "856", "383", "855", "209", "925", "341", "201", "821", "352", "806", "887", "826",
    "315", "929", "812", "391", "926", "892", "813", "802", "928", "891", "392", "316", "815", "353", "931", "879",
    "836", "851", "874", "807", "354", "317", "870", "318", "372", "857", "333", "935", "343", "803", "373", "342",
    "893", "356", "355", "871", "394", "334", "933", "882", "936", "861", "852", "319", "860", "808", "393", "866",
    "210", "357", "894", "883", "880", "358", "211", "937", "869", "320", "359", "865", "384", "335", "336", "212",
    "868", "872", "885", "344", "877", "213", "938", "816", "999", "WAL", "SCO", "NUK", "NIR",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_permanence_date_may_leave_the_day_or_month_unknown() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(permanence_date("15/06/2020"), d(2020, 6, 15));
        assert_eq!(permanence_date("ZZ/02/2020"), d(2020, 2, 29));
        assert_eq!(permanence_date("ZZ/ZZ/2020"), d(2020, 12, 31));
        assert_eq!(permanence_date("01/01/ZZZZ"), d(2000, 1, 1));
        assert_eq!(permanence_date("2020-06-15"), None);
    }
}
