//! Whether the tables hang together: every child in the header, once where once is allowed, the
//! same date of birth and sex everywhere, and episodes where the other tables need them.

use super::*;

/// Flags the rows of a table whose child has no header row.
fn without_header<T>(c: &CareRecord, rows: &[Row<T>], table: Table, out: &mut Vec<At>) {
    if c.header.is_empty() {
        each(rows, table, out, |_| true);
    }
}

/// Flags rows whose date of birth differs from the header's.
fn dob_differs<T>(c: &CareRecord, rows: &[Row<T>], table: Table, dob: fn(&T) -> Option<NaiveDate>, out: &mut Vec<At>) {
    for h in &c.header {
        each(rows, table, out, |r| matches!((h.dob, dob(r)), (Some(a), Some(b)) if a != b));
    }
}

/// Flags every row of a table in which the child appears more than once.
fn more_than_once<T>(rows: &[Row<T>], table: Table, out: &mut Vec<At>) {
    if rows.len() > 1 {
        each(rows, table, out, |_| true);
    }
}

pub(super) const RULES: &[Rule] = &[
    rule("1012", "No other data should be returned for OC3 children who had no episodes in the current year", &["CHILD"], |c, _, out| {
        if c.episodes.is_empty() {
            each(&c.placed_adoption, Table::PlacedAdoption, out, |_| true);
            each(&c.missing, Table::Missing, out, |_| true);
            each(&c.reviews, Table::Reviews, out, |_| true);
            each(&c.ad1, Table::Ad1, out, |_| true);
            each(&c.prev_perm, Table::PrevPerm, out, |_| true);
            each(&c.oc2, Table::Oc2, out, |_| true);
        }
    }),
    rule("EPI", "WARNING: Episodes need to be loaded for this child before further validation is possible [NOTE: This refers to the DfE portal - here, all checks that can be performed with only the available data will be.]",
        &["CHILD"], |c, _, out| {
        if c.episodes.is_empty() && c.oc3.is_empty() {
            each(&c.header, Table::Header, out, |_| true);
        }
    }),
    rule("INT01", "Data Integrity Check: Child in AD1 does not exist in Header.", &["CHILD"], |c, _, out| {
        without_header(c, &c.ad1, Table::Ad1, out);
    }),
    rule("INT02", "Internal Check: Child in PlacedAdoption does not exist in Header.", &["CHILD"], |c, _, out| {
        without_header(c, &c.placed_adoption, Table::PlacedAdoption, out);
    }),
    rule("INT03", "Internal Check: Child in Episodes does not exist in Header.", &["CHILD"], |c, _, out| {
        without_header(c, &c.episodes, Table::Episodes, out);
    }),
    rule("INT04", "Internal Check: Child in Missing does not exist in Header.", &["CHILD"], |c, _, out| {
        without_header(c, &c.missing, Table::Missing, out);
    }),
    rule("INT05", "Internal Check: Child in OC2 does not exist in Header.", &["CHILD"], |c, _, out| {
        without_header(c, &c.oc2, Table::Oc2, out);
    }),
    rule("INT06", "Internal Check: Child in OC3 does not exist in Header.", &["CHILD"], |c, _, out| {
        without_header(c, &c.oc3, Table::Oc3, out);
    }),
    rule("INT07", "Internal Check: Child in PrevPerm does not exist in Header.", &["CHILD"], |c, _, out| {
        without_header(c, &c.prev_perm, Table::PrevPerm, out);
    }),
    rule("INT08", "Internal Check: Child in Reviews does not exist in Header.", &["CHILD"], |c, _, out| {
        without_header(c, &c.reviews, Table::Reviews, out);
    }),
    rule("INT09", "Internal Check: Child in UASC does not exist in Header.", &["CHILD"], |c, _, out| {
        without_header(c, &c.uasc, Table::Uasc, out);
    }),
    rule("INT11", "Internal Check: DOB in AD1 is different to DOB in Header.", &["DOB"], |c, _, out| {
        dob_differs(c, &c.ad1, Table::Ad1, |r| r.dob, out);
    }),
    rule("INT12", "Internal Check: DOB in PlacedAdoption is different to DOB in Header.", &["DOB"], |c, _, out| {
        dob_differs(c, &c.placed_adoption, Table::PlacedAdoption, |r| r.dob, out);
    }),
    rule("INT13", "Internal Check: DOB in Missing is different to DOB in Header.", &["DOB"], |c, _, out| {
        dob_differs(c, &c.missing, Table::Missing, |r| r.dob, out);
    }),
    rule("INT14", "Internal Check: DOB in OC2 is different to DOB in Header.", &["DOB"], |c, _, out| {
        dob_differs(c, &c.oc2, Table::Oc2, |r| r.dob, out);
    }),
    rule("INT15", "Internal Check: DOB in OC3 is different to DOB in Header.", &["DOB"], |c, _, out| {
        dob_differs(c, &c.oc3, Table::Oc3, |r| r.dob, out);
    }),
    rule("INT16", "Internal Check: DOB in PrevPerm is different to DOB in Header.", &["DOB"], |c, _, out| {
        dob_differs(c, &c.prev_perm, Table::PrevPerm, |r| r.dob, out);
    }),
    rule("INT17", "Internal Check: DOB in Reviews is different to DOB in Header.", &["DOB"], |c, _, out| {
        dob_differs(c, &c.reviews, Table::Reviews, |r| r.dob, out);
    }),
    rule("INT18", "Internal Check: DOB in UASC is different to DOB in Header.", &["DOB"], |c, _, out| {
        dob_differs(c, &c.uasc, Table::Uasc, |r| r.dob, out);
    }),
    rule("INT21", "Internal Check: SEX in UASC is different to SEX in Header.", &["SEX"], |c, _, out| {
        for h in &c.header {
            each(&c.uasc, Table::Uasc, out, |u| h.sex.is_some() && u.sex.is_some() && h.sex != u.sex);
        }
    }),
    rule("INT31", "Internal Check: Child should only exist once in AD1.", &["CHILD"], |c, _, out| {
        more_than_once(&c.ad1, Table::Ad1, out);
    }),
    rule("INT32", "Internal Check: Child should only exist once in Header.", &["CHILD"], |c, _, out| {
        more_than_once(&c.header, Table::Header, out);
    }),
    rule("INT33", "Internal Check: Child should only exist once in OC2.", &["CHILD"], |c, _, out| {
        more_than_once(&c.oc2, Table::Oc2, out);
    }),
    rule("INT34", "Internal Check: Child should only exist once in OC3.", &["CHILD"], |c, _, out| {
        more_than_once(&c.oc3, Table::Oc3, out);
    }),
    rule("INT35", "Internal Check: Child should only exist once in PrevPerm.", &["CHILD"], |c, _, out| {
        more_than_once(&c.prev_perm, Table::PrevPerm, out);
    }),
    rule("INT36", "Internal Check: Child should only exist once in UASC.", &["CHILD"], |c, _, out| {
        more_than_once(&c.uasc, Table::Uasc, out);
    }),
    rule("NoE", "This child has no episodes loaded for previous year even though child started to be looked after before this current year.",
        &["DECOM"], |c, x, out| {
        let Some(last) = x.last_year(c.child) else { return };
        if last.is_none_or(|l| l.episodes.is_empty()) {
            each(&c.episodes, Table::Episodes, out, |e| lt(e.decom, Some(x.start)));
        }
    }),
    rule("562", "Episode commenced before the start of the current collection year but there is a missing continuous episode in the previous year.",
        &["DECOM"], |c, x, out| {
        let Some(last) = x.last_year(c.child) else { return };
        let Some(first) = c.episodes.iter().find(|e| lt(e.decom, Some(x.start))) else { return };
        let latest_last_year = last.and_then(|l| l.last_episode()).and_then(|e| e.decom);
        if latest_last_year != first.decom {
            out.push(at(Table::Episodes, first));
        }
    }),
];

/// Whole-return rules: those that compare children with each other.
pub(super) const RETURN_RULES: &[Rule] = &[Rule {
    code: "444",
    message: "Duplicate UPN has been reported",
    fields: &["UPN"],
    check: Check::Return(|records, _, out| {
        const UNKNOWN: &[&str] = &["UN1", "UN2", "UN3", "UN4", "UN5"];
        let mut holders: HashMap<&str, usize> = HashMap::new();
        for r in records {
            for h in &r.header {
                if let Some(upn) = h.upn.as_deref().filter(|u| !UNKNOWN.contains(u)) {
                    *holders.entry(upn).or_default() += 1;
                }
            }
        }
        for (i, r) in records.iter().enumerate() {
            for h in &r.header {
                if h.upn.as_deref().is_some_and(|u| holders.get(u).is_some_and(|n| *n > 1)) {
                    out.push((i, at(Table::Header, h)));
                }
            }
        }
    }),
}];
