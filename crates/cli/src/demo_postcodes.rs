//! Real postcodes for the demo's homes and placements, so that its returns pass the checks that
//! look postcodes up in the ONS directory: a dozen in each of the three councils' districts (from
//! ONS open data, each in its own council), and a few in towns beyond them.

use std::collections::HashMap;
use std::sync::OnceLock;

const OUT_OF_AREA: &str = "out";

fn by_district() -> &'static HashMap<&'static str, Vec<&'static str>> {
    static LIST: OnceLock<HashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut map: HashMap<&str, Vec<&str>> = HashMap::new();
        for line in include_str!("demo_postcodes.csv").lines().skip(1) {
            if let Some((district, postcode)) = line.split_once(',') {
                map.entry(district).or_default().push(postcode);
            }
        }
        map
    })
}

/// The `n`th real postcode of a district, round the list; `None` for a district not listed.
pub fn in_district(district: &str, n: usize) -> Option<&'static str> {
    let list = by_district().get(district)?;
    list.get(n % list.len()).copied()
}

/// The `n`th postcode in a town beyond the three councils.
pub fn out_of_area(n: usize) -> &'static str {
    in_district(OUT_OF_AREA, n).unwrap_or("CR0 4QW")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_council_district_has_real_postcodes() {
        for district in ["KT1", "KT9", "SW13", "TW12", "SL6"] {
            let postcode = in_district(district, 5).expect("listed");
            assert!(postcode.starts_with(&format!("{district} ")), "{postcode}");
        }
        assert_eq!(in_district("ZZ1", 0), None);
        assert!(!out_of_area(3).is_empty());
    }
}
