//! A validation report as CSV, for performance analysts' spreadsheets.

use std::fmt::Write;

/// One line of a report.
pub struct ReportLine<'a> {
    pub rule: &'a str,
    pub severity: &'a str,
    pub child: &'a str,
    pub at: &'a str,
    pub fields: String,
    pub message: &'a str,
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
pub fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// A CSV row of fields, with its line ending.
pub fn csv_row<'a>(fields: impl IntoIterator<Item = &'a str>) -> String {
    let mut row = fields.into_iter().map(csv_field).collect::<Vec<_>>().join(",");
    row.push_str("\r\n");
    row
}

/// The report: a header row, then a row per finding.
pub fn report_csv<'a>(lines: impl IntoIterator<Item = ReportLine<'a>>) -> String {
    let mut out = csv_row(["rule", "severity", "child", "where", "fields", "message"]);
    for l in lines {
        let _ = write!(out, "{}", csv_row([l.rule, l.severity, l.child, l.at, &l.fields, l.message]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_and_quotes_are_quoted() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"no\""), "\"say \"\"no\"\"\"");
        let report = report_csv([ReportLine {
            rule: "8925",
            severity: "Error",
            child: "C1",
            at: "CINdetails 1",
            fields: "CPPstartDate CPPendDate".into(),
            message: "End, before start",
        }]);
        assert_eq!(report, "rule,severity,child,where,fields,message\r\n8925,Error,C1,CINdetails 1,CPPstartDate CPPendDate,\"End, before start\"\r\n");
    }
}
