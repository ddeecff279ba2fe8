//! Care leavers (OC3): who should have care leaver information, and what it may say.

use super::*;

/// The DfE's age in years by days, as its tools count it (a year of 365.2425 days).
pub(super) fn age_in_years(dob: Option<NaiveDate>, on: NaiveDate) -> Option<f64> {
    dob.map(|d| (on - d).num_days() as f64 / 365.2425)
}

const IN_TOUCH: &[&str] = &["YES", "NO", "DIED", "REFU", "NREQ", "RHOM"];
const ACTIVITIES: &[&str] = &["F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6", "0"];
const ACCOMMODATION: &[&str] = &[
    "B1", "B2", "C1", "C2", "D1", "D2", "E1", "E2", "G1", "G2", "H1", "H2", "K1", "K2", "R1", "R2", "S2", "T1", "T2",
    "U1", "U2", "V1", "V2", "W1", "W2", "X2", "Y1", "Y2", "Z1", "Z2", "0",
];

/// Days a care leaver was in care since their 14th and since their 16th birthdays, over this year's
/// and last year's episodes (short breaks aside), the open one counted to the year's end.
fn care_since_14_and_16(c: &CareRecord, x: &Context, last: Option<&CareRecord>) -> Option<(i64, i64)> {
    let dob = c.dob()?;
    let mut episodes: Vec<&EpisodeRow> = c.episodes.iter().map(|e| e.row).collect();
    if let Some(last) = last {
        for e in &last.episodes {
            match episodes.iter_mut().find(|mine| mine.decom == e.decom) {
                // The same episode in both years: keep the one that has ended.
                Some(mine) => {
                    if mine.dec.is_none() {
                        *mine = e.row;
                    }
                }
                None => episodes.push(e.row),
            }
        }
    }
    let latest = episodes.iter().filter_map(|e| e.decom).max();
    let (from14, from16) = (years_after(dob, 14), years_after(dob, 16));
    let mut totals = (0, 0);
    for e in episodes.iter().filter(|e| !is(&e.ls, SHORT_BREAKS)) {
        let dec = e.dec.or_else(|| (e.decom == latest).then_some(x.end));
        let Some(dec) = dec else { continue };
        let since = |birthday: NaiveDate| (dec - e.decom.map_or(birthday, |d| d.max(birthday))).num_days().max(0);
        totals.0 += since(from14);
        totals.1 += since(from16);
    }
    Some(totals)
}

pub(super) const RULES: &[Rule] = &[
    rule("1000", "This child is recorded as having died in care and therefore should not have the care leaver information completed. [NOTE: This only tests the current and previous year data loaded into the tool]",
        &["IN_TOUCH", "ACTIV", "ACCOM"], |c, x, out| {
        let died = |r: &CareRecord| r.episodes.iter().any(|e| is(&e.rec, &["E2"]));
        if died(c) || x.last_year(c.child).flatten().is_some_and(died) {
            each(&c.oc3, Table::Oc3, out, |_| true);
        }
    }),
    rule("1001", "The episodes recorded for this young person suggest they are not a relevant or a former relevant child and therefore should not have care leaver information completed. [NOTE: This tool can only test the current and previous year data loaded into the tool - this check may generate false positives if a child had episodes prior to last year's collection.]",
        &["IN_TOUCH", "ACTIV", "ACCOM"], |c, x, out| {
        let Some(last) = x.last_year(c.child) else { return };
        if c.oc3.is_empty() || !x.has_rows {
            return;
        }
        // A relevant child was in care for 13 weeks from 14, and on or after their 16th birthday.
        let old_enough = c.dob().is_some_and(|d| years_after(d, 20) > x.end);
        let relevant = old_enough
            && care_since_14_and_16(c, x, last).is_some_and(|(from14, from16)| from14 >= 91 && from16 >= 1);
        let latest = c.last_episode().map(|e| e.row).into_iter().chain(last.and_then(|l| l.last_episode()).map(|e| e.row));
        let adopted = latest.max_by_key(|e| e.decom).is_some_and(|e| is(&e.rec, ADOPTED));
        if adopted || !relevant {
            each(&c.oc3, Table::Oc3, out, |_| true);
        }
    }),
    rule("1002", "This child has no previous episodes of care, therefore should not have care leaver information recorded. [NOTE: This tool can only test the current and previous year data loaded into the tool - this check may generate false positives if a child had episodes prior to last year's collection.]",
        &["IN_TOUCH", "ACTIV", "ACCOM"], |c, x, out| {
        let Some(last) = x.last_year(c.child) else { return };
        if c.episodes.is_empty() && last.is_none_or(|l| l.episodes.is_empty()) {
            each(&c.oc3, Table::Oc3, out, |_| true);
        }
    }),
    rule("1007", "Care leaver information is not required for 17- or 18-year olds who are still looked after [on their 17th or 18th birthday.]",
        &["IN_TOUCH", "ACTIV", "ACCOM"], |c, x, out| {
        for o in &c.oc3 {
            let Some(dob) = o.dob else { continue };
            let aged_17_or_18 = years_after(dob, 17) <= x.end && years_after(dob, 19) > x.end;
            if !(aged_17_or_18 && any_oc3(o)) {
                continue;
            }
            // The latest birthday on or before the year's end.
            let mut birthday = dob.with_year(x.end.year()).unwrap_or_else(|| years_after(dob, (x.end.year() - dob.year()) as u32));
            if birthday > x.end {
                birthday = years_before(birthday, 1);
            }
            if c.episodes.iter().any(|e| le(e.decom, Some(birthday)) && gt(e.dec, Some(birthday))) {
                out.push(at(Table::Oc3, o));
            }
        }
    }),
    rule("1010", "This child has no episodes loaded for current year even though there was an open episode of care at the end of the previous year, and care leaver data has been entered.",
        &["IN_TOUCH", "ACTIV", "ACCOM"], |c, x, out| {
        let Some(last) = x.last_year(c.child) else { return };
        let open_last_year = last.and_then(|l| l.last_episode()).is_some_and(|e| e.dec.is_none());
        if c.episodes.is_empty() && open_last_year {
            each(&c.oc3, Table::Oc3, out, |_| true);
        }
    }),
    rule("1011", "This child is recorded as having his/her care transferred to another local authority for the final episode and therefore should not have the care leaver information completed.",
        &["IN_TOUCH", "ACTIV", "ACCOM"], |c, _, out| {
        if c.last_episode().is_some_and(|e| is(&e.rec, &["E3"])) {
            each(&c.oc3, Table::Oc3, out, any_oc3);
        }
    }),
    rule("1014", "UASC information is not required for care leavers", &["ACTIV", "ACCOM", "IN_TOUCH", "DUC"], |c, x, out| {
        let in_year = |e: &EpisodeRow| {
            (ge(e.dec, Some(x.start)) && le(e.decom, Some(x.end))) || (le(e.decom, Some(x.end)) && e.dec.is_none())
        };
        if c.uasc.is_empty() || c.episodes.is_empty() || c.episodes.iter().any(|e| in_year(e)) {
            return;
        }
        if c.oc3.iter().any(|o| any_oc3(o)) {
            each(&c.uasc, Table::Uasc, out, |_| true);
            each(&c.oc3, Table::Oc3, out, any_oc3);
        }
    }),
    rule("1016", "Care leaver information is not required for 17- or 18-year olds who cease to be looked after, after their birthday.",
        &["IN_TOUCH", "ACTIV", "ACCOM"], |c, x, out| {
        for o in c.oc3.iter().filter(|o| any_oc3(o)) {
            let (Some(dob), Some(age)) = (o.dob, age_in_years(o.dob, x.end)) else { continue };
            let ceased_after = |years| c.episodes.iter().any(|e| ge(e.dec, Some(years_after(dob, years))));
            if ((17.0..18.0).contains(&age) && ceased_after(17)) || ((18.0..19.0).contains(&age) && ceased_after(18)) {
                out.push(at(Table::Oc3, o));
            }
        }
    }),
    rule("131", "Data entry for being in touch after leaving care is invalid.", &["IN_TOUCH"], |c, _, out| {
        each(&c.oc3, Table::Oc3, out, |o| !is(&o.in_touch, IN_TOUCH));
    }),
    rule("132", "Data entry for activity after leaving care is invalid.", &["ACTIV"], |c, _, out| {
        each(&c.oc3, Table::Oc3, out, |o| !is(&o.activ, ACTIVITIES));
    }),
    rule("133", "Data entry for accommodation after leaving care is invalid. If reporting on a childs accommodation after leaving care the data entry must be valid",
        &["ACCOM"], |c, _, out| {
        each(&c.oc3, Table::Oc3, out, |o| !is(&o.accom, ACCOMMODATION));
    }),
    rule("153", "All data items relating to a child's activity or accommodation after leaving care must be coded or left blank.",
        &["IN_TOUCH", "ACTIV", "ACCOM"], |c, _, out| {
        each(&c.oc3, Table::Oc3, out, |o| {
            let given = [&o.in_touch, &o.activ, &o.accom].iter().filter(|v| v.is_some()).count();
            given != 0 && given != 3
        });
    }),
    rule("3001", "Where care leavers information is being returned for a young person around their 17th birthday, the accommodation cannot be with their former foster carer(s).",
        &["REC"], |c, x, out| {
        let turns_17 = birthday(c.dob(), 17).is_some_and(|d| d >= x.start && d <= x.end);
        each(&c.oc3, Table::Oc3, out, |o| turns_17 && is(&o.accom, &["Z1", "Z2"]));
    }),
    rule("344", "The record shows the young person has died or returned home to live with parent(s) or someone with parental responsibility for a continuous period of 6 months or more, but activity and/or accommodation on leaving care have been completed.",
        &["IN_TOUCH", "ACTIV", "ACCOM"], |c, _, out| {
        each(&c.oc3, Table::Oc3, out, |o| {
            is(&o.in_touch, &["DIED", "RHOM"]) && (o.activ.as_deref() != Some("0") || o.accom.as_deref() != Some("0"))
        });
    }),
    rule("345", "The data collection record shows the local authority is in touch with this young person, but activity and/or accommodation data items are zero.",
        &["IN_TOUCH", "ACTIV", "ACCOM"], |c, _, out| {
        each(&c.oc3, Table::Oc3, out, |o| {
            is(&o.in_touch, &["YES"]) && (o.activ.as_deref() == Some("0") || o.accom.as_deref() == Some("0"))
        });
    }),
    rule("347", "Care leavers aged under 18 years, can not be accommodated in a Foyer.", &["PLACE", "DEC", "URN"], |c, x, out| {
        each(&c.oc3, Table::Oc3, out, |o| is(&o.accom, &["T"]) && age_in_years(o.dob, x.start).is_some_and(|a| a < 18.0));
    }),
    rule("348", "Care leaver has previously been reported as having died. ", &["IN_TOUCH"], |c, x, out| {
        let Some(last) = x.last_year(c.child) else { return };
        let died = last.is_some_and(|l| l.oc3.iter().any(|o| is(&o.in_touch, &["DIED"])));
        each(&c.oc3, Table::Oc3, out, |o| died && !is(&o.in_touch, &["DIED"]));
    }),
    rule("391", "Young person was not 17, 18, 19, 20 or 21 during the current collection year. ", &["DOB", "IN_TOUCH", "ACTIV", "ACCOM"], |c, x, out| {
        each(&c.oc3, Table::Oc3, out, |o| gt(birthday(o.dob, 17), Some(x.end)) && any_oc3(o));
    }),
];
