//! Children's identifiers: the NHS number and the Unique Pupil Number, each with its check.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An NHS number: ten digits whose last is a modulus 11 check digit (NHS Data Dictionary).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NhsNumber(String);

impl NhsNumber {
    /// Reads an NHS number, with or without spaces ("943 476 5919").
    pub fn parse(text: &str) -> Result<Self, String> {
        let digits: String = text.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if digits.len() != 10 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err("Enter an NHS number of 10 digits, like 943 476 5919".into());
        }
        let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
        let sum: u32 = d.iter().take(9).zip((2..=10).rev()).map(|(x, w)| x * w).sum();
        let check = match 11 - (sum % 11) {
            11 => 0,
            10 => return Err("That is not a valid NHS number: check the digits".into()),
            c => c,
        };
        if d.get(9) != Some(&check) {
            return Err("That is not a valid NHS number: check the digits".into());
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NhsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.0;
        write!(f, "{} {} {}", &s[0..3], &s[3..6], &s[6..10])
    }
}

const UPN_LETTERS: &str = "ABCDEFGHJKLMNPQRTUVWXYZ";

/// A Unique Pupil Number: a check letter, then the LA code (3 digits), the establishment (4), the
/// year of allocation (2) and a serial (3); a temporary UPN ends with a letter instead of a digit.
/// The check letter is the letter at (Σ characterᵢ × i) mod 23 of "ABCDEFGHJKLMNPQRTUVWXYZ",
/// over characters 2 to 13 with weights 2 to 13 (DfE, UPN guidance).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Upn(String);

impl Upn {
    /// The check letter for the last 12 characters of a UPN.
    pub fn check_letter(body: &str) -> Option<char> {
        let chars: Vec<char> = body.chars().collect();
        if chars.len() != 12 {
            return None;
        }
        let mut sum = 0usize;
        for (i, c) in chars.iter().enumerate() {
            let value = if i < 11 {
                c.to_digit(10)? as usize
            } else if let Some(d) = c.to_digit(10) {
                d as usize
            } else {
                UPN_LETTERS.find(*c)?
            };
            sum += value * (i + 2);
        }
        UPN_LETTERS.chars().nth(sum % 23)
    }

    /// Reads a UPN, checking its check letter.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim().to_ascii_uppercase();
        let bad_shape =
            || "Enter a UPN of 13 characters: a letter and 12 digits (the last may be a letter)".to_string();
        if t.len() != 13 || !t.is_ascii() {
            return Err(bad_shape());
        }
        let first = t.chars().next().ok_or_else(bad_shape)?;
        match Self::check_letter(&t[1..]) {
            None => Err(bad_shape()),
            Some(expected) if expected == first => Ok(Self(t)),
            Some(_) => Err("That UPN's check letter does not match its digits".into()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Upn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nhs_numbers_pass_their_modulus_11_check() {
        assert_eq!(NhsNumber::parse("943 476 5919").map(|n| n.to_string()), Ok("943 476 5919".into()));
        assert!(NhsNumber::parse("9434765918").is_err(), "wrong check digit");
        assert!(NhsNumber::parse("94347659").is_err(), "too short");
        assert!(NhsNumber::parse("943476591X").is_err());
        // A remainder that gives check 10 is never valid.
        assert!(NhsNumber::parse("1000000010").is_err());
    }

    #[test]
    fn upns_pass_their_check_letter() {
        let body = "31420012300";
        for last in ['1', 'A'] {
            let full_body = format!("{body}{last}");
            let letter = Upn::check_letter(&full_body).expect("letter");
            let upn = format!("{letter}{full_body}");
            assert!(Upn::parse(&upn).is_ok(), "{upn}");
            let wrong = if letter == 'A' { 'B' } else { 'A' };
            assert_eq!(
                Upn::parse(&format!("{wrong}{full_body}")),
                Err("That UPN's check letter does not match its digits".into())
            );
        }
        assert!(Upn::parse("A1234").is_err());
        assert!(Upn::parse("A31420012300I").is_err(), "I is not a UPN letter");
    }

    #[test]
    fn the_upn_check_letter_follows_the_published_weights() {
        // 3×2 + 1×3 + 4×4 + 2×5 + 0×6 + 0×7 + 1×8 + 2×9 + 3×10 + 0×11 + 0×12 + 1×13 = 104; 104 mod 23 = 12 → N.
        assert_eq!(Upn::check_letter("314200123001"), Some('N'));
    }
}
