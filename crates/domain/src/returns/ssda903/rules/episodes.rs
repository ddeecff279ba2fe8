//! Episodes of care: their codes and dates, how one follows another, and how long a legal
//! status may last.

use super::*;

const REASONS_NEW_EPISODE: &[&str] = &["S", "P", "L", "T", "U", "B"];
const LEGAL_STATUSES: &[&str] = &["C1", "C2", "D1", "E1", "V2", "V3", "V4", "J1", "J2", "J3", "L1", "L2", "L3"];
const CATEGORIES_OF_NEED: &[&str] = &["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"];
const REASONS_CEASED: &[&str] = &[
    "E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E48", "E5", "E6", "E7", "E8", "E9",
    "E14", "E15", "E16", "E17", "X1",
];
pub(super) const TEMPORARY: &[&str] = &["T0", "T1", "T2", "T3", "T4"];

/// Runs of episodes with `status` that follow on from each other without a gap, as the DfE's
/// tool groups them: an episode joins the run if the run's last episode ended the day the
/// episode after it began. Open episodes count to the year's end.
fn status_runs<'a>(c: &CareRecord<'a>, x: &Context, status: &str) -> Vec<Vec<Row<'a, EpisodeRow>>> {
    let mut runs: Vec<Vec<Row<EpisodeRow>>> = Vec::new();
    let mut flows = false;
    for (i, e) in c.episodes.iter().enumerate() {
        if !is(&e.ls, &[status]) {
            continue;
        }
        match runs.last_mut() {
            Some(run) if flows => run.push(*e),
            _ => runs.push(vec![*e]),
        }
        let next = c.episodes.get(i + 1);
        flows = next.is_some_and(|n| eq(Some(e.dec.unwrap_or(x.end)), n.decom));
    }
    runs
}

/// Flags every episode of a run of `status` that lasted more than `days`.
fn status_longer_than(c: &CareRecord, x: &Context, status: &str, days: i64, out: &mut Vec<At>) {
    for run in status_runs(c, x, status) {
        let start = run.iter().filter_map(|e| e.decom).min();
        let end = run.iter().map(|e| e.dec.unwrap_or(x.end)).max();
        if let (Some(start), Some(end)) = (start, end) {
            if (end - start).num_days() > days {
                out.extend(run.iter().map(|e| at(Table::Episodes, e)));
            }
        }
    }
}

/// Flags episodes of `status` whose periods (episodes running on from each other) add up to more
/// than `days`.
fn periods_longer_than(c: &CareRecord, x: &Context, status: &str, days: i64, out: &mut Vec<At>) {
    let mut period: Vec<Row<EpisodeRow>> = Vec::new();
    let mut total = 0;
    let flush = |period: &mut Vec<Row<EpisodeRow>>, total: i64, out: &mut Vec<At>| {
        if total > days {
            out.extend(period.iter().map(|e| at(Table::Episodes, e)));
        }
        period.clear();
    };
    for e in c.episodes.iter().filter(|e| is(&e.ls, &[status]) && e.decom.is_some()) {
        let dec = e.dec.unwrap_or(x.end);
        if period.last().is_some_and(|p| gt(e.decom, Some(p.dec.unwrap_or(x.end)))) {
            flush(&mut period, total, out);
            total = 0;
        }
        total += e.decom.map_or(0, |d| (dec - d).num_days());
        period.push(*e);
    }
    flush(&mut period, total, out);
}

/// Flags episodes ended for `reasons` before the child was `years` old (or with no date to tell).
fn ceased_under(c: &CareRecord, reasons: &[&str], years: u32, out: &mut Vec<At>) {
    let turned = birthday(c.dob(), years);
    each(&c.episodes, Table::Episodes, out, |e| is(&e.rec, reasons) && !le(turned, e.dec));
}

/// Whether two episodes have the same placement: type, postcode, URN and provider, blanks alike.
fn same_placement(a: &EpisodeRow, b: &EpisodeRow) -> bool {
    a.place == b.place && a.pl_post == b.pl_post && a.urn == b.urn && a.place_provider == b.place_provider
}

/// Flags this year's first episode when last year's return ended with the child's latest episode
/// open and `differs` holds between them.
pub(super) fn differs_from_last_year(
    c: &CareRecord,
    x: &Context,
    out: &mut Vec<At>,
    differs: impl Fn(&EpisodeRow, &EpisodeRow) -> bool,
) {
    let Some(Some(last)) = x.last_year(c.child) else { return };
    let (Some(first), Some(before)) = (c.first_episode(), last.last_episode()) else { return };
    if before.dec.is_none() && differs(&first, &before) {
        out.push(at(Table::Episodes, &first));
    }
}

pub(super) const RULES: &[Rule] = &[
    rule("141", "Date episode began is not a valid date.", &["DECOM"], |c, x, out| {
        out.extend(c.episodes.iter().filter(|e| x.unreadable(Table::Episodes, e.at, "DECOM")).map(|e| at(Table::Episodes, e)));
    }),
    rule("142", "A new episode has started, but the previous episode has not ended.", &["DEC", "REC"], |c, _, out| {
        if c.child.is_empty() {
            return;
        }
        let earlier = &c.episodes[..c.episodes.len().saturating_sub(1)];
        each(earlier, Table::Episodes, out, |e| e.decom.is_some() && (e.dec.is_none() || e.rec.is_none()));
    }),
    rule("143", "The reason for new episode code is not a valid code.", &["RNE"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| not_in(&e.rne, REASONS_NEW_EPISODE));
    }),
    rule("144", "The legal status code is not a valid code.", &["LS"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| not_in(&e.ls, LEGAL_STATUSES));
    }),
    rule("145", "Category of need code is not a valid code.", &["CIN"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| not_in(&e.cin, CATEGORIES_OF_NEED));
    }),
    rule("147", "Date episode ceased is not a valid date.", &["DEC"], |c, x, out| {
        out.extend(c.episodes.iter().filter(|e| x.unreadable(Table::Episodes, e.at, "DEC")).map(|e| at(Table::Episodes, e)));
    }),
    rule("148", "Date episode ceased and reason episode ceased must both be coded, or both left blank.", &["DEC", "REC"], |c, x, out| {
        let bad = |e: &Row<EpisodeRow>| given(x, Table::Episodes, e.at, "DEC", e.dec) != e.rec.is_some();
        out.extend(c.episodes.iter().filter(|e| bad(e)).map(|e| at(Table::Episodes, e)));
    }),
    rule("149", "Reason episode ceased code is not valid. ", &["REC"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| not_in(&e.rec, REASONS_CEASED));
    }),
    rule("199", "Episode information shows child has been previously adopted from care. [NOTE: This only tests the current and previous year data loaded into the tool]",
        &["CHILD"], |c, x, out| {
        // Every episode after an adoption, this year's or last year's, is an error.
        let mut all: Vec<(NaiveDate, bool, Option<usize>)> =
            c.episodes.iter().filter_map(|e| Some((e.decom?, is(&e.rec, ADOPTED), Some(e.at)))).collect();
        if let Some(Some(last)) = x.last_year(c.child) {
            all.extend(last.episodes.iter().filter_map(|e| Some((e.decom?, is(&e.rec, ADOPTED), None))));
        }
        all.sort_by_key(|(d, _, mine)| (*d, mine.is_none()));
        let mut adoptions = 0;
        for (_, adopted, mine) in all {
            adoptions += usize::from(adopted);
            if adoptions > 0 && !(adoptions == 1 && adopted) {
                out.extend(mine.map(|row| At { table: Table::Episodes, row }));
            }
        }
    }),
    rule("217", "Children who are placed for adoption with current foster carers (placement types A3 or A5) must have a reason for new episode of S, T or U.",
        &["PLACE", "DECOM", "RNE"], |c, _, out| {
        let from = NaiveDate::from_ymd_opt(2015, 4, 1);
        each(&c.episodes, Table::Episodes, out, |e| {
            is(&e.place, &["A3", "A5"]) && ge(e.decom, from) && !is(&e.rne, &["S", "T", "U"])
        });
    }),
    rule("225", "Reason for placement change must be recorded.", &["REASON_PLACE_CHANGE"], |c, _, out| {
        for pair in c.episodes.windows(2) {
            let (e, next) = (&pair[0], &pair[1]);
            if is(&e.rec, &["X1"])
                && e.reason_place_change.is_none()
                && !is(&e.place, TEMPORARY)
                && is(&next.rne, &["P", "B", "T", "U"])
                && !is(&next.place, TEMPORARY)
            {
                out.push(at(Table::Episodes, e));
            }
        }
    }),
    rule("226", "Reason for placement change is not required for temporary placements.", &["REASON_PLACE_CHANGE", "PLACE"], |c, _, out| {
        for (i, e) in c.episodes.iter().enumerate() {
            let previous_reason = i.checked_sub(1).is_some_and(|p| c.episodes[p].reason_place_change.is_some());
            if is(&e.place, TEMPORARY) && (e.reason_place_change.is_some() || previous_reason) {
                out.push(at(Table::Episodes, e));
            }
        }
    }),
    rule("233", "Reason for placement change is not required when the episode has not ceased.", &["REASON_PLACE_CHANGE", "REASON_PLACE_CHANGE"], |c, x, out| {
        let open = |e: &Row<EpisodeRow>| !given(x, Table::Episodes, e.at, "DEC", e.dec);
        out.extend(c.episodes.iter().filter(|e| open(e) && e.reason_place_change.is_some()).map(|e| at(Table::Episodes, e)));
    }),
    rule("234", "A child aged under 10 can not change placement due to being admitted to custody", &["REASON_PLACE_CHANGE", "DOB"], |c, _, out| {
        let ten = birthday(c.dob(), 10);
        for e in c.episodes.iter().filter(|e| is(&e.reason_place_change, &["CUSTOD"]) && gt(ten, e.decom)) {
            out.push(at(Table::Episodes, e));
            out.extend(c.header.first().map(|h| at(Table::Header, h)));
        }
    }),
    rule("302", "First episode starts before child was born.", &["DECOM", "DOB"], |c, _, out| {
        if let Some(first) = c.first_episode().filter(|e| gt(c.dob(), e.decom)) {
            out.push(at(Table::Episodes, &first));
            out.extend(c.header.first().map(|h| at(Table::Header, h)));
        }
    }),
    rule("352", "Child who started to be looked after was aged 18 or over.", &["DECOM", "RNE"], |c, _, out| {
        let eighteen = birthday(c.dob(), 18);
        each(&c.episodes, Table::Episodes, out, |e| is(&e.rne, &["S"]) && le(eighteen, e.decom));
    }),
    rule("353", "No episode submitted can start before 14 October 1991.", &["DECOM"], |c, _, out| {
        let first_allowed = NaiveDate::from_ymd_opt(1991, 10, 14);
        each(&c.episodes, Table::Episodes, out, |e| lt(e.decom, first_allowed));
    }),
    rule("354", "Date episode ceased must be on or before the end of the current collection year.", &["DECOM"], |c, x, out| {
        each(&c.episodes, Table::Episodes, out, |e| gt(e.decom, Some(x.end)));
    }),
    rule("355", "Episode appears to have lasted for less than 24 hours", &["DECOM", "DEC"], |c, x, out| {
        let unreadable = |e: &Row<EpisodeRow>| x.unreadable(Table::Episodes, e.at, "DECOM") || x.unreadable(Table::Episodes, e.at, "DEC");
        out.extend(c.episodes.iter().filter(|e| e.decom == e.dec && !unreadable(e)).map(|e| at(Table::Episodes, e)));
    }),
    rule("356", "The date the episode ceased is before the date the same episode started.", &["DECOM"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| lt(e.dec, e.decom));
    }),
    rule("357", "If this is the first episode ever for this child, reason for new episode must be S.  Check whether there is an episode immediately preceding this one, which has been left out.  If not the reason for new episode code must be amended to S.",
        &["RNE"], |c, x, out| {
        if let Some(first) = c.first_episode().filter(|e| ge(e.decom, Some(x.start)) && !is(&e.rne, &["S"])) {
            out.push(at(Table::Episodes, &first));
        }
    }),
    rule("358", "Child with this legal status should not be under 10.", &["DECOM", "DOB", "LS"], |c, _, out| {
        let ten = birthday(c.dob(), 10);
        for e in c.episodes.iter().filter(|e| is(&e.ls, &["J1", "J2", "J3"]) && ge(ten, e.decom)) {
            out.push(at(Table::Episodes, e));
            out.extend(c.header.first().map(|h| at(Table::Header, h)));
        }
    }),
    rule("359", "Child being looked after following 18th birthday must be accommodated under section 20(5) of the Children Act 1989 in a community home.",
        &["DEC", "LS", "PLACE"], |c, x, out| {
        let adult = lt(birthday(c.dob(), 18), Some(x.end));
        each(&c.episodes, Table::Episodes, out, |e| {
            adult && e.dec.is_none() && !(is(&e.ls, &["V2"]) && is(&e.place, &["K2"]))
        });
    }),
    rule("361", "Police protection legal status lasted longer than maximum 72 hours allowed in the Children Act 1989.", &["DECOM", "LS", "DEC"], |c, x, out| {
        status_longer_than(c, x, "L1", 3, out);
    }),
    rule("362", "Emergency protection order (EPO) lasted longer than 21 days", &["DECOM", "LS", "DEC"], |c, x, out| {
        status_longer_than(c, x, "L2", 21, out);
    }),
    rule("363", "Child assessment order (CAO) lasted longer than 7 days allowed in the Children Act 1989.", &["LS", "DECOM", "DEC"], |c, x, out| {
        periods_longer_than(c, x, "L3", 7, out);
    }),
    rule("364", "Sections 41-46 of Police and Criminal Evidence (PACE; 1984) severely limits the time a child can be detained in custody in Local Authority (LA) accommodation.",
        &["LS", "DECOM", "DEC"], |c, x, out| {
        periods_longer_than(c, x, "J2", 21, out);
    }),
    rule("365", "Any individual short- term respite placement must not exceed 17 days.", &["LS", "DECOM", "DEC"], |c, x, out| {
        each(&c.episodes, Table::Episodes, out, |e| {
            is(&e.ls, &["V3"]) && e.decom.is_some_and(|d| (e.dec.unwrap_or(x.end) - d).num_days() > 17)
        });
    }),
    rule("366", "A child cannot change placement during the course of an individual short-term respite break.", &["RNE"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| is(&e.ls, &["V3"]) && !is(&e.rne, &["S"]));
    }),
    rule("367", "The maximum amount of respite care allowable is 75 days in any 12-month period.", &["LS", "DECOM", "DEC"], |c, x, out| {
        let breaks: Vec<(&Row<EpisodeRow>, i64)> = c
            .episodes
            .iter()
            .filter(|e| is(&e.ls, &["V3"]))
            .filter_map(|e| {
                let from = e.decom?.max(x.start);
                let to = e.dec.map_or(x.end, |d| d.min(x.end));
                Some((e, (to - from).num_days())).filter(|(_, days)| *days > 0)
            })
            .collect();
        if breaks.iter().map(|(_, days)| days).sum::<i64>() > 75 {
            out.extend(breaks.iter().map(|(e, _)| at(Table::Episodes, e)));
        }
    }),
    rule("378", "A child who is placed with parent(s) cannot be looked after under a single period of accommodation under Section 20 of the Children Act 1989.",
        &["PLACE", "LS"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| is(&e.place, &["P1"]) && is(&e.ls, &["V2"]));
    }),
    rule("380", "A period of care cannot start with a temporary placement.", &["PLACE", "RNE"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| is(&e.place, TEMPORARY) && !is(&e.rne, &["P", "B"]));
    }),
    rule("381", "A period of care cannot end with a temporary placement.", &["PLACE", "REC"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| is(&e.place, TEMPORARY) && not_in(&e.rec, &["X1"]));
    }),
    rule("382", "A child receiving respite care cannot be in a temporary placement.", &["LS", "PLACE"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| is(&e.ls, SHORT_BREAKS) && is(&e.place, TEMPORARY));
    }),
    rule("383", "A child in a temporary placement must subsequently return to his/her normal placement.", &["PLACE", "RNE", "PL_POST"], |c, _, out| {
        // Blanks never match, as in the DfE's tool.
        let differ = |a: &Option<String>, b: &Option<String>| a.is_none() || b.is_none() || a != b;
        for run in c.episodes.windows(3) {
            let (before, temporary, after) = (&run[0], &run[1], &run[2]);
            if is(&temporary.place, TEMPORARY)
                && (!is(&after.rne, &["P"]) || differ(&after.place, &before.place) || differ(&after.pl_post, &before.pl_post))
            {
                out.push(at(Table::Episodes, after));
            }
        }
    }),
    rule("384", "A child receiving respite care cannot be in a long-term foster placement ", &["PLACE", "LS"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| is(&e.ls, SHORT_BREAKS) && is(&e.place, &["U1", "U4"]));
    }),
    rule("385", "Date episode ceased must be on or before the end of the current collection year.", &["DEC"], |c, x, out| {
        each(&c.episodes, Table::Episodes, out, |e| gt(e.dec, Some(x.end)));
    }),
    rule("386", "Reason episode ceased is adopted but child has reached age 18.", &["REC"], |c, _, out| {
        let eighteen = birthday(c.dob(), 18);
        each(&c.episodes, Table::Episodes, out, |e| is(&e.rec, ADOPTED) && le(eighteen, e.dec));
    }),
    rule("387", "Reason episode ceased is child moved into independent living arrangement, but the child is aged under 14.", &["REC"], |c, _, out| {
        let fourteen = birthday(c.dob(), 14);
        each(&c.episodes, Table::Episodes, out, |e| is(&e.rec, &["E5", "E6"]) && e.dec.is_some() && !le(fourteen, e.dec));
    }),
    rule("388", "Reason episode ceased is coded new episode begins, but there is no continuation episode.", &["REC"], |c, _, out| {
        // Episodes with no start date come first here, as the DfE's tool orders them.
        let ordered: Vec<&Row<EpisodeRow>> =
            c.episodes.iter().filter(|e| e.decom.is_none()).chain(c.episodes.iter().filter(|e| e.decom.is_some())).collect();
        for (i, e) in ordered.iter().enumerate() {
            let flagged = match ordered.get(i + 1).map(|n| n.decom) {
                Some(next) => {
                    let continues = eq(e.dec, next);
                    let different = e.dec.is_some() && next.is_some() && !continues;
                    (is(&e.rec, &["X1"]) && different) || (not_in(&e.rec, &["X1"]) && continues)
                }
                None => e.dec.is_some() && is(&e.rec, &["X1"]) && !c.child.is_empty(),
            };
            if flagged {
                out.push(at(Table::Episodes, e));
            }
        }
    }),
    rule("389", "Reason episode ceased is that child transferred to care of adult social care services, but child is aged under 16.", &["REC"], |c, _, out| {
        ceased_under(c, &["E7"], 16, out);
    }),
    rule("390", "Reason episode ceased is adopted but child has not been previously placed for adoption.", &["PLACE", "REC"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| is(&e.rec, ADOPTED) && !is(&e.place, ADOPTION_PLACEMENTS));
    }),
    rule("407", "Reason episode ceased is Special Guardianship Order, but child has reached age 18.", &["DEC", "DOB", "REC"], |c, _, out| {
        let eighteen = birthday(c.dob(), 18);
        for e in c.episodes.iter().filter(|e| is(&e.rec, &["E45", "E46", "E47", "E48"]) && lt(eighteen, e.dec)) {
            out.push(at(Table::Episodes, e));
            out.extend(c.header.first().map(|h| at(Table::Header, h)));
        }
    }),
    rule("408", "Child is placed for adoption with a placement order, but no placement order has been recorded.", &["PLACE", "LS"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| is(&e.place, &["A5", "A6"]) && !is(&e.ls, &["E1"]));
    }),
    rule("426", "A child receiving respite care cannot be recorded under a legal status of V3 and V4 in the same year.", &["LS"], |c, _, out| {
        let both = c.episodes.iter().any(|e| is(&e.ls, &["V3"])) && c.episodes.iter().any(|e| is(&e.ls, &["V4"]));
        each(&c.episodes, Table::Episodes, out, |e| both && is(&e.ls, SHORT_BREAKS));
    }),
    rule("431", "The reason for new episode is started to be looked after, but the previous episode ended on the same day.", &["RNE", "DECOM"], |c, _, out| {
        for pair in c.episodes.windows(2) {
            if is(&pair[1].rne, &["S"]) && le(pair[1].decom, pair[0].dec) {
                out.push(at(Table::Episodes, &pair[1]));
            }
        }
    }),
    rule("432", "The child ceased to be looked after at the end of the previous episode but the reason for the new episode is not started to be looked after.",
        &["RNE"], |c, _, out| {
        for pair in c.episodes.windows(2) {
            if not_in(&pair[0].rec, &["X1"]) && is(&pair[0].rec, REASONS_CEASED) && !is(&pair[1].rne, &["S"]) {
                out.push(at(Table::Episodes, &pair[1]));
            }
        }
    }),
    rule("433", "The reason for new episode suggests that this is a continuation episode, but the episode does not start on the same day as the last episode finished.",
        &["RNE", "DECOM"], |c, _, out| {
        for pair in c.episodes.windows(2) {
            if is(&pair[1].rne, &["P", "L", "T", "U", "B"]) && !eq(pair[0].dec, pair[1].decom) {
                out.push(at(Table::Episodes, &pair[1]));
            }
        }
    }),
    rule("434", "Reason for new episode is that child's legal status has changed but not the placement, but this is not reflected in the episode data.",
        &["RNE", "LS", "PLACE", "PL_POST", "URN", "PLACE_PROVIDER"], |c, _, out| {
        for pair in c.episodes.windows(2) {
            let (before, e) = (&pair[0], &pair[1]);
            if is(&e.rne, &["L"]) && ((e.ls.is_some() && e.ls == before.ls) || !same_placement(before, e)) {
                out.push(at(Table::Episodes, e));
            }
        }
    }),
    rule("435", "Reason for new episode is that child’s placement has changed but not the legal status, but this is not reflected in the episode data recorded.",
        &["LS", "PLACE", "PL_POST", "URN", "PLACE_PROVIDER"], |c, _, out| {
        // Blanks never match here, as in the DfE's tool.
        let same = |a: &Option<String>, b: &Option<String>| a.is_some() && a == b;
        for pair in c.episodes.windows(2) {
            let (before, e) = (&pair[0], &pair[1]);
            let unmoved = same(&e.place, &before.place)
                && same(&e.pl_post, &before.pl_post)
                && same(&e.urn, &before.urn)
                && same(&e.place_provider, &before.place_provider);
            if is(&e.rne, &["P", "T"]) && (!same(&e.ls, &before.ls) || unmoved) {
                out.push(at(Table::Episodes, e));
            }
        }
    }),
    rule("436", "Reason for new episode is that both child’s placement and legal status have changed, but this is not reflected in the episode data.",
        &["RNE", "LS", "PLACE", "PL_POST", "URN", "PLACE_PROVIDER"], |c, _, out| {
        for pair in c.episodes.windows(2) {
            let (before, e) = (&pair[0], &pair[1]);
            if is(&e.rne, &["U", "B"]) && (e.ls == before.ls || same_placement(before, e)) {
                out.push(at(Table::Episodes, e));
            }
        }
    }),
    rule("437", "Reason episode ceased is child has died or is aged 18 or over but there are further episodes.", &["REC"], |c, _, out| {
        let ended: Vec<_> = c.episodes.iter().take(c.episodes.len().saturating_sub(1)).collect();
        out.extend(ended.into_iter().filter(|e| e.decom.is_some() && is(&e.rec, &["E2", "E15"])).map(|e| at(Table::Episodes, e)));
    }),
    rule("446", "E1 is not a valid code for episodes starting before December 2005.", &["LS", "DECOM"], |c, _, out| {
        let from = NaiveDate::from_ymd_opt(2005, 12, 1);
        each(&c.episodes, Table::Episodes, out, |e| is(&e.ls, &["E1"]) && lt(e.decom, from));
    }),
    rule("460", "Reason episode ceased is that child stayed with current carers at age 18 (or above), but child is aged under 18.", &["DEC", "REC"], |c, _, out| {
        let eighteen = birthday(c.dob(), 18);
        each(&c.episodes, Table::Episodes, out, |e| is(&e.rec, &["E17"]) && gt(eighteen, e.dec));
    }),
    rule("501", "A new episode has started before the end date of the previous episode.", &["DECOM", "DEC"], |c, _, out| {
        for pair in c.episodes.windows(2) {
            if lt(pair[1].decom, pair[0].dec) {
                out.push(at(Table::Episodes, &pair[1]));
            }
        }
    }),
    rule("502", "Last year's record ended with an open episode. The date on which that episode started does not match the start date of the first episode on this year’s record.",
        &["DECOM"], |c, x, out| {
        let Some(Some(last)) = x.last_year(c.child) else { return };
        let Some(first) = c.first_episode() else { return };
        if last.episodes.iter().any(|e| e.dec.is_none() && e.decom != first.decom) {
            out.push(at(Table::Episodes, &first));
        }
    }),
    rule("503A", "The reason for new episode in the first episode does not match open episode at end of last year.", &["RNE"], |c, x, out| {
        differs_from_last_year(c, x, out, |now, then| now.rne != then.rne);
    }),
    rule("503B", "The legal status in the first episode does not match open episode at end of last year.", &["LS"], |c, x, out| {
        differs_from_last_year(c, x, out, |now, then| now.ls != then.ls);
    }),
    rule("503C", "The category of need in the first episode does not match open episode at end of last year.", &["CIN"], |c, x, out| {
        differs_from_last_year(c, x, out, |now, then| now.cin != then.cin);
    }),
    rule("503D", "The placement type in the first episode does not match open episode at end of last year", &["PLACE"], |c, x, out| {
        // From 2026 the old Z1 placement is split into Z11 to Z14.
        differs_from_last_year(c, x, out, |now, then| {
            now.place != then.place && !(is(&now.place, &["Z11", "Z12", "Z13", "Z14"]) && is(&then.place, &["Z1"]))
        });
    }),
    rule("503E", "The placement provider in the first episode does not match open episode at end of last year.", &["PLACE_PROVIDER"], |c, x, out| {
        differs_from_last_year(c, x, out, |now, then| now.place_provider != then.place_provider);
    }),
    rule("503F", "The Ofsted URN in the  first episode does not match open episode at end of last year.", &["URN"], |c, x, out| {
        differs_from_last_year(c, x, out, |now, then| now.urn != then.urn);
    }),
    rule("504", "The category of need code differs from that reported at start of current period of being looked after", &["CIN"], |c, _, out| {
        for pair in c.episodes.windows(2) {
            let (before, e) = (&pair[0], &pair[1]);
            let continues = is(&before.rec, &["X1"]) && eq(before.dec, e.decom);
            if continues && (e.cin.is_none() || e.cin != before.cin) {
                out.push(at(Table::Episodes, e));
            }
        }
    }),
    rule("516", "The episode data submitted for this child does not show that he/she was with their former foster carer(s) during the year.If the code in the reason episode ceased is E45 or E46 the child must have a placement code of U1 to U6.",
        &["REC", "PLACE"], |c, _, out| {
        each(&c.episodes, Table::Episodes, out, |e| is(&e.rec, &["E45", "E46"]) && !is(&e.place, &["U1", "U2", "U3", "U4", "U5", "U6"]));
    }),
];
