//! Money in whole pence, and the financial year (April to March).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// An amount of money in whole pence. Ledger arithmetic never uses floating point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Pence(pub i64);

/// The largest amount any one entry may carry: £100 million, far above any council budget line.
pub const MAX_PENCE: i64 = 10_000_000_000;

impl Pence {
    pub fn zero() -> Self {
        Pence(0)
    }

    /// Reads an amount as people type it: `12`, `12.5`, `12.50`, `£1,234.56`. The amount must be
    /// more than zero, with at most two decimal places.
    pub fn parse_positive(input: &str) -> Result<Self, String> {
        let text = input.trim();
        if text.is_empty() {
            return Err("Enter an amount, like 24.99".into());
        }
        let text = text.strip_prefix('£').unwrap_or(text).trim().replace(',', "");
        if text.starts_with('-') {
            return Err("The amount must be more than £0".into());
        }
        let (pounds, pence) = match text.split_once('.') {
            Some((p, d)) => (p, d),
            None => (text.as_str(), ""),
        };
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if (pounds.is_empty() && pence.is_empty()) || !digits(pounds) || !digits(pence) {
            return Err("Enter the amount in pounds and pence, like 24.99".into());
        }
        if pence.len() > 2 {
            return Err("The amount can have at most 2 decimal places".into());
        }
        if pounds.len() > 9 {
            return Err("The amount is too large".into());
        }
        let pounds: i64 = if pounds.is_empty() { 0 } else { pounds.parse().map_err(|_| "The amount is too large")? };
        let pence_part: i64 = match pence.len() {
            0 => 0,
            1 => pence.parse::<i64>().map_err(|_| "Enter the amount in pounds and pence")? * 10,
            _ => pence.parse().map_err(|_| "Enter the amount in pounds and pence")?,
        };
        let total = pounds * 100 + pence_part;
        if total <= 0 {
            return Err("The amount must be more than £0".into());
        }
        if total > MAX_PENCE {
            return Err("The amount is too large".into());
        }
        Ok(Pence(total))
    }

    /// As people read it: `£1,234.56`, or `-£3.00`.
    pub fn display(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let pounds = (abs / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in pounds.chars().enumerate() {
            if i > 0 && (pounds.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{sign}£{grouped}.{:02}", abs % 100)
    }

    /// As a plain decimal for exports: `1234.56`.
    pub fn decimal(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl std::ops::Add for Pence {
    type Output = Pence;
    fn add(self, rhs: Pence) -> Pence {
        Pence(self.0.saturating_add(rhs.0))
    }
}

impl std::ops::Sub for Pence {
    type Output = Pence;
    fn sub(self, rhs: Pence) -> Pence {
        Pence(self.0.saturating_sub(rhs.0))
    }
}

impl std::ops::Neg for Pence {
    type Output = Pence;
    fn neg(self) -> Pence {
        Pence(-self.0)
    }
}

impl std::iter::Sum for Pence {
    fn sum<I: Iterator<Item = Pence>>(iter: I) -> Pence {
        iter.fold(Pence::zero(), |a, b| a + b)
    }
}

/// A financial year, 1 April to 31 March, named by the calendar year it starts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FinancialYear(pub i32);

impl FinancialYear {
    /// The financial year a date falls in.
    pub fn of(date: NaiveDate) -> Self {
        if date.month() >= 4 {
            FinancialYear(date.year())
        } else {
            FinancialYear(date.year() - 1)
        }
    }

    pub fn starts(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, 4, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn ends(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 + 1, 3, 31).unwrap_or(NaiveDate::MAX)
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        Self::of(date) == self
    }

    pub fn next(self) -> Self {
        FinancialYear(self.0 + 1)
    }

    /// As finance writes it: `2026/27`.
    pub fn label(self) -> String {
        format!("{}/{:02}", self.0, (self.0 + 1).rem_euclid(100))
    }

    /// Reads `2026/27` or `2026`.
    pub fn parse(input: &str) -> Result<Self, String> {
        let text = input.trim();
        let (start, end) = match text.split_once('/') {
            Some((s, e)) => (s, Some(e)),
            None => (text, None),
        };
        let start: i32 =
            start.parse().ok().filter(|y| (2000..=2100).contains(y)).ok_or("Enter the financial year like 2026/27")?;
        if let Some(end) = end {
            if end.parse::<i32>().ok() != Some((start + 1).rem_euclid(100)) {
                return Err(format!("A financial year runs April to March: {start}/{:02}", (start + 1) % 100));
            }
        }
        Ok(FinancialYear(start))
    }

    /// The months of the year, April first, as (year, month).
    pub fn months(self) -> Vec<(i32, u32)> {
        (0..12).map(|i| if i < 9 { (self.0, 4 + i) } else { (self.0 + 1, i - 8) }).collect()
    }
}
