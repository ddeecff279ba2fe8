//! What the SSDA903 rules may be checked with besides the return itself: the postcode directory
//! (for where a placement is and how far from home) and Ofsted's lists of providers. Both are
//! CSV files known by their header rows, read as a stream.

use crate::text::{cells, csv_reader};
use canopy_domain::returns::ssda903::parse_date;
use canopy_domain::returns::ssda903::rules::{Located, Postcodes, Provider, Providers};
use std::collections::HashMap;
use std::io::Read;

/// Lower-tier local authorities and the upper tier each lies in (ONS, 2021): a placement's
/// authority for the 903 is the upper tier, the council with children's services.
const LTLA_TO_UTLA: &str = include_str!("ltla_utla.csv");

/// Why a postcode directory or provider list could not be read, and where.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InputError {
    #[error("{file}: the header row has no {column} column (it has: {header})")]
    MissingColumn { file: String, column: String, header: String },
    #[error("{file} line {line}: {message}")]
    Malformed { file: String, line: u64, message: String },
}

fn without_spaces(postcode: &str) -> String {
    postcode.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect()
}

/// The columns of a header row, by name in upper case.
struct Columns {
    names: Vec<String>,
}

impl Columns {
    fn find(&self, file: &str, wanted: &[&str]) -> Result<usize, InputError> {
        self.try_find(wanted).ok_or_else(|| InputError::MissingColumn {
            file: file.into(),
            column: wanted.join(" or "),
            header: self.names.join(","),
        })
    }

    fn try_find(&self, wanted: &[&str]) -> Option<usize> {
        wanted.iter().find_map(|w| self.names.iter().position(|n| n.eq_ignore_ascii_case(w)))
    }
}

/// Reads a CSV: its header row, then each record's cells, with the record's line.
fn read_csv(
    input: impl Read,
    file: &str,
    mut each: impl FnMut(&Columns, u64, &[String]) -> Result<(), InputError>,
) -> Result<Columns, InputError> {
    let mut reader = csv_reader(input);
    let mut record = csv::ByteRecord::new();
    let malformed =
        |line: u64, e: csv::Error| InputError::Malformed { file: file.into(), line, message: e.to_string() };
    let mut columns = Columns { names: vec![] };
    let mut first = true;
    loop {
        let line = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => return Ok(columns),
            Err(e) => return Err(malformed(line, e)),
            Ok(true) => {
                let line = record.position().map_or(line, |p| p.line());
                let cells = cells(&record);
                if first {
                    columns.names = cells;
                    first = false;
                } else if !cells.iter().all(String::is_empty) {
                    each(&columns, line, &cells)?;
                }
            }
        }
    }
}

/// Reads the ONS postcode directory (ONSPD or NSPL, as CSV): columns `pcd`, `laua` (or
/// `oslaua`), `oseast1m` and `osnrth1m`. Postcodes in Scotland, Wales and Northern Ireland are
/// known by their nation (SCO, WAL, NIR), as the 903 records them.
pub fn read_postcodes(input: impl Read, file: &str) -> Result<Postcodes, InputError> {
    let upper: HashMap<&str, &str> = LTLA_TO_UTLA.lines().skip(1).filter_map(|l| l.split_once(',')).collect();
    let mut out = Postcodes::default();
    let mut at: Option<[usize; 4]> = None;
    read_csv(input, file, |columns, line, cells| {
        let [pcd, laua, east, north] = match at {
            Some(a) => a,
            None => {
                let a = [
                    columns.find(file, &["pcd", "pcds"])?,
                    columns.find(file, &["laua", "oslaua", "lad", "ltla"])?,
                    columns.find(file, &["oseast1m"])?,
                    columns.find(file, &["osnrth1m"])?,
                ];
                at = Some(a);
                a
            }
        };
        let cell = |i: usize| cells.get(i).map(String::as_str).unwrap_or("");
        let grid = |i: usize| {
            cell(i).parse::<f64>().map_err(|_| InputError::Malformed {
                file: file.into(),
                line,
                message: format!("'{}' is not a grid reference", cell(i)),
            })
        };
        let (postcode, district) = (cell(pcd), cell(laua));
        // Postcodes with no grid reference (such as PO boxes) cannot be placed; leave them out.
        if postcode.is_empty() || cell(east).is_empty() || cell(north).is_empty() {
            return Ok(());
        }
        let local_authority = match district.chars().next() {
            Some('S') => "SCO".to_string(),
            Some('W') => "WAL".to_string(),
            Some('N') => "NIR".to_string(),
            _ => upper.get(district).copied().unwrap_or(district).to_string(),
        };
        out.0.insert(
            without_spaces(postcode),
            Located { local_authority, easting: grid(east)?, northing: grid(north)? },
        );
        Ok(())
    })?;
    Ok(out)
}

/// Where a provider list holds the URN, placement codes, provider codes, closing date and postcode.
type ProviderColumns = (usize, usize, usize, Option<usize>, Option<usize>);

/// Reads one of Ofsted's provider lists saved as CSV: its children's homes list (`URN`,
/// `Provider Placement Code`, `Provider Code`, `Closed Date`, `Setting Postcode`) or its social
/// care providers list (`URN`, `Placement code`, `Placement provider code`, `Deregistration
/// date`, `Setting postcode`). Codes may be several, separated by commas. The provider's local
/// authority is found from its postcode when the postcode directory is given.
pub fn read_providers(
    input: impl Read,
    file: &str,
    postcodes: Option<&Postcodes>,
    into: &mut Providers,
) -> Result<(), InputError> {
    let mut at: Option<ProviderColumns> = None;
    read_csv(input, file, |columns, line, cells| {
        let (urn, place, provider, closed, postcode) = match at {
            Some(a) => a,
            None => {
                let a = (
                    columns.find(file, &["URN"])?,
                    columns.find(file, &["Provider Placement Code", "Placement code", "PLACE_CODES"])?,
                    columns.find(file, &["Provider Code", "Placement provider code", "PROVIDER_CODES"])?,
                    columns.try_find(&["Closed Date", "Deregistration date", "REG_END"]),
                    columns.try_find(&["Setting Postcode", "POSTCODE"]),
                );
                at = Some(a);
                a
            }
        };
        let cell = |i: usize| cells.get(i).map(String::as_str).unwrap_or("");
        let codes = |i: usize| cell(i).split(',').map(|c| c.trim().to_uppercase()).filter(|c| !c.is_empty()).collect();
        let registration_ended = match closed.map(cell).filter(|c| !c.is_empty()) {
            None => None,
            Some(text) => Some(parse_date(text).ok_or_else(|| InputError::Malformed {
                file: file.into(),
                line,
                message: format!("the closing date '{text}' is not dd/mm/yyyy"),
            })?),
        };
        let postcode = postcode.map(cell).filter(|p| !p.is_empty()).map(without_spaces);
        let local_authority =
            postcode.as_deref().and_then(|p| postcodes.and_then(|d| d.find(p))).map(|l| l.local_authority.clone());
        let urn = cell(urn).to_uppercase();
        if urn.is_empty() {
            return Ok(());
        }
        into.0.insert(
            urn.clone(),
            Provider {
                urn,
                place_codes: codes(place),
                provider_codes: codes(provider),
                registration_ended,
                postcode,
                local_authority,
            },
        );
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIRECTORY: &str = "pcd,laua,oseast1m,osnrth1m\nKT1 1AA,E09000021,518000,169000\nCF10 1AA,W06000015,318000,176000\nKT2 9ZZ,E09000021,,\n";

    #[test]
    fn postcodes_are_found_with_their_upper_tier_authority_or_nation() {
        let postcodes = read_postcodes(DIRECTORY.as_bytes(), "pcd.csv").expect("read");
        assert_eq!(postcodes.find("kt11aa").map(|l| l.local_authority.as_str()), Some("E09000021"));
        assert_eq!(postcodes.find("CF10 1AA").map(|l| l.local_authority.as_str()), Some("WAL"));
        assert!(postcodes.find("KT2 9ZZ").is_none(), "no grid reference");
        let two_tier = "pcd,laua,oseast1m,osnrth1m\nGU1 1AA,E07000209,499000,149000\n";
        let surrey = read_postcodes(two_tier.as_bytes(), "pcd.csv").expect("read");
        assert_eq!(surrey.find("GU1 1AA").map(|l| l.local_authority.as_str()), Some("E10000030"));
    }

    #[test]
    fn a_directory_without_its_columns_or_with_bad_grid_references_is_refused_with_where() {
        let missing = read_postcodes("postcode,x\n".as_bytes(), "pcd.csv");
        assert!(missing.is_ok(), "an empty directory has no rows to need columns");
        let missing = read_postcodes("postcode,x\nKT1 1AA,1\n".as_bytes(), "pcd.csv").expect_err("no pcd");
        assert!(missing.to_string().contains("no pcd or pcds column"), "{missing}");
        let bad = read_postcodes("pcd,laua,oseast1m,osnrth1m\nKT1 1AA,E09000021,east,1\n".as_bytes(), "pcd.csv");
        assert_eq!(
            bad.expect_err("bad"),
            InputError::Malformed { file: "pcd.csv".into(), line: 2, message: "'east' is not a grid reference".into() }
        );
        let crlf = "pcd,laua,oseast1m,osnrth1m\r\nKT1 1AA,E09000021,1,1\r\n\r\nKT1 1AB,E09000021,east,1\r\n";
        let bad = read_postcodes(crlf.as_bytes(), "pcd.csv").expect_err("bad");
        assert!(matches!(bad, InputError::Malformed { line: 4, .. }), "lines keep up with CRLF files: {bad}");
    }

    #[test]
    fn providers_are_read_from_either_ofsted_list() {
        let postcodes = read_postcodes(DIRECTORY.as_bytes(), "pcd.csv").expect("read");
        let mut providers = Providers::default();
        let homes = "URN,Local Authority,Provider Code,Provider Placement Code,Closed Date,Setting Postcode\nSC123456,Kingston,PR1,\"K2,R3\",01/02/2025,KT1 1AA\n";
        read_providers(homes.as_bytes(), "ch.csv", Some(&postcodes), &mut providers).expect("homes");
        let agencies = "URN,Placement code,Placement provider code,Deregistration date,Setting postcode\nSC999999,U1,PR3,,CF10 1AA\n";
        read_providers(agencies.as_bytes(), "scp.csv", Some(&postcodes), &mut providers).expect("agencies");
        let home = &providers.0["SC123456"];
        assert_eq!(home.place_codes, vec!["K2", "R3"]);
        assert_eq!(home.provider_codes, vec!["PR1"]);
        assert_eq!(home.registration_ended, chrono::NaiveDate::from_ymd_opt(2025, 2, 1));
        assert_eq!(home.local_authority.as_deref(), Some("E09000021"));
        assert_eq!(providers.0["SC999999"].local_authority.as_deref(), Some("WAL"));
        let bad = "URN,Provider Code,Provider Placement Code,Closed Date\nSC1,PR1,K2,2025-02-01\n";
        let e = read_providers(bad.as_bytes(), "ch.csv", None, &mut providers).expect_err("bad date");
        assert!(e.to_string().contains("ch.csv line 2"), "{e}");
    }
}
