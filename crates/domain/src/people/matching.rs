//! Search before create: how alike two people's records are. Records move between councils and
//! names are spelt many ways, so identifiers decide first, then names (fuzzily) with the date of
//! birth.

use chrono::NaiveDate;

/// What is known of a person, for matching.
#[derive(Debug, Clone, Default)]
pub struct MatchFacts {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub nhs_number: Option<String>,
    pub upn: Option<String>,
    pub local_id: Option<String>,
}

/// How strongly a record matches what was searched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchStrength {
    Possible,
    Likely,
    Certain,
}

/// Lower-case letters only, so "O'Brien-Smith" and "obrien smith" compare equal.
pub fn normalise_name(name: &str) -> String {
    name.chars().filter(|c| c.is_alphabetic()).flat_map(char::to_lowercase).collect()
}

/// The Jaro–Winkler similarity of two strings, from 0 (nothing alike) to 1 (the same).
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_matched = vec![false; a.len()];
    let mut b_matched = vec![false; b.len()];
    let mut matches = 0usize;
    for (i, ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_matched[j] && b[j] == *ca {
                a_matched[i] = true;
                b_matched[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let a_seq: Vec<char> = a.iter().zip(&a_matched).filter(|(_, m)| **m).map(|(c, _)| *c).collect();
    let b_seq: Vec<char> = b.iter().zip(&b_matched).filter(|(_, m)| **m).map(|(c, _)| *c).collect();
    let transpositions = a_seq.iter().zip(&b_seq).filter(|(x, y)| x != y).count() / 2;
    let m = matches as f64;
    let jaro = (m / a.len() as f64 + m / b.len() as f64 + (m - transpositions as f64) / m) / 3.0;
    let prefix = a.iter().zip(&b).take(4).take_while(|(x, y)| x == y).count() as f64;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

/// How strongly `candidate` matches `query`, or `None` if not at all. A shared NHS number, UPN
/// or local id is certain; a different NHS number rules the record out; otherwise a close name
/// with the same date of birth is likely, and a close name alone, or the same date of birth with
/// a close surname, is possible.
pub fn match_strength(query: &MatchFacts, candidate: &MatchFacts) -> Option<MatchStrength> {
    let same = |a: &Option<String>, b: &Option<String>| matches!((a, b), (Some(x), Some(y)) if !x.is_empty() && x == y);
    if same(&query.nhs_number, &candidate.nhs_number)
        || same(&query.upn, &candidate.upn)
        || same(&query.local_id, &candidate.local_id)
    {
        return Some(MatchStrength::Certain);
    }
    if let (Some(a), Some(b)) = (&query.nhs_number, &candidate.nhs_number) {
        if !a.is_empty() && !b.is_empty() && a != b {
            return None;
        }
    }
    let first = jaro_winkler(&normalise_name(&query.first_name), &normalise_name(&candidate.first_name));
    let last = jaro_winkler(&normalise_name(&query.last_name), &normalise_name(&candidate.last_name));
    let searched_first = !normalise_name(&query.first_name).is_empty();
    let searched_last = !normalise_name(&query.last_name).is_empty();
    let same_dob = matches!((query.date_of_birth, candidate.date_of_birth), (Some(a), Some(b)) if a == b);
    let name_close =
        (!searched_first || first >= 0.85) && (!searched_last || last >= 0.88) && (searched_first || searched_last);
    match (name_close, same_dob) {
        (true, true) => Some(MatchStrength::Likely),
        (true, false) if query.date_of_birth.is_none() => Some(MatchStrength::Possible),
        (true, false) => None,
        (false, true) if last >= 0.8 => Some(MatchStrength::Possible),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(first: &str, last: &str, dob: Option<(i32, u32, u32)>) -> MatchFacts {
        MatchFacts {
            first_name: first.into(),
            last_name: last.into(),
            date_of_birth: dob.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
            ..MatchFacts::default()
        }
    }

    #[test]
    fn jaro_winkler_gives_the_textbook_figures() {
        assert!((jaro_winkler("martha", "marhta") - 0.961).abs() < 0.001);
        assert!((jaro_winkler("dwayne", "duane") - 0.84).abs() < 0.001);
        assert_eq!(jaro_winkler("same", "same"), 1.0);
        assert_eq!(jaro_winkler("abc", ""), 0.0);
    }

    #[test]
    fn a_misspelt_name_with_the_same_birthday_is_likely() {
        let q = facts("Jayden", "O'Brien", Some((2015, 3, 2)));
        let c = facts("Jaydon", "Obrien", Some((2015, 3, 2)));
        assert_eq!(match_strength(&q, &c), Some(MatchStrength::Likely));
        let other_birthday = facts("Jaydon", "Obrien", Some((2012, 3, 2)));
        assert_eq!(match_strength(&q, &other_birthday), None);
    }

    #[test]
    fn identifiers_decide_first() {
        let mut q = facts("A", "B", None);
        q.nhs_number = Some("9434765919".into());
        let mut c = facts("Completely", "Different", None);
        c.nhs_number = Some("9434765919".into());
        assert_eq!(match_strength(&q, &c), Some(MatchStrength::Certain));
        let mut twin = facts("A", "B", None);
        twin.nhs_number = Some("4010232137".into());
        assert_eq!(match_strength(&q, &twin), None, "a different NHS number is a different person");
    }

    #[test]
    fn a_name_alone_is_only_possible() {
        assert_eq!(
            match_strength(&facts("Amira", "Khan", None), &facts("Amirah", "Khan", Some((2019, 1, 1)))),
            Some(MatchStrength::Possible)
        );
        assert_eq!(match_strength(&facts("", "", None), &facts("Amirah", "Khan", None)), None);
    }
}
