//! Who the child is: the header's sex, dates of birth, ethnicity, UPN and motherhood, how they
//! agree with last year's return, and the UASC table.

use super::*;

const ETHNICITIES: &[&str] = &[
    "WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN", "AOTH", "BCRB",
    "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
];

/// A UPN as the 903 allows it: a letter other than I, O or S and twelve digits, or eleven digits
/// and a letter; or UN1 to UN5.
fn upn_valid(upn: &str) -> bool {
    let b = upn.as_bytes();
    if matches!(upn, "UN1" | "UN2" | "UN3" | "UN4" | "UN5") {
        return true;
    }
    if b.len() != 13 || !b[0].is_ascii_uppercase() || matches!(b[0], b'I' | b'O' | b'S') {
        return false;
    }
    b[1..12].iter().all(u8::is_ascii_digit) && (b[12].is_ascii_digit() || b[12].is_ascii_uppercase())
}

/// Last year's header row of a child who was in last year's return.
fn last_header<'a>(c: &CareRecord, x: &'a Context) -> Option<&'a HeaderRow> {
    x.last_year(c.child).flatten().and_then(|l| l.head())
}

pub(super) const RULES: &[Rule] = &[
    rule("101", "The child or young person’s reported sex is not valid.", &["SEX"], |c, _, out| {
        each(&c.header, Table::Header, out, |h| !is(&h.sex, &["M", "F", "U"]));
    }),
    rule("102", "Date of birth is not a valid date.", &["DOB"], |c, _, out| {
        each(&c.header, Table::Header, out, |h| h.dob.is_none());
    }),
    rule("103", "The ethnicity code is either not valid or has not been entered.", &["ETHNIC"], |c, _, out| {
        each(&c.header, Table::Header, out, |h| !is(&h.ethnic, ETHNICITIES));
    }),
    rule("105", "Data entry for Unaccompanied Asylum-Seeking Children (UASC) status of child is invalid or has not been completed.",
        &["UASC"], |_, _, _| {
        // The XML form of the return has a UASC status on the header, which this rule checks. In
        // the CSV form the status is whether the child is in the UASC table, so it is always 0 or
        // 1 and the rule has nothing to find.
    }),
    rule("168", "Unique Pupil Number (UPN) is not valid. If unknown, default codes should be UN1, UN2, UN3, UN4 or UN5.",
        &["UPN"], |c, _, out| {
        each(&c.header, Table::Header, out, |h| h.upn.as_deref().is_some_and(|u| !upn_valid(u)));
    }),
    rule("171", "Date of birth of mother's child is not a valid date.", &["MC_DOB"], |c, x, out| {
        out.extend(c.header.iter().filter(|h| x.unreadable(Table::Header, h.at, "MC_DOB")).map(|h| at(Table::Header, h)));
    }),
    rule("174", "Mother's child date of birth is recorded but sex shows that the child is a male.", &["SEX", "MC_DOB"], |c, x, out| {
        let male_mother = |h: &Row<HeaderRow>| is(&h.sex, &["M"]) && given(x, Table::Header, h.at, "MC_DOB", h.mc_dob);
        out.extend(c.header.iter().filter(|h| male_mother(h)).map(|h| at(Table::Header, h)));
    }),
    rule("202", "The gender code conflicts with the gender already recorded for this child.", &["SEX"], |c, x, out| {
        let Some(last) = last_header(c, x) else { return };
        each(&c.header, Table::Header, out, |h| h.sex != last.sex);
    }),
    rule("203", "Date of birth disagrees with the date of birth already recorded for this child.", &["DOB"], |c, x, out| {
        let Some(last) = last_header(c, x) else { return };
        each(&c.header, Table::Header, out, |h| h.dob != last.dob);
    }),
    rule("204", "Ethnic origin code disagrees with the ethnic origin already recorded for this child.", &["ETHNIC"], |c, x, out| {
        let Some(last) = last_header(c, x) else { return };
        each(&c.header, Table::Header, out, |h| h.ethnic != last.ethnic);
    }),
    rule("205A", "Child identified as UASC last year is no longer UASC this year, but date UASC ceased in both years does not support this.",
        &["CHILD", "UASC"], |c, x, out| {
        // In the CSV form a row in the UASC table makes a child UASC, so only a row without a
        // header row can be "no longer UASC".
        let Some(Some(last)) = x.last_year(c.child) else { return };
        let Some(before) = last.uasc.first().filter(|_| !last.header.is_empty()) else { return };
        if !c.header.is_empty() {
            return;
        }
        let ceased_last_year = before.duc.is_some_and(|d| d >= x.last_start() && d <= x.last_end());
        each(&c.uasc, Table::Uasc, out, |u| u.duc.is_some() || !ceased_last_year);
    }),
    rule("205B", "Child previously identified as UASC is also UASC this year, but date UASC ceased in both years does not support this.",
        &["DUC", "UASC"], |c, x, out| {
        let Some(Some(last)) = x.last_year(c.child) else { return };
        let Some(before) = last.uasc.first() else { return };
        if c.header.is_empty() || last.header.is_empty() {
            return;
        }
        let previous_duc = before.duc;
        let ceased_at_18 = eq(previous_duc, birthday(before.dob, 18));
        for u in &c.uasc {
            let ceased_this_year = u.duc.is_some_and(|d| d >= x.start && d <= x.end);
            if (!ceased_this_year && !eq(u.duc, previous_duc)) || !ceased_at_18 {
                out.push(at(Table::Uasc, u));
                out.extend(c.header.iter().map(|h| at(Table::Header, h)));
            }
        }
    }),
    rule("205C", "Child not identified as UASC either this year or last year but date UASC ceased has been provided.",
        &["DUC", "UASC"], |c, x, out| {
        // As in 205A, a row in the UASC table is UASC unless the child has no header row.
        let Some(last) = x.last_year(c.child) else { return };
        let last_uasc = last.and_then(|l| l.uasc.first().filter(|_| !l.header.is_empty()));
        if !c.header.is_empty() || last_uasc.is_some() {
            return;
        }
        let last_duc = last.and_then(|l| l.uasc.first()).and_then(|u| u.duc);
        each(&c.uasc, Table::Uasc, out, |u| u.duc.is_some() || last_duc.is_some());
    }),
    rule("205D", "Child identified as UASC this year but not identified as UASC status provided for the child last year.",
        &["UASC", "CHILD"], |c, x, out| {
        let Some(Some(last)) = x.last_year(c.child) else { return };
        if c.is_uasc() && !last.is_uasc() && !last.header.is_empty() {
            each(&c.header, Table::Header, out, |_| true);
        }
    }),
    rule("207", "Mother status for the current year disagrees with the mother status already recorded for this child.",
        &["MOTHER"], |c, x, out| {
        let Some(last) = last_header(c, x) else { return };
        if c.episodes.is_empty() || !is(&last.mother, &["1"]) {
            return;
        }
        each(&c.header, Table::Header, out, |h| h.mother != last.mother);
    }),
    rule("208", "Unique Pupil Number (UPN) for the current year disagrees with the Unique Pupil Number (UPN) already recorded for this child.",
        &["UPN"], |c, x, out| {
        let Some(last) = last_header(c, x) else { return };
        const UNKNOWN_LATER: &[&str] = &["UN2", "UN3", "UN4", "UN5"];
        const UNKNOWN: &[&str] = &["UN1", "UN2", "UN3", "UN4", "UN5"];
        let before = &last.upn;
        each(&c.header, Table::Header, out, |h| {
            let now = &h.upn;
            let different = now != before;
            let unknown_changed = (is(before, &["UN1"]) || before.is_none()) && is(now, UNKNOWN_LATER);
            let now_known = (is(before, UNKNOWN) || before.is_none()) && !(is(now, UNKNOWN) || now.is_none());
            different && !unknown_changed && !now_known
        });
    }),
    rule("209", "Child looked after is of school age and should not have an unknown Unique Pupil Number (UPN) code of UN1.",
        &["UPN", "DOB"], |c, x, out| {
        // School age: 4 by the 31 August before the year began.
        let cutoff = NaiveDate::from_ymd_opt(x.start.year() - 1, 8, 31);
        each(&c.header, Table::Header, out, |h| is(&h.upn, &["UN1"]) && le(birthday(h.dob, 4), cutoff));
    }),
    rule("210", "Children looked after for more than a week at 31 March should not have an unknown Unique Pupil Number (UPN) code of UN4.",
        &["UPN", "DECOM"], |c, x, out| {
        let week_before = NaiveDate::from_ymd_opt(x.end.year(), 3, 24);
        if !c.head().is_some_and(|h| is(&h.upn, &["UN4"])) {
            return;
        }
        for e in c.episodes.iter().filter(|e| ge(e.decom, week_before)) {
            out.push(at(Table::Episodes, e));
            out.extend(c.header.first().map(|h| at(Table::Header, h)));
        }
    }),
    rule("231", "We expect that unaccompanied asylum seeking children are generally older young people. Please check the date of birth is correct. If the date of birth is correct then please provide details in a bypass request.",
        &["DOB", "UASC_STATUS"], |c, x, out| {
        let eleven_years_back = years_before(x.end, 11);
        each(&c.header, Table::Header, out, |h| c.is_uasc() && gt(h.dob, Some(eleven_years_back)));
    }),
    rule("232", "Sex of the child/young person has been reported as unknown.", &["SEX"], |c, _, out| {
        each(&c.header, Table::Header, out, |h| is(&h.sex, &["U"]));
    }),
    rule("301", "Date of birth falls after the year ended.", &["DOB"], |c, x, out| {
        each(&c.header, Table::Header, out, |h| gt(h.dob, Some(x.end)));
    }),
    rule("303", "If date Unaccompanied Asylum-Seeking Child (UASC) status ceased is not null, UASC status must be coded 1.",
        &["DUC", "UASC"], |_, _, _| {
        // In the CSV form a child with a row in the UASC table is UASC (status 1) by that row, so a
        // date ceased there always has the status it needs.
    }),
    rule("304", "Date unaccompanied asylum-seeking child (UASC) status ceased must be on or before the 18th birthday of a child.",
        &["DUC"], |c, _, out| {
        each(&c.uasc, Table::Uasc, out, |u| gt(u.duc, birthday(u.dob, 18)));
    }),
    rule("104", "Date for Unaccompanied Asylum-Seeking Children (UASC) status ceased is not a valid date.", &["DUC"], |c, x, out| {
        let bad = |u: &Row<UascRow>| x.unreadable(Table::Uasc, u.at, "DUC") || lt(u.duc, Some(x.start));
        out.extend(c.uasc.iter().filter(|u| bad(u)).map(|u| at(Table::Uasc, u)));
    }),
    rule("351", "Child was over 25 at the start of the current collection year.", &["DOB"], |c, x, out| {
        each(&c.header, Table::Header, out, |h| lt(birthday(h.dob, 25), Some(x.start)));
    }),
    rule("393", "Child is looked after but mother field is not completed.", &["MOTHER"], |c, _, out| {
        let looked_after = c.episodes.iter().any(|e| !is(&e.ls, SHORT_BREAKS));
        each(&c.header, Table::Header, out, |h| looked_after && is(&h.sex, &["F"]) && h.mother.is_none());
    }),
    rule("442", "Unique Pupil Number (UPN) field is not completed.", &["UPN"], |c, _, out| {
        let looked_after = c.episodes.iter().any(|e| !is(&e.ls, SHORT_BREAKS));
        each(&c.header, Table::Header, out, |h| looked_after && h.upn.is_none());
    }),
    rule("165", "Data entry for mother status is invalid.", &["MOTHER", "SEX", "ACTIV", "ACCOM", "IN_TOUCH", "DECOM"], |c, _, out| {
        if !c.episodes.iter().any(|e| !is(&e.ls, SHORT_BREAKS)) {
            return;
        }
        for h in c.header.iter().filter(|h| not_in(&h.mother, &["0", "1"])) {
            out.push(at(Table::Header, h));
            out.extend(c.oc3.iter().map(|o| at(Table::Oc3, o)));
        }
    }),
    rule("607", "Child ceased to be looked after in the year, but mother field has not been completed.", &["DEC", "REC", "MOTHER", "LS", "SEX"], |c, x, out| {
        let Some(h) = c.header.first().filter(|h| is(&h.sex, &["F"]) && h.mother.is_none()) else { return };
        let ceased = |e: &EpisodeRow| {
            not_in(&e.rec, &["X1"]) && !is(&e.ls, SHORT_BREAKS) && e.dec.is_some_and(|d| d >= x.start && d <= x.end)
        };
        for e in c.episodes.iter().filter(|e| ceased(e)) {
            out.push(at(Table::Episodes, e));
            out.push(at(Table::Header, h));
        }
    }),
    rule("611", "Date of birth field is blank, but child is a mother.", &["MOTHER", "MC_DOB"], |c, x, out| {
        let bad = |h: &Row<HeaderRow>| is(&h.mother, &["1"]) && !given(x, Table::Header, h.at, "MC_DOB", h.mc_dob);
        out.extend(c.header.iter().filter(|h| bad(h)).map(|h| at(Table::Header, h)));
    }),
    rule("612", "Date of birth field has been completed but mother field indicates child is not a mother.", &["SEX", "MOTHER", "MC_DOB"], |c, x, out| {
        let bad = |h: &Row<HeaderRow>| {
            (h.mother.is_none() || is(&h.mother, &["0"])) && is(&h.sex, &["F"]) && given(x, Table::Header, h.at, "MC_DOB", h.mc_dob)
        };
        out.extend(c.header.iter().filter(|h| bad(h)).map(|h| at(Table::Header, h)));
    }),
    rule("620", "Child has been recorded as a mother, but date of birth shows that the mother is under 11 years of age.", &["DOB", "MOTHER"], |c, x, out| {
        each(&c.header, Table::Header, out, |h| is(&h.mother, &["1"]) && gt(birthday(h.dob, 11), Some(x.start)));
    }),
    rule("621", "Mother’s field has been completed but date of birth shows that the mother is younger than her child.", &["DOB", "MC_DOB"], |c, _, out| {
        each(&c.header, Table::Header, out, |h| h.mc_dob.is_some() && !gt(h.mc_dob, h.dob));
    }),
    rule("624", "Date of birth of the first child contradicts the date of birth of the first child previously recorded.", &["MC_DOB"], |c, x, out| {
        let Some(last) = last_header(c, x) else { return };
        if last.mc_dob.is_some() {
            each(&c.header, Table::Header, out, |h| h.mc_dob != last.mc_dob);
        }
    }),
    rule("625", "Date of birth of the first child is beyond the end of this reporting year or the date the child ceased to be looked after.",
        &["MC_DOB", "DEC"], |c, x, out| {
        let latest = c.episodes.iter().filter(|e| e.dec.is_some()).max_by_key(|e| (e.dec, std::cmp::Reverse(e.at)));
        let Some(latest) = latest else { return };
        for h in c.header.iter().filter(|h| gt(h.mc_dob, Some(x.end)) || gt(h.mc_dob, latest.dec)) {
            out.push(at(Table::Header, h));
            out.push(at(Table::Episodes, latest));
        }
    }),
    rule("626", "Child was reported as a mother but the date of birth of the first child is before the current year which contradicts with the mother status recorded last year.",
        &["MOTHER", "MC_DOB"], |c, x, out| {
        let Some(last) = last_header(c, x) else { return };
        let was_not = last.mother.as_deref().and_then(|m| m.parse::<f64>().ok()) == Some(0.0);
        each(&c.header, Table::Header, out, |h| {
            was_not && h.mother.as_deref().and_then(|m| m.parse::<f64>().ok()) == Some(1.0) && lt(h.mc_dob, Some(x.start))
        });
    }),
    rule("628", "Motherhood details are not required for care leavers who have not been looked after during the year.", &["MOTHER"], |c, _, out| {
        let leaver = c.oc3.iter().any(|o| any_oc3(o));
        each(&c.header, Table::Header, out, |h| c.episodes.is_empty() && leaver && h.mother.is_some());
    }),
];
