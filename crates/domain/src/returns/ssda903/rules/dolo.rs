//! Deprivation of liberty orders (DoLOs), a table of the return from 2026-27.

use super::outcomes::periods_of_care;
use super::*;

/// Whether an order and an episode overlap: the order begins by the episode's end (or the episode
/// is open) and ends on or after its start.
fn overlaps(order: &DoloRow, e: &EpisodeRow) -> bool {
    (le(order.dolo_start, e.dec) || e.dec.is_none()) && ge(order.dolo_end, e.decom)
}

/// Flags each ended order, and each episode it overlaps, whose placement `bad` holds for.
fn placed_during(c: &CareRecord, out: &mut Vec<At>, bad: impl Fn(&Option<String>) -> bool) {
    for order in c.dolo.iter().filter(|o| o.dolo_start.is_some() && o.dolo_end.is_some()) {
        for e in c.episodes.iter().filter(|e| overlaps(order, e) && bad(&e.place)) {
            out.push(at(Table::Dolo, order));
            out.push(at(Table::Episodes, e));
        }
    }
}

pub(super) const RULES: &[Rule] = &[
    rule("700", "The start date of the DoLO is not a valid date.", &["DOLO_START"], |c, _, out| {
        each(&c.dolo, Table::Dolo, out, |o| o.dolo_start.is_none());
    }),
    rule("701", "The end date of the DoLO is not a valid date.", &["DOLO_END"], |c, x, out| {
        out.extend(c.dolo.iter().filter(|o| x.unreadable(Table::Dolo, o.at, "DOLO_END")).map(|o| at(Table::Dolo, o)));
    }),
    rule("702", "The date that the DoLO ended is before the date that it started.", &["DOLO_START", "DOLO_END"], |c, _, out| {
        each(&c.dolo, Table::Dolo, out, |o| le(o.dolo_end, o.dolo_start));
    }),
    rule("703", "The date that the DoLO started is after the end of the collection year.", &["DOLO_START"], |c, x, out| {
        each(&c.dolo, Table::Dolo, out, |o| gt(o.dolo_start, Some(x.end)));
    }),
    rule("704", "The date that the DoLO ended is before the start or after the end of the collection year.", &["DOLO_END"], |c, x, out| {
        each(&c.dolo, Table::Dolo, out, |o| gt(o.dolo_end, Some(x.end)) || lt(o.dolo_end, Some(x.start)));
    }),
    rule("705", "A DoLO cannot start when the previous DoLO is still open.", &["DOLO_START", "DOLO_END"], |c, _, out| {
        let mut orders: Vec<&Row<DoloRow>> = c.dolo.iter().collect();
        orders.sort_by_key(|o| (o.dolo_start.is_none(), o.dolo_start, o.at));
        for pair in orders.windows(2) {
            if pair[0].dolo_end.is_none() || lt(pair[1].dolo_start, pair[0].dolo_end) {
                out.push(at(Table::Dolo, pair[1]));
            }
        }
    }),
    rule("706", "There is an open DoLO in last year’s return and there is no corresponding DoLO recorded at the start of this year..",
        &["DOLO_START"], |c, x, out| {
        // The row at fault is last year's; the child's header row stands for it.
        let Some(Some(last)) = x.last_year(c.child) else { return };
        let carried_on = |open: &DoloRow| c.dolo.iter().any(|o| o.dolo_start == open.dolo_start);
        if last.dolo.iter().any(|o| o.dolo_end.is_none() && !carried_on(o)) {
            out.extend(c.header.first().map(|h| at(Table::Header, h)));
        }
    }),
    rule("707", "Child ceased to be looked after but there is a DoLO without an end date.", &["DOLO_END"], |c, _, out| {
        let periods = periods_of_care(c);
        if periods.is_empty() {
            return;
        }
        for o in c.dolo.iter().filter(|o| o.dolo_start.is_some()) {
            let outside = |(start, end): &(Option<NaiveDate>, Option<NaiveDate>)| {
                (o.dolo_end.is_none() && end.is_some())
                    || (o.dolo_end.is_none() && lt(o.dolo_start, *start))
                    || gt(o.dolo_end, *end)
                    || lt(o.dolo_end, *start)
            };
            if periods.iter().all(outside) {
                out.push(at(Table::Dolo, o));
            }
        }
    }),
    rule("708", "Dates of DoLOs are before child’s date of birth.", &["DOLO_START"], |c, _, out| {
        each(&c.dolo, Table::Dolo, out, |o| le(o.dolo_start, o.dob));
    }),
    rule("709", "Child with a DoLO is in an unexpected placement type.", &["DOLO_START", "PLACEMENT"], |c, _, out| {
        placed_during(c, out, |place| !is(place, &["K2", "Z12", "Z13"]));
    }),
    rule("710", "Child with a DoLO can not be placed in secure children's homes, with parents, young offender institutions, or supported accommodation.",
        &["DOLO_START", "PLACEMENT"], |c, _, out| {
        placed_during(c, out, |place| is(place, &["K1", "P1", "R5", "K3"]));
    }),
];
