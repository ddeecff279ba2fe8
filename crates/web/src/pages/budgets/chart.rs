//! Spend against allocation over a financial year, drawn as SVG on the server. The same numbers
//! are always given as a table beside it, which is what screen readers use.

use crate::pages::{Cell, Table};
use canopy_domain::budgets::{FinancialYear, Pence};
use std::collections::BTreeMap;
use std::fmt::Write;

const MONTHS: [&str; 12] = ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"];

/// Spend by month of the year (up to `through`, a "YYYY-MM"), cumulative, with the allocation.
pub struct YearSpend {
    pub year: FinancialYear,
    pub allocated: Pence,
    /// (month label, spend that month, spend so far), April first.
    pub months: Vec<(String, Pence, Pence)>,
}

impl YearSpend {
    pub fn new(year: FinancialYear, allocated: Pence, monthly: &[(String, Pence)], through: &str) -> Self {
        let by_month: BTreeMap<&str, Pence> = monthly.iter().map(|(m, p)| (m.as_str(), *p)).collect();
        let mut total = Pence::zero();
        let mut months = Vec::new();
        for (i, (y, m)) in year.months().into_iter().enumerate() {
            let key = format!("{y}-{m:02}");
            if key.as_str() > through {
                break;
            }
            let spent = by_month.get(key.as_str()).copied().unwrap_or_default();
            total = total + spent;
            months.push((format!("{} {y}", MONTHS[i]), spent, total));
        }
        Self { year, allocated, months }
    }

    /// The numbers behind the chart.
    pub fn table(&self) -> Table {
        let mut table = Table::new(
            &format!("Spend by month, {}", self.year.label()),
            &["Month", "Spent in the month", "Spent so far", "Allocation"],
            self.months
                .iter()
                .map(|(label, month, so_far)| {
                    vec![
                        Cell::text(label),
                        Cell::text(month.display()),
                        Cell::text(so_far.display()),
                        Cell::text(self.allocated.display()),
                    ]
                })
                .collect(),
        );
        table.empty = "Nothing has been spent this year.".into();
        table
    }

    /// The chart: monthly spend as bars, spend so far as a line, and the allocation as a dashed
    /// line across the year.
    pub fn svg(&self) -> String {
        let (w, h, left, bottom, top) = (640.0_f64, 260.0_f64, 70.0_f64, 30.0_f64, 12.0_f64);
        let plot_w = w - left - 10.0;
        let plot_h = h - bottom - top;
        let so_far = self.months.last().map(|m| m.2).unwrap_or_default();
        let max = self.allocated.0.max(so_far.0).max(1) as f64;
        let y = |p: i64| top + plot_h - (p as f64 / max) * plot_h;
        let step = plot_w / 12.0;
        let mut svg = String::new();
        let _ = write!(
            svg,
            r#"<svg class="canopy-chart" viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg"><title id="chart-title">Spend against allocation, {year}</title><desc id="chart-desc">Spent so far {spent} of an allocation of {alloc}. The table below gives each month's figures.</desc>"#,
            year = self.year.label(),
            spent = so_far.display(),
            alloc = self.allocated.display(),
        );
        for i in 0..=4 {
            let value = (max * f64::from(i) / 4.0) as i64;
            let gy = y(value);
            let _ = write!(
                svg,
                r##"<line x1="{left}" y1="{gy:.1}" x2="{x2}" y2="{gy:.1}" stroke="#b1b4b6" stroke-width="1"/><text x="{tx}" y="{ty:.1}" font-size="11" text-anchor="end" fill="#0b0c0c">{label}</text>"##,
                x2 = w - 10.0,
                tx = left - 6.0,
                ty = gy + 4.0,
                label = short_money(value),
            );
        }
        for (i, name) in MONTHS.iter().enumerate() {
            let x = left + step * (i as f64) + step / 2.0;
            let _ = write!(
                svg,
                r##"<text x="{x:.1}" y="{ty}" font-size="11" text-anchor="middle" fill="#0b0c0c">{name}</text>"##,
                ty = h - 10.0
            );
        }
        let mut points = Vec::new();
        for (i, (_, month, total)) in self.months.iter().enumerate() {
            let x = left + step * (i as f64);
            let bar_top = y(month.0);
            let _ = write!(
                svg,
                r##"<rect x="{bx:.1}" y="{bar_top:.1}" width="{bw:.1}" height="{bh:.1}" fill="#1d70b8" opacity="0.35"/>"##,
                bx = x + step * 0.2,
                bw = step * 0.6,
                bh = (top + plot_h - bar_top).max(0.0),
            );
            points.push(format!("{:.1},{:.1}", x + step / 2.0, y(total.0)));
        }
        if !points.is_empty() {
            let _ = write!(
                svg,
                r##"<polyline points="{}" fill="none" stroke="#1d70b8" stroke-width="3"/>"##,
                points.join(" ")
            );
        }
        let ay = y(self.allocated.0);
        let _ = write!(
            svg,
            r##"<line x1="{left}" y1="{ay:.1}" x2="{x2}" y2="{ay:.1}" stroke="#d4351c" stroke-width="2" stroke-dasharray="6 4"/><text x="{x2}" y="{ty:.1}" font-size="11" text-anchor="end" fill="#d4351c">Allocation</text></svg>"##,
            x2 = w - 10.0,
            ty = ay - 4.0,
        );
        svg
    }
}

/// Money for an axis: £12k, £950.
fn short_money(pence: i64) -> String {
    let pounds = pence / 100;
    if pounds >= 10_000 {
        format!("£{}k", pounds / 1000)
    } else {
        format!("£{pounds}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_year_adds_up_month_by_month_and_stops_at_today() {
        let monthly = vec![("2026-04".to_string(), Pence(1000)), ("2026-06".to_string(), Pence(500))];
        let year = YearSpend::new(FinancialYear(2026), Pence(10_000), &monthly, "2026-07");
        let totals: Vec<i64> = year.months.iter().map(|m| m.2 .0).collect();
        assert_eq!(totals, vec![1000, 1000, 1500, 1500]);
        assert_eq!(year.table().rows.len(), 4);
        let svg = year.svg();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Spent so far £15.00 of an allocation of £100.00"));
        assert_eq!(svg.matches("<rect").count(), 4);
    }
}
