//! Social worker episodes: who the child's social worker was through the year.

use super::*;

const SW_REASONS: &[&str] =
    &["MANAGE", "FCONTA", "LEFTRL", "ORGRST", "TSPROC", "ABSENC", "CHCHAN", "PCCHAN", "SWDIED", "OTHERS"];
/// An episode ended in the last five days of the year is taken as ended at the year's end.
const YEAR_END_DAYS: u64 = 5;

/// The child's social worker episodes by start date (those without one last), then by end.
fn by_start<'a>(c: &CareRecord<'a>) -> Vec<Row<'a, SwEpisodeRow>> {
    let mut rows = c.sw_episodes.clone();
    rows.sort_by_key(|s| (s.sw_decom.is_none(), s.sw_decom, s.sw_dec.is_none(), s.sw_dec, s.at));
    rows
}

fn within_days(a: Option<NaiveDate>, b: Option<NaiveDate>, days: i64) -> bool {
    matches!((a, b), (Some(a), Some(b)) if (a - b).num_days().abs() <= days)
}

/// Flags a social worker episode, other than a first contact, that does not start within a
/// week of the previous one ending.
fn handed_over_late(c: &CareRecord, out: &mut Vec<At>) {
    for pair in by_start(c).windows(2) {
        if !is(&pair[1].sw_reason, &["FCONTA"]) && !within_days(pair[1].sw_decom, pair[0].sw_dec, 7) {
            out.push(at(Table::SwEpisodes, &pair[1]));
        }
    }
}

pub(super) const RULES: &[Rule] = &[
    rule("SW02STG1", "Social worker ID does not begin with the characters ‘SW’ or ‘XX’.", &["SW_ID"], |c, _, out| {
        each(&c.sw_episodes, Table::SwEpisodes, out, |s| {
            !s.sw_id.as_deref().is_some_and(|id| (id.starts_with("SW") || id.starts_with("XX")) && id.chars().count() >= 4)
        });
    }),
    rule("SW04STG1", "Date social worker episode began is not a valid date..", &["SW_DECOM"], |c, x, out| {
        out.extend(c.sw_episodes.iter().filter(|s| x.unreadable(Table::SwEpisodes, s.at, "SW_DECOM")).map(|s| at(Table::SwEpisodes, s)));
    }),
    rule("SW05STG1", "Date social worker episode began is not a valid date.", &["SW_DEC"], |c, x, out| {
        out.extend(c.sw_episodes.iter().filter(|s| x.unreadable(Table::SwEpisodes, s.at, "SW_DEC")).map(|s| at(Table::SwEpisodes, s)));
    }),
    rule("SW06STG2", "Social worker episode data should be within the social worker data reporting year.", &["SW_DECOM"], |c, x, out| {
        each(&c.sw_episodes, Table::SwEpisodes, out, |s| gt(s.sw_decom, Some(x.end)));
    }),
    rule("SW07STG2", "Social worker episode end date should be on or after the start of the social worker reporting period, and should be on or before the collection end date.",
        &["SW_DEC"], |c, x, out| {
        // The social worker reporting period begins a year before the collection year.
        let from = Some(x.last_start());
        each(&c.sw_episodes, Table::SwEpisodes, out, |s| lt(s.sw_dec, from) || gt(s.sw_dec, Some(x.end)));
    }),
    rule("SW08STG2", "A new social worker episode has started, but the previous episode has not ended.", &["SW_DEC"], |c, _, out| {
        if c.child.is_empty() {
            return;
        }
        let rows = by_start(c);
        let earlier = &rows[..rows.len().saturating_sub(1)];
        each(earlier, Table::SwEpisodes, out, |s| s.sw_decom.is_some() && s.sw_dec.is_none());
    }),
    rule("SW09STG2", "Social worker episode appears to have lasted for less than 24 hours.", &["SW_DECOM", "SW_DEC"], |c, _, out| {
        each(&c.sw_episodes, Table::SwEpisodes, out, |s| {
            matches!((s.sw_decom, s.sw_dec), (Some(from), Some(to)) if (to - from).num_days() < 3)
        });
    }),
    // The DfE keeps both codes for the same check.
    rule("SW10STG2", "A new social worker episode has started before the end date of the previous social worker episode.", &["SW_DECOM"], |c, _, out| {
        handed_over_late(c, out);
    }),
    rule("SW10aSTG2", "A new social worker episode has started and it is not within +/- 7 days of a previous episode.", &["SW_DECOM"], |c, _, out| {
        handed_over_late(c, out);
    }),
    rule("SW10bSTG2", "A new social worker episode has started with a reason of first contact before the previous episode has ended.",
        &["SW_DECOM", "SW_REASON"], |c, _, out| {
        for pair in by_start(c).windows(2) {
            if is(&pair[1].sw_reason, &["FCONTA"]) && le(pair[1].sw_decom, pair[0].sw_dec) {
                out.push(at(Table::SwEpisodes, &pair[1]));
            }
        }
    }),
    rule("SW11bSTG2", "Social worker episode has ended before 31 March and no subsequent social worker episode has been provided.", &["SW_DEC"], |c, x, out| {
        let window_start = x.end - chrono::Days::new(YEAR_END_DAYS);
        let near_end = |d: Option<NaiveDate>| d.is_some_and(|d| d >= window_start && d <= x.end);
        let rows = by_start(c);
        if rows.len() == 1 {
            each(&rows, Table::SwEpisodes, out, |s| near_end(s.sw_dec));
        }
        for pair in rows.windows(2) {
            let (before, after) = (&pair[0], &pair[1]);
            if (near_end(before.sw_dec) && after.sw_decom.is_none()) || (near_end(after.sw_dec) && lt(before.sw_decom, after.sw_dec)) {
                out.push(at(Table::SwEpisodes, after));
            }
        }
    }),
    rule("SW12STG2", "If a child is looked after on 31 March then all social worker episodes for the full previous year should be reported, even those whilst they were not looked after",
        &["SW_DECOM"], |c, x, out| {
        // The year's social worker episodes must reach back to its start, unless the first of them
        // was the child's first contact.
        let looked_after = c.episodes.iter().filter(|e| e.dec.is_none() && e.decom.is_some() && !is(&e.ls, SHORT_BREAKS));
        let earliest = by_start(c).into_iter().next();
        let covered = earliest.is_some_and(|s| le(s.sw_decom, Some(x.start)) || is(&s.sw_reason, &["FCONTA"]));
        if !covered {
            out.extend(looked_after.map(|e| at(Table::Episodes, e)));
        }
    }),
    rule("SW13STG1", "The reason for social worker change is not valid.", &["SW_REASON"], |c, _, out| {
        let reasons_from = NaiveDate::from_ymd_opt(2023, 4, 1);
        each(&c.sw_episodes, Table::SwEpisodes, out, |s| match &s.sw_reason {
            Some(_) => !is(&s.sw_reason, SW_REASONS),
            None => ge(s.sw_decom, reasons_from),
        });
    }),
    rule("SW17STG2", "There is no social worker episode open at 31 March", &["SW_DEC", "SW_DECOM"], |c, _, out| {
        // The latest by start date; one without a start date only when there is no other.
        let latest = c.sw_episodes.iter().max_by_key(|s| (s.sw_decom, std::cmp::Reverse(s.at)));
        if let Some(latest) = latest.filter(|s| s.sw_dec.is_some()) {
            out.push(at(Table::SwEpisodes, latest));
        }
    }),
    rule("SW18STG2", "The end date of the social worker episode is before the start date", &["SW_DEC", "SW_DECOM"], |c, _, out| {
        each(&c.sw_episodes, Table::SwEpisodes, out, |s| le(s.sw_dec, s.sw_decom));
    }),
    rule("SW19STG2", "There are 2 social worker episodes for the child starting on the same date.", &["SW_DEC", "SW_DECOM"], |c, _, out| {
        for (i, s) in c.sw_episodes.iter().enumerate() {
            if c.sw_episodes[..i].iter().any(|earlier| earlier.sw_decom == s.sw_decom) {
                out.push(at(Table::SwEpisodes, s));
            }
        }
    }),
];
