//! Adoption: the decisions to place a child for adoption (PlacedAdoption), the adoptions of the
//! year (AD1), and how they agree with the episodes.

use super::*;

fn unreadable_dates<T>(rows: &[Row<T>], x: &Context, table: Table, column: &'static str, out: &mut Vec<At>) {
    out.extend(rows.iter().filter(|r| x.unreadable(table, r.at, column)).map(|r| at(table, r)));
}

/// Flags each pair of an episode and a row of another table that `bad` holds for.
fn pairs<A, B>(
    a: &[Row<A>],
    a_table: Table,
    b: &[Row<B>],
    b_table: Table,
    out: &mut Vec<At>,
    bad: impl Fn(&A, &B) -> bool,
) {
    for x in a {
        for y in b {
            if bad(x.row, y.row) {
                out.push(at(a_table, x));
                out.push(at(b_table, y));
            }
        }
    }
}

/// Flags AD1 rows whose adopters' legal status is `status` but whose sexes are not one of `sexes`.
fn adopters(c: &CareRecord, status: &str, sexes: &[&str], out: &mut Vec<At>) {
    each(&c.ad1, Table::Ad1, out, |a| is(&a.ls_adoptr, &[status]) && !is(&a.sex_adoptr, sexes));
}

pub(super) const RULES: &[Rule] = &[
    rule("1003", "Date of LA's decision that a child should be placed for adoption is before the child started to be looked after.",
        &["DATE_PLACED", "DECOM", "RNE"], |c, _, out| {
        let Some(first) = c.episodes.iter().find(|e| is(&e.rne, &["S"]) && e.decom.is_some()) else { return };
        pairs(std::slice::from_ref(first), Table::Episodes, &c.placed_adoption, Table::PlacedAdoption, out, |e, p| lt(p.date_placed, e.decom));
    }),
    rule("112", "Date should be placed for adoption is not a valid date.", &["DATE_INT"], |c, x, out| {
        unreadable_dates(&c.ad1, x, Table::Ad1, "DATE_INT", out);
    }),
    rule("113", "Date matching child and adopter(s) is not a valid date.", &["DATE_MATCH"], |c, x, out| {
        unreadable_dates(&c.ad1, x, Table::Ad1, "DATE_MATCH", out);
    }),
    rule("114", "Data entry to record the status of former carer(s) of an adopted child is invalid.", &["FOSTER_CARE"], |c, _, out| {
        each(&c.ad1, Table::Ad1, out, |a| not_in(&a.foster_care, &["0", "1"]));
    }),
    rule("115", "Date of Local Authority's (LA) decision that a child should be placed for adoption is not a valid date.", &["DATE_PLACED"], |c, x, out| {
        unreadable_dates(&c.placed_adoption, x, Table::PlacedAdoption, "DATE_PLACED", out);
    }),
    rule("116", "Date of Local Authority's (LA) decision that a child should no longer be placed for adoption is not a valid date.",
        &["DATE_PLACED_CEASED"], |c, x, out| {
        unreadable_dates(&c.placed_adoption, x, Table::PlacedAdoption, "DATE_PLACED_CEASED", out);
    }),
    rule("117", "Date of decision that a child should/should no longer be placed for adoption is beyond the current collection year or after the child ceased to be looked after.",
        &["DATE_PLACED_CEASED", "DATE_PLACED", "DEC", "REC", "DECOM"], |c, x, out| {
        let latest = c.episodes.iter().rev().find(|e| e.decom.is_some() && !is(&e.rec, &["X1"]));
        let Some(latest) = latest else { return };
        let end = Some(x.end);
        pairs(std::slice::from_ref(latest), Table::Episodes, &c.placed_adoption, Table::PlacedAdoption, out, |e, p| {
            gt(p.date_placed, end) || gt(p.date_placed, e.dec) || gt(p.date_placed_ceased, end) || gt(p.date_placed_ceased, e.dec)
        });
    }),
    rule("118", "Date of decision that a child should no longer be placed for adoption is before the current collection year or before the date the child started to be looked after.",
        &["DECOM", "DECOM", "LS"], |c, x, out| {
        let Some(earliest) = c.episodes.iter().find(|e| e.decom.is_some() && !is(&e.ls, SHORT_BREAKS)) else { return };
        pairs(std::slice::from_ref(earliest), Table::Episodes, &c.placed_adoption, Table::PlacedAdoption, out, |e, p| {
            lt(p.date_placed_ceased, e.decom) || lt(p.date_placed_ceased, Some(x.start))
        });
    }),
    rule("119", "If the decision is made that a child should no longer be placed for adoption, then the date of this decision and the reason why this decision was made must be completed.",
        &["REASON_PLACED_CEASED", "DATE_PLACED_CEASED"], |c, x, out| {
        let bad = |p: &Row<PlacedAdoptionRow>| {
            given(x, Table::PlacedAdoption, p.at, "DATE_PLACED_CEASED", p.date_placed_ceased) != p.reason_placed_ceased.is_some()
        };
        out.extend(c.placed_adoption.iter().filter(|p| bad(p)).map(|p| at(Table::PlacedAdoption, p)));
    }),
    rule("120", "The reason for the reversal of the decision that the child should be placed for adoption code is not valid.",
        &["REASON_PLACED_CEASED"], |c, _, out| {
        each(&c.placed_adoption, Table::PlacedAdoption, out, |p| not_in(&p.reason_placed_ceased, &["RD1", "RD2", "RD3", "RD4"]));
    }),
    rule("134", "Data on adoption should not be entered for the OC3 cohort.",
        &["IN_TOUCH", "ACTIV", "ACCOM", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"], |c, _, out| {
        let leaver = c.oc3.iter().any(|o| any_oc3(o));
        each(&c.ad1, Table::Ad1, out, |a| leaver && any_ad1(a));
    }),
    rule("151", "All data items relating to a childs adoption must be coded or left blank.",
        &["DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTER", "SEX_ADOPTR", "LS_ADOPTR"], |c, x, out| {
        let bad = |a: &Row<Ad1Row>| {
            let given = [
                given(x, Table::Ad1, a.at, "DATE_INT", a.date_int),
                given(x, Table::Ad1, a.at, "DATE_MATCH", a.date_match),
                a.foster_care.is_some(),
                a.nb_adoptr.is_some(),
                a.sex_adoptr.is_some(),
                a.ls_adoptr.is_some(),
            ];
            given.iter().any(|g| *g) && !given.iter().all(|g| *g)
        };
        out.extend(c.ad1.iter().filter(|a| bad(a)).map(|a| at(Table::Ad1, a)));
    }),
    rule("175", "The number of adopter(s) code is not a valid code.", &["NB_ADOPTR"], |c, _, out| {
        each(&c.ad1, Table::Ad1, out, |a| not_in(&a.nb_adoptr, &["1", "2"]));
    }),
    rule("176", "The gender of adopter(s) at the date of adoption code is not a valid code.", &["SEX_ADOPTR"], |c, _, out| {
        each(&c.ad1, Table::Ad1, out, |a| not_in(&a.sex_adoptr, &["M1", "F1", "MM", "FF", "MF"]));
    }),
    rule("177", "The legal status of adopter(s) code is not a valid code.", &["LS_ADOPTR"], |c, _, out| {
        each(&c.ad1, Table::Ad1, out, |a| not_in(&a.ls_adoptr, &["L0", "L11", "L12", "L2", "L3", "L4"]));
    }),
    rule("184", "Date of decision that a child should be placed for adoption is before the child was born.", &["DATE_PLACED", "DOB"], |c, _, out| {
        each(&c.placed_adoption, Table::PlacedAdoption, out, |p| p.date_placed.is_some() && !ge(p.date_placed, p.dob));
    }),
    rule("331", "Date of matching child and adopter(s) should be the same as, or prior to, the date of placement of adoption.",
        &["DATE_MATCH", "DECOM", "REC"], |c, _, out| {
        pairs(&c.episodes, Table::Episodes, &c.ad1, Table::Ad1, out, |e, a| is(&e.rec, ADOPTED) && gt(a.date_match, e.decom));
    }),
    rule("333", "Date should be placed for adoption must be on or prior to the date of matching child with adopter(s).", &["DATE_INT"], |c, _, out| {
        each(&c.ad1, Table::Ad1, out, |a| a.date_match.is_some() && (a.date_int.is_none() || gt(a.date_int, a.date_match)));
    }),
    rule("334", "Date child started to be looked after in latest period of care must be on or prior to the date should be placed for adoption. ",
        &["DATE_INT", "DECOM", "RNE"], |c, _, out| {
        let Some(latest) = c.episodes.iter().rev().find(|e| is(&e.rne, &["S"]) && e.decom.is_some()) else { return };
        pairs(std::slice::from_ref(latest), Table::Episodes, &c.ad1, Table::Ad1, out, |e, a| lt(a.date_int, e.decom));
    }),
    rule("335", "The current foster value (0) suggests that child is not adopted by current foster carer, but last placement is A2, A3, or A5. Or the current foster value (1) suggests that child is adopted by current foster carer, but last placement is A1, A4 or A6.",
        &["PLACE", "FOSTER_CARE"], |c, _, out| {
        pairs(&c.episodes, Table::Episodes, &c.ad1, Table::Ad1, out, |e, a| {
            is(&e.rec, &["E1", "E11", "E12"])
                && ((is(&e.place, &["A2", "A3", "A5"]) && is(&a.foster_care, &["0"]))
                    || (is(&e.place, &["A1", "A4", "A6"]) && is(&a.foster_care, &["1"])))
        });
    }),
    rule("336", "Child does not have a foster placement immediately prior to being placed for adoption.", &["PLACE"], |c, _, out| {
        const BEFORE: &[&str] = &["A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6"];
        for pair in c.episodes.windows(2) {
            if is(&pair[1].place, &["A3", "A4"]) && !is(&pair[0].place, BEFORE) {
                out.push(at(Table::Episodes, &pair[1]));
            }
        }
    }),
    rule("511", "If reporting that the number of person(s) adopting the looked after child is two adopters then the code should only be MM, FF or MF. MM = the adopting couple are both males; FF = the adopting couple are both females; MF = The adopting couple are male and female.",
        &["NB_ADOPTR", "SEX_ADOPTR"], |c, _, out| {
        each(&c.ad1, Table::Ad1, out, |a| is(&a.nb_adoptr, &["2"]) && is(&a.sex_adoptr, &["M1", "F1"]));
    }),
    rule("514", "Data entry on the legal status of adopters shows a single adopter but data entry for the numbers of adopters shows it as a couple.",
        &["LS_ADOPTR", "SEX_ADOPTR"], |c, _, out| {
        adopters(c, "L0", &["M1", "F1"], out);
    }),
    rule("517", "If reporting legal status of adopters is L3 then the genders of adopters should be coded as MF. MF = the adopting couple are male and female.",
        &["LS_ADOPTR", "SEX_ADOPTR"], |c, _, out| {
        adopters(c, "L3", &["MF"], out);
    }),
    rule("518", "If reporting legal status of adopters is L4 then the genders of adopters should be coded as MM or FF. MM = the adopting couple are both males. FF = the adopting couple are both females.",
        &["LS_ADOPTR", "SEX_ADOPTR"], |c, _, out| {
        adopters(c, "L4", &["MM", "FF"], out);
    }),
    rule("519", "Data entered on the legal status of adopters shows civil partnership couple, but data entered on genders of adopters does not show it as a couple.",
        &["LS_ADOPTR", "SEX_ADOPTR"], |c, _, out| {
        adopters(c, "L2", &["MM", "FF", "MF"], out);
    }),
    rule("520", "Data entry on the legal status of adopters shows different gender married couple but data entry on genders of adopters shows it as a same gender couple.",
        &["LS_ADOPTR", "SEX_ADOPTR"], |c, _, out| {
        adopters(c, "L11", &["MF"], out);
    }),
    rule("521", "Date of local authority's decision (LA) that adoption is in the best interests of the child (date should be placed) must be on or prior to the date the child is placed for adoption.",
        &["PLACE", "DECOM", "DATE_INT"], |c, _, out| {
        pairs(&c.episodes, Table::Episodes, &c.ad1, Table::Ad1, out, |e, a| is(&e.place, ADOPTION_PLACEMENTS) && gt(a.date_int, e.decom));
    }),
    rule("522", "Date of decision that the child should be placed for adoption must be on or before the date that a child should no longer be placed for adoption.",
        &["DATE_PLACED", "DATE_PLACED_CEASED"], |c, _, out| {
        each(&c.placed_adoption, Table::PlacedAdoption, out, |p| lt(p.date_placed_ceased, p.date_placed));
    }),
    rule("523", "Date of decision that the child should be placed for adoption should be the same date as the decision that adoption is in the best interest (date should be placed).",
        &["DATE_PLACED", "DATE_INT"], |c, _, out| {
        pairs(&c.placed_adoption, Table::PlacedAdoption, &c.ad1, Table::Ad1, out, |p, a| {
            p.date_placed.is_some() && a.date_int.is_some() && p.date_placed != a.date_int
        });
    }),
    rule("524", "If reporting legal status of adopters is L12 then the genders of adopters should be coded as MM or FF. MM = the adopting couple are both males. FF = the adopting couple are both females",
        &["LS_ADOPTR", "SEX_ADOPTR"], |c, _, out| {
        adopters(c, "L12", &["MM", "FF"], out);
    }),
    rule("525", "A child for whom the decision to be placed for adoption has been reversed cannot be adopted during the year.",
        &["DATE_PLACED_CEASED", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"], |c, x, out| {
        for p in c.placed_adoption.iter().filter(|p| given(x, Table::PlacedAdoption, p.at, "DATE_PLACED_CEASED", p.date_placed_ceased)) {
            for a in c.ad1.iter().filter(|a| any_ad1(a)) {
                out.push(at(Table::PlacedAdoption, p));
                out.push(at(Table::Ad1, a));
            }
        }
    }),
    rule("551", "Child has been placed for adoption but there is no date of the decision that the child should be placed for adoption.",
        &["DATE_PLACED", "PLACE"], |c, x, out| {
        let undecided = c.placed_adoption.is_empty()
            || c.placed_adoption.iter().any(|p| !given(x, Table::PlacedAdoption, p.at, "DATE_PLACED", p.date_placed));
        each(&c.episodes, Table::Episodes, out, |e| undecided && is(&e.place, ADOPTION_PLACEMENTS));
    }),
    rule("552", "Date of Decision to place a child for adoption should be on or prior to the date that the child was placed for adoption.",
        &["DATE_PLACED", "DECOM"], |c, _, out| {
        let first = c.episodes.iter().find(|e| is(&e.place, ADOPTION_PLACEMENTS) && e.decom.is_some());
        let last_decision = c.placed_adoption.iter().filter(|p| p.date_placed.is_some()).max_by_key(|p| (p.date_placed, std::cmp::Reverse(p.at)));
        if let (Some(e), Some(p)) = (first, last_decision) {
            if lt(e.decom, p.date_placed) {
                out.push(at(Table::Episodes, e));
                out.push(at(Table::PlacedAdoption, p));
            }
        }
    }),
    rule("553", "Placement order has been granted but there is no date of decision that the child should be placed for adoption.",
        &["CHILD", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"], |c, x, out| {
        let orders = || c.episodes.iter().filter(|e| is(&e.ls, &["E1"]));
        if c.placed_adoption.is_empty() {
            out.extend(orders().map(|e| at(Table::Episodes, e)));
        }
        if orders().any(|e| !x.unreadable(Table::Episodes, e.at, "DEC") && e.dec.is_none()) {
            let ceased = |p: &Row<PlacedAdoptionRow>| {
                given(x, Table::PlacedAdoption, p.at, "DATE_PLACED_CEASED", p.date_placed_ceased) || p.reason_placed_ceased.is_some()
            };
            out.extend(c.placed_adoption.iter().filter(|p| ceased(p)).map(|p| at(Table::PlacedAdoption, p)));
        }
    }),
    rule("554", "Date of decision that the child should be placed for adoption should be on or prior to the date that the placement order was granted. [NOTE: This rule may result in false positives or false negatives if relevant episodes are in previous years; please check carefully!]",
        &["DATE_PLACED", "DECOM", "LS"], |c, _, out| {
        let Some(first) = c.episodes.iter().find(|e| is(&e.ls, &["E1"])) else { return };
        pairs(std::slice::from_ref(first), Table::Episodes, &c.placed_adoption, Table::PlacedAdoption, out, |e, p| gt(p.date_placed, e.decom));
    }),
    rule("557", "Child for whom the decision was made that they should be placed for adoption has left care but was not adopted and information on the decision that they should no longer be placed for adoption items has not been completed.",
        &["DATE_PLACED_CEASED", "REASON_PLACED_CEASED", "PLACE", "LS", "REC"], |c, _, out| {
        let left_unadopted = |e: &EpisodeRow| {
            (is(&e.place, ADOPTION_PLACEMENTS) || is(&e.ls, &["E1"])) && not_in(&e.rec, &["E11", "E12", "X1"])
        };
        for e in c.episodes.iter().filter(|e| left_unadopted(e)) {
            if c.placed_adoption.is_empty() {
                out.push(at(Table::Episodes, e));
            }
            for p in c.placed_adoption.iter().filter(|p| p.date_placed_ceased.is_none() || p.reason_placed_ceased.is_none()) {
                out.push(at(Table::Episodes, e));
                out.push(at(Table::PlacedAdoption, p));
            }
        }
    }),
    rule("558", "If a child has been adopted, then the decision to place them for adoption has not been disrupted and the date of the decision that a child should no longer be placed for adoption should be left blank.",
        &["DATE_PLACED_CEASED", "REC"], |c, _, out| {
        // As the DfE's tool counts it: every adoption paired with every decision, all of them
        // with a date the decision ceased, and more than one such pair.
        let adoptions = c.episodes.iter().filter(|e| is(&e.rec, ADOPTED)).count();
        let all_ceased = !c.placed_adoption.is_empty() && c.placed_adoption.iter().all(|p| p.date_placed_ceased.is_some());
        if all_ceased && adoptions * c.placed_adoption.len() > 1 {
            each(&c.episodes, Table::Episodes, out, |e| is(&e.rec, ADOPTED));
        }
    }),
    rule("559", "Date of decision that a child should be placed for adoption was not in the current year but the date of the decision that the child should be placed for adoption was not completed in a previous return.",
        &["DATE_PLACED"], |c, x, out| {
        let Some(last) = x.last_year(c.child) else { return };
        let last_rows = last.map_or(&[][..], |l| &l.placed_adoption[..]);
        let missing_last_year = last_rows.is_empty() || last_rows.iter().any(|p| p.date_placed.is_none());
        each(&c.placed_adoption, Table::PlacedAdoption, out, |p| missing_last_year && lt(p.date_placed, Some(x.start)));
    }),
    rule("560", "Date of decision that the child should be placed for adoption this year is different from that recorded last year but the decision to place the child for adoption did not change.",
        &["DATE_PLACED", "DATE_PLACED_CEASED"], |c, x, out| {
        let Some(Some(last)) = x.last_year(c.child) else { return };
        for before in last.placed_adoption.iter().filter(|p| p.date_placed.is_some() && p.date_placed_ceased.is_none()) {
            each(&c.placed_adoption, Table::PlacedAdoption, out, |p| !eq(p.date_placed, before.date_placed));
        }
    }),
    rule("561", "Date of the decision that the child should be placed for adoption this year is the same as that recorded last year but records show that the decision changed, and the child should no longer be placed for adoption last year.",
        &["DATE_PLACED"], |c, x, out| {
        let Some(Some(last)) = x.last_year(c.child) else { return };
        for before in last.placed_adoption.iter().filter(|p| p.reason_placed_ceased.is_some() || p.date_placed_ceased.is_some()) {
            each(&c.placed_adoption, Table::PlacedAdoption, out, |p| eq(p.date_placed, before.date_placed));
        }
    }),
    rule("563", "The child should no longer be placed for adoption but the date of the decision that the child should be placed for adoption is blank",
        &["DATE_PLACED", "REASON_PLACED_CEASED", "DATE_PLACED_CEASED"], |c, x, out| {
        let bad = |p: &Row<PlacedAdoptionRow>| {
            p.reason_placed_ceased.is_some()
                && given(x, Table::PlacedAdoption, p.at, "DATE_PLACED_CEASED", p.date_placed_ceased)
                && !given(x, Table::PlacedAdoption, p.at, "DATE_PLACED", p.date_placed)
        };
        out.extend(c.placed_adoption.iter().filter(|p| bad(p)).map(|p| at(Table::PlacedAdoption, p)));
    }),
    rule("579", "A new decision that the child should be placed for adoption this year cannot start when the previous decision is still open. Decisions to place the child for adoption should also not overlap. The date of any new decision to place the child for adoption must not be before the date placed ceased of previous decisions.",
        &["DATE_PLACED", "DATE_PLACED_CEASED"], |c, _, out| {
        let mut decisions: Vec<&Row<PlacedAdoptionRow>> = c.placed_adoption.iter().collect();
        decisions.sort_by_key(|p| (p.date_placed.is_none(), p.date_placed, p.at));
        for pair in decisions.windows(2) {
            if pair[0].date_placed_ceased.is_none() || lt(pair[1].date_placed, pair[0].date_placed_ceased) {
                out.push(at(Table::PlacedAdoption, pair[1]));
            }
        }
    }),
    rule("582", "Child is showing as ceasing to be looked after due to adoption, but the date of adoption is the same as the date reported for being matched with adopters. In most circumstances we expect the date the child is matched with adopters to be before the date of adoption.",
        &["DEC", "DATE_MATCH"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| is(&e.rec, ADOPTED) && c.ad1.iter().any(|a| eq(e.dec, a.date_match)));
    }),
    rule("583", "More than one date the child should be placed for adoption has been reported, but an earlier decision has not been revoked. Check that both dates are required and add in the date the earlier decision was revoked. Note this may be in a previous year.",
        &["DATE_PLACED", "DATE_PLACED_CEASED"], |c, _, out| {
        let latest = c.placed_adoption.iter().max_by_key(|p| (p.date_placed, std::cmp::Reverse(p.at))).map(|p| p.at);
        each(&c.placed_adoption, Table::PlacedAdoption, out, |p| p.date_placed_ceased.is_none());
        out.retain(|a| a.table != Table::PlacedAdoption || Some(a.row) != latest);
    }),
    rule("584", "Date of decision that the child should be placed for adoption this year is different from that recorded last year, but the decision to placed the child for adoption changed and the child should no longer be placed for adoption.",
        &["DATE_PLACED"], |c, x, out| {
        let Some(Some(last)) = x.last_year(c.child) else { return };
        for before in last.placed_adoption.iter().filter(|p| p.date_placed_ceased.is_some() || p.reason_placed_ceased.is_some()) {
            each(&c.placed_adoption, Table::PlacedAdoption, out, |p| p.date_placed.is_none() || le(p.date_placed, before.date_placed));
        }
    }),
    rule("601", "The additional fields relating to adoption have not been completed although the episode data shows that the child was adopted during the year.",
        &["REC", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"], |c, x, out| {
        let adopted_in_year = |e: &EpisodeRow| is(&e.rec, ADOPTED) && e.dec.is_some_and(|d| d >= x.start && d <= x.end);
        pairs(&c.episodes, Table::Episodes, &c.ad1, Table::Ad1, out, |e, a| {
            adopted_in_year(e)
                && (a.date_int.is_none()
                    || a.date_match.is_none()
                    || a.foster_care.is_none()
                    || a.nb_adoptr.is_none()
                    || a.sex_adoptr.is_none()
                    || a.ls_adoptr.is_none())
        });
    }),
    rule("602", "The episode data submitted for this child does not show that he/she was adopted during the year.", &["CHILD"], |c, x, out| {
        let adopted = c.episodes.iter().any(|e| is(&e.rec, ADOPTED) && e.dec.is_some_and(|d| d >= x.start && d <= x.end));
        each(&c.ad1, Table::Ad1, out, |a| !adopted && any_ad1(a));
    }),
];
