use super::*;
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
}

fn easter_sunday(year: i32) -> NaiveDate {
    // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let dd = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - dd - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    d(year, month as u32, day as u32)
}

fn monday_on_or_after(day: NaiveDate) -> NaiveDate {
    let mut x = day;
    while x.weekday() != Weekday::Mon {
        x = x.succ_opt().expect("date");
    }
    x
}

fn last_monday(year: i32, month: u32) -> NaiveDate {
    let mut x = add_months(d(year, month, 1), 1).pred_opt().expect("date");
    while x.weekday() != Weekday::Mon {
        x = x.pred_opt().expect("date");
    }
    x
}

/// The standard rules for the England and Wales bank holidays, without the one-off changes.
fn rule_based_holidays(year: i32) -> BTreeSet<NaiveDate> {
    let mut set = BTreeSet::new();
    let new_year = d(year, 1, 1);
    set.insert(if matches!(new_year.weekday(), Weekday::Sat | Weekday::Sun) {
        monday_on_or_after(new_year)
    } else {
        new_year
    });
    let easter = easter_sunday(year);
    set.insert(easter - chrono::Duration::days(2));
    set.insert(easter + chrono::Duration::days(1));
    set.insert(monday_on_or_after(d(year, 5, 1)));
    set.insert(last_monday(year, 5));
    set.insert(last_monday(year, 8));
    let christmas = d(year, 12, 25);
    match christmas.weekday() {
        Weekday::Sat => {
            set.insert(d(year, 12, 27));
            set.insert(d(year, 12, 28));
        }
        Weekday::Sun => {
            set.insert(d(year, 12, 26));
            set.insert(d(year, 12, 27));
        }
        Weekday::Fri => {
            set.insert(d(year, 12, 25));
            set.insert(d(year, 12, 28));
        }
        _ => {
            set.insert(d(year, 12, 25));
            set.insert(d(year, 12, 26));
        }
    }
    set
}

#[test]
fn the_shipped_list_reads_cleanly_and_covers_2010_to_2030() {
    let holidays = parse_bank_holidays(SHIPPED_BANK_HOLIDAYS).expect("shipped list parses");
    let years: BTreeSet<i32> = holidays.iter().map(|h| h.date.year()).collect();
    assert_eq!(years, (2010..=2030).collect());
}

#[test]
fn the_shipped_list_matches_the_statutory_rules_apart_from_proclaimed_changes() {
    let shipped: BTreeSet<NaiveDate> = shipped_bank_holidays().into_iter().map(|h| h.date).collect();
    let mut expected: BTreeSet<NaiveDate> = (2010..=2030).flat_map(rule_based_holidays).collect();
    // Proclaimed one-off days, and the regular days they moved.
    for extra in [d(2011, 4, 29), d(2012, 6, 5), d(2022, 6, 3), d(2022, 9, 19), d(2023, 5, 8)] {
        expected.insert(extra);
    }
    for (moved_from, moved_to) in
        [(d(2012, 5, 28), d(2012, 6, 4)), (d(2020, 5, 4), d(2020, 5, 8)), (d(2022, 5, 30), d(2022, 6, 2))]
    {
        expected.remove(&moved_from);
        expected.insert(moved_to);
    }
    assert_eq!(shipped, expected);
}

#[test]
fn a_bad_holiday_line_names_its_line() {
    let err =
        parse_bank_holidays("# list\n2026-01-01 New Year\n2026-13-01 Nonsense\n").expect_err("month 13 is refused");
    assert_eq!(err.line, 3);
    assert!(err.message.contains("2026-13-01"));
}

#[test]
fn a_referral_on_the_friday_before_easter_monday_is_decided_by_tuesday() {
    let cal = WorkingCalendar::england_and_wales();
    // Thursday 2 April 2026; Good Friday 3 April and Easter Monday 6 April are bank holidays.
    assert_eq!(cal.add_working_days(d(2026, 4, 2), 1), d(2026, 4, 7));
    // Received on Good Friday itself: the first working day after it is Tuesday.
    assert_eq!(cal.add_working_days(d(2026, 4, 3), 1), d(2026, 4, 7));
}

#[test]
fn christmas_on_a_weekend_moves_the_holidays_to_monday_and_tuesday() {
    let cal = WorkingCalendar::england_and_wales();
    // 2021: Christmas Day Saturday, Boxing Day Sunday; 27 and 28 December are substitutes.
    assert!(!cal.is_working_day(d(2021, 12, 27)));
    assert!(!cal.is_working_day(d(2021, 12, 28)));
    assert_eq!(cal.add_working_days(d(2021, 12, 24), 1), d(2021, 12, 29));
}

#[test]
fn the_one_off_bank_holidays_of_2022_and_2023_are_not_working_days() {
    let cal = WorkingCalendar::england_and_wales();
    for day in [d(2022, 6, 2), d(2022, 6, 3), d(2022, 9, 19), d(2023, 5, 8)] {
        assert!(!cal.is_working_day(day), "{day} should be a bank holiday");
    }
    // A contact on Friday 16 September 2022 was due on Tuesday 20th, after the Queen's funeral.
    assert_eq!(cal.add_working_days(d(2022, 9, 16), 1), d(2022, 9, 20));
}

#[test]
fn an_assessment_started_on_2_september_2025_is_due_45_working_days_later() {
    let cal = WorkingCalendar::england_and_wales();
    // No bank holidays fall between September and early November 2025: nine weeks exactly.
    assert_eq!(cal.add_working_days(d(2025, 9, 2), 45), d(2025, 11, 4));
    assert_eq!(cal.working_days_between(d(2025, 9, 2), d(2025, 11, 4)), 45);
}

#[test]
fn an_icpc_after_a_strategy_discussion_before_christmas_skips_the_holidays() {
    let cal = WorkingCalendar::england_and_wales();
    // Strategy discussion on Friday 19 December 2025: Christmas, Boxing Day and New Year are
    // holidays, so 15 working days end on Wednesday 14 January 2026.
    assert_eq!(cal.add_working_days(d(2025, 12, 19), 15), d(2026, 1, 14));
}

#[test]
fn a_council_closure_day_is_not_a_working_day_for_that_council_only() {
    let national = WorkingCalendar::england_and_wales();
    let council = national.clone().with_closures([d(2026, 12, 29)]);
    assert!(national.is_working_day(d(2026, 12, 29)));
    assert!(!council.is_working_day(d(2026, 12, 29)));
    assert_eq!(council.add_working_days(d(2026, 12, 24), 1), d(2026, 12, 30));
}

#[test]
fn counting_backwards_is_negative_and_the_same_day_is_zero() {
    let cal = WorkingCalendar::england_and_wales();
    assert_eq!(cal.working_days_between(d(2026, 11, 23), d(2026, 11, 23)), 0);
    assert_eq!(cal.working_days_between(d(2026, 11, 27), d(2026, 11, 23)), -4);
    assert_eq!(cal.add_working_days(d(2026, 11, 23), 0), d(2026, 11, 23));
}

#[test]
fn the_next_working_day_after_a_weekend_is_monday() {
    let cal = WorkingCalendar::england_and_wales();
    assert_eq!(cal.next_working_day_on_or_after(d(2026, 11, 21)), d(2026, 11, 23));
}

#[test]
fn three_months_after_30_november_is_the_end_of_february() {
    assert_eq!(add_months(d(2026, 11, 30), 3), d(2027, 2, 28));
    assert_eq!(add_months(d(2027, 11, 30), 3), d(2028, 2, 29));
    assert_eq!(add_months(d(2026, 1, 31), 1), d(2026, 2, 28));
    assert_eq!(add_months(d(2026, 3, 15), 6), d(2026, 9, 15));
}
