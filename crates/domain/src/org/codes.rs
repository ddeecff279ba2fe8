//! The identifiers of councils and places: the DfE's LA code, the ONS code, postcodes.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The DfE's three-digit local authority code (for example 314, Kingston upon Thames), as used
/// in the CIN census, SSDA903 and the workforce census headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LaCode(u16);

impl LaCode {
    /// Reads a three-digit code, 100 to 999.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        if t.len() == 3 && t.chars().all(|c| c.is_ascii_digit()) {
            if let Ok(n) = t.parse::<u16>() {
                if n >= 100 {
                    return Ok(Self(n));
                }
            }
        }
        Err("Enter the DfE LA code as three digits, like 314".into())
    }

    pub fn value(self) -> u16 {
        self.0
    }
}

impl fmt::Display for LaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.0)
    }
}

/// The ONS (GSS) code of a council: a letter for the nation and eight digits, such as
/// E09000021. SSDA903 validation uses it to tell inside from outside placements.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OnsCode(String);

impl OnsCode {
    /// Reads an ONS local authority code: E or W, then 8 digits.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim().to_ascii_uppercase();
        let mut chars = t.chars();
        let nation_ok = matches!(chars.next(), Some('E' | 'W'));
        let digits: Vec<char> = chars.collect();
        if nation_ok && digits.len() == 8 && digits.iter().all(|c| c.is_ascii_digit()) {
            Ok(Self(t))
        } else {
            Err("Enter the ONS code as E or W and 8 digits, like E09000021".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OnsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A postcode district, the outward half of a postcode (KT1, TW10, SL6, W1A). Councils and
/// clusters are drawn as sets of districts, or of sectors within a district.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PostcodeDistrict(String);

impl PostcodeDistrict {
    /// Reads a district: one or two letters, a digit, then an optional digit or letter.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t: String = text.trim().to_ascii_uppercase();
        if is_outward_code(&t) {
            Ok(Self(t))
        } else {
            Err(format!("'{}' is not a postcode district (like KT1 or TW10)", text.trim()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The district of a full postcode, or an outward code given alone.
    pub fn of(text: &str) -> Option<Self> {
        Postcode::parse(text).map(|p| p.district).ok().or_else(|| Self::parse(text).ok())
    }
}

impl fmt::Display for PostcodeDistrict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_outward_code(t: &str) -> bool {
    let b = t.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if !(1..=2).contains(&letters) {
        return false;
    }
    let rest = &b[letters..];
    match rest {
        [d] => d.is_ascii_digit(),
        [d, x] => d.is_ascii_digit() && (x.is_ascii_digit() || x.is_ascii_uppercase()),
        _ => false,
    }
}

/// An area of a cluster: a whole postcode district (KT1) or one sector of it (KT1 2).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PostcodeArea {
    pub district: PostcodeDistrict,
    pub sector: Option<u8>,
}

impl PostcodeArea {
    /// Reads "KT1" or "KT1 2".
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim().to_ascii_uppercase();
        match t.split_once(' ') {
            None => Ok(Self { district: PostcodeDistrict::parse(&t)?, sector: None }),
            Some((district, sector)) => {
                let sector = sector.trim();
                let digit = match sector.as_bytes() {
                    [d] if d.is_ascii_digit() => d - b'0',
                    _ => {
                        return Err(format!(
                            "'{}' is not a postcode district or sector (like KT1 or KT1 2)",
                            text.trim()
                        ))
                    }
                };
                Ok(Self { district: PostcodeDistrict::parse(district)?, sector: Some(digit) })
            }
        }
    }

    /// Whether a full postcode falls in this area.
    pub fn contains(&self, postcode: &Postcode) -> bool {
        postcode.district == self.district && self.sector.is_none_or(|s| s == postcode.sector)
    }
}

impl fmt::Display for PostcodeArea {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.sector {
            Some(s) => write!(f, "{} {}", self.district, s),
            None => write!(f, "{}", self.district),
        }
    }
}

/// A full UK postcode, such as KT1 1EU.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Postcode {
    pub district: PostcodeDistrict,
    pub sector: u8,
    pub unit: String,
}

impl Postcode {
    /// Reads a postcode with or without its space.
    pub fn parse(text: &str) -> Result<Self, String> {
        let compact: String = text.split_whitespace().collect::<String>().to_ascii_uppercase();
        let bad = || format!("'{}' is not a postcode (like KT1 1EU)", text.trim());
        if compact.len() < 5 || !compact.is_ascii() {
            return Err(bad());
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        let ib = inward.as_bytes();
        if !(ib[0].is_ascii_digit() && ib[1].is_ascii_uppercase() && ib[2].is_ascii_uppercase()) {
            return Err(bad());
        }
        let district = PostcodeDistrict::parse(outward).map_err(|_| bad())?;
        Ok(Self { district, sector: ib[0] - b'0', unit: inward[1..].to_string() })
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}{}", self.district, self.sector, self.unit)
    }
}

/// Reads a list of areas separated by commas, spaces between a district and sector allowed
/// ("KT1, KT2 5, TW10"). Every bad entry is reported.
pub fn parse_area_list(text: &str) -> Result<Vec<PostcodeArea>, Vec<String>> {
    let mut areas = Vec::new();
    let mut problems = Vec::new();
    for part in text.split([',', '\n', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        match PostcodeArea::parse(part) {
            Ok(a) => {
                if !areas.contains(&a) {
                    areas.push(a)
                }
            }
            Err(e) => problems.push(e),
        }
    }
    if problems.is_empty() {
        Ok(areas)
    } else {
        Err(problems)
    }
}
