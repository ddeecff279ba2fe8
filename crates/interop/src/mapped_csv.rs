//! Children from any CSV a council's old system can write, read through a mapping: which column
//! holds which of Canopy's fields, how dates are written, and what the file's codes mean. The file
//! is read as a stream, a row at a time, UTF-8 or Windows-1252; each row gives the child's details
//! as a form would, and what could not be read is said by column and line.

use crate::report::csv_row;
use crate::text::{cells, csv_reader};
use canopy_domain::people::ChildInput;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::io::Read;

/// The fields a mapping may give, with what each is.
pub const FIELDS: &[(&str, &str)] = &[
    ("local_id", "The child's id in the old system (required)"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("date_of_birth", "Date of birth"),
    ("expected_date_of_birth", "Expected date of birth, for an unborn child"),
    ("sex", "Sex: M, F or U (or the file's own codes, mapped in `values`)"),
    ("ethnicity", "Ethnicity: the DfE's codes, such as WBRI (or the file's own, mapped)"),
    ("nhs_number", "NHS number"),
    ("upn", "Unique pupil number"),
    ("former_upn", "Former unique pupil number"),
    ("upn_unknown", "Why there is no UPN: UN1 to UN5"),
    ("disabilities", "Disabilities: the DfE's codes, separated by ; or spaces"),
    ("postcode", "Home postcode"),
    ("date_of_death", "Date of death"),
];

/// The dates a mapping may say the file uses, by the name it gives them.
const DATE_FORMATS: &[(&str, &str)] =
    &[("dd/mm/yyyy", "%d/%m/%Y"), ("yyyy-mm-dd", "%Y-%m-%d"), ("dd-mm-yyyy", "%d-%m-%Y"), ("dd.mm.yyyy", "%d.%m.%Y")];

/// Why a mapping or a file cannot be read, and where.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MappingError {
    #[error("mapping line {line}: {message}")]
    Mapping { line: u64, message: String },
    #[error("line {line}: {message}")]
    File { line: u64, message: String },
}

/// How a file's columns become Canopy's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// Canopy's field, the file's column, and the file's values for Canopy's codes.
    fields: Vec<(&'static str, String, HashMap<String, String>)>,
    date_format: &'static str,
}

impl Mapping {
    /// Reads a mapping: a CSV of `field,column,values`, one row per field given, where `values`
    /// maps the file's codes to Canopy's (`Male=M;Female=F`), and a `date_format` row whose
    /// `values` says how the file writes dates (dd/mm/yyyy by default).
    pub fn parse(text: &str) -> Result<Mapping, MappingError> {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let mut fields = Vec::new();
        let mut date_format = "%d/%m/%Y";
        for (n, record) in reader.records().enumerate() {
            let line = n as u64 + 1;
            let record = record.map_err(|e| MappingError::Mapping { line, message: e.to_string() })?;
            let cell = |i: usize| record.get(i).unwrap_or("").trim();
            let bad = |message: String| MappingError::Mapping { line, message };
            if line == 1 {
                if !cell(0).eq_ignore_ascii_case("field") || !cell(1).eq_ignore_ascii_case("column") {
                    return Err(bad("the first row must be the header field,column,values".into()));
                }
                continue;
            }
            if cell(0).is_empty() {
                continue;
            }
            if cell(0) == "date_format" {
                date_format =
                    DATE_FORMATS.iter().find(|(name, _)| *name == cell(2)).map(|(_, f)| *f).ok_or_else(|| {
                        let known: Vec<&str> = DATE_FORMATS.iter().map(|(n, _)| *n).collect();
                        bad(format!("the date format '{}' is not one of {}", cell(2), known.join(", ")))
                    })?;
                continue;
            }
            let field = FIELDS.iter().map(|(f, _)| *f).find(|f| *f == cell(0)).ok_or_else(|| {
                bad(format!("'{}' is not one of Canopy's fields (see `canopy import csv-template`)", cell(0)))
            })?;
            if cell(1).is_empty() {
                continue;
            }
            if fields.iter().any(|(f, _, _)| *f == field) {
                return Err(bad(format!("{field} is mapped twice")));
            }
            let mut values = HashMap::new();
            for pair in cell(2).split(';').map(str::trim).filter(|p| !p.is_empty()) {
                let (from, to) =
                    pair.split_once('=').ok_or_else(|| bad(format!("'{pair}' is not of the form FILE=CANOPY")))?;
                values.insert(from.trim().to_lowercase(), to.trim().to_string());
            }
            fields.push((field, cell(1).to_string(), values));
        }
        if !fields.iter().any(|(f, _, _)| *f == "local_id") {
            return Err(MappingError::Mapping {
                line: 1,
                message: "the mapping must give the column of local_id".into(),
            });
        }
        Ok(Mapping { fields, date_format })
    }

    /// A mapping to start from: every field, named as its own column, with the dates as dd/mm/yyyy.
    pub fn template() -> String {
        let mut out = csv_row(["field", "column", "values"]);
        for (field, _) in FIELDS {
            let values = if *field == "sex" { "Male=M;Female=F;Unknown=U" } else { "" };
            out.push_str(&csv_row([*field, *field, values]));
        }
        out.push_str(&csv_row(["date_format", "", "dd/mm/yyyy"]));
        out
    }
}

/// A field, where the file holds it, and the file's codes for it.
type Column<'a> = (&'static str, usize, &'a HashMap<String, String>);

/// One row of the file, as a child's details, and what in it could not be read.
#[derive(Debug, Clone)]
pub struct MappedRow {
    pub line: u64,
    pub child: ChildInput,
    pub postcode: Option<String>,
    /// (column, what is wrong).
    pub problems: Vec<(String, String)>,
}

/// Reads the file's rows through `mapping`, handing each to `each` as it is read.
pub fn read_mapped(
    input: impl Read,
    mapping: &Mapping,
    mut each: impl FnMut(MappedRow) -> Result<(), MappingError>,
) -> Result<u64, MappingError> {
    let mut reader = csv_reader(input);
    let mut record = csv::ByteRecord::new();
    let mut columns: Option<Vec<Column>> = None;
    let mut rows = 0;
    loop {
        let line = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => return Ok(rows),
            Err(e) => return Err(MappingError::File { line, message: e.to_string() }),
            Ok(true) => {}
        }
        let line = record.position().map_or(line, |p| p.line());
        let cells = cells(&record);
        let Some(at) = &columns else {
            let header: Vec<String> = cells.iter().map(|c| c.trim_start_matches('\u{feff}').to_lowercase()).collect();
            let mut found = Vec::new();
            for (field, column, values) in &mapping.fields {
                let i = header.iter().position(|h| *h == column.to_lowercase()).ok_or_else(|| MappingError::File {
                    line,
                    message: format!("the header row has no column '{column}' for {field}"),
                })?;
                found.push((*field, i, values));
            }
            columns = Some(found);
            continue;
        };
        if cells.iter().all(String::is_empty) {
            continue;
        }
        rows += 1;
        each(row(line, &cells, at, mapping))?;
    }
}

fn row(line: u64, cells: &[String], at: &[Column], mapping: &Mapping) -> MappedRow {
    let mut child = ChildInput {
        first_name: String::new(),
        last_name: String::new(),
        date_of_birth: None,
        expected_date_of_birth: None,
        sex: String::new(),
        ethnicity: String::new(),
        disabilities: vec![],
        nhs_number: String::new(),
        upn: String::new(),
        former_upn: String::new(),
        upn_unknown: String::new(),
        local_id: String::new(),
        date_of_death: None,
    };
    let mut postcode = None;
    let mut problems = Vec::new();
    for (field, i, values) in at {
        let raw = cells.get(*i).map(String::as_str).unwrap_or("");
        let value = values.get(&raw.to_lowercase()).cloned().unwrap_or_else(|| raw.to_string());
        let mut date = |value: &str| -> Option<NaiveDate> {
            if value.is_empty() {
                return None;
            }
            let parsed = NaiveDate::parse_from_str(value, mapping.date_format).ok();
            if parsed.is_none() {
                problems.push((
                    field.to_string(),
                    format!("'{value}' is not a date as the mapping says ({})", date_name(mapping)),
                ));
            }
            parsed
        };
        match *field {
            "local_id" => child.local_id = value,
            "first_name" => child.first_name = value,
            "last_name" => child.last_name = value,
            "date_of_birth" => child.date_of_birth = date(&value),
            "expected_date_of_birth" => child.expected_date_of_birth = date(&value),
            "date_of_death" => child.date_of_death = date(&value),
            "sex" => child.sex = value,
            "ethnicity" => child.ethnicity = value,
            "nhs_number" => child.nhs_number = value,
            "upn" => child.upn = value,
            "former_upn" => child.former_upn = value,
            "upn_unknown" => child.upn_unknown = value,
            "disabilities" => {
                child.disabilities = value
                    .split([';', ' ', ','])
                    .map(str::trim)
                    .filter(|d| !d.is_empty() && !d.eq_ignore_ascii_case("NONE"))
                    .map(String::from)
                    .collect()
            }
            "postcode" => postcode = (!value.is_empty()).then_some(value),
            _ => {}
        }
    }
    MappedRow { line, child, postcode, problems }
}

fn date_name(mapping: &Mapping) -> &'static str {
    DATE_FORMATS.iter().find(|(_, f)| *f == mapping.date_format).map_or("dd/mm/yyyy", |(n, _)| n)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAPPING: &str = "field,column,values\nlocal_id,Person ID,\nfirst_name,Forename,\nlast_name,Surname,\n\
        date_of_birth,DOB,\nsex,Gender,Male=M;Female=F\nnhs_number,NHS No,\ndate_format,,yyyy-mm-dd\n";

    #[test]
    fn a_file_is_read_through_its_mapping_with_codes_and_dates_as_it_writes_them() {
        let mapping = Mapping::parse(MAPPING).expect("mapping");
        let file = "Person ID,Surname,Forename,Gender,DOB,NHS No\r\nP1,Okafor,Maya,Female,2015-06-01,943 476 5919\r\n\r\nP2,Smith,Zo\u{eb},male,01/06/2015,\r\n";
        let mut rows = Vec::new();
        let n = read_mapped(file.as_bytes(), &mapping, |r| {
            rows.push(r);
            Ok(())
        })
        .expect("read");
        assert_eq!(n, 2, "the blank line is skipped");
        assert_eq!(rows[0].child.first_name, "Maya");
        assert_eq!(rows[0].child.sex, "F");
        assert_eq!(rows[0].child.date_of_birth, NaiveDate::from_ymd_opt(2015, 6, 1));
        assert_eq!(rows[1].child.sex, "M", "codes are matched whatever their case");
        assert_eq!(rows[1].line, 4);
        assert_eq!(
            rows[1].problems,
            vec![(
                "date_of_birth".to_string(),
                "'01/06/2015' is not a date as the mapping says (yyyy-mm-dd)".to_string()
            )]
        );
        let windows_1252 = b"Person ID,Surname,Forename,Gender,DOB,NHS No\r\nP3,Zo\xEB,Ann,Female,2015-06-01,\r\n";
        read_mapped(&windows_1252[..], &mapping, |r| {
            assert_eq!(r.child.last_name, "Zoë");
            Ok(())
        })
        .expect("read");
    }

    #[test]
    fn a_bad_mapping_or_a_missing_column_says_where() {
        assert!(matches!(Mapping::parse("field,column\nname,Name\n"), Err(MappingError::Mapping { line: 2, .. })));
        assert!(matches!(
            Mapping::parse("field,column\nfirst_name,Name\n"),
            Err(MappingError::Mapping { line: 1, .. })
        ));
        let bad_values = Mapping::parse("field,column,values\nlocal_id,ID,\nsex,Gender,Male\n").expect_err("values");
        assert_eq!(
            bad_values,
            MappingError::Mapping { line: 3, message: "'Male' is not of the form FILE=CANOPY".into() }
        );
        let bad_date =
            Mapping::parse("field,column,values\nlocal_id,ID,\ndate_format,,mm/dd/yy\n").expect_err("format");
        assert!(bad_date.to_string().starts_with("mapping line 3:"), "{bad_date}");
        let mapping = Mapping::parse(MAPPING).expect("mapping");
        let e = read_mapped("Person ID,Surname\nP1,Okafor\n".as_bytes(), &mapping, |_| Ok(())).expect_err("no column");
        assert_eq!(
            e,
            MappingError::File { line: 1, message: "the header row has no column 'Forename' for first_name".into() }
        );
        assert!(Mapping::parse(&Mapping::template()).is_ok(), "the template is a mapping");
    }
}
