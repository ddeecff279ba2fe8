//! A line chart of one measure over time, drawn on the server as SVG from numbers only; its data
//! is always in a table beside it.

use std::fmt::Write;

pub struct LineChart<'a> {
    pub title: &'a str,
    /// Each point's label (a month) and value.
    pub points: &'a [(String, f64)],
    /// How to show a value on the axis, such as "40%".
    pub show: fn(f64) -> String,
}

impl LineChart<'_> {
    pub fn svg(&self) -> String {
        let (w, h, left, bottom, top) = (640.0_f64, 260.0_f64, 60.0_f64, 30.0_f64, 12.0_f64);
        let (plot_w, plot_h) = (w - left - 10.0, h - bottom - top);
        let max = self.points.iter().map(|p| p.1).fold(0.0_f64, f64::max).max(f64::EPSILON) * 1.1;
        let y = |v: f64| top + plot_h - (v / max) * plot_h;
        let step = plot_w / (self.points.len().max(2) - 1) as f64;
        let (first, last) = (self.points.first(), self.points.last());
        let mut svg = String::new();
        let _ = write!(
            svg,
            r#"<svg class="canopy-chart" viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg"><title id="chart-title">{title}</title><desc id="chart-desc">From {from} in {from_month} to {to} in {to_month}. The table below gives every month's figure.</desc>"#,
            title = self.title,
            from = first.map(|p| (self.show)(p.1)).unwrap_or_default(),
            from_month = first.map(|p| p.0.as_str()).unwrap_or(""),
            to = last.map(|p| (self.show)(p.1)).unwrap_or_default(),
            to_month = last.map(|p| p.0.as_str()).unwrap_or(""),
        );
        for i in 0..=4 {
            let value = max * f64::from(i) / 4.0;
            let gy = y(value);
            let _ = write!(
                svg,
                r##"<line x1="{left}" y1="{gy:.1}" x2="{x2}" y2="{gy:.1}" stroke="#b1b4b6" stroke-width="1"/><text x="{tx}" y="{ty:.1}" font-size="11" text-anchor="end" fill="#0b0c0c">{label}</text>"##,
                x2 = w - 10.0,
                tx = left - 6.0,
                ty = gy + 4.0,
                label = (self.show)(value),
            );
        }
        // A label each year, so five years read without crowding.
        for (i, (label, _)) in self.points.iter().enumerate().filter(|(i, _)| i % 12 == 0) {
            let _ = write!(
                svg,
                r##"<text x="{x:.1}" y="{ty}" font-size="11" text-anchor="middle" fill="#0b0c0c">{label}</text>"##,
                x = left + step * i as f64,
                ty = h - 10.0
            );
        }
        let line: Vec<String> = self
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{:.1},{:.1}", left + step * i as f64, y(p.1)))
            .collect();
        if !line.is_empty() {
            let _ = write!(
                svg,
                r##"<polyline points="{}" fill="none" stroke="#1d70b8" stroke-width="3"/>"##,
                line.join(" ")
            );
        }
        svg.push_str("</svg>");
        svg
    }
}
