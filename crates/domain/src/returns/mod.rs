//! The DfE's statutory returns: the CIN census and SSDA903. Each return has a plain model that
//! holds what a file says, raw codes and all, so that the same rules check Canopy's own exports
//! and files from a council's old system alike.

pub mod cin;
mod compare;
pub mod quality;
pub mod ssda903;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// A collection year, named by the year its period ends: 2026 is 1 April 2025 to 31 March 2026.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct CollectionYear(pub i32);

impl CollectionYear {
    /// The collection years Canopy has CIN rules for.
    pub const SUPPORTED: [CollectionYear; 2] = [CollectionYear(2026), CollectionYear(2027)];

    pub fn new(year: i32) -> Result<Self, String> {
        if Self::SUPPORTED.contains(&CollectionYear(year)) {
            Ok(CollectionYear(year))
        } else {
            let known: Vec<String> = Self::SUPPORTED.iter().map(|y| y.0.to_string()).collect();
            Err(format!("there are no rules for the collection year {year}: Canopy knows {}", known.join(", ")))
        }
    }

    /// The year whose census period ends on `reference_date`, if it is one Canopy knows.
    pub fn ending(reference_date: NaiveDate) -> Option<Self> {
        let year = CollectionYear(reference_date.year());
        (year.reference_date() == Some(reference_date) && Self::SUPPORTED.contains(&year)).then_some(year)
    }

    /// 31 March of the year.
    pub fn reference_date(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.0, 3, 31)
    }

    /// 1 April of the year before.
    pub fn start(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.0 - 1, 4, 1)
    }

    /// The CIN rule set's name, as the DfE and the sector's validator call it.
    pub fn cin_ruleset(self) -> String {
        format!("cin{}_{:02}", self.0 - 1, self.0 % 100)
    }

    /// The SSDA903 rule set's name.
    pub fn lac_ruleset(self) -> String {
        format!("lac{}_{:02}", self.0 - 1, self.0 % 100)
    }
}

/// Whether a rule's finding must be fixed (an error) or explained (a query).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Severity {
    Error,
    Query,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "Error",
            Severity::Query => "Query",
        }
    }
}

/// One thing a rule found: which rule, which child (none for a rule about the whole return), and
/// the fields it is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub child: Option<String>,
    pub fields: Vec<&'static str>,
    /// Where in the child's record: the episode and item, counting from 1, such as "CINdetails 2".
    pub at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_collection_year_runs_from_april_to_march() {
        let year = CollectionYear::new(2026).expect("known");
        assert_eq!(year.start(), NaiveDate::from_ymd_opt(2025, 4, 1));
        assert_eq!(year.reference_date(), NaiveDate::from_ymd_opt(2026, 3, 31));
        assert_eq!(year.cin_ruleset(), "cin2025_26");
        assert_eq!(year.lac_ruleset(), "lac2025_26");
        assert_eq!(CollectionYear::ending(NaiveDate::from_ymd_opt(2026, 3, 31).expect("d")), Some(year));
        assert_eq!(CollectionYear::ending(NaiveDate::from_ymd_opt(2026, 3, 30).expect("d")), None);
        assert!(CollectionYear::new(1999).expect_err("unknown").contains("1999"));
    }
}
