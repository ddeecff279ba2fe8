//! Working days and calendar months, as the statutory clocks count them.
//!
//! Working Together to Safeguard Children counts working days: Saturdays, Sundays and the bank
//! holidays of England and Wales are not working days, and a council may close on extra days.
//! A rule "within N working days of X" counts from the day after X (day 1 is the first working
//! day after it). A rule "within N months of X" counts calendar months, clamped to the month's end.

mod clock;

pub use clock::{Clock, FixedClock};

use chrono::{Datelike, Months, NaiveDate, Weekday};
use std::collections::BTreeSet;

/// The bank holidays of England and Wales that Canopy ships, as text (`YYYY-MM-DD name` lines).
pub const SHIPPED_BANK_HOLIDAYS: &str = include_str!("../../data/bank-holidays-england-and-wales.txt");

/// One bank holiday: its date and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankHoliday {
    pub date: NaiveDate,
    pub name: String,
}

/// A line of a bank-holiday list that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct HolidayListError {
    pub line: usize,
    pub message: String,
}

/// Reads a bank-holiday list: one `YYYY-MM-DD name` a line; `#` starts a comment line.
pub fn parse_bank_holidays(text: &str) -> Result<Vec<BankHoliday>, HolidayListError> {
    let mut out = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (date_text, name) = line.split_once(' ').unwrap_or((line, ""));
        let date = NaiveDate::parse_from_str(date_text, "%Y-%m-%d").map_err(|_| HolidayListError {
            line: index + 1,
            message: format!("'{date_text}' is not a date in the form YYYY-MM-DD"),
        })?;
        let name = name.trim();
        if name.is_empty() {
            return Err(HolidayListError { line: index + 1, message: "the holiday has no name".into() });
        }
        out.push(BankHoliday { date, name: name.to_string() });
    }
    Ok(out)
}

/// The bank holidays Canopy ships. The shipped list is checked by a unit test, so reading it
/// cannot fail at run time; a bad line would be skipped rather than stop the service.
pub fn shipped_bank_holidays() -> Vec<BankHoliday> {
    parse_bank_holidays(SHIPPED_BANK_HOLIDAYS).unwrap_or_default()
}

/// A council's working-day calendar: weekends, the national bank holidays and the council's own
/// closure days are not working days.
#[derive(Debug, Clone, Default)]
pub struct WorkingCalendar {
    closed: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    /// A calendar closed on the given days as well as at weekends.
    pub fn new(closed_days: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self { closed: closed_days.into_iter().collect() }
    }

    /// The national calendar of England and Wales, with the shipped bank holidays.
    pub fn england_and_wales() -> Self {
        Self::new(shipped_bank_holidays().into_iter().map(|h| h.date))
    }

    /// This calendar with a council's extra closure days added.
    pub fn with_closures(mut self, days: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.closed.extend(days);
        self
    }

    /// Whether staff work on this day.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.closed.contains(&day)
    }

    /// The date that is `n` working days after `start`: day 1 is the first working day after it.
    /// With `n` = 0 the answer is `start` itself.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut day = start;
        let mut counted = 0;
        while counted < n {
            match day.succ_opt() {
                Some(next) => day = next,
                None => return day,
            }
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        day
    }

    /// The date that is `n` working days before `start`: the mirror of [`Self::add_working_days`].
    pub fn subtract_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut day = start;
        let mut counted = 0;
        while counted < n {
            match day.pred_opt() {
                Some(previous) => day = previous,
                None => return day,
            }
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        day
    }

    /// How many working days fall after `from` up to and including `to`; negative when `to`
    /// is before `from`. This is how far along a clock started on `from` is on `to`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let (low, high, sign) = if to >= from { (from, to, 1) } else { (to, from, -1) };
        let mut count = 0i64;
        let mut day = low;
        while day < high {
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
            if self.is_working_day(day) {
                count += 1;
            }
        }
        sign * count
    }

    /// The first working day on or after `day`.
    pub fn next_working_day_on_or_after(&self, day: NaiveDate) -> NaiveDate {
        let mut d = day;
        while !self.is_working_day(d) {
            match d.succ_opt() {
                Some(next) => d = next,
                None => break,
            }
        }
        d
    }
}

/// The date `months` calendar months after `start`, clamped to the end of a shorter month:
/// 3 months after 30 November is 28 February (29 in a leap year).
pub fn add_months(start: NaiveDate, months: u32) -> NaiveDate {
    start.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests;
